# Streaming replication: the load-balancing settings that pick a node by
# who connects or by what a query says.  Weights 0:1, so a session without
# a redirect reads from the standby.  app_name / database / user
# redirect preference lists (numbers, primary, standby, regexes, several
# entries, a weight), primary_routing_query_pattern_list,
# statement_level_load_balance's DEBUG1 line, and delay_threshold checked
# again for every statement of a session that began before the delay.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Background;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in show_rows);
use PgpoolTest::Util qw(pg_user pg_bin wait_until);

my $THRESHOLD = 100_000;    # bytes of WAL

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;

$n0->query($_) for ('CREATE DATABASE db2', 'CREATE DATABASE db3');
$n0->create_user('ruser');
$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE t_primary (a int);
CREATE TABLE t_other (a int);
INSERT INTO t_primary VALUES (1);
INSERT INTO t_other VALUES (1);
CREATE TABLE dml_a (a int);
CREATE TABLE dml_dep (a int);
CREATE TABLE dml_free (a int);
INSERT INTO dml_dep VALUES (1);
INSERT INTO dml_free VALUES (1);
CREATE TABLE filler (a int, b text);
EOS
ok($n0->wait_replay($n1), 'the standby replayed the schema');

my $pp = stream_pgpool(\@nodes, conf => {
	backend_weight0 => 0, backend_weight1 => 1, num_init_children => 4,
	app_name_redirect_preference_list => 'app[0-9]+:primary, stby:standby',
	database_redirect_preference_list => 'db2:0,db3:0(0.5)',
	user_redirect_preference_list => 'ruser:primary',
	primary_routing_query_pattern_list => '.*FROM t_primary.*;SELECT 42\;',
	sr_check_period => 1, delay_threshold => $THRESHOLD,
	disable_load_balance_on_write => 'dml_adaptive', dml_adaptive_object_relationship_list => 'dml_a:dml_dep',
});
ok($pp->start, 'pgpool starts with the redirect lists') or die "cannot continue";

my $P = q{SELECT 'P', inet_server_port()};

sub node_for
{
	my (%o) = @_;
	my ($rc, $out, $err) = $pp->psql($o{sql} // $P, db => $o{db} // 'testdb', user => $o{user},
		script => $o{script}, env => $o{app} ? { PGAPPNAME => $o{app} } : {});
	return "rc $rc: $err" if $rc;
	return join(',', @{ ports_in($out) });
}

# --- redirect preference lists -------------------------------------------------------------------------
{
	is(node_for(), '1', 'no redirect: the standby (weights 0:1)');
	is(node_for(db => 'db2'), '0', 'database_redirect_preference_list db2:0 — node 0');
	is(node_for(app => 'app17'), '0', 'app_name_redirect_preference_list app[0-9]+:primary — a regex');
	is(node_for(app => 'app'), '1', '... the whole name must match');
	is(node_for(app => 'stby', db => 'db2'), '1', 'the application\'s entry (standby) wins over the database\'s');
	is(node_for(user => 'ruser'), '0', 'user_redirect_preference_list ruser:primary');
	my %seen;
	$seen{ node_for(db => 'db3') }++ for 1 .. 40;
	ok(($seen{0} // 0) >= 6 && ($seen{1} // 0) >= 6 && ($seen{0} // 0) + ($seen{1} // 0) == 40,
		'db3:0(0.5): about half the sessions on node 0, the rest balanced to node 1')
	  or diag explain \%seen;
}

# --- primary_routing_query_pattern_list ----------------------------------------------------------------
{
	is(node_for(sql => "$P FROM t_primary"), '0', 'a query matching a pattern goes to the primary');
	is(node_for(sql => "$P FROM t_other"), '1', '... another one is balanced');
	my ($rc, $out) = $pp->psql("SELECT 42;\n", db => 'testdb', script => 1);
	is($out, '42', "'\\;' in a pattern is a literal ';'");
}

# --- allow_sql_comments ---------------------------------------------------------------------------
{
	is(node_for(sql => "/* app */ $P"), '0', 'allow_sql_comments off: a leading comment keeps the query on the primary');
	is(node_for(sql => "/*NO LOAD BALANCE*/ $P"), '0', '... and so does /*NO LOAD BALANCE*/');
	$pp->set_conf(allow_sql_comments => 'on');
	my $from = length($pp->log_content);
	$pp->reload;
	ok($pp->wait_for_log(qr/reloading configuration files/, 10, $from), 'reload with allow_sql_comments = on');
	sleep 1;
	is(node_for(sql => "/* app */ $P"), '1', 'allow_sql_comments on: a leading comment no longer prevents load balancing');
	is(node_for(sql => "/*NO LOAD BALANCE*/ $P"), '0', '... /*NO LOAD BALANCE*/ still does');
	$pp->set_conf(allow_sql_comments => 'off');
	$pp->reload;
	sleep 1;
}

# --- disable_load_balance_on_write = 'dml_adaptive' ---------------------------------------------------
{
	my $out = node_for(script => 1, sql => "BEGIN;\nINSERT INTO dml_a VALUES (1);\n$P, a FROM dml_a;\n"
		  . "$P, a FROM dml_dep;\n$P, a FROM dml_free;\nCOMMIT;\n$P, a FROM dml_dep;\n");
	is($out, '0,0,1,1', 'dml_adaptive: after a write to dml_a, reads of dml_a and of dml_dep '
		  . '(dml_a:dml_dep) go to the primary, dml_free stays balanced, and after COMMIT all do');
}

# --- statement_level_load_balance: DEBUG1 "selecting load balance node" --------------------------------
{
	$pp->set_conf(statement_level_load_balance => 'on', log_min_messages => 'debug1');
	my $from = length($pp->log_content);
	$pp->reload;
	ok($pp->wait_for_log(qr/reloading configuration files/, 10, $from), 'reload with statement_level_load_balance');
	sleep 1;
	$from = length($pp->log_content);
	is(node_for(sql => "$P;\n$P;\n", script => 1), '1,1', 'each statement chooses');
	my $log = substr($pp->log_content, $from);
	my @choices = $log =~ /DEBUG1?:\s+selecting load balance node/g;
	ok(@choices >= 2, 'each choice is logged at DEBUG1: "selecting load balance node"') or diag $log;
	like($log, qr/DETAIL:\s+selected backend id is 1/, '... with DETAIL "selected backend id is 1"');
	$pp->set_conf(statement_level_load_balance => 'off', log_min_messages => 'warning');
	$pp->reload;
	sleep 1;
}

# --- delay_threshold checked for every statement ------------------------------------------------------
{
	ok(wait_until(sub { my @r = show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
				@r == 2 && ($r[1]{replication_delay} // 'x') =~ /^\d+$/ && $r[1]{replication_delay} <= $THRESHOLD }, 20),
		'the standby starts within delay_threshold');
	my $session = PgpoolTest::Background->start([ pg_bin('psql'), '-X', '-A', '-t', '-h', '127.0.0.1',
		'-p', $pp->port, '-U', pg_user(), '-d', 'testdb', '-c', $P, '-c', '\! sleep 12', '-c', $P ]);
	sleep 1;
	$n1->query('SELECT pg_wal_replay_pause()');
	$n0->query(q{INSERT INTO filler SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g}, db => 'testdb');
	ok(wait_until(sub { my @r = show_rows($pp, 'SHOW pool_nodes', db => 'testdb');
				($r[1]{replication_delay} // 0) > $THRESHOLD }, 10),
		'the paused standby falls behind delay_threshold');
	my ($rc, $out, $err) = $session->finish(30);
	is(join(',', @{ ports_in($out) }), '1,0',
		'a session that began on the standby reads from the primary once the standby is delayed')
	  or diag "$out\n$err";
	$n1->query('SELECT pg_wal_replay_resume()');
}

$pp->stop('fast');
done_testing();
