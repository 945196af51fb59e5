/*
 * test_router_session.c: unit tests for the rules that depend on session
 * state (disable_load_balance_on_write in its four modes, SERIALIZABLE
 * transactions and session defaults), EXECUTE of prepared statements,
 * load_balance_mode / statement_level_load_balance, and the choice of a
 * load-balance node by backend_weight with a fixed random sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "router_test_util.h"

/*
 * One session: BEGIN; SELECT; INSERT; SELECT; COMMIT; SELECT; BEGIN; SELECT;
 * COMMIT; UPDATE (autocommit); SELECT.  targets[] is where the five SELECTs go.
 */
static void
write_scenario(const char *mode, const RouterTarget targets[5])
{
	CONFIGURE("disable_load_balance_on_write", mode);
	router_session_init(&rt_sess);

	rt_run("BEGIN", 'T');
	assert_int_equal(rt_route(PGBENCH_SELECT).target, targets[0]);
	rt_run("INSERT INTO t VALUES (1)", 'T');
	assert_true(rt_sess.write_in_transaction);
	assert_int_equal(rt_route(PGBENCH_SELECT).target, targets[1]);
	rt_run("COMMIT", 'I');
	assert_false(rt_sess.write_in_transaction);
	assert_true(rt_sess.write_in_session);
	assert_int_equal(rt_route(PGBENCH_SELECT).target, targets[2]);
	rt_run("BEGIN", 'T');
	assert_int_equal(rt_route(PGBENCH_SELECT).target, targets[3]);
	rt_run("COMMIT", 'I');
	rt_run("UPDATE t SET a = 2", 'I');
	assert_int_equal(rt_route(PGBENCH_SELECT).target, targets[4]);
}

static void
test_disable_load_balance_on_write(void **state)
{
	write_scenario("off", (RouterTarget[]){LB, LB, LB, LB, LB});
	write_scenario("transaction", (RouterTarget[]){LB, PRIMARY, LB, LB, LB});
	write_scenario("trans_transaction", (RouterTarget[]){LB, PRIMARY, LB, PRIMARY, LB});
	write_scenario("always", (RouterTarget[]){LB, PRIMARY, PRIMARY, PRIMARY, PRIMARY});

	/* the rule names say why */
	CONFIGURE("disable_load_balance_on_write", "transaction");
	router_session_init(&rt_sess);
	rt_run("BEGIN", 'T');
	rt_run("DELETE FROM t", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_transaction");
	/* a failed transaction is still a transaction */
	router_session_txn_status(&rt_sess, 'E');
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_transaction");
	rt_run("ROLLBACK", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");

	/* after a write, session state and savepoints go to the primary only */
	rt_run("BEGIN", 'T');
	rt_expect("SET work_mem = '8MB'", ROUTER_TARGET_ALL_NODES, "session_state");
	rt_expect("SAVEPOINT a", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_run("UPDATE t SET a = 1", 'T');
	rt_expect("SET work_mem = '8MB'", PRIMARY, "state_after_write");
	rt_expect("RESET work_mem", PRIMARY, "state_after_write");
	rt_expect("SET ROLE bob", PRIMARY, "state_after_write");
	rt_expect("SAVEPOINT b", PRIMARY, "state_after_write");
	rt_expect("ROLLBACK TO b", PRIMARY, "state_after_write");
	rt_expect("COMMIT", ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, "transaction_control");
	rt_run("COMMIT", 'I');

	/* after an error in the transaction: no load balancing until it ends */
	CONFIGURE("disable_load_balance_on_write", "off");
	rt_run("BEGIN", 'T');
	rt_run("SELECT 1/0", 'E');
	rt_run("ROLLBACK TO a", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "failed_in_transaction");
	rt_run("ROLLBACK", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	CONFIGURE("disable_load_balance_on_write", "transaction");

	/* a SELECT calling nextval() is a write for this purpose too */
	rt_run("BEGIN", 'T');
	rt_run("SELECT nextval('s')", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_transaction");
	rt_run("COMMIT", 'I');

	CONFIGURE("disable_load_balance_on_write", "trans_transaction");
	rt_run("BEGIN", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_earlier_transaction");
	rt_run("COMMIT", 'I');
	CONFIGURE("disable_load_balance_on_write", "always");
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_session");

	/* reads and session statements are no writes */
	router_session_init(&rt_sess);
	rt_run("SET search_path = public", 'I');
	rt_run(PGBENCH_SELECT, 'I');
	rt_run("SHOW work_mem", 'I');
	assert_false(rt_sess.write_in_session);
}

/* Sent, not yet answered: only router_session_note() has seen it. */
static void
note_only(const char *sql)
{
	const StmtFacts *f = router_analyze(sql, strlen(sql));
	RouterDecision d = router_route(f, &rt_ctx);

	router_session_note(&rt_sess, f, &d);
}

/*
 * Pipelined statements (extended protocol before Sync): BEGIN and a write
 * sent, no ReadyForQuery yet; the next SELECT is in a transaction that wrote.
 */
static void
test_pipelined(void **state)
{
	note_only("BEGIN");
	assert_true(rt_sess.in_transaction);
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	note_only("INSERT INTO t VALUES (1)");
	rt_expect(PGBENCH_SELECT, PRIMARY, "write_in_transaction");
	note_only("COMMIT AND CHAIN");	/* a new transaction, nothing written yet */
	assert_true(rt_sess.in_transaction);
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	note_only("DELETE FROM t");
	note_only("COMMIT");
	assert_false(rt_sess.in_transaction);
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	router_session_txn_status(&rt_sess, 'I');

	/* ReadyForQuery corrects a BEGIN that failed */
	note_only("BEGIN ISOLATION LEVEL SERIALIZABLE");
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	router_session_txn_status(&rt_sess, 'I');
	assert_false(rt_sess.in_transaction);
	rt_expect(PGBENCH_SELECT, LB, "load_balance");

	/* PREPARE TRANSACTION ends the transaction */
	rt_run("BEGIN", 'T');
	rt_run("UPDATE t SET a = 1", 'T');
	note_only("PREPARE TRANSACTION 'g1'");
	assert_false(rt_sess.in_transaction);
	assert_false(rt_sess.write_in_transaction);
}

static void
test_serializable(void **state)
{
	rt_run("BEGIN ISOLATION LEVEL SERIALIZABLE", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("COMMIT", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");

	rt_run("BEGIN", 'T');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_run("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("SET TRANSACTION READ ONLY", 'T');	/* names no level: still serializable */
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("ROLLBACK", 'I');

	/* session default: every read, in and out of transactions */
	rt_run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'I');
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("BEGIN", 'T');
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("COMMIT", 'I');
	/* a transaction that names a weaker level may use a standby */
	rt_run("BEGIN ISOLATION LEVEL REPEATABLE READ", 'T');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_run("COMMIT", 'I');
	rt_run("RESET ALL", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");

	rt_run("SET default_transaction_isolation TO 'serializable'", 'I');
	rt_expect(PGBENCH_SELECT, PRIMARY, "serializable");
	rt_run("RESET default_transaction_isolation", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_run("SET default_transaction_isolation = serializable", 'I');
	rt_run("SET default_transaction_isolation TO DEFAULT", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
	rt_run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", 'I');
	rt_run("DISCARD ALL", 'I');
	rt_expect(PGBENCH_SELECT, LB, "load_balance");
}

static const StmtFacts *
prepare(const char *sql)
{
	return router_facts_retain(router_analyze(sql, strlen(sql)));
}

static void
test_execute(void **state)
{
	const StmtFacts *sel = prepare("PREPARE s (int) AS SELECT abalance FROM pgbench_accounts WHERE aid = $1");
	const StmtFacts *ins = prepare("PREPARE i AS INSERT INTO t VALUES (1)");
	const StmtFacts *upd = prepare("PREPARE u AS SELECT * FROM t FOR UPDATE");
	const StmtFacts *cat = prepare("PREPARE c AS SELECT * FROM pg_catalog.pg_class");

	rt_ctx.prepared = sel;
	assert_false(rt_expect("EXECUTE s(1)", LB, "load_balance").is_write);
	rt_expect("/*NO LOAD BALANCE*/ EXECUTE s(1)", PRIMARY, "no_load_balance_hint");
	rt_expect("EXECUTE s(nextval('q'))", PRIMARY, "sequence_function");
	rt_ctx.prepared = ins;
	assert_true(rt_expect("EXECUTE i", PRIMARY, "write").is_write);
	rt_ctx.prepared = upd;
	assert_true(rt_expect("EXECUTE u", PRIMARY, "for_update").is_write);
	rt_ctx.prepared = cat;
	rt_expect("EXECUTE c", PRIMARY, "system_catalog");
	rt_ctx.prepared = NULL;
	assert_false(rt_expect("EXECUTE s(1)", PRIMARY, "execute_unknown").is_write);

	/* facts kept past a cache reset */
	router_cache_reset();
	rt_ctx.prepared = sel;
	rt_expect("EXECUTE s(2)", LB, "load_balance");
	assert_string_equal(sel->name, "s");

	router_facts_release(sel);
	router_facts_release(ins);
	router_facts_release(upd);
	router_facts_release(cat);
	rt_ctx.prepared = NULL;
}

static void
test_load_balance_switches(void **state)
{
	RouterDecision d;

	CONFIGURE("load_balance_mode", "off");
	rt_expect(PGBENCH_SELECT, PRIMARY, "load_balance_mode_off");
	rt_expect("SET search_path = x", ROUTER_TARGET_ALL_NODES, "session_state");

	CONFIGURE("statement_level_load_balance", "on");
	d = rt_expect(PGBENCH_SELECT, LB, "load_balance");
	assert_true(d.new_node);
	assert_false(rt_route("UPDATE t SET a = 1").new_node);
}

/* A fixed pseudo-random sequence in [0, 1). */
static double
next_random(uint64_t *seed)
{
	*seed = *seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (double) (*seed >> 11) / 9007199254740992.0;
}

static void
test_choose_node(void **state)
{
	const double w011[] = {0, 1, 1};
	const double w121[] = {1, 2, 1};
	const bool	all_up[] = {true, true, true};
	const bool	node1_down[] = {true, false, true};
	int			count[3] = {0, 0, 0};
	uint64_t	seed = 42;

	/* 0:1:1 over 1,000 sessions: node 0 never, each standby 40-60% */
	for (int i = 0; i < 1000; i++)
		count[router_choose_load_balance_node(w011, all_up, 3, next_random(&seed))]++;
	assert_int_equal(count[0], 0);
	assert_in_range(count[1], 400, 600);
	assert_in_range(count[2], 400, 600);
	assert_int_equal(count[1] + count[2], 1000);

	/* an evenly spread r gives the weights' proportions exactly */
	memset(count, 0, sizeof(count));
	for (int i = 0; i < 400; i++)
		count[router_choose_load_balance_node(w121, NULL, 3, (i + 0.5) / 400.0)]++;
	assert_int_equal(count[0], 100);
	assert_int_equal(count[1], 200);
	assert_int_equal(count[2], 100);

	/* bounds and ineligible nodes */
	assert_int_equal(router_choose_load_balance_node(w121, all_up, 3, 0.0), 0);
	assert_int_equal(router_choose_load_balance_node(w121, all_up, 3, 0.999999), 2);
	assert_int_equal(router_choose_load_balance_node(w121, all_up, 3, 1.0), 2);
	assert_int_equal(router_choose_load_balance_node(w011, all_up, 3, 0.0), 1);
	for (int i = 0; i < 100; i++)
		assert_int_equal(router_choose_load_balance_node(w011, node1_down, 3, i / 100.0), 2);
	assert_int_equal(router_choose_load_balance_node((const double[]){0, 0}, NULL, 2, 0.5), -1);
	assert_int_equal(router_choose_load_balance_node(w011, (const bool[]){true, false, false}, 3, 0.5), -1);
	assert_int_equal(router_choose_load_balance_node(w011, NULL, 0, 0.5), -1);
}

/* dml_adaptive: only reads of what the transaction wrote (or depends on it) go to the primary */
static void
test_dml_adaptive(void **state)
{
	write_scenario("dml_adaptive", (RouterTarget[]){LB, LB, LB, LB, LB});
	CONFIGURE("disable_load_balance_on_write", "dml_adaptive",
			  "dml_adaptive_object_relationship_list", "t:t_dep, log_it():audit");
	router_session_init(&rt_sess);
	rt_run("BEGIN", 'T');
	rt_run("INSERT INTO s.t VALUES (1)", 'T');
	rt_expect("SELECT * FROM t", PRIMARY, "write_in_transaction");
	rt_expect("SELECT * FROM u JOIN s.t USING (a)", PRIMARY, "write_in_transaction");
	rt_expect("SELECT * FROM t_dep", PRIMARY, "write_in_transaction");
	rt_expect("SELECT * FROM u", LB, "load_balance");
	rt_expect("SELECT * FROM audit", LB, "load_balance");
	rt_ctx.volatility = 'v';		/* the catalog says log_it() is volatile: a write */
	rt_run("SELECT log_it()", 'T');
	rt_ctx.volatility = 0;
	rt_expect("SELECT * FROM audit", PRIMARY, "write_in_transaction");
	rt_run("COMMIT", 'I');
	rt_run("BEGIN", 'T');
	rt_expect("SELECT * FROM t", LB, "load_balance");
	/* a write that names no table: every read */
	rt_run("DO $$BEGIN END$$", 'T');
	rt_expect("SELECT * FROM u", PRIMARY, "write_in_transaction");
	rt_run("ROLLBACK", 'I');
	rt_expect("SELECT * FROM t", LB, "load_balance");
}

#define T(f) cmocka_unit_test_setup_teardown(f, rt_setup, rt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_disable_load_balance_on_write),
		T(test_pipelined),
		T(test_dml_adaptive),
		T(test_serializable),
		T(test_execute),
		T(test_load_balance_switches),
		T(test_choose_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
