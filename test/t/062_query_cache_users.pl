# Query cache and who may see what (the CVE-2024-45624 class): the key holds
# the user and the database, so a user without the privilege never gets
# another user's cached rows, and tables with row-level security are never
# cached.  Also: SET ROLE turns the cache off for the session, expiry
# (memqcache_expire), eviction with a tiny memqcache_total_size, and the
# cache_unsafe / cache_safe table lists.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Cache qw(cache_hits cache_conf);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_user wait_until);

my $node = PgpoolTest::Node->new('node0')->init->start;
$node->psql(q{
	create role alice login; create role bob login; create role carol login;
	create table secret (id int primary key, v text);
	insert into secret values (1, 'top secret');
	grant select on secret to alice;
	create table notes (owner text, v text);
	insert into notes values ('alice', 'alice note'), ('bob', 'bob note');
	alter table notes enable row level security;
	create policy own on notes using (owner = current_user);
	grant select on notes to alice, bob;
	create table plain (id int primary key, v text);
	insert into plain select g, 'p' || g from generate_series(1, 400) g;
	grant select on plain to alice, bob, carol;
	create table hidden (id int); insert into hidden values (1);
	grant select on hidden to alice;
	create unlogged table scratch (id int); insert into scratch values (1);
	grant select on scratch to alice;
}, db => 'testdb');

my $pp = PgpoolTest::Pgpool->new(nodes => [$node],
	conf => cache_conf(cache_unsafe_memqcache_table_list => 'hidden',
		cache_safe_memqcache_table_list => 'scratch'));
ok($pp->start, 'pgpool starts with the query cache') or die 'cannot continue';

sub as
{
	my ($user, $sql) = @_;
	my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb', user => $user);
	return $rc == 0 ? $out : "ERROR: $err";
}

# --- privileges ------------------------------------------------------------------
{
	my $sql = 'select v from secret where id = 1';
	is(as('alice', $sql), 'top secret', 'alice may read the table');
	is(as('alice', $sql), 'top secret', 'and reads it again');
	is(cache_hits($pp, $sql), 1, 'from the cache the second time');
	like(as('carol', $sql), qr/permission denied for table secret/,
		'carol, without the privilege, gets PostgreSQL\'s error, never alice\'s cached rows');
	is(cache_hits($pp, $sql), 1, 'carol was not answered from the cache');
}

# --- row-level security -----------------------------------------------------------------
{
	my $sql = 'select v from notes';
	is(as('alice', $sql), 'alice note', 'alice sees her row');
	is(as('alice', $sql), 'alice note', 'again');
	is(as('bob', $sql), 'bob note', 'bob sees only his row, not alice\'s answer');
	is(cache_hits($pp, $sql), 0, 'a table with row-level security is never cached');
}

# --- the same text by two users: two entries ---------------------------------------------
{
	my $sql = 'select v from plain where id = 1';
	as('alice', $sql); as('alice', $sql);
	is(cache_hits($pp, $sql), 1, 'alice\'s second read is a hit');
	as('bob', $sql);
	is(cache_hits($pp, $sql), 1, 'bob\'s first read of the same text is a miss (his own key)');
	as('bob', $sql);
	is(cache_hits($pp, $sql), 2, 'and his second a hit');
}

# --- SET ROLE ---------------------------------------------------------------------------
{
	# the key holds the user who logged in; after SET ROLE another role reads
	my $sql = 'select v from plain where id = 2;';
	as(pg_user(), $sql); as(pg_user(), $sql);
	is(cache_hits($pp, $sql), 1, 'cached for the user who logged in');
	my ($rc, $out, $err) = $pp->psql("set role carol;\n$sql\n", db => 'testdb', script => 1);
	like($out, qr/^p2$/m, 'after SET ROLE the statement still runs') or diag $err;
	is(cache_hits($pp, $sql), 1, 'but is not answered from the login user\'s cache');
}

# --- settings that shape the answer's bytes ---------------------------------------------
{
	$node->psql("create table dates (id int primary key, d date); insert into dates values (1, '2020-01-02');
		grant select on dates to alice;", db => 'testdb');
	my $sql = 'select d from dates where id = 1;';
	is(as('alice', $sql), '2020-01-02', 'ISO dates by default');
	is(as('alice', $sql), '2020-01-02', 'again, from the cache');
	my ($rc, $out) = $pp->psql($sql, db => 'testdb', user => 'alice', env => { PGOPTIONS => '-c DateStyle=German' });
	is($out, '02.01.2020', 'a session started with another DateStyle gets its own answer');
	($rc, $out) = $pp->psql("set datestyle = 'SQL, DMY';\n$sql\n", db => 'testdb', user => 'alice', script => 1);
	like($out, qr{^02/01/2020$}m, 'so does a session that SET it');
}

# --- table lists ------------------------------------------------------------------------
{
	my $sql = 'select id from hidden';
	as('alice', $sql); as('alice', $sql);
	is(cache_hits($pp, $sql), 0, 'a table in cache_unsafe_memqcache_table_list is not cached');
	$sql = 'select id from scratch';
	as('alice', $sql); as('alice', $sql);
	is(cache_hits($pp, $sql), 1, 'an unlogged table in cache_safe_memqcache_table_list is cached');
}
$pp->stop;

# --- expiry and eviction ---------------------------------------------------------------
{
	my $small = PgpoolTest::Pgpool->new(nodes => [$node], name => 'pgpool-small',
		conf => cache_conf(memqcache_expire => 2, memqcache_total_size => '16kB',
			memqcache_cache_block_size => '4kB', memqcache_maxcache => '4kB'));
	ok($small->start, 'pgpool with a 16 kB cache of 4 kB blocks and memqcache_expire = 2')
	  or die 'cannot continue';
	my $run = sub { my ($rc, $out) = $small->psql($_[0], db => 'testdb'); return $out; };
	my $sql = 'select v from plain where id = 3';
	$run->($sql); $run->($sql);
	is(cache_hits($small, $sql), 1, 'cached');
	sleep 3;					# memqcache_expire counts whole seconds
	$run->($sql);
	is(cache_hits($small, $sql), 1, 'after memqcache_expire the answer is read from PostgreSQL again');

	# each answer ~1 kB: 40 of them overflow 16 kB, the oldest blocks are emptied
	my $first = 'select v, repeat(v, 100) from plain where id = 100';
	$run->($first); $run->($first);
	is(cache_hits($small, $first), 1, 'the first large answer is cached');
	for my $id (101 .. 140)
	{
		$run->("select v, repeat(v, 100) from plain where id = $id");
	}
	my $last = 'select v, repeat(v, 100) from plain where id = 140';
	$run->($last);
	is(cache_hits($small, $last), 1, 'the newest answer is still cached');
	$run->($first);
	is(cache_hits($small, $first), 1, 'the oldest was evicted when the cache filled');
	my ($rc, $out) = $small->psql('show pool_cache', db => 'testdb', args => ['-x']);
	like($out, qr/num_cache_entries\|[1-9]/, 'SHOW pool_cache shows the entries') or diag $out;
	$small->stop;
}

done_testing();
