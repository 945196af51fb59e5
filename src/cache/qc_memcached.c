/*
 * qc_memcached.c: the memcached store (memqcache_method = memcached),
 * used by children; built only with libmemcached (USE_MEMCACHED).
 *
 * Each process makes its own client at its first call (a client inherited
 * through fork shares the parent's socket and is left alone).  Keys are
 * "pgpool_qc_<epoch>_<32 hex digits>", the epoch coming from the
 * generations file, so bumping it (pgpool -c, pcp_invalidate_query_cache)
 * makes every older entry unreachable; values are the same serialized
 * entry as the shmem store's, checked the same way, and expire after
 * memqcache_expire seconds in memcached too.
 *
 * memcached being down or slow never fails a query: lookups miss and
 * stores are skipped.  The first failure of an outage logs one WARNING in
 * this process; after it memcached is not asked again for a second, then
 * one call tries it, and the first success logs a LOG line.
 */
#include "pgpool_config.h"

#ifdef USE_MEMCACHED

#include "qc_int.h"
#include "utils/log.h"

#include <libmemcached/memcached.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QC_MC_TIMEOUT_MS 200
#define QC_MC_RETRY_SECONDS 1
/* memcached reads an expiry over 30 days as an absolute Unix time */
#define QC_MC_RELATIVE_MAX (30 * 24 * 3600)

static memcached_st *mc;
static pid_t mc_pid;
static bool mc_down;
static time_t mc_retry_at;

static memcached_st *
mc_client(void)
{
	if (mc && mc_pid == getpid())
		return mc;
	mc = memcached_create(NULL);
	if (!mc)
		return NULL;
	mc_pid = getpid();
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, QC_MC_TIMEOUT_MS);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, QC_MC_TIMEOUT_MS);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, QC_MC_TIMEOUT_MS * 1000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, QC_MC_TIMEOUT_MS * 1000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, QC_MC_RETRY_SECONDS);
	memcached_server_add(mc, qc_settings.memcached_host, (in_port_t) qc_settings.memcached_port);
	return mc;
}

/* May memcached be asked now?  Not while an outage's pause lasts. */
static memcached_st *
mc_usable(void)
{
	if (mc_down && time(NULL) < mc_retry_at)
		return NULL;
	return mc_client();
}

/* Note the outcome of one call: warn once when an outage begins, log its end. */
static void
mc_note(memcached_return_t rc)
{
	if (memcached_fatal(rc))
	{
		if (!mc_down)
			plog_ex(PL_WARNING, log_fmt("%s", memcached_strerror(mc, rc)),
					"Queries are answered by the backends until it is back.",
					"memcached server %s:%d is not reachable, query cache is not used",
					qc_settings.memcached_host, qc_settings.memcached_port);
		mc_down = true;
		mc_retry_at = time(NULL) + QC_MC_RETRY_SECONDS;
		return;
	}
	if (mc_down)
		plog(PL_LOG, "memcached server %s:%d is reachable again", qc_settings.memcached_host,
			 qc_settings.memcached_port);
	mc_down = false;
}

static int
mc_key(const QcKey *key, char *buf, size_t size)
{
	char		hex[33];

	qc_key_hex(key, hex);
	return snprintf(buf, size, "pgpool_qc_%llu_%s", (unsigned long long) qc_gens_epoch(), hex);
}

/* A fetched value: sane, for this key, usable; its data appended to out. */
static bool
mc_accept(const QcKey *key, const char *value, size_t vlen, PqBuf *out)
{
	QcEntryHdr	h;
	QcTable		tables[QC_MAX_TABLES];

	if (vlen < sizeof(h))
		return false;
	memcpy(&h, value, sizeof(h));
	if (!qc_entry_sane(&h, key, vlen))
		return false;
	memcpy(tables, value + sizeof(h), h.ntables * sizeof(QcTable));
	if (!qc_entry_usable(&h, tables))
		return false;
	pqbuf_put_bytes(out, value + qc_entry_data_offset(h.ntables), h.len);
	return true;
}

bool
qc_mc_lookup(const QcKey *key, PqBuf *out)
{
	memcached_st *m = mc_usable();
	char		k[80];
	int			klen;
	size_t		vlen = 0;
	uint32_t	flags = 0;
	memcached_return_t rc;
	char	   *value;
	bool		ok;

	if (!m)
		return false;
	klen = mc_key(key, k, sizeof(k));
	value = memcached_get(m, k, (size_t) klen, &vlen, &flags, &rc);
	mc_note(rc);
	if (!value)
		return false;
	ok = mc_accept(key, value, vlen, out);
	free(value);
	if (!ok)
		mc_note(memcached_delete(m, k, (size_t) klen, 0));
	return ok;
}

bool
qc_mc_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
			const char *data, size_t len)
{
	memcached_st *m = mc_usable();
	size_t		size = qc_entry_size(ntables, len);
	char		k[80];
	int			klen;
	char	   *value;
	time_t		expire = qc_settings.expire;
	memcached_return_t rc;

	if (!m)
		return false;
	value = calloc(1, size);
	if (!value)
		return false;
	qc_entry_write(value, key, tables, ntables, as_of, data, len);
	klen = mc_key(key, k, sizeof(k));
	if (expire > QC_MC_RELATIVE_MAX)
		expire += time(NULL);
	rc = memcached_set(m, k, (size_t) klen, value, size, expire, 0);
	free(value);
	mc_note(rc);
	return rc == MEMCACHED_SUCCESS;
}

bool
qc_mc_delete(const QcKey *key)
{
	memcached_st *m = mc_usable();
	char		k[80];
	int			klen;
	memcached_return_t rc;

	if (!m)
		return false;
	klen = mc_key(key, k, sizeof(k));
	rc = memcached_delete(m, k, (size_t) klen, 0);
	mc_note(rc);
	return rc == MEMCACHED_SUCCESS;
}

#endif							/* USE_MEMCACHED */
