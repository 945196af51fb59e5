# Streaming replication mode: where every statement goes.  A primary and
# two streaming standbys; weights 0:1:1 so a load-balanced read always runs
# on a standby and anything sent to the primary is told apart by
# inet_server_port() (queries print "P|port") or by the
# log_per_node_statement lines.  Each rule in the simple protocol, in the
# extended protocol (pgbench -M extended / -M prepared scripts, and the
# libpq client test/tools/pq_extended), in and out of transactions; the
# settings that change the rules run in pgpools of their own over the same
# cluster.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in log_statements nodes_ran
  pgbench_script pq_extended_bin);
use PgpoolTest::Util qw(pg_user run_cmd);

my @nodes = make_cluster();
my ($n0, $n1, $n2) = @nodes;

$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 10) g;
CREATE TABLE w (id serial PRIMARY KEY, note text);
CREATE SEQUENCE s;
CREATE UNLOGGED TABLE ul (a int);
INSERT INTO ul VALUES (1);
CREATE FUNCTION writer_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION reader_f() RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE FUNCTION other_f() RETURNS int LANGUAGE sql AS 'SELECT 3';
EOS
ok($n0->wait_replay($_), $_->name . ' replayed the schema') for ($n1, $n2);

my %weights = (backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1);
my $pp = stream_pgpool(\@nodes, conf => { %weights, write_function_list => 'writer_.*' });
ok($pp->start, 'pgpool starts in streaming replication mode') or die "cannot continue";

my $P = q{SELECT 'P', inet_server_port()};

# Node ids where the queries of one psql session ran (-c: one Query
# message; script => 1: one message per statement).
sub ran
{
	my ($p, $sql, %o) = @_;
	my ($rc, $out, $err) = $p->psql($sql, db => 'testdb', %o);
	return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
}

# Assert a query ran on exactly these nodes; 'lb' stands for "a standby".
sub ran_ok
{
	my ($r, $want, $name) = @_;
	my @got = @{ $r->{nodes} };
	my $ok = $r->{rc} == 0 && @got == @$want;
	for my $i (0 .. $#$want)
	{
		last unless $ok;
		$ok = $want->[$i] eq 'lb' ? ($got[$i] =~ /^[12]$/) : ($got[$i] eq $want->[$i]);
	}
	ok($ok, $name) or diag("want [@$want], got [@got] rc $r->{rc}\n$r->{out}\n$r->{err}");
	return $ok;
}

# --- SELECT is load balanced; the node is chosen once per session -------------------
{
	my %seen;
	for (1 .. 20)
	{
		my $r = ran($pp, $P);
		$seen{ $r->{nodes}[0] // 'none' }++;
	}
	ok(!$seen{0}, 'weight 0: no session reads from the primary') or diag explain \%seen;
	ok($seen{1} && $seen{2}, 'sessions read from both standbys') or diag explain \%seen;
	is((grep { !/^[012]$/ } keys %seen), 0, 'every read ran on a node') or diag explain \%seen;

	my $r = ran($pp, join('', map { "$P;\n" } 1 .. 10), script => 1);
	my %one = map { $_ => 1 } @{ $r->{nodes} };
	is(scalar @{ $r->{nodes} }, 10, 'ten reads in one session');
	is(scalar keys %one, 1, 'without statement_level_load_balance a session keeps its node')
	  or diag $r->{out};
}

# --- statements sent to the primary (simple protocol) -------------------------------
my @primary_rules = (
	[ 'SELECT ... FOR UPDATE', "$P FROM t WHERE id = 1 FOR UPDATE" ],
	[ 'SELECT ... FOR SHARE', "$P FROM t WHERE id = 1 FOR SHARE" ],
	[ 'nextval()', "$P, nextval('s')" ],
	[ 'setval()', "$P, setval('s', 100)" ],
	[ 'a function in write_function_list', "$P, writer_f()" ],
	[ 'a system catalog', "$P FROM pg_class WHERE relname = 'pg_class'" ],
	[ 'a qualified system catalog in a subquery',
		"$P WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_namespace)" ],
	[ 'information_schema', "$P FROM information_schema.tables LIMIT 1" ],
	[ 'a writable CTE', "WITH x AS (INSERT INTO w (note) VALUES ('cte') RETURNING id) $P FROM x" ],
	[ 'a leading comment without allow_sql_comments', "/* hello */ $P" ],
	[ 'a leading -- comment without allow_sql_comments', "-- hello\n$P" ],
	[ '/*NO LOAD BALANCE*/', "/*NO LOAD BALANCE*/ $P" ],
	[ 'an unlogged table created by another session', "$P FROM ul" ],
);
for my $c (@primary_rules)
{
	ran_ok(ran($pp, $c->[1]), [0], "simple protocol: $c->[0] goes to the primary");
}
ran_ok(ran($pp, "$P, reader_f()"), ['lb'], 'a function not in write_function_list is load balanced');
ran_ok(ran($pp, "$P FROM t WHERE id = 1"), ['lb'], 'a plain SELECT on a table is load balanced');
ran_ok(ran($pp, "   $P"), ['lb'], 'leading white space is ignored (ignore_leading_white_space default on)');
ran_ok(ran($pp, "$P; $P"), [ 0, 0 ], 'a multi-statement query goes to the primary');
ran_ok(ran($pp, "WITH x AS (SELECT 1) $P FROM x"), ['lb'], 'a read-only CTE is load balanced');

# SELECT INTO: the new table is on the primary, written by the primary
{
	my $r = ran($pp, 'SELECT inet_server_port() AS port INTO si_tab');
	is($r->{rc}, 0, 'SELECT INTO succeeds (a standby would refuse it)') or diag $r->{err};
	my $port = $n0->query('SELECT port FROM si_tab', db => 'testdb');
	is(node_of($port), 0, 'SELECT INTO ran on the primary');
}

# --- temporary tables ----------------------------------------------------------------
{
	my $r = ran($pp, "CREATE TEMP TABLE tt AS SELECT 1 AS a;\n$P FROM tt;\n$P FROM pg_temp.tt;\n"
		  . "DROP TABLE tt;\n$P;\nDISCARD TEMP;\n$P;\n", script => 1);
	ran_ok($r, [ 0, 0, 0, 'lb' ], 'a temporary table is read on the primary (check_temp_table), '
		  . 'so are all reads of the session until DISCARD TEMP (not DROP TABLE)');
	$r = ran($pp, "CREATE UNLOGGED TABLE ul2 (a int);\nINSERT INTO ul2 VALUES (1);\n$P FROM ul2;\n",
		script => 1);
	ran_ok($r, [0], 'an unlogged table created in the session is read on the primary');
}

# --- SERIALIZABLE ----------------------------------------------------------------------
ran_ok(ran($pp, "BEGIN ISOLATION LEVEL SERIALIZABLE;\n$P;\nCOMMIT;\n", script => 1), [0],
	'BEGIN ISOLATION LEVEL SERIALIZABLE: reads on the primary');
ran_ok(ran($pp, "BEGIN;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n$P;\nCOMMIT;\n$P;\n",
		script => 1), [ 0, 'lb' ], 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE: the primary, '
	  . 'for that transaction only');
ran_ok(ran($pp, "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n$P;\n",
		script => 1), [0], 'SET SESSION CHARACTERISTICS ... SERIALIZABLE: the primary');
ran_ok(ran($pp, "SET default_transaction_isolation = 'serializable';\n$P;\n"
		  . "RESET default_transaction_isolation;\n$P;\n", script => 1), [ 0, 'lb' ],
	'default_transaction_isolation serializable: the primary until RESET');
ran_ok(ran($pp, "BEGIN ISOLATION LEVEL REPEATABLE READ;\n$P;\nCOMMIT;\n", script => 1), ['lb'],
	'REPEATABLE READ is load balanced');

# --- reads in an explicit transaction (disable_load_balance_on_write = transaction) ----
{
	my $r = ran($pp, "BEGIN;\n$P;\nINSERT INTO w (note) VALUES ('tx');\n$P;\nCOMMIT;\n"
		  . "$P;\nBEGIN;\n$P;\nCOMMIT;\nINSERT INTO w (note) VALUES ('auto');\n$P;\n", script => 1);
	ran_ok($r, [ 'lb', 0, 'lb', 'lb', 'lb' ],
		'transaction: a read after a write in the transaction goes to the primary, not after it');
	my @lb = grep { $_ ne '0' } @{ $r->{nodes} };
	is(scalar(keys %{ { map { $_ => 1 } @lb } }), 1, 'the other reads stay on the session\'s standby');
	$r = ran($pp, "BEGIN;\nUPDATE t SET v = v WHERE id = 1;\n$P FROM t WHERE id = 1;\nROLLBACK;\n",
		script => 1);
	ran_ok($r, [0], 'UPDATE then SELECT in a transaction: the primary');
	$r = ran($pp, "BEGIN;\nSELECT nextval('s');\n$P;\nCOMMIT;\n", script => 1);
	ran_ok($r, [0], 'nextval() counts as a write in a transaction');
	$r = ran($pp, "BEGIN;\nSELECT writer_f();\n$P;\nCOMMIT;\n", script => 1);
	ran_ok($r, [0], 'a write_function_list function counts as a write in a transaction');
}

# --- per-node log lines: BEGIN/COMMIT everywhere, writes on the primary ----------------
{
	my $from = $pp->log_position;
	my $r = ran($pp, "BEGIN;\n$P;\nINSERT INTO w (note) VALUES ('logged');\nCOMMIT;\n", script => 1);
	my $lb = $r->{nodes}[0] // -1;
	my $lines = log_statements($pp, $from);
	my $begin = nodes_ran($lines, qr/^BEGIN;?$/);
	ok((grep { $_ == 0 } @$begin) && (grep { $_ == $lb } @$begin),
		'log_per_node_statement: BEGIN ran on the primary and on the session\'s standby')
	  or diag "lb $lb, BEGIN on [@$begin]";
	my $commit = nodes_ran($lines, qr/^COMMIT;?$/);
	ok((grep { $_ == 0 } @$commit) && (grep { $_ == $lb } @$commit),
		'COMMIT on the primary and on the session\'s standby') or diag "COMMIT on [@$commit]";
	is_deeply(nodes_ran($lines, qr/^INSERT INTO w .*'logged'/), [0], 'the INSERT only on the primary');
	is_deeply(nodes_ran($lines, qr/^SELECT 'P', inet_server_port\(\);?$/), [$lb],
		'the SELECT only on the standby it reported') or diag explain $lines;
	like($pp->log_content, qr/DB node id: \d+ backend pid: \d+ statement: /,
		'per-node log line format: DB node id: N backend pid: P statement: ...');
}

# --- session state: SET, RESET, DISCARD, PREPARE, DEALLOCATE, LISTEN -------------------
{
	my $from = $pp->log_position;
	my $r = ran($pp, "SET myapp.v = 'fortytwo';\n$P, current_setting('myapp.v');\n"
		  . "/*NO LOAD BALANCE*/ $P, current_setting('myapp.v');\n", script => 1);
	like($r->{out}, qr/^P\|\d+\|fortytwo\n/m, 'SET is seen by the standby that reads') or diag $r->{out} . $r->{err};
	like($r->{out}, qr/^P\|${\ $n0->port}\|fortytwo$/m, 'and by the primary');
	my $set = nodes_ran(log_statements($pp, $from), qr/^SET myapp\.v/);
	ok((grep { $_ == 0 } @$set) && (grep { $_ == ($r->{nodes}[0] // -1) } @$set),
		'SET ran on the primary and the load-balance node') or diag "SET on [@$set]";

	$r = ran($pp, "SET myapp.v = 'x';\nRESET myapp.v;\n$P, current_setting('myapp.v', true);\n"
		  . "/*NO LOAD BALANCE*/ $P, current_setting('myapp.v', true);\n", script => 1);
	is(join(',', $r->{out} =~ /^P\|\d+\|(.*)$/mg), ',', 'RESET reached the standby and the primary')
	  or diag $r->{out} . $r->{err};

	$r = ran($pp, "SET myapp.v = 'x';\nDISCARD ALL;\n$P, current_setting('myapp.v', true);\n"
		  . "/*NO LOAD BALANCE*/ $P, current_setting('myapp.v', true);\n", script => 1);
	is(join(',', $r->{out} =~ /^P\|\d+\|(.*)$/mg), ',', 'DISCARD ALL reached the standby and the primary')
	  or diag $r->{out} . $r->{err};

	$from = $pp->log_position;
	$r = ran($pp, "PREPARE q1 AS $P;\nEXECUTE q1;\nPREPARE q2 AS $P FROM t WHERE id = 1 FOR UPDATE;\n"
		  . "EXECUTE q2;\nBEGIN;\nINSERT INTO w (note) VALUES ('prep');\nEXECUTE q1;\nCOMMIT;\n"
		  . "DEALLOCATE q1;\n", script => 1);
	ran_ok($r, [ 'lb', 0, 0 ], 'EXECUTE of a read-only PREPARE is load balanced; FOR UPDATE and '
		  . 'after a write in a transaction it runs on the primary');
	my $lines = log_statements($pp, $from);
	my $lb = $r->{nodes}[0] // -1;
	# PREPARE goes where its SELECT goes; pgpool prepared it on the primary too for the
	# EXECUTE in the writing transaction, so DEALLOCATE goes to both
	is_deeply(nodes_ran($lines, qr/^PREPARE q1/), [$lb], 'PREPARE q1 ran on the session\'s standby');
	is_deeply(nodes_ran($lines, qr/^PREPARE q2/), [0], 'PREPARE q2 (FOR UPDATE) ran on the primary');
	is_deeply(nodes_ran($lines, qr/^DEALLOCATE q1/), [ 0, $lb ],
		'DEALLOCATE q1 ran on both nodes where q1 exists');
	$r = ran($pp, "PREPARE q3 AS $P;\nDEALLOCATE q3;\nEXECUTE q3;\n", script => 1);
	isnt($r->{rc}, 0, 'EXECUTE after DEALLOCATE fails');
	like($r->{err}, qr/prepared statement "q3" does not exist/, 'with PostgreSQL\'s message');

	$from = $pp->log_position;
	my $notify = join(' ', PgpoolTest::Util::pg_bin('psql'), '-X', '-h', '127.0.0.1', '-p', $pp->port,
		'-U', pg_user(), '-d', 'testdb', '-c', qq{"NOTIFY stream_chan, 'hi'"});
	$r = ran($pp, "LISTEN stream_chan;\n\\! $notify\n$P;\n", script => 1);
	like($r->{out}, qr/Asynchronous notification "stream_chan" with payload "hi" received/,
		'LISTEN/NOTIFY through pgpool') or diag $r->{out} . $r->{err};
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^LISTEN stream_chan/), [0], 'LISTEN runs on the primary');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/^NOTIFY stream_chan/), [0], 'NOTIFY runs on the primary');
}

# --- no kind mismatch: the primary's answer is the client's (035 has the details) -------
{
	# BEGIN goes to every node of the session; READ WRITE goes to the primary as written
	my $r = ran($pp, "BEGIN READ WRITE;\nCOMMIT;\n", script => 1);
	is($r->{rc}, 0, 'BEGIN READ WRITE: the standby gets a plain BEGIN') or diag $r->{err};
	unlike($r->{err}, qr/kind mismatch among backends/, 'no "kind mismatch among backends"');
	my ($rc, $out) = $pp->psql('SELECT 1', db => 'testdb');
	is($out, '1', 'pgpool keeps serving');
}

# --- extended protocol: pgbench -M extended / -M prepared ----------------------------
# Each script prints "R name port" lines; ports map to node ids.
sub ext_ran
{
	my ($p, $script, %o) = @_;
	my ($rc, $out, $err) = pgbench_script($p, $script, %o);
	my @r;
	while ($out =~ /^R (\S+) (\d+)$/mg) { push @r, node_of($2); }
	return { rc => $rc, out => $out, err => $err, nodes => \@r };
}

sub ext_select { my ($name, $sql) = @_; return "$sql \\gset $name\_\n\\shell echo R $name :$name\_port\n"; }

for my $mode ('extended', 'prepared')
{
	my $PP = 'SELECT inet_server_port() AS port';
	my $r = ext_ran($pp, ext_select('plain', $PP), mode => $mode);
	ran_ok($r, ['lb'], "-M $mode: a SELECT is load balanced");
	my @cases = (
		[ 'for update', "$PP FROM t WHERE id = 2 FOR UPDATE" ],
		[ 'nextval', "$PP, nextval('s') AS n" ],
		[ 'write function', "$PP, writer_f() AS f" ],
		[ 'system catalog', "$PP FROM pg_class WHERE relname = 'pg_proc'" ],
	);
	for my $c (@cases)
	{
		(my $name = $c->[0]) =~ s/ /_/g;
		ran_ok(ext_ran($pp, ext_select($name, $c->[1]), mode => $mode), [0],
			"-M $mode: $c->[0] goes to the primary");
	}
	$r = ext_ran($pp, "BEGIN;\n" . ext_select('before', $PP)
		  . "INSERT INTO w (note) VALUES ('ext');\n" . ext_select('after', $PP) . "COMMIT;\n"
		  . ext_select('later', $PP), mode => $mode);
	ran_ok($r, [ 'lb', 0, 'lb' ], "-M $mode: in a transaction, reads after a write go to the primary");
	$r = ext_ran($pp, "BEGIN ISOLATION LEVEL SERIALIZABLE;\n" . ext_select('ser', $PP) . "COMMIT;\n",
		mode => $mode);
	ran_ok($r, [0], "-M $mode: SERIALIZABLE transaction on the primary");
	$r = ext_ran($pp, "CREATE TEMP TABLE ett (a int);\nINSERT INTO ett VALUES (1);\n"
		  . ext_select('temp', "$PP FROM ett"), mode => $mode);
	ran_ok($r, [0], "-M $mode: a temporary table is read on the primary");
	$r = ext_ran($pp, "SET myapp.e = 'ext';\n"
		  . ext_select('set', "$PP, current_setting('myapp.e') AS e"), mode => $mode);
	ran_ok($r, ['lb'], "-M $mode: SET reached the load-balance node");
}

# A named statement prepared (and run) on a standby, then run again after a
# write in a transaction: pgpool must parse it on the primary.
{
	my $script = "BEGIN;\n\\if :round = 2\nINSERT INTO w (note) VALUES ('reparse');\n\\endif\n"
	  . "SELECT inet_server_port() AS port \\gset\nCOMMIT;\n\\shell echo R :round :port\n"
	  . "\\set round :round + 1\n";
	my $r = ext_ran($pp, $script, mode => 'prepared', t => 2, define => { round => 1 });
	ran_ok($r, [ 'lb', 0 ], '-M prepared: a statement prepared on a standby runs on the primary '
		  . 'after a write (re-parsed there)');
	unlike($r->{err}, qr/does not exist/, 'no "prepared statement does not exist" error') or diag $r->{err};
}

# pipelining: several statements before one Sync (\gset is not allowed in a
# pgbench pipeline: where each ran is read from the per-node log lines)
{
	my $from = $pp->log_position;
	my $script = "\\startpipeline\nSELECT 'pipe-a', inet_server_port();\n"
	  . "SELECT 'pipe-b', inet_server_port() FROM t WHERE id = 3 FOR UPDATE;\n"
	  . "INSERT INTO w (note) VALUES ('pipe-c');\nSELECT 'pipe-d', inet_server_port();\n"
	  . "\\endpipeline\n";
	my ($rc, $out, $err) = pgbench_script($pp, $script, mode => 'extended');
	is($rc, 0, 'a pipeline of four statements up to one Sync') or diag $out . $err;
	my $lines = log_statements($pp, $from);
	my $a = nodes_ran($lines, qr/'pipe-a'/);
	ok(@$a == 1 && $a->[0] =~ /^[12]$/, 'pipeline: the first SELECT runs on a standby') or diag "[@$a]";
	is_deeply(nodes_ran($lines, qr/'pipe-b'/), [0], 'pipeline: FOR UPDATE on the primary');
	is_deeply(nodes_ran($lines, qr/'pipe-c'/), [0], 'pipeline: INSERT on the primary');
	# the batch holds the primary now: moving it would commit its implicit transaction early
	is_deeply(nodes_ran($lines, qr/'pipe-d'/), [0], 'pipeline: the SELECT after the write stays on the primary');
}

# a driver-style batch (pgjdbc with autocommit off): BEGIN, a write and a read,
# all before one Sync: BEGIN runs everywhere, the write only on the primary
{
	my $from = $pp->log_position;
	my $script = "\\startpipeline\nBEGIN;\nUPDATE t SET v = 'pipe-e' WHERE id = 4;\n"
	  . "SELECT 'pipe-f', inet_server_port();\nCOMMIT;\n\\endpipeline\n";
	my ($rc, $out, $err) = pgbench_script($pp, $script, mode => 'extended');
	is($rc, 0, 'BEGIN, UPDATE, SELECT, COMMIT before one Sync succeed') or diag $out . $err;
	unlike($err, qr/kind mismatch/, 'no kind mismatch: the standby never saw the UPDATE');
	my $lines = log_statements($pp, $from);
	is_deeply(nodes_ran($lines, qr/pipe-e/), [0], 'the UPDATE ran on the primary only');
	is($n0->query("SELECT v FROM t WHERE id = 4", db => 'testdb'), 'pipe-e', 'and was committed');
}

# the libpq client: PQexecParams (unnamed) and PQprepare (named)
SKIP:
{
	my $bin = pq_extended_bin();
	skip 'test/tools/pq_extended is not built', 5 unless $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=testdb user=%s connect_timeout=10',
		$pp->port, pg_user());
	my $pq = sub {
		my ($rc, $out, $err) = run_cmd([ $bin, @_ ], timeout => 60);
		return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
	};
	ran_ok($pq->($conninfo, $P), ['lb'], 'PQexecParams: a SELECT is load balanced');
	ran_ok($pq->($conninfo, "/*NO LOAD BALANCE*/ $P"), [0], 'PQexecParams: /*NO LOAD BALANCE*/');
	ran_ok($pq->($conninfo, "/* c */ $P"), [0], 'PQexecParams: a leading comment');
	ran_ok($pq->('-n', 'named1', $conninfo, "$P FROM t WHERE id = 4 FOR UPDATE"), [0],
		'PQprepare: FOR UPDATE');
	ran_ok($pq->('-n', 'named2', $conninfo, "$P, reader_f()"), ['lb'], 'PQprepare: a read');
}

# --- notice_per_node_statement ----------------------------------------------------------
{
	my $np = stream_pgpool(\@nodes, name => 'pgpool-notice',
		conf => { %weights, notice_per_node_statement => 'on' });
	ok($np->start, 'a pgpool with notice_per_node_statement') or diag $np->log_content;
	my $r = ran($np, "/*NO LOAD BALANCE*/ SELECT 'notice-me'");
	like($r->{err}, qr/NOTICE:\s+DB node id: 0 statement: \/\*NO LOAD BALANCE\*\/ SELECT 'notice-me'/,
		'the client gets "NOTICE:  DB node id: 0 statement: ..."') or diag $r->{err};
	$r = ran($np, "SELECT 'notice-lb'");
	like($r->{err}, qr/NOTICE:\s+DB node id: [12] statement: SELECT 'notice-lb'/,
		'a load-balanced read names its standby') or diag $r->{err};
	$np->stop('fast');
}

# --- settings that change the rules ----------------------------------------------------
{
	my $v1 = stream_pgpool(\@nodes, name => 'pgpool-v1',
		conf => { %weights, allow_sql_comments => 'on', ignore_leading_white_space => 'off',
			disable_load_balance_on_write => 'off', statement_level_load_balance => 'on',
			black_function_list => 'writer_.*' });
	ok($v1->start, 'pgpool with allow_sql_comments, ignore_leading_white_space off, '
		  . 'disable_load_balance_on_write off, statement_level_load_balance') or diag $v1->log_content;
	ran_ok(ran($v1, "/* hello */ $P"), ['lb'], 'allow_sql_comments: a leading comment is load balanced');
	ran_ok(ran($v1, "/*NO LOAD BALANCE*/ $P"), [0], 'allow_sql_comments: /*NO LOAD BALANCE*/ still wins');
	ran_ok(ran($v1, "   $P"), [0], 'ignore_leading_white_space off: leading spaces go to the primary');
	ran_ok(ran($v1, "$P, writer_f()"), [0], 'black_function_list (old name of write_function_list)');
	ran_ok(ran($v1, "BEGIN;\nINSERT INTO w (note) VALUES ('off');\n$P;\nCOMMIT;\n", script => 1), ['lb'],
		'disable_load_balance_on_write off: a read after a write still goes to the standby');
	my $r = ran($v1, join('', map { "$P;\n" } 1 .. 40), script => 1);
	my %seen = map { $_ => 1 } @{ $r->{nodes} };
	ok($seen{1} && $seen{2} && !$seen{0}, 'statement_level_load_balance: one session\'s reads '
		  . 'spread over both standbys') or diag $r->{out};
	$v1->stop('fast');

	my $v2 = stream_pgpool(\@nodes, name => 'pgpool-v2',
		conf => { %weights, disable_load_balance_on_write => 'trans_transaction',
			read_only_function_list => 'reader_.*,inet_server_port' });
	ok($v2->start, 'pgpool with disable_load_balance_on_write trans_transaction and '
		  . 'read_only_function_list') or diag $v2->log_content;
	ran_ok(ran($v2, "$P, reader_f()"), ['lb'], 'read_only_function_list: a listed function is load balanced');
	ran_ok(ran($v2, "$P, other_f()"), [0], 'read_only_function_list: any other function goes to the primary');
	$r = ran($v2, "BEGIN;\n$P;\nCOMMIT;\nBEGIN;\nINSERT INTO w (note) VALUES ('tt');\nCOMMIT;\n"
		  . "BEGIN;\n$P;\nCOMMIT;\n$P;\n", script => 1);
	ran_ok($r, [ 'lb', 0, 'lb' ], 'trans_transaction: after a write, reads of later transactions '
		  . 'go to the primary, reads outside transactions do not');
	$v2->stop('fast');

	my $v3 = stream_pgpool(\@nodes, name => 'pgpool-v3',
		conf => { %weights, disable_load_balance_on_write => 'always' });
	ok($v3->start, 'pgpool with disable_load_balance_on_write always') or diag $v3->log_content;
	$r = ran($v3, "$P;\nINSERT INTO w (note) VALUES ('always');\n$P;\nBEGIN;\n$P;\nCOMMIT;\n",
		script => 1);
	ran_ok($r, [ 'lb', 0, 0 ], 'always: after a write every read of the session goes to the primary');
	$v3->stop('fast');
}

# --- SHOW pool_nodes in this mode --------------------------------------------------------
{
	my @rows = PgpoolTest::Stream::show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
	is(scalar @rows, 3, 'SHOW pool_nodes: three nodes');
	is_deeply([ map { $_->{role} } @rows ], [qw(primary standby standby)], 'roles');
	is_deeply([ map { $_->{status} } @rows ], [qw(up up up)], 'every node is up')
	  or diag explain \@rows;
	is($rows[0]{lb_weight}, '0.000000', 'lb_weight of the primary is 0');
	is((grep { $_->{load_balance_node} eq 'true' } @rows), 1, 'one load_balance_node');
	ok($rows[1]{select_cnt} + $rows[2]{select_cnt} > 20, 'select_cnt counts the standbys\' reads')
	  or diag explain \@rows;
}

done_testing();
