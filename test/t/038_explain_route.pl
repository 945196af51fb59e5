# PGPOOL EXPLAIN ROUTE and log_routing in streaming replication mode: a
# primary and two standbys, weights 0:1:1 so a load-balanced read always
# goes to a standby.  The answer has one row per node (node_id, hostname,
# port, status, role, runs, lead, rule, reason); the statement explained
# never runs.  Simple and extended protocol (test/tools/pq_extended), in
# and out of a transaction, and raw mode.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool show_rows pq_extended_bin);
use PgpoolTest::Util qw(pg_user run_cmd);

my @nodes = make_cluster();
my ($n0, $n1, $n2) = @nodes;

$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t VALUES (1, 'a');
CREATE TABLE e (id int);
EOS
ok($n0->wait_replay($_), $_->name . ' replayed the schema') for ($n1, $n2);

my $pp = stream_pgpool(\@nodes, conf => {
	backend_weight0 => 0, backend_weight1 => 1, backend_weight2 => 1, log_routing => 'on' });
ok($pp->start, 'pgpool starts in streaming replication mode') or die "cannot continue";

# Rows of one EXPLAIN ROUTE answer (psql -A with headers) as hashes.
sub rows_of
{
	my ($out) = @_;
	my @lines = grep { /\|/ } split /\n/, $out // '';
	my @cols = split /\|/, shift(@lines) // '', -1;
	return map { my @v = split /\|/, $_, -1; +{ map { $cols[$_] => $v[$_] } 0 .. $#cols } } @lines;
}

# Check an answer: the nodes that run it ('lb': exactly one standby), the lead and the rule.
sub route_ok
{
	my ($rows, $want, $rule, $name) = @_;
	my @runs = map { $_->{node_id} } grep { ($_->{runs} // '') eq 'true' } @$rows;
	my @lead = map { $_->{node_id} } grep { ($_->{lead} // '') eq 'true' } @$rows;
	my %rules = map { ($_->{rule} // '') => 1 } @$rows;
	my $ok = @$rows == 3 && keys %rules == 1 && exists $rules{$rule} && @lead == 1;
	if ($ok && $want eq 'lb')
	{
		$ok = @runs == 1 && $runs[0] =~ /^[12]$/ && $lead[0] eq $runs[0];
	}
	elsif ($ok)
	{
		$ok = "@runs" eq $want && $lead[0] eq (split / /, $want)[0];
	}
	ok($ok, $name) or diag explain $rows;
}

sub explain_route
{
	my ($sql) = @_;
	return [ show_rows($pp, "PGPOOL EXPLAIN ROUTE $sql", db => 'testdb') ];
}

my $log_from = length($pp->log_content);

route_ok(explain_route('SELECT * FROM t'), 'lb', 'load_balance', 'a SELECT goes to a standby');
{
	my $r = explain_route('SELECT * FROM t');
	my ($row) = grep { $_->{node_id} eq '0' } @$r;
	is($row->{role}, 'primary', 'node 0 is shown as the primary');
	is($row->{port}, $n0->port, 'the row shows the node\'s port');
	like($row->{reason}, qr/read-only/, 'the reason is the rule\'s explanation');
}
route_ok(explain_route("INSERT INTO e VALUES (1)"), '0', 'write', 'an INSERT goes to the primary only');
route_ok(explain_route('SELECT random()'), '0', 'volatile_function',
	'a SELECT calling a volatile function goes to the primary');
route_ok(explain_route('SELECT * FROM t FOR UPDATE;'), '0', 'for_update', 'FOR UPDATE (trailing ;)');
route_ok(explain_route('BEGIN'), '0 1 2', 'begin', 'BEGIN goes to every node');

is($n0->query('SELECT count(*) FROM e', db => 'testdb'), '0',
	'the INSERT explained did not run');

# In a transaction after a write: the read follows the write to the primary.
{
	my ($rc, $out, $err) = $pp->psql(<<'EOS', db => 'testdb', script => 1, args => [ '-P', 'tuples_only=off', '-P', 'footer=off' ]);
BEGIN;
PGPOOL EXPLAIN ROUTE SELECT * FROM t;
INSERT INTO e VALUES (2);
PGPOOL EXPLAIN ROUTE SELECT * FROM t;
ROLLBACK;
EOS
	is($rc, 0, 'a transaction with EXPLAIN ROUTE runs') or diag $err;
	my @blocks = split /^(?=node_id\|)/m, $out;
	@blocks = grep { /^node_id\|/ } @blocks;
	is(scalar @blocks, 2, 'two answers');
	route_ok([ rows_of($blocks[0]) ], 'lb', 'load_balance', 'in a transaction before a write: a standby');
	route_ok([ rows_of($blocks[1]) ], '0', 'write_in_transaction',
		'in a transaction after a write: the primary');
}

# Errors
{
	my ($rc, $out, $err) = $pp->psql('PGPOOL EXPLAIN ROUTE', db => 'testdb');
	isnt($rc, 0, 'EXPLAIN ROUTE without a statement fails');
	like($err, qr/syntax error in PGPOOL command/, '... with a syntax error');
	($rc, $out, $err) = $pp->psql('PGPOOL EXPLAIN ROUTE PGPOOL SHOW ALL', db => 'testdb');
	like($err, qr/cannot explain a PGPOOL command/, 'a PGPOOL command is not explained');
}

# Extended protocol
SKIP: {
	my $bin = pq_extended_bin();
	skip 'test/tools/pq_extended is not built', 3 unless $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=testdb user=%s connect_timeout=10',
		$pp->port, pg_user());
	my ($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'PGPOOL EXPLAIN ROUTE INSERT INTO e VALUES (3)' ],
		timeout => 60);
	route_ok([ rows_of($out) ], '0', 'write', 'extended protocol: an INSERT goes to the primary');
	($rc, $out, $err) = run_cmd([ $bin, '-n', 'ex1', $conninfo, 'PGPOOL EXPLAIN ROUTE SELECT v FROM t' ],
		timeout => 60);
	route_ok([ rows_of($out) ], 'lb', 'load_balance', 'extended protocol, named: a SELECT goes to a standby');
	is($n0->query('SELECT count(*) FROM e', db => 'testdb'), '0',
		'the INSERT explained in extended protocol did not run');
}

# log_routing: one line per routed statement
{
	$pp->psql("INSERT INTO e VALUES (10); SELECT * FROM t WHERE id = 1", db => 'testdb', script => 1);
	my $log = substr($pp->log_content, $log_from);
	like($log, qr/statement routed to node\(s\) 0 by rule "write": statement writes\n.*statement: INSERT INTO e VALUES \(10\)/,
		'log_routing: the INSERT went to node 0 by rule write');
	like($log, qr/statement routed to node\(s\) [12] by rule "load_balance": [^\n]*\n.*statement: SELECT \* FROM t WHERE id = 1/,
		'log_routing: the SELECT went to a standby by rule load_balance');
}
{
	my $pq = PgpoolTest::Pgpool->new(name => 'pgpool_raw', nodes => [$n0],
		conf => { backend_clustering_mode => 'raw' });
	ok($pq->start, 'a raw-mode pgpool starts') or last;
	my @rows = show_rows($pq, 'PGPOOL EXPLAIN ROUTE INSERT INTO e VALUES (4)', db => 'testdb');
	is(scalar @rows, 1, 'raw mode: one node');
	is("$rows[0]{runs}|$rows[0]{lead}|$rows[0]{rule}", 'true|true|raw_mode', 'raw mode: the main node by rule raw_mode')
		or diag explain \@rows;
	$pq->stop;
}

done_testing();
