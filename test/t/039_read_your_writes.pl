# read_your_writes in streaming replication mode: a primary and one
# standby that applies commits 300ms late (recovery_min_apply_delay),
# weights 0:1 so every load-balanced read would go to the standby.
#
#   1. session, simple protocol: CREATE TABLE sN; INSERT; SELECT as separate
#      statements 1,000 times in one psql session: no error, every read the
#      standby answered saw its row, and reads do reach the standby once it
#      caught up;
#   2. off: the same sequence fails (the test can fail);
#   3. read_your_writes_timeout: the read waits for the standby instead;
#   4. global: another session's read of a table written right before
#      sees the row (session mode does not: it reads the stale standby);
#      a table nobody wrote is still read on the standby;
#   5. the extended protocol, pipelined and not, and
#      statement_level_load_balance: every read sees the write before it;
#   6. a transaction whose read went to the primary stays there; PGPOOL
#      EXPLAIN ROUTE after a write names the rule read_your_writes.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of pgbench_script);
use PgpoolTest::Util qw(pg_user run_cmd);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
$n1->append_conf("recovery_min_apply_delay = '300ms'");
$n1->reload;
$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE pc (v int);
INSERT INTO pc VALUES (0);
CREATE TABLE g (id int);
CREATE TABLE u (id int);
INSERT INTO u VALUES (1);
EOS
ok($n0->wait_replay($n1), 'the standby replayed the schema');

my $pp = stream_pgpool(\@nodes, conf => {
	backend_weight0 => 0, backend_weight1 => 1, log_per_node_statement => 'off',
	read_your_writes => 'session', sr_check_period => 0 });
ok($pp->start, 'pgpool starts with read_your_writes = session') or die "cannot continue";

sub reconfigure
{
	my (%c) = @_;
	$pp->set_conf(%c);
	my $from = $pp->log_position;
	$pp->reload;
	ok($pp->wait_for_log(qr/reloading configuration files/, 10, $from),
		'reload: ' . join(', ', map { "$_ = $c{$_}" } sort keys %c));
	sleep 1;
}

# psql script through pgpool that goes on after errors: (out, number of ERROR lines, stderr).
sub run_script
{
	my ($script) = @_;
	my ($rc, $out, $err) = $pp->psql($script, db => 'testdb', script => 1,
		args => [ '-v', 'ON_ERROR_STOP=0' ], timeout => 300);
	my $errors = () = ($err // '') =~ /ERROR:/g;
	return ($out, $errors, $err);
}

# "R|i|port|count" lines: [i, node, count] in order.
sub reads_of
{
	my ($out) = @_;
	return [ map { [ $_->[0], node_of($_->[1]), $_->[2] ] }
		map { [ (split /\|/)[ 1 .. 3 ] ] } grep { /^R\|/ } split /\n/, $out // '' ];
}

sub read_sql { my ($t, $i) = @_; return "SELECT 'R', $i, inet_server_port(), count(*) FROM $t$i;\n"; }

# --- 1. session: 1,000 write-then-read sequences ----------------------------------------------
{
	my $script = '';
	my $pauses = 0;
	for my $i (1 .. 1000)
	{
		$script .= "CREATE TABLE s$i (a int);\nINSERT INTO s$i VALUES ($i);\n" . read_sql('s', $i);
		next unless $i % 100 == 0;
		# now and then the standby gets time to catch up: the reads after it may go there
		$script .= "\\! sleep 0.7\n" . read_sql('s', $i) x 3;
		$pauses++;
	}
	my ($out, $errors, $err) = run_script($script);
	is($errors, 0, 'session: 1,000 CREATE, INSERT, SELECT sequences without an error')
	  or diag substr($err, 0, 2000);
	my $reads = reads_of($out);
	is(scalar @$reads, 1000 + 3 * $pauses, 'every read answered');
	my @standby = grep { $_->[1] eq '1' } @$reads;
	my @stale = grep { $_->[2] != 1 } @$reads;
	is(scalar @stale, 0, 'every read saw the row written before it') or diag explain [ @stale[ 0 .. 4 ] ];
	my ($i, %last_of_pause) = (0);
	for my $r (@$reads)
	{
		$i++;
		$last_of_pause{ $r->[0] } = $r if $r->[0] % 100 == 0;
	}
	my @caught_up = grep { $_->[1] eq '1' } values %last_of_pause;
	is(scalar @caught_up, $pauses, 'after each pause the standby answered (it had caught up)')
	  or diag explain [ values %last_of_pause ];
	my @early = grep { $_->[1] eq '1' } map { $reads->[$_] } grep { $reads->[$_][0] % 100 } 0 .. $#$reads;
	is(scalar @early, 0, 'reads right after a write (300ms before the standby applies it) go to the primary');
	ok(@standby >= $pauses, scalar(@standby) . ' reads on the standby, all with their rows');
}

# --- 2. off: the same sequence hits the standby too early --------------------------------------
reconfigure(read_your_writes => 'off');
{
	my ($out, $errors) = run_script(join('', map {
		"CREATE TABLE o$_ (a int);\nINSERT INTO o$_ VALUES ($_);\n" . read_sql('o', $_) } 1 .. 5));
	my $stale = grep { $_->[1] eq '1' && $_->[2] != 1 } @{ reads_of($out) };
	ok($errors + $stale >= 4, "off: reads go to the standby before it applied the writes ($errors errors, $stale stale)");
}

# --- 3. read_your_writes_timeout: the read waits for the standby ---------------------------------
reconfigure(read_your_writes => 'session', read_your_writes_timeout => 5000);
{
	my ($out, $errors, $err) = run_script(join('', map {
		"CREATE TABLE w$_ (a int);\nINSERT INTO w$_ VALUES ($_);\n" . read_sql('w', $_) } 1 .. 5));
	my $reads = reads_of($out);
	is($errors, 0, 'timeout: no error') or diag $err;
	is(scalar(grep { $_->[1] eq '1' && $_->[2] == 1 } @$reads), 5,
		'timeout: each read waited until the standby applied the write, then read there')
	  or diag explain $reads;
}

# --- 4. global: other sessions' reads ------------------------------------------------------------
# Session A inserts into g; session B (psql \connect: a new pgpool session
# a few milliseconds later) reads $table.  B's [i, node, count], or undef.
sub write_then_read
{
	my ($table) = @_;
	my ($out, $errors) = run_script("INSERT INTO g VALUES (1);\n\\connect\n"
		. "SELECT 'R', 0, inet_server_port(), count(*) FROM $table;\n");
	return $errors ? undef : reads_of($out)->[0];
}
reconfigure(read_your_writes => 'session', read_your_writes_timeout => 0);
{
	my $before = $n0->query('SELECT count(*) FROM g', db => 'testdb');
	my $r = write_then_read('g');
	ok($r && $r->[1] eq '1' && $r->[2] == $before,
		'session: another session reads the stale standby right after a commit') or diag explain $r;
}
reconfigure(read_your_writes => 'global');
for my $k (1 .. 5)
{
	my $before = $n0->query('SELECT count(*) FROM g', db => 'testdb');
	my $r = write_then_read('g');
	ok($r && $r->[2] == $before + 1, "global ($k): another session's read right after the commit sees the row"
		. ($r ? " (node $r->[1])" : '')) or diag explain $r;
}
{
	my $r = write_then_read('u');
	ok($r && $r->[1] eq '1' && $r->[2] == 1, 'global: a table nobody wrote is read on the standby')
	  or diag explain $r;
}

# --- 5. the extended protocol -----------------------------------------------------------------
# UPDATE ... RETURNING v, then a read of v: "ok: UPDATE 1", "k", "ok: SELECT 1", "P|port|v" per pair.
sub pipeline_pairs
{
	my ($out) = @_;
	my @pairs;
	my $want;
	for my $l (split /\n/, $out // '')
	{
		if ($l =~ /^(\d+)$/) { $want = $1; }
		elsif ($l =~ /^P\|(\d+)\|(\d+)$/) { push @pairs, [ $want // -1, $2, node_of($1) ]; }
	}
	return \@pairs;
}

SKIP:
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_pipeline';
	skip 'test/tools/pq_pipeline not built', 8 unless -x $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=testdb user=%s connect_timeout=10',
		$pp->port, pg_user());
	my @pair = ('UPDATE pc SET v = v + 1 RETURNING v', 'SYNC', q{SELECT 'P', inet_server_port(), v FROM pc});
	my $check = sub {
		my ($label, $loops, $expect_ok) = @_;
		my ($rc, $out, $err) = run_cmd([ $bin, '-l', $loops, $conninfo, @pair ], timeout => 120);
		my $pairs = pipeline_pairs($out);
		my @bad = grep { $_->[0] != $_->[1] } @$pairs;
		if ($expect_ok)
		{
			ok($rc == 0 && @$pairs == $loops && !@bad, "$label: every read saw the write before it")
			  or diag "rc $rc\n", explain [ @bad[ 0 .. 4 ] ], $err;
		}
		else
		{
			ok(@bad > 0, "$label: reads of the standby miss the write (the check can fail)")
			  or diag explain $pairs;
		}
	};
	reconfigure(read_your_writes => 'off');
	$check->('off, pipelined extended protocol', 5, 0);
	reconfigure(read_your_writes => 'session');
	$check->('session, pipelined extended protocol', 100, 1);
	reconfigure(read_your_writes => 'session', statement_level_load_balance => 'on');
	$check->('session, statement_level_load_balance, pipelined', 100, 1);
	reconfigure(read_your_writes => 'global', statement_level_load_balance => 'off');
	$check->('global, pipelined extended protocol', 100, 1);
}

# pgbench -M extended / prepared: one request at a time.
for my $c ([ 'extended', 'off' ], [ 'prepared', 'off' ], [ 'extended', 'on' ])
{
	my ($mode, $stmt_lb) = @$c;
	reconfigure(read_your_writes => 'session', statement_level_load_balance => $stmt_lb);
	my ($rc, $out, $err) = pgbench_script($pp, <<'EOS', mode => $mode, t => 100);
UPDATE pc SET v = v + 1 RETURNING v AS w \gset
SELECT inet_server_port() AS port, v AS r FROM pc \gset
\shell echo RW :w :r :port
EOS
	my @lines = grep { /^RW / } split /\n/, $out // '';
	my @bad = grep { my @f = split / /; $f[1] != $f[2] } @lines;
	ok($rc == 0 && @lines == 100 && !@bad,
		"pgbench -M $mode, statement_level_load_balance $stmt_lb: every read saw the write before it")
	  or diag "rc $rc\n$err\n", explain [ @bad[ 0 .. 4 ] ];
}

# --- a transaction that read from the primary keeps reading there ----------------------------
reconfigure(read_your_writes => 'session', statement_level_load_balance => 'off');
{
	my ($out, $errors, $err) = run_script(<<'EOS');
INSERT INTO u VALUES (3);
BEGIN;
SELECT 'R', 1, inet_server_port(), count(*) FROM u;
\! sleep 0.7
SELECT 'R', 2, inet_server_port(), count(*) FROM u;
COMMIT;
SELECT 'R', 3, inet_server_port(), count(*) FROM u;
\! sleep 0.3
SELECT 'R', 4, inet_server_port(), count(*) FROM u;
EOS
	my @where = map { $_->[1] } @{ reads_of($out) };
	is($errors, 0, 'reads in a transaction after a write: no error') or diag $err;
	is("@where[0, 1]", '0 0', 'a transaction whose first read went to the primary stays there')
	  or diag $out;
	is($where[3], '1', 'after it the caught-up standby reads again') or diag $out;
}

# --- 6. PGPOOL EXPLAIN ROUTE ---------------------------------------------------------------------
{
	my ($out, $errors, $err) = run_script("INSERT INTO u VALUES (2);\nPGPOOL EXPLAIN ROUTE SELECT * FROM u;\n");
	is($errors, 0, 'EXPLAIN ROUTE after a write runs') or diag $err;
	like($out, qr/read_your_writes/, 'EXPLAIN ROUTE after a write: rule read_your_writes');
	my @rows = grep { /read_your_writes/ } split /\n/, $out;
	like(join("\n", @rows), qr/^0\|.*\|true\|true\|read_your_writes/m, '... the primary runs and leads it')
	  or diag $out;
	sleep 1;
	($out) = run_script("PGPOOL EXPLAIN ROUTE SELECT * FROM u;\n");
	like($out, qr/load_balance/, 'a new session without writes: load_balance');
}

# --- the worker ------------------------------------------------------------------------------------
ok(scalar($pp->child_pids(qr/read_your_writes WAL positions/)), 'the wal_pos worker runs');
unlike($pp->log_content, qr/read_your_writes cannot sample/, 'it sampled every node without a failure');

done_testing();
