# Logical replication and slony modes: every node is a primary to
# PostgreSQL; pgpool sends writes to one of them (the first up node, or the
# one flagged ALWAYS_PRIMARY) and load-balances reads by weight.  Two
# independent nodes:
#   1. logical_replication with a real publication (node 0, wal_level =
#      logical) and subscription (node 1): an INSERT runs on node 0 only and
#      reaches node 1 by logical replication; reads go by weight (0:1 ->
#      node 1); SHOW pool_nodes shows primary/standby; no streaming
#      replication check worker runs (a streaming_replication pgpool over
#      the same nodes is the control: there it does).
#   2. backend_flag1 = 'ALWAYS_PRIMARY': node 1 is the primary and takes the
#      writes; weights 1:0 send reads to node 0.
#   3. slony through the 3.x switches (master_slave_mode = on,
#      master_slave_sub_mode = 'slony', no backend_clustering_mode): writes
#      on node 0, reads by weight, roles primary/standby; after
#      pcp_detach_node 0, node 1 is the primary and takes the writes.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Pcp;
use PgpoolTest::Stream qw(log_statements nodes_ran show_rows);
use PgpoolTest::Util qw(pg_user wait_until tail_text);

my $n0 = PgpoolTest::Node->new('node0')->init(conf => "wal_level = logical\n")->start;
my $n1 = PgpoolTest::Node->new('node1')->init->start;
my @nodes = ($n0, $n1);
my %node_of_port = ($n0->port => 0, $n1->port => 1);

for my $n (@nodes)
{
	$n->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE local_t (id serial PRIMARY KEY, v text);
EOS
}
$n0->query('CREATE PUBLICATION pub_t FOR TABLE t', db => 'testdb');
$n1->query(sprintf("CREATE SUBSCRIPTION sub_t CONNECTION 'host=127.0.0.1 port=%d user=%s dbname=testdb' "
	. "PUBLICATION pub_t", $n0->port, pg_user()), db => 'testdb');
ok(wait_until(sub {
	$n1->query("SELECT count(*) FROM pg_subscription_rel WHERE srsubstate = 'r'", db => 'testdb') == 1 }, 30),
	'node 1 subscribed to t on node 0 (initial sync done)');

my %base = (
	health_check_user => pg_user(), sr_check_user => pg_user(),
	log_per_node_statement => 'on', load_balance_mode => 'on',
	# would make a streaming replication check worker run, and log, every second
	sr_check_period => 1, log_standby_delay => 'always',
);

# Node ids where the "SELECT 'P', inet_server_port()" of $n sessions ran.
sub read_nodes
{
	my ($pp, $n) = @_;
	my %seen;
	for (1 .. $n)
	{
		my ($rc, $out, $err) = $pp->psql(q{SELECT 'P', inet_server_port() FROM t LIMIT 1},
			db => 'testdb');
		my ($port) = $out =~ /^P\|(\d+)$/m;
		$seen{ $rc ? "error: $err" : defined $port ? $node_of_port{$port} // "port $port" : "no row" }++;
	}
	return [ sort keys %seen ];
}

# Node ids the INSERT of one session ran on (from log_per_node_statement).
sub write_nodes
{
	my ($pp, $sql) = @_;
	my $from = $pp->log_position;
	my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb');
	return "error: $err" if $rc;
	(my $head = $sql) =~ s/\s.*//s;
	return nodes_ran(log_statements($pp, $from), qr/^\Q$head\E/i);
}

sub roles
{
	my ($pp) = @_;
	return join(',', map { "$_->{role}/$_->{status}" } show_rows($pp, 'SHOW pool_nodes', db => 'testdb'));
}

sub worker_pids
{
	my ($pp) = @_;
	return scalar $pp->child_pids(qr/worker process/);
}

# --- 1. logical replication -------------------------------------------------------------------
my $pp = PgpoolTest::Pgpool->new(nodes => \@nodes, name => 'pgpool_logical',
	conf => { %base, backend_clustering_mode => 'logical_replication',
		backend_weight0 => 0, backend_weight1 => 1 });
ok($pp->start, 'pgpool starts in logical_replication mode') or die "cannot continue";

is_deeply(write_nodes($pp, "INSERT INTO t VALUES (1, 'through pgpool')"), [0],
	'logical: the INSERT ran on node 0 only');
is($n0->query('SELECT v FROM t WHERE id = 1', db => 'testdb'), 'through pgpool',
	'logical: node 0 has the row');
ok(wait_until(sub { $n1->query('SELECT count(*) FROM t WHERE id = 1', db => 'testdb') == 1 }, 30),
	'logical: the row reached node 1 by logical replication');
is_deeply(read_nodes($pp, 6), [1], 'logical: weights 0:1 send every read to node 1');
like(roles($pp), qr{^primary/up,standby/(up|waiting)$}, 'logical: SHOW pool_nodes: node 0 primary, node 1 standby');

sleep 2;    # two sr_check_period rounds
is(worker_pids($pp), 0, 'logical: no streaming replication check worker process')
  or diag(join("\n", map { PgpoolTest::Pgpool::process_title($_) } $pp->child_pids));
unlike($pp->log_content, qr/Replication of node: \d+ is behind/,
	'logical: no replication delay is measured');
my @pool_nodes = show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
is(join(',', map { $_->{replication_delay} // 'none' } @pool_nodes), '0,0',
	'logical: SHOW pool_nodes shows no replication delay');
$pp->stop('fast');

# Control: the same check finds the worker in streaming replication mode.
my $sr = PgpoolTest::Pgpool->new(nodes => \@nodes, name => 'pgpool_sr_control',
	conf => { %base, backend_clustering_mode => 'streaming_replication' });
ok($sr->start, 'control: pgpool starts in streaming_replication mode over the same nodes')
  or diag(tail_text($sr->log_content, 20));
ok(wait_until(sub { worker_pids($sr) }, 10), 'control: there the worker process runs');
$sr->stop('fast');

# --- 2. ALWAYS_PRIMARY --------------------------------------------------------------------------
$pp = PgpoolTest::Pgpool->new(nodes => \@nodes, name => 'pgpool_always',
	conf => { %base, backend_clustering_mode => 'logical_replication',
		backend_flag1 => 'ALWAYS_PRIMARY', backend_weight0 => 1, backend_weight1 => 0 });
ok($pp->start, 'pgpool starts with backend_flag1 = ALWAYS_PRIMARY') or die "cannot continue";
like(roles($pp), qr{^standby/(up|waiting),primary/up$}, 'ALWAYS_PRIMARY: node 1 is the primary');
is_deeply(write_nodes($pp, "INSERT INTO local_t (v) VALUES ('always primary')"), [1],
	'ALWAYS_PRIMARY: the INSERT ran on node 1 only');
is($n1->query(q{SELECT count(*) FROM local_t WHERE v = 'always primary'}, db => 'testdb'), 1,
	'ALWAYS_PRIMARY: node 1 has the row');
is($n0->query(q{SELECT count(*) FROM local_t WHERE v = 'always primary'}, db => 'testdb'), 0,
	'ALWAYS_PRIMARY: node 0 does not');
is_deeply(read_nodes($pp, 6), [0], 'ALWAYS_PRIMARY: weights 1:0 send every read to node 0');
$pp->stop('fast');

# --- 3. slony via the 3.x switches --------------------------------------------------------------
$pp = PgpoolTest::Pgpool->new(nodes => \@nodes, name => 'pgpool_slony',
	conf => { %base, backend_clustering_mode => undef, master_slave_mode => 'on',
		master_slave_sub_mode => 'slony', backend_weight0 => 0, backend_weight1 => 1 });
ok($pp->start, 'pgpool starts with master_slave_mode = on, master_slave_sub_mode = slony')
  or die "cannot continue";
unlike(${ \PgpoolTest::Util::slurp($pp->conf_file) }, qr/backend_clustering_mode/,
	'slony: pgpool.conf has no backend_clustering_mode line');
is_deeply(write_nodes($pp, "INSERT INTO local_t (v) VALUES ('slony 0')"), [0],
	'slony: the INSERT ran on node 0 only');
is_deeply(read_nodes($pp, 6), [1], 'slony: weights 0:1 send every read to node 1');
like(roles($pp), qr{^primary/up,standby/(up|waiting)$}, 'slony: node 0 primary, node 1 standby');
sleep 2;
is(worker_pids($pp), 0, 'slony: no streaming replication check worker process');

my $pcp = PgpoolTest::Pcp->new($pp);
my ($rc, $out, $err) = $pcp->legacy('pcp_detach_node', 0);
is($rc, 0, 'slony: pcp_detach_node 0') or diag($err);
ok(wait_until(sub { roles($pp) =~ m{^standby/down,primary/up$} }, 30),
	'slony: after the detach node 0 is down and node 1 the primary')
  or diag(roles($pp) . "\n" . tail_text($pp->log_content, 20));
is_deeply(write_nodes($pp, "INSERT INTO local_t (v) VALUES ('slony 1')"), [1],
	'slony: the INSERT now runs on node 1');
is($n1->query(q{SELECT count(*) FROM local_t WHERE v = 'slony 1'}, db => 'testdb'), 1,
	'slony: node 1 has the row');
is($n0->query(q{SELECT count(*) FROM local_t WHERE v = 'slony 1'}, db => 'testdb'), 0,
	'slony: node 0 does not');

done_testing;
