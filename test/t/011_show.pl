# SHOW pool_* commands answered by pgpool: every item read with psql -A
# (exact column list, row counts, values), passwords masked, any case,
# a quoted database name, and the extended protocol through a libpq client
# (test/tools/pq_extended: PQexecParams and a named prepared statement).
use strict;
use warnings;
use File::Copy qw(copy);
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user run_cmd test_dir chown_test);

my $NUM_INIT_CHILDREN = 4;
my $MAX_POOL = 2;

my $node0 = PgpoolTest::Node->new('node0')->init->start;
my $node1 = PgpoolTest::Node->new('node1')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [ $node0, $node1 ],
	conf => { num_init_children => $NUM_INIT_CHILDREN, max_pool => $MAX_POOL,
		health_check_password => 'hc-secret-pw', sr_check_password => 'sr-secret-pw',
		recovery_password => 'rec-secret-pw' });
ok($pp->start, 'pgpool starts with two nodes') or die "cannot continue";

my %COLUMNS = (
	pool_status => 'item|value|description',
	pool_nodes => 'node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|select_cnt|'
	  . 'load_balance_node|replication_delay|replication_state|replication_sync_state|'
	  . 'last_status_change',
	pool_processes => 'pool_pid|start_time|client_connection_count|database|username|'
	  . 'backend_connection_time|pool_counter|status',
	pool_pools => 'pool_pid|start_time|client_connection_count|pool_id|backend_id|database|'
	  . 'username|backend_connection_time|client_connection_time|client_disconnection_time|'
	  . 'client_idle_duration|majorversion|minorversion|pool_counter|pool_backendpid|'
	  . 'pool_connected|status',
	pool_version => 'pool_version',
	pool_cache => 'num_cache_hits|num_selects|cache_hit_ratio|num_hash_entries|'
	  . 'used_hash_entries|num_cache_entries|used_cache_entries_size|free_cache_entries_size|'
	  . 'fragment_cache_entries_size|invalidation_source|wal_node_id|wal_lag_bytes|wal_lag_seconds',
	pool_health_check_stats => 'node_id|hostname|port|status|role|last_status_change|'
	  . 'total_count|success_count|fail_count|skip_count|retry_count|average_retry_count|'
	  . 'max_retry_count|max_duration|min_duration|average_duration|last_health_check|'
	  . 'last_successful_health_check|last_skip_health_check|last_failed_health_check',
	pool_backend_stats => 'node_id|hostname|port|status|role|select_cnt|insert_cnt|update_cnt|'
	  . 'delete_cnt|ddl_cnt|other_cnt|panic_cnt|fatal_cnt|error_cnt',
);

# Run SQL through pgpool with psql -A, header on, no footer: (rc, [lines], stderr).
sub show
{
	my ($sql, %o) = @_;
	my ($rc, $out, $err) = $pp->psql($sql,
		args => [ '-P', 'tuples_only=off', '-P', 'footer=off' ], %o);
	return ($rc, [ split /\n/, $out ], $err);
}

# Rows of a result as hashes keyed by column name.
sub rows_of
{
	my ($lines) = @_;
	my @cols = split /\|/, $lines->[0] // '', -1;
	my @rows;
	for my $l (@{$lines}[ 1 .. $#$lines ])
	{
		my @v = split /\|/, $l, -1;
		push @rows, { map { $cols[$_] => $v[$_] } 0 .. $#cols };
	}
	return @rows;
}

# --- every item: exact header ----------------------------------------------------
for my $item (sort keys %COLUMNS)
{
	my ($rc, $lines, $err) = show("SHOW $item");
	is($rc, 0, "SHOW $item succeeds") or diag $err;
	is($lines->[0], $COLUMNS{$item}, "SHOW $item: column list");
}

# --- pool_nodes -------------------------------------------------------------------
{
	my ($rc, $lines, $err) = show('SHOW pool_nodes');
	my @r = rows_of($lines);
	is(scalar @r, 2, 'pool_nodes: one row per node');
	is_deeply([ map { $_->{node_id} } @r ], [ 0, 1 ], 'node ids');
	is_deeply([ map { $_->{port} } @r ], [ $node0->port, $node1->port ], 'node ports');
	is($r[0]{hostname}, '127.0.0.1', 'hostname');
	like($r[$_]{status}, qr/^(up|waiting)$/, "node $_ status is up or waiting") for 0 .. 1;
	is($r[$_]{pg_status}, 'up', "node $_ pg_status: the server answers") for 0 .. 1;
	is($r[$_]{lb_weight}, '0.500000', "node $_ lb_weight") for 0 .. 1;
	is($r[0]{role}, 'main', 'raw mode: node 0 is main');
	is($r[1]{role}, 'replica', 'raw mode: node 1 is replica');
	is($r[0]{load_balance_node}, 'true', 'this session reads from node 0');
	is($r[1]{load_balance_node}, 'false', 'not from node 1');
	like($r[0]{last_status_change}, qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'timestamp format');
	like($r[0]{select_cnt}, qr/^\d+$/, 'select_cnt is a number');
}

# --- pool_processes: always num_init_children rows -------------------------------
{
	my ($rc, $lines, $err) = show('SHOW pool_processes');
	my @r = rows_of($lines);
	is(scalar @r, $NUM_INIT_CHILDREN, 'pool_processes: num_init_children rows');
	my @pids = $pp->child_pids(qr/pgpool: /);
	ok((grep { my $p = $_->{pool_pid}; grep { $_ == $p } @pids } @r) == $NUM_INIT_CHILDREN,
		'pool_pid values are pgpool children') or diag explain \@r;
	my @me = grep { $_->{status} eq 'Execute command' } @r;
	is(scalar @me, 1, 'the child running the SHOW says "Execute command"');
	is($me[0]{database}, 'postgres', 'with its database');
	is($me[0]{username}, pg_user(), 'and user');
	ok((grep { $_->{status} eq 'Wait for connection' } @r) >= 1, 'idle children wait for connection');
	like($r[0]{start_time}, qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, 'start_time format');
}

# --- pool_pools: always num_init_children * max_pool rows ------------------------
{
	my ($rc, $out, $err) = $pp->psql('select 1', db => 'testdb');
	is($out, '1', 'a session on testdb leaves a pooled connection');
	my $lines;
	($rc, $lines, $err) = show('SHOW pool_pools');
	my @r = rows_of($lines);
	is(scalar @r, $NUM_INIT_CHILDREN * $MAX_POOL, 'pool_pools: num_init_children * max_pool rows');
	my @pooled = grep { $_->{database} eq 'testdb' } @r;
	ok(@pooled >= 1, 'the pooled testdb connection is listed') or diag explain \@r;
	if (@pooled)
	{
		is($pooled[0]{username}, pg_user(), 'with its user');
		is($pooled[0]{majorversion} . '.' . $pooled[0]{minorversion}, '3.0', 'protocol 3.0');
		like($pooled[0]{pool_backendpid}, qr/^[1-9]\d*$/, 'and the backend pid');
		is($pooled[0]{pool_connected}, '0', 'no client uses it now');
		is($pooled[0]{backend_id}, '0', 'on node 0');
	}
	my @mine = grep { $_->{pool_connected} eq '1' } @r;
	is(scalar @mine, 1, 'exactly one slot is in use: this session\'s');
	is($mine[0]{database}, 'postgres', 'on database postgres') if @mine;
	my %ids = map { $_->{pool_id} => 1 } @r;
	is_deeply([ sort keys %ids ], [ 0 .. $MAX_POOL - 1 ], 'pool ids 0 .. max_pool-1');
}

# --- pool_status: every parameter, secrets masked ---------------------------------
{
	my ($rc, $lines, $err) = show('SHOW pool_status');
	my %v = map { $_->{item} => $_->{value} } rows_of($lines);
	ok(keys %v > 100, 'pool_status lists the parameters') or diag scalar keys %v;
	is($v{backend_hostname0}, '127.0.0.1', 'backend_hostname0');
	is($v{backend_port0}, $node0->port, 'backend_port0');
	is($v{backend_port1}, $node1->port, 'backend_port1');
	is($v{num_init_children}, $NUM_INIT_CHILDREN, 'num_init_children');
	is($v{port}, $pp->port, 'port');
	is($v{$_}, '********', "$_ is masked")
	  for qw(health_check_password sr_check_password recovery_password);
	unlike(join("\n", @$lines), qr/secret-pw/, 'no password appears anywhere');
}

# --- version, cache, stats -----------------------------------------------------------
{
	my ($rc, $lines) = show('SHOW pool_version');
	like($lines->[1], qr/^4\.3\.\d+ \(\w+\)$/, 'pool_version: pgpool-II release and name');
	($rc, $lines) = show('SHOW pool_cache');
	is_deeply([ @$lines[ 1 .. $#$lines ] ], ['0|0|0.00|0|0|0|0|0|0|pgpool|||'],
		'pool_cache: one row of zeros when the cache is off');
	($rc, $lines) = show('SHOW pool_health_check_stats');
	my @r = rows_of($lines);
	is_deeply([ map { $_->{port} } @r ], [ $node0->port, $node1->port ],
		'pool_health_check_stats: one row per node');
	is($r[0]{average_retry_count}, '0.000000', 'averages in %f format');
	($rc, $lines) = show('SHOW pool_backend_stats');
	@r = rows_of($lines);
	is_deeply([ map { $_->{node_id} } @r ], [ 0, 1 ], 'pool_backend_stats: one row per node');
	is($r[1]{role}, 'replica', 'with the role');
}

# --- case, quoting, pass-through -------------------------------------------------------
{
	my ($rc, $lines, $err) = show('show POOL_NODES');
	is($lines->[0], $COLUMNS{pool_nodes}, 'show POOL_NODES (upper case)') or diag $err;
	($rc, $lines, $err) = show(' /* admin */ Show Pool_Version ;');
	like($lines->[1] // '', qr/^4\.3/, 'comment, mixed case and semicolon') or diag $err;
	($rc, $lines, $err) = show("BEGIN;\nSHOW pool_processes;\nCOMMIT;", script => 1);
	is($rc, 0, 'SHOW inside a transaction block') or diag $err;
	($rc, $lines, $err) = show('SHOW pool_nonsense');
	isnt($rc, 0, 'an unknown pool_ item fails');
	like($err, qr/unrecognized configuration parameter "pool_nonsense"/,
		'with PostgreSQL\'s message');
	my $out;
	($rc, $out, $err) = $pp->psql('SHOW server_version_num');
	like($out, qr/^150\d{3}$/, 'other SHOW commands reach PostgreSQL');

	$node0->query(q{CREATE DATABASE "it's\\db"});
	($rc, $out, $err) = $pp->psql('select current_database()', db => q{it's\db});
	is($out, q{it's\db}, 'a session on a database named with a quote and a backslash');
	($rc, $lines, $err) = show('SHOW pool_pools');
	is($rc, 0, 'SHOW pool_pools with that name in the pool') or diag $err;
	ok((grep { $_->{database} eq q{it's\db} } rows_of($lines)), 'the name is shown as it is');
	($rc, $lines, $err) = show("SET standard_conforming_strings = off;\nSHOW pool_pools;",
		script => 1);
	ok((grep { ($_->{database} // '') eq q{it's\db} } rows_of([ grep { !/^SET$/ } @$lines ])),
		'also with standard_conforming_strings off') or diag $err;
}

# --- extended protocol: libpq PQexecParams / PQprepare ---------------------------------
sub pq_extended_bin
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_extended';
	return undef unless -x $bin;
	my ($rc) = run_cmd([ 'test', '-x', $bin ]);
	return $bin unless $rc;
	my $copy = test_dir() . '/pq_extended';
	copy($bin, $copy) or return undef;
	chmod 0755, $copy;
	chown_test($copy);
	return $copy;
}

SKIP:
{
	my $bin = pq_extended_bin();
	skip 'test/tools/pq_extended is not built (make check builds it)', 8 unless $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=postgres user=%s connect_timeout=10',
		$pp->port, pg_user());
	my ($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'SHOW pool_nodes' ], timeout => 60);
	is($rc, 0, 'extended protocol: SHOW pool_nodes') or diag $err;
	my @lines = split /\n/, $out;
	is($lines[0], $COLUMNS{pool_nodes}, 'extended: column list');
	is(scalar(@lines) - 1, 2, 'extended: two rows');
	($rc, $out, $err) = run_cmd([ $bin, '-n', 'st1', $conninfo, 'show POOL_PROCESSES' ], timeout => 60);
	is($rc, 0, 'extended protocol, named prepared statement') or diag $err;
	@lines = split /\n/, $out;
	is($lines[0], $COLUMNS{pool_processes}, 'prepared: column list');
	is(scalar(@lines) - 1, $NUM_INIT_CHILDREN, 'prepared: num_init_children rows');
	($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'SHOW pool_pools' ], timeout => 60);
	is(scalar(split /\n/, $out) - 1, $NUM_INIT_CHILDREN * $MAX_POOL, 'extended: pool_pools rows');
	($rc, $out, $err) = run_cmd([ $bin, $conninfo, 'SHOW pool_status' ], timeout => 60);
	unlike($out, qr/secret-pw/, 'extended: passwords masked too');
}

# --- multi-node sessions (native replication mode) --------------------------------------
{
	my $rp = PgpoolTest::Pgpool->new(name => 'pgpool-repl', nodes => [ $node0, $node1 ],
		conf => { backend_clustering_mode => 'native_replication',
			num_init_children => $NUM_INIT_CHILDREN, max_pool => $MAX_POOL });
	ok($rp->start, 'a second pgpool in native replication mode') or diag $rp->log_content;
	my ($rc, $out, $err) = $rp->psql('SHOW pool_nodes',
		args => [ '-P', 'tuples_only=off', '-P', 'footer=off' ]);
	my @lines = split /\n/, $out;
	is($lines[0], $COLUMNS{pool_nodes}, 'native replication: SHOW pool_nodes') or diag $err;
	my @r = rows_of(\@lines);
	is_deeply([ map { $_->{role} } @r ], [ 'main', 'replica' ], 'native replication: roles');
	is(scalar(grep { $_->{load_balance_node} eq 'true' } @r), 1, 'one load-balance node');
	($rc, $out, $err) = $rp->psql('show POOL_PROCESSES', args => [ '-P', 'tuples_only=off' ]);
	is(scalar(grep { /Execute command/ } split /\n/, $out), 1,
		'native replication: SHOW pool_processes') or diag $err;
  SKIP:
	{
		my $bin = pq_extended_bin();
		skip 'test/tools/pq_extended is not built', 2 unless $bin;
		my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=postgres user=%s connect_timeout=10',
			$rp->port, pg_user());
		($rc, $out, $err) = run_cmd([ $bin, '-n', 'st2', $conninfo, 'SHOW pool_pools' ], timeout => 60);
		is($rc, 0, 'native replication: extended protocol') or diag $err;
		is(scalar(split /\n/, $out) - 1, $NUM_INIT_CHILDREN * $MAX_POOL, 'with every pool slot');
	}
	$rp->stop('fast');
}

# --- the actual state of a stopped node -----------------------------------------------
{
	$node1->stop;
	my ($rc, $lines, $err) = show('SHOW pool_nodes');
	my @r = rows_of($lines);
	is($r[1]{pg_status}, 'down', 'pg_status of a stopped server is down') or diag $err;
	is($r[0]{pg_status}, 'up', 'the other one is still up');
}

done_testing();
