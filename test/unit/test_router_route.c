/*
 * test_router_route.c: unit tests for router_route(): every statement rule
 * of issue 4 with real SQL (pgbench's statements, psql's \d queries) --
 * reads, writes and the manual's conditions that keep a SELECT off the
 * standbys, comments and hints, transaction control and session state,
 * function list regexes, catalog/temporary/unlogged tables, raw mode.
 * Session-dependent rules are in test_router_session.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "router_test_util.h"
#include "utils/log.h"

static void
test_reads_load_balanced(void **state)
{
	static const char *const reads[] = {
		PGBENCH_SELECT,
		"SELECT abalance FROM pgbench_accounts WHERE aid = $1",
		"SELECT 1",
		"select count(*) from t where a > 3 group by b",
		"VALUES (1), (2)",
		"WITH x AS (SELECT * FROM t) SELECT * FROM x",
		"SHOW work_mem",
		"EXPLAIN SELECT * FROM t",
		"EXPLAIN INSERT INTO t VALUES (1)",
		"EXPLAIN ANALYZE SELECT * FROM t",
		"COPY t TO STDOUT",
		"COPY (SELECT * FROM t) TO STDOUT (FORMAT csv)",
		"SELECT now(), version(), current_user",
	};

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
	{
		RouterDecision d = rt_expect(reads[i], LB, "load_balance");

		assert_false(d.is_write);
		assert_false(d.new_node);
		assert_null(d.rel);
	}
}

static void
test_writes_primary(void **state)
{
	static const char *const writes[] = {
		"UPDATE pgbench_accounts SET abalance = abalance + -4233 WHERE aid = 4711;",
		"UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2",
		"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 4711, -4233, CURRENT_TIMESTAMP);",
		"DELETE FROM t",
		"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE",
		"TRUNCATE t",
		"CREATE TABLE t2 (a int)",
		"CREATE TEMP TABLE tt (a int)",
		"DROP TABLE t2",
		"ALTER TABLE t ADD COLUMN c int",
		"LOCK TABLE t",
		"VACUUM t",
		"ANALYZE t",
		"CALL p()",
		"DO $$BEGIN END$$",
		"COPY t FROM STDIN",
		"EXPLAIN ANALYZE INSERT INTO t VALUES (1)",
		"CREATE TABLE x AS SELECT 1",
	};

	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		assert_true(rt_expect(writes[i], PRIMARY, "write").is_write);
}

/* The manual's conditions that keep a SELECT off the standbys */
static void
test_not_load_balanced(void **state)
{
	assert_true(rt_expect("SELECT * FROM t FOR UPDATE", PRIMARY, "for_update").is_write);
	assert_true(rt_expect("SELECT * FROM t WHERE a IN (SELECT a FROM u FOR SHARE)", PRIMARY,
					   "for_update").is_write);
	assert_true(rt_expect("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED", PRIMARY, "for_update").is_write);
	assert_true(rt_expect("SELECT * INTO t3 FROM t", PRIMARY, "select_into").is_write);
	assert_true(rt_expect("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", PRIMARY,
					   "writable_cte").is_write);
	assert_true(rt_expect("SELECT nextval('s')", PRIMARY, "sequence_function").is_write);
	assert_true(rt_expect("SELECT pg_catalog.setval('s', 10)", PRIMARY, "sequence_function").is_write);
	assert_true(rt_expect("SELECT a, nextval('s') FROM t", PRIMARY, "sequence_function").is_write);

	assert_false(rt_expect("SELECT 1; SELECT 2", PRIMARY, "multi_statement").is_write);
	assert_true(rt_expect("SELECT 1; UPDATE t SET a = 1", PRIMARY, "multi_statement").is_write);

	assert_false(rt_expect("/* comment */ SELECT 1", PRIMARY, "leading_comment").is_write);
	assert_false(rt_expect("-- comment\nSELECT 1", PRIMARY, "leading_comment").is_write);
	assert_false(rt_expect("/*NO LOAD BALANCE*/ SELECT 1", PRIMARY, "no_load_balance_hint").is_write);
	assert_false(rt_expect("COPY t TO '/tmp/out'", PRIMARY, "not_read_only").is_write);
	assert_false(rt_expect("CHECKPOINT", PRIMARY, "not_read_only").is_write);

	/* ignore_leading_white_space is on by default */
	rt_expect("   SELECT 1", LB, "load_balance");
}

static void
test_comment_settings(void **state)
{
	CONFIGURE("allow_sql_comments", "on");
	rt_expect("/* app=web */ SELECT 1", LB, "load_balance");
	rt_expect("-- why\nSELECT 1", LB, "load_balance");
	/* the hint keeps working when comments are allowed */
	rt_expect("/*NO LOAD BALANCE*/ SELECT 1", PRIMARY, "no_load_balance_hint");
	rt_expect("SELECT /*NO LOAD BALANCE*/ 1", PRIMARY, "no_load_balance_hint");

	CONFIGURE("ignore_leading_white_space", "off");
	rt_expect("\t SELECT 1", PRIMARY, "leading_white_space");
	rt_expect("SELECT 1", LB, "load_balance");

	/* primary_routing_query_pattern_list: ';'-separated, "\\;" is a literal ';' */
	CONFIGURE("primary_routing_query_pattern_list", ".*FROM t2.* ; select 1\\;");
	rt_expect("SELECT * FROM t2 WHERE a = 1", PRIMARY, "primary_routing_query_pattern");
	rt_expect("select 1;", PRIMARY, "primary_routing_query_pattern");
	rt_expect("select 1", LB, "load_balance");
	assert_false(rt_route("SELECT a FROM t2").is_write);
}

static void
test_unparsable_and_empty(void **state)
{
	RouterDecision d = rt_expect("SELEKT 1", PRIMARY, "unparsable");

	assert_true(d.is_write);
	assert_false(rt_expect("", PRIMARY, "empty").is_write);
	assert_false(rt_expect(";", PRIMARY, "empty").is_write);
}

static void
test_transaction_control(void **state)
{
	rt_expect("BEGIN", ROUTER_TARGET_ALL_NODES, "begin");
	rt_expect("START TRANSACTION ISOLATION LEVEL REPEATABLE READ", ROUTER_TARGET_ALL_NODES, "begin");
	rt_expect("BEGIN ISOLATION LEVEL SERIALIZABLE", ROUTER_TARGET_ALL_NODES, "begin_primary_options");
	rt_expect("BEGIN READ WRITE", ROUTER_TARGET_ALL_NODES, "begin_primary_options");
	rt_expect("START TRANSACTION READ ONLY", ROUTER_TARGET_ALL_NODES, "begin");
	rt_expect("SET TRANSACTION READ WRITE", PRIMARY, "set_transaction_primary");
	rt_expect("SET transaction_read_only = off", PRIMARY, "set_transaction_primary");
	rt_expect("SET transaction_read_only TO 'false'", PRIMARY, "set_transaction_primary");
	rt_expect("SET transaction_read_only = on", ROUTER_TARGET_ALL_NODES, "session_state");
	assert_true(router_analyze("BEGIN READ WRITE", 16)->flags & ROUTER_F_READ_WRITE);
	assert_false(router_analyze("BEGIN READ ONLY", 15)->flags & ROUTER_F_READ_WRITE);
	assert_true(router_analyze("SET LOCAL a = 1", 15)->flags & ROUTER_F_SET_LOCAL);
	rt_expect("COMMIT", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("END", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("ROLLBACK", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("SAVEPOINT a", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("RELEASE a", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("ROLLBACK TO SAVEPOINT a", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_expect("PREPARE TRANSACTION 'g'", PRIMARY, "two_phase_commit");
	rt_expect("COMMIT PREPARED 'g'", PRIMARY, "two_phase_commit");
	rt_expect("ROLLBACK PREPARED 'g'", PRIMARY, "two_phase_commit");
	rt_expect("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", PRIMARY, "set_transaction_primary");
	rt_expect("SET transaction_isolation = serializable", PRIMARY, "set_transaction_primary");
	rt_expect("SET TRANSACTION SNAPSHOT '00000003-0000001B-1'", PRIMARY, "set_transaction_primary");
	rt_expect("SET TRANSACTION READ ONLY", ROUTER_TARGET_ALL_NODES, "session_state");
	rt_expect("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", ROUTER_TARGET_ALL_NODES, "session_state");
	assert_false(rt_route("BEGIN").is_write);
	assert_false(rt_route("COMMIT").is_write);
}

static void
test_session_state(void **state)
{
	static const char *const all_nodes[] = {
		"SET search_path TO s, public", "SET LOCAL work_mem = '64MB'", "RESET ALL",
		"RESET work_mem", "DISCARD ALL", "DISCARD TEMP",
		"DEALLOCATE p", "DEALLOCATE ALL", "LOAD 'auto_explain'",
		"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
		"SET default_transaction_isolation = 'serializable'",
	};

	for (size_t i = 0; i < sizeof(all_nodes) / sizeof(all_nodes[0]); i++)
		assert_false(rt_expect(all_nodes[i], ROUTER_TARGET_ALL_NODES, "session_state").is_write);

	/* PREPARE goes where its query would go; it writes nothing itself */
	assert_false(rt_expect("PREPARE p (int) AS SELECT $1", LB, "load_balance").is_write);
	assert_false(rt_expect("PREPARE q AS INSERT INTO t VALUES (1)", PRIMARY, "write").is_write);
	rt_expect("PREPARE r AS SELECT * FROM t FOR UPDATE", PRIMARY, "for_update");

	rt_expect("LISTEN ch", PRIMARY, "notification");
	rt_expect("UNLISTEN *", PRIMARY, "notification");
	rt_expect("NOTIFY ch", PRIMARY, "notification");
	rt_expect("DECLARE c CURSOR FOR SELECT 1", PRIMARY, "cursor");
	assert_true(rt_expect("DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE", PRIMARY, "cursor").is_write);
	rt_expect("FETCH ALL FROM c", PRIMARY, "cursor");
	rt_expect("CLOSE c", PRIMARY, "cursor");
	rt_expect("SHOW pool_nodes", ROUTER_TARGET_PGPOOL, "pgpool_show");
	rt_expect("SHOW POOL_PROCESSES", ROUTER_TARGET_PGPOOL, "pgpool_show");
	/* pgpool cannot answer half of a multi-statement query */
	rt_expect("SHOW pool_nodes; SELECT 1", PRIMARY, "multi_statement");
}

static int	warnings;
static char last_warning[256];
static void
log_hook(int level, const char *message, const char *detail, const char *hint)
{
	(void) detail;
	(void) hint;
	if (level == PL_WARNING)
	{
		warnings++;
		snprintf(last_warning, sizeof(last_warning), "%s", message);
	}
}

static void
test_function_lists(void **state)
{
	/* both lists empty: functions are read-only (but nextval/setval) */
	rt_expect("SELECT get_x(1), set_y(2)", LB, "load_balance");

	/* 3.x name; patterns match the whole name, ignoring case */
	CONFIGURE("black_function_list", "nextval,setval,set_.*,update_.*,public\\.danger");
	rt_expect("SELECT set_y(2)", PRIMARY, "write_function");
	assert_true(rt_route("SELECT SET_Y(2)").is_write);
	rt_expect("SELECT get_x(1), update_z()", PRIMARY, "write_function");
	rt_expect("SELECT reset_y(2)", LB, "load_balance");	/* anchored: not ^set_ */
	rt_expect("SELECT public.danger()", PRIMARY, "write_function");
	rt_expect("SELECT danger()", LB, "load_balance");	/* qualified spelling only */
	rt_expect("SELECT * FROM t WHERE a = (SELECT set_y(b))", PRIMARY, "write_function");
	rt_expect("COPY (SELECT set_y(1)) TO STDOUT", PRIMARY, "write_function");
	/* planned, not run, but routed by its calls as pgpool-II does */
	rt_expect("EXPLAIN SELECT set_y(1)", PRIMARY, "write_function");
	rt_expect("EXPLAIN ANALYZE SELECT set_y(1)", PRIMARY, "write_function");
	/* memoised verdicts stay right */
	for (int i = 0; i < 3; i++)
	{
		rt_expect("SELECT set_y(2)", PRIMARY, "write_function");
		rt_expect("SELECT get_x(1)", LB, "load_balance");
	}

	/* read-only list: anything not on it writes */
	CONFIGURE("read_only_function_list", "get_.*,count,now");
	rt_expect("SELECT get_x(1), count(*), now() FROM t", LB, "load_balance");
	rt_expect("SELECT get_x(1), lower('A')", PRIMARY, "write_function");
	/* nextval writes whatever the read-only list says */
	CONFIGURE("white_function_list", "nextval,get_.*");
	rt_expect("SELECT nextval('s')", PRIMARY, "sequence_function");

	/* a bad pattern is reported and skipped; the others still work */
	log_set_hook(log_hook);
	warnings = 0;
	CONFIGURE("write_function_list", "good_.*,bad_(,other");
	log_set_hook(NULL);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(last_warning, "bad_("));
	rt_expect("SELECT good_one()", PRIMARY, "write_function");
	rt_expect("SELECT other()", PRIMARY, "write_function");
	rt_expect("SELECT bad_x()", LB, "load_balance");

	/* both lists: a warning, and the write list wins */
	log_set_hook(log_hook);
	warnings = 0;
	CONFIGURE("read_only_function_list", "get_.*", "write_function_list", "put_.*");
	log_set_hook(NULL);
	assert_int_equal(warnings, 1);
	rt_expect("SELECT put_x()", PRIMARY, "write_function");
	rt_expect("SELECT other()", LB, "load_balance");
}

static void
test_relations(void **state)
{
	RouterDecision d;

	d = rt_expect(PSQL_D_LIST, PRIMARY, "system_catalog");
	assert_non_null(d.rel);
	assert_string_equal(d.rel->schema, "pg_catalog");
	assert_false(d.is_write);
	rt_expect("SELECT * FROM information_schema.columns", PRIMARY, "system_catalog");
	rt_expect("SELECT relname FROM pg_class", PRIMARY, "system_catalog");

	/* check_temp_table = catalog (the default): the relay is asked */
	rt_temp_tables[0] = "tt";
	rt_unlogged_tables[0] = "ut";
	rt_rel_checks = 0;
	d = rt_expect("SELECT * FROM t JOIN tt USING (a)", PRIMARY, "temp_table");
	assert_string_equal(d.rel->name, "tt");
	assert_true(rt_rel_checks >= 1);
	d = rt_expect("SELECT * FROM ut", PRIMARY, "unlogged_table");
	assert_string_equal(d.rel->name, "ut");
	rt_expect("SELECT * FROM t", LB, "load_balance");
	/* relations inside a WITH query are asked about too */
	rt_expect("WITH w AS (SELECT * FROM tt) SELECT * FROM w", PRIMARY, "temp_table");

	CONFIGURE("check_temp_table", "trace");
	rt_expect("SELECT * FROM tt", PRIMARY, "temp_table");
	CONFIGURE("check_temp_table", "none", "check_unlogged_table", "off");
	rt_rel_checks = 0;
	rt_expect("SELECT * FROM tt", LB, "load_balance");
	rt_expect("SELECT * FROM ut", LB, "load_balance");
	assert_int_equal(rt_rel_checks, 0);
	/* pg_temp is temporary whatever the setting */
	rt_expect("SELECT * FROM pg_temp.tt", PRIMARY, "temp_table");

	/* no catalog callback: nothing is temporary */
	CONFIGURE("check_temp_table", "catalog");
	rt_ctx.rel_check = NULL;
	rt_expect("SELECT * FROM tt", LB, "load_balance");
}

static void
test_raw_mode(void **state)
{
	static const char *const sqls[] = {
		PGBENCH_SELECT, "UPDATE t SET a = 1", "BEGIN", "COMMIT", "SET x = 1",
		"SELECT 1 FOR UPDATE", "garbage in", "", PSQL_D_LIST,
	};

	CONFIGURE("backend_clustering_mode", "raw");
	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++)
		rt_expect(sqls[i], ROUTER_TARGET_MAIN_NODE, "raw_mode");
	rt_expect("SHOW pool_status", ROUTER_TARGET_PGPOOL, "pgpool_show");
	assert_true(rt_route("UPDATE t SET a = 1").is_write);
}

/* Native replication: writes to every node, reads balanced, the rest on the main node. */
static void
test_replication_rules(void **state)
{
	const RouterTarget ALL = ROUTER_TARGET_ALL_NODES, MAIN = ROUTER_TARGET_MAIN_NODE;

	CONFIGURE("backend_clustering_mode", "native_replication", "load_balance_mode", "on");
	rt_expect("UPDATE t SET a = 1", ALL, "write");
	rt_expect("INSERT INTO t VALUES (1); SELECT 1", ALL, "multi_statement");
	rt_expect("SELECT nextval('s')", ALL, "sequence_function");
	rt_expect("SELECT * FROM t FOR UPDATE", ALL, "for_update");
	rt_expect("garbage in", ALL, "unparsable");
	rt_expect("CREATE TABLE x (a int)", ALL, "write");
	rt_expect("BEGIN ISOLATION LEVEL SERIALIZABLE", ALL, "begin");	/* no standby to refuse it */
	rt_expect("PREPARE TRANSACTION 'x'", ALL, "two_phase_commit");
	rt_expect("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", ALL, "session_state");
	rt_expect("CHECKPOINT", ALL, "not_read_only");
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_expect(PSQL_D_LIST, MAIN, "system_catalog");
	rt_expect("/*NO LOAD BALANCE*/ SELECT 1", MAIN, "no_load_balance_hint");
	rt_expect("LISTEN ch", MAIN, "notification");
	rt_expect("SHOW pool_nodes", ROUTER_TARGET_PGPOOL, "pgpool_show");

	CONFIGURE("backend_clustering_mode", "native_replication", "replicate_select", "on");
	rt_expect(PGBENCH_SELECT, ALL, "replicate_select");
	CONFIGURE("backend_clustering_mode", "native_replication", "load_balance_mode", "off");
	rt_expect(PGBENCH_SELECT, MAIN, "load_balance_mode_off");

	/* replicate_select means nothing where a primary takes the writes */
	CONFIGURE("backend_clustering_mode", "streaming_replication", "replicate_select", "on",
			  "load_balance_mode", "on");
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_expect("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", PRIMARY, "set_transaction_primary");
}

/* Route sql as the relay does: ask router_volatility_facts, answer vol. */
static RouterDecision
route_vol(const char *sql, char vol, bool *asked)
{
	const StmtFacts *f = router_analyze(sql, strlen(sql));

	*asked = router_volatility_facts(f, &rt_ctx) != NULL;
	rt_ctx.volatility = *asked ? vol : 0;
	return router_route(f, &rt_ctx);
}

#define EXPECT_VOL(sql, vol, want_target, want_rule) \
	do { \
		bool asked_; \
		RouterDecision d_ = route_vol((sql), (vol), &asked_); \
		if (d_.target != (want_target) || strcmp(d_.rule, (want_rule)) != 0) \
			fail_msg("\"%s\" (%c): %s by rule %s; expected %s by rule %s", (sql), (vol), \
					 router_target_name(d_.target), d_.rule, \
					 router_target_name(want_target), (want_rule)); \
	} while (0)

static void
test_volatile_functions(void **state)
{
	bool		asked;
	RouterDecision d;

	/* both lists empty (the default): the catalog's answer decides */
	d = route_vol("SELECT f_v()", 'v', &asked);
	assert_true(asked);
	assert_int_equal(d.target, PRIMARY);
	assert_string_equal(d.rule, "volatile_function");
	assert_true(d.is_write);
	d = route_vol("SELECT f_s()", 's', &asked);
	assert_true(asked);
	assert_int_equal(d.target, LB);
	assert_false(d.is_write);
	EXPECT_VOL("SELECT f_i(1)", 'i', LB, "load_balance");
	/* anywhere in the tree */
	EXPECT_VOL("SELECT * FROM t WHERE a = (SELECT f_v(b) FROM u)", 'v', PRIMARY, "volatile_function");
	EXPECT_VOL("SELECT * FROM t, LATERAL f_v(t.a)", 'v', PRIMARY, "volatile_function");
	EXPECT_VOL("VALUES (f_v())", 'v', PRIMARY, "volatile_function");
	EXPECT_VOL("WITH w AS (SELECT f_v()) SELECT * FROM w", 'v', PRIMARY, "volatile_function");
	EXPECT_VOL("EXPLAIN SELECT f_v()", 'v', PRIMARY, "volatile_function");
	EXPECT_VOL("COPY (SELECT f_v()) TO STDOUT", 'v', PRIMARY, "volatile_function");
	/* no function: not asked */
	d = route_vol(PGBENCH_SELECT, 'v', &asked);
	assert_false(asked);
	assert_int_equal(d.target, LB);
	/* writes go to the primary anyway: not asked */
	route_vol("INSERT INTO t VALUES (f_v())", 'v', &asked);
	assert_false(asked);
	route_vol("SELECT f_v() FROM t FOR UPDATE", 'v', &asked);
	assert_false(asked);
	route_vol("SELECT nextval('s')", 'v', &asked);
	assert_false(asked);
	route_vol("SELECT 1; SELECT f_v()", 'v', &asked);
	assert_false(asked);
	/* 0 in the context: not looked up, the rule does not apply */
	rt_ctx.volatility = 0;
	rt_expect("SELECT f_v()", LB, "load_balance");

	/* EXECUTE: the PREPAREd statement's calls are asked about */
	{
		const StmtFacts *prep = router_analyze("PREPARE p AS SELECT f_v()", 25);

		rt_ctx.prepared = router_facts_retain(prep);
		route_vol("PREPARE p AS SELECT f_v()", 'v', &asked);
		assert_true(asked);		/* PREPARE goes where its query would go */
		EXPECT_VOL("PREPARE p AS SELECT f_v()", 'v', PRIMARY, "volatile_function");
		EXPECT_VOL("PREPARE p AS SELECT f_v()", 's', LB, "load_balance");
		assert_true(router_volatility_facts(router_analyze("EXECUTE p", 9), &rt_ctx) == prep);
		EXPECT_VOL("EXECUTE p", 'v', PRIMARY, "volatile_function");
		EXPECT_VOL("EXECUTE p", 's', LB, "load_balance");
		router_facts_release(rt_ctx.prepared);
		rt_ctx.prepared = NULL;
	}

	/* disable_load_balance_on_write: a volatile call is a write */
	CONFIGURE("disable_load_balance_on_write", "transaction");
	rt_run("BEGIN", 'T');
	d = route_vol("SELECT f_v()", 'v', &asked);
	router_session_note(&rt_sess, router_analyze("SELECT f_v()", 12), &d);
	EXPECT_VOL("SELECT f_s()", 's', PRIMARY, "write_in_transaction");

	/* a function list set: the lists decide, the catalog is not asked */
	router_session_init(&rt_sess);
	CONFIGURE("write_function_list", "f_w");
	route_vol("SELECT f_v()", 'v', &asked);
	assert_false(asked);
	rt_ctx.volatility = 'v';
	rt_expect("SELECT f_v()", LB, "load_balance");
	CONFIGURE("read_only_function_list", "f_v");
	route_vol("SELECT f_v()", 'v', &asked);
	assert_false(asked);

	/* native replication: a volatile call runs on every node */
	CONFIGURE("backend_clustering_mode", "native_replication");
	EXPECT_VOL("SELECT f_v()", 'v', ROUTER_TARGET_ALL_NODES, "volatile_function");
	EXPECT_VOL("SELECT f_s()", 's', LB, "load_balance");
	/* raw mode: never asked */
	CONFIGURE("backend_clustering_mode", "raw");
	route_vol("SELECT f_v()", 'v', &asked);
	assert_false(asked);
}

static void
test_node_state(void **state)
{
	RouterDecision d;

	/* functions whose answer is the node's own: the primary, lists or not */
	d = rt_expect("SELECT txid_current()", PRIMARY, "backend_state_function");
	assert_true(d.is_write);
	assert_true(rt_expect("SELECT pg_catalog.pg_current_xact_id()", PRIMARY,
						  "backend_state_function").is_write);
	d = rt_expect("SELECT pg_current_xact_id_if_assigned()", PRIMARY, "backend_state_function");
	assert_false(d.is_write);
	rt_expect("SELECT pg_backend_pid()", PRIMARY, "backend_state_function");
	rt_expect("SELECT * FROM pg_listening_channels()", PRIMARY, "backend_state_function");
	rt_expect("SELECT pg_my_temp_schema()", PRIMARY, "backend_state_function");
	rt_expect("SELECT currval('s')", PRIMARY, "backend_state_function");
	rt_expect("SELECT a FROM t WHERE b = (SELECT pg_backend_pid())", PRIMARY, "backend_state_function");
	rt_expect("EXPLAIN SELECT txid_current()", PRIMARY, "backend_state_function");
	/* someone's own function of that name */
	rt_expect("SELECT app.pg_backend_pid()", LB, "load_balance");
	/* not asked about volatility: decided anyway */
	assert_null(router_volatility_facts(router_analyze("SELECT pg_backend_pid()", 23), &rt_ctx));
	CONFIGURE("read_only_function_list", "txid_current,pg_backend_pid");
	rt_expect("SELECT txid_current()", PRIMARY, "backend_state_function");

	/* sequence functions also under EXPLAIN */
	rt_expect("EXPLAIN SELECT nextval('s')", PRIMARY, "sequence_function");
	rt_expect("EXPLAIN (VERBOSE) SELECT setval('s', 1)", PRIMARY, "sequence_function");

	/* a sequence relation (the catalog says relkind 'S') */
	rt_sequences[0] = "seq";
	rt_expect("SELECT last_value FROM seq", PRIMARY, "sequence_relation");
	rt_expect("SELECT * FROM t JOIN s.seq ON true", PRIMARY, "sequence_relation");
	rt_expect("SELECT * FROM t", LB, "load_balance");

	/* SHOW of a value a standby reports differently */
	rt_expect("SHOW transaction_read_only", PRIMARY, "show_node_state");
	rt_expect("SHOW TRANSACTION ISOLATION LEVEL", PRIMARY, "show_node_state");
	rt_expect("SHOW transaction_deferrable", PRIMARY, "show_node_state");
	rt_expect("SHOW in_hot_standby", PRIMARY, "show_node_state");
	rt_expect("SHOW ALL", PRIMARY, "show_node_state");
	rt_expect("SHOW work_mem", LB, "load_balance");
	assert_false(rt_route("SHOW transaction_read_only").is_write);
}

static void
test_session_temp_objects(void **state)
{
	const char *temps[] = {
		"CREATE TEMP TABLE t1 (a int)", "CREATE TEMPORARY VIEW v1 AS SELECT 1",
		"CREATE TEMP SEQUENCE s1", "CREATE TABLE pg_temp.t2 (a int)",
		"CREATE TYPE pg_temp.ty AS (a int)", "CREATE TYPE pg_temp.en AS ENUM ('a')",
		"CREATE DOMAIN pg_temp.dm AS int", "CREATE FUNCTION pg_temp.f() RETURNS int AS 'SELECT 1' LANGUAGE sql",
		"SELECT * INTO TEMP t3 FROM t", "CREATE TEMP TABLE t4 AS SELECT 1",
	};

	for (size_t i = 0; i < sizeof(temps) / sizeof(temps[0]); i++)
		assert_true(router_analyze(temps[i], strlen(temps[i]))->flags & ROUTER_F_TEMP_OBJECT);
	{
		const char *plain[] = {"CREATE TYPE ty AS (a int)",
		"CREATE FUNCTION s.f() RETURNS int AS 'SELECT 1' LANGUAGE sql"};

		for (size_t i = 0; i < 2; i++)
		{
			const StmtFacts *f = router_analyze(plain[i], strlen(plain[i]));

			assert_int_equal(f->kind, ROUTER_STMT_DDL);
			assert_false(f->flags & ROUTER_F_TEMP_OBJECT);
		}
	}

	rt_ctx.temp_objects = true;
	rt_expect("SELECT 'tt'::regclass", PRIMARY, "session_temp_objects");
	rt_expect(PGBENCH_SELECT, PRIMARY, "session_temp_objects");
	assert_false(rt_route(PGBENCH_SELECT).is_write);
	rt_expect("UPDATE t SET a = 1", PRIMARY, "write");
	CONFIGURE("check_temp_table", "none");
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_ctx.temp_objects = false;
	CONFIGURE("check_temp_table", "catalog");
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
}

static void
test_no_config(void **state)
{
	RouterCtx	empty = {0};
	RouterDecision d = router_route(router_analyze("SELECT 1", 8), &empty);

	assert_int_equal(d.target, PRIMARY);
	d = router_route(NULL, &rt_ctx);
	assert_int_equal(d.target, PRIMARY);
	/* no session given: an idle one */
	rt_ctx.session = NULL;
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
}

static void
test_names_for_logs(void **state)
{
	assert_string_equal(router_target_name(ROUTER_TARGET_PRIMARY), "primary");
	assert_string_equal(router_target_name(ROUTER_TARGET_ALL_NODES_IN_TRANSACTION),
						"all nodes in transaction");
	assert_string_equal(router_stmt_kind_name(ROUTER_STMT_SHOW_POOL), "SHOW pool");
	for (int k = 0; k < ROUTER_STMT_KIND_COUNT; k++)
		assert_string_not_equal(router_stmt_kind_name((RouterStmtKind) k), "?");
	assert_string_equal(router_stmt_kind_name(ROUTER_STMT_KIND_COUNT), "?");
}

#define T(f) cmocka_unit_test_setup_teardown(f, rt_setup, rt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reads_load_balanced),
		T(test_writes_primary),
		T(test_not_load_balanced),
		T(test_comment_settings),
		T(test_unparsable_and_empty),
		T(test_transaction_control),
		T(test_session_state),
		T(test_function_lists),
		T(test_volatile_functions),
		T(test_node_state),
		T(test_session_temp_objects),
		T(test_relations),
		T(test_replication_rules),
		T(test_raw_mode),
		T(test_no_config),
		T(test_names_for_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
