/*
 * qc_api.c: the query cache's interface (cache/qcache.h): start-up in the
 * parent, then the calls of children, the WAL worker and PCP, dispatched
 * to the store memqcache_method chose.  Checks common to both stores
 * (sizes, table count, generations at store time, expiry at lookup) are
 * made here or in qc_entry.c, so the stores only hold bytes.
 */
#include "pgpool_config.h"

#include "cache/qcache.h"
#include "cache/qc_testing.h"
#include "config/config.h"
#include "qc_int.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <stdio.h>
#include <string.h>

QcSettings	qc_settings;
QcCounters *qc_counters;
static bool qc_on;
static long time_offset;

time_t
qc_now(void)
{
	return time(NULL) + time_offset;
}

void
qc_test_set_time_offset(long seconds)
{
	time_offset = seconds;
}

static void
settings_copy(const PoolConfig *cfg, QcSettings *s)
{
	memset(s, 0, sizeof(*s));
	s->enabled = cfg->memory_cache_enabled;
	s->method = cfg->memqcache_method;
	snprintf(s->memcached_host, sizeof(s->memcached_host), "%s",
			 cfg->memqcache_memcached_host ? cfg->memqcache_memcached_host : "localhost");
	s->memcached_port = cfg->memqcache_memcached_port;
	s->total_size = cfg->memqcache_total_size;
	s->max_num_cache = cfg->memqcache_max_num_cache;
	s->expire = cfg->memqcache_expire;
	s->maxcache = cfg->memqcache_maxcache;
	s->block_size = cfg->memqcache_cache_block_size;
	snprintf(s->oiddir, sizeof(s->oiddir), "%s",
			 cfg->memqcache_oiddir ? cfg->memqcache_oiddir : "/var/log/pgpool/oiddir");
}

size_t
qc_shmem_size(const PoolConfig *cfg)
{
	QcSettings	s;
	size_t		size;

	if (!cfg->memory_cache_enabled)
		return 0;
	settings_copy(cfg, &s);
	size = shmem_align(sizeof(QcCounters));
	if (s.method == MQM_SHMEM)
		size += qc_gens_shmem_size() + qc_sh_size(&s);
	return size;
}

bool
qc_shmem_init(const PoolConfig *cfg)
{
	qc_on = false;
	settings_copy(cfg, &qc_settings);
	if (!qc_settings.enabled)
		return true;
#ifndef USE_MEMCACHED
	if (qc_settings.method == MQM_MEMCACHED)
	{
		plog_ex(PL_ERROR, NULL, "Set memqcache_method to 'shmem' or build pgpool with libmemcached.",
				"memqcache_method = 'memcached' is not supported by this build of pgpool: it lacks libmemcached");
		return false;
	}
#endif
	if (qc_settings.maxcache > qc_settings.block_size && qc_settings.method == MQM_SHMEM)
		plog(PL_WARNING, "memqcache_maxcache (%d) is larger than memqcache_cache_block_size (%d): larger results are not cached",
			 qc_settings.maxcache, qc_settings.block_size);
	qc_counters = shmem_alloc(sizeof(QcCounters));
	memset(qc_counters, 0, sizeof(*qc_counters));
	if (qc_settings.method == MQM_SHMEM)
	{
		qc_gens_init_shmem();
		qc_sh_init(&qc_settings);
	}
	else if (!qc_gens_open_file(qc_settings.oiddir))
		return false;
	qc_on = true;
	return true;
}

void
qc_clear_at_start(bool clear_cache, bool clear_oidmaps)
{
	if (!qc_on || qc_settings.method != MQM_MEMCACHED)
		return;					/* the shmem store is new and empty anyway */
	if (clear_oidmaps)
	{
		plog(PL_LOG, "query cache: table generations under \"%s\" cleared", qc_settings.oiddir);
		qc_gens_reset();		/* also a new key epoch: old entries unreachable */
	}
	else if (clear_cache)
	{
		plog(PL_LOG, "query cache: memcached entries of earlier runs made unreachable");
		qc_gens_bump_epoch();
	}
}

bool
qc_enabled(void)
{
	return qc_on;
}

uint64_t
qc_clock_now(void)
{
	return qc_on ? qc_gens_clock() : 0;
}

bool
qc_lookup(const QcKey *key, PqBuf *out)
{
	if (!qc_on)
		return false;
	__atomic_add_fetch(&qc_counters->lookups, 1, __ATOMIC_RELAXED);
#ifdef USE_MEMCACHED
	if (qc_settings.method == MQM_MEMCACHED)
		return qc_mc_lookup(key, out);
#endif
	return qc_sh_lookup(key, out);
}

bool
qc_lookup_quiet(const QcKey *key, PqBuf *out)
{
	if (!qc_on)
		return false;
#ifdef USE_MEMCACHED
	if (qc_settings.method == MQM_MEMCACHED)
		return qc_mc_lookup(key, out);
#endif
	return qc_sh_lookup(key, out);
}

bool
qc_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
		 const char *data, size_t len)
{
	if (!qc_on || ntables < 0 || ntables > QC_MAX_TABLES)
		return false;
	if (len > (size_t) qc_settings.maxcache)
	{
		plog(PL_DEBUG1, "query cache: data size %zu exceeds memqcache_maxcache (%d), not cached",
			 len, qc_settings.maxcache);
		return false;
	}
	/* a table written since the query was sent: the answer may be old already */
	if (!qc_gens_valid(tables, ntables, as_of))
		return false;
#ifdef USE_MEMCACHED
	if (qc_settings.method == MQM_MEMCACHED)
		return qc_mc_store(key, tables, ntables, as_of, data, len);
#endif
	return qc_sh_store(key, tables, ntables, as_of, data, len);
}

void
qc_invalidate_tables(const QcTable *tables, int ntables)
{
	if (qc_on)
		qc_gens_stamp_tables(tables, ntables);
}

void
qc_invalidate_database(uint32_t db_hash)
{
	if (qc_on)
		qc_gens_stamp_database(db_hash);
}

uint64_t
qc_database_stamp(uint32_t db_hash)
{
	return qc_on ? qc_gens_database_stamp(db_hash) : 0;
}

bool
qc_delete(const QcKey *key)
{
	if (!qc_on)
		return false;
#ifdef USE_MEMCACHED
	if (qc_settings.method == MQM_MEMCACHED)
		return qc_mc_delete(key);
#endif
	return qc_sh_delete(key);
}

void
qc_clear_all(void)
{
	if (!qc_on)
		return;
	if (qc_settings.method == MQM_MEMCACHED)
		qc_gens_bump_epoch();	/* every host pgpool's keys change at once */
	else
		qc_sh_clear();
}
