# Query cache, memcached method: hits through memcached, invalidation by
# writes, two pgpools on one host sharing memcached and memqcache_oiddir
# (a write through one invalidates what the other cached), memcached
# stopped mid-run (queries still answered by PostgreSQL, one WARNING per
# outage, a LOG when it is back), and pgpool -c.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Cache qw(cache_hits cache_conf);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(free_port spawn kill_pid wait_until test_dir chown_test);
use IO::Socket::INET;

my $memcached = $ENV{MEMCACHED} // '/usr/bin/memcached';
plan skip_all => "memcached not installed ($memcached)" unless -x $memcached;

my $node = PgpoolTest::Node->new('node0')->init->start;
$node->psql("create table t (id int primary key, v text);
	insert into t select g, 'v' || g from generate_series(1, 10) g;", db => 'testdb');

my $mport = free_port();
my $mpid;
sub start_memcached
{
	$mpid = spawn([$memcached, '-l', '127.0.0.1', '-p', $mport, '-U', '0', '-m', '16']);
	return wait_until(sub { IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport) ? 1 : 0 }, 10);
}
ok(start_memcached(), 'memcached runs on a loopback port') or die 'cannot continue';

my $oiddir = test_dir() . '/oiddir';
mkdir $oiddir;
chown_test($oiddir);
my %mc = (memqcache_method => 'memcached', memqcache_memcached_host => '127.0.0.1',
	memqcache_memcached_port => $mport, memqcache_oiddir => $oiddir);
my $pa = PgpoolTest::Pgpool->new(nodes => [$node], name => 'pgpool-a', conf => cache_conf(%mc));
my $pb = PgpoolTest::Pgpool->new(nodes => [$node], name => 'pgpool-b', conf => cache_conf(%mc));
ok($pa->start && $pb->start, 'two pgpools share memcached and the oid directory') or die 'cannot continue';

sub rq { my ($pp, $sql) = @_; my ($rc, $out) = $pp->psql($sql, db => 'testdb'); return $out; }

{
	my $sql = 'select v from t where id = 1';
	is(rq($pa, $sql), 'v1', 'first read');
	is(rq($pa, $sql), 'v1', 'second read');
	is(cache_hits($pa, $sql), 1, 'the second read came from memcached');
	is(rq($pb, $sql), 'v1', 'the other pgpool reads the same text');
	is(cache_hits($pb, $sql), 1, 'from the entry the first pgpool put in memcached');
	rq($pa, "update t set v = 'new' where id = 1");
	is(rq($pb, $sql), 'new', 'a write through one pgpool invalidates what the other reads');
}

# --- memcached stopped mid-run ---------------------------------------------------------
{
	my $sql = 'select v from t where id = 2';
	rq($pa, $sql); rq($pa, $sql);
	kill_pid('KILL', $mpid); PgpoolTest::Util::wait_pid($mpid, 5);
	my @out = map { rq($pa, $sql) } 1 .. 5;
	is_deeply(\@out, [('v2') x 5], 'with memcached stopped every query is still answered');
	my @warnings = $pa->log_content =~ /WARNING:.*memcached/g;
	ok(@warnings >= 1, 'a WARNING says memcached is unreachable') or diag $pa->log_content;
	my %per_child;
	$per_child{$_}++ for $pa->log_content =~ /child pid (\d+): WARNING:.*memcached/g;
	ok(!grep({ $_ > 1 } values %per_child), 'once per outage in each process');
	ok(start_memcached(), 'memcached started again');
	ok(wait_until(sub { rq($pa, $sql); rq($pa, $sql); $pa->log_content =~ /memcached server .* is reachable again/ }, 10),
		'the cache is used again, with a LOG saying so');
}

# --- pgpool -c ------------------------------------------------------------------------
{
	my $sql = 'select v from t where id = 3';
	rq($pa, $sql); rq($pa, $sql);
	my $before = cache_hits($pa, $sql);
	$pb->stop;
	ok($pb->start(args => ['-c']), 'pgpool -c starts');
	rq($pa, $sql);
	is(cache_hits($pa, $sql), $before, 'after pgpool -c the old entries are gone for every pgpool on the host');
}

$pa->stop; $pb->stop;
kill_pid('KILL', $mpid); PgpoolTest::Util::wait_pid($mpid, 5);
done_testing();
