# enable_pool_hba = off: the main backend's request decides the method.
# With a usable pool_passwd entry pgpool authenticates the client itself
# (md5 with its own salt, SCRAM with its own nonce); with
# allow_clear_text_frontend_auth it asks for the clear-text password;
# otherwise the backend's exchange is relayed (without SCRAM-SHA-256-PLUS).
# Pooled connections are reused only after the same proof.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use PgpoolTest::Auth qw(psql_as write_pool_passwd);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user);
use PgpoolTest::Wire;

my $su = pg_user();
my $node = PgpoolTest::Node->new('node0')->init->start;
my %users = (alice => 'md5', bob => 'scram-sha-256', carol => 'scram-sha-256', dan => 'md5');
$node->create_user($_, encryption => $users{$_}, password => "$_ pw") for sort keys %users;
$node->query('grant all on database testdb to ' . join(', ', sort keys %users));
$node->set_hba(['local all all trust', "host all $su 127.0.0.1/32 trust",
	map { "host all $_ 127.0.0.1/32 $users{$_}" } sort keys %users]);
$node->reload;

my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => { enable_pool_hba => 'off', num_init_children => 1, max_pool => 4 });
$pp->write_files;
write_pool_passwd($pp, 'alice:md5' . md5_hex('alice pw' . 'alice'), 'bob:TEXTbob pw');
ok($pp->start, 'pgpool starts without pool_hba') or die "cannot continue";

# The first authentication request a raw client gets for user.
sub first_request
{
	my ($user) = @_;
	my $w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(PgpoolTest::Wire::startup_packet($user, 'testdb'));
	my ($t, $p) = $w->read_msg(10);
	$w->close;
	return $t eq 'R' ? (unpack('N', $p), substr($p, 4)) : (-1, '');
}

sub pid_of
{
	my ($user, $pw) = @_;
	my ($rc, $out, $err) = psql_as($pp, $user, $pw, 'select pg_backend_pid()');
	return $rc ? "error: $err" : $out;
}

{
	my ($code, $data) = first_request('alice');
	is($code, 5, 'md5 backend, md5 entry: pgpool asks for md5');
	my ($code2, $data2) = first_request('alice');
	isnt($data2, $data, '... with a fresh salt each time');
	my $p1 = pid_of('alice', 'alice pw');
	like($p1, qr/^\d+$/, 'alice logs in');
	my $pos = $pp->log_position;
	my ($rc, $out, $err) = psql_as($pp, 'alice', 'wrong', 'select 1');
	like($err, qr/password authentication failed for user "alice"/, 'a wrong password is refused');
	like(substr($pp->log_content, $pos), qr/password authentication failed for user "alice"/,
		'by pgpool itself (logged by pgpool)');
	is(pid_of('alice', 'alice pw'), $p1, 'the pooled backend is reused after a fresh md5 proof');
}
{
	my ($code) = first_request('bob');
	is($code, 10, 'scram backend, TEXT entry: pgpool asks for SASL');
	like(pid_of('bob', 'bob pw'), qr/^\d+$/, 'bob logs in (scram to pgpool and to the backend)');
	my ($rc, $out, $err) = psql_as($pp, 'bob', 'bad', 'select 1');
	like($err, qr/password authentication failed for user "bob"/, 'bob with a wrong password is refused');
}
{
	my ($code, $data) = first_request('carol');
	is($code, 10, 'scram backend, no entry: the backend\'s SASL request is relayed');
	unlike($data, qr/PLUS/, '... without SCRAM-SHA-256-PLUS');
	my $p1 = pid_of('carol', 'carol pw');
	like($p1, qr/^\d+$/, 'carol logs in through the relayed exchange');
	isnt(pid_of('carol', 'carol pw'), $p1, 'a relayed SCRAM login is never pooled');
	my ($code2) = first_request('dan');
	is($code2, 5, 'md5 backend, no entry: the backend\'s md5 request is relayed');
}
{
	$pp->set_conf(allow_clear_text_frontend_auth => 'on');
	$pp->reload;
	my $code;
	for (1 .. 50)
	{
		($code) = first_request('carol');
		last if $code == 3;
		select(undef, undef, undef, 0.2);
	}
	is($code, 3, 'allow_clear_text_frontend_auth: pgpool asks for the clear-text password');
	my $p1 = pid_of('carol', 'carol pw');
	like($p1, qr/^\d+$/, 'carol logs in with it (scram to the backend)');
	my ($rc, $out, $err) = psql_as($pp, 'carol', 'not carol pw', 'select 1');
	like($err, qr/password authentication failed for user "carol"/, 'a wrong clear text is refused');
	is(pid_of('carol', 'carol pw'), $p1, 'the pooled backend goes to the same clear text again');
	my ($code2) = first_request('alice');
	is($code2, 5, 'a user with an md5 entry still gets md5');
}

done_testing();
