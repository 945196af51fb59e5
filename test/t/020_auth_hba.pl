# Client authentication by pool_hba.conf (enable_pool_hba = on): every
# method with pool_passwd entries of every kind, reject and no-match lines,
# @file lists, host names, frontend and backend methods that differ, missing
# pool_passwd entries, syntax errors at start and on reload, pool_passwd
# re-read on reload, authentication_timeout, and no password in the log.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use PgpoolTest::Auth qw(psql_as write_pool_passwd);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user spew chown_test test_dir wait_until);
use PgpoolTest::Wire;

my $su = pg_user();
my $node = PgpoolTest::Node->new('node0')->init->start;
my %users = (
	alice => ['md5', 'alice pw'], bob => ['scram-sha-256', 'bob pw'],
	carol => ['scram-sha-256', 'carol pw'], dave => ['scram-sha-256', 'dave pw'],
	erin => ['md5', 'erin pw'], gina => ['scram-sha-256', 'gina pw'],
	ivan => ['scram-sha-256', 'ivan pw'], kate => ['md5', 'kate pw'],
	mike => ['md5', 'mike pw'], harry => ['md5', 'harry pw'],
);
for my $u (sort keys %users)
{
	$node->create_user($u, encryption => $users{$u}[0], password => $users{$u}[1]);
}
$node->query('grant all on database testdb to ' . join(', ', sort keys %users));
$node->set_hba([
	'local all all trust',
	"host all $su 127.0.0.1/32 trust",
	(map { "host all $_ 127.0.0.1/32 $users{$_}[0]" } sort keys %users),
]);
$node->reload;
my $dave_secret = $node->query("select rolpassword from pg_authid where rolname = 'dave'");
like($dave_secret, qr/^SCRAM-SHA-256\$/, 'dave has a SCRAM secret on the backend');

my $key = 'pgpool test key';
my $aes = `printf %s 'carol pw' | openssl enc -aes-256-cbc -md sha256 -nosalt -a -A -pass pass:'$key' 2>/dev/null`;
like($aes, qr/^[A-Za-z0-9+\/=]+$/, 'AES entry made with the openssl command');

my @hba = (
	'local all alice md5',
	'local all frank reject',
	'local all all trust',
	"host all $su 127.0.0.1/32 trust",
	'host all alice 127.0.0.1/32 md5',
	'host all bob 127.0.0.1/32 scram-sha-256',
	'host all carol 127.0.0.1/32 password',
	'host all dave 127.0.0.1/32 md5',
	'host all erin 127.0.0.1/32 password',
	'host all frank 127.0.0.1/32 reject',
	'host @dbs.txt @users.txt 127.0.0.1/32 md5',
	'host all ivan 127.0.0.1/32 trust',
	'host all kate 127.0.0.1/32 scram-sha-256',
	'host all harry localhost md5',
);
my $pp = PgpoolTest::Pgpool->new(nodes => [$node], pool_hba => \@hba,
	conf => { enable_pool_hba => 'on', num_init_children => 2, max_pool => 4, authentication_timeout => 5,
		health_check_password => 'hc secret pw', sr_check_password => 'sr secret pw' });
$pp->write_files;
spew($pp->dir . '/users.txt', "# users of the md5 line\ngina, mike\n");
spew($pp->dir . '/dbs.txt', "testdb\n");
my $keyfile = test_dir() . '/pgpoolkey';
spew($keyfile, "$key\n");
chmod 0600, $keyfile;
chown_test($keyfile, $pp->dir . '/users.txt', $pp->dir . '/dbs.txt');
write_pool_passwd($pp,
	'alice:md5' . md5_hex('alice pw' . 'alice'),
	'bob:TEXTbob pw',
	"carol:AES$aes",
	"dave:$dave_secret",
	'gina:gina pw',
	'mike:md5' . md5_hex('mike pw' . 'mike'),
	'harry:harry pw');
ok($pp->start(args => ['-k', $keyfile]), 'pgpool starts with pool_hba and pool_passwd') or die "cannot continue";

sub login_ok
{
	my ($user, $pw, $name, %o) = @_;
	my ($rc, $out, $err) = psql_as($pp, $user, $pw, 'select current_user', %o);
	is($out, $user, $name) or diag "rc=$rc $err";
}

sub login_fails
{
	my ($user, $pw, $re, $name, %o) = @_;
	my ($rc, $out, $err) = psql_as($pp, $user, $pw, 'select current_user', %o);
	isnt($rc, 0, "$name: refused");
	like($err, $re, "$name: message") or diag $err;
}

# --- every method, right and wrong password --------------------------------
login_ok('alice', 'alice pw', 'md5 rule, md5 entry, md5 backend');
login_fails('alice', 'bad', qr/FATAL:  password authentication failed for user "alice"/, 'md5 wrong password');
login_fails('alice', undef, qr/password/, 'md5 without password');
login_ok('bob', 'bob pw', 'scram rule, TEXT entry, scram backend');
login_fails('bob', 'bob pw!', qr/FATAL:  password authentication failed for user "bob"/, 'scram wrong password');
login_ok('carol', 'carol pw', 'password rule, AES entry (key from -k), scram backend');
login_fails('carol', 'carol', qr/FATAL:  password authentication failed for user "carol"/, 'password wrong password');
login_ok('dave', 'dave pw', 'md5 rule with a SCRAM entry: upgraded to scram, scram backend');
login_fails('dave', 'dave', qr/password authentication failed for user "dave"/, 'upgraded scram wrong password');
login_ok('erin', 'erin pw', 'password rule without entry: the backend checks the clear text');
login_fails('erin', 'nope', qr/password authentication failed for user "erin"/, 'password rule without entry, wrong');
login_fails('frank', 'x', qr/FATAL:  pool_hba.conf rejects connection for host "127.0.0.1", user "frank", database "testdb", SSL off/,
	'reject line');
login_fails('zed', 'x', qr/FATAL:  no pool_hba.conf entry for host "127.0.0.1", user "zed", database "testdb", SSL off/,
	'no matching line');

# --- local (UNIX-domain socket) lines ------------------------------------------
login_ok('alice', 'alice pw', 'local md5 line', host => $pp->dir);
login_fails('alice', 'bad', qr/password authentication failed for user "alice"/, 'local md5 line, wrong password',
	host => $pp->dir);
login_fails('frank', 'x', qr/pool_hba.conf rejects connection for host "\[local\]", user "frank", database "testdb", SSL off/,
	'local reject line', host => $pp->dir);
login_ok('bob', undef, 'local trust line', host => $pp->dir);

# --- @file lists -------------------------------------------------------------
login_ok('gina', 'gina pw', '@users.txt / @dbs.txt: plain entry answers the scram backend');
login_ok('mike', 'mike pw', '@users.txt second name');
login_fails('mike', 'mike pw', qr/no pool_hba.conf entry for host "127.0.0.1", user "mike", database "postgres", SSL off/,
	'@dbs.txt does not list postgres', db => 'postgres');

# --- host names ---------------------------------------------------------------
login_ok('harry', 'harry pw', 'host-name rule "localhost" matches 127.0.0.1');

# --- backend credentials that are missing ------------------------------------
{
	my ($rc, $out, $err) = psql_as($pp, 'ivan', undef, 'select 1');
	isnt($rc, 0, 'trust rule, scram backend, no pool_passwd entry: refused');
	like($err, qr/could not log in to backend node 0 as user "ivan": no password to answer its scram-sha-256 authentication request/,
		'the error says what is missing');
	like($err, qr/pool_passwd/, 'and names pool_passwd');
}
login_fails('kate', 'kate pw', qr/password authentication failed for user "kate"/, 'scram rule, no entry, md5 backend');

# --- pool_passwd is re-read on reload ------------------------------------------
{
	write_pool_passwd($pp, 'alice:md5' . md5_hex('alice pw' . 'alice'), 'bob:TEXTbob pw',
		"carol:AES$aes", "dave:$dave_secret", 'gina:gina pw', 'mike:md5' . md5_hex('mike pw' . 'mike'),
		'harry:harry pw', 'ivan:TEXTivan pw', 'kate:TEXTkate pw');
	my ($rc) = $pp->reload;
	is($rc, 0, 'pgpool reload');
	ok(wait_until(sub { (psql_as($pp, 'ivan', undef, 'select 1'))[0] == 0 }, 30),
		'after reload the new pool_passwd entry answers the backend');
	login_ok('kate', 'kate pw', 'scram rule with the new TEXT entry');
}

# --- pool_hba.conf reload: new rules apply, a broken file keeps the old ------
{
	my @new = map { $_ eq 'host all alice 127.0.0.1/32 md5' ? 'host all alice 127.0.0.1/32 reject' : $_ } @hba;
	spew($pp->dir . '/pool_hba.conf', join("\n", @new) . "\n");
	$pp->reload;
	ok(wait_until(sub { (psql_as($pp, 'alice', 'alice pw', 'select 1'))[2] =~ /rejects connection/ }, 30),
		'reloaded pool_hba.conf rejects alice');
	spew($pp->dir . '/pool_hba.conf', join("\n", @hba, 'host all all 127.0.0.1/32 bogus-method') . "\n");
	my $pos = $pp->log_position;
	$pp->reload;
	ok($pp->wait_for_log(qr/invalid authentication method "bogus-method"/, 30, $pos),
		'a broken pool_hba.conf on reload is logged');
	like(substr($pp->log_content, $pos), qr/line 15 of configuration file "[^"]*pool_hba.conf"/,
		'with its file and line');
	like(substr($pp->log_content, $pos), qr/was not reloaded/, 'and not taken');
	for (1 .. 3)
	{
		my ($rc, $out, $err) = psql_as($pp, 'alice', 'alice pw', 'select 1');
		like($err, qr/rejects connection/, "old rules stay in force (try $_)");
	}
	login_ok('bob', 'bob pw', 'other users still served');
	spew($pp->dir . '/pool_hba.conf', join("\n", @hba) . "\n");
	$pp->reload;
	ok(wait_until(sub { (psql_as($pp, 'alice', 'alice pw', 'select 1'))[0] == 0 }, 30),
		'fixed file reloads');
}

# --- authentication_timeout ---------------------------------------------------
{
	my $w = PgpoolTest::Wire->connect($pp->port);
	$w->send_raw(PgpoolTest::Wire::startup_packet('alice', 'testdb'));
	my ($t, $p) = $w->read_msg(10);
	is($t, 'R', 'a client that is asked for its password');
	my (undef, $how) = $w->read_all(90);
	is($how, 'eof', '... and never answers is disconnected (authentication_timeout)');
	ok($pp->wait_for_log(qr/authentication timeout/, 10), 'and the timeout is logged');
}

# --- no password in the log or in SHOW -----------------------------------------
{
	my ($rc, $out, $err) = psql_as($pp, $su, undef, 'show pool_status', db => 'postgres');
	like($out, qr/health_check_password\|\*+\|/, 'SHOW pool_status masks health_check_password') or diag $err;
	unlike($out, qr/hc secret pw|sr secret pw/, 'SHOW pool_status shows no password');
	my $log = $pp->log_content;
	for my $pw ((map { $users{$_}[1] } keys %users), 'hc secret pw', 'sr secret pw', $key, $aes)
	{
		unlike($log, qr/\Q$pw\E/, "the log does not contain \"$pw\"");
	}
}

# --- a broken pool_hba.conf at start: pgpool refuses to run --------------------
{
	$pp->stop('fast');
	spew($pp->dir . '/pool_hba.conf', "local all all trust\nhost all all 127.0.0.1/33 md5\n");
	my $pos = $pp->log_position;
	my $code = $pp->start_expect_exit(30, args => ['-k', $keyfile]);
	ok(defined $code && $code != 0, 'pgpool refuses to start with a broken pool_hba.conf');
	my $log = substr($pp->log_content, $pos);
	like($log, qr/invalid CIDR mask in address "127.0.0.1\/33"/, 'the error is logged');
	like($log, qr/line 2 of configuration file "[^"]*pool_hba.conf"/, 'with file and line');
}

done_testing();
