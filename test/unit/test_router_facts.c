/*
 * test_router_facts.c: unit tests for router_analyze(): the kind of every
 * statement class, wrapped statements, names, isolation levels, SHOW pool_*,
 * functions and relations (pgbench's statements, psql's \d queries),
 * FOR UPDATE / INTO / writable CTEs, comments and the NO LOAD BALANCE hint,
 * multi-statement, empty and unparsable texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "router/router.h"

static const StmtFacts *
A(const char *sql)
{
	return router_analyze(sql, strlen(sql));
}

static bool
has_func(const StmtFacts *f, const char *name)
{
	for (int i = 0; i < f->nfuncs; i++)
		if (strcmp(f->funcs[i], name) == 0)
			return true;
	return false;
}

static const RouterRel *
find_rel(const StmtFacts *f, const char *schema, const char *name)
{
	for (int i = 0; i < f->nrels; i++)
	{
		const RouterRel *r = &f->rels[i];

		if (strcmp(r->name, name) == 0 &&
			((schema == NULL && r->schema == NULL) ||
			 (schema != NULL && r->schema != NULL && strcmp(schema, r->schema) == 0)))
			return r;
	}
	return NULL;
}

/* ---- kinds ------------------------------------------------------------------ */

typedef struct KindCase
{
	const char *sql;
	RouterStmtKind kind;
	RouterStmtKind inner;
	uint32_t	must;			/* flags that must be set */
	uint32_t	mustnt;			/* flags that must be clear */
} KindCase;

#define W ROUTER_F_WRITE

static const KindCase kind_cases[] = {
	{"SELECT 1", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, 0, W},
	{"select abalance from pgbench_accounts where aid = 42;", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, 0, W},
	{"VALUES (1), (2)", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, 0, W},
	{"TABLE t", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, 0, W},
	{"WITH x AS (SELECT 1) SELECT * FROM x", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, 0, W},
	{"SELECT 1 UNION SELECT 2 FOR UPDATE", ROUTER_STMT_SELECT, ROUTER_STMT_SELECT, W | ROUTER_F_FOR_UPDATE, 0},
	{"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 42, 5, CURRENT_TIMESTAMP);",
	ROUTER_STMT_INSERT, ROUTER_STMT_INSERT, W, ROUTER_F_WRITABLE_CTE},
	{"UPDATE pgbench_accounts SET abalance = abalance + -4233 WHERE aid = 42;",
	ROUTER_STMT_UPDATE, ROUTER_STMT_UPDATE, W, 0},
	{"DELETE FROM t WHERE a IN (SELECT a FROM u)", ROUTER_STMT_DELETE, ROUTER_STMT_DELETE, W, 0},
	{"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET b = s.b "
	"WHEN NOT MATCHED THEN INSERT VALUES (s.a, s.b)", ROUTER_STMT_MERGE, ROUTER_STMT_MERGE, W, 0},
	{"TRUNCATE t, u", ROUTER_STMT_TRUNCATE, ROUTER_STMT_TRUNCATE, W, 0},
	{"CREATE TABLE t (a int)", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, ROUTER_F_TEMP_OBJECT},
	{"CREATE TEMP TABLE tt (a int)", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W | ROUTER_F_TEMP_OBJECT, 0},
	{"CREATE UNLOGGED TABLE ut (a int)", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W | ROUTER_F_UNLOGGED_OBJECT, 0},
	{"CREATE TEMPORARY TABLE tt AS SELECT 1", ROUTER_STMT_DDL, ROUTER_STMT_SELECT, W | ROUTER_F_TEMP_OBJECT, 0},
	{"CREATE INDEX ON t (a)", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, 0},
	{"ALTER TABLE t ADD COLUMN b int", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, 0},
	{"DROP TABLE t", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, 0},
	{"GRANT SELECT ON t TO PUBLIC", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, 0},
	{"CREATE VIEW v AS SELECT nextval('s')", ROUTER_STMT_DDL, ROUTER_STMT_SELECT, W, ROUTER_F_SEQUENCE_FUNC},
	{"REFRESH MATERIALIZED VIEW mv", ROUTER_STMT_DDL, ROUTER_STMT_DDL, W, 0},
	{"BEGIN", ROUTER_STMT_BEGIN, ROUTER_STMT_BEGIN, ROUTER_F_TXN_CONTROL, W},
	{"START TRANSACTION READ ONLY", ROUTER_STMT_BEGIN, ROUTER_STMT_BEGIN, ROUTER_F_TXN_CONTROL, W},
	{"COMMIT", ROUTER_STMT_COMMIT, ROUTER_STMT_COMMIT, ROUTER_F_TXN_CONTROL, W},
	{"END", ROUTER_STMT_COMMIT, ROUTER_STMT_COMMIT, ROUTER_F_TXN_CONTROL, W},
	{"COMMIT AND CHAIN", ROUTER_STMT_COMMIT, ROUTER_STMT_COMMIT, ROUTER_F_CHAIN, W},
	{"ROLLBACK", ROUTER_STMT_ROLLBACK, ROUTER_STMT_ROLLBACK, ROUTER_F_TXN_CONTROL, W},
	{"ABORT", ROUTER_STMT_ROLLBACK, ROUTER_STMT_ROLLBACK, ROUTER_F_TXN_CONTROL, W},
	{"SAVEPOINT sp1", ROUTER_STMT_SAVEPOINT, ROUTER_STMT_SAVEPOINT, 0, W},
	{"RELEASE SAVEPOINT sp1", ROUTER_STMT_RELEASE, ROUTER_STMT_RELEASE, 0, W},
	{"ROLLBACK TO SAVEPOINT sp1", ROUTER_STMT_ROLLBACK_TO, ROUTER_STMT_ROLLBACK_TO, 0, W},
	{"PREPARE TRANSACTION 'gx'", ROUTER_STMT_PREPARE_TRANSACTION, ROUTER_STMT_PREPARE_TRANSACTION, 0, W},
	{"COMMIT PREPARED 'gx'", ROUTER_STMT_COMMIT_PREPARED, ROUTER_STMT_COMMIT_PREPARED, 0, W},
	{"ROLLBACK PREPARED 'gx'", ROUTER_STMT_ROLLBACK_PREPARED, ROUTER_STMT_ROLLBACK_PREPARED, 0, W},
	{"SET search_path TO public", ROUTER_STMT_SET, ROUTER_STMT_SET, 0, W},
	{"SET LOCAL statement_timeout = 0", ROUTER_STMT_SET, ROUTER_STMT_SET, 0, W},
	{"SET ROLE bob", ROUTER_STMT_SET, ROUTER_STMT_SET, 0, W},
	{"SET TRANSACTION READ ONLY", ROUTER_STMT_SET_TRANSACTION, ROUTER_STMT_SET_TRANSACTION, 0, W},
	{"SET transaction_isolation = 'serializable'", ROUTER_STMT_SET_TRANSACTION, ROUTER_STMT_SET_TRANSACTION, 0, W},
	{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
	ROUTER_STMT_SET_SESSION_CHARACTERISTICS, ROUTER_STMT_SET_SESSION_CHARACTERISTICS, 0, W},
	{"SET default_transaction_isolation TO 'repeatable read'",
	ROUTER_STMT_SET_SESSION_CHARACTERISTICS, ROUTER_STMT_SET_SESSION_CHARACTERISTICS, 0, W},
	{"RESET ALL", ROUTER_STMT_RESET, ROUTER_STMT_RESET, ROUTER_F_ALL, W},
	{"RESET search_path", ROUTER_STMT_RESET, ROUTER_STMT_RESET, 0, ROUTER_F_ALL},
	{"DISCARD ALL", ROUTER_STMT_DISCARD, ROUTER_STMT_DISCARD, ROUTER_F_ALL, W},
	{"DISCARD TEMP", ROUTER_STMT_DISCARD, ROUTER_STMT_DISCARD, 0, ROUTER_F_ALL},
	{"PREPARE p (int) AS SELECT $1", ROUTER_STMT_PREPARE, ROUTER_STMT_SELECT, 0, W},
	{"PREPARE q AS INSERT INTO t VALUES (1)", ROUTER_STMT_PREPARE, ROUTER_STMT_INSERT, W, 0},
	{"EXECUTE p(1)", ROUTER_STMT_EXECUTE, ROUTER_STMT_EXECUTE, 0, W},
	{"DEALLOCATE p", ROUTER_STMT_DEALLOCATE, ROUTER_STMT_DEALLOCATE, 0, ROUTER_F_ALL},
	{"DEALLOCATE ALL", ROUTER_STMT_DEALLOCATE, ROUTER_STMT_DEALLOCATE, ROUTER_F_ALL, W},
	{"LISTEN ch", ROUTER_STMT_LISTEN, ROUTER_STMT_LISTEN, 0, W},
	{"UNLISTEN *", ROUTER_STMT_UNLISTEN, ROUTER_STMT_UNLISTEN, ROUTER_F_ALL, W},
	{"NOTIFY ch, 'hello'", ROUTER_STMT_NOTIFY, ROUTER_STMT_NOTIFY, 0, W},
	{"SHOW search_path", ROUTER_STMT_SHOW, ROUTER_STMT_SHOW, 0, W},
	{"SHOW ALL", ROUTER_STMT_SHOW, ROUTER_STMT_SHOW, 0, W},
	{"SHOW pool_nodes", ROUTER_STMT_SHOW_POOL, ROUTER_STMT_SHOW_POOL, 0, W},
	{"COPY t FROM STDIN", ROUTER_STMT_COPY_FROM, ROUTER_STMT_COPY_FROM, W | ROUTER_F_COPY_STDIO, 0},
	{"COPY t TO STDOUT", ROUTER_STMT_COPY_TO, ROUTER_STMT_COPY_TO, ROUTER_F_COPY_STDIO, W},
	{"COPY (SELECT * FROM t) TO STDOUT WITH CSV", ROUTER_STMT_COPY_TO, ROUTER_STMT_SELECT, ROUTER_F_COPY_STDIO, W},
	{"COPY (DELETE FROM t RETURNING *) TO STDOUT", ROUTER_STMT_COPY_TO, ROUTER_STMT_DELETE, W, 0},
	{"COPY t TO '/tmp/t.out'", ROUTER_STMT_COPY_TO, ROUTER_STMT_COPY_TO, 0, W | ROUTER_F_COPY_STDIO},
	{"LOCK TABLE t IN ACCESS EXCLUSIVE MODE", ROUTER_STMT_LOCK, ROUTER_STMT_LOCK, W, 0},
	{"VACUUM ANALYZE t", ROUTER_STMT_VACUUM, ROUTER_STMT_VACUUM, W, 0},
	{"ANALYZE t", ROUTER_STMT_ANALYZE, ROUTER_STMT_ANALYZE, W, 0},
	{"EXPLAIN SELECT * FROM t", ROUTER_STMT_EXPLAIN, ROUTER_STMT_SELECT, 0, W | ROUTER_F_EXPLAIN_ANALYZE},
	{"EXPLAIN INSERT INTO t VALUES (1)", ROUTER_STMT_EXPLAIN, ROUTER_STMT_INSERT, 0, W},
	{"EXPLAIN ANALYZE SELECT * FROM t", ROUTER_STMT_EXPLAIN, ROUTER_STMT_SELECT, ROUTER_F_EXPLAIN_ANALYZE, W},
	{"EXPLAIN ANALYZE INSERT INTO t VALUES (1)", ROUTER_STMT_EXPLAIN, ROUTER_STMT_INSERT,
	W | ROUTER_F_EXPLAIN_ANALYZE, 0},
	{"EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1", ROUTER_STMT_EXPLAIN, ROUTER_STMT_UPDATE, W, 0},
	{"EXPLAIN (ANALYZE false) DELETE FROM t", ROUTER_STMT_EXPLAIN, ROUTER_STMT_DELETE, 0, W},
	{"CALL proc(1)", ROUTER_STMT_CALL, ROUTER_STMT_CALL, W, 0},
	{"DO $$BEGIN PERFORM 1; END$$", ROUTER_STMT_DO, ROUTER_STMT_DO, W, 0},
	{"DECLARE c CURSOR FOR SELECT * FROM t", ROUTER_STMT_DECLARE_CURSOR, ROUTER_STMT_SELECT, 0, W},
	{"FETCH 10 FROM c", ROUTER_STMT_FETCH, ROUTER_STMT_FETCH, 0, W},
	{"MOVE NEXT IN c", ROUTER_STMT_FETCH, ROUTER_STMT_FETCH, 0, W},
	{"CLOSE c", ROUTER_STMT_CLOSE_CURSOR, ROUTER_STMT_CLOSE_CURSOR, 0, W},
	{"CHECKPOINT", ROUTER_STMT_CHECKPOINT, ROUTER_STMT_CHECKPOINT, 0, W},
	{"LOAD 'auto_explain'", ROUTER_STMT_LOAD, ROUTER_STMT_LOAD, 0, W},
	{"", ROUTER_STMT_EMPTY, ROUTER_STMT_EMPTY, 0, W},
	{" ; ;", ROUTER_STMT_EMPTY, ROUTER_STMT_EMPTY, 0, W},
	{"-- nothing here\n", ROUTER_STMT_EMPTY, ROUTER_STMT_EMPTY, ROUTER_F_LEADING_COMMENT, W},
	{"SELEC 1", ROUTER_STMT_UNPARSABLE, ROUTER_STMT_UNPARSABLE, W, 0},
	{"PGPOOL SHOW ALL", ROUTER_STMT_UNPARSABLE, ROUTER_STMT_UNPARSABLE, W, 0},
};

static void
test_kinds(void **state)
{
	for (size_t i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]); i++)
	{
		const KindCase *c = &kind_cases[i];
		const StmtFacts *f = A(c->sql);

		if (f->kind != c->kind || f->inner_kind != c->inner ||
			(f->flags & c->must) != c->must || (f->flags & c->mustnt) != 0)
			fail_msg("\"%s\": kind %s inner %s flags 0x%x; expected %s / %s, must 0x%x, mustn't 0x%x",
					 c->sql, router_stmt_kind_name(f->kind),
					 router_stmt_kind_name(f->inner_kind), f->flags,
					 router_stmt_kind_name(c->kind), router_stmt_kind_name(c->inner),
					 c->must, c->mustnt);
	}
}

/* ---- names, isolation, SHOW pool_* ------------------------------------------------- */

static void
test_names(void **state)
{
	assert_string_equal(A("PREPARE fooplan (int) AS SELECT $1")->name, "fooplan");
	assert_string_equal(A("EXECUTE fooplan(1)")->name, "fooplan");
	assert_string_equal(A("DEALLOCATE PREPARE fooplan")->name, "fooplan");
	assert_null(A("DEALLOCATE ALL")->name);
	assert_string_equal(A("SAVEPOINT my_sp")->name, "my_sp");
	assert_string_equal(A("ROLLBACK TO my_sp")->name, "my_sp");
	assert_string_equal(A("PREPARE TRANSACTION 'g1'")->name, "g1");
	assert_string_equal(A("LISTEN \"Chan\"")->name, "Chan");
	assert_string_equal(A("SET Search_Path = x")->name, "search_path");
	assert_string_equal(A("RESET default_transaction_isolation")->name,
						"default_transaction_isolation");
	assert_string_equal(A("SHOW work_mem")->name, "work_mem");
	assert_string_equal(A("DECLARE cur1 NO SCROLL CURSOR WITH HOLD FOR SELECT 1")->name, "cur1");
	assert_string_equal(A("DISCARD PLANS")->name, "PLANS");
	assert_string_equal(A("EXPLAIN EXECUTE fooplan(1)")->name, "fooplan");
	assert_int_equal(A("EXPLAIN EXECUTE fooplan(1)")->inner_kind, ROUTER_STMT_EXECUTE);
}

static void
test_isolation(void **state)
{
	assert_int_equal(A("BEGIN")->isolation, ROUTER_ISO_DEFAULT);
	assert_int_equal(A("BEGIN ISOLATION LEVEL SERIALIZABLE")->isolation, ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("begin transaction read write, isolation level serializable")->isolation,
					 ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("START TRANSACTION ISOLATION LEVEL REPEATABLE READ")->isolation,
					 ROUTER_ISO_REPEATABLE_READ);
	assert_int_equal(A("BEGIN ISOLATION LEVEL READ UNCOMMITTED")->isolation,
					 ROUTER_ISO_READ_UNCOMMITTED);
	assert_int_equal(A("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")->isolation,
					 ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")->isolation,
					 ROUTER_ISO_READ_COMMITTED);
	assert_int_equal(A("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE")->isolation,
					 ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("SET default_transaction_isolation = 'SERIALIZABLE'")->isolation,
					 ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("SET SESSION default_transaction_isolation TO serializable")->isolation,
					 ROUTER_ISO_SERIALIZABLE);
	assert_int_equal(A("SET default_transaction_isolation TO DEFAULT")->kind,
					 ROUTER_STMT_SET_SESSION_CHARACTERISTICS);
	assert_int_equal(A("SET default_transaction_isolation TO DEFAULT")->isolation,
					 ROUTER_ISO_DEFAULT);
	assert_int_equal(A("SET transaction_isolation TO 'repeatable read'")->isolation,
					 ROUTER_ISO_REPEATABLE_READ);
	assert_int_equal(A("SET TRANSACTION SNAPSHOT '00000003-0000001B-1'")->kind,
					 ROUTER_STMT_SET_TRANSACTION);
	assert_string_equal(A("SET TRANSACTION SNAPSHOT '00000003-0000001B-1'")->name,
						"TRANSACTION SNAPSHOT");
}

static void
test_show_pool(void **state)
{
	static const struct
	{
		const char *sql;
		RouterPoolShow item;
	}			cases[] = {
		{"SHOW pool_status", ROUTER_SHOW_POOL_STATUS},
		{"show POOL_NODES", ROUTER_SHOW_POOL_NODES},
		{"SHOW pool_processes;", ROUTER_SHOW_POOL_PROCESSES},
		{"SHOW Pool_Pools", ROUTER_SHOW_POOL_POOLS},
		{"SHOW pool_version", ROUTER_SHOW_POOL_VERSION},
		{"SHOW pool_cache", ROUTER_SHOW_POOL_CACHE},
		{"SHOW pool_health_check_stats", ROUTER_SHOW_POOL_HEALTH_CHECK_STATS},
		{"SHOW pool_backend_stats", ROUTER_SHOW_POOL_BACKEND_STATS},
		{"SHOW \"POOL_NODES\"", ROUTER_SHOW_POOL_NODES},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const StmtFacts *f = A(cases[i].sql);

		assert_int_equal(f->kind, ROUTER_STMT_SHOW_POOL);
		assert_int_equal(f->pool_show, cases[i].item);
	}
	assert_int_equal(A("SHOW pool_nothing")->kind, ROUTER_STMT_SHOW);
	assert_int_equal(A("SHOW pool_nothing")->pool_show, ROUTER_SHOW_NONE);
}

/* ---- functions and relations --------------------------------------------------- */

static void
test_functions(void **state)
{
	const StmtFacts *f;

	f = A("SELECT nextval('s'), public.get_x(1), count(*) FROM t");
	assert_true(f->flags & ROUTER_F_SEQUENCE_FUNC);
	assert_true(f->flags & ROUTER_F_WRITE);
	assert_true(has_func(f, "nextval"));
	assert_true(has_func(f, "public.get_x"));
	assert_true(has_func(f, "count"));
	assert_int_equal(f->nfuncs, 3);

	f = A("SELECT pg_catalog.setval('s', 1)");
	assert_true(f->flags & ROUTER_F_SEQUENCE_FUNC);
	assert_true(has_func(f, "pg_catalog.setval"));

	/* someone's own nextval in another schema is not the sequence function */
	f = A("SELECT myschema.nextval('s')");
	assert_false(f->flags & ROUTER_F_SEQUENCE_FUNC);

	/* calls deep inside subqueries, CASE, FROM functions, window and filter clauses */
	f = A("SELECT CASE WHEN a > 0 THEN f_case(a) END, "
		  "(SELECT f_sub(b) FROM u WHERE u.c = f_where(t.c)), "
		  "sum(a) FILTER (WHERE f_filter(a)) OVER (PARTITION BY f_part(a)) "
		  "FROM t, LATERAL f_from(t.a) AS x, generate_series(1, 3) g "
		  "WHERE EXISTS (SELECT 1 FROM v WHERE f_exists(v.a)) GROUP BY a HAVING f_having(a)");
	assert_true(has_func(f, "f_case"));
	assert_true(has_func(f, "f_sub"));
	assert_true(has_func(f, "f_where"));
	assert_true(has_func(f, "f_filter"));
	assert_true(has_func(f, "f_part"));
	assert_true(has_func(f, "f_from"));
	assert_true(has_func(f, "generate_series"));
	assert_true(has_func(f, "f_exists"));
	assert_true(has_func(f, "f_having"));
	assert_true(has_func(f, "sum"));

	/* SQL-syntax functions (EXTRACT, SUBSTRING, AT TIME ZONE) are not user calls */
	f = A("SELECT extract(year FROM now()), substring('abc' FROM 2), now() AT TIME ZONE 'UTC'");
	assert_true(has_func(f, "now"));
	assert_int_equal(f->nfuncs, 1);

	/* the same function twice is listed once */
	f = A("SELECT f(1), f(2), F(3)");
	assert_int_equal(f->nfuncs, 1);

	/* EXPLAIN without ANALYZE runs nothing (no write), but its calls are listed */
	f = A("EXPLAIN SELECT nextval('s')");
	assert_int_equal(f->nfuncs, 1);
	assert_true(f->flags & ROUTER_F_SEQUENCE_FUNC);
	assert_false(f->flags & ROUTER_F_WRITE);
	f = A("EXPLAIN SELECT * FROM t, LATERAL f_lat(t.a) WHERE a IN (SELECT f_sub(b) FROM u)");
	assert_true(has_func(f, "f_lat"));
	assert_true(has_func(f, "f_sub"));
	/* a view's query is stored, not run: nothing listed */
	f = A("CREATE VIEW v AS SELECT f_view(a) FROM t");
	assert_int_equal(f->nfuncs, 0);
	f = A("EXPLAIN ANALYZE SELECT nextval('s')");
	assert_true(f->flags & ROUTER_F_SEQUENCE_FUNC);

	/* VALUES, CTEs, PREPARE, DECLARE, COPY (query) */
	f = A("VALUES (f_values(1)), (2)");
	assert_true(has_func(f, "f_values"));
	f = A("WITH w AS (SELECT f_cte(a) AS x FROM t) SELECT x FROM w");
	assert_true(has_func(f, "f_cte"));
	f = A("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT f_rec(n) FROM r) SELECT * FROM r");
	assert_true(has_func(f, "f_rec"));
	f = A("PREPARE p AS SELECT s.f_prep($1)");
	assert_true(has_func(f, "s.f_prep"));
	f = A("SELECT * FROM (VALUES (f_v1(1))) v(a), ROWS FROM (f_rows(1)) r");
	assert_true(has_func(f, "f_v1"));
	assert_true(has_func(f, "f_rows"));
	f = A("SELECT ARRAY(SELECT f_arr()), f_outer(f_inner()) ORDER BY f_order()");
	assert_true(has_func(f, "f_arr"));
	assert_true(has_func(f, "f_inner"));
	assert_true(has_func(f, "f_order"));
	f = A("COPY (SELECT f_copy()) TO STDOUT");
	assert_true(has_func(f, "f_copy"));

	/* DDL that may change a function's volatility or what a name means */
	assert_true(A("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")->flags &
				ROUTER_F_FUNC_DDL);
	assert_true(A("ALTER FUNCTION f() VOLATILE")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("DROP FUNCTION f(), g()")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("DROP PROCEDURE p")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("ALTER ROUTINE f RENAME TO g")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("ALTER FUNCTION f() SET SCHEMA s")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("DROP SCHEMA s CASCADE")->flags & ROUTER_F_FUNC_DDL);
	assert_true(A("CREATE EXTENSION pgcrypto")->flags & ROUTER_F_FUNC_DDL);
	assert_false(A("CREATE TABLE t9 (a int)")->flags & ROUTER_F_FUNC_DDL);
	assert_false(A("DROP TABLE t9")->flags & ROUTER_F_FUNC_DDL);

	/* EXECUTE's arguments run */
	f = A("EXECUTE p(nextval('s'))");
	assert_true(f->flags & ROUTER_F_SEQUENCE_FUNC);
}

static void
test_relations(void **state)
{
	const StmtFacts *f;
	const RouterRel *r;

	f = A("SELECT * FROM public.t1 JOIN t2 USING (id) WHERE id IN (SELECT id FROM s.t3)");
	assert_int_equal(f->nrels, 3);
	assert_non_null(find_rel(f, "public", "t1"));
	assert_non_null(find_rel(f, NULL, "t2"));
	assert_non_null(find_rel(f, "s", "t3"));
	assert_false(f->flags & ROUTER_F_SYSTEM_CATALOG);

	/* a CTE's name is not a relation; the tables inside it are */
	f = A("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3), "
		  "x AS (SELECT * FROM base) SELECT * FROM r, x");
	assert_int_equal(f->nrels, 1);
	assert_non_null(find_rel(f, NULL, "base"));

	/* catalogs: pg_catalog, information_schema, unqualified pg_* */
	f = A("SELECT * FROM pg_class");
	assert_true(f->flags & ROUTER_F_SYSTEM_CATALOG);
	f = A("SELECT * FROM information_schema.tables");
	assert_true(f->flags & ROUTER_F_SYSTEM_CATALOG);
	r = find_rel(f, "information_schema", "tables");
	assert_non_null(r);
	assert_true(r->flags & ROUTER_REL_SYSTEM);

	/* pg_temp schema */
	f = A("SELECT * FROM pg_temp.tt");
	r = find_rel(f, "pg_temp", "tt");
	assert_non_null(r);
	assert_true(r->flags & ROUTER_REL_TEMP);

	/* DML target, CREATE, DROP */
	f = A("INSERT INTO a SELECT * FROM b");
	assert_true(find_rel(f, NULL, "a")->flags & ROUTER_REL_WRITTEN);
	assert_false(find_rel(f, NULL, "b")->flags & ROUTER_REL_WRITTEN);
	f = A("CREATE TEMP TABLE tt (a int)");
	r = find_rel(f, NULL, "tt");
	assert_true(r->flags & ROUTER_REL_CREATED);
	assert_true(r->flags & ROUTER_REL_TEMP);
	f = A("DROP TABLE IF EXISTS tt, s.u CASCADE");
	assert_true(find_rel(f, NULL, "tt")->flags & ROUTER_REL_DROPPED);
	assert_true(find_rel(f, "s", "u")->flags & ROUTER_REL_DROPPED);
	f = A("SELECT 1 INTO TEMP tx FROM t");
	assert_true(f->flags & ROUTER_F_SELECT_INTO);
	assert_true(f->flags & ROUTER_F_TEMP_OBJECT);
	assert_true(find_rel(f, NULL, "tx")->flags & ROUTER_REL_CREATED);
	f = A("LOCK TABLE s.t");
	assert_non_null(find_rel(f, "s", "t"));
	f = A("COPY s.t (a, b) TO STDOUT");
	assert_non_null(find_rel(f, "s", "t"));
	f = A("VACUUM (VERBOSE) t, u");
	assert_int_equal(f->nrels, 2);
}

/* pgbench's statements and psql's \d queries */
static void
test_real_clients(void **state)
{
	const StmtFacts *f;

	f = A("SELECT abalance FROM pgbench_accounts WHERE aid = $1");
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_int_equal(f->nfuncs, 0);
	assert_int_equal(f->nrels, 1);
	assert_non_null(find_rel(f, NULL, "pgbench_accounts"));
	assert_int_equal(f->flags & (ROUTER_F_WRITE | ROUTER_F_SYSTEM_CATALOG), 0);

	f = A("UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2");
	assert_true(find_rel(f, NULL, "pgbench_tellers")->flags & ROUTER_REL_WRITTEN);

	/* psql \d pgbench_accounts, first query */
	f = A("SELECT c.oid,\n  n.nspname,\n  c.relname\nFROM pg_catalog.pg_class c\n"
		  "     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
		  "WHERE c.relname OPERATOR(pg_catalog.~) '^(pgbench_accounts)$' COLLATE pg_catalog.default\n"
		  "  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 2, 3;");
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_true(f->flags & ROUTER_F_SYSTEM_CATALOG);
	assert_false(f->flags & ROUTER_F_WRITE);
	assert_non_null(find_rel(f, "pg_catalog", "pg_class"));
	assert_non_null(find_rel(f, "pg_catalog", "pg_namespace"));
	assert_true(has_func(f, "pg_catalog.pg_table_is_visible"));

	/* psql \d pgbench_accounts, column query */
	f = A("SELECT a.attname,\n  pg_catalog.format_type(a.atttypid, a.atttypmod),\n"
		  "  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n"
		  "   FROM pg_catalog.pg_attrdef d\n"
		  "   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),\n"
		  "  a.attnotnull,\n"
		  "  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n"
		  "   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,\n"
		  "  a.attidentity,\n  a.attgenerated\nFROM pg_catalog.pg_attribute a\n"
		  "WHERE a.attrelid = '16390' AND a.attnum > 0 AND NOT a.attisdropped\nORDER BY a.attnum;");
	assert_true(f->flags & ROUTER_F_SYSTEM_CATALOG);
	assert_int_equal(f->nrels, 4);
	assert_true(has_func(f, "pg_catalog.format_type"));
	assert_true(has_func(f, "pg_catalog.pg_get_expr"));
}

/* ---- comments, hints, white space, statements --------------------------------------- */

static void
test_text_flags(void **state)
{
	const StmtFacts *f;

	f = A("/*NO LOAD BALANCE*/ SELECT 1");
	assert_true(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	assert_true(f->flags & ROUTER_F_LEADING_COMMENT);
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);

	f = A("SELECT /* no load balance */ 1");
	assert_true(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	assert_false(f->flags & ROUTER_F_LEADING_COMMENT);

	f = A("/* app=web */ SELECT 1");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	assert_true(f->flags & ROUTER_F_LEADING_COMMENT);

	f = A("-- line comment\nSELECT 1");
	assert_true(f->flags & ROUTER_F_LEADING_COMMENT);

	f = A("  \n\tSELECT 1");
	assert_true(f->flags & ROUTER_F_LEADING_SPACE);
	assert_false(f->flags & ROUTER_F_LEADING_COMMENT);

	f = A("  /*NO LOAD BALANCE*/SELECT 1");
	assert_true(f->flags & ROUTER_F_LEADING_SPACE);
	assert_true(f->flags & ROUTER_F_LEADING_COMMENT);
	assert_true(f->flags & ROUTER_F_NO_LOAD_BALANCE);

	/* the hint text inside literals and identifiers is no comment */
	f = A("SELECT '/*NO LOAD BALANCE*/'");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT E'\\' /*NO LOAD BALANCE*/'");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT $q$ /*NO LOAD BALANCE*/ $q$, $1 /* x */");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT 1 AS \"/*NO LOAD BALANCE*/\"");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT 1 /* outer /* nested */ NO LOAD BALANCE */");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT 1 -- /*NO LOAD BALANCE*/");
	assert_false(f->flags & ROUTER_F_NO_LOAD_BALANCE);
	f = A("SELECT $$a$$ /*NO LOAD BALANCE*/");
	assert_true(f->flags & ROUTER_F_NO_LOAD_BALANCE);
}

static void
test_multi_statement(void **state)
{
	const StmtFacts *f;

	f = A("SELECT 1; SELECT 2");
	assert_int_equal(f->nstmts, 2);
	assert_true(f->flags & ROUTER_F_MULTI);
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_false(f->flags & ROUTER_F_WRITE);

	f = A("SELECT 1; INSERT INTO t VALUES (1);");
	assert_int_equal(f->nstmts, 2);
	assert_true(f->flags & ROUTER_F_WRITE);

	f = A("BEGIN; SELECT 1; COMMIT;");
	assert_int_equal(f->nstmts, 3);
	assert_int_equal(f->kind, ROUTER_STMT_BEGIN);
	assert_true(f->flags & ROUTER_F_TXN_CONTROL);

	f = A("SELECT 1;");
	assert_int_equal(f->nstmts, 1);
	assert_false(f->flags & ROUTER_F_MULTI);

	/* a semicolon in a string does not split */
	f = A("SELECT ';'");
	assert_int_equal(f->nstmts, 1);
}

static void
test_unparsable(void **state)
{
	const StmtFacts *f = A("SELECT FROM WHERE");

	assert_int_equal(f->kind, ROUTER_STMT_UNPARSABLE);
	assert_non_null(f->error);
	assert_non_null(strstr(f->error, "syntax error"));
	assert_true(f->error_pos > 0);
	assert_int_equal(f->nrels, 0);

	/* an error does not poison the next parse */
	f = A("SELECT 1");
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_null(f->error);

	/* unterminated literal and a huge nesting depth end as errors, not crashes */
	assert_int_equal(A("SELECT 'abc")->kind, ROUTER_STMT_UNPARSABLE);
	{
		char		deep[40000];
		size_t		n = 0;

		n += (size_t) snprintf(deep, sizeof(deep), "SELECT ");
		for (int i = 0; i < 10000; i++)
			deep[n++] = '(';
		deep[n++] = '1';
		for (int i = 0; i < 10000; i++)
			deep[n++] = ')';
		deep[n] = '\0';
		f = router_analyze(deep, n);
		assert_true(f->kind == ROUTER_STMT_UNPARSABLE || f->kind == ROUTER_STMT_SELECT);
	}
}

/*
 * A tree deeper than the walk goes ("1+1+...+1" nests per term) is taken
 * for a write instead of overflowing the stack.
 */
static void
test_deep_expression(void **state)
{
	static char sql[8 * 100000 + 64];
	size_t		n = 0;
	const StmtFacts *f;

	n += (size_t) snprintf(sql, sizeof(sql), "SELECT f(0)");
	for (int i = 0; i < 100000; i++)
		n += (size_t) snprintf(sql + n, sizeof(sql) - n, "+1");
	f = router_analyze(sql, n);
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_true(f->flags & ROUTER_F_WRITE);

	/* a deep but reasonable one is walked to the bottom */
	n = (size_t) snprintf(sql, sizeof(sql), "SELECT 1");
	for (int i = 0; i < 2000; i++)
		n += (size_t) snprintf(sql + n, sizeof(sql) - n, "+1");
	n += (size_t) snprintf(sql + n, sizeof(sql) - n, "+g(2)");
	f = router_analyze(sql, n);
	assert_false(f->flags & ROUTER_F_WRITE);
	assert_int_equal(f->nfuncs, 1);
	assert_string_equal(f->funcs[0], "g");
}

/* text is not NUL-terminated at len: only len bytes count */
static void
test_length_bound(void **state)
{
	const char	buf[] = "SELECT 1; DROP TABLE t";
	const StmtFacts *f = router_analyze(buf, 8);

	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_int_equal(f->nstmts, 1);
	assert_int_equal(f->text_len, 8);
	assert_string_equal(f->text, "SELECT 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_show_pool),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_real_clients),
		cmocka_unit_test(test_text_flags),
		cmocka_unit_test(test_multi_statement),
		cmocka_unit_test(test_unparsable),
		cmocka_unit_test(test_deep_expression),
		cmocka_unit_test(test_length_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
