# Authentication relayed to the backend (md5, scram-sha-256, cleartext
# password) in pool mode, and a pooled connection is never handed to a client
# that did not prove the credentials.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user);

my $node = PgpoolTest::Node->new('node0')->init->start;
$node->create_user('alice', password => 'alice pw', encryption => 'md5');
$node->create_user('bob', password => 'bob pw', encryption => 'scram-sha-256');
$node->create_user('carol', password => 'carol pw', encryption => 'scram-sha-256');
$node->query('grant all on database testdb to alice, bob, carol');
$node->set_hba([
	'local all all trust',
	'host all alice 127.0.0.1/32 md5',
	'host all bob 127.0.0.1/32 scram-sha-256',
	'host all carol 127.0.0.1/32 password',
	'host all ' . pg_user() . ' 127.0.0.1/32 trust',
]);
$node->reload;

my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { connection_cache => 'on', num_init_children => 1, max_pool => 4 });
ok($pp->start, 'pgpool starts') or die "cannot continue";

sub as_user
{
	my ($user, $password, $sql) = @_;
	return $pp->psql($sql // 'select current_user, pg_backend_pid()', user => $user, db => 'testdb',
		env => { PGPASSWORD => $password });
}

for my $u (['alice', 'md5'], ['bob', 'scram-sha-256'], ['carol', 'password'])
{
	my ($user, $method) = @$u;
	my ($rc, $out, $err) = as_user($user, "$user pw");
	like($out, qr/^$user\|\d+$/, "$method: right password logs in through pgpool") or diag $err;
	($rc, $out, $err) = as_user($user, 'wrong');
	isnt($rc, 0, "$method: wrong password is refused");
	like($err, qr/password authentication failed for user "$user"/, "$method: with the backend's message");
	unlike($out, qr/$user/, "$method: and no query ran");
	($rc, $out, $err) = as_user($user, undef);
	isnt($rc, 0, "$method: no password is refused");
	($rc, $out, $err) = as_user($user, "$user pw");
	like($out, qr/^$user\|\d+$/, "$method: right password works again afterwards") or diag $err;
}

# md5 and cleartext: two sessions with the right password share the pooled
# backend, which is not handed to a wrong password in between.
for my $u (['alice', 'md5'], ['carol', 'password'])
{
	my ($user, $method) = @$u;
	my (undef, $s1) = as_user($user, "$user pw");
	my ($rc, $out, $err) = as_user($user, 'not it');
	isnt($rc, 0, "$method: wrong password refused while a backend for $user is pooled");
	my (undef, $s2) = as_user($user, "$user pw");
	my ($p1) = $s1 =~ /\|(\d+)$/;
	my ($p2) = $s2 =~ /\|(\d+)$/;
	ok($p1 && $p2, "$method: $user sessions served");
	is($p2, $p1, "$method: the pooled backend is reused for the right password");
}

{
	my ($rc, $out, $err) = $pp->psql('select 1');
	is($out, '1', 'trusted superuser still served');
	ok($pp->running, 'pgpool still running');
}

done_testing();
