# PgpoolTest::Cache - helpers for the query cache tests: count the answers
# pgpool served from its cache (its "query result fetched from cache" log
# lines, logged with log_per_node_statement = on).
package PgpoolTest::Cache;
use strict;
use warnings;
use Exporter 'import';

our @EXPORT_OK = qw(cache_hits cache_conf);

# How many times pgpool answered the statement text from its cache.
sub cache_hits
{
	my ($pp, $text) = @_;
	my $n = () = $pp->log_content =~ /query result fetched from cache\. statement: \Q$text\E$/mg;
	return $n;
}

# A small shmem cache, logging every hit; %extra overrides.
sub cache_conf
{
	my (%extra) = @_;
	return { memory_cache_enabled => 'on', memqcache_total_size => '4MB',
		memqcache_max_num_cache => '1000', memqcache_cache_block_size => '64kB',
		log_per_node_statement => 'on', %extra };
}

1;
