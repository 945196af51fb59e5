# Native replication mode: what pgpool does when the nodes answer a write
# differently, or one of them goes away.  Three independent nodes; the
# differences are made behind pgpool's back (a CHECK constraint or a row
# deleted directly on one node).  Each case runs in a pgpool of its own (its
# own logdir, so no node status carries over) over the same nodes:
#
#   1. kind mismatch (0[C] 1[C] 2[E]), default settings: the client gets
#      the FATAL "kind mismatch among backends" and its session ends, no node
#      is detached (SHOW pool_nodes, pcp_node_info);
#   2. kind mismatch with replication_stop_on_mismatch = on: the client gets
#      it as an ERROR and its session goes on, the minority node is
#      detached, later writes go on to the others;
#   3. affected tuples mismatch, default settings: WARNING "pgpool detected
#      difference of the number of inserted, updated or deleted tuples" with
#      each node's count, nothing detached;
#   4. the same with failover_if_affected_tuples_mismatch = on: the
#      minority node is detached;
#   5. node 2 stopped (-m immediate) while a session writes through pgpool:
#      the session goes on, node 2 is detached, nodes 0 and 1 identical.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Background;
use PgpoolTest::Native qw(make_nodes native_pgpool table_md5 on_all run_on_all node_status
  wait_status);
use PgpoolTest::Pcp;
use PgpoolTest::Util qw(pg_bin pg_user test_dir spew wait_until);

my @nodes = make_nodes(3);
my ($n0, $n1, $n2) = @nodes;

# Status name of a node in pcp_node_info -n (5th field: up, down, waiting).
sub pcp_status
{
	my ($pp, $id) = @_;
	my ($rc, $out, $err) = PgpoolTest::Pcp->new($pp)->opts('pcp_node_info', '-n', $id);
	return "pcp failed: $err" if $rc;
	return (split / /, $out)[4] // "no field in: $out";
}

sub statuses { my ($pp) = @_; return [ map { node_status($pp, $_) } 0 .. 2 ]; }

# A psql script through pgpool that goes on after an error (ON_ERROR_STOP off).
sub via_script
{
	my ($pp, $sql) = @_;
	return $pp->psql($sql, db => 'testdb', script => 1, args => [ '-v', 'ON_ERROR_STOP=0' ]);
}

run_on_all(\@nodes, <<'EOS');
CREATE TABLE km_a (id int PRIMARY KEY, v int);
INSERT INTO km_a SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE km_b (id int PRIMARY KEY, v int);
INSERT INTO km_b SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE at_c (id int PRIMARY KEY, v int);
INSERT INTO at_c SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE at_d (id int PRIMARY KEY, v int);
INSERT INTO at_d SELECT g, g FROM generate_series(1, 5) g;
CREATE TABLE kill_e (id int PRIMARY KEY, v text);
EOS
$n2->query('ALTER TABLE km_a ADD CONSTRAINT small CHECK (v < 100)', db => 'testdb');
$n2->query('ALTER TABLE km_b ADD CONSTRAINT small CHECK (v < 100)', db => 'testdb');
$n1->query('DELETE FROM at_c WHERE id = 5', db => 'testdb');
$n1->query('DELETE FROM at_d WHERE id = 5', db => 'testdb');

# --- 1. kind mismatch, default settings -------------------------------------------------------
my $pp = native_pgpool(\@nodes, name => 'pgpool_default');
ok($pp->start, 'pgpool (default mismatch settings) starts') or die "cannot continue";
my ($rc, $out, $err) = via_script($pp, "UPDATE km_a SET v = 200 WHERE id = 1;\n"
	  . "SELECT 'still connected';\n");
isnt($rc, 0, 'kind mismatch: psql fails');
like($err, qr/FATAL:  kind mismatch among backends\. Possible last query was: "UPDATE km_a SET v = 200 WHERE id = 1;?" kind details are: 0\[C\] 1\[C\] 2\[E\]/,
	'kind mismatch: the client gets the FATAL with the query and each node\'s kind');
unlike($out, qr/still connected/, 'kind mismatch: the session ended');
is_deeply(statuses($pp), [ ('up') x 3 ], 'kind mismatch: SHOW pool_nodes shows every node up');
is(pcp_status($pp, 2), 'up', 'kind mismatch: pcp_node_info shows node 2 up');
like($pp->log_content, qr/kind mismatch among backends/, 'kind mismatch: logged');
($rc, $out, $err) = $pp->psql('INSERT INTO km_a VALUES (10, 10)', db => 'testdb');
is($rc, 0, 'kind mismatch: a new session writes') or diag($err);
is_deeply([ on_all(\@nodes, 'SELECT count(*) FROM km_a WHERE id = 10') ], [ (1) x 3 ],
	'kind mismatch: and its write reaches all three nodes');

# --- 3. affected tuples mismatch, default settings ------------------------------------------------
($rc, $out, $err) = $pp->psql('UPDATE at_c SET v = v + 1 WHERE id >= 4', db => 'testdb',
	args => [ '-P', 'tuples_only=off' ]);
is($rc, 0, 'affected tuples mismatch: the UPDATE succeeds') or diag($err);
like($out, qr/^UPDATE 2$/m, 'affected tuples mismatch: the client gets the main node\'s count');
like($err, qr/WARNING:  pgpool detected difference of the number of inserted, updated or deleted tuples/,
	'affected tuples mismatch: WARNING');
like($err, qr/DETAIL:  node 0: 2, node 1: 1, node 2: 2; possible last query was: "UPDATE at_c SET v = v \+ 1 WHERE id >= 4"/,
	'affected tuples mismatch: DETAIL gives each node\'s count and the query');
is_deeply(statuses($pp), [ ('up') x 3 ], 'affected tuples mismatch: no node detached');
$pp->stop('fast');

# --- 2. kind mismatch, replication_stop_on_mismatch = on ----------------------------------------
$pp = native_pgpool(\@nodes, name => 'pgpool_stop', conf => { replication_stop_on_mismatch => 'on' });
ok($pp->start, 'pgpool with replication_stop_on_mismatch = on starts') or die "cannot continue";
($rc, $out, $err) = via_script($pp, "UPDATE km_b SET v = 200 WHERE id = 1;\n"
	  . "SELECT 'still connected';\nINSERT INTO km_b VALUES (10, 10);\n");
like($err, qr/ERROR:  kind mismatch among backends\. Possible last query was: "UPDATE km_b SET v = 200 WHERE id = 1;?" kind details are: 0\[C\] 1\[C\] 2\[E\]/,
	'stop_on_mismatch: the client gets the kind mismatch as an ERROR');
unlike($err, qr/FATAL|server closed the connection/, 'stop_on_mismatch: no FATAL, no lost connection');
like($out, qr/still connected/, 'stop_on_mismatch: the session goes on');
is(wait_status($pp, 2, 'down'), 'down', 'stop_on_mismatch: node 2 (the minority) is detached');
is_deeply([ map { node_status($pp, $_) } 0, 1 ], [ 'up', 'up' ], 'stop_on_mismatch: nodes 0 and 1 stay up');
is(pcp_status($pp, 2), 'down', 'stop_on_mismatch: pcp_node_info shows node 2 down');
($rc, $out, $err) = $pp->psql('INSERT INTO km_b VALUES (11, 11)', db => 'testdb');
is($rc, 0, 'stop_on_mismatch: a new session writes') or diag($err);
is_deeply([ on_all(\@nodes, 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM km_b WHERE id >= 10') ],
	[ '10,11', '10,11', '' ], 'stop_on_mismatch: later writes reach nodes 0 and 1, not node 2');
is(table_md5($n0, 'km_b', 'id'), table_md5($n1, 'km_b', 'id'), 'stop_on_mismatch: km_b identical on nodes 0 and 1');
is_deeply([ on_all(\@nodes, 'SELECT v FROM km_b WHERE id = 1') ], [ 200, 200, 1 ],
	'stop_on_mismatch: the UPDATE stayed on the majority');
$pp->stop('fast');

# --- 4. failover_if_affected_tuples_mismatch = on ---------------------------------------------------
$pp = native_pgpool(\@nodes, name => 'pgpool_tuples',
	conf => { failover_if_affected_tuples_mismatch => 'on' });
ok($pp->start, 'pgpool with failover_if_affected_tuples_mismatch = on starts') or die "cannot continue";
($rc, $out, $err) = via_script($pp, "UPDATE at_d SET v = v + 1 WHERE id >= 4;\n"
	  . "SELECT 'still connected';\n");
like($err, qr/pgpool detected difference of the number of inserted, updated or deleted tuples/,
	'failover_if_affected_tuples_mismatch: the difference is reported');
is(wait_status($pp, 1, 'down'), 'down', 'failover_if_affected_tuples_mismatch: node 1 (the minority) is detached');
is_deeply([ map { node_status($pp, $_) } 0, 2 ], [ 'up', 'up' ],
	'failover_if_affected_tuples_mismatch: nodes 0 and 2 stay up');
($rc, $out, $err) = $pp->psql('INSERT INTO at_d VALUES (10, 10)', db => 'testdb');
is($rc, 0, 'failover_if_affected_tuples_mismatch: a new session writes') or diag($err);
is_deeply([ on_all(\@nodes, 'SELECT count(*) FROM at_d WHERE id = 10') ], [ 1, 0, 1 ],
	'failover_if_affected_tuples_mismatch: later writes reach nodes 0 and 2 only');
$pp->stop('fast');

# --- 5. a node stopped while a session writes -------------------------------------------------------
$pp = native_pgpool(\@nodes, name => 'pgpool_kill');
ok($pp->start, 'pgpool (node loss case) starts') or die "cannot continue";
my $rows = 150;
my $script = join('', map { "INSERT INTO kill_e VALUES ($_, 'row $_');\n\\! sleep 0.04\n" } 1 .. $rows)
  . "SELECT 'done', count(*) FROM kill_e;\n";
my $file = test_dir() . '/kill_e.sql';
spew($file, $script);
my $bg = PgpoolTest::Background->start([ pg_bin('psql'), '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	'-h', '127.0.0.1', '-p', $pp->port, '-U', pg_user(), '-d', 'testdb', '-f', $file ]);
ok(wait_until(sub { ($n0->psql('SELECT count(*) FROM kill_e', db => 'testdb'))[1] >= 30 }, 30),
	'node loss: the session is writing');
$n2->stop('immediate');
my ($brc, $bout, $berr) = $bg->finish(60);
is($brc, 0, 'node loss: the writing session ends normally') or diag("out: $bout\nerr: $berr");
like($bout, qr/^done\|$rows$/m, "node loss: all $rows INSERTs succeeded in that session");
is(wait_status($pp, 2, 'down'), 'down', 'node loss: node 2 is detached');
is_deeply([ map { node_status($pp, $_) } 0, 1 ], [ 'up', 'up' ], 'node loss: nodes 0 and 1 stay up');
is_deeply([ map { ($_->psql('SELECT count(*) FROM kill_e', db => 'testdb'))[1] } $n0, $n1 ],
	[ $rows, $rows ], "node loss: $rows rows on nodes 0 and 1");
is(table_md5($n0, 'kill_e', 'id'), table_md5($n1, 'kill_e', 'id'), 'node loss: kill_e identical on nodes 0 and 1');
($rc, $out, $err) = $pp->psql("INSERT INTO kill_e VALUES (1000, 'after')", db => 'testdb');
is($rc, 0, 'node loss: a new session writes') or diag($err);
is_deeply([ map { ($_->psql('SELECT count(*) FROM kill_e WHERE id = 1000', db => 'testdb'))[1] } $n0, $n1 ],
	[ 1, 1 ], 'node loss: and its write reaches nodes 0 and 1');

done_testing();
