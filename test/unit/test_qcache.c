/*
 * test_qcache.c: unit tests of the query cache's store (src/cache) over a
 * real SysV segment: the key, store and lookup, invalidation by table and
 * database, expiry, FIFO eviction by block, size limits, delete and clear,
 * the stats, a writer killed holding the lock, forked readers and writers
 * checking every byte they read, and the speed of a hit and a store.
 * The memcached tests are in test_qcache_mc.c.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache/qc_testing.h"
#include "qcache_test_util.h"
#include "utils/log.h"

void		test_qcache_memcached(void **state);
void		test_qcache_memcached_missing_build(void **state);

static uint64_t as_of_now;

static bool
store_str(const char *sql, const QcTable *tables, int n, const char *data)
{
	QcKey		k;

	qct_key(&k, sql);
	return qc_store(&k, tables, n, qc_clock_now(), data, strlen(data));
}

/* Looked up and equal to want (want NULL: a miss is expected). */
static bool
lookup_is(const char *sql, const char *want)
{
	QcKey		k;
	PqBuf		b;
	bool		hit, ok;

	qct_key(&k, sql);
	pqbuf_init(&b);
	hit = qc_lookup(&k, &b);
	if (want == NULL)
		ok = !hit;
	else
		ok = hit && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
	pqbuf_free(&b);
	return ok;
}

static int
setup_default(void **state)
{
	QctOptions	o = qct_defaults();

	(void) state;
	return qct_setup(&o) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void) state;
	qc_test_set_time_offset(0);
	qct_teardown();
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a, y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static void
test_key(void **state)
{
	QcKeyBuilder kb;
	QcKey		a, b, c;
	char		hex[33];

	(void) state;
	qct_key(&a, "SELECT 1");
	qct_key(&b, "SELECT 1");
	assert_memory_equal(&a, &b, sizeof(a));
	qct_key(&c, "SELECT 2");
	assert_memory_not_equal(&a, &c, sizeof(a));
	/* parts are length-prefixed: "ab" + "c" is not "a" + "bc" */
	qc_key_begin(&kb);
	qc_key_add(&kb, "ab", 2);
	qc_key_add(&kb, "c", 1);
	qc_key_end(&kb, &a);
	qc_key_begin(&kb);
	qc_key_add(&kb, "a", 1);
	qc_key_add(&kb, "bc", 2);
	qc_key_end(&kb, &b);
	assert_memory_not_equal(&a, &b, sizeof(a));
	qc_key_hex(&a, hex);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
	assert_int_not_equal(qc_db_hash("postgres"), qc_db_hash("postgres1"));
}

/* 100000 near-identical statements: no two halves equal, buckets even, bits flip half. */
static void
test_key_distribution(void **state)
{
	enum
	{
		N = 100000, BUCKETS = 1024
	};
	uint64_t   *halves = malloc(sizeof(uint64_t) * N * 2);
	int			counts[BUCKETS] = {0};
	long		flipped = 0;
	int			max = 0;
	char		sql[64];
	QcKey		k, prev;

	(void) state;
	for (int i = 0; i < N; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT * FROM t WHERE id = %d", i);
		qct_key(&k, sql);
		memcpy(&halves[2 * i], k.b, 8);
		memcpy(&halves[2 * i + 1], k.b + 8, 8);
		counts[halves[2 * i] & (BUCKETS - 1)]++;
		if (i > 0)
			for (int j = 0; j < 16; j++)
				flipped += __builtin_popcount(k.b[j] ^ prev.b[j]);
		prev = k;
	}
	for (int i = 0; i < BUCKETS; i++)
		max = counts[i] > max ? counts[i] : max;
	/* mean 97.7, sd ~10: 150 is 5 sd away */
	assert_true(max < 150);
	/* 128 bits, half of them flip on average */
	assert_true(flipped / (N - 1) >= 60 && flipped / (N - 1) <= 68);
	qsort(halves, N * 2, sizeof(uint64_t), cmp_u64);
	for (int i = 1; i < N * 2; i++)
		assert_true(halves[i] != halves[i - 1]);
	free(halves);
}

static void
test_store_lookup(void **state)
{
	QcTable		t = qct_table("db", 16384);
	QcKey		k;
	PqBuf		b;

	(void) state;
	assert_true(qc_enabled());
	assert_true(store_str("SELECT a FROM t", &t, 1, "answer-a"));
	assert_true(lookup_is("SELECT a FROM t", "answer-a"));
	assert_true(lookup_is("SELECT b FROM t", NULL));
	/* appended after what the buffer held */
	qct_key(&k, "SELECT a FROM t");
	pqbuf_init(&b);
	pqbuf_put_bytes(&b, "xy", 2);
	assert_true(qc_lookup(&k, &b));
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "xyanswer-a", 10);
	pqbuf_free(&b);
	/* a second store replaces */
	assert_true(store_str("SELECT a FROM t", &t, 1, "answer-a2"));
	assert_true(lookup_is("SELECT a FROM t", "answer-a2"));
	/* no tables: still cached */
	assert_true(store_str("SELECT 1", NULL, 0, "one"));
	assert_true(lookup_is("SELECT 1", "one"));
}

static void
test_invalidate(void **state)
{
	QcTable		ab[2] = {qct_table("db", 100), qct_table("db", 200)};
	QcTable		c = qct_table("db", 300);
	QcTable		other = qct_table("otherdb", 300);

	(void) state;
	assert_true(store_str("SELECT ab", ab, 2, "AB"));
	assert_true(store_str("SELECT c", &c, 1, "C"));
	assert_true(store_str("SELECT other", &other, 1, "O"));
	qc_invalidate_tables(&ab[1], 1);
	assert_true(lookup_is("SELECT ab", NULL));
	assert_true(lookup_is("SELECT c", "C"));
	assert_true(lookup_is("SELECT other", "O"));
	qc_invalidate_database(qc_db_hash("db"));
	assert_true(lookup_is("SELECT c", NULL));
	assert_true(lookup_is("SELECT other", "O"));
	/* stored again after the stamps: valid */
	assert_true(store_str("SELECT c", &c, 1, "C2"));
	assert_true(lookup_is("SELECT c", "C2"));
}

static void
test_store_refused_when_stamped(void **state)
{
	QcTable		t1 = qct_table("db", 1), t2 = qct_table("db", 2);
	QcKey		k;

	(void) state;
	as_of_now = qc_clock_now();
	qc_invalidate_tables(&t1, 1);
	qct_key(&k, "SELECT t1");
	assert_false(qc_store(&k, &t1, 1, as_of_now, "x", 1));
	assert_true(lookup_is("SELECT t1", NULL));
	qct_key(&k, "SELECT t2");
	assert_true(qc_store(&k, &t2, 1, as_of_now, "y", 1));
	assert_true(lookup_is("SELECT t2", "y"));
	/* the clock moved on: as_of read now passes */
	qct_key(&k, "SELECT t1");
	assert_true(qc_store(&k, &t1, 1, qc_clock_now(), "x", 1));
}

static void
test_expire(void **state)
{
	QctOptions	o = qct_defaults();
	QcTable		t = qct_table("db", 5);

	(void) state;
	o.expire = 10;
	assert_true(qct_setup(&o));
	assert_true(store_str("SELECT e", &t, 1, "E"));
	qc_test_set_time_offset(10);
	assert_true(lookup_is("SELECT e", "E"));
	qc_test_set_time_offset(11);
	assert_true(lookup_is("SELECT e", NULL));
	qc_test_set_time_offset(0);
	/* the expired entry was dropped, not only hidden */
	assert_true(lookup_is("SELECT e", NULL));
}

/* 4 blocks of 4 KB, entries of ~1 KB: the newest survive, the oldest go. */
static void
test_eviction(void **state)
{
	QctOptions	o = qct_defaults();
	QcTable		t = qct_table("db", 7);
	char		sql[32], data[1001];
	QcStats		st;

	(void) state;
	o.total_size = 4 * 4096;
	o.block_size = 4096;
	o.maxcache = 4000;
	assert_true(qct_setup(&o));
	for (int i = 0; i < 40; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		memset(data, 'a' + i % 26, 1000);
		data[1000] = '\0';
		assert_true(store_str(sql, &t, 1, data));
	}
	for (int i = 0; i < 40; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		memset(data, 'a' + i % 26, 1000);
		data[1000] = '\0';
		/* 3 entries of 1064 bytes a block: 30..39 fill the 4 blocks now */
		assert_true(lookup_is(sql, i >= 30 ? data : NULL));
	}
	qc_stats(&st);
	assert_int_equal(st.num_cache_entries, 10);
	assert_int_equal(st.used_cache_entries_size + st.free_cache_entries_size +
					 st.fragment_cache_entries_size, 4 * 4096);
}

/* Every index node taken: the oldest block goes to free some. */
static void
test_eviction_by_nodes(void **state)
{
	QctOptions	o = qct_defaults();
	char		sql[32];

	(void) state;
	o.max_num_cache = 10;
	assert_true(qct_setup(&o));
	for (int i = 0; i < 50; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_true(store_str(sql, NULL, 0, sql));
	}
	assert_true(lookup_is("SELECT 49", "SELECT 49"));
}

static void
test_size_limits(void **state)
{
	QctOptions	o = qct_defaults();
	char	   *big = malloc(9000);
	QcKey		k;
	QcTable		many[QC_MAX_TABLES + 1];

	(void) state;
	o.block_size = 4096;
	o.total_size = 8 * 4096;
	o.maxcache = 2000;
	assert_true(qct_setup(&o));
	memset(big, 'z', 9000);
	qct_key(&k, "SELECT big");
	assert_false(qc_store(&k, NULL, 0, qc_clock_now(), big, 2001));
	assert_true(qc_store(&k, NULL, 0, qc_clock_now(), big, 2000));
	for (int i = 0; i <= QC_MAX_TABLES; i++)
		many[i] = qct_table("db", 1000 + i);
	assert_false(qc_store(&k, many, QC_MAX_TABLES + 1, qc_clock_now(), "x", 1));
	assert_true(qc_store(&k, many, QC_MAX_TABLES, qc_clock_now(), "x", 1));
	/* maxcache over the block: the block decides */
	o.maxcache = 8192;
	assert_true(qct_setup(&o));
	assert_false(qc_store(&k, NULL, 0, qc_clock_now(), big, 5000));
	assert_true(qc_store(&k, NULL, 0, qc_clock_now(), big, 4000));
	free(big);
}

static void
test_delete_and_clear(void **state)
{
	QcKey		k;
	QcStats		st;
	char		sql[32];

	(void) state;
	for (int i = 0; i < 10; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_true(store_str(sql, NULL, 0, sql));
	}
	qct_key(&k, "SELECT 3");
	assert_true(qc_delete(&k));
	assert_false(qc_delete(&k));
	assert_true(lookup_is("SELECT 3", NULL));
	assert_true(lookup_is("SELECT 4", "SELECT 4"));
	qc_stats(&st);
	assert_int_equal(st.num_cache_entries, 9);
	assert_true(st.fragment_cache_entries_size > 0);
	qc_clear_all();
	for (int i = 0; i < 10; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_true(lookup_is(sql, NULL));
	}
	qc_stats(&st);
	assert_int_equal(st.num_cache_entries, 0);
	assert_int_equal(st.used_hash_entries, 0);
	assert_int_equal(st.used_cache_entries_size, 0);
	assert_int_equal(st.fragment_cache_entries_size, 0);
	assert_true(store_str("SELECT 3", NULL, 0, "again"));
	assert_true(lookup_is("SELECT 3", "again"));
}

static void
test_stats(void **state)
{
	QcStats		st;

	(void) state;
	assert_true(store_str("SELECT s", NULL, 0, "S"));
	assert_true(lookup_is("SELECT s", "S"));
	qc_count_hit();
	assert_true(lookup_is("SELECT s", "S"));
	qc_count_hit();
	assert_true(lookup_is("SELECT none", NULL));
	qc_stats(&st);
	assert_int_equal(st.num_cache_hits, 2);
	assert_int_equal(st.num_selects, 1);
	assert_int_equal(st.num_hash_entries, 1024);	/* next power of two over 1000 */
	assert_int_equal(st.used_hash_entries, 1);
	assert_int_equal(st.num_cache_entries, 1);
	assert_true(st.used_cache_entries_size > 0 && st.used_cache_entries_size < 128);
	assert_int_equal(st.used_cache_entries_size + st.free_cache_entries_size, 1024 * 1024);
}

/* A child takes the writer lock mid-change and is SIGKILLed: nothing wedges. */
static void
test_killed_writer(void **state)
{
	int			pfd[2];
	pid_t		pid;
	char		c;
	struct timespec t0, t1;
	bool		hit;

	(void) state;
	assert_true(store_str("SELECT k", NULL, 0, "K"));
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0)
	{
		qc_test_hold_writer_lock();
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	assert_int_equal(read(pfd[0], &c, 1), 1);
	/* readers never wait: the window is open, so a quick miss */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hit = lookup_is("SELECT k", "K");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_false(hit);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
	qct_log_reset();
	assert_true(store_str("SELECT after", NULL, 0, "A"));
	assert_int_equal(qct_log_count(PL_WARNING, "died while changing the query cache"), 1);
	assert_true(lookup_is("SELECT after", "A"));
	assert_true(lookup_is("SELECT k", NULL));	/* emptied: it may have been half-written */
}

/* The value of key i: "<i>:" repeated to a length that depends on i. */
static size_t
value_of(int i, char *buf)
{
	size_t		len = 40 + (size_t) (i * 37) % 1400, n = 0;
	char		unit[16];
	int			ul = snprintf(unit, sizeof(unit), "%d:", i);

	for (; n < len; n++)
		buf[n] = unit[n % (size_t) ul];
	return len;
}

static int
hammer(int id, double seconds)
{
	char		want[1500], sql[32];
	QcKey		k;
	PqBuf		b;
	struct timespec t0, t;
	unsigned	seed = (unsigned) id * 7919u + 1;
	long		hits = 0;

	pqbuf_init(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
	{
		for (int n = 0; n < 200; n++)
		{
			int			i = (int) (rand_r(&seed) % 300);
			QcTable		tb = qct_table("db", (uint32_t) (i % 17));
			size_t		len = value_of(i, want);
			uint64_t	as_of = qc_clock_now();

			snprintf(sql, sizeof(sql), "SELECT %d", i);
			qct_key(&k, sql);
			pqbuf_reset(&b);
			if (qc_lookup(&k, &b))
			{
				if (b.len != len || memcmp(b.data, want, len) != 0)
					return 1;
				hits++;
			}
			else
				qc_store(&k, &tb, 1, as_of, want, len);
			if (rand_r(&seed) % 50 == 0)
				qc_invalidate_tables(&tb, 1);
			if (rand_r(&seed) % 500 == 0)
				qc_delete(&k);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	pqbuf_free(&b);
	return hits > 0 ? 0 : 2;
}

static void
test_concurrent(void **state)
{
	QctOptions	o = qct_defaults();
	pid_t		pids[3];
	int			status;

	(void) state;
	o.total_size = 8 * 16384;	/* small: evictions all the time */
	o.block_size = 16384;
	o.max_num_cache = 200;
	assert_true(qct_setup(&o));
	for (int p = 0; p < 3; p++)
	{
		pids[p] = fork();
		if (pids[p] == 0)
			_exit(hammer(p, 1.0));
	}
	for (int p = 0; p < 3; p++)
	{
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

static double
elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

/* CPU time, not wall time: the build machine is shared and often loaded. */
static void
cpu_now(struct timespec *t)
{
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, t);
}

static long
lookup_all(const QcKey *keys, int n, int rounds, PqBuf *b)
{
	long		hits = 0;

	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
		{
			b->len = 0;
			hits += qc_lookup(&keys[i], b);
		}
	return hits;
}

/* Not an assertion: the numbers for the report (one key hot; 100000 keys). */
static void
test_speed(void **state)
{
	enum
	{
		N = 100000
	};
	QctOptions	o = qct_defaults();
	QcKey	   *keys = malloc(sizeof(QcKey) * N);
	QcTable		t = qct_table("db", 42);
	char		data[200], sql[32];
	struct timespec t0, t1;
	PqBuf		b;

	(void) state;
	o.total_size = 64 * 1024 * 1024;
	o.block_size = 1024 * 1024;
	o.max_num_cache = N * 2;
	assert_true(qct_setup(&o));
	memset(data, 'd', sizeof(data));
	for (int i = 0; i < N; i++)
	{
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		qct_key(&keys[i], sql);
	}
	cpu_now(&t0);
	for (int i = 0; i < N; i++)
		qc_store(&keys[i], &t, 1, qc_clock_now(), data, sizeof(data));
	cpu_now(&t1);
	printf("# qc_store of a 200-byte entry: %.0f ns\n", elapsed_ns(&t0, &t1) / N);
	pqbuf_init(&b);
	cpu_now(&t0);
	assert_int_equal(lookup_all(keys, 1, N * 10, &b), N * 10);
	cpu_now(&t1);
	printf("# qc_lookup hit of a 200-byte entry, one hot key: %.0f ns\n",
		   elapsed_ns(&t0, &t1) / (10.0 * N));
	cpu_now(&t0);
	assert_int_equal(lookup_all(keys, N, 10, &b), N * 10);
	cpu_now(&t1);
	printf("# qc_lookup hit of a 200-byte entry, %d keys: %.0f ns\n", N,
		   elapsed_ns(&t0, &t1) / (10.0 * N));
	pqbuf_free(&b);
	free(keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_key_distribution),
		cmocka_unit_test_setup_teardown(test_store_lookup, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_store_refused_when_stamped, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_expire, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_eviction_by_nodes, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_size_limits, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_clear, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_killed_writer, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_speed, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_qcache_memcached_missing_build, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_qcache_memcached, NULL, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
