/*
 * test_router_timestamp.c: unit tests for the timestamp rewrite of native
 * replication mode (router/rewrite.h): every form of clock read, where it
 * is and is not replaced, column defaults written out (column lists,
 * DEFAULT, no column list, multi-row VALUES, INSERT ... SELECT, DEFAULT
 * VALUES, ON CONFLICT, UPDATE SET DEFAULT), the facts pre-check, the
 * catalog query and TableDefaults built from its rows.
 *
 * Expected texts write the quoted literal as "@".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router/rewrite.h"
#include "router/router.h"

#define LIT "2026-12-05 08:53:58.123456+00"
#define QLIT "'2026-12-05 08:53:58.123456+00'"

/* ---- a fake catalog ------------------------------------------------------------ */

typedef struct FakeTable
{
	const char *schema;
	const char *name;
	int			nrows;
	const char *cells[6 * ROUTER_TABLE_DEFAULTS_NCOLS];
	TableDefaults *td;
} FakeTable;

static FakeTable tables[] = {
	{NULL, "rel1", 2, {
			"c1", NULL, "", "",
	"c2", "now()", "", ""}},
	{NULL, "rel2", 3, {
			"id", "nextval('rel2_id_seq'::regclass)", "", "",
			"d1", "(CURRENT_DATE + 1)", "", "",
	"note", "'x'::text", "", ""}},
	{"s1", "Mixed Case", 4, {
			"Id", NULL, "a", "",
			"select", "CURRENT_TIMESTAMP", "", "",
			"g", "(1 + 2)", "", "s",
	"t3", "('now'::text)::timestamp(3) with time zone", "", ""}},
	{NULL, "plain", 2, {
			"a", NULL, "", "",
	"b", "42", "", ""}},
	{NULL, "log", 2, {
			"id", NULL, "d", "",
	"at", "LOCALTIMESTAMP(2)", "", ""}},
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static int	lookups;

static bool
fake_defaults(void *arg, const char *schema, const char *table, const TableDefaults **out)
{
	(void) arg;
	lookups++;
	for (size_t i = 0; i < NTABLES; i++)
	{
		FakeTable  *t = &tables[i];

		if (strcmp(t->name, table) == 0 &&
			((schema == NULL && t->schema == NULL) ||
			 (schema != NULL && t->schema != NULL && strcmp(schema, t->schema) == 0)))
		{
			*out = t->td;
			return true;
		}
	}
	return false;
}

static int
setup(void **state)
{
	(void) state;
	for (size_t i = 0; i < NTABLES; i++)
		tables[i].td = router_table_defaults_from_rows(tables[i].nrows, tables[i].cells);
	return 0;
}

static int
teardown(void **state)
{
	(void) state;
	for (size_t i = 0; i < NTABLES; i++)
		router_table_defaults_free(tables[i].td);
	return 0;
}

/* expected with every "@" replaced by the quoted literal */
static char *
expand(const char *expected)
{
	char	   *out = malloc(strlen(expected) * 40 + 1),
			   *o = out;

	for (; *expected; expected++)
	{
		if (*expected == '@')
			o += sprintf(o, "%s", QLIT);
		else
			*o++ = *expected;
	}
	*o = '\0';
	return out;
}

/* Rewrite sql; expected NULL means "unchanged" */
static void
check(const char *sql, const char *expected, RouterRewriteInfo *info)
{
	char	   *got = router_rewrite_timestamps(sql, strlen(sql), LIT, fake_defaults, NULL, info);

	if (expected == NULL)
	{
		if (got != NULL)
			fail_msg("unexpected rewrite of\n  %s\ninto\n  %s", sql, got);
		return;
	}
	{
		char	   *want = expand(expected);

		if (got == NULL)
			fail_msg("no rewrite of\n  %s\nwanted\n  %s", sql, want);
		assert_string_equal(got, want);
		if (info)
			assert_int_equal(info->len, strlen(want));
		free(want);
		free(got);
	}
}

#define CHECK(sql, want) check(sql, want, NULL)

/* ---- clock reads ------------------------------------------------------------------ */

static void
test_functions(void **state)
{
	RouterRewriteInfo info;

	(void) state;
	CHECK("INSERT INTO t VALUES (now())", "INSERT INTO t VALUES (@::timestamptz)");
	CHECK("INSERT INTO t VALUES (pg_catalog.now(), transaction_timestamp(), "
		  "statement_timestamp(), \"now\" ( ), clock_timestamp(), timeofday(), random())",
		  "INSERT INTO t VALUES (@::timestamptz, @::timestamptz, "
		  "@::timestamptz, @::timestamptz, clock_timestamp(), timeofday(), random())");
	CHECK("INSERT INTO t VALUES (myschema.now(), now(1))", NULL);
	check("DELETE FROM t WHERE ts < now() - interval '1 day'",
		  "DELETE FROM t WHERE ts < @::timestamptz - interval '1 day'", &info);
	assert_int_equal(info.replaced, 1);
	assert_int_equal(info.defaults, 0);
}

static void
test_sql_value_functions(void **state)
{
	(void) state;
	CHECK("UPDATE t SET a = CURRENT_TIMESTAMP, b = CURRENT_TIMESTAMP(3), c = CURRENT_DATE, "
		  "d = CURRENT_TIME, e = current_time (2), f = LOCALTIMESTAMP, g = localtimestamp(4), "
		  "h = LOCALTIME, i = LOCALTIME(0), j = CURRENT_USER WHERE x < now()",
		  "UPDATE t SET a = @::timestamptz, b = @::timestamptz(3), c = @::timestamptz::date, "
		  "d = @::timestamptz::timetz, e = @::timestamptz::timetz(2), f = @::timestamptz::timestamp, "
		  "g = @::timestamptz::timestamp(4), h = @::timestamptz::time, i = @::timestamptz::time(0), "
		  "j = CURRENT_USER WHERE x < @::timestamptz");
	CHECK("INSERT INTO t VALUES (CURRENT_DATE + 1, CURRENT_TIMESTAMP /* p */ ( 6 ))",
		  "INSERT INTO t VALUES (@::timestamptz::date + 1, @::timestamptz(6))");
}

static void
test_now_literal(void **state)
{
	(void) state;
	CHECK("INSERT INTO t VALUES ('now'::timestamp, 'NOW'::timestamptz(3), 'now'::date, "
		  "timestamp 'now', CAST('now' AS time), 'now'::text::timestamp with time zone, "
		  "date ' now ', 'now', 'today'::date, 'now'::text, 'now'::timestamp[])",
		  "INSERT INTO t VALUES (@::timestamptz::timestamp, @::timestamptz::timestamptz(3), "
		  "@::timestamptz::date, @::timestamptz::timestamp, CAST(@::timestamptz AS time), "
		  "@::timestamptz::text::timestamp with time zone, @::timestamptz::date, "
		  "'now', 'today'::date, 'now'::text, 'now'::timestamp[])");
	CHECK("UPDATE t SET a = timestamp(3) with time zone 'now' WHERE b = E'now'::date",
		  "UPDATE t SET a = @::timestamptz::timestamp(3) with time zone "
		  "WHERE b = @::timestamptz::date");
}

static void
test_function_arguments(void **state)
{
	(void) state;
	CHECK("INSERT INTO t VALUES (date_trunc('day', now()), extract(epoch from now()), "
		  "coalesce(NULL, CURRENT_DATE), (SELECT max(x) FROM u WHERE y < now()))",
		  "INSERT INTO t VALUES (date_trunc('day', @::timestamptz), extract(epoch from @::timestamptz), "
		  "coalesce(NULL, @::timestamptz::date), (SELECT max(x) FROM u WHERE y < @::timestamptz))");
}

static void
test_where_replaced(void **state)
{
	(void) state;
	CHECK("INSERT INTO t SELECT a, now() FROM u WHERE b < (SELECT max(c) FROM v WHERE d < CURRENT_DATE)",
		  "INSERT INTO t SELECT a, @::timestamptz FROM u WHERE b < "
		  "(SELECT max(c) FROM v WHERE d < @::timestamptz::date)");
	CHECK("INSERT INTO t (a, ts) VALUES (1, now()), (2, now()) ON CONFLICT (a) DO UPDATE SET ts = now()",
		  "INSERT INTO t (a, ts) VALUES (1, @::timestamptz), (2, @::timestamptz) "
		  "ON CONFLICT (a) DO UPDATE SET ts = @::timestamptz");
	CHECK("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET ts = now() "
		  "WHEN NOT MATCHED THEN INSERT VALUES (s.a, CURRENT_TIMESTAMP)",
		  "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET ts = @::timestamptz "
		  "WHEN NOT MATCHED THEN INSERT VALUES (s.a, @::timestamptz)");
	CHECK("WITH x AS (INSERT INTO t VALUES (now()) RETURNING *) SELECT now(), * FROM x",
		  "WITH x AS (INSERT INTO t VALUES (@::timestamptz) RETURNING *) SELECT now(), * FROM x");
	CHECK("WITH n AS (SELECT now() AS ts) INSERT INTO t SELECT ts FROM n RETURNING now()",
		  "WITH n AS (SELECT @::timestamptz AS ts) INSERT INTO t SELECT ts FROM n RETURNING @::timestamptz");
}

static void
test_left_alone(void **state)
{
	(void) state;
	CHECK("SELECT now()", NULL);
	CHECK("SELECT now(), CURRENT_DATE, 'now'::timestamp FROM t", NULL);
	CHECK("CREATE TABLE x (a timestamp DEFAULT now())", NULL);
	CHECK("PREPARE p AS INSERT INTO t VALUES (now())", NULL);
	CHECK("EXPLAIN INSERT INTO t VALUES (now())", NULL);
	CHECK("INSERT INTO t VALUES (clock_timestamp(), 'now()', $$now()$$)", NULL);
	CHECK("INSERT INTO t VALUES (now()", NULL);	/* unparsable */
	CHECK("", NULL);
}

static void
test_multi_statement(void **state)
{
	(void) state;
	CHECK("INSERT INTO t VALUES (now()); SELECT now(); UPDATE t SET a = now();",
		  "INSERT INTO t VALUES (@::timestamptz); SELECT now(); UPDATE t SET a = @::timestamptz;");
	CHECK("BEGIN;INSERT INTO rel1(c1) VALUES (1);INSERT INTO rel1(c1) VALUES (2);COMMIT",
		  "BEGIN;INSERT INTO rel1(c1, c2) VALUES (1, @::timestamptz);"
		  "INSERT INTO rel1(c1, c2) VALUES (2, @::timestamptz);COMMIT");
}

static void
test_text_kept(void **state)
{
	(void) state;
	CHECK("INSERT INTO \"T\xc3\xa4 b\" VALUES (E'caf\\u00e9 \\' now()', '\xc3\xbcn\xc3\xaf''code', now(), "
		  "$q$ now() $q$, U&'\\0041', 'now()' /* now() */) -- now()",
		  "INSERT INTO \"T\xc3\xa4 b\" VALUES (E'caf\\u00e9 \\' now()', '\xc3\xbcn\xc3\xaf''code', @::timestamptz, "
		  "$q$ now() $q$, U&'\\0041', 'now()' /* now() */) -- now()");
	CHECK("UPDATE \"Sch\".\"Tab\" SET \"Now\" = now() WHERE \"x\"\"y\" = 'it''s'",
		  "UPDATE \"Sch\".\"Tab\" SET \"Now\" = @::timestamptz WHERE \"x\"\"y\" = 'it''s'");
}

/* ---- column defaults ------------------------------------------------------------- */

static void
test_defaults_column_list(void **state)
{
	RouterRewriteInfo info;

	(void) state;
	check("INSERT INTO rel1(c1) VALUES(1)", "INSERT INTO rel1(c1, c2) VALUES(1, @::timestamptz)", &info);
	assert_int_equal(info.defaults, 1);
	assert_int_equal(info.replaced, 0);
	CHECK("INSERT INTO rel1 (c1) VALUES (1), (2)",
		  "INSERT INTO rel1 (c1, c2) VALUES (1, @::timestamptz), (2, @::timestamptz)");
	CHECK("INSERT INTO rel1 ( c1 /* x */ ) VALUES ( 1 -- one\n )",
		  "INSERT INTO rel1 ( c1, c2 /* x */ ) VALUES ( 1, @::timestamptz -- one\n )");
	CHECK("INSERT INTO rel2 (note) VALUES ('a')",
		  "INSERT INTO rel2 (note, d1) VALUES ('a', (@::timestamptz::date + 1))");
	CHECK("INSERT INTO rel2 (note) VALUES (now()::text)",
		  "INSERT INTO rel2 (note, d1) VALUES (@::timestamptz::text, (@::timestamptz::date + 1))");
	CHECK("INSERT INTO rel1 (c1) VALUES ($1) RETURNING c2, now()",
		  "INSERT INTO rel1 (c1, c2) VALUES ($1, @::timestamptz) RETURNING c2, @::timestamptz");
	CHECK("INSERT INTO rel1 (c2, c1) VALUES ('2000-01-01', 1)", NULL);
	CHECK("INSERT INTO plain (a) VALUES (1)", NULL);
	CHECK("INSERT INTO unknown (a) VALUES (1)", NULL);
	CHECK("INSERT INTO rel1 (nosuch) VALUES (1)", NULL);
}

static void
test_defaults_keyword(void **state)
{
	(void) state;
	CHECK("INSERT INTO rel1 VALUES (1, DEFAULT)", "INSERT INTO rel1 VALUES (1, @::timestamptz)");
	CHECK("INSERT INTO rel2 (id, d1, note) VALUES (DEFAULT, default, DEFAULT)",
		  "INSERT INTO rel2 (id, d1, note) VALUES (DEFAULT, (@::timestamptz::date + 1), DEFAULT)");
	CHECK("UPDATE rel1 SET c2 = DEFAULT, c1 = DEFAULT WHERE c1 = 1",
		  "UPDATE rel1 SET c2 = @::timestamptz, c1 = DEFAULT WHERE c1 = 1");
	CHECK("UPDATE rel1 SET (c1, c2) = (DEFAULT, DEFAULT)",
		  "UPDATE rel1 SET (c1, c2) = (DEFAULT, @::timestamptz)");
	CHECK("INSERT INTO rel1 (c1) VALUES (1) ON CONFLICT (c1) DO UPDATE SET c2 = DEFAULT",
		  "INSERT INTO rel1 (c1, c2) VALUES (1, @::timestamptz) ON CONFLICT (c1) DO UPDATE SET c2 = @::timestamptz");
	CHECK("INSERT INTO rel1 (c1) VALUES (1) ON CONFLICT DO NOTHING",
		  "INSERT INTO rel1 (c1, c2) VALUES (1, @::timestamptz) ON CONFLICT DO NOTHING");
}

static void
test_defaults_no_column_list(void **state)
{
	(void) state;
	CHECK("INSERT INTO rel1 VALUES (1)", "INSERT INTO rel1 (c1, c2) VALUES (1, @::timestamptz)");
	CHECK("INSERT INTO rel1 VALUES (1), (2)",
		  "INSERT INTO rel1 (c1, c2) VALUES (1, @::timestamptz), (2, @::timestamptz)");
	CHECK("INSERT INTO rel1 VALUES (1, '2000-01-01')", NULL);
	CHECK("INSERT INTO rel2 VALUES (DEFAULT)",
		  "INSERT INTO rel2 (id, d1) VALUES (DEFAULT, (@::timestamptz::date + 1))");
	CHECK("INSERT INTO rel1 SELECT 1", "INSERT INTO rel1 (c1, c2) SELECT 1, @::timestamptz");
}

static void
test_defaults_select(void **state)
{
	RouterRewriteInfo info;

	(void) state;
	CHECK("INSERT INTO rel1(c1) SELECT a FROM u WHERE b",
		  "INSERT INTO rel1(c1, c2) SELECT a, @::timestamptz FROM u WHERE b");
	CHECK("INSERT INTO rel1 (c1) SELECT DISTINCT ON (a) a AS from FROM u ORDER BY a",
		  "INSERT INTO rel1 (c1, c2) SELECT DISTINCT ON (a) a AS from, @::timestamptz FROM u ORDER BY a");
	CHECK("INSERT INTO rel1 (c1) (SELECT count(*) FILTER (WHERE x) FROM u)",
		  "INSERT INTO rel1 (c1, c2) (SELECT count(*) FILTER (WHERE x), @::timestamptz FROM u)");
	CHECK("INSERT INTO rel1 (c1) WITH w AS (SELECT 1 AS a FROM v) SELECT a FROM w",
		  "INSERT INTO rel1 (c1, c2) WITH w AS (SELECT 1 AS a FROM v) SELECT a, @::timestamptz FROM w");
	CHECK("WITH x AS (INSERT INTO rel1 (c1) SELECT 1 RETURNING *) SELECT * FROM x",
		  "WITH x AS (INSERT INTO rel1 (c1, c2) SELECT 1, @::timestamptz RETURNING *) SELECT * FROM x");

	check("INSERT INTO rel1(c1) SELECT 1 UNION SELECT 2", NULL, &info);
	assert_int_equal(info.not_rewritable, 1);
	assert_non_null(info.reason);
	check("INSERT INTO rel1 SELECT * FROM u", NULL, &info);
	assert_int_equal(info.not_rewritable, 1);
	/* the clock read is still replaced; only the default stays implicit */
	check("INSERT INTO rel1(c1) SELECT 1 UNION SELECT extract(year from now())",
		  "INSERT INTO rel1(c1) SELECT 1 UNION SELECT extract(year from @::timestamptz)", &info);
	assert_int_equal(info.not_rewritable, 1);
	assert_int_equal(info.defaults, 0);
}

static void
test_defaults_default_values(void **state)
{
	(void) state;
	CHECK("INSERT INTO rel1 DEFAULT VALUES", "INSERT INTO rel1 (c2) VALUES (@::timestamptz)");
	CHECK("INSERT INTO log DEFAULT VALUES RETURNING id",
		  "INSERT INTO log (at) VALUES (@::timestamptz::timestamp(2)) RETURNING id");
	CHECK("INSERT INTO plain DEFAULT VALUES", NULL);
}

static void
test_defaults_quoted_names(void **state)
{
	(void) state;
	CHECK("INSERT INTO s1.\"Mixed Case\" AS m (\"Id\") VALUES (1) RETURNING m.\"Id\"",
		  "INSERT INTO s1.\"Mixed Case\" AS m (\"Id\", \"select\", t3) VALUES (1, @::timestamptz, "
		  "(@::timestamptz::text)::timestamp(3) with time zone) RETURNING m.\"Id\"");
	/* unqualified: not the table in s1 */
	CHECK("INSERT INTO \"Mixed Case\" (\"Id\") VALUES (1)", NULL);
	CHECK("INSERT INTO s1 . \"Mixed Case\" OVERRIDING SYSTEM VALUE VALUES (1, now(), DEFAULT)",
		  "INSERT INTO s1 . \"Mixed Case\" (\"Id\", \"select\", g, t3) OVERRIDING SYSTEM VALUE "
		  "VALUES (1, @::timestamptz, DEFAULT, (@::timestamptz::text)::timestamp(3) with time zone)");
}

/* ---- facts and the pre-check ---------------------------------------------------------- */

static const RouterRel *
rel_named(const StmtFacts *f, const char *name)
{
	for (int i = 0; i < f->nrels; i++)
		if (strcmp(f->rels[i].name, name) == 0)
			return &f->rels[i];
	return NULL;
}

static bool
wanted(const char *sql)
{
	return router_rewrite_timestamps_wanted(router_analyze(sql, strlen(sql)), fake_defaults, NULL);
}

static void
test_facts(void **state)
{
	const StmtFacts *f;

	(void) state;
	f = router_analyze("INSERT INTO t VALUES (now())", strlen("INSERT INTO t VALUES (now())"));
	assert_true(f->flags & ROUTER_F_TIME_FUNC);
	assert_true(rel_named(f, "t")->flags & ROUTER_REL_INSERTED);
	f = router_analyze("SELECT now()", strlen("SELECT now()"));
	assert_false(f->flags & ROUTER_F_TIME_FUNC);
	f = router_analyze("UPDATE u SET a = 'now'::date", strlen("UPDATE u SET a = 'now'::date"));
	assert_true(f->flags & ROUTER_F_TIME_FUNC);
	assert_false(rel_named(f, "u")->flags & (ROUTER_REL_INSERTED | ROUTER_REL_DEFAULTS));
	f = router_analyze("UPDATE u SET a = DEFAULT", strlen("UPDATE u SET a = DEFAULT"));
	assert_false(f->flags & ROUTER_F_TIME_FUNC);
	assert_true(rel_named(f, "u")->flags & ROUTER_REL_DEFAULTS);
	f = router_analyze("DELETE FROM u WHERE a < clock_timestamp()", strlen("DELETE FROM u WHERE a < clock_timestamp()"));
	assert_false(f->flags & ROUTER_F_TIME_FUNC);

	assert_true(wanted("INSERT INTO t VALUES (now())"));
	assert_true(wanted("DELETE FROM t WHERE a < CURRENT_DATE"));
	assert_true(wanted("INSERT INTO rel1 (c1) VALUES (1)"));
	assert_true(wanted("UPDATE rel1 SET c2 = DEFAULT"));
	assert_true(wanted("BEGIN; INSERT INTO rel1 (c1) VALUES (1)"));
	assert_false(wanted("INSERT INTO plain (a) VALUES (1)"));
	assert_false(wanted("UPDATE rel1 SET c1 = 2"));
	assert_false(wanted("SELECT now()"));
	assert_false(wanted("PREPARE p AS INSERT INTO rel1 VALUES (now())"));
	lookups = 0;
	assert_false(wanted("SELECT * FROM rel1"));
	assert_int_equal(lookups, 0);
}

/* ---- the catalog side --------------------------------------------------------------- */

static void
test_table_defaults(void **state)
{
	const TableDefaults *rel1 = tables[0].td,
			   *rel2 = tables[1].td,
			   *mixed = tables[2].td,
			   *plain = tables[3].td;
	TableDefaults *empty = router_table_defaults_from_rows(0, NULL);

	(void) state;
	assert_int_equal(rel1->ncolumns, 2);
	assert_true(router_table_defaults_has_time_default(rel1));
	assert_false(router_table_defaults_has_serial(rel1));
	assert_true(rel1->columns[1].flags & ROUTER_COL_TIME_DEFAULT);
	assert_string_equal(rel1->columns[1].ident, "c2");
	assert_true(router_table_defaults_has_serial(rel2));
	assert_true(rel2->columns[0].flags & ROUTER_COL_SERIAL);
	assert_false(rel2->columns[2].flags & ROUTER_COL_TIME_DEFAULT);
	assert_true(router_table_defaults_has_serial(mixed));
	assert_true(mixed->columns[0].flags & ROUTER_COL_IDENTITY);
	assert_string_equal(mixed->columns[0].ident, "\"Id\"");
	assert_string_equal(mixed->columns[1].ident, "\"select\"");
	assert_true(mixed->columns[2].flags & ROUTER_COL_GENERATED);
	assert_true(mixed->columns[3].flags & ROUTER_COL_TIME_DEFAULT);
	assert_false(router_table_defaults_has_time_default(plain));
	assert_false(router_table_defaults_has_serial(plain));
	assert_int_equal(empty->ncolumns, 0);
	assert_false(router_table_defaults_has_serial(empty));
	router_table_defaults_free(empty);
	router_table_defaults_free(NULL);
}

static void
test_catalog_query(void **state)
{
	char	   *q;

	(void) state;
	q = router_table_defaults_query("s1", "Mi'x\\d");
	assert_non_null(strstr(q, "pg_catalog.to_regclass(pg_catalog.quote_ident(E's1') || '.' || "
						   "pg_catalog.quote_ident(E'Mi''x\\\\d'))"));
	assert_non_null(strstr(q, "ORDER BY a.attnum"));
	free(q);
	q = router_table_defaults_query(NULL, "rel1");
	assert_string_equal(q,
						"SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid), "
						"a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a "
						"LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
						"WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(E'rel1')) "
						"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_sql_value_functions),
		cmocka_unit_test(test_now_literal),
		cmocka_unit_test(test_function_arguments),
		cmocka_unit_test(test_where_replaced),
		cmocka_unit_test(test_left_alone),
		cmocka_unit_test(test_multi_statement),
		cmocka_unit_test(test_text_kept),
		cmocka_unit_test(test_defaults_column_list),
		cmocka_unit_test(test_defaults_keyword),
		cmocka_unit_test(test_defaults_no_column_list),
		cmocka_unit_test(test_defaults_select),
		cmocka_unit_test(test_defaults_default_values),
		cmocka_unit_test(test_defaults_quoted_names),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_table_defaults),
		cmocka_unit_test(test_catalog_query),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
