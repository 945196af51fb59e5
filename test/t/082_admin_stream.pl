# pgpooladmin acting on pgpools that have what raw mode lacks:
#   1. streaming replication with a primary and one standby: the standby
#      detached, stopped and deleted comes back through
#      POST /api/nodes/1/recover (online recovery with the sample scripts),
#      then POST /api/nodes/1/promote?switchover=1 makes it the primary for
#      real (failover_command = sample/failover.sh), both seen through
#      SHOW pool_nodes;
#   2. the in-memory query cache on: /api/status and /metrics carry its
#      numbers, hits grow with repeated SELECTs, POST /api/cache/clear makes
#      the next SELECT a miss;
#   3. use_watchdog on (a cluster of one): /api/watchdog and /metrics give this
#      node's state, /api/status says the watchdog is on, clearing a
#      cache that is off is refused.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(remove_tree);
use Test::More;
use PgpoolTest::Admin;
use PgpoolTest::Cache qw(cache_conf);
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool sample_script show_rows);
use PgpoolTest::Util qw(pg_extension_installed pg_bin pg_user chown_test spew wait_until tail_text);
use PgpoolTest::Watchdog;

plan skip_all => "pgpool_recovery is not installed (run make -C sql install)"
  unless pg_extension_installed('pgpool_recovery');

# The recovery scripts run inside the primary server: its environment is theirs.
$ENV{REPL_USER} = pg_user();
$ENV{APP_NAME_PREFIX} = 'node';

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
$n0->query('CREATE EXTENSION pgpool_recovery');
$n0->query('CREATE TABLE t (id int)', db => 'testdb');
$n0->wait_replay($n1);
for my $s (qw(recovery_1st_stage pgpool_remote_start))
{
	my $dst = $n0->datadir . "/$s";
	copy(sample_script($s), $dst) or die "copy $s: $!";
	chmod 0755, $dst;
	chown_test($dst);
}
# A 1st stage slower than pgpooladmin's --pcp-timeout (5 s in the tests):
# the recovery's answer must still be waited for.
my $slow = $n0->datadir . '/slow_1st_stage';
spew($slow, "#!/bin/sh\nsleep 7\nexec \"\$1/recovery_1st_stage\" \"\$@\"\n");
chmod 0755, $slow;
chown_test($slow);

# Rows of SHOW pool_nodes as "role/status" strings.
sub roles
{
	my ($pp) = @_;
	return join ' ', map { "$_->{role}/$_->{status}" } show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
}

# --- 1. recover and promote in streaming replication mode --------------------------
{
	my $esc = '%d %h %p %D %m %H %M %P %r %R %N %S';
	my $pp = stream_pgpool(\@nodes, conf => {
		recovery_user => pg_user(), recovery_1st_stage_command => 'slow_1st_stage',
		recovery_timeout => 60, sr_check_period => 1,
		failover_command => "PGBIN=${\ pg_bin()} ${\ sample_script('failover.sh')} $esc" });
	ok($pp->start, 'pgpool in streaming replication mode') or die "cannot continue";
	my $adm = PgpoolTest::Admin->new($pp, name => 'admin-stream');
	ok($adm->start, 'pgpooladmin starts') or die "cannot continue";
	like(roles($pp), qr/^primary\/\w+ standby\/(up|waiting)$/, 'node 0 primary, node 1 standby');

	my $r = $adm->api('POST', '/api/nodes/1/recover');
	is($r->{code}, 409, 'recovering a node that is up: PCP refuses (409)');
	like($r->{json}{error} // '', qr/node 1 is up/, '... with PCP\'s message');

	$r = $adm->api('POST', '/api/nodes/1/detach');
	is($r->{code}, 200, 'detach node 1') or diag $r->{body};
	ok(wait_until(sub { roles($pp) =~ /^primary\/\w+ standby\/down$/ }, 20), 'SHOW pool_nodes: node 1 down');
	$n1->stop('fast');
	remove_tree($n1->datadir);
	$r = $adm->api('POST', '/api/nodes/1/recover', timeout => 300);
	is($r->{code}, 200, 'POST /api/nodes/1/recover (a 1st stage longer than --pcp-timeout)') or diag $r->{body}, "\n",
	  tail_text($pp->log_content, 30);
	ok(wait_until(sub { roles($pp) =~ /^primary\/\w+ standby\/(up|waiting)$/ }, 30),
		'SHOW pool_nodes: node 1 back up as a standby') or diag roles($pp);
	is($n1->query('SELECT pg_is_in_recovery()'), 't', 'node 1 runs again, as a standby');
	$n0->query('INSERT INTO t VALUES (1)', db => 'testdb');
	$n0->wait_replay($n1);
	is($n1->query('SELECT count(*) FROM t', db => 'testdb'), '1', 'and streams from the primary');
	$r = $adm->api('GET', '/api/nodes');
	like($r->{json}{nodes}[1]{status} // '', qr/^(up|waiting)$/, '/api/nodes agrees');

	$r = $adm->api('POST', '/api/nodes/1/promote?switchover=1');
	is($r->{code}, 200, 'POST /api/nodes/1/promote?switchover=1') or diag $r->{body};
	ok(wait_until(sub { roles($pp) =~ /^standby\/down primary\/(up|waiting)$/ }, 30),
		'SHOW pool_nodes: node 1 primary, node 0 detached') or diag roles($pp);
	ok(wait_until(sub { $n1->query('SELECT pg_is_in_recovery()') eq 'f' }, 30),
		'failover_command promoted node 1 for real') or diag tail_text($pp->log_content, 30);
	$r = $adm->api('GET', '/api/nodes');
	is($r->{json}{nodes}[1]{role}, 'primary', '/api/nodes: node 1 is the primary');
	$r = $adm->api('GET', '/metrics');
	like($r->{body}, qr/^pgpool_backend_status\{node_id="1",[^}]*role="primary"\} 1$/m,
		'/metrics: node 1 up as the primary');
	$adm->stop;
	$pp->stop('fast');
}

# --- 2. query cache --------------------------------------------------------------------
sub metric
{
	my ($adm, $name) = @_;
	my $r = $adm->api('GET', '/metrics');
	return $r->{body} =~ /^\Q$name\E (\d+)$/m ? $1 : undef;
}

{
	my $pp = PgpoolTest::Pgpool->new(name => 'pgpool-cache', nodes => [$n1],
		conf => cache_conf(log_per_node_statement => 'off'));
	ok($pp->start, 'pgpool with memory_cache_enabled = on') or die "cannot continue";
	my $adm = PgpoolTest::Admin->new($pp, name => 'admin-cache');
	ok($adm->start, 'pgpooladmin starts') or die "cannot continue";
	my $sql = 'SELECT count(*) FROM t';
	my $r = $adm->api('GET', '/api/status');
	ok($r->{json}{cache_enabled}, '/api/status: cache_enabled');
	ok(defined $r->{json}{cache}{hits}, '... with the cache\'s numbers') or diag $r->{body};
	my $hits0 = $r->{json}{cache}{hits} // 0;
	is(metric($adm, 'pgpool_query_cache_enabled'), 1, '/metrics: pgpool_query_cache_enabled 1');
	my $m0 = metric($adm, 'pgpool_query_cache_hits_total');
	ok(defined $m0, '/metrics: pgpool_query_cache_hits_total');
	for (1 .. 4)
	{
		my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb');
		is($out, '1', "SELECT $_ through pgpool") or diag $err;
	}
	$r = $adm->api('GET', '/api/status');
	cmp_ok($r->{json}{cache}{hits} // 0, '>=', $hits0 + 3, '/api/status: hits grew by the 3 repeats');
	cmp_ok($r->{json}{cache}{entries} // 0, '>=', 1, '/api/status: an entry is cached');
	cmp_ok(metric($adm, 'pgpool_query_cache_hits_total') // 0, '>=', ($m0 // 0) + 3,
		'/metrics: the hits counter grew by 3');

	my ($before) = map { $_->{num_selects} } show_rows($pp, 'SHOW pool_cache', db => 'testdb');
	$r = $adm->api('POST', '/api/cache/clear');
	is($r->{code}, 200, 'POST /api/cache/clear') or diag $r->{body};
	my $hits1 = metric($adm, 'pgpool_query_cache_hits_total');
	$pp->psql($sql, db => 'testdb');
	my ($after) = map { $_->{num_selects} } show_rows($pp, 'SHOW pool_cache', db => 'testdb');
	ok(defined $before && defined $after && $after > $before,
		'the next SELECT is a miss: SHOW pool_cache num_selects grew') or diag "$before -> $after";
	is(metric($adm, 'pgpool_query_cache_hits_total'), $hits1, '... and no hit was counted');
	is(metric($adm, 'pgpool_watchdog_enabled'), 0, '/metrics: pgpool_watchdog_enabled 0');
	unlike($adm->api('GET', '/metrics')->{body}, qr/^pgpool_watchdog_node_state/m, '... and no watchdog nodes');
	$adm->stop;
	$pp->stop('fast');
}

# --- 3. watchdog -----------------------------------------------------------------------
{
	my ($pp) = PgpoolTest::Watchdog::make_cluster(1, $n1);
	ok($pp->start, 'pgpool with use_watchdog = on (a cluster of one)') or die "cannot continue";
	my $adm = PgpoolTest::Admin->new($pp, name => 'admin-wd');
	ok($adm->start, 'pgpooladmin starts') or die "cannot continue";
	my $r = $adm->api('GET', '/api/status');
	ok($r->{json}{watchdog_enabled}, '/api/status: watchdog_enabled');
	my $wd;
	ok(wait_until(sub {
		$wd = $adm->api('GET', '/api/watchdog');
		$wd->{code} == 200 && ($wd->{json}{nodes}[0]{state} // '') eq 'LEADER' }, 30),
		'/api/watchdog: this node is the LEADER') or diag $wd->{body};
	is($wd->{json}{total}, 1, '... of a cluster of one');
	is($wd->{json}{nodes}[0]{pgpool_port}, $pp->port, '... on pgpool\'s port');
	$r = $adm->api('GET', '/api/session');
	ok($r->{json}{watchdog_enabled}, '/api/session: watchdog_enabled (the page shows the panel)');
	my $m = $adm->api('GET', '/metrics')->{body};
	like($m, qr/^pgpool_watchdog_enabled 1$/m, '/metrics: pgpool_watchdog_enabled 1');
	like($m, qr/^pgpool_watchdog_nodes 1$/m, '/metrics: pgpool_watchdog_nodes 1');
	like($m, qr/^pgpool_watchdog_node_state\{wd_node_id="0",host="127\.0\.0\.1",pgpool_port="${\ $pp->port}",state="LEADER"\} 1$/m,
		'/metrics: this node\'s state, LEADER') or diag $m;
	like($m, qr/^# TYPE pgpool_watchdog_quorum gauge$/m, '/metrics: quorum as a gauge');
	$r = $adm->api('GET', '/api/status');
	ok(!$r->{json}{cache_enabled} && !exists $r->{json}{cache}, 'the cache is off: /api/status has no cache numbers');
	$r = $adm->api('POST', '/api/cache/clear');
	is($r->{code}, 400, 'POST /api/cache/clear without a cache: 400') or diag $r->{body};
	$adm->stop;
	$pp->stop('fast');
}

done_testing();
