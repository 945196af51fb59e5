# Streaming replication with both function lists empty (the default): the
# catalog's volatility decides.  A primary and one streaming standby,
# weights 0:1, so every load-balanced read runs on the standby.  A SELECT
# calling a VOLATILE function that writes fails on the standby directly and
# succeeds through pgpool (it runs on the primary); STABLE and IMMUTABLE
# calls stay on the standby; in subqueries, CTEs, LATERAL, VALUES, EXPLAIN,
# PREPARE/EXECUTE, in the simple and the extended protocol; a function
# replaced inside the session's open transaction counts; after DROP +
# CREATE with another volatility every child uses the new answer.  Then the
# node-state functions, sequence relations and SHOW of node-local values.
use strict;
use warnings;
use Test::More;
use PgpoolTest::Node;
use PgpoolTest::Pgpool;
use PgpoolTest::Stream qw(make_cluster stream_pgpool node_of ports_in log_statements nodes_ran
  pq_extended_bin pgbench_script);
use PgpoolTest::Util qw(pg_user run_cmd);

my @nodes = make_cluster(standbys => 1);
my ($n0, $n1) = @nodes;

$n0->query(<<'EOS', db => 'testdb', script => 1);
CREATE TABLE wlog (id serial PRIMARY KEY, note text);
CREATE FUNCTION vol_w(t text) RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO wlog (note) VALUES (t) RETURNING id $$;
CREATE FUNCTION stab_f() RETURNS int LANGUAGE sql STABLE AS 'SELECT 2';
CREATE FUNCTION imm_f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE SCHEMA other;
CREATE FUNCTION other.stab_f() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 3';
CREATE FUNCTION ov(int) RETURNS int LANGUAGE sql STABLE AS 'SELECT $1';
CREATE FUNCTION ov(text) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
CREATE FUNCTION chg() RETURNS int LANGUAGE sql STABLE AS 'SELECT 5';
CREATE FUNCTION rep() RETURNS int LANGUAGE sql STABLE AS 'SELECT 6';
CREATE SEQUENCE sq;
EOS
ok($n0->wait_replay($n1), 'the standby replayed the schema');

my $pp = stream_pgpool(\@nodes, conf => { backend_weight0 => 0, backend_weight1 => 1,
	num_init_children => 4, disable_load_balance_on_write => 'off' });
ok($pp->start, 'pgpool starts in streaming replication mode') or die "cannot continue";

my $P = q{SELECT 'P', inet_server_port()};

sub ran
{
	my ($sql, %o) = @_;
	my ($rc, $out, $err) = $pp->psql($sql, db => 'testdb', %o);
	return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
}

sub ran_ok
{
	my ($r, $want, $name) = @_;
	my @got = @{ $r->{nodes} };
	my $ok = $r->{rc} == 0 && "@got" eq "@$want";
	ok($ok, $name) or diag("want [@$want], got [@got] rc $r->{rc}\n$r->{out}\n$r->{err}");
	return $ok;
}

sub wlog_has
{
	my ($note) = @_;
	return $n0->query("SELECT count(*) FROM wlog WHERE note = '$note'", db => 'testdb');
}

# Nodes where statements matching $re ran (log_per_node_statement), for
# statements that print no port (EXPLAIN).
sub logged_nodes
{
	my ($sql, $re) = @_;
	my $from = length($pp->log_content);
	my $r = ran($sql, script => 1);
	return [ 'rc', $r->{rc}, $r->{err} ] if $r->{rc};
	return nodes_ran(log_statements($pp, $from), $re);
}

# --- the rule: direct on the standby vs through pgpool ----------------------------------
{
	my ($rc, $out, $err) = $n1->psql("SELECT vol_w('direct')", db => 'testdb');
	isnt($rc, 0, 'directly on the standby a SELECT of a writing VOLATILE function fails');
	like($err, qr/read-only transaction/, '... with "cannot execute INSERT in a read-only transaction"');

	ran_ok(ran("$P, vol_w('simple')"), [0], 'through pgpool it runs on the primary');
	is(wlog_has('simple'), 1, '... and its row is written');
	ran_ok(ran("$P, stab_f()"), [1], 'a STABLE function: the standby');
	ran_ok(ran("$P, imm_f(7)"), [1], 'an IMMUTABLE function: the standby');
	ran_ok(ran("$P, now(), upper('a')"), [1], 'built-in stable and immutable functions: the standby');
	ran_ok(ran("$P, random()"), [0], 'built-in random() is volatile: the primary');
	ran_ok(ran("$P, stab_f(), imm_f(1), vol_w('mixed')"), [0], 'the worst of several functions decides');
	ran_ok(ran("$P, other.stab_f()"), [0], 'a schema-qualified name: that schema\'s function (volatile)');
	ran_ok(ran("$P, public.stab_f()"), [1], '... and the other schema\'s (stable)');
	ran_ok(ran("$P, ov(1)"), [0], 'overloads: the worst of them');
	my $from = length($pp->log_content);
	my $r = ran("SELECT no_such_function_x()");
	like($r->{err}, qr/function no_such_function_x\(\) does not exist/, 'an unknown function fails');
	is_deeply(nodes_ran(log_statements($pp, $from), qr/no_such_function_x/), [0],
		'... on the primary: unknown names count as volatile');
}

# --- search_path decides what an unqualified name means ------------------------------------------
{
	my $r = ran(<<"EOS", script => 1);
$P, stab_f();
SET search_path = other, public;
$P, stab_f();
RESET search_path;
$P, stab_f();
BEGIN;
SET LOCAL search_path = other, public;
$P, stab_f();
COMMIT;
$P, stab_f();
EOS
	ran_ok($r, [ 1, 0, 1, 0, 1 ], 'stab_f() with other.stab_f (volatile) on the search_path: the '
		  . 'primary; back on the standby after RESET and after SET LOCAL\'s transaction');
	ran_ok(ran("$P, stab_f()"), [1], 'a new session: the standby');
	ran_ok(ran("$P, stab_f()", env => { PGOPTIONS => '-c search_path=other,public' }), [0],
		'search_path from the startup packet: the primary');
}

# --- anywhere in the tree ---------------------------------------------------------------------
{
	ran_ok(ran("$P FROM (SELECT vol_w('sub')) s"), [0], 'in a subquery in FROM');
	ran_ok(ran("$P WHERE 1 = (SELECT vol_w('where') * 0 + 1)"), [0], 'in a scalar subquery');
	ran_ok(ran("WITH c AS (SELECT vol_w('cte') AS x) $P FROM c"), [0], 'in a CTE');
	ran_ok(ran("$P FROM (VALUES (1)) v(a), LATERAL (SELECT vol_w('lat')) l"), [0], 'in LATERAL');
	ran_ok(ran("$P FROM (VALUES (vol_w('val'))) v(a)"), [0], 'in VALUES');
	ran_ok(ran("$P FROM (VALUES (stab_f())) v(a)"), [1], '... a stable one in VALUES: the standby');
	is(wlog_has($_), 1, "the $_ row is written") for qw(sub where cte lat val);

	is_deeply(logged_nodes("EXPLAIN SELECT vol_w('explain');\n", qr/EXPLAIN SELECT vol_w/), [0],
		'EXPLAIN of a volatile call: the primary');
	is_deeply(logged_nodes("EXPLAIN SELECT stab_f();\n", qr/EXPLAIN SELECT stab_f/), [1],
		'EXPLAIN of a stable call: the standby');
	ran_ok(ran("PREPARE pv AS $P, vol_w('prep');\nEXECUTE pv;\nEXECUTE pv;\n", script => 1), [0, 0],
		'PREPARE ... vol_w(): EXECUTE runs on the primary');
	is(wlog_has('prep'), 2, '... twice');
	ran_ok(ran("PREPARE ps AS $P, stab_f();\nEXECUTE ps;\n", script => 1), [1],
		'PREPARE ... stab_f(): EXECUTE runs on the standby');
}

# --- the session's own connection: its open transaction counts ---------------------------------
{
	# rep() is STABLE for everybody else; the transaction makes it a writer
	my $r = ran(<<"EOS", script => 1);
BEGIN;
CREATE OR REPLACE FUNCTION rep() RETURNS int LANGUAGE sql VOLATILE
  AS \$\$ INSERT INTO wlog (note) VALUES ('in-tx') RETURNING id \$\$;
$P, rep();
COMMIT;
EOS
	ran_ok($r, [0], 'a function replaced earlier in the open transaction: its new volatility counts');
	is(wlog_has('in-tx'), 1, '... and it wrote on the primary');

	$r = ran(<<"EOS", script => 1);
BEGIN;
CREATE FUNCTION tx_new() RETURNS int LANGUAGE sql VOLATILE
  AS \$\$ INSERT INTO wlog (note) VALUES ('tx-new') RETURNING id \$\$;
$P, tx_new();
ROLLBACK;
EOS
	ran_ok($r, [0], 'a function created earlier in the transaction: the primary');
	is(wlog_has('tx-new'), 0, '... rolled back with it');
}

# --- DROP + CREATE with another volatility: every child forgets -------------------------------
{
	my %warm;
	$warm{ ran("$P, chg()")->{nodes}[0] // 'x' }++ for 1 .. 8;
	is_deeply(\%warm, { 1 => 8 }, 'chg() STABLE: eight sessions read it on the standby');
	my $r = ran(<<"EOS", script => 1);
DROP FUNCTION chg();
CREATE FUNCTION chg() RETURNS int LANGUAGE sql VOLATILE
  AS \$\$ INSERT INTO wlog (note) VALUES ('chg') RETURNING id \$\$;
$P, chg();
EOS
	ran_ok($r, [0], 'DROP + CREATE VOLATILE: the same session uses the new answer');
	my %after;
	$after{ ran("$P, chg()")->{nodes}[0] // 'x' }++ for 1 .. 8;
	is_deeply(\%after, { 0 => 8 }, '... and so does every later session, whichever child serves it');
	is(wlog_has('chg'), 9, 'every call wrote on the primary');

	ok($n0->wait_replay($n1), 'the standby replayed');
	$r = ran(<<"EOS", script => 1);
ALTER FUNCTION chg() STABLE;
$P, imm_f(1);
EOS
	my %back;
	$back{ ran("$P, chg()")->{nodes}[0] // 'x' }++ for 1 .. 4;
	ok(!$back{0}, 'ALTER FUNCTION ... STABLE: back on the standby') or diag explain \%back;
}

# --- the extended protocol --------------------------------------------------------------------
SKIP:
{
	my $bin = pq_extended_bin();
	skip 'test/tools/pq_extended is not built', 5 unless $bin;
	my $conninfo = sprintf('host=127.0.0.1 port=%d dbname=testdb user=%s connect_timeout=10',
		$pp->port, pg_user());
	my $pq = sub {
		my ($rc, $out, $err) = run_cmd([ $bin, @_ ], timeout => 60);
		return { rc => $rc, out => $out, err => $err, nodes => ports_in($out) };
	};
	ran_ok($pq->($conninfo, "$P, vol_w('ext')"), [0], 'PQexecParams: a volatile call runs on the primary');
	ran_ok($pq->($conninfo, "$P, stab_f()"), [1], 'PQexecParams: a stable call on the standby');
	ran_ok($pq->('-n', 'nv', $conninfo, "$P FROM (SELECT vol_w('ext-named')) s"), [0],
		'PQprepare: a volatile call in a subquery runs on the primary');
	ran_ok($pq->('-n', 'ns', $conninfo, "$P, imm_f(2)"), [1], 'PQprepare: an immutable call on the standby');
	is(wlog_has('ext') + wlog_has('ext-named'), 2, 'both wrote');
}
{
	my ($rc, $out, $err) = pgbench_script($pp, "SELECT vol_w('pgbench');\nSELECT stab_f();\n",
		mode => 'prepared', t => 5);
	is($rc, 0, 'pgbench -M prepared: a volatile SELECT five times') or diag $err;
	is(wlog_has('pgbench'), 5, '... each wrote on the primary');
}

# --- functions that report the node's own state, sequences, SHOW ------------------------------
{
	my ($rc, $out, $err) = $n1->psql('SELECT txid_current()', db => 'testdb');
	isnt($rc, 0, 'directly on the standby txid_current() fails');
	ran_ok(ran("$P, txid_current()"), [0], 'through pgpool txid_current() runs on the primary');
	ran_ok(ran("$P, pg_current_xact_id()"), [0], 'pg_current_xact_id(): the primary');
	ran_ok(ran("$P, pg_current_xact_id_if_assigned()"), [0], 'pg_current_xact_id_if_assigned(): the primary');
	ran_ok(ran("$P, pg_backend_pid()"), [0], 'pg_backend_pid(): the primary');
	ran_ok(ran("$P, pg_my_temp_schema()"), [0], 'pg_my_temp_schema(): the primary');
	my $l = ran("LISTEN chan1;\n$P, c FROM pg_listening_channels() c;\n", script => 1);
	ran_ok($l, [0], 'pg_listening_channels(): the primary');
	like($l->{out}, qr/\|chan1$/m, '... which knows the session\'s LISTEN');
	ran_ok(ran("SELECT nextval('sq');\n$P, currval('sq');\n", script => 1), [0],
		'currval() after nextval(): the primary, with the session\'s value');
	is_deeply(logged_nodes("EXPLAIN SELECT nextval('sq');\n", qr/EXPLAIN SELECT nextval/), [0],
		'EXPLAIN SELECT nextval(): the primary');
	ran_ok(ran("$P, last_value FROM sq"), [0], 'a SELECT from a sequence relation: the primary');
	ran_ok(ran("$P, count(*) FROM wlog"), [1], 'a SELECT from a table: the standby');

	($rc, $out) = $n1->psql('SHOW transaction_read_only', db => 'testdb');
	is($out, 'on', 'the standby says transaction_read_only = on');
	my $r = ran('SHOW transaction_read_only');
	is($r->{out}, 'off', 'through pgpool SHOW transaction_read_only answers the primary\'s off');
	$r = ran('SHOW in_hot_standby');
	is($r->{out}, 'off', 'SHOW in_hot_standby: the primary\'s off');
	is_deeply(logged_nodes("SHOW transaction_isolation;\n", qr/SHOW transaction_isolation/), [0],
		'SHOW transaction_isolation: the primary');
	is_deeply(logged_nodes("SHOW work_mem;\n", qr/SHOW work_mem/), [1], 'SHOW work_mem: the standby');
}

# --- temporary objects: the session's reads stay on the primary until DISCARD TEMP -----------
{
	my $r = ran(<<"EOS", script => 1);
CREATE TEMP TABLE tt1 (a int);
$P, 'tt1'::regclass IS NOT NULL;
$P, count(*) FROM wlog;
DISCARD TEMP;
$P, count(*) FROM wlog;
EOS
	ran_ok($r, [ 0, 0, 1 ], 'after CREATE TEMP TABLE a regclass literal and every read go to the '
		  . 'primary, until DISCARD TEMP');
	$r = ran(<<"EOS", script => 1);
CREATE TYPE pg_temp.ty AS (a int);
$P, 'ty'::regtype IS NOT NULL;
DISCARD ALL;
$P;
CREATE DOMAIN pg_temp.dm AS int;
$P, 'dm'::regtype IS NOT NULL;
DISCARD TEMP;
CREATE FUNCTION pg_temp.tf() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
$P, 'pg_temp.tf'::regproc IS NOT NULL;
DISCARD TEMP;
CREATE TEMP SEQUENCE tsq;
$P, 'tsq'::regclass IS NOT NULL;
EOS
	ran_ok($r, [ 0, 1, 0, 0, 0 ], 'a pg_temp type, domain, function and a temporary sequence '
		  . 'likewise (DISCARD ALL ends it too)');
}

$pp->stop('fast');
done_testing();
