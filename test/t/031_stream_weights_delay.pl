# Streaming replication mode: load balancing by backend_weight over many
# sessions, and the replication delay check.  Weights 0:1:1 over 1,000
# pgbench sessions (-C: a new connection per transaction): the primary
# reads nothing, each standby 40-60%.  Delay: with sr_check_period = 1 and
# a small delay_threshold, a standby whose replay is paused while the
# primary writes gets no reads in new sessions; resuming replay brings it
# back.  SHOW pool_nodes shows the delay, SHOW pool_status the settings.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in log_statements
  pgbench_script show_rows);
use PgpoolTest::Util qw(wait_until);

my $SESSIONS = 1000;
my $THRESHOLD = 200_000;    # bytes of WAL

my @nodes = make_cluster();
my ($n0, $n1, $n2) = @nodes;
$n0->query('CREATE TABLE filler (id int, pad text)', db => 'testdb');

my $pp = stream_pgpool(\@nodes, conf => {
	backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1,
	num_init_children => 4, max_pool => 2,
	sr_check_period => 1, delay_threshold => $THRESHOLD, log_standby_delay => 'if_over_threshold',
});
ok($pp->start, 'pgpool starts with weights 0:1:1, sr_check_period 1, delay_threshold')
  or die "cannot continue";

# --- weights over 1,000 sessions -------------------------------------------------------
{
	my @before = show_rows($pp, 'SHOW pool_nodes');
	my $from = $pp->log_position;
	my ($rc, $out, $err) = $pp->pgbench('-n', '-C', '-c', 4, '-j', 2, '-t', $SESSIONS / 4,
		'-f', do {
			my $f = PgpoolTest::Util::test_dir() . '/weights.sql';
			PgpoolTest::Util::spew($f, "SELECT 'weights', inet_server_port();\n");
			$f;
		}, 'testdb');
	is($rc, 0, "pgbench -C: $SESSIONS sessions of one SELECT") or diag $out . $err;
	like($out, qr/number of transactions actually processed: $SESSIONS\/$SESSIONS/, 'all processed');
	my $lines = log_statements($pp, $from);
	my %count = (0 => 0, 1 => 0, 2 => 0);
	$count{ $_->[0] }++ for grep { $_->[1] =~ /^SELECT 'weights'/ } @$lines;
	is($count{0} + $count{1} + $count{2}, $SESSIONS, 'one logged read per session')
	  or diag explain \%count;
	is($count{0}, 0, 'weight 0: the primary got no reads');
	for my $n (1, 2)
	{
		my $share = $count{$n} / $SESSIONS;
		ok($share >= 0.4 && $share <= 0.6, "node $n got between 40% and 60% of the reads")
		  or diag "node $n: $count{$n} of $SESSIONS";
	}
	my @after = show_rows($pp, 'SHOW pool_nodes');
	my @delta = map { ($after[$_]{select_cnt} // 0) - ($before[$_]{select_cnt} // 0) } 0 .. 2;
	is($delta[0], 0, 'SHOW pool_nodes: select_cnt of the primary did not move') or diag "@delta";
	is($delta[1] + $delta[2], $SESSIONS, 'select_cnt of the standbys grew by the number of reads')
	  or diag "@delta";
	ok(abs($delta[1] - $count{1}) <= 1, 'select_cnt agrees with the per-node log lines')
	  or diag "@delta / $count{1} $count{2}";
}

# Where 40 new sessions read: a hash node id => count.
sub reads_of_new_sessions
{
	my %seen;
	for (1 .. 40)
	{
		my ($rc, $out) = $pp->psql(q{SELECT 'P', inet_server_port()}, db => 'testdb');
		$seen{ ports_in($out)->[0] // 'error' }++;
	}
	return \%seen;
}

sub node_row
{
	my ($id) = @_;
	my @rows = show_rows($pp, 'SHOW pool_nodes');
	return $rows[$id] // {};
}

# --- replication delay -----------------------------------------------------------------
{
	ok(wait_until(sub { (node_row(2)->{replication_delay} // 'x') =~ /^\d+$/
				&& node_row(2)->{replication_delay} <= $THRESHOLD }, 20),
		'node 2 starts within delay_threshold');
	my $seen = reads_of_new_sessions();
	ok($seen->{1} && $seen->{2}, 'both standbys serve reads before the pause') or diag explain $seen;

	$n2->query('SELECT pg_wal_replay_pause()');
	my $from = $pp->log_position;
	$n0->query("INSERT INTO filler SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g",
		db => 'testdb');
	ok($n0->wait_replay($n1), 'node 1 replays the writes');
	ok(wait_until(sub { (node_row(2)->{replication_delay} // 0) > $THRESHOLD }, 30),
		'SHOW pool_nodes: replication_delay of the paused standby exceeds delay_threshold')
	  or diag explain node_row(2);
	ok(node_row(1)->{replication_delay} <= $THRESHOLD, 'node 1 is within the threshold')
	  or diag explain node_row(1);
	ok($pp->wait_for_log(qr/Replication of node: 2 is behind \d+ bytes from the primary server/, 20, $from),
		'log_standby_delay if_over_threshold logs the delay of node 2')
	  or diag PgpoolTest::Util::tail_text($pp->log_content, 20);

	$seen = reads_of_new_sessions();
	is($seen->{2} // 0, 0, 'no new session reads from the delayed standby') or diag explain $seen;
	is($seen->{1} // 0, 40, 'they read from the other standby') or diag explain $seen;

	my ($rc, $out) = $pp->psql(q{SELECT count(*) FROM filler}, db => 'testdb');
	is($out, 20000, 'and see the new rows');

	my @status = show_rows($pp, 'SHOW pool_status');
	my %v = map { $_->{item} => $_->{value} } @status;
	is($v{delay_threshold}, $THRESHOLD, 'SHOW pool_status: delay_threshold');
	is($v{sr_check_period}, 1, 'SHOW pool_status: sr_check_period');
	is($v{log_standby_delay}, 'if_over_threshold', 'SHOW pool_status: log_standby_delay');
	ok(defined $v{standby_delay2} && $v{standby_delay2} > $THRESHOLD,
		'SHOW pool_status: standby_delay2 shows the delay of node 2')
	  or diag 'standby_delay items: ' . join(', ', map { "$_=$v{$_}" } grep { /standby_delay/ } sort keys %v);

	# --- every standby delayed: primary, or with prefer_lower_delay_standby the least delayed
	$n1->query('SELECT pg_wal_replay_pause()');
	$n0->query("INSERT INTO filler SELECT g, repeat('y', 200) FROM generate_series(20001, 40000) g",
		db => 'testdb');
	ok(wait_until(sub { (node_row(1)->{replication_delay} // 0) > $THRESHOLD }, 30),
		'node 1 paused too: both standbys over delay_threshold') or diag explain node_row(1);
	$seen = reads_of_new_sessions();
	is($seen->{0} // 0, 40, 'with every standby delayed, new sessions read from the primary')
	  or diag explain $seen;
	$pp->set_conf(prefer_lower_delay_standby => 'on');
	$pp->reload;
	ok($pp->wait_for_log(qr/reloading configuration files/, 10), 'reload with prefer_lower_delay_standby = on');
	sleep 2;
	my $less = node_row(1)->{replication_delay} < node_row(2)->{replication_delay} ? 1 : 2;
	$seen = reads_of_new_sessions();
	is($seen->{$less} // 0, 40, "prefer_lower_delay_standby: they read from the least delayed standby (node $less)")
	  or diag explain $seen;
	$pp->set_conf(prefer_lower_delay_standby => 'off');
	$pp->reload;
	$n1->query('SELECT pg_wal_replay_resume()');

	$n2->query('SELECT pg_wal_replay_resume()');
	ok(wait_until(sub { (node_row(2)->{replication_delay} // $THRESHOLD + 1) <= $THRESHOLD }, 30),
		'after pg_wal_replay_resume() the delay falls back under the threshold')
	  or diag explain node_row(2);
	$seen = reads_of_new_sessions();
	ok($seen->{2}, 'new sessions read from node 2 again') or diag explain $seen;
	ok(!$seen->{0}, 'and never from the primary') or diag explain $seen;
}

# --- delay_threshold_by_time -----------------------------------------------------------
{
	my $tp = stream_pgpool(\@nodes, name => 'pgpool-time', conf => {
		backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1,
		sr_check_period => 1, delay_threshold_by_time => 1000 });
	ok($tp->start, 'a pgpool with delay_threshold_by_time (milliseconds)') or diag $tp->log_content;
	my @rows;
	wait_until(sub { @rows = show_rows($tp, 'SHOW pool_nodes');
		($rows[1]{replication_state} // '') eq 'streaming' }, 20);
	like($rows[1]{replication_delay} // '', qr/^\d+(\.\d+)?$/,
		'replication_delay is shown in seconds') or diag explain \@rows;
	is($rows[1]{replication_state}, 'streaming', 'replication_state from pg_stat_replication')
	  or diag explain \@rows;
	is($rows[1]{replication_sync_state}, 'async', 'replication_sync_state');
	$tp->stop('fast');
}

done_testing();
