# PgpoolTest::Native - helpers for the native replication mode tests
# (backend_clustering_mode = 'native_replication'): N independent
# PostgreSQL nodes (copies of the template, no streaming between them), a
# pgpool over them, and ways to compare the nodes' data (md5 of a table's
# ordered rows, one query's output on every node), where a read ran
# (inet_server_port() or the log_per_node_statement lines) and a node's
# status as pgpool reports it.
package PgpoolTest::Native;

use strict;
use warnings;
use Carp;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(log_statements nodes_ran show_rows);
use PgpoolTest::Util qw(pg_bin pg_user run_cmd test_dir spew wait_until);
use Exporter 'import';

our @EXPORT_OK = qw(make_nodes native_pgpool table_md5 tables_md5 same_on_all on_all node_of ports_in
  log_statements nodes_ran show_rows node_status wait_status pgbench_file run_on_all
  pgbench_ok);

my %node_of_port;

# make_nodes($n, %opts): $n started nodes named node0..node{n-1}, each an
# independent copy of the template (so each has the database testdb).
# Options: conf (extra postgresql.conf text), prefix (name prefix, default
# "node"; use another one for a second set in the same test).
sub make_nodes
{
	my ($n, %o) = @_;
	my $prefix = $o{prefix} // 'node';
	my @nodes;
	for my $i (0 .. $n - 1)
	{
		my $node = PgpoolTest::Node->new("$prefix$i")->init(conf => $o{conf} // '')->start;
		$node_of_port{ $node->port } = $i;
		push @nodes, $node;
	}
	return @nodes;
}

# native_pgpool(\@nodes, %opts): a pgpool in native replication mode over
# the nodes, not started: health_check_user is the harness superuser,
# load_balance_mode and log_per_node_statement on.  Options as
# PgpoolTest::Pgpool->new (conf overrides these defaults, name for a second
# pgpool in the same test).
sub native_pgpool
{
	my ($nodes, %o) = @_;
	my %conf = (
		backend_clustering_mode => 'native_replication',
		health_check_user => pg_user(), load_balance_mode => 'on',
		log_per_node_statement => 'on',
	);
	return PgpoolTest::Pgpool->new(nodes => $nodes, %o, conf => { %conf, %{ $o{conf} // {} } });
}

# table_md5($node, $table, $order_by, %opts): md5 of the table's rows as
# text in $order_by order (every column when $order_by is omitted), read
# directly from the node ("error: ..." when the query fails, so two broken
# nodes never look alike).  Options: db (default testdb).
sub table_md5
{
	my ($node, $table, $order_by, %o) = @_;
	$order_by //= 't';
	my $sql = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY $order_by)), '') "
	  . "FROM $table t";
	my ($rc, $out, $err) = $node->psql($sql, db => $o{db} // 'testdb');
	return $rc ? "error: $err" : $out;
}

# tables_md5($node, [$table, $order_by], ...): table_md5 of several tables
# in one query (one connection), as a list in the same order.
sub tables_md5
{
	my ($node, @tables) = @_;
	my $sql = 'SELECT ' . join(" || ' ' || ", map {
		"(SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
		  . ($_->[1] // 't') . ")), '') FROM $_->[0] t)" } @tables);
	my ($rc, $out, $err) = $node->psql($sql, db => 'testdb');
	return map { "error: $err" } @tables if $rc;
	return split / /, $out;
}

# on_all(\@nodes, $sql, %opts): the output of $sql on each node, directly
# ("error: ..." for a failure).  Options as PgpoolTest::Node::psql (db
# defaults to testdb).
sub on_all
{
	my ($nodes, $sql, %o) = @_;
	my @r;
	for my $n (@$nodes)
	{
		my ($rc, $out, $err) = $n->psql($sql, db => 'testdb', %o);
		push @r, $rc ? "error: $err" : $out;
	}
	return @r;
}

# same_on_all(\@nodes, $sql, %opts): true when $sql succeeds and gives the
# same output on every node; prints every node's output otherwise.
sub same_on_all
{
	my ($nodes, $sql, %o) = @_;
	my @r = on_all($nodes, $sql, %o);
	my %seen = map { $_ => 1 } @r;
	return 1 if keys %seen == 1 && $r[0] !~ /^error: /;
	Test::More::diag("differs among nodes: $sql\n"
		  . join("\n", map { $nodes->[$_]->name . ": " . _short($r[$_]) } 0 .. $#r));
	return 0;
}

sub _short
{
	my ($s) = @_;
	return length($s) > 400 ? substr($s, 0, 400) . '...' : $s;
}

# run_on_all(\@nodes, $sql, %opts): run a script directly on every node
# (dies on failure), e.g. to set up a table behind pgpool's back.
sub run_on_all
{
	my ($nodes, $sql, %o) = @_;
	$_->query($sql, db => 'testdb', script => 1, %o) for @$nodes;
}

# Node id of a port (or "port:N" for a port that is not a node's).
sub node_of { my ($port) = @_; return $node_of_port{$port} // "port:$port"; }

# Node ids of every "P|port" line of a psql -A output, in order.
sub ports_in
{
	my ($out) = @_;
	return [ map { node_of($_) } ($out // '') =~ /^P\|(\d+)\b/mg ];
}

# Status of node $id in SHOW pool_nodes ("no answer" when the query fails).
sub node_status
{
	my ($pp, $id) = @_;
	my @rows = show_rows($pp, 'SHOW pool_nodes', db => 'testdb', timeout => 30);
	return $rows[$id] ? $rows[$id]{status} : 'no answer';
}

# Wait until node $id has status $want (e.g. "down"); returns the last
# status seen.
sub wait_status
{
	my ($pp, $id, $want, $timeout) = @_;
	my $st;
	wait_until(sub { ($st = node_status($pp, $id)) eq $want }, $timeout // 20);
	return $st;
}

# pgbench_file($name, $text): a pgbench script in the test directory.
sub pgbench_file
{
	my ($name, $text) = @_;
	my $file = test_dir() . "/$name";
	spew($file, $text);
	return $file;
}

# pgbench_ok($rc, $out, $err): true when pgbench exited 0 and reported no
# failed or aborted transaction and no error; prints its output otherwise.
sub pgbench_ok
{
	my ($rc, $out, $err) = @_;
	my $ok = $rc == 0 && ($out // '') =~ /number of transactions actually processed: [1-9]/
	  && ($out // '') !~ /number of failed transactions: [1-9]/
	  && ($err // '') !~ /error|abort/i;
	Test::More::diag("pgbench rc=$rc\n" . _tail($out) . "\n" . _tail($err)) unless $ok;
	return $ok;
}

sub _tail
{
	my ($s) = @_;
	$s //= '';
	return length($s) > 2000 ? '...' . substr($s, -2000) : $s;
}

1;
