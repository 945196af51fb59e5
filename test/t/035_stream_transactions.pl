# Streaming replication: the transaction state stays the same on every
# node.  A primary and one streaming standby, weights 0:1, so every
# load-balanced read runs on the standby (disable_load_balance_on_write =
# off keeps reads there after a write, to show the standby's state).
# BEGIN ... READ WRITE / SERIALIZABLE and SET TRANSACTION READ WRITE fail
# on the standby directly and work through pgpool; the primary's result is
# the client's and the standby follows it (a transaction the primary rolled
# back rolls back there too, so its SETs revert); after a write, session
# SETs run on the primary and reach the standby after COMMIT; a read that
# fails on the standby aborts the primary's transaction too; after an error
# nothing is balanced until the transaction ends, and while it is aborted
# pgpool answers a statement bound for another node with 25P02 itself;
# transaction control goes only to the nodes with an open transaction.
# SQL PREPARE goes where its statement goes, EXECUTE / EXPLAIN EXECUTE /
# CREATE TABLE AS EXECUTE / DEALLOCATE follow it.  pg_terminate_backend()
# of a standby's backend reaches the standby, without failover.  Simple and
# extended protocol.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Background;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in log_statements nodes_ran
  pq_extended_bin);
use PgpoolTest::Util qw(pg_user run_cmd wait_until);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;

$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t (note text);
CREATE TABLE dc (a int UNIQUE DEFERRABLE INITIALLY DEFERRED);
EOS
ok($n0->wait_replay($n1), 'the standby replayed the schema');

my $pp = stream_pgpool(\@nodes, conf => { backend_weight0 => 0, backend_weight1 => 1,
	num_init_children => 4, disable_load_balance_on_write => 'off' });
ok($pp->start, 'pgpool starts in streaming replication mode') or die "cannot continue";

my $P = q{SELECT 'P', inet_server_port()};

# psql through pgpool, going on after errors; out, err and the nodes that printed P.
sub ran
{
	my ($sql, %o) = @_;
	my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb', script => 1,
		args => [ '-v', 'ON_ERROR_STOP=0' ], %o);
	return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
}

sub nodes_are
{
	my ($r, $want, $name) = @_;
	my @got = @{ $r->{nodes} };
	ok("@got" eq "@$want", $name) or diag("want [@$want], got [@got]\n$r->{out}\n$r->{err}");
}

sub direct_fails
{
	my ($sql, $re, $name) = @_;
	my ($rc, $out, $err) = $n1->psql($sql, db => 'testdb', script => 1);
	ok($rc != 0 && $err =~ $re, "directly on the standby: $name") or diag("rc $rc: $err");
}

sub rows_of { my ($note) = @_; return $n0->query("SELECT count(*) FROM t WHERE note = '$note'", db => 'testdb'); }

# --- BEGIN / SET TRANSACTION the standby refuses -------------------------------------------------------
{
	direct_fails("BEGIN READ WRITE;\nSELECT 1;\n", qr/cannot set transaction read-write mode during recovery/,
		'BEGIN READ WRITE fails');
	my $r = ran("BEGIN READ WRITE;\n$P;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR/, 'through pgpool BEGIN READ WRITE works') or diag $r->{err};
	nodes_are($r, [1], '... and the read in it is balanced to the standby');

	direct_fails("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\n", qr/cannot use serializable mode in a hot standby/,
		'BEGIN ISOLATION LEVEL SERIALIZABLE fails');
	$r = ran("BEGIN ISOLATION LEVEL SERIALIZABLE;\n$P;\nSHOW transaction_isolation;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR/, 'through pgpool BEGIN ISOLATION LEVEL SERIALIZABLE works') or diag $r->{err};
	nodes_are($r, [0], '... and its reads run on the primary');
	like($r->{out}, qr/^serializable$/m, '... which runs it SERIALIZABLE');

	direct_fails("BEGIN;\nSET TRANSACTION READ WRITE;\n", qr/cannot set transaction read-write mode during recovery/,
		'SET TRANSACTION READ WRITE fails');
	my $from = length($pp->log_content);
	$r = ran("BEGIN;\nSET TRANSACTION READ WRITE;\nSHOW transaction_read_only;\n$P;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR/, 'through pgpool SET TRANSACTION READ WRITE works') or diag $r->{err};
	like($r->{out}, qr/^off$/m, '... the primary\'s transaction is read-write');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^SET TRANSACTION READ WRITE/), [0],
		'... SET TRANSACTION READ WRITE ran on the primary only');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^BEGIN/), [ 0, 1 ], '... BEGIN on both nodes');
	direct_fails("BEGIN;\nSET transaction_read_only = off;\n", qr/cannot set transaction read-write mode during recovery/,
		'SET transaction_read_only = off fails');
	$r = ran("BEGIN;\nSET transaction_read_only = off;\nSHOW transaction_read_only;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR/, 'through pgpool SET transaction_read_only = off works') or diag $r->{err};
	like($r->{out}, qr/^off$/m, '... on the primary');
}

# --- transaction control only where a transaction is open ----------------------------------------------
{
	my $from = length($pp->log_content);
	my $r = ran("COMMIT;\nROLLBACK;\n$P;\n");
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^(COMMIT|ROLLBACK)/), [0],
		'COMMIT and ROLLBACK outside a transaction: the primary only');
	like($r->{err}, qr/there is no transaction in progress/, '... with PostgreSQL\'s warning');

	$from = length($pp->log_content);
	$r = ran("BEGIN;\nSAVEPOINT a;\n$P;\nRELEASE a;\nSAVEPOINT b;\nROLLBACK TO b;\n$P;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR|mismatch/, 'savepoints in a reading transaction: no error') or diag $r->{err};
	nodes_are($r, [ 1, 1 ], '... reads on the standby');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^(SAVEPOINT|RELEASE|ROLLBACK TO)/), [ 0, 1 ],
		'... SAVEPOINT, RELEASE and ROLLBACK TO on both nodes');

	$from = length($pp->log_content);
	$r = ran("BEGIN;\n$P;\nCOMMIT AND CHAIN;\n$P;\nROLLBACK AND CHAIN;\nSHOW transaction_isolation;\nCOMMIT;\nCOMMIT;\n");
	unlike($r->{err}, qr/ERROR|mismatch/, 'COMMIT AND CHAIN, ROLLBACK AND CHAIN: no error') or diag $r->{err};
	like($r->{err}, qr/there is no transaction in progress/, '... the last COMMIT finds none');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^(COMMIT AND CHAIN|ROLLBACK AND CHAIN)/), [ 0, 1 ],
		'... the chained transaction ends and restarts on both nodes');
	my @commits = map { $_->[0] } grep { $_->[1] =~ /^COMMIT;?$/ } @{ log_statements($pp, $from) };
	is("@commits", '0 1 0', '... COMMIT in the transaction on both nodes, the one outside on the primary only');

	$from = length($pp->log_content);
	$r = ran("BEGIN;\nINSERT INTO t VALUES ('sp');\nSAVEPOINT c;\nSET work_mem = '3MB';\nROLLBACK TO c;\n"
		  . "RELEASE c;\nCOMMIT;\n");
	ok($r->{err} !~ /ERROR|mismatch/, 'savepoints after a write: no error') or diag $r->{err};
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^(SAVEPOINT|SET|ROLLBACK TO|RELEASE)/), [0],
		'... SAVEPOINT, SET, ROLLBACK TO and RELEASE after the write: the primary only');
}

# --- the primary's result is the client's; the standby follows it --------------------------------------
{
	my $r = ran("BEGIN;\nSET work_mem = '7MB';\nINSERT INTO no_such_table VALUES (1);\nCOMMIT;\n"
		  . "SHOW work_mem;\n$P;\n");
	like($r->{err}, qr/relation "no_such_table" does not exist/, 'a write fails on the primary');
	unlike($r->{err}, qr/mismatch/, '... no kind mismatch');
	like($r->{out}, qr/^ROLLBACK$/m, '... COMMIT rolls back');
	like($r->{out}, qr/^4MB$/m, '... on the standby too: its SET reverted');
	nodes_are($r, [1], '... and the next read is balanced again');

	$r = ran("BEGIN;\nSET work_mem = '9MB';\nINSERT INTO dc VALUES (1), (1);\nCOMMIT;\nSHOW work_mem;\n");
	like($r->{err}, qr/duplicate key value violates unique constraint/,
		'COMMIT fails on the primary (deferred constraint): the client gets the primary\'s error');
	unlike($r->{err}, qr/mismatch/, '... no kind mismatch');
	like($r->{out}, qr/^4MB$/m, '... the standby rolled back too');

	direct_fails("SELECT 1/0;\n", qr/division by zero/, 'a failing read fails');
	$r = ran("BEGIN;\nINSERT INTO t VALUES ('aborted');\nSELECT 1/0;\n$P;\nCOMMIT;\n");
	like($r->{err}, qr/division by zero/, 'a read fails on the standby inside a transaction');
	like($r->{err}, qr/ERROR:  current transaction is aborted, commands ignored until end of transaction block\n.*DETAIL:  statement: SELECT 'P', inet_server_port\(\)/,
		'... the next statement (it would go to the primary) is refused by pgpool with 25P02 and DETAIL statement: ...');
	like($r->{out}, qr/^ROLLBACK$/m, '... COMMIT rolls back');
	is(rows_of('aborted'), 0, '... on the primary too: its write is gone');

	my $from = length($pp->log_content);
	$r = ran("BEGIN;\nSAVEPOINT s;\nSELECT 1/0;\nROLLBACK TO s;\n$P;\nCOMMIT;\n$P;\n");
	nodes_are($r, [ 0, 1 ], 'after an error, reads go to the primary until the transaction ends');
	unlike($r->{err}, qr/current transaction is aborted|mismatch/, '... ROLLBACK TO recovered every node');
}

# --- session SETs after a write: the primary, then replayed on the standby after COMMIT --------------
{
	my $from = length($pp->log_content);
	my $r = ran("BEGIN;\nINSERT INTO t VALUES ('set');\nSET work_mem = '5MB';\nSET LOCAL maintenance_work_mem = '99MB';\n"
		  . "COMMIT;\nSHOW work_mem;\nSHOW maintenance_work_mem;\n$P;\n");
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^SET work_mem/), [0],
		'SET after a write: the primary only');
	like($r->{out}, qr/^5MB$/m, 'after COMMIT the standby has it too');
	unlike($r->{out}, qr/^99MB$/m, '... but not the SET LOCAL');
	nodes_are($r, [1], '... and the reads ran there');

	$r = ran("BEGIN;\nINSERT INTO t VALUES ('set');\nSET work_mem = '6MB';\nROLLBACK;\nSHOW work_mem;\n");
	like($r->{out}, qr/^4MB$/m, 'after ROLLBACK nothing is replayed');
}

# --- SQL PREPARE goes where its statement goes; EXECUTE and friends follow it -----------------------
{
	direct_fails("PREPARE pw AS INSERT INTO t VALUES ('x');\nEXECUTE pw;\n",
		qr/cannot execute INSERT in a read-only transaction/, 'EXECUTE of a prepared INSERT fails');
	my $from = length($pp->log_content);
	my $r = ran("PREPARE pw AS INSERT INTO t VALUES ('prep-w');\nEXECUTE pw;\nEXPLAIN EXECUTE pw;\n"
		  . "DEALLOCATE pw;\n");
	ok($r->{err} !~ /ERROR/, 'through pgpool a prepared INSERT runs') or diag $r->{err};
	is(rows_of('prep-w'), 1, '... and wrote its row');
	my $lines = log_statements($pp, $from);
	is_deeply(nodes_ran($lines, qr/^(PREPARE|EXECUTE|EXPLAIN EXECUTE|DEALLOCATE) pw/), [0],
		'... PREPARE, EXECUTE, EXPLAIN EXECUTE and DEALLOCATE on the primary');

	$from = length($pp->log_content);
	$r = ran("PREPARE ps AS $P;\nEXECUTE ps;\nEXPLAIN EXECUTE ps;\nDEALLOCATE ps;\n");
	nodes_are($r, [1], 'a prepared SELECT runs on the standby');
	$lines = log_statements($pp, $from);
	is_deeply(nodes_ran($lines, qr/^(PREPARE|EXECUTE|EXPLAIN EXECUTE|DEALLOCATE) ps/), [1],
		'... PREPARE, EXECUTE, EXPLAIN EXECUTE and DEALLOCATE all on the standby');

	direct_fails("CREATE TEMP TABLE tt (a int);\n", qr/cannot create temporary tables during recovery|read-only/,
		'a temporary table cannot exist there');
	$r = ran("CREATE TEMP TABLE tt (a int);\nINSERT INTO tt VALUES (1);\nPREPARE pt AS $P, a FROM tt;\nEXECUTE pt;\n");
	nodes_are($r, [0], 'a prepared read of a temporary table: PREPARE and EXECUTE on the primary');

	direct_fails("CREATE TABLE ctas1 AS SELECT 1;\n", qr/read-only transaction/, 'CREATE TABLE AS fails');
	$from = length($pp->log_content);
	$r = ran("PREPARE pc AS SELECT 'P', inet_server_port();\nEXECUTE pc;\nCREATE TABLE ctas1 AS EXECUTE pc;\n"
		  . "CREATE TEMP TABLE tx (a int);\nEXECUTE pc;\nDEALLOCATE pc;\nEXECUTE pc;\n");
	nodes_are($r, [ 1, 0 ], 'CREATE TABLE AS EXECUTE, and EXECUTE once the session reads from the '
		  . 'primary (temporary table): the primary, prepared there first');
	like($r->{err}, qr/prepared statement "pc" does not exist/, 'after DEALLOCATE it is gone everywhere');
	is($n0->query('SELECT count(*) FROM ctas1', db => 'testdb'), 1, 'the table was created on the primary');
	$lines = log_statements($pp, $from);
	is_deeply(nodes_ran($lines, qr/^DEALLOCATE pc/), [ 0, 1 ], 'DEALLOCATE pc ran on both nodes');

	$from = length($pp->log_content);
	$r = ran("PREPARE a1 AS $P;\nPREPARE a2 AS INSERT INTO t VALUES ('a2');\nDEALLOCATE ALL;\nEXECUTE a1;\n");
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^DEALLOCATE ALL/), [ 0, 1 ], 'DEALLOCATE ALL: every node');
	like($r->{err}, qr/prepared statement "a1" does not exist/, '... and the names are gone');
}

# --- pg_terminate_backend: to the node holding the backend, no failover ----------------------------
{
	# an idle session whose reads ran on the standby
	my $victim = PgpoolTest::Background->start([ PgpoolTest::Util::pg_bin('psql'), '-X', '-A', '-t', '-h', '127.0.0.1',
		'-p', $pp->port, '-U', pg_user(), '-d', 'testdb', '-c', "$P", '-c', '\\! sleep 6', '-c', "$P" ],
		env => { PGAPPNAME => 'victim' });
	my $pid;
	for (1 .. 50)
	{
		$pid = $n1->query(q{SELECT pid FROM pg_stat_activity WHERE application_name = 'victim'
			AND query LIKE '%inet_server_port%'}, db => 'testdb');
		last if $pid;
		select(undef, undef, undef, 0.2);
	}
	ok($pid, 'a session through pgpool reads on the standby') or diag 'no victim backend';
	my ($rc, $out, $err) = $n0->psql("SELECT pg_terminate_backend($pid)", db => 'testdb');
	like($err, qr/is not a PostgreSQL (server|backend) process/, 'directly on the primary '
		  . 'pg_terminate_backend of the standby\'s backend fails');
	my $from = length($pp->log_content);
	my $r = ran("SELECT pg_terminate_backend($pid);\n");
	like($r->{out}, qr/^t$/m, 'through pgpool it terminates the backend') or diag $r->{err};
	like(substr($pp->log_content, $from),
		qr/found the pg_terminate_backend request for backend pid:$pid on backend node:1/,
		'... LOG "found the pg_terminate_backend request for backend pid:N on backend node:1"');
	my ($vrc, $vout, $verr) = $victim->finish(30);
	like($verr, qr/terminating connection due to administrator command|unable to read data/,
		'the victim\'s session ended');
	my @up = map { $_->{status} } PgpoolTest::Stream::show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
	is_deeply(\@up, [ 'up', 'up' ], '... and no node was detached') or diag explain \@up;
	unlike(substr($pp->log_content, $from), qr/requesting detach|failover/i, '... no failover requested');
	$r = ran("SELECT pg_terminate_backend(999999);\n");
	like(substr($pp->log_content, $from), qr/pg_terminate_backend request for backend pid:999999.*does not belong to pgpool/,
		'a pid that is not pgpool\'s: LOG says so');
}

# --- the extended protocol -------------------------------------------------------------------------
SKIP:
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_pipeline';
	skip 'test/tools/pq_pipeline not built', 15 unless -x $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=testdb user=%s connect_timeout=10',
		$pp->port, pg_user());
	my $pq = sub {
		my ($rc, $out, $err) = run_cmd([ $bin, $conninfo, @_ ], timeout => 60);
		return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
	};
	my $r = $pq->('BEGIN READ WRITE', 'SYNC', $P, 'SYNC', 'COMMIT');
	is($r->{rc}, 0, 'extended: BEGIN READ WRITE works') or diag $r->{out};
	nodes_are($r, [1], '... the read on the standby');
	$r = $pq->('BEGIN ISOLATION LEVEL SERIALIZABLE', $P, 'SYNC', 'COMMIT');
	is($r->{rc}, 0, 'extended: BEGIN ISOLATION LEVEL SERIALIZABLE and a read in one batch') or diag $r->{out};
	$r = $pq->('BEGIN', 'SYNC', 'SET work_mem = \'7MB\'', 'SYNC', 'INSERT INTO no_such_table VALUES (1)', 'SYNC',
		'COMMIT', 'SYNC', 'SHOW work_mem');
	like($r->{out}, qr/^ok: ROLLBACK$/m, 'extended: a failed write, COMMIT rolls back');
	like($r->{out}, qr/^4MB$/m, '... on the standby too');
	unlike($r->{out}, qr/mismatch/, '... no kind mismatch');
	$r = $pq->('BEGIN', "SET work_mem = '9MB'", 'INSERT INTO dc VALUES (2), (2)', 'COMMIT', 'SYNC', 'SHOW work_mem');
	like($r->{out}, qr/duplicate key value violates unique constraint/,
		'extended, one batch: BEGIN, SET, a deferred violation, COMMIT: the primary\'s error');
	like($r->{out}, qr/^4MB$/m, '... the standby rolled back too');
	$r = $pq->('BEGIN', 'INSERT INTO t VALUES (\'pipe\')', "SET work_mem = '5MB'", 'SYNC', 'COMMIT', 'SYNC',
		'SHOW work_mem', 'SYNC', $P);
	like($r->{out}, qr/^5MB$/m, 'extended: a SET after a write reaches the standby after COMMIT');
	nodes_are($r, [1], '... read there');
	$r = $pq->('CREATE TEMP TABLE tt (a int)', 'SYNC', "PREPARE pe AS $P FROM tt", 'SYNC', 'EXECUTE pe',
		'SYNC', 'DEALLOCATE pe');
	is($r->{rc}, 0, 'extended: a prepared read of a temporary table') or diag $r->{out};
	$r = $pq->("PREPARE pe AS $P", 'SYNC', 'EXECUTE pe', 'SYNC', 'CREATE TABLE ctas2 AS EXECUTE pe');
	is($r->{rc}, 0, 'extended: CREATE TABLE AS EXECUTE') or diag $r->{out};
	nodes_are($r, [1], '... EXECUTE on the standby');
	$r = $pq->('BEGIN', 'SYNC', 'SELECT 1/0', 'SYNC', $P, 'SYNC', 'ROLLBACK', 'SYNC', $P);
	like($r->{out}, qr/\[25P02\] ERROR:  current transaction is aborted/, 'extended: after a failed read: 25P02');
	nodes_are($r, [1], '... until ROLLBACK');
}

# --- a client leaving mid-transaction: ABORT on every node not idle --------------------------
{
	# without ABORT in the list, DISCARD ALL would fail inside the transaction
	$pp->set_conf(reset_query_list => 'DISCARD ALL');
	my ($reload_rc) = $pp->reload;
	is($reload_rc, 0, 'reset_query_list without ABORT');
	sleep 1;
	my $from = $pp->log_position;
	# BEGIN runs on both nodes, the read on the standby; psql leaves with the transaction open
	my $r = ran("BEGIN;\n$P;\n");
	nodes_are($r, [1], 'the read of the open transaction ran on the standby');
	for my $n (0, 1)
	{
		my $node = $nodes[$n];
		ok(wait_until(sub {
			$node->query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'testdb' "
				  . "AND state LIKE 'idle in transaction%'") eq '0' }, 10),
			"node $n: no pooled backend is left in the client's transaction");
	}
	ran('SELECT 1');			# the next client: the reset of the previous one is done by now
	unlike(substr($pp->log_content, $from), qr/reset query failed/,
		'ABORT went first on every node in a transaction: the reset query did not fail');
}

$pp->stop('fast');
done_testing();
