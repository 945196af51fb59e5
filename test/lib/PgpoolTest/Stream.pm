# PgpoolTest::Stream - a streaming replication cluster (one primary, N
# standbys made with pg_basebackup) and the helpers the streaming mode tests
# share: a pgpool configured for it, "which node ran this" from
# inet_server_port() or from log_per_node_statement lines, pgbench scripts
# in the extended protocol, and the sample scripts copied where the test
# user can run them.
package PgpoolTest::Stream;

use strict;
use warnings;
use Carp;
use File::Copy qw(copy);
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Util qw(pg_bin pg_user run_cmd test_dir spew chown_test slurp wait_until);
use Exporter 'import';

our @EXPORT_OK = qw(make_cluster stream_pgpool node_of ports_in log_statements nodes_ran
  pgbench_script pq_extended_bin sample_script show_rows);

my %node_of_port;

# make_cluster(%opts): node0 primary and node1..N standbys, each standby
# with cluster_name = its node name (so synchronous_standby_names and
# backend_application_nameN can name it).  Options: standbys (default 2),
# conf (extra postgresql.conf text for every node).
sub make_cluster
{
	my (%o) = @_;
	my $conf = "wal_log_hints = on\n" . ($o{conf} // '');
	my $primary = PgpoolTest::Node->new('node0')->init(conf => $conf)->start;
	my @nodes = ($primary);
	for my $i (1 .. ($o{standbys} // 2))
	{
		my $sb = $primary->create_standby("node$i");
		$sb->append_conf("cluster_name = 'node$i'");
		$sb->restart;
		push @nodes, $sb;
	}
	my $all = wait_until(sub {
		my ($r, $out) = $primary->psql(
			"select count(*) from pg_stat_replication where state = 'streaming'");
		!$r && $out == @nodes - 1 }, 60);
	croak "standbys are not streaming" unless $all;
	$node_of_port{ $nodes[$_]->port } = $_ for 0 .. $#nodes;
	return @nodes;
}

# A pgpool in streaming replication mode over the nodes: sr_check_user and
# health_check_user are the harness superuser, log_per_node_statement on,
# backend_application_nameN = nodeN, read_your_writes off.  Options as
# PgpoolTest::Pgpool->new.
sub stream_pgpool
{
	my ($nodes, %o) = @_;
	my %conf = (
		backend_clustering_mode => 'streaming_replication',
		sr_check_user => pg_user(), health_check_user => pg_user(),
		log_per_node_statement => 'on', load_balance_mode => 'on',
		# the routing rules' own tests: reads right after writes may go to standbys
		# (039_read_your_writes.pl tests read_your_writes)
		read_your_writes => 'off',
	);
	$conf{"backend_application_name$_"} = "node$_" for 0 .. $#$nodes;
	return PgpoolTest::Pgpool->new(nodes => $nodes, %o,
		conf => { %conf, %{ $o{conf} // {} } });
}

# Node id of a port (or "port:N" for a port that is not a node's).
sub node_of { my ($port) = @_; return $node_of_port{$port} // "port:$port"; }

# Node ids of every "P|port" (or "P|port|...") line of a psql -A output,
# in order: queries write SELECT 'P', inet_server_port() to report where
# they ran.
sub ports_in
{
	my ($out) = @_;
	return [ map { node_of($_) } ($out // '') =~ /^P\|(\d+)\b/mg ];
}

# The log_per_node_statement lines of a pgpool log after byte $from, as
# [node id, statement text].
sub log_statements
{
	my ($pp, $from) = @_;
	my @r;
	for my $l (split /\n/, substr($pp->log_content, $from // 0))
	{
		push @r, [ $1, $2 ] if $l =~ /DB node id: (\d+) backend pid: \d+ statement: (.*)$/;
	}
	return \@r;
}

# Sorted node ids of the logged statements matching $re.
sub nodes_ran
{
	my ($lines, $re) = @_;
	my %n = map { $_->[0] => 1 } grep { $_->[1] =~ $re } @$lines;
	return [ sort { $a <=> $b } keys %n ];
}

# Run a pgbench script through pgpool: -n -c 1 -t $o{t}//1 -M $o{mode}.
# Lines the script prints with "\shell echo ..." come back in the output;
# returns (exit code, stdout, stderr).  Options: mode (extended,
# prepared, simple), t, define (hashref for -D), db.
my $script_seq = 0;
sub pgbench_script
{
	my ($pp, $script, %o) = @_;
	my $file = test_dir() . "/pgbench-script-" . ++$script_seq . ".sql";
	spew($file, $script);
	my @args = ('-n', '-c', 1, '-t', $o{t} // 1, '-M', $o{mode} // 'extended', '-f', $file);
	push @args, map { ('-D', "$_=$o{define}{$_}") } sort keys %{ $o{define} // {} };
	return $pp->pgbench(@args, $o{db} // 'testdb');
}

# The libpq extended-protocol client built in this tree (made runnable by
# the test user), or undef if it is not built.
sub pq_extended_bin
{
	my $bin = ($ENV{PGPOOL_BUILDDIR} // '.') . '/test/tools/pq_extended';
	return undef unless -x $bin;
	return _runnable($bin, 'pq_extended');
}

# A script of sample/ (failover.sh, follow_primary.sh) where the test user
# can run it.
sub sample_script
{
	my ($name) = @_;
	my $src = ($ENV{PGPOOL_SRCDIR} // '.') . "/sample/$name";
	croak "$src not found" unless -f $src;
	my $copy = test_dir() . "/$name";
	copy($src, $copy) or croak "copy $src: $!";
	chmod 0755, $copy;
	chown_test($copy);
	return $copy;
}

sub _runnable
{
	my ($bin, $name) = @_;
	my ($rc) = run_cmd([ 'test', '-x', $bin ]);
	return $bin unless $rc;
	my $copy = test_dir() . "/$name";
	copy($bin, $copy) or return undef;
	chmod 0755, $copy;
	chown_test($copy);
	return $copy;
}

# Rows of "SHOW pool_*" (or any query) through pgpool as hashes keyed by
# column name; () when the query fails.
sub show_rows
{
	my ($pp, $sql, %o) = @_;
	my ($rc, $out, $err) = $pp->psql($sql,
		args => [ '-P', 'tuples_only=off', '-P', 'footer=off' ], %o);
	return () if $rc;
	my @lines = split /\n/, $out;
	my @cols = split /\|/, shift(@lines) // '', -1;
	my @rows;
	for my $l (@lines)
	{
		my @v = split /\|/, $l, -1;
		push @rows, { map { $cols[$_] => $v[$_] } 0 .. $#cols };
	}
	return @rows;
}

1;
