/*
 * qcache_test_util.c: fixtures of the query cache's unit tests.
 */
#include "qcache_test_util.h"

#include <stdio.h>
#include <string.h>

#include "utils/log.h"
#include "utils/shmem.h"

#define QCT_LOG_MAX 64

static struct
{
	int			level;
	char		message[256];
} log_lines[QCT_LOG_MAX];
static int	nlog;
static bool have_segment;

static void
log_capture(int level, const char *message, const char *detail, const char *hint)
{
	if (nlog < QCT_LOG_MAX)
	{
		log_lines[nlog].level = level;
		snprintf(log_lines[nlog].message, sizeof(log_lines[nlog].message), "%s", message);
		nlog++;
	}
}

QctOptions
qct_defaults(void)
{
	QctOptions	o = {
		.method = MQM_SHMEM,
		.total_size = 1024 * 1024,
		.block_size = 64 * 1024,
		.max_num_cache = 1000,
		.maxcache = 32 * 1024,
		.expire = 0,
		.host = "127.0.0.1",
		.port = 11211,
		.oiddir = "/tmp/pgpool_qc_test_oiddir",
	};

	return o;
}

bool
qct_setup(const QctOptions *o)
{
	PoolConfig	cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.memory_cache_enabled = true;
	cfg.memqcache_method = o->method;
	cfg.memqcache_total_size = o->total_size;
	cfg.memqcache_cache_block_size = o->block_size;
	cfg.memqcache_max_num_cache = o->max_num_cache;
	cfg.memqcache_maxcache = o->maxcache;
	cfg.memqcache_expire = o->expire;
	cfg.memqcache_memcached_host = (char *) o->host;
	cfg.memqcache_memcached_port = o->port;
	cfg.memqcache_oiddir = (char *) o->oiddir;
	log_set_hook(log_capture);
	qct_teardown();
	if (!shmem_create(qc_shmem_size(&cfg) + 4096))
		return false;
	have_segment = true;
	return qc_shmem_init(&cfg);
}

void
qct_teardown(void)
{
	if (have_segment)
		shmem_destroy();
	have_segment = false;
}

void
qct_forget_segment(void)
{
	have_segment = false;
}

void
qct_key(QcKey *k, const char *sql)
{
	QcKeyBuilder kb;

	qc_key_begin(&kb);
	qc_key_add(&kb, "db", 2);
	qc_key_add(&kb, "user", 4);
	qc_key_add(&kb, sql, strlen(sql));
	qc_key_end(&kb, k);
}

QcTable
qct_table(const char *db, uint32_t oid)
{
	QcTable		t = {.db_hash = qc_db_hash(db), .oid = oid};

	return t;
}

void
qct_log_reset(void)
{
	nlog = 0;
}

int
qct_log_count(int level, const char *text)
{
	int			n = 0;

	for (int i = 0; i < nlog; i++)
		if (log_lines[i].level == level && strstr(log_lines[i].message, text))
			n++;
	return n;
}
