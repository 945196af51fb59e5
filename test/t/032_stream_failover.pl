# Streaming replication mode: health checks and failover on a primary and
# two streaming standbys, one cluster for the whole file, in this order:
#
#   1. health check retries ride out a standby stopped (SIGSTOP) for less
#      than retries x delay: no failover;
#   2. backend_flag DISALLOW_TO_FAILOVER: failed health checks detach nothing;
#   3. standby loss under read load (kill -9 of its postmaster): sessions
#      that read elsewhere keep going, new reads avoid it, failover_command
#      (sample/failover.sh) promotes nothing;
#   4. pgpool_status in logdir keeps the node down across a restart of
#      pgpool; "pgpool -D" discards it;
#   5. primary loss under pgbench read/write load (kill -9 of its
#      postmaster): sample/failover.sh promotes node 1; new sessions write;
#      with synchronous_commit = remote_apply to both standbys no transaction
#      a client saw committed is missing; sample/follow_primary.sh re-points
#      node 2 at the new primary.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in sample_script show_rows);
use PgpoolTest::Util qw(pg_bin pg_user pgpool_bin run_cmd spawn test_dir spew slurp chown_test
  wait_until kill_pid tail_text);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use Time::HiRes qw(time sleep);

my @nodes = make_cluster();
my ($n0, $n1, $n2) = @nodes;
my $dir = test_dir();
$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;
CREATE TABLE ids (client int, n int, PRIMARY KEY (client, n));
EOS
$n0->wait_replay($_) for ($n1, $n2);

my $P = q{SELECT 'P', inet_server_port()};

# The postmaster's pid of a node (first line of postmaster.pid).
sub postmaster_pid
{
	my ($node) = @_;
	my ($pid) = slurp($node->datadir . '/postmaster.pid') =~ /^(\d+)/;
	return $pid;
}

# After kill -9 a postmaster stays a zombie until init reaps it, and
# PostgreSQL refuses to start while its pid exists: wait for it to go (a
# zombie whose reaper is slow counts as gone after a while: its stale
# postmaster.pid is removed then).
sub wait_postmaster_gone
{
	my ($node, $pid) = @_;
	my $t0 = time();
	my $gone = wait_until(sub {
		return 1 unless -e "/proc/$pid";
		return time() - $t0 > 10 && slurp("/proc/$pid/status") =~ /^State:\s+Z/m;
	}, 60);
	unlink $node->datadir . '/postmaster.pid' if -e "/proc/$pid";
	return $gone;
}

sub status_of
{
	my ($pp, $id) = @_;
	my @rows = show_rows($pp, 'SHOW pool_nodes', db => 'testdb', timeout => 30);
	return $rows[$id] ? $rows[$id]{status} : 'no answer';
}

# Where $n new sessions read: node id => count.
sub new_session_reads
{
	my ($pp, $n) = @_;
	my %seen;
	for (1 .. $n)
	{
		my ($rc, $out) = $pp->psql($P, db => 'testdb', timeout => 30);
		$seen{ ports_in($out)->[0] // 'error' }++;
	}
	return \%seen;
}

my %hc = (health_check_period => 1, health_check_timeout => 1, health_check_retry_delay => 1);

# --- 1. health check retries ride out a short SIGSTOP --------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-retry',
		conf => { %hc, health_check_max_retries => 8 });
	ok($pp->start, 'pgpool with health_check_max_retries 8, retry delay 1 s') or die "cannot continue";
	my $from = $pp->log_position;
	my $pm = postmaster_pid($n2);
	kill_pid('STOP', $pm);
	my $retried = $pp->wait_for_log(qr/health check.*retry.*node:? ?2\b|retrying.*node:? ?2\b/i, 20, $from);
	kill_pid('CONT', $pm);
	ok($retried, 'a stopped standby makes the health check retry')
	  or diag tail_text(substr($pp->log_content, $from), 20);
	ok($pp->wait_for_log(qr/health check on DB node 2 succeeded after \d+ retr/, 20, $from),
		'the health check succeeds again once the node continues')
	  or diag tail_text(substr($pp->log_content, $from), 20);
	sleep 2;
	my $log = substr($pp->log_content, $from);
	unlike($log, qr/failover request|degenerate|failover done|set 2 th backend down/i,
		'no failover while retries last') or diag tail_text($log, 20);
	is(status_of($pp, 2), 'up', 'node 2 is still up');
	my @stats = show_rows($pp, 'SHOW pool_health_check_stats');
	ok(($stats[2]{retry_count} // 0) >= 1, 'pool_health_check_stats counts the retries')
	  or diag explain $stats[2];
	$pp->stop('fast');
}

# --- 2. DISALLOW_TO_FAILOVER -------------------------------------------------------------
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-disallow',
		conf => { %hc, health_check_max_retries => 0, backend_flag2 => 'DISALLOW_TO_FAILOVER' });
	ok($pp->start, 'pgpool with backend_flag2 = DISALLOW_TO_FAILOVER') or die "cannot continue";
	my $from = $pp->log_position;
	my $pm = postmaster_pid($n2);
	kill_pid('STOP', $pm);
	my $failed = $pp->wait_for_log(qr/health check failed on node 2/, 20, $from);
	# let a few more checks fail before the node continues
	my $more = wait_until(sub {
		my @f = substr($pp->log_content, $from) =~ /health check failed on node 2/g;
		@f >= 3 }, 20);
	kill_pid('CONT', $pm);
	ok($failed && $more, 'health checks of the stopped node fail')
	  or diag tail_text(substr($pp->log_content, $from), 20);
	like(substr($pp->log_content, $from), qr/disallow/i, 'the log says failover is disallowed');
	unlike(substr($pp->log_content, $from), qr/failover done|set 2 th backend down/,
		'node 2 is not detached');
	is(status_of($pp, 2), 'up', 'node 2 is still up after it continues');
	my $seen = new_session_reads($pp, 10);
	ok(!$seen->{error}, 'sessions work') or diag explain $seen;
	$pp->stop('fast');
}

# --- 3. standby loss under read load --------------------------------------------------------
my $failover_sh = sample_script('failover.sh');
my $follow_sh = sample_script('follow_primary.sh');
my $pgbin = pg_bin();
my $esc = '%d %h %p %D %m %H %M %P %r %R %N %S';

# pcp_attach_node for follow_primary.sh, runnable by the test user
my $pcp_dir;
{
	my $bin = dirname(pgpool_bin()) . '/pcp_attach_node';
	if (-x $bin)
	{
		$pcp_dir = "$dir/pcpbin";
		mkdir $pcp_dir;
		copy($bin, "$pcp_dir/pcp_attach_node");
		chmod 0755, "$pcp_dir/pcp_attach_node";
		chown_test($pcp_dir, "$pcp_dir/pcp_attach_node");
	}
}
my $pcppass = "$dir/pcppass";
spew($pcppass, "*:*:pgpool:pgpool\n");
chmod 0600, $pcppass;

my $n2_pm;
my $pp = stream_pgpool(\@nodes, conf => {
	%hc, health_check_timeout => 2, health_check_max_retries => 0,
	backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1,
	num_init_children => 20, max_pool => 1, sr_check_period => 1,
});
my $follow_env = "PGBIN=$pgbin REPL_USER=" . pg_user();
$follow_env .= " PCP_HOST=127.0.0.1 PCP_PORT=" . $pp->pcp_port . " PCP_USER=pgpool PCPPASSFILE=$pcppass"
  . " PGPOOL_BIN=$pcp_dir" if $pcp_dir;
$pp->set_conf(
	failover_command => "PGBIN=$pgbin $failover_sh $esc",
	follow_primary_command => "$follow_env $follow_sh $esc");
ok($pp->start, 'pgpool with failover_command and follow_primary_command') or die "cannot continue";

{
	# sessions that read, wait for a go, and read again
	my $go = "$dir/go-standby-loss";
	my (@sessions, %on);
	for my $i (1 .. 16)
	{
		my $first = "$dir/sticky-$i.first";
		my $script = "$dir/sticky-$i.sql";
		spew($script, "\\o $first\n$P;\n\\o\n\\! while [ ! -f $go ]; do sleep 0.1; done\n"
			  . "$P;\n$P FROM t WHERE id = 1;\n");
		my $bg = PgpoolTest::Background->start([ pg_bin('psql'), '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
			'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), '-d', 'testdb', '-f', $script ]);
		wait_until(sub { slurp($first) =~ /^P\|\d+/m || !$bg->running }, 20);
		my $node = ports_in(slurp($first))->[0] // 'error';
		push @sessions, { bg => $bg, node => $node };
		$on{$node}++;
		last if $on{1} && $on{2};
	}
	ok($on{1} && $on{2}, 'waiting sessions read from node 1 and from node 2') or diag explain \%on;

	my $load = PgpoolTest::Background->start([ pg_bin('pgbench'), '-n', '-c', 2, '-j', 1, '-T', 8,
		'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), '-f', do {
			my $f = "$dir/read.sql";
			spew($f, "SELECT count(*) FROM t;\n");
			$f;
		}, 'testdb' ]);
	sleep 1;
	my $from = $pp->log_position;
	$n2_pm = postmaster_pid($n2);
	ok(kill_pid('KILL', $n2_pm), 'kill -9 of node 2\'s postmaster');
	ok(wait_until(sub { status_of($pp, 2) eq 'down' }, 30), 'pgpool detaches node 2')
	  or diag tail_text(substr($pp->log_content, $from), 30);
	ok($pp->wait_for_log(qr/failover done\. shutdown host 127\.0\.0\.1\(${\ $n2->port}\)/, 30, $from),
		'"failover done. shutdown host ..." logged');
	ok($pp->wait_for_log(qr/failover\.sh: standby node 2 is down; no promotion needed/, 5, $from),
		'failover.sh ran and promoted nothing');
	spew($go, "go\n");
	for my $s (grep { $_->{node} eq '1' } @sessions)
	{
		my ($rc, $out, $err) = $s->{bg}->finish(30);
		is($rc, 0, 'a session reading from node 1 keeps going') or diag $err;
		is_deeply(ports_in($out), [ 1, 1 ], 'and still reads from node 1') or diag $out;
	}
	$_->{bg}->finish(30) for @sessions;
	my $seen = new_session_reads($pp, 20);
	is_deeply($seen, { 1 => 20 }, 'new sessions read from node 1 only') or diag explain $seen;
	my ($rc, $out, $err) = $pp->psql("INSERT INTO t VALUES (1001, 'after standby loss') RETURNING 'P', inet_server_port()",
		db => 'testdb');
	is_deeply(ports_in($out), [0], 'writes still go to the primary') or diag $err;
	my @rows = show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
	is_deeply([ map { "$_->{role}/$_->{status}" } @rows ], [ 'primary/up', 'standby/up', 'standby/down' ],
		'SHOW pool_nodes: node 2 down') or diag explain \@rows;
	$load->finish(30);
}

# --- 3b. failover_on_backend_error, without health checks (node 2 is still dead) ----------------
{
	my %conf = (health_check_period => 0, backend_weight0 => 0, backend_weight1 => 1,
		backend_weight2 => 1);
	# pgpool-II 4.3: a node marked up that refuses a new session's connection
	# is failed over even with failover_on_backend_error off (that setting
	# governs errors on established connections); the session that met it
	# ends with FATAL, later ones go on without the node.
	my $off = stream_pgpool(\@nodes, name => 'pgpool-backend-error-off',
		conf => { %conf, failover_on_backend_error => 'off' });
	$off->launch;
	ok(wait_until(sub { status_of($off, 2) eq 'down' }, 30),
		'off: a failed connection at session start still detaches node 2') or diag tail_text($off->log_content, 30);
	like($off->log_content, qr/executing failover on backend 2/, 'off: "executing failover on backend" logged');
	my $seen = new_session_reads($off, 10);
	is_deeply($seen, { 1 => 10 }, 'off: later sessions go on without node 2') or diag explain $seen;
	$off->stop('fast');

	my $on = stream_pgpool(\@nodes, name => 'pgpool-backend-error-on',
		conf => { %conf, fail_over_on_backend_error => 'on' });
	ok($on->start, 'pgpool without health checks, fail_over_on_backend_error on')
	  or diag $on->log_content;
	# this pgpool has a log of its own: the start-up check's own session may already
	# have found node 2 dead, so the whole log counts
	my $from = 0;
	new_session_reads($on, 5);
	ok(wait_until(sub { status_of($on, 2) eq 'down' }, 20),
		'on: a failed connection to node 2 detaches it') or diag tail_text($on->log_content, 30);
	ok($on->wait_for_log(qr/failover done\. shutdown host 127\.0\.0\.1\(${\ $n2->port}\)/, 10, $from),
		'"failover done" logged');
	$seen = new_session_reads($on, 10);
	is_deeply($seen, { 1 => 10 }, 'and reads go to node 1') or diag explain $seen;
	$on->stop('fast');
}

# --- 4. pgpool_status across restarts; -D discards it -------------------------------------------
{
	my $status_file = $pp->dir . '/pgpool_status';
	ok(-f $status_file, 'pgpool_status written in logdir');
	is_deeply([ split /\n/, slurp($status_file) ], [qw(up up down)], 'it says node 2 is down')
	  or diag slurp($status_file);

	wait_postmaster_gone($n2, $n2_pm);
	$n2->start;
	ok(wait_until(sub { $n0->query("select count(*) from pg_stat_replication where state = 'streaming'") == 2 }, 60),
		'node 2 restarted and streams again');
	$pp->stop('fast');
	ok($pp->start, 'pgpool restarts');
	is(status_of($pp, 2), 'down', 'node 2 stays down after the restart (pgpool_status)');
	my $seen = new_session_reads($pp, 10);
	ok(!$seen->{2}, 'no reads go to node 2') or diag explain $seen;

	$pp->stop('fast');
	ok($pp->start(args => ['-D']), 'pgpool -D (discard pgpool_status)');
	like(status_of($pp, 2), qr/^(up|waiting)$/, 'node 2 is back');
	$seen = new_session_reads($pp, 20);
	ok($seen->{2} && !$seen->{0} && !$seen->{error}, 'and serves reads again') or diag explain $seen;
}

# --- 5. primary loss under read/write load ------------------------------------------------------
{
	$n0->query("ALTER SYSTEM SET synchronous_standby_names = 'ANY 2 (*)'");
	$n0->query("ALTER SYSTEM SET synchronous_commit = 'remote_apply'");
	$n0->query('SELECT pg_reload_conf()');
	ok(wait_until(sub { $n0->query("select count(*) from pg_stat_replication where sync_state = 'quorum'") == 2 }, 30),
		'both standbys are synchronous (remote_apply)');

	my $rw = "$dir/rw.sql";
	spew($rw, "\\set n :n + 1\nINSERT INTO ids VALUES (:client_id, :n);\n"
		  . "SELECT count(*) FROM ids WHERE client = :client_id;\nSELECT count(*) FROM t;\n");
	my $bench = PgpoolTest::Background->start([ pg_bin('pgbench'), '-n', '-c', 4, '-j', 1, '-T', 60,
		'-l', "--log-prefix=$dir/pgbench-rw", '-D', 'n=0', '-f', $rw,
		'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), 'testdb' ]);
	# one new session per insert; the ids it saw committed go to a file
	my $committed = "$dir/committed-loop";
	my $stop = "$dir/stop-loop";
	my $psql = pg_bin('psql');
	my $loop = PgpoolTest::Background->start([ 'sh', '-c',
		"i=0; while [ ! -f $stop ]; do i=\$((i+1)); "
		  . "if PGCONNECT_TIMEOUT=5 $psql -X -q -h 127.0.0.1 -p " . $pp->port . ' -U ' . pg_user()
		  . " -d testdb -c \"INSERT INTO ids VALUES (-1, \$i)\" >/dev/null 2>&1; "
		  . "then echo \$i >> $committed; fi; sleep 0.05; done" ]);
	ok(wait_until(sub { $n0->query('SELECT count(*) FROM ids', db => 'testdb') >= 100 }, 30),
		'load is running (100 rows in)');

	my $from = $pp->log_position;
	ok(kill_pid('KILL', postmaster_pid($n0)), 'kill -9 of the primary\'s postmaster');
	my $killed = time();
	my $port;
	my $wrote = wait_until(sub {
		my ($rc, $out) = $pp->psql("INSERT INTO t VALUES (2000 + (random() * 1000000)::int, 'new') "
			  . "RETURNING 'P', inet_server_port()", db => 'testdb', timeout => 15,
			env => { PGCONNECT_TIMEOUT => 5 });
		$port = ports_in($out)->[0] if $rc == 0;
		return $rc == 0;
	}, 30);
	ok($wrote, 'a new session writes within 30 s of the kill')
	  or diag tail_text(substr($pp->log_content, $from), 40);
	is($port, 1, 'on node 1, the promoted standby');
	like(substr($pp->log_content, $from), qr/failover\.sh: promoting node 1/,
		'failover.sh promoted node 1');
	is(($n1->psql('SELECT pg_is_in_recovery()'))[1], 'f', 'node 1 is out of recovery');

	sleep 1;
	spew($stop, "stop\n");
	my ($lrc) = $loop->finish(30);
	my ($brc, $bout, $berr) = $bench->finish(90);
	ok(defined $brc, 'pgbench ended (its clients lost the old primary)') or $bench->signal('INT');

	# every transaction a client saw committed is on the new primary
	my %want;
	for my $f (glob("$dir/pgbench-rw*"))
	{
		for (split /\n/, slurp($f))
		{
			my ($client, $txno, $lat) = split / /;
			$want{"$client:$txno"} = 1 if defined $lat && $lat =~ /^\d+$/;
		}
	}
	my $from_bench = keys %want;
	$want{"-1:$_"} = 1 for grep { /^\d+$/ } split /\n/, slurp($committed);
	ok($from_bench >= 20, "pgbench committed transactions before the kill ($from_bench)")
	  or diag $bout . $berr;
	ok(keys(%want) > $from_bench, 'the psql loop committed rows too');
	my %have = map { my ($c, $n) = split /\|/; ("$c:$n" => 1) }
	  split /\n/, ($n1->psql('SELECT client, n FROM ids', db => 'testdb'))[1];
	my @missing = sort grep { !$have{$_} } keys %want;
	is(scalar @missing, 0, 'no committed transaction is missing on the new primary')
	  or diag 'missing: ' . join(' ', @missing[ 0 .. ($#missing < 20 ? $#missing : 19) ]);

	# node 2 follows the new primary
	my $follows = wait_until(sub {
		my ($r, $o) = $n1->psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
		!$r && $o == 1 }, 60);
	ok($follows, 'node 2 streams from the new primary (follow_primary_command)')
	  or diag tail_text(substr($pp->log_content, $from), 40) . "\n" . tail_text($n2->log_content, 20);
	is(($n2->psql('SELECT pg_is_in_recovery()'))[1], 't', 'node 2 is a standby');
	my ($rc, $out, $err) = $pp->psql("INSERT INTO t VALUES (5000, 'followed')", db => 'testdb');
	is($rc, 0, 'a write through pgpool after the failover') or diag $err;
	ok($follows && $n1->wait_replay($n2, 30), 'node 2 replays the new primary\'s writes');
	is(($n2->psql('SELECT v FROM t WHERE id = 5000', db => 'testdb'))[1], 'followed',
		'node 2 has the row written on the new primary');
	ok($pp->wait_for_log(qr/follow_primary\.sh: node 2 follows node 1/, 5, $from),
		'follow_primary.sh re-pointed node 2');
	my $up = wait_until(sub {
		my @rows = show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
		join(',', map { "$_->{role}/$_->{status}" } @rows) =~ /^standby\/down,primary\/up,standby\/(up|waiting)$/;
	}, 20);
	ok($up, 'SHOW pool_nodes: node 0 down, node 1 primary, node 2 standby and up')
	  or diag explain [ show_rows($pp, 'SHOW pool_nodes', db => 'testdb') ];
	my $seen = new_session_reads($pp, 20);
	ok(!$seen->{error} && !$seen->{0}, 'new sessions read from the remaining nodes') or diag explain $seen;
}

done_testing();
