/*
 * test_router_cache.c: unit tests for the per-process cache of statement
 * facts: hits return the same facts, texts differing in one byte or in
 * length are different entries, CLOCK eviction by entry count and by bytes
 * keeps recently used entries, retained facts outlive eviction and reset,
 * texts over max_text_len are analysed but not cached.
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

static RouterCacheStats
stats(void)
{
	RouterCacheStats s;

	router_cache_stats(&s);
	return s;
}

static int
setup(void **state)
{
	router_cache_configure(1024, 8 * 1024 * 1024, 32 * 1024);
	router_cache_reset();
	return 0;
}

/* "SELECT <n> FROM t<n>" in a static buffer */
static const char *
numbered(int n)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "SELECT %d FROM t%d", n, n);
	return buf;
}

static void
test_hit_returns_same_facts(void **state)
{
	RouterCacheStats before = stats();
	const StmtFacts *a = A("SELECT abalance FROM pgbench_accounts WHERE aid = $1");
	const StmtFacts *b = A("SELECT abalance FROM pgbench_accounts WHERE aid = $1");
	char		copy[] = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
	RouterCacheStats after = stats();

	assert_ptr_equal(a, b);
	/* the key is the text, not the pointer */
	assert_ptr_equal(router_analyze(copy, strlen(copy)), a);
	assert_int_equal(after.misses - before.misses, 1);
	assert_int_equal(after.hits - before.hits, 1);
	assert_int_equal(stats().hits - before.hits, 2);
	assert_int_equal(stats().entries, 1);
	assert_true(stats().bytes > strlen(copy));

	/* one byte or one length apart: other entries */
	assert_ptr_not_equal(A("SELECT abalance FROM pgbench_accounts WHERE aid = $2"), a);
	assert_ptr_not_equal(A("SELECT abalance FROM pgbench_accounts WHERE aid = $1 "), a);
	assert_ptr_not_equal(router_analyze(copy, strlen(copy) - 1), a);
	assert_int_equal(stats().entries, 4);
}

static void
test_many_entries(void **state)
{
	const StmtFacts *first[600];

	for (int i = 0; i < 600; i++)
		first[i] = A(numbered(i));
	assert_int_equal(stats().entries, 600);
	for (int i = 0; i < 600; i++)
	{
		const StmtFacts *f = A(numbered(i));

		assert_ptr_equal(f, first[i]);
		assert_int_equal(f->nrels, 1);
	}
	assert_int_equal(stats().evictions, 0);
}

static void
test_evict_by_entries(void **state)
{
	RouterCacheStats s0;
	const StmtFacts *a;

	router_cache_configure(4, 0, 0);
	s0 = stats();
	for (int i = 0; i < 10; i++)
		A(numbered(i));
	assert_int_equal(stats().entries, 4);
	assert_int_equal(stats().evictions - s0.evictions, 6);

	/* CLOCK: an entry hit since the hand last passed survives the next eviction */
	router_cache_reset();
	a = A("SELECT 'a'");
	A("SELECT 'b'");
	A("SELECT 'c'");
	A("SELECT 'd'");
	assert_ptr_equal(A("SELECT 'a'"), a);	/* sets a's referenced bit */
	A("SELECT 'e'");			/* evicts b, not a */
	s0 = stats();
	assert_ptr_equal(A("SELECT 'a'"), a);
	assert_int_equal(stats().hits - s0.hits, 1);
	A("SELECT 'b'");
	assert_int_equal(stats().misses - s0.misses, 1);
	assert_int_equal(stats().entries, 4);
}

static void
test_evict_by_bytes(void **state)
{
	char		sql[1200];

	router_cache_configure(0, 6000, 0);
	for (int i = 0; i < 50; i++)
	{
		int			n = snprintf(sql, sizeof(sql), "SELECT %d, '", i);

		memset(sql + n, 'x', 900);
		strcpy(sql + n + 900, "'");
		A(sql);
		assert_true(stats().bytes <= 6000);
	}
	assert_true(stats().entries >= 2);
	assert_true(stats().entries <= 6);

	/* shrinking the byte bound evicts at once */
	router_cache_configure(0, 2500, 0);
	assert_true(stats().bytes <= 2500);
}

static void
test_long_text_not_cached(void **state)
{
	char		sql[4096];
	int			n;
	const StmtFacts *f;
	RouterCacheStats s0;

	router_cache_configure(0, 0, 100);
	n = snprintf(sql, sizeof(sql), "SELECT * FROM big WHERE a IN (");
	for (int i = 0; i < 100; i++)
		n += snprintf(sql + n, sizeof(sql) - (size_t) n, "%d,", i);
	strcpy(sql + n - 1, ")");
	s0 = stats();
	f = A(sql);
	assert_int_equal(f->kind, ROUTER_STMT_SELECT);
	assert_int_equal(f->nrels, 1);
	assert_int_equal(stats().entries, s0.entries);
	A(sql);
	assert_int_equal(stats().misses - s0.misses, 2);

	/* a retained uncached result survives the next analysis */
	f = router_facts_retain(A(sql));
	A("SELECT 1");
	A(sql);
	assert_string_equal(f->rels[0].name, "big");
	router_facts_release(f);
}

static void
test_retain_outlives_eviction(void **state)
{
	const StmtFacts *kept;

	router_cache_configure(4, 0, 0);
	kept = router_facts_retain(A("PREPARE keep AS SELECT * FROM kept_table"));
	for (int i = 0; i < 20; i++)
		A(numbered(i));
	/* evicted from the table, still readable */
	assert_string_equal(kept->name, "keep");
	assert_string_equal(kept->rels[0].name, "kept_table");
	assert_string_equal(kept->text, "PREPARE keep AS SELECT * FROM kept_table");
	/* analysing the text again makes a new entry */
	assert_ptr_not_equal(A("PREPARE keep AS SELECT * FROM kept_table"), kept);
	router_facts_release(kept);

	/* and outlives a reset */
	kept = router_facts_retain(A("SELECT 'kept'"));
	router_cache_reset();
	assert_int_equal(stats().entries, 0);
	assert_int_equal(kept->kind, ROUTER_STMT_SELECT);
	router_facts_release(kept);

	/* retain/release of a cached entry leaves it cached */
	kept = router_facts_retain(A("SELECT 'x'"));
	router_facts_release(kept);
	assert_ptr_equal(A("SELECT 'x'"), kept);
}

static void
test_errors_are_cached(void **state)
{
	const StmtFacts *f = A("SELEKT 1");
	RouterCacheStats s0 = stats();

	assert_ptr_equal(A("SELEKT 1"), f);
	assert_int_equal(stats().hits - s0.hits, 1);
	assert_int_equal(f->kind, ROUTER_STMT_UNPARSABLE);
	assert_non_null(f->error);
	/* the empty text too */
	assert_ptr_equal(router_analyze("", 0), router_analyze("", 0));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hit_returns_same_facts),
		T(test_many_entries),
		T(test_evict_by_entries),
		T(test_evict_by_bytes),
		T(test_long_text_not_cached),
		T(test_retain_outlives_eviction),
		T(test_errors_are_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
