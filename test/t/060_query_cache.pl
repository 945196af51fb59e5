# In-memory query cache, shmem method, raw mode: hits and misses across
# sessions and children, invalidation by writes at COMMIT (not ROLLBACK),
# extended protocol with parameters, what is never cached, expiry, and
# SHOW pool_cache.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Cache qw(cache_hits cache_conf);
use PgpoolTest::Pcp;
use PgpoolTest::Util qw(pg_user wait_until);

my $node = PgpoolTest::Node->new('node0')->init->start;
my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => cache_conf());
ok($pp->start, 'pgpool starts with the query cache') or die "cannot continue";

$node->psql("create table t (id int primary key, v text);
	insert into t select g, 'v' || g from generate_series(1, 10) g;", db => 'testdb');

# A statement answered from the cache never reaches PostgreSQL: pgpool logs it.
sub hits_of { return cache_hits($pp, $_[0]); }

sub rq { my ($sql, %o) = @_; my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb', %o); return wantarray ? ($rc, $out, $err) : $out; }

# --- hit and miss ------------------------------------------------------------
{
	my $sql = 'select v from t where id = 3';
	is(rq($sql), 'v3', 'first read: from PostgreSQL');
	is(hits_of($sql), 0, 'first read is a miss');
	is(rq($sql), 'v3', 'second read: same answer');
	ok(wait_until(sub { hits_of($sql) == 1 }, 5), 'second read is a hit (another session)')
	  or diag PgpoolTest::Util::tail_text($pp->log_content, 20);
}

# --- invalidation by a write through pgpool ----------------------------------
{
	my $sql = 'select v from t where id = 4';
	rq($sql); rq($sql);
	rq("update t set v = 'changed' where id = 4");
	is(rq($sql), 'changed', 'an UPDATE through pgpool invalidates the cached answer');
}

# --- COMMIT vs ROLLBACK ------------------------------------------------------
{
	my $sql = 'select v from t where id = 5';
	rq($sql); rq($sql);
	rq("begin; update t set v = 'rolled back' where id = 5; rollback;");
	is(rq($sql), 'v5', 'after ROLLBACK the answer is unchanged');
	rq("begin; update t set v = 'committed' where id = 5; commit;");
	is(rq($sql), 'committed', 'after COMMIT the new value is read');
}

# --- never cached ------------------------------------------------------------
{
	rq("create unlogged table ul (id int); insert into ul values (1);
		create view v_cat as select relname from pg_class where relname = 'ul';
		create view v_plain as select id, v from t;
		create function vol() returns int language sql volatile as 'select 1';
		create function imm(int) returns int language sql immutable as 'select \$1 + 1';");
	for my $sql ('select now() is not null from t where id = 1',
		'select current_timestamp is not null from t where id = 1',
		'select random() < 2 from t where id = 1',
		'select vol() from t where id = 1',
		'select v from t where id = 1 for update',
		'select v from t where id = 1 for share',
		'/*NO QUERY CACHE*/ select v from t where id = 1',
		'select count(*) from pg_class where relname = \'t\'',
		'select id from ul',
		'select relname from v_cat')
	{
		rq($sql); rq($sql);
		is(cache_hits($pp, $sql), 0, "not cached: $sql");
	}
	my $tmp = "create temp table tt (id int);\ninsert into tt values (1);\nselect id from tt;\nselect id from tt;\n";
	rq($tmp, script => 1);
	is(cache_hits($pp, 'select id from tt;'), 0, 'not cached: a temporary table');
	rq('select v into t_copy from t where id = 1');
	rq('select v into t_copy2 from t where id = 1');
	is(cache_hits($pp, 'select v into t_copy from t where id = 1'), 0, 'not cached: SELECT INTO');
}

# --- cached: immutable functions, views over tables, FORCE QUERY CACHE -------------
{
	my $sql = 'select imm(id) from t where id = 1';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 1, 'cached: an immutable function');
	$sql = 'select v from v_plain where id = 2';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 1, 'cached: a view over a table');
	rq("update t set v = 'via view' where id = 2");
	is(rq($sql), 'via view', 'a write to the table under the view invalidates it');
	$sql = '/*FORCE QUERY CACHE*/ select id from ul';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 1, 'FORCE QUERY CACHE caches an unlogged table');
	$sql = '/*FORCE QUERY CACHE*/ select v from t where id = 1 for update';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 0, 'but never a locking read');
}

# --- extended protocol: a prepared statement with parameters ------------------
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_extended';
	my $conninfo = "host=127.0.0.1 port=" . $pp->port . " dbname=testdb user=" . pg_user();
	my $sql = 'select v from t where id = $1';
	my ($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-n', 's1', '-l', '3', '-p', '6', $conninfo, $sql]);
	is($rc, 0, 'prepared statement runs three times') or diag $err;
	is($out, "v\nv6\nv\nv6\nv\nv6\n", 'the same rows each time, with their description');
	is(hits_of($sql), 2, 'the second and third Execute are answered from the cache');
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-n', 's2', '-l', '2', '-p', '7', $conninfo, $sql]);
	is($out, "v\nv7\nv\nv7\n", 'another parameter value is another entry');
	is(hits_of($sql), 3, 'and is cached under its own key');
	rq("update t set v = 'seven' where id = 7");
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-n', 's3', '-l', '1', '-p', '7', $conninfo, $sql]);
	is($out, "v\nseven\n", 'a write invalidates the extended-protocol entry too');
}

# --- multi-statement strings -----------------------------------------------------
{
	my $sql = 'select v from t where id = 1; select 2';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 0, 'a multi-statement string is not cached');
	my $one = 'select v from t where id = 2';
	rq($one); rq($one);
	rq("select 1; update t set v = 'multi' where id = 2");
	is(rq($one), 'multi', 'a write inside a multi-statement string invalidates');
}

# --- transactions -----------------------------------------------------------------
{
	# psql sends a script's statements with their semicolons: the same text by -c
	my $sql = 'select v from t where id = 8;';
	rq("begin;\n$sql\nrollback;\n", script => 1);
	rq($sql);
	is(cache_hits($pp, $sql), 0, 'an answer read in a rolled-back transaction was not kept');
	my $sql2 = 'select v from t where id = 9;';
	rq("begin;\n$sql2\ncommit;\n", script => 1);
	rq($sql2);
	is(cache_hits($pp, $sql2), 1, 'an answer read in a committed transaction is kept at COMMIT');
	my $out = rq("begin;\nupdate t set v = 'own write' where id = 9;\n$sql2\nrollback;\n", script => 1);
	like($out, qr/own write/, 'after a write in the transaction its reads go to PostgreSQL');
	is(cache_hits($pp, $sql2), 1, 'and are not answered from the cache');
	is(rq($sql2), 'v9', 'the rolled-back write left the cached answer valid');
}

# --- pcp_invalidate_query_cache -------------------------------------------------------
{
	my $sql = 'select v from t where id = 10';
	rq($sql); rq($sql);
	is(cache_hits($pp, $sql), 1, 'cached before pcp_invalidate_query_cache');
	my $pcp = PgpoolTest::Pcp->new($pp);
	my ($rc, $out, $err) = $pcp->opts('pcp_invalidate_query_cache');
	is($rc, 0, 'pcp_invalidate_query_cache exits 0') or diag $err;
	rq($sql);
	is(cache_hits($pp, $sql), 1, 'the next read is a miss');
	rq($sql);
	is(cache_hits($pp, $sql), 2, 'and the one after a hit again');
	ok($pp->wait_for_log(qr/invalidated the whole query cache/, 5), 'the invalidation is logged');
}

# --- extended protocol: unnamed statements (PQexecParams) ---------------------------
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_extended';
	my $conninfo = "host=127.0.0.1 port=" . $pp->port . " dbname=testdb user=" . pg_user();
	my $sql = 'select id, v from t where id = $1 + 0';
	my ($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-l', '3', '-p', '3', $conninfo, $sql]);
	is($rc, 0, 'PQexecParams runs three times') or diag $err;
	is($out, "id|v\n3|v3\nid|v\n3|v3\nid|v\n3|v3\n", 'the same rows and description each time');
	is(cache_hits($pp, $sql), 2, 'Parse, Bind, Describe, Execute, Sync: answered from the cache the second time');
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-p', '3', $conninfo, 'select nosuchcolumn from t where id = $1']);
	is($rc, 1, 'a statement that fails to parse on PostgreSQL still fails');
	like($err, qr/column "nosuchcolumn" does not exist/, 'with PostgreSQL\'s own error');
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-n', 'bad', '-p', '3', $conninfo, 'select nosuchcolumn from t where id = $1']);
	like($err, qr/column "nosuchcolumn" does not exist/, 'also for a named statement');
	($rc, $out, $err) = PgpoolTest::Util::run_cmd([$bin, '-p', '3', $conninfo, $sql]);
	is($out, "id|v\n3|v3\n", 'the session after an error works');
}

# --- PGPOOL SET CACHE DELETE ---------------------------------------------------------
{
	my $sql = 'select v from t where id = 6';
	my $other = 'select v from t where id = 4';
	rq($sql); rq($sql); rq($other);
	is(cache_hits($pp, $sql), 1, 'cached before PGPOOL SET CACHE DELETE');
	my $other_hits = cache_hits($pp, $other);
	my ($rc, $out, $err) = $pp->psql("PGPOOL SET CACHE DELETE '$sql'", db => 'testdb');
	is($rc, 0, 'PGPOOL SET CACHE DELETE succeeds') or diag $err;
	rq($sql);
	is(cache_hits($pp, $sql), 1, 'the entry is gone: the next read is a miss');
	rq($other);
	is(cache_hits($pp, $other), $other_hits + 1, 'other entries stay');
}

# --- SHOW pool_cache ---------------------------------------------------------
{
	my $out = rq('show pool_cache', args => ['-x']);
	like($out, qr/num_cache_hits\|[1-9]/, 'SHOW pool_cache counts hits') or diag $out;
}

$pp->stop;
done_testing();
