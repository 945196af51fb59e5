# SCRAM end to end in streaming replication mode: client -> pgpool with
# scram-sha-256, pgpool -> primary and standby with scram-sha-256, from an
# AES entry (key file), a SCRAM secret copied from pg_authid, or the
# client's clear-text password; md5 to both backends from an md5 hash
# alone.  Reads are balanced to the standby (weight 0 on the primary), so a
# read answered by the standby proves pgpool logged in there; each node's
# log shows the method it used.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use PgpoolTest::Auth qw(psql_as write_pool_passwd);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool);
use PgpoolTest::Util qw(pg_user spew chown_test test_dir run_cmd wait_until);

my $su = pg_user();
my ($primary, $standby) = make_cluster(standbys => 1, conf => "log_connections = on\n");
my %users = (bob => 'scram-sha-256', carl => 'scram-sha-256', dora => 'scram-sha-256', alice => 'md5');
for my $u (sort keys %users)
{
	$primary->create_user($u, encryption => $users{$u}, password => "$u pw");
}
$primary->query('grant all on database testdb to ' . join(', ', sort keys %users));
my @hba = ('local all all trust', "host all $su 127.0.0.1/32 trust",
	'local replication all trust', 'host replication all 127.0.0.1/32 trust',
	map { "host all $_ 127.0.0.1/32 $users{$_}" } sort keys %users);
for my $n ($primary, $standby)
{
	$n->set_hba(\@hba);
	$n->reload;
}
ok($primary->wait_replay($standby), 'the standby has the users');
my $dora_secret = $primary->query("select rolpassword from pg_authid where rolname = 'dora'");

my $key = 'scram test key';
my ($rc, $aes) = run_cmd(['openssl', 'enc', '-aes-256-cbc', '-md', 'sha256', '-nosalt', '-a', '-A',
	'-pass', "pass:$key"], stdin => 'bob pw');
my $keyfile = test_dir() . '/keyfile';
spew($keyfile, "$key\n");
chmod 0600, $keyfile;
chown_test($keyfile);

my $pp = stream_pgpool([$primary, $standby],
	pool_hba => ['local all all trust', "host all $su 127.0.0.1/32 trust",
		'host all bob 127.0.0.1/32 scram-sha-256', 'host all dora 127.0.0.1/32 scram-sha-256',
		'host all carl 127.0.0.1/32 password', 'host all alice 127.0.0.1/32 md5'],
	conf => { enable_pool_hba => 'on', backend_weight0 => 0, backend_weight1 => 1,
		num_init_children => 2, max_pool => 2 });
$pp->write_files;
write_pool_passwd($pp, "bob:AES$aes", "dora:$dora_secret", 'alice:md5' . md5_hex('alice pw' . 'alice'));
ok($pp->start(args => ['-k', $keyfile]), 'pgpool starts in streaming replication mode') or die "cannot continue";

# Log in, run a read (balanced to the standby) and a write (primary).
sub both_nodes
{
	my ($user, $pw, $what) = @_;
	my $sql = "select inet_server_port();\ncreate temp table t_$user (a int);\nselect 1;\n";
	my ($rc, $out, $err) = psql_as($pp, $user, $pw, $sql, script => 1);
	is($rc, 0, "$what: logs in") or diag $err;
	my ($port) = $out =~ /^(\d+)$/m;
	is($port, $standby->port, "$what: the read ran on the standby (pgpool logged in there)");
}

sub node_log_has
{
	my ($node, $re) = @_;
	return wait_until(sub { $node->log_content =~ $re }, 10);
}

both_nodes('bob', 'bob pw', 'bob: scram to pgpool, AES entry, scram to both backends');
for my $n ($primary, $standby)
{
	ok(node_log_has($n, qr/connection authenticated: identity="bob" method=scram-sha-256/),
		$n->name . ' authenticated bob with scram-sha-256');
}
{
	my ($rc, $out, $err) = psql_as($pp, 'bob', 'bob is wrong', 'select 1');
	like($err, qr/password authentication failed for user "bob"/, 'bob: wrong password refused by pgpool');
}

both_nodes('dora', 'dora pw', 'dora: scram to pgpool with the pg_authid secret, its ClientKey to both backends');
for my $n ($primary, $standby)
{
	ok(node_log_has($n, qr/connection authenticated: identity="dora" method=scram-sha-256/),
		$n->name . ' authenticated dora with scram-sha-256');
}

both_nodes('carl', 'carl pw', 'carl: clear text to pgpool (no entry), scram to both backends with it');
{
	my ($rc, $out, $err) = psql_as($pp, 'carl', 'not carl', 'select 1');
	like($err, qr/password authentication failed for user "carl"/, 'carl: the backend refuses a wrong password');
}

both_nodes('alice', 'alice pw', 'alice: md5 to pgpool, md5 to both backends from the hash alone');
for my $n ($primary, $standby)
{
	ok(node_log_has($n, qr/connection authenticated: identity="alice" method=md5/),
		$n->name . ' authenticated alice with md5');
}

# a pooled connection: the second session of each user still reaches both nodes
both_nodes('bob', 'bob pw', 'bob again (pooled)');
both_nodes('carl', 'carl pw', 'carl again (pooled, same clear text)');
{
	my ($rc, $out, $err) = psql_as($pp, 'carl', 'carl pw!', 'select 1');
	isnt($rc, 0, 'carl\'s pooled connection is not handed to another password');
}
unlike($pp->log_content, qr/continues without backend node/, 'no session went on without a node');

done_testing();
