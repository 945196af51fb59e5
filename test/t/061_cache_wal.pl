# Query cache invalidation from the WAL (memqcache_invalidation_source =
# wal): the worker follows the primary by logical decoding.  Checked: what
# the worker does on the servers and says in the log (DEBUG1 "query cache:
# invalidated N tables"), and end to end that an answer cached by pgpool is
# replaced after a write made directly on the primary, also after failover.
#
#   1. wal_level = replica: an ERROR with a HINT, no slot;
#   2. on a primary with wal_level = logical: a publication and one slot per
#      database, the whole cache cleared once for the new slots; a write
#      made directly on the primary is invalidated and confirmed
#      (confirmed_flush_lsn) within a few seconds; two tables, TRUNCATE, an
#      empty transaction; a new database gets its slot;
#   3. a restart resumes the slots (nothing cleared); pgpool -c drops them;
#   4. failover (pcp_promote_node --switchover): the worker follows the new
#      primary, creates its slots there and invalidates its writes.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pcp;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool sample_script);
use PgpoolTest::Cache qw(cache_hits);
use PgpoolTest::Util qw(pg_bin wait_until tail_text);
use Time::HiRes ();

my %wal = (memory_cache_enabled => 'on', memqcache_invalidation_source => 'wal',
	log_min_messages => 'debug1', log_per_node_statement => 'on');

# Read through pgpool until it answers $want (a cached answer is replaced
# once the worker invalidated it); the seconds it took, or undef.
sub reads_new_value
{
	my ($pp, $sql, $want, $timeout) = @_;
	my $t0 = Time::HiRes::time();
	my $ok = wait_until(sub { ($pp->psql($sql, db => 'testdb'))[1] eq $want }, $timeout);
	return $ok ? Time::HiRes::time() - $t0 : undef;
}

sub slots_on
{
	my ($node) = @_;
	return $node->query("SELECT string_agg(slot_name || ':' || CASE WHEN active THEN 'active' ELSE 'idle' END, ',' ORDER BY slot_name) "
		  . "FROM pg_replication_slots WHERE slot_name LIKE 'pgpool_query_cache_%'");
}

sub db_oid
{
	my ($node, $db) = @_;
	return $node->query("SELECT oid FROM pg_database WHERE datname = '$db'");
}

# The slot of testdb has confirmed everything up to the primary's WAL position now.
sub confirms_now
{
	my ($node, $timeout) = @_;
	my $slot = 'pgpool_query_cache_' . db_oid($node, 'testdb');
	my $lsn = $node->query('SELECT pg_current_wal_lsn()');
	return wait_until(sub {
		$node->query("SELECT coalesce(confirmed_flush_lsn >= '$lsn', false) FROM pg_replication_slots "
			  . "WHERE slot_name = '$slot'") eq 't' }, $timeout);
}

# --- 1. wal_level = replica ---------------------------------------------------------------
{
	my $plain = PgpoolTest::Node->new('plain')->init->start;
	my $pp = PgpoolTest::Pgpool->new(nodes => [$plain], name => 'pgpool-replica',
		conf => { %wal, sr_check_user => PgpoolTest::Util::pg_user() });
	ok($pp->start, 'pgpool starts with the WAL worker on a wal_level = replica server')
	  or die 'cannot continue';
	ok($pp->wait_for_log(qr/ERROR:  query cache invalidation from the WAL needs wal_level = logical on DB node 0/, 10),
		'the worker logs an ERROR') or diag tail_text($pp->log_content, 20);
	like($pp->log_content, qr/HINT:  Set wal_level = logical on the primary/, 'with a HINT');
	is(slots_on($plain), '', 'no slot was created');
	$pp->stop('fast');
	$plain->stop('fast');
}

my @nodes = make_cluster(standbys => 1, conf => "wal_level = logical\n");
my ($n0, $n1) = @nodes;
$n0->query('CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int);
	INSERT INTO t SELECT g, g::text FROM generate_series(1, 10) g', db => 'testdb');

my $pp = stream_pgpool(\@nodes, conf => { %wal, sr_check_period => 1 });
my $failover_sh = sample_script('failover.sh');
$pp->set_conf(failover_command => 'PGBIN=' . pg_bin() . " $failover_sh %d %h %p %D %m %H %M %P %r %R %N %S");

# --- 2. following the primary ------------------------------------------------------------
{
	ok($pp->start, 'pgpool starts with memqcache_invalidation_source = wal') or die 'cannot continue';
	ok($pp->wait_for_log(qr/query cache invalidation now follows the WAL of node 0/, 10), 'the worker follows node 0');
	my ($testdb, $postgres) = (db_oid($n0, 'testdb'), db_oid($n0, 'postgres'));
	my $want = join ',', sort("pgpool_query_cache_$testdb:active", "pgpool_query_cache_$postgres:active");
	ok(wait_until(sub { slots_on($n0) eq $want }, 15), 'one active slot per database (not the templates)')
	  or diag slots_on($n0) . "\n" . tail_text($pp->log_content, 30);
	is($n0->query("SELECT puballtables FROM pg_publication WHERE pubname = 'pgpool_query_cache'", db => 'testdb'),
		't', 'publication pgpool_query_cache FOR ALL TABLES in testdb');
	my @clears = $pp->log_content =~ /clearing the whole cache/g;
	ok(@clears >= 1 && @clears <= 2, 'the cache was cleared for the new slots') or diag scalar @clears;

	# end to end: an answer cached by pgpool, a write made directly on the primary
	my $sql = 'select v from t where id = 1';
	$pp->psql($sql, db => 'testdb') for 1 .. 2;
	is(cache_hits($pp, $sql), 1, 'the answer is cached');
	my $from = $pp->log_position;
	$n0->query("UPDATE t SET v = 'x' WHERE id = 1", db => 'testdb');
	my $took = reads_new_value($pp, $sql, 'x', 10);
	ok(defined $took, 'an UPDATE made directly on the primary replaces the cached answer');
	note(sprintf('new value read through pgpool %.2f s after the direct UPDATE', $took // -1));
	my ($src_rc, $show) = $pp->psql('show pool_cache', db => 'testdb', args => ['-x']);
	like($show, qr/^invalidation_source\|wal$/m, 'SHOW pool_cache: invalidation_source wal');
	like($show, qr/^wal_node_id\|0$/m, 'SHOW pool_cache: the worker follows node 0');
	ok(wait_until(sub { (($pp->psql('show pool_cache', db => 'testdb', args => ['-x']))[1] // '') =~ /^wal_lag_bytes\|\d+$/m }, 10),
		'SHOW pool_cache: the lag in bytes once streaming') or diag $show;
	ok($pp->wait_for_log(qr/query cache: invalidated 1 tables at [0-9A-F]+\/[0-9A-F]+\n.*DETAIL:  database "testdb"/, 5, $from),
		'an UPDATE made directly on the primary is invalidated') or diag tail_text(substr($pp->log_content, $from), 20);
	ok(confirms_now($n0, 5), 'and confirmed to the slot (confirmed_flush_lsn) within seconds');

	$from = $pp->log_position;
	$n0->query("BEGIN; UPDATE t SET v = 'y' WHERE id = 2; INSERT INTO u VALUES (1); DELETE FROM t WHERE id = 3; COMMIT",
		db => 'testdb', script => 1);
	ok($pp->wait_for_log(qr/query cache: invalidated 2 tables at/, 5, $from), 'one transaction writing two tables: 2 tables');
	$from = $pp->log_position;
	$n0->query('TRUNCATE u', db => 'testdb');
	ok($pp->wait_for_log(qr/query cache: invalidated 1 tables at/, 5, $from), 'TRUNCATE is invalidated');
	$from = $pp->log_position;
	$n0->query('BEGIN; SELECT 1; COMMIT; CREATE TEMP TABLE tmp (i int)', db => 'testdb', script => 1);
	ok(confirms_now($n0, 5), 'transactions without changes are passed');
	unlike(substr($pp->log_content, $from), qr/query cache: invalidated/, 'and invalidate nothing');

	$n0->query('CREATE DATABASE newdb');
	my $newdb = db_oid($n0, 'newdb');
	ok(wait_until(sub { slots_on($n0) =~ /pgpool_query_cache_$newdb:active/ }, 20), 'a new database gets its slot')
	  or diag slots_on($n0);
	$from = $pp->log_position;
	$n0->query('CREATE TABLE n (i int); INSERT INTO n VALUES (1)', db => 'newdb');
	ok($pp->wait_for_log(qr/invalidated 1 tables at .*\n.*DETAIL:  database "newdb"/, 5, $from),
		'and its writes are invalidated');
}

# --- 3. restart resumes the slots; pgpool -c drops them --------------------------------------
{
	$pp->stop('fast');
	(my $slots = slots_on($n0)) =~ s/:idle/:active/g;
	$n0->query("UPDATE t SET v = 'while down' WHERE id = 4", db => 'testdb');
	my $from = $pp->log_position;
	ok($pp->start, 'pgpool restarts');
	ok($pp->wait_for_log(qr/query cache: invalidated 1 tables at .*\n.*DETAIL:  database "testdb"/, 10, $from),
		'the write made while pgpool was down is invalidated from the resumed slot')
	  or diag tail_text(substr($pp->log_content, $from), 30);
	ok(wait_until(sub { slots_on($n0) eq $slots }, 10), 'the same slots are active again');
	unlike(substr($pp->log_content, $from), qr/clearing the whole cache/, 'resuming clears nothing');

	$pp->stop('fast');
	$from = $pp->log_position;
	ok($pp->start(args => ['-c']), 'pgpool -c');
	ok($pp->wait_for_log(qr/query cache: dropped the replication slots "pgpool_query_cache_\*" on DB node 0/, 5, $from),
		'drops the slots at start') or diag tail_text(substr($pp->log_content, $from), 30);
	ok($pp->wait_for_log(qr/created replication slot(.*\n)*.*clearing the whole cache/, 15, $from),
		'the worker creates them again and clears the cache');
}

# --- 4. failover ------------------------------------------------------------------------
{
	my $from = $pp->log_position;
	my $pcp = PgpoolTest::Pcp->new($pp);
	my ($rc, $out, $err) = $pcp->opts('pcp_promote_node', '-s', '-n', 1);
	is($rc, 0, 'pcp_promote_node --switchover -n 1') or diag $err;
	ok(wait_until(sub { $n1->query('SELECT pg_is_in_recovery()') eq 'f' }, 30), 'node 1 is promoted');
	ok($pp->wait_for_log(qr/query cache invalidation now follows the WAL of node 1/, 15, $from),
		'the worker follows node 1') or diag tail_text(substr($pp->log_content, $from), 30);
	my $testdb = db_oid($n1, 'testdb');
	ok(wait_until(sub { slots_on($n1) =~ /pgpool_query_cache_$testdb:active/ }, 20), 'node 1 has the slot')
	  or diag slots_on($n1) . "\n" . tail_text(substr($pp->log_content, $from), 30);
	like(substr($pp->log_content, $from), qr/clearing the whole cache/, 'the cache is cleared for the new slots');
	my $sql = 'select v from t where id = 5';
	$pp->psql($sql, db => 'testdb') for 1 .. 2;
	my $at = $pp->log_position;
	$n1->query("UPDATE t SET v = 'after failover' WHERE id = 5", db => 'testdb');
	ok(defined reads_new_value($pp, $sql, 'after failover', 10),
		'after failover a direct write on the new primary replaces the cached answer');
	ok($pp->wait_for_log(qr/query cache: invalidated 1 tables at .*\n.*DETAIL:  database "testdb"/, 5, $at),
		'writes on the new primary are invalidated') or diag tail_text(substr($pp->log_content, $at), 20);
	ok(confirms_now($n1, 5), 'and confirmed to its slot');
	$pp->stop('fast');
}

done_testing();
