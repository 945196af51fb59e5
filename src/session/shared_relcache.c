/*
 * shared_relcache.c: enable_shared_relcache — catalog answers about
 * relations shared between every child through the query cache's store
 * (include/cache/qcache.h), as pgpool-II 4.3 does: what one child asked of
 * the primary, the others read instead of asking again.
 *
 * Entries live in a reserved key namespace (the key's first part is a tag
 * no client SELECT's key starts with) and are never counted as SELECTs in
 * SHOW pool_cache.  Each depends on the database's generation slot, so DDL
 * through any pgpool (which stamps the database) drops them all, and
 * relcache_expire bounds their age (the value carries its time of store).
 * Without the query cache store (memory_cache_enabled = off) each child
 * keeps its own relcache only.  Runs in children.
 */
#include "session/caches.h"

#include "cache/qcache.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHARED_RELCACHE_TAG "pgpool shared relcache v1"

bool
shared_relcache_enabled(void)
{
	return pool_config->enable_shared_relcache && qc_enabled();
}

static void
make_key(QcKey *out, const char *database, const char *user, const char *name)
{
	QcKeyBuilder kb;

	qc_key_begin(&kb);
	qc_key_add(&kb, SHARED_RELCACHE_TAG, strlen(SHARED_RELCACHE_TAG));
	qc_key_add(&kb, database, strlen(database));
	qc_key_add(&kb, user, strlen(user));
	qc_key_add(&kb, name, strlen(name));
	qc_key_end(&kb, out);
}

bool
shared_relcache_get(const char *database, const char *user, const char *name, char *value,
					size_t cap)
{
	QcKey		key;
	PqBuf		buf;
	long long	stored = 0;
	int			at = 0;
	bool		ok = false;
	int64_t		expire = pool_config->relcache_expire;

	if (!shared_relcache_enabled())
		return false;
	make_key(&key, database, user, name);
	pqbuf_init(&buf);
	if (qc_lookup_quiet(&key, &buf))
	{
		pqbuf_put_byte(&buf, '\0');
		/* "<seconds since the epoch> <value>" */
		if (sscanf(buf.data, "%lld %n", &stored, &at) == 1 && at > 0 &&
			(expire <= 0 || (long long) time(NULL) - stored < expire))
		{
			str_copy(value, buf.data + at, cap);
			ok = true;
		}
	}
	pqbuf_free(&buf);
	return ok;
}

void
shared_relcache_put(const char *database, const char *user, const char *name, const char *value,
					uint64_t as_of)
{
	QcKey		key;
	QcTable		db;
	char		data[512];
	int			len;

	if (!shared_relcache_enabled())
		return;
	make_key(&key, database, user, name);
	db.db_hash = qc_db_hash(database);
	db.oid = 0;					/* the database's own slot: any DDL there */
	len = snprintf(data, sizeof(data), "%lld %s", (long long) time(NULL), value);
	if (len > 0 && (size_t) len < sizeof(data))
		qc_store(&key, &db, 1, as_of, data, (size_t) len);
}
