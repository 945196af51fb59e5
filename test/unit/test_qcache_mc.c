/*
 * test_qcache_mc.c: the query cache's memcached store against a real
 * memcached started on a free loopback port (skipped when there is no
 * memcached binary or this build lacks libmemcached): store and lookup,
 * invalidation through the generations file, a new key epoch, and an
 * outage: lookups miss without error, one WARNING, a LOG when it is back.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pgpool_config.h"
#include "qcache_test_util.h"
#include "utils/log.h"

void		test_qcache_memcached(void **state);
void		test_qcache_memcached_missing_build(void **state);

#ifdef USE_MEMCACHED
static const char *
memcached_path(void)
{
	const char *p = getenv("MEMCACHED");

	if (p == NULL)
		p = "/usr/bin/memcached";
	return access(p, X_OK) == 0 ? p : NULL;
}

static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t	len = sizeof(a);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	int			port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 ||
		getsockname(fd, (struct sockaddr *) &a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool
port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	bool		ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* memcached in the foreground on 127.0.0.1:port, TCP only; ready when it accepts. */
static pid_t
memcached_start(const char *path, int port)
{
	char		portstr[16];
	pid_t		pid;

	snprintf(portstr, sizeof(portstr), "%d", port);
	pid = fork();
	if (pid == 0)
	{
		if (geteuid() == 0)
			execl(path, path, "-p", portstr, "-l", "127.0.0.1", "-U", "0", "-u", "nobody",
				  (char *) NULL);
		else
			execl(path, path, "-p", portstr, "-l", "127.0.0.1", "-U", "0", (char *) NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !port_open(port); i++)
		usleep(10000);
	return pid;
}

static void
memcached_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static bool
lookup_is(const char *sql, const char *want)
{
	QcKey		k;
	PqBuf		b;
	bool		hit, ok;

	qct_key(&k, sql);
	pqbuf_init(&b);
	hit = qc_lookup(&k, &b);
	ok = want ? hit && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0 : !hit;
	pqbuf_free(&b);
	return ok;
}

static bool
store_str(const char *sql, const QcTable *t, int n, const char *data)
{
	QcKey		k;

	qct_key(&k, sql);
	return qc_store(&k, t, n, qc_clock_now(), data, strlen(data));
}
#endif

void
test_qcache_memcached_missing_build(void **state)
{
#ifdef USE_MEMCACHED
	skip();
#else
	QctOptions	o = qct_defaults();

	o.method = MQM_MEMCACHED;
	qct_log_reset();
	assert_false(qct_setup(&o));
	assert_int_equal(qct_log_count(PL_ERROR, "lacks libmemcached"), 1);
#endif
}

#ifdef USE_MEMCACHED
static void
check_store_and_invalidate(void)
{
	QcTable		t1 = qct_table("db", 1), t2 = qct_table("db", 2);
	QcKey		k;
	QcStats		st;

	assert_true(store_str("SELECT m1", &t1, 1, "M1"));
	assert_true(store_str("SELECT m2", &t2, 1, "M2"));
	assert_true(lookup_is("SELECT m1", "M1"));
	qc_count_hit();
	qc_invalidate_tables(&t1, 1);
	assert_true(lookup_is("SELECT m1", NULL));
	assert_true(lookup_is("SELECT m2", "M2"));
	qct_key(&k, "SELECT m2");
	assert_true(qc_delete(&k));
	assert_true(lookup_is("SELECT m2", NULL));
	assert_true(store_str("SELECT m3", &t2, 1, "M3"));
	qc_clear_all();				/* new key epoch */
	assert_true(lookup_is("SELECT m3", NULL));
	assert_true(store_str("SELECT m3", &t2, 1, "M3"));
	qc_clear_at_start(false, true);	/* generations forgotten: all stamped */
	assert_true(lookup_is("SELECT m3", NULL));
	qc_stats(&st);
	assert_int_equal(st.num_cache_hits, 1);
	assert_int_equal(st.num_selects, 5);
	assert_int_equal(st.num_cache_entries, 0);
	assert_int_equal(st.free_cache_entries_size, 0);
}
#endif

/* Another pgpool of the host (its own segment, the same oiddir) writes a table. */
static void
check_other_pgpool(const QctOptions *o)
{
	QcTable		t5 = qct_table("db", 5);
	pid_t		pid;
	int			status;

	assert_true(store_str("SELECT shared", &t5, 1, "S"));
	assert_true(lookup_is("SELECT shared", "S"));
	pid = fork();
	if (pid == 0)
	{
		qct_forget_segment();
		if (!qct_setup(o))
			_exit(1);
		qc_invalidate_tables(&t5, 1);
		qct_teardown();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(lookup_is("SELECT shared", NULL));
}

void
test_qcache_memcached(void **state)
{
#ifndef USE_MEMCACHED
	skip();
#else
	const char *path = memcached_path();
	QctOptions	o = qct_defaults();
	char		dir[] = "/tmp/qc_oiddir_XXXXXX";
	char		oiddir[64], file[128];
	int			port = free_port();
	pid_t		mc;
	struct stat st;

	if (path == NULL || port < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(oiddir, sizeof(oiddir), "%s/sub/oiddir", dir);	/* made if missing */
	mc = memcached_start(path, port);
	if (!port_open(port))
	{
		memcached_stop(mc);
		skip();
	}
	o.method = MQM_MEMCACHED;
	o.port = port;
	o.oiddir = oiddir;
	assert_true(qct_setup(&o));
	snprintf(file, sizeof(file), "%s/pgpool_query_cache.gens", oiddir);
	assert_int_equal(stat(file, &st), 0);
	check_store_and_invalidate();
	check_other_pgpool(&o);

	/* outage: misses and skipped stores, one WARNING however many calls */
	assert_true(store_str("SELECT down", NULL, 0, "D"));
	memcached_stop(mc);
	qct_log_reset();
	for (int i = 0; i < 20; i++)
	{
		assert_true(lookup_is("SELECT down", NULL));
		assert_false(store_str("SELECT down2", NULL, 0, "D2"));
	}
	assert_int_equal(qct_log_count(PL_WARNING, "is not reachable"), 1);
	assert_int_equal(qct_log_count(PL_ERROR, ""), 0);

	/* back: after the pause the next call reaches it and says so */
	mc = memcached_start(path, port);
	usleep(1100 * 1000);
	assert_true(store_str("SELECT up", NULL, 0, "U"));
	assert_true(lookup_is("SELECT up", "U"));
	assert_int_equal(qct_log_count(PL_LOG, "reachable again"), 1);
	assert_int_equal(qct_log_count(PL_WARNING, "is not reachable"), 1);
	memcached_stop(mc);
	unlink(file);
	snprintf(file, sizeof(file), "rm -rf '%s'", dir);
	assert_int_equal(system(file), 0);
#endif
}
