# Online recovery in streaming replication mode (pcp_recovery_node), with
# the sample scripts (sample/recovery_1st_stage, sample/pgpool_remote_start)
# copied into the primary's data directory:
#
#   1. refusals: a node that is up (both syntaxes), a node id out of range,
#      raw mode, recovery_1st_stage_command unset, the extension missing in
#      recovery_database, a recovery already running; a failing 1st stage.
#      Each: exit code 12 (BACKENDERR), the message, the node still down,
#      the other nodes still serving;
#   2. a standby detached, stopped and its data directory deleted is rebuilt
#      while pgbench writes through pgpool: afterwards it is up, streams
#      from the primary, holds every row and serves reads; every stage was
#      logged with its duration.
use strict;
use warnings;
use Test::More;
use File::Path qw(remove_tree);
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool ports_in sample_script);
use PgpoolTest::Util qw(pg_extension_installed pg_bin pg_user run_cmd test_dir slurp spew chown_test wait_until tail_text);
use File::Copy qw(copy);
use Time::HiRes qw(time sleep);

plan skip_all => "pgpool_recovery is not installed (run make -C sql install)"
  unless pg_extension_installed('pgpool_recovery');

# The scripts run inside the primary server: its environment is theirs.
$ENV{REPL_USER} = pg_user();
$ENV{APP_NAME_PREFIX} = 'node';

my @nodes = make_cluster(standbys => 2);
my ($n0, $n1, $n2) = @nodes;
$n0->query('CREATE EXTENSION pgpool_recovery');
my ($rc, $out, $err) = run_cmd([pg_bin('pgbench'), '-i', '-s', 2, '-q', '-h', $n0->host, '-p', $n0->port,
	'-U', pg_user(), 'testdb'], timeout => 300);
is($rc, 0, 'pgbench -i on the primary') or diag $err;
$n0->wait_replay($_) for ($n1, $n2);

# The samples, where the primary runs them.
for my $s (qw(recovery_1st_stage pgpool_remote_start))
{
	my $dst = $n0->datadir . "/$s";
	copy(sample_script($s), $dst) or die "copy $s: $!";
	chmod 0755, $dst;
	chown_test($dst);
}
# A 1st stage that takes a while and then fails (for "already running").
my $slow = $n0->datadir . '/slow_stage';
spew($slow, "#!/bin/sh\nsleep 6\necho 'slow_stage gives up' >&2\nexit 3\n");
chmod 0755, $slow;
chown_test($slow);

my $pp = stream_pgpool(\@nodes, conf => {
	recovery_user => pg_user(), recovery_1st_stage_command => 'recovery_1st_stage',
	recovery_timeout => 60, sr_check_period => 1, sr_check_user => pg_user() });
ok($pp->start, 'pgpool in streaming replication mode') or die "cannot continue";
my $pcp = PgpoolTest::Pcp->new($pp, timeout => 300);

sub node_status
{
	my ($id) = @_;
	my ($r, $o) = $pcp->opts('pcp_node_info', '-n', $id);
	return $r ? "error $r" : (split / /, $o)[4] // "?";    # status name
}

sub serving
{
	my ($r, $o) = $pp->psql('SELECT count(*) FROM pgbench_branches', db => 'testdb', timeout => 30);
	return !$r && $o eq '2';
}

sub recover
{
	my (@args) = @_;
	return $pcp->opts('pcp_recovery_node', @args, { timeout => 300 });
}

# --- 1. refusals -------------------------------------------------------------------------
($rc, $out, $err) = recover('-n', 1);
is($rc, 12, 'a node that is up: BACKENDERR (12)');
like($err, qr/node 1 is up: only a node that is down can be recovered/, '... with a clear message');
($rc, $out, $err) = $pcp->legacy('pcp_recovery_node', 1);
is($rc, 12, 'the manual\'s syntax (timeout host port user password node): same refusal');
like($err, qr/node 1 is up/, '... same message');
($rc, $out, $err) = recover('-n', 7);
is($rc, 12, 'node id out of range: BACKENDERR');
like($err, qr/node id 7 does not exist/, '... says so');

# node 2 goes away: detached, stopped, its data directory deleted
($rc, $out, $err) = $pcp->opts('pcp_detach_node', '-n', 2);
is($rc, 0, 'pcp_detach_node -n 2') or diag $err;
$n2->stop('fast');
remove_tree($n2->datadir);
ok(!-e $n2->datadir, 'node 2 is stopped and its data directory deleted');
is(node_status(2), 'down', 'node 2 is down');

{
	my $from = $pp->log_position;
	$pp->set_conf(recovery_1st_stage_command => '');
	$pp->reload;
	sleep 1;
	($rc, $out, $err) = recover('-n', 2);
	is($rc, 12, 'recovery_1st_stage_command unset: BACKENDERR');
	like($err, qr/recovery_1st_stage_command is not set/, '... says so');

	$pp->set_conf(recovery_1st_stage_command => 'recovery_1st_stage', recovery_database => 'testdb');
	$pp->reload;
	sleep 1;
	($rc, $out, $err) = recover('-n', 2);
	is($rc, 12, 'no extension in recovery_database: BACKENDERR');
	like($err, qr/the pgpool_recovery extension is not installed/, '... says so');
	like($err, qr/HINT:\s+Run CREATE EXTENSION pgpool_recovery in database "testdb"/, '... with a HINT');

	$pp->set_conf(recovery_1st_stage_command => 'no_such_script', recovery_database => 'postgres');
	$pp->reload;
	sleep 1;
	($rc, $out, $err) = recover('-n', 2);
	is($rc, 12, 'a 1st stage script that does not exist: BACKENDERR');
	like($err, qr/1st stage of the recovery of node 2 failed/, '... names the stage');
	like($err, qr/exit code 127/, '... and the script\'s exit code') or diag $err;
	is(node_status(2), 'down', 'node 2 stays down');
	ok(serving(), 'the other nodes still serve');

	$pp->set_conf(recovery_1st_stage_command => 'slow_stage');
	$pp->reload;
	sleep 1;
	my $first = PgpoolTest::Background->start([ $pcp->bin('pcp_recovery_node'), '-h', '127.0.0.1',
		'-p', $pp->pcp_port, '-U', 'pgpool', '-w', '-n', 2 ], env => { PCPPASSFILE => $pcp->passfile });
	ok($pp->wait_for_log(qr/starting recovery command: "SELECT pgpool_recovery\('slow_stage'/, 20, $from),
		'a slow recovery is running');
	($rc, $out, $err) = recover('-n', 2);
	is($rc, 12, 'a second recovery meanwhile: BACKENDERR');
	like($err, qr/another online recovery is running/, '... says so');
	ok(serving(), 'the other nodes serve during the 1st stage');
	my ($frc, undef, $ferr) = $first->finish(60);
	is($frc, 12, 'the slow recovery fails when its script does (exit status 3)');
	like($ferr, qr/exit code 3/, '... with the script\'s exit code') or diag $ferr;
	like($ferr, qr/slow_stage gives up/, '... and the tail of its stderr');
	is(node_status(2), 'down', 'node 2 is still down');
	$pp->set_conf(recovery_1st_stage_command => 'recovery_1st_stage');
	$pp->reload;
	sleep 1;
}

{
	my $raw = PgpoolTest::Pgpool->new(nodes => \@nodes, name => 'pgpool-raw',
		conf => { recovery_user => pg_user(), recovery_1st_stage_command => 'recovery_1st_stage' });
	ok($raw->start, 'a pgpool in raw mode');
	my $rpcp = PgpoolTest::Pcp->new($raw);
	($rc, $out, $err) = $rpcp->opts('pcp_recovery_node', '-n', 1);
	is($rc, 12, 'raw mode: BACKENDERR');
	like($err, qr/online recovery is not available in raw mode/, '... says so');
	$raw->stop('fast');
}

# --- 2. recovery under pgbench --------------------------------------------------------
{
	my $from = $pp->log_position;
	my $bench = PgpoolTest::Background->start([ pg_bin('pgbench'), '-n', '-c', 2, '-T', 12,
		'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), 'testdb' ]);
	sleep 2;
	my $t0 = time();
	($rc, $out, $err) = recover('-n', 2);
	is($rc, 0, 'pcp_recovery_node -n 2 while pgbench writes') or diag $err, "\n",
	  tail_text(substr($pp->log_content, $from), 30);
	note sprintf('recovery took %.1f s', time() - $t0);
	my ($brc, $bout, $berr) = $bench->finish(120);
	is($brc, 0, 'pgbench saw no error') or diag $bout, $berr;

	like(node_status(2), qr/^(up|waiting)$/, 'node 2 is up in pcp_node_info');
	ok(wait_until(sub {
		my ($r, $o) = $n0->psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
		!$r && $o eq '2' }, 30), 'two standbys stream from the primary');
	is($n2->query('SELECT pg_is_in_recovery()'), 't', 'node 2 is a standby');
	is($n2->query("SHOW port"), $n2->port, 'on its own port');
	$n0->wait_replay($n2);
	my $sum = 'SELECT count(*), sum(abalance) FROM pgbench_accounts';
	my $hist = 'SELECT count(*), coalesce(sum(delta), 0) FROM pgbench_history';
	is($n2->query($sum, db => 'testdb'), $n0->query($sum, db => 'testdb'), 'node 2 holds every account row');
	is($n2->query($hist, db => 'testdb'), $n0->query($hist, db => 'testdb'),
		'node 2 holds every history row (including the ones written during the recovery)');
	my %seen;
	for (1 .. 30)
	{
		my ($r, $o) = $pp->psql(q{SELECT 'P', inet_server_port()}, db => 'testdb', timeout => 30);
		$seen{ ports_in($o)->[0] // 'error' }++;
	}
	ok($seen{2}, 'node 2 serves reads through pgpool') or diag explain \%seen;
	my $log = substr($pp->log_content, $from);
	like($log, qr/starting recovering node 2 from node 0/, 'log: recovery starts');
	like($log, qr/CHECKPOINT in the 1st stage done/, 'log: checkpoint');
	like($log, qr/1st stage is done \(duration: [\d.]+ ms\)/, 'log: 1st stage with its duration');
	like($log, qr/2 node restarted \(duration: [\d.]+ ms\)/, 'log: remote start with its duration');
	like($log, qr/recovery done: node 2 is attached \(duration: [\d.]+ ms\)/, 'log: done with its duration');
	like($log, qr/failback done\. reconnect host/, 'attached through the failover queue');
	unlike($log, qr/2nd stage/, 'streaming mode has no 2nd stage');
}

$pp->stop('fast');
done_testing();
