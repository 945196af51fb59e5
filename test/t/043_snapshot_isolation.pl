# Snapshot isolation mode over two independent nodes (no replication
# between them: pgpool runs every write on both).
#   1. pgpool refuses to start while a node runs READ COMMITTED, and its
#      log names that node.
#   2. With REPEATABLE READ on both nodes: pgbench runs concurrent transfers
#      between 10 accounts plus a reader that logs SELECT sum(bal) into a
#      table, for ~5 s; a second reader checks the total directly on each
#      node meanwhile.  Afterwards every logged total is the initial total
#      on every node, and acc and the log table are identical on both.
#   3. The hidden snapshot statement: after a client's BEGIN pgpool sends
#      SELECT 1 to both nodes before the client's next statement.  pgpool
#      does not log it with log_per_node_statement (it is not the client's),
#      so the nodes log their statements (log_statement = all) and the
#      backend pids in pgpool's log_per_node_statement lines pick out the
#      client's session in each node's log.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Background;
use PgpoolTest::Stream qw(log_statements nodes_ran);
use PgpoolTest::Util qw(pg_bin pg_user test_dir spew);

my $ACCOUNTS = 10;
my $INITIAL = 1000;
my $TOTAL = $ACCOUNTS * $INITIAL;

my @nodes = map { PgpoolTest::Node->new("node$_")->init(conf => "log_statement = 'all'\n")->start }
  0 .. 1;
for my $n (@nodes)
{
	$n->query(<<"EOS", db => 'testdb', script => 1);
CREATE TABLE acc (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO acc SELECT g, $INITIAL FROM generate_series(1, $ACCOUNTS) g;
CREATE TABLE total_log (id serial PRIMARY KEY, total bigint NOT NULL);
EOS
}

my %conf = (
	backend_clustering_mode => 'snapshot_isolation',
	sr_check_user => pg_user(), health_check_user => pg_user(),
	load_balance_mode => 'on', num_init_children => 10, max_pool => 1,
	log_per_node_statement => 'on',
);

# --- 1. refuses to start while a node runs READ COMMITTED ---------------------------------
$nodes[0]->append_conf("default_transaction_isolation = 'repeatable read'");
$nodes[0]->restart;
is($nodes[1]->query('SHOW default_transaction_isolation'), 'read committed',
	'node 1 runs read committed');

my $refused = PgpoolTest::Pgpool->new(nodes => \@nodes, conf => \%conf, name => 'pgpool_rc');
my $code = $refused->start_expect_exit(20);
ok(defined $code && $code != 0, 'pgpool exits with a non-zero code when node 1 runs read committed')
  or diag('exit code: ' . ($code // 'still running'));
my $log = $refused->log_content;
like($log, qr/FATAL:  snapshot_isolation mode requires REPEATABLE READ on every backend/,
	'the log says snapshot_isolation requires REPEATABLE READ');
like($log, qr/DETAIL:  DB node 1 has default_transaction_isolation = 'read committed'/,
	'the DETAIL names node 1 and its level');
unlike($log, qr/DETAIL:  DB node 0 has/, 'node 0 (repeatable read) is not named');

# --- 2. concurrent transfers ----------------------------------------------------------------
$nodes[1]->append_conf("default_transaction_isolation = 'repeatable read'");
$nodes[1]->restart;
my $pp = PgpoolTest::Pgpool->new(nodes => \@nodes, conf => \%conf, name => 'pgpool_rr');
ok($pp->start, 'pgpool starts when every node runs repeatable read') or die "cannot continue";

my $dir = test_dir();
my $xfer = "$dir/transfer.sql";
spew($xfer, <<"EOS");
\\set a random(1, $ACCOUNTS)
\\set b random(1, $ACCOUNTS)
\\set d random(1, 50)
BEGIN;
UPDATE acc SET bal = bal - :d WHERE id = :a;
UPDATE acc SET bal = bal + :d WHERE id = :b;
END;
EOS
my $reader = "$dir/log_total.sql";
spew($reader, "BEGIN;\nINSERT INTO total_log (total) SELECT sum(bal) FROM acc;\nEND;\n");
my $direct = "$dir/direct_total.sql";
spew($direct, <<"EOS");
SELECT sum(bal) AS total FROM acc \\gset
\\if :total != $TOTAL
\\shell echo WRONG_TOTAL :total
\\endif
EOS
chmod 0644, $xfer, $reader, $direct;

my $seconds = 5;
# The direct readers run a little longer than the load so they cover all of it.
my @direct_bg = map {
	PgpoolTest::Background->start([ pg_bin('pgbench'), '-n', '-h', '127.0.0.1', '-p', $_->port,
		'-U', pg_user(), '-c', 1, '-T', $seconds + 1, '-f', $direct, 'testdb' ])
} @nodes;
my ($rc, $out, $err) = $pp->pgbench('-n', '-c', 6, '-j', 2, '-T', $seconds, '--max-tries', 50,
	'-f', "$xfer\@3", '-f', "$reader\@1", 'testdb');
is($rc, 0, 'pgbench through pgpool completes') or diag("$out\n$err");
my ($done) = $out =~ /number of transactions actually processed: (\d+)/;
my ($failed) = $out =~ /number of failed transactions: (\d+)/;
diag("pgbench: " . ($done // '?') . " transactions, " . ($failed // '?') . " failed");
cmp_ok($done // 0, '>', 50, 'pgbench ran a real number of transactions');
is($failed // -1, 0, 'no transaction failed for good (serialization failures were retried)');

for my $i (0 .. $#nodes)
{
	my ($drc, $dout, $derr) = $direct_bg[$i]->finish(30);
	is($drc, 0, "direct reader on node $i ran") or diag($derr);
	my ($reads) = $dout =~ /number of transactions actually processed: (\d+)/;
	cmp_ok($reads // 0, '>', 10, "direct reader on node $i read the total repeatedly");
	my @wrong = $dout =~ /^WRONG_TOTAL (\S+)/mg;
	is(scalar @wrong, 0, "node $i never showed a total other than $TOTAL while transfers ran")
	  or diag("totals seen: @wrong");
}

my @state;
for my $i (0 .. $#nodes)
{
	my $row = $nodes[$i]->query(
		"SELECT count(*), count(*) FILTER (WHERE total <> $TOTAL), "
		. "md5(string_agg(id || ':' || total, ',' ORDER BY id)), "
		. "(SELECT md5(string_agg(id || ':' || bal, ',' ORDER BY id)) FROM acc), "
		. "(SELECT sum(bal) FROM acc) FROM total_log", db => 'testdb');
	my ($n, $bad, $log_md5, $acc_md5, $sum) = split /\|/, $row;
	cmp_ok($n, '>', 5, "node $i: the reader logged totals ($n)");
	is($bad, 0, "node $i: every logged total is $TOTAL");
	is($sum, $TOTAL, "node $i: acc still sums to $TOTAL");
	push @state, { log => $log_md5, acc => $acc_md5 };
}
is($state[1]{acc}, $state[0]{acc}, 'acc is identical on both nodes');
is($state[1]{log}, $state[0]{log}, 'the total log is identical on both nodes');
my $moved = $nodes[0]->query("SELECT count(*) FROM acc WHERE bal <> $INITIAL", db => 'testdb');
cmp_ok($moved, '>', 0, 'the transfers changed balances');

# --- 3. the hidden snapshot statement -------------------------------------------------------
my $from = $pp->log_position;
($rc, $out, $err) = $pp->psql("BEGIN;\nSELECT 'marker_043' AS m FROM acc LIMIT 1;\nCOMMIT;\n",
	db => 'testdb', script => 1);
is($rc, 0, 'a transaction through pgpool') or diag($err);
my $lines = log_statements($pp, $from);
is_deeply(nodes_ran($lines, qr/^BEGIN/), [ 0, 1 ], "the client's BEGIN went to both nodes");
my $marker_nodes = nodes_ran($lines, qr/marker_043/);
for my $node (0, 1)
{
	my ($pid) = substr($pp->log_content, $from) =~ /DB node id: $node backend pid: (\d+) statement: BEGIN/;
	ok($pid, "pgpool's log names node ${node}'s backend for the transaction") or next;
	# that backend's statements in the node's log, from its last BEGIN (this transaction)
	my @mine = $nodes[$node]->log_content =~ /\[$pid\] .*?LOG:  statement: (.*)$/mg;
	my ($begin) = reverse grep { $mine[$_] =~ /^BEGIN\b/i } 0 .. $#mine;
	my @tx = defined $begin ? @mine[$begin + 1 .. $#mine] : ();
	my @want = ('SELECT 1', (grep { $_ == $node } @$marker_nodes) ? ('marker') : (), 'COMMIT');
	# pgpool's own catalog look-ups (pg_catalog) may come in between; the
	# reset query (DISCARD ALL) comes after the COMMIT
	my @got;
	for my $st (grep { !/pg_catalog\./ } @tx)
	{
		push @got, $st =~ /marker_043/ ? 'marker' : $st =~ /^COMMIT/ ? 'COMMIT' : $st;
		last if $got[-1] eq 'COMMIT';
	}
	is_deeply(\@got, \@want, "node $node ran BEGIN, the hidden SELECT 1, then the client's statements")
	  or diag("backend $pid on node $node:\n" . join("\n", @mine));
}

done_testing;
