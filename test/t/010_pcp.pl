# PCP: every pcp_* tool against a live pgpool with two PostgreSQL nodes in
# raw mode, in the manual's positional form and with 4.x options: output
# formats and --verbose, every exit status provoked for real, detach /
# attach running failover_command / failback_command, clients that send
# garbage or stall, and pcp_stop_pgpool in smart and fast mode.
use strict;
use warnings;
use IO::Socket::INET;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(free_port wait_until test_dir slurp pg_user);
use PgpoolTest::Wire;

my $node0 = PgpoolTest::Node->new('node0')->init->start;
my $node1 = PgpoolTest::Node->new('node1')->init->start;
my $dir = test_dir();
my $escapes = '%d %h %p %D %m %H %M %P %r %R %N %S %%';
my $pp = PgpoolTest::Pgpool->new(nodes => [$node0, $node1], conf => {
		pcp_timeout => 3,
		recovery_timeout => 3,
		failover_command => "echo failover $escapes >> $dir/failover.log",
		failback_command => "echo failback $escapes >> $dir/failback.log",
	});
ok($pp->start, 'pgpool starts') or die "cannot continue";
my $pcp = PgpoolTest::Pcp->new($pp);
my ($p0, $p1) = ($node0->port, $node1->port);
my ($d0, $d1) = ($node0->datadir, $node1->datadir);
my ($rc, $out, $err);
my $stamp = qr/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

# --- node count, three ways to connect ------------------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_node_count');
is($rc, 0, 'pcp_node_count (positional) exits 0') or diag $err;
is($out, "2\n", 'pcp_node_count prints the number of nodes');
($rc, $out, $err) = $pcp->opts('pcp_node_count');
is($out, "2\n", 'pcp_node_count with -h -p -U -w and PCPPASSFILE') or diag $err;
($rc, $out, $err) = $pcp->run('pcp_node_count', '-h', $pp->dir, '-p', $pp->pcp_port, '-U', 'pgpool', '-w');
is($out, "2\n", 'pcp_node_count over the UNIX socket in pcp_socket_dir') or diag $err;
($rc, $out, $err) = $pcp->opts('pcp_node_count', { env => { PCPPASSFILE => '/nonexistent' } });
is($rc, 13, '-w and no password in any file: AUTHERR 13');
SKIP: {
	# the prompt reads /dev/tty when there is one: only test it without a terminal
	skip 'a terminal is attached', 2 if open(my $tty, '<', '/dev/tty');
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$pcp->bin('pcp_node_count'), '-h', '127.0.0.1',
		'-p', $pp->pcp_port, '-U', 'pgpool', '-W'], stdin => "pgpool\n", timeout => 30);
	is($out, "2\n", '-W reads the password from the prompt') or diag $err;
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$pcp->bin('pcp_node_count'), '-h', '127.0.0.1',
		'-p', free_port(), '-U', 'pgpool', '-W'], stdin => "pgpool\n", timeout => 30);
	unlike($err, qr/Password:/, 'nobody is prompted when nothing listens');
}

# --- node info ---------------------------------------------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_node_info', 0);
like($out, qr/^127\.0\.0\.1 $p0 [12] 0\.500000\n\z/, 'pcp_node_info (positional): host port status weight')
  or diag $err;
($rc, $out, $err) = $pcp->legacy('pcp_node_info', { flags => ['--verbose'] }, 1);
like($out, qr/^Hostname: 127\.0\.0\.1\nPort    : $p1\nStatus  : [12]\nWeight  : 0\.5\n\z/,
	'pcp_node_info --verbose (positional), as the manual shows') or diag $err;
($rc, $out, $err) = $pcp->opts('pcp_node_info', '-n', 1);
like($out, qr/^127\.0\.0\.1 $p1 [12] 0\.500000 (waiting|up) unknown replica replica 0   $stamp\n\z/,
	'pcp_node_info -n 1: the 4.3 fields') or diag $err;
($rc, $out, $err) = $pcp->opts('pcp_node_info', '-v', '-n', 0);
{
	my @want = ("Hostname : 127.0.0.1", "Port : $p0", 'Status : [12]', 'Weight : 0.500000',
		'Status Name : (waiting|up)', 'Backend Status Name : unknown', 'Role : main',
		'Backend Role : main', 'Replication Delay : 0', 'Replication State : ',
		'Replication Sync State : ', 'Last Status Change : \d{4}-\d\d-\d\d \d\d:\d\d:\d\d');
	my $re = join('', map { my ($k, $v) = split / : /, $_, 2; "\Q$k\E *: $v\n" } @want);
	like($out, qr/^$re\z/, 'pcp_node_info -v: the 4.3 verbose form') or diag $out;
}
($rc, $out, $err) = $pcp->opts('pcp_node_info', '-a');
is(scalar(() = $out =~ /^127\.0\.0\.1 /mg), 2, 'pcp_node_info -a: one line per node') or diag $out;

# --- exit statuses ---------------------------------------------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_node_info', 99);
is($rc, 12, 'unknown node id: BACKENDERR 12');
like($err, qr/BackendError/, 'and "BackendError" is displayed');
($rc, $out, $err) = $pcp->legacy('pcp_node_info', { password => 'wrong' }, 0);
is($rc, 13, 'wrong password: AUTHERR 13');
like($pp->log_content, qr/authentication failed for user "pgpool"/, 'the failure is logged');
($rc, $out, $err) = $pcp->legacy('pcp_node_info', { user => 'nobody' }, 0);
is($rc, 13, 'unknown user: AUTHERR 13');
($rc, $out, $err) = $pcp->legacy('pcp_node_count', { port => free_port() });
is($rc, 8, 'nobody listening: CONNERR 8');
($rc, $out, $err) = $pcp->legacy('pcp_node_info', { port => 'notaport' }, 0);
is($rc, 7, 'bad port argument: INVALERR 7');
($rc, $out, $err) = $pcp->run('pcp_node_info', 10, '127.0.0.1');
is($rc, 7, 'missing arguments: INVALERR 7');
($rc, $out, $err) = $pcp->opts('pcp_node_info', '-n', 'x');
is($rc, 7, 'bad node id: INVALERR 7');
($rc, $out, $err) = $pcp->run('pcp_node_count', '--bogus');
is($rc, 7, 'unknown option: INVALERR 7');
{
	my $silent_port = free_port();
	my $silent = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $silent_port,
		Proto => 'tcp', Listen => 5, ReuseAddr => 1) or die "listen: $!";
	($rc, $out, $err) = $pcp->legacy('pcp_node_count', { port => $silent_port, timeout => 1 });
	is($rc, 6, 'a port that accepts but never answers: TIMEOUTERR 6') or diag $err;
	close $silent;
}
($rc, $out, $err) = $pcp->legacy('pcp_node_count', { host => 'no-such-host.invalid' });
is($rc, 11, 'unresolvable host: HOSTERR 11');

# --- processes -------------------------------------------------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_proc_count');
like($out, qr/^\d+ \d+ \d+ \d+\n\z/, 'pcp_proc_count lists num_init_children pids') or diag $err;
my @pids = $out =~ /(\d+)/g;
my %kids = map { $_ => 1 } $pp->child_pids;
is(scalar(grep { $kids{$_} } @pids), 4, 'each one is a child of pgpool');
($rc) = $pp->psql('select 1', db => 'testdb');	# "postgres" is never pooled
($rc, $out, $err) = $pcp->opts('pcp_proc_info');
my ($line) = grep { /^testdb / } split /\n/, $out;
ok($line, 'pcp_proc_info lists the pooled connection') or diag "$out$err";
my @f = split / /, ($line // '');
my $user = pg_user();
like($line // '', qr/^testdb $user $stamp \d+ 3 0 $stamp  0  \d+ \d+ 0 \d+ [01] \S/,
	'4.3 fields: database user start count major minor times counter pid connected pid id status');
my ($child) = ($line // '') =~ /^testdb $user .* (\d+) [01] Wait for connection$/;
SKIP: {
	skip 'no child found', 4 unless $child;
	($rc, $out, $err) = $pcp->legacy('pcp_proc_info', $child);
	like($out, qr/^testdb $user \d{9,} \d{9,} 3 0 \d+ \d+ 0\n/m, 'pcp_proc_info (positional): nine fields, epoch times')
	  or diag "$out$err";
	($rc, $out, $err) = $pcp->legacy('pcp_proc_info', { flags => ['--verbose'] }, $child);
	like($out, qr/^Database     : testdb\nUsername     : $user\nStart time   : \d+\nCreation time: \d+\nMajor        : 3\nMinor        : 0\nCounter      : \d+\nPID          : \d+\nConnected    : 0\n/m,
		'pcp_proc_info --verbose (positional)') or diag $out;
	($rc, $out, $err) = $pcp->opts('pcp_proc_info', '-v', '-P', $child);
	like($out, qr/^Database\s+: testdb\nUsername\s+: $user\nStart time\s+: $stamp\n.*^Pool Counter\s+: \d+\n.*^Backend ID\s+: [01]\nStatus\s+: /ms,
		'pcp_proc_info -v -P (4.3 verbose)') or diag $out;
	($rc, $out, $err) = $pcp->opts('pcp_proc_info', '-a');
	is(scalar(split /\n/, $out), 4 * 2 * 2, 'pcp_proc_info -a: every child x max_pool x node');
}
($rc, $out, $err) = $pcp->legacy('pcp_proc_info', 1);
is($rc, 12, 'pcp_proc_info of a pid that is no child: BACKENDERR 12');

# --- pool status, system db, recovery, health check stats --------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_pool_status');
like($out, qr/^name : port\nvalue: ${\ $pp->port}\ndesc : .+\n\n/m, 'pcp_pool_status: name/value/desc blocks')
  or diag $err;
like($out, qr/^name : backend_port1\nvalue: $p1\n/m, 'numbered parameters per node');
like($out, qr/^name : health_check_password\nvalue: (\*+)?\n/m, 'passwords are masked');
($rc, $out, $err) = $pcp->legacy('pcp_systemdb_info');
is($rc, 12, 'pcp_systemdb_info: no System DB, BACKENDERR 12');
like($err, qr/System DB is not defined.*BackendError/s, 'and says so');
($rc, $out, $err) = $pcp->opts('pcp_recovery_node', '-n', 1);
is($rc, 12, 'pcp_recovery_node in raw mode: BACKENDERR 12');
like($err, qr/online recovery is not available in raw mode/, 'with a clear message');
($rc, $out, $err) = $pcp->opts('pcp_health_check_stats', '-n', 0);
like($out, qr/^0 127\.0\.0\.1 $p0 \w+ main $stamp 0 0 0 0 0 0\.000000 0 0 0 0\.000000\s*\n\z/,
	'pcp_health_check_stats -n 0') or diag "$out$err";
($rc, $out, $err) = $pcp->opts('pcp_health_check_stats', '-v', '-n', 1);
like($out, qr/^Node Id\s+: 1\nHost Name\s+: 127\.0\.0\.1\nPort\s+: $p1\n.*^Last Failed Health Check\s+: \n\z/ms,
	'pcp_health_check_stats -v') or diag "$out$err";

# --- detach and attach ------------------------------------------------------------------------
my $logpos = $pp->log_position;
($rc, $out, $err) = $pcp->legacy('pcp_detach_node', 1);
is($rc, 0, 'pcp_detach_node 1 (positional) exits 0') or diag $err;
is($out, '', 'and prints nothing');
($rc, $out) = $pcp->legacy('pcp_node_info', 1);
like($out, qr/^127\.0\.0\.1 $p1 3 /, 'node 1 now has status 3 (down)');
ok(wait_until(sub { -s "$dir/failover.log" }, 10), 'failover_command ran');
like(slurp("$dir/failover.log"), qr/^failover 1 127\.0\.0\.1 $p1 \Q$d1\E 0 127\.0\.0\.1 0 0 $p0 \Q$d0\E 127\.0\.0\.1 $p0 %$/m,
	'with %d %h %p %D %m %H %M %P %r %R %N %S %% substituted');
ok($pp->wait_for_log(qr/failover done\. shutdown host 127\.0\.0\.1\($p1\)/, 10, $logpos),
	'"failover done. shutdown host" logged');
($rc, $out) = $pp->psql('select 1');
is($out, '1', 'sessions still work with node 1 detached');
($rc, $out, $err) = $pcp->legacy('pcp_detach_node', 1);
is($rc, 0, 'detaching a node that is down again is harmless');

$logpos = $pp->log_position;
($rc, $out, $err) = $pcp->opts('pcp_attach_node', '-n', 1);
is($rc, 0, 'pcp_attach_node -n 1 exits 0') or diag $err;
is($out, "pcp_attach_node -- Command Successful\n", 'and says so (4.x form)');
($rc, $out) = $pcp->legacy('pcp_node_info', 1);
like($out, qr/^127\.0\.0\.1 $p1 [12] /, 'node 1 is up again');
ok(wait_until(sub { -s "$dir/failback.log" }, 10), 'failback_command ran');
like(slurp("$dir/failback.log"), qr/^failback 1 127\.0\.0\.1 $p1 \Q$d1\E 0 127\.0\.0\.1 0 0 $p0 \Q$d0\E 127\.0\.0\.1 $p0 %$/m,
	'with its escapes substituted');
ok($pp->wait_for_log(qr/failback done\. reconnect host 127\.0\.0\.1\($p1\)/, 10, $logpos),
	'"failback done" logged');

($rc, $out) = $pp->psql('select inet_server_port()');
is($out, $p0, 'raw mode: sessions go to node 0');
($rc, $out, $err) = $pcp->opts('pcp_detach_node', '-n', 0);
is($rc, 0, 'pcp_detach_node -n 0 (the main node)') or diag $err;
($rc, $out) = $pp->psql('select inet_server_port()');
is($out, $p1, 'new sessions go to node 1');
($rc, $out, $err) = $pcp->opts('pcp_attach_node', '-n', 0);
($rc, $out) = $pp->psql('select inet_server_port()');
is($out, $p0, 'after attach, sessions go to node 0 again');

($rc, $out, $err) = $pcp->legacy('pcp_detach_node', { flags => ['-g'] }, 1);
is($rc, 0, 'pcp_detach_node -g with no client connected') or diag $err;
($rc, $out, $err) = $pcp->opts('pcp_attach_node', '-n', 1);
is($rc, 0, 'and attach again');
{
	use Time::HiRes qw(time);
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(2), 'graceful done'");
	ok($node0->wait_active('pg_sleep(2)', 20), 'a client is running a query');
	my $t0 = time();
	($rc, $out, $err) = $pcp->legacy('pcp_detach_node', { flags => ['-g'] }, 1);
	my $waited = time() - $t0;
	is($rc, 0, 'pcp_detach_node -g with a client connected') or diag $err;
	my ($brc, $bout) = $bg->finish(0);
	like($bout // '', qr/graceful done/, '-g waited for the client to leave');
	ok($waited >= 1, "it waited (${\ sprintf('%.1f', $waited)} s)");
	$pcp->opts('pcp_attach_node', '-n', 1);

	$bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(15), 'late'");
	ok($node0->wait_active('pg_sleep(15)', 20), 'a client is running a long query');
	$t0 = time();
	($rc, $out, $err) = $pcp->legacy('pcp_detach_node', { flags => ['-g'] }, 1);
	$waited = time() - $t0;
	is($rc, 0, 'pcp_detach_node -g goes on when recovery_timeout expires') or diag $err;
	ok($waited >= 2.5 && $waited < 10, "after recovery_timeout (${\ sprintf('%.1f', $waited)} s)");
	($rc, $out) = $pcp->legacy('pcp_node_info', 1);
	like($out, qr/^127\.0\.0\.1 $p1 3 /, 'node 1 is detached');
	$bg->signal('KILL');
	$pcp->opts('pcp_attach_node', '-n', 1);
}
($rc, $out, $err) = $pcp->legacy('pcp_detach_node', 7);
is($rc, 12, 'pcp_detach_node of an unknown node: BACKENDERR 12');

$pp->set_conf(backend_flag1 => 'DISALLOW_TO_FAILOVER');
$pp->reload;
ok(wait_until(sub { my ($r) = $pcp->legacy('pcp_detach_node', 1); $r == 12 }, 10),
	'DISALLOW_TO_FAILOVER refuses detach: BACKENDERR 12');
($rc, $out) = $pcp->legacy('pcp_node_info', 1);
like($out, qr/^127\.0\.0\.1 $p1 [12] /, 'node 1 stays up');
$pp->set_conf(backend_flag1 => 'ALLOW_TO_FAILOVER');
$pp->reload;

($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-n', 7);
is($rc, 12, 'pcp_promote_node of an unknown node: BACKENDERR 12');
$pcp->legacy('pcp_detach_node', 1);
($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-n', 1);
is($rc, 12, 'pcp_promote_node of a detached node: BACKENDERR 12');
$pcp->legacy('pcp_attach_node', 1);
($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-n', 1);
is($out, "pcp_promote_node -- Command Successful\n", 'pcp_promote_node -n 1') or diag $err;
ok($pp->wait_for_log(qr/promote node 1 /, 10), 'the promotion is logged');
($rc, $out, $err) = $pcp->opts('pcp_reload_config');
is($out, "pcp_reload_config -- Command Successful\n", 'pcp_reload_config') or diag $err;
ok($pp->wait_for_log(qr/reloading configuration/, 10), 'pgpool reloaded');

# --- a failover_command that itself calls PCP ---------------------------------------------
{
	my $attach = $pcp->bin('pcp_attach_node');
	my $port = $pp->pcp_port;
	$pp->set_conf(failover_command =>
		"$attach 10 127.0.0.1 $port pgpool pgpool %d; echo nested rc=\$? >> $dir/nested.log");
	$pp->reload;
	ok($pp->wait_for_log(qr/reloading configuration/, 10), 'failover_command now runs pcp_attach_node');
	sleep 1;
	($rc, $out, $err) = $pcp->legacy('pcp_detach_node', { timeout => 30 }, 1);
	is($rc, 0, 'pcp_detach_node returns although its failover_command waits on PCP') or diag $err;
	ok(wait_until(sub { slurp("$dir/nested.log") =~ /nested rc=0/ }, 20),
		'the nested pcp_attach_node succeeded (queued behind the detach)') or diag slurp("$dir/nested.log");
	ok(wait_until(sub { my (undef, $o) = $pcp->legacy('pcp_node_info', 1); $o =~ /^\S+ $p1 [12] / }, 20),
		'and node 1 ends up attached');
	$pp->set_conf(failover_command => "echo failover $escapes >> $dir/failover.log");
	$pp->reload;
}

# --- clients that misbehave ----------------------------------------------------------------
{
	my $stall = PgpoolTest::Wire->connect($pp->pcp_port);
	my $garbage = PgpoolTest::Wire->connect($pp->pcp_port);
	my $early = PgpoolTest::Wire->connect($pp->pcp_port);
	ok($stall && $garbage && $early, 'three raw connections to the PCP port');
	$garbage->send_raw("GET / HTTP/1.0\r\n\r\n" . ("x" x 1000));
	$early->read_msg(5);    # the salt
	$early->send_msg('Q', "node_count\0");
	($rc, $out, $err) = $pcp->legacy('pcp_node_count', { timeout => 5 });
	is($out, "2\n", 'a stalled client and a garbage sender do not block the next one') or diag $err;
	my (undef, $how) = $garbage->read_all(5);
	is($how, 'eof', 'the garbage sender is disconnected');
	(undef, $how) = $early->read_all(5);
	is($how, 'eof', 'a request before authentication closes the connection');
	(undef, $how) = $stall->read_all(10);
	is($how, 'eof', 'the stalled client is disconnected after pcp_timeout');
	ok(kill(0, $pp->pid), 'pgpool is still running');
}
{
	my $title = qr/pgpool: PCP: wait for connection request/;
	my ($pcp_main) = $pp->child_pids($title);
	ok($pcp_main, 'the pcp_main process is titled "PCP: wait for connection request"');
	kill 'KILL', $pcp_main if $pcp_main;
	ok(wait_until(sub { my ($p) = $pp->child_pids($title); $p && $p != $pcp_main }, 20),
		'pcp_main is restarted after kill -9');
	($rc, $out, $err) = $pcp->legacy('pcp_node_count');
	is($out, "2\n", 'and serves again') or diag $err;
}

# --- stop -----------------------------------------------------------------------------------
($rc, $out, $err) = $pcp->legacy('pcp_stop_pgpool', 'x');
is($rc, 7, 'pcp_stop_pgpool with a bad mode: INVALERR 7');
{
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(2), 'smart done'");
	ok($node0->wait_active('pg_sleep(2)', 20), 'a session is running a query');
	($rc, $out, $err) = $pcp->legacy('pcp_stop_pgpool', 's');
	is($rc, 0, 'pcp_stop_pgpool s (positional) exits 0') or diag $err;
	my ($brc, $bout) = $bg->finish(30);
	like($bout, qr/smart done/, 'smart mode lets the running query finish');
	ok(defined $pp->wait_exit(60), 'pgpool stopped');
}
($rc, $out, $err) = $pcp->legacy('pcp_stop_pgpool', 's');
is($rc, 8, 'pcp_stop_pgpool with no pgpool running: CONNERR 8');
ok(!-e $pp->dir . "/.s.PGSQL." . $pp->pcp_port, 'the PCP socket file is gone');

ok($pp->start, 'pgpool starts again') or die "cannot continue";
{
	my $bg = PgpoolTest::Background->psql('127.0.0.1', $pp->port, "select pg_sleep(30), 'fast done'");
	ok($node0->wait_active('pg_sleep(30)', 20), 'a session is running a long query');
	($rc, $out, $err) = $pcp->opts('pcp_stop_pgpool', '-m', 'fast');
	is($out, "pcp_stop_pgpool -- Command Successful\n", 'pcp_stop_pgpool -m fast') or diag $err;
	ok(defined $pp->wait_exit(30), 'pgpool stopped at once');
	my ($brc, $bout) = $bg->finish(20);
	unlike($bout // '', qr/fast done/, 'the long query was cut off');
}

# --- bind failure stops pgpool at start -------------------------------------------------------
{
	my $busy = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $pp->pcp_port,
		Proto => 'tcp', Listen => 5, ReuseAddr => 1) or die "listen: $!";
	my $code = $pp->start_expect_exit(20);
	ok(defined $code && $code != 0, 'pgpool refuses to start when pcp_port is taken');
	like($pp->log_content, qr/FATAL:.*could not bind PCP socket.*\n.*DETAIL:.*port ${\ $pp->pcp_port}/,
		'with a FATAL naming the address and port');
	close $busy;
}

done_testing();
