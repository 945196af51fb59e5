# enable_shared_relcache: with the query cache store (memory_cache_enabled)
# the children share their catalog answers about relations (is this table
# unlogged, a sequence?): the primary is asked once for a table, whichever
# children serve the sessions that read it; off, each child asks on its own.
# The shared answers are not SELECTs of SHOW pool_cache, DDL drops them,
# and relcache_expire bounds their age.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Stream qw(make_cluster stream_pgpool show_rows);
use PgpoolTest::Util qw(test_dir spew slurp);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;
$n0->query('CREATE UNLOGGED TABLE ul (i int); INSERT INTO ul VALUES (1); CREATE TABLE lg (i int)',
	db => 'testdb', script => 1);
$n0->append_conf("log_statement = 'all'");
$n0->reload;
$n0->wait_replay($n1);
my $dir = test_dir();
my $script = "$dir/ul.sql";
spew($script, "SELECT count(*) FROM ul;\n");

# Catalog lookups of the table "ul" the primary saw since byte $from of its log.
sub lookups_since
{
	my ($from) = @_;
	my @hits = substr($n0->log_content, $from) =~ /relpersistence.*'ul'/g;
	return scalar @hits;
}

my %conf = (num_init_children => 4, max_pool => 1, check_unlogged_table => 'on',
	memory_cache_enabled => 'on', memqcache_method => 'shmem', memqcache_total_size => '16MB',
	backend_weight0 => 0, backend_weight1 => 1);

for my $shared (qw(on off))
{
	my $pp = stream_pgpool(\@nodes, name => "pgpool-shared-$shared",
		conf => { %conf, enable_shared_relcache => $shared });
	ok($pp->start, "pgpool with enable_shared_relcache = $shared") or die "cannot continue";
	my $from = length($n0->log_content);
	my ($rc, $out, $err) = $pp->psql('SELECT count(*) FROM ul', db => 'testdb');
	is($out, '1', "$shared: a read of the unlogged table") or diag $err;
	is(lookups_since($from), 1, "$shared: one catalog lookup for it");
	my @cache_before = show_rows($pp, 'SHOW pool_cache', db => 'testdb');
	($rc, $out, $err) = $pp->pgbench('-n', '-C', '-c', 4, '-j', 2, '-t', 10, '-f', $script, 'testdb');
	is($rc, 0, "$shared: 40 more sessions on 4 children read it") or diag $err;
	my $children = () = $pp->child_pids;
	if ($shared eq 'on')
	{
		is(lookups_since($from), 1, 'on: the other children take the shared answer: no more lookups');
		my @cache = show_rows($pp, 'SHOW pool_cache', db => 'testdb');
		is($cache[0]{num_selects}, $cache_before[0]{num_selects},
			'on: shared relcache lookups are not SELECTs of SHOW pool_cache')
		  or diag explain [\@cache_before, \@cache];
		# DDL through pgpool drops the shared answers
		$pp->psql('CREATE TABLE ddl_marker (i int)', db => 'testdb');
		$from = length($n0->log_content);
		$pp->pgbench('-n', '-C', '-c', 4, '-j', 2, '-t', 5, '-f', $script, 'testdb');
		ok(lookups_since($from) >= 1, 'on: after DDL the table is looked up again');
	}
	else
	{
		ok(lookups_since($from) >= 2, 'off: each child looks the table up itself')
		  or diag 'lookups: ' . lookups_since($from);
	}
	$pp->stop('fast');
}

# relcache_expire: answers older than it are asked again
{
	my $pp = stream_pgpool(\@nodes, name => 'pgpool-expire',
		conf => { %conf, enable_shared_relcache => 'on', relcache_expire => 2 });
	ok($pp->start, 'pgpool with relcache_expire = 2') or die "cannot continue";
	my $from = length($n0->log_content);
	$pp->psql('SELECT count(*) FROM ul', db => 'testdb');
	$pp->psql('SELECT count(*) FROM ul', db => 'testdb');
	is(lookups_since($from), 1, 'within relcache_expire: one lookup');
	sleep 3;
	$pp->psql('SELECT count(*) FROM ul', db => 'testdb');
	is(lookups_since($from), 2, 'after relcache_expire: looked up again');
	$pp->stop('fast');
}

done_testing();
