# The query cache in native replication and snapshot isolation (the raw
# mode is 060, streaming replication 061): answers kept and invalidated
# while reads are balanced over the nodes, and pgbench with the cache on
# (simple, extended, prepared) leaves every node with the same data and
# every read answering what PostgreSQL holds.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Cache qw(cache_hits cache_conf);
use PgpoolTest::Native qw(make_nodes native_pgpool tables_md5 pgbench_ok);

my @nodes = make_nodes(2);
for my $mode ('native_replication', 'snapshot_isolation')
{
	if ($mode eq 'snapshot_isolation')
	{
		# the mode requires every node to run at REPEATABLE READ
		for my $n (@nodes) { $n->append_conf("default_transaction_isolation = 'repeatable read'"); $n->reload; }
		sleep 1;
	}
	my $pp = native_pgpool(\@nodes, name => "pgpool-$mode",
		conf => { %{ cache_conf() }, backend_clustering_mode => $mode,
			num_init_children => 10, max_pool => 1 });
	ok($pp->start, "$mode: pgpool starts with the query cache") or next;
	my $q = sub { my ($rc, $out, $err) = $pp->psql($_[0], db => 'testdb'); return $rc ? "ERROR: $err" : $out; };
	$q->('drop table if exists t; create table t (id int primary key, v text);
		insert into t select g, \'v\' || g from generate_series(1, 10) g');
	my $sql = 'select v from t where id = 1';
	$q->($sql) for 1 .. 4;
	is(cache_hits($pp, $sql), 3, "$mode: repeated reads are answered from the cache");
	$q->("update t set v = 'new' where id = 1");
	is($q->($sql), 'new', "$mode: a replicated UPDATE invalidates the answer");
	is($q->($sql), 'new', "$mode: and the next read stays new");

	my ($rc, $out, $err) = $pp->pgbench('-i', '-q', '-s', '1', 'testdb');
	is($rc, 0, "$mode: pgbench -i") or diag $err;
	for my $m ('simple', 'extended', 'prepared')
	{
		# at REPEATABLE READ concurrent TPC-B updates fail to serialize: one client there
		my @clients = $mode eq 'snapshot_isolation' ? ('-c', '1') : ('-c', '4', '-j', '2');
		ok(pgbench_ok($pp->pgbench('-n', @clients, '-T', '3', '-M', $m, 'testdb')),
			"$mode: pgbench -M $m with the cache on");
	}
	my @sums = map { join ' ', tables_md5($_, ['pgbench_accounts', 'aid'], ['pgbench_branches', 'bid'],
		['pgbench_tellers', 'tid']) } @nodes;
	is($sums[1], $sums[0], "$mode: every node holds the same data after pgbench");
	my $total = $nodes[0]->query('select sum(abalance) from pgbench_accounts', db => 'testdb');
	is($q->('select sum(abalance) from pgbench_accounts'), $total,
		"$mode: a read through pgpool answers what PostgreSQL holds");
	is($q->('select sum(abalance) from pgbench_accounts'), $total, "$mode: also from the cache");
	$pp->stop;
}

done_testing();
