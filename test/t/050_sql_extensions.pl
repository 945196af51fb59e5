# The PostgreSQL extensions in sql/ (installed by "make -C sql install"):
# pgpool_recovery's functions run scripts from the data directory with the
# documented arguments and turn failures into ERRORs with the script's
# stderr; pgpool_switch_xlog waits for the archived segment; insert_lock.sql
# is idempotent; pgpool_adm's functions talk PCP to a running pgpool.
use strict;
use warnings;
use Cwd qw(abs_path);
use Test::More;
use Time::HiRes qw(time);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_extension_installed pg_bin test_dir slurp spew chown_test run_cmd);

my ($src) = ($ENV{PGPOOL_SRCDIR} // '.');
plan skip_all => "pgpool_recovery is not installed (run make -C sql install)"
  unless pg_extension_installed('pgpool_recovery');

my $dir = test_dir();
my $arch = "$dir/archive";
mkdir $arch;
chown_test($arch);
my $node = PgpoolTest::Node->new('node0')
  ->init(conf => "archive_mode = on\narchive_command = 'cp %p $arch/%f'\n")->start;
my $data = $node->datadir;
my ($rc, $out, $err);

# A script in the data directory; returns its path.
sub put_script
{
	my ($name, $body) = @_;
	my $path = "$data/$name";
	spew($path, "#!/bin/sh\n$body");
	chmod 0755, $path;
	chown_test($path);
	return $path;
}

$node->query('CREATE EXTENSION pgpool_recovery', db => 'template1');
pass('CREATE EXTENSION pgpool_recovery');

# --- pgpool_recovery: the arguments of each form -------------------------------------
put_script('stage1', "for a in \"\$@\"; do printf '%s\\n' \"\$a\"; done > $dir/args.out\n"
	. "pwd > $dir/cwd.out\n");
my @given = ("'desthost'", "'/dest/data'", "'5432'", '1', "'5433'", "'primary host'");
my @want = ('desthost', '/dest/data', '5432', '1', '5433', 'primary host');
for my $n (2 .. 6)
{
	unlink "$dir/args.out";
	my $sql = "SELECT pgpool_recovery('stage1', " . join(', ', @given[0 .. $n - 1]) . ')';
	($rc, $out, $err) = $node->psql($sql, db => 'template1');
	is($out, 't', ($n + 1) . '-argument pgpool_recovery returns true') or diag $err;
	is(slurp("$dir/args.out"), join("\n", $data, @want[0 .. $n - 1]) . "\n",
		'the script got the data directory and ' . $n . ' more arguments');
}
my $cwd = slurp("$dir/cwd.out");
chomp $cwd;
is(abs_path($cwd), abs_path($data),
	'the script runs in the data directory');

# --- failures ---------------------------------------------------------------------------
($rc, $out, $err) = $node->psql("SELECT pgpool_recovery('nosuch', 'h', '/d')", db => 'template1');
like($err, qr/ERROR:  recovery script "nosuch" failed with exit code 127/, 'a missing script is an ERROR');
like($err, qr/could not execute .*nosuch.*No such file/, 'naming the missing file');
like($err, qr/HINT:  .*executable file in the data directory/, 'with a hint');

put_script('noexec', "exit 0\n");
chmod 0644, "$data/noexec";
($rc, $out, $err) = $node->psql("SELECT pgpool_recovery('noexec', 'h', '/d')", db => 'template1');
like($err, qr/recovery script "noexec" failed with exit code 126/, 'a script that is not executable');

for my $bad ('../stage1', 'sub/stage1', '')
{
	($rc, $out, $err) = $node->psql("SELECT pgpool_recovery('$bad', 'h', '/d')", db => 'template1');
	like($err, qr/invalid recovery script name/, "script name '$bad' is refused");
}

put_script('fails', "i=1; while [ \$i -le 30 ]; do echo \"line\$i\" >&2; i=\$((i+1)); done\nexit 3\n");
($rc, $out, $err) = $node->psql("SELECT pgpool_recovery('fails', 'h', '/d')", db => 'template1');
like($err, qr/recovery script "fails" failed with exit code 3/, 'exit 3 is an ERROR with the exit code');
like($err, qr/DETAIL:  .*\nline11\n(line\d+\n)*line30\b/s, 'DETAIL has the tail of its stderr');
unlike($err, qr/line10\n/, 'only the last 20 lines');
like($node->log_content, qr/^line1$/m, 'the whole stderr is in the server log');

# a backend ignores SIGPIPE: the script must not inherit that
put_script('pipes', "yes | head -n 1 >/dev/null\necho pipe-done >&2\nexit 4\n");
($rc, $out, $err) = $node->psql("SELECT pgpool_recovery('pipes', 'h', '/d')", db => 'template1');
like($err, qr/exit code 4.*pipe-done/s, 'a script with a pipeline fails as it says');
unlike($err, qr/Broken pipe/i, 'with default SIGPIPE (no "Broken pipe" from yes)');

# cancel: the wait is interruptible and the script is stopped
put_script('sleeper', "echo \$\$ > $dir/sleeper.pid\nexec sleep 60\n");
my $t0 = time;
($rc, $out, $err) = $node->psql("SET statement_timeout = '1s'; SELECT pgpool_recovery('sleeper', 'h', '/d')",
	db => 'template1');
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout cancels a running script');
cmp_ok(time - $t0, '<', 20, 'promptly');
my $spid = slurp("$dir/sleeper.pid");
chomp $spid;
ok($spid && !kill(0, $spid), 'and the script was killed');

# --- superuser only ---------------------------------------------------------------------------
$node->create_user('plain');
($rc, $out, $err) = $node->psql("\\set VERBOSITY verbose\nSELECT pgpool_recovery('stage1', 'h', '/d')",
	db => 'template1', user => 'plain', script => 1);
like($err, qr/ERROR:  42501: must be superuser to run recovery scripts/, 'pgpool_recovery: superuser only');
for my $sql ("SELECT pgpool_remote_start('h', '/d')", "SELECT pgpool_switch_xlog('$arch')",
	"SELECT pgpool_pgctl('reload', 'fast')")
{
	($rc, $out, $err) = $node->psql($sql, db => 'template1', user => 'plain');
	like($err, qr/must be superuser/, "$sql: superuser only");
}

# --- pgpool_remote_start ------------------------------------------------------------------------
put_script('pgpool_remote_start', "echo \"\$# \$1 \$2\" > $dir/remote_start.out\n");
($rc, $out, $err) = $node->psql("SELECT pgpool_remote_start('desthost', '/dest/data')", db => 'template1');
is($out, 't', 'pgpool_remote_start returns true') or diag $err;
is(slurp("$dir/remote_start.out"), "2 desthost /dest/data\n", 'and ran $PGDATA/pgpool_remote_start host datadir');

# --- pgpool_pgctl -----------------------------------------------------------------------------------
($rc, $out, $err) = $node->psql("SELECT pgpool_pgctl('reload', 'fast')", db => 'template1');
is($out, 't', "pgpool_pgctl('reload', 'fast') returns true") or diag $err;
($rc, $out, $err) = $node->psql("SELECT pgpool_pgctl('reload', 'slow')", db => 'template1');
like($err, qr/invalid stop mode "slow"/, 'an unknown stop mode is refused');
($rc, $out, $err) = $node->psql("SELECT pgpool_pgctl('bogus', 'fast')", db => 'template1');
like($err, qr/pg_ctl "bogus" failed with exit code 1.*DETAIL:.*unrecognized operation mode/s,
	'pg_ctl failing is an ERROR with its stderr');

# --- pgpool_switch_xlog ------------------------------------------------------------------------------
$node->query('CREATE TABLE walfill AS SELECT g FROM generate_series(1, 1000) g', db => 'template1');
($rc, $out, $err) = $node->psql("SELECT pgpool_switch_xlog('$arch')", db => 'template1', timeout => 90);
like($out, qr{^\Q$arch\E/[0-9A-F]{24}$}, 'pgpool_switch_xlog returns the archived segment path') or diag $err;
ok(-f $out, 'which exists');
my $empty = "$dir/empty_archive";
mkdir $empty;
chown_test($empty);
$t0 = time;
($rc, $out, $err) = $node->psql("SET pgpool_recovery.switch_xlog_timeout = 1; "
	. "SELECT pgpool_switch_xlog('$empty')", db => 'template1');
like($err, qr/did not appear in archive directory .* within 1 seconds/, 'a segment never archived: ERROR after the timeout');
cmp_ok(time - $t0, '<', 15, 'bounded wait');
($rc, $out, $err) = $node->psql("SELECT pgpool_switch_xlog('$dir/nonexistent')", db => 'template1');
like($err, qr/could not access archive directory/, 'a missing archive directory is an ERROR');

# --- insert_lock.sql ----------------------------------------------------------------------------------
my $lock_sql = slurp("$src/sql/insert_lock.sql");
for my $round (1, 2)
{
	($rc, $out, $err) = $node->psql($lock_sql, script => 1, db => 'testdb');
	is($rc, 0, "insert_lock.sql run $round succeeds") or diag $err;
}
($rc, $out, $err) = $node->psql("INSERT INTO pgpool_catalog.insert_lock VALUES (1234); "
	. "BEGIN; SELECT 1 FROM pgpool_catalog.insert_lock WHERE reloid = 1234 FOR UPDATE; COMMIT",
	db => 'testdb', user => 'plain');
is($rc, 0, 'any user can insert and lock rows of pgpool_catalog.insert_lock') or diag $err;

# --- pgpool_adm ---------------------------------------------------------------------------------------
SKIP: {
	skip 'pgpool_adm is not installed', 12 unless pg_extension_installed('pgpool_adm');
	my $node1 = PgpoolTest::Node->new('node1')->init->start;
	my $pp = PgpoolTest::Pgpool->new(nodes => [$node, $node1]);
	ok($pp->start, 'pgpool starts') or skip 'pgpool did not start', 11;
	my $pcp = "'127.0.0.1', " . $pp->pcp_port . ", 'pgpool', 'pgpool'";
	$node->query('CREATE EXTENSION pgpool_adm');
	is($node->query("SELECT * FROM pcp_node_count($pcp)"), '2', 'pcp_node_count');
	like($node->query("SELECT host, port, status, role FROM pcp_node_info(1, $pcp)"),
		qr/^127\.0\.0\.1\|${\ $node1->port }\|(Waiting for connection|Connection in use)\|Replica$/,
		'pcp_node_info: host, port, status, role');
	like($node->query("SELECT weight, last_status_change IS NOT NULL FROM pcp_node_info(0, $pcp)"),
		qr/^0\.5\|t$/, 'pcp_node_info: weight and last status change');
	like($node->query("SELECT value FROM pcp_pool_status($pcp) WHERE item = 'backend_port1'"),
		qr/^${\ $node1->port }$/, 'pcp_pool_status lists the parameters');

	is($node->query("SELECT * FROM pcp_detach_node(1, false, $pcp)"), 't', 'pcp_detach_node');
	is($node->query("SELECT status FROM pcp_node_info(1, $pcp)"), 'Down', 'the node is down');
	is($node->query("SELECT * FROM pcp_attach_node(1, $pcp)"), 't', 'pcp_attach_node');

	$node->query("CREATE FOREIGN DATA WRAPPER pcp_fdw; "
		. "CREATE SERVER pcp FOREIGN DATA WRAPPER pcp_fdw OPTIONS (host '127.0.0.1', port '"
		. $pp->pcp_port . "'); CREATE USER MAPPING FOR CURRENT_USER SERVER pcp "
		. "OPTIONS (user 'pgpool', password 'pgpool')");
	is($node->query("SELECT node_count FROM pcp_node_count('pcp')"), '2',
		'pcp_node_count with a foreign server');
	is($node->query("SELECT port FROM pcp_node_info(0, 'pcp')"), $node->port,
		'pcp_node_info with a foreign server');

	($rc, $out, $err) = $node->psql("SELECT * FROM pcp_node_count('127.0.0.1', "
		. $pp->pcp_port . ", 'pgpool', 'wrong')");
	like($err, qr/ERROR:  could not connect to the PCP server/, 'a wrong password is an ERROR');
	($rc, $out, $err) = $node->psql("SELECT * FROM pcp_node_count($pcp)", user => 'plain');
	like($err, qr/permission denied for function pcp_node_count/, 'not for PUBLIC');
}

done_testing();
