# Online recovery in native replication mode: three independent nodes,
# node 2 detached, stopped, its data directory deleted, then rebuilt with
# the sample scripts (sample/replication_mode_recovery_1st_stage, _2nd_stage,
# pgpool_remote_start in node 0's data directory; node 0 archives its WAL):
#
#   1. a client that keeps a transaction open past recovery_timeout makes
#      the 2nd stage give up: BACKENDERR, the message, node 2 still down,
#      and the gate open again (new sessions are served);
#   2. node 2 is rebuilt while 4 pgbench clients write: no client sees an
#      error, every table is identical (md5 of the ordered rows) on all 3
#      nodes, and both stages were logged with their durations.
#
# The 2nd stage relies on the sessions stopping new transactions at the
# gate (recovery_gate.h, wired in through session_hooks) and adopting the
# recovered node before their next transaction.
use strict;
use warnings;
use Test::More;
use File::Path qw(remove_tree);
use File::Copy qw(copy);
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(sample_script);
use PgpoolTest::Util qw(pg_extension_installed pg_bin pg_user run_cmd test_dir slurp spew chown_test wait_until tail_text);
use Time::HiRes qw(time sleep);

plan skip_all => "pgpool_recovery is not installed (run make -C sql install)"
  unless pg_extension_installed('pgpool_recovery');


my $dir = test_dir();
my $arch = "$dir/archive";
mkdir $arch;
chown_test($arch);
# the scripts run inside node 0's server: its environment is theirs
$ENV{ARCHIVE_DIR} = $arch;
$ENV{REPL_USER} = pg_user();
$ENV{PGUSER} = pg_user();

my $archive_conf = "archive_mode = on\narchive_command = 'test ! -f $arch/%f && cp %p $arch/%f'\n";
my @nodes = map {
	PgpoolTest::Node->new("node$_")->init(conf => $_ == 0 ? $archive_conf : '')->start } 0 .. 2;
my ($n0, $n1, $n2) = @nodes;
for my $n (@nodes)
{
	# the same deterministic data on each independent node
	my ($rc, $out, $err) = run_cmd([pg_bin('pgbench'), '-i', '-s', 1, '-q', '-h', $n->host,
		'-p', $n->port, '-U', pg_user(), 'testdb'], timeout => 300);
	die "pgbench -i on " . $n->name . ": $err" if $rc;
}
$n0->query('CREATE EXTENSION pgpool_recovery');
for my $s (qw(replication_mode_recovery_1st_stage replication_mode_recovery_2nd_stage pgpool_remote_start))
{
	my $dst = $n0->datadir . "/$s";
	copy(sample_script($s), $dst) or die "copy $s: $!";
	chmod 0755, $dst;
	chown_test($dst);
}

my $pp = PgpoolTest::Pgpool->new(nodes => \@nodes, conf => {
	backend_clustering_mode => 'native_replication', num_init_children => 8, max_pool => 1,
	recovery_user => pg_user(), recovery_1st_stage_command => 'replication_mode_recovery_1st_stage',
	recovery_2nd_stage_command => 'replication_mode_recovery_2nd_stage', recovery_timeout => 3 });
ok($pp->start, 'pgpool in native replication mode over 3 nodes') or die "cannot continue";
my $pcp = PgpoolTest::Pcp->new($pp, timeout => 300);

sub node_status
{
	my ($id) = @_;
	my ($r, $o) = $pcp->opts('pcp_node_info', '-n', $id);
	return $r ? "error $r" : (split / /, $o)[4] // '?';
}

sub recover { return $pcp->opts('pcp_recovery_node', '-n', @_, { timeout => 300 }); }

# md5 of a table's rows in order (history without mtime: each node stamps its own)
sub table_md5
{
	my ($n, $table) = @_;
	my $cols = $table eq 'pgbench_history' ? 't.tid, t.bid, t.aid, t.delta' : 't.*';
	return $n->query("SELECT count(*) || ':' || md5(coalesce(string_agg(r, ',' ORDER BY r), ''))
		FROM (SELECT ($cols)::text AS r FROM $table t) s", db => 'testdb');
}

my ($rc, $out, $err) = $pcp->opts('pcp_detach_node', '-n', 2);
is($rc, 0, 'pcp_detach_node -n 2') or diag $err;
$n2->stop('fast');
remove_tree($n2->datadir);
is(node_status(2), 'down', 'node 2 is down, stopped, its data directory deleted');

# --- 1. a transaction that outlasts recovery_timeout ------------------------------------
{
	my $from = $pp->log_position;
	my $holder = PgpoolTest::Background->start([ pg_bin('psql'), '-X', '-w', '-h', '127.0.0.1',
		'-p', $pp->port, '-U', pg_user(), '-d', 'testdb', '-c', 'BEGIN', '-c',
		'UPDATE pgbench_branches SET bbalance = bbalance WHERE bid = 1', '-c', 'SELECT pg_sleep(25)',
		'-c', 'COMMIT' ]);
	ok(wait_until(sub { $n0->query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(25)%'")
		  eq '1' }, 20), 'a client holds a transaction open');
	($rc, $out, $err) = recover(2);
	is($rc, 12, '2nd stage cannot start within recovery_timeout: BACKENDERR');
	like($err, qr/2nd stage of the recovery of node 2 could not start: clients did not finish their transactions/,
		'... says so') or diag $err;
	like($err, qr/still in a transaction after recovery_timeout \(3 seconds\)/, '... with the reason');
	is(node_status(2), 'down', 'node 2 stays down');
	my ($qrc, $qout) = $pp->psql('SELECT count(*) FROM pgbench_branches', db => 'testdb', timeout => 20);
	is($qout, '1', 'new sessions are served: the gate is open again');
	like(substr($pp->log_content, $from), qr/1st stage is done \(duration: [\d.]+ ms\).*starting 2nd stage/s,
		'the 1st stage ran, the 2nd was attempted');
	$holder->signal('TERM');
	$holder->finish(30);
}

# --- 2. recovery while 4 clients write -----------------------------------------------------
$pp->set_conf(recovery_timeout => 120);
$pp->reload;
sleep 1;
{
	my $from = $pp->log_position;
	my $bench = PgpoolTest::Background->start([ pg_bin('pgbench'), '-n', '-c', 4, '-T', 15,
		'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), 'testdb' ]);
	sleep 2;
	my $t0 = time();
	($rc, $out, $err) = recover(2);
	is($rc, 0, 'pcp_recovery_node -n 2 while 4 clients write') or diag $err, "\n",
	  tail_text(substr($pp->log_content, $from), 40);
	note sprintf('recovery took %.1f s', time() - $t0);
	my ($brc, $bout, $berr) = $bench->finish(120);
	is($brc, 0, 'no client saw an error') or diag $bout, $berr;
	like($bout, qr/number of transactions actually processed: [1-9]/, 'the clients wrote');
	like(node_status(2), qr/^(up|waiting)$/, 'node 2 is up');
	is($n2->query('SELECT pg_is_in_recovery()'), 'f', 'node 2 finished recovery');
	is($n2->query('SHOW port'), $n2->port, 'on its own port');

	my $log = substr($pp->log_content, $from);
	like($log, qr/1st stage is done \(duration: [\d.]+ ms\)/, 'log: 1st stage with its duration');
	like($log, qr/starting 2nd stage/, 'log: 2nd stage starts');
	like($log, qr/all clients are out of transactions/, 'log: clients quiet');
	like($log, qr/2nd stage is done \(duration: [\d.]+ ms\)/, 'log: 2nd stage with its duration');
	like($log, qr/clients may start transactions again: they were held for [\d.]+ s/, 'log: the pause');
	like($log, qr/recovery done: node 2 is attached/, 'log: done');

	for my $t (qw(pgbench_accounts pgbench_branches pgbench_tellers pgbench_history))
	{
		my $m0 = table_md5($n0, $t);
		is(table_md5($n1, $t), $m0, "$t: node 1 = node 0");
		is(table_md5($n2, $t), $m0, "$t: node 2 = node 0");
	}
}

$pp->stop('fast');
done_testing();
