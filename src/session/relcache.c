/*
 * relcache.c: facts about relations that routing needs from the catalog
 * (is this table unlogged?  a sequence?), asked of the primary over the session's own
 * connection between requests, and cached per process so a busy pool asks
 * once per relation name, not once per query; with enable_shared_relcache
 * and the query cache store the children share the answers
 * (shared_relcache.c).  relcache_size entries, allocated at child start;
 * relcache_expire bounds an answer's age.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "cache/qcache.h"
#include "config/config.h"
#include "utils/log.h"
#include "utils/mem_reserve.h"
#include "session/caches.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELCACHE_KEY 320			/* database, user, schema and name: each <= 63 bytes */

typedef struct RelCacheEntry
{
	char		key[RELCACHE_KEY];	/* "db\x1fuser\x1fschema.name"; "" empty */
	bool		unlogged;
	bool		sequence;		/* relkind 'S' */
	time_t		stored;
	uint64_t	as_of;			/* query cache clock before the answer was asked */
} RelCacheEntry;

/* relcache_size entries, allocated (and made resident) at child start */
static RelCacheEntry *cache;
static int	cache_size;
static int	cache_next;

void
relcache_prepare(int size)
{
	if (cache != NULL)
		return;
	cache_size = size > 0 ? size : 256;
	cache = mem_alloc0(sizeof(RelCacheEntry) * (size_t) cache_size);
	mem_touch(cache, sizeof(RelCacheEntry) * (size_t) cache_size);
}

/* The entry of key, expired or not. */
static RelCacheEntry *
cache_slot(const char *key)
{
	for (int i = 0; i < cache_size; i++)
		if (cache[i].key[0] && strcmp(cache[i].key, key) == 0)
			return &cache[i];
	return NULL;
}

static RelCacheEntry *
cache_find(const char *key)
{
	int			expire = pool_config->relcache_expire;
	RelCacheEntry *e = cache_slot(key);

	if (e && expire > 0 && time(NULL) - e->stored >= expire)
		return NULL;
	return e;
}

static void
cache_store(const char *key, bool unlogged, bool sequence, uint64_t as_of)
{
	RelCacheEntry *e;

	if (cache == NULL)
		relcache_prepare(pool_config->relcache_size);	/* a process without child start */
	if ((e = cache_slot(key)) == NULL)
	{
		e = &cache[cache_next];
		cache_next = (cache_next + 1) % cache_size;
		if (e->key[0])
			plog(PL_LOG, "pool_search_relcache: cache replacement happened");
		str_copy(e->key, key, sizeof(e->key));
	}
	e->unlogged = unlogged;
	e->sequence = sequence;
	e->stored = time(NULL);
	e->as_of = as_of;
}

static void
put_text(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* The answer of another child (enable_shared_relcache), kept here too. */
static bool
shared_lookup(Session *s, const char *key, uint64_t as_of, RelCacheEntry *out)
{
	char		value[8];

	if (!shared_relcache_get(s->startup.database ? s->startup.database : "",
							 s->startup.user ? s->startup.user : "", key, value, sizeof(value)) ||
		strlen(value) != 2)
		return false;
	out->unlogged = value[0] == 'u';
	out->sequence = value[1] == 'S';
	cache_store(key, out->unlogged, out->sequence, as_of);
	return true;
}

/*
 * Look schema.name up (cached in this process, then in the shared
 * relcache): its persistence and kind.  False when the primary is busy or
 * could not answer.  A name means what the search path of the session's
 * database and user makes of it: both are part of the key.
 */
static bool
relation_lookup(Session *s, const char *schema, const char *name, RelCacheEntry *out)
{
	MultiState *m = s->multi;
	char		key[RELCACHE_KEY];
	RelCacheEntry *e;
	PqBuf		sql;
	CatalogRows rows;
	uint64_t	as_of = qc_clock_now();

	snprintf(key, sizeof(key), "%s\x1f%s\x1f%s%s%s", s->startup.database ? s->startup.database : "",
			 s->startup.user ? s->startup.user : "", schema ? schema : "", schema ? "." : "", name);
	/* DDL through any pgpool process (it stamps the database) outdates the answer */
	if ((e = cache_find(key)) != NULL &&
		e->as_of >= qc_database_stamp(qc_db_hash(s->startup.database ? s->startup.database : "")))
	{
		*out = *e;
		return true;
	}
	if (shared_lookup(s, key, as_of, out))
		return true;
	/* the primary's connection must be idle to be asked */
	if (!multi_node_idle(s, m->primary) || m->batch != NULL)
		return false;
	pqbuf_init(&sql);
	put_text(&sql, "SELECT c.relpersistence, c.relkind FROM pg_catalog.pg_class c WHERE c.oid = "
			 "pg_catalog.to_regclass(");
	if (schema)
	{
		put_text(&sql, "pg_catalog.quote_ident(");
		catalog_put_literal(&sql, schema);
		put_text(&sql, ") || '.' || ");
	}
	put_text(&sql, "pg_catalog.quote_ident(");
	catalog_put_literal(&sql, name);
	put_text(&sql, "))");
	pqbuf_put_byte(&sql, '\0');
	if (!catalog_query(s, m->primary, sql.data, 2, &rows))
	{
		pqbuf_free(&sql);
		catalog_rows_free(&rows);
		return false;
	}
	pqbuf_free(&sql);
	out->unlogged = rows.nrows > 0 && rows.cells[0] && rows.cells[0][0] == 'u';
	out->sequence = rows.nrows > 0 && rows.cells[1] && rows.cells[1][0] == 'S';
	catalog_rows_free(&rows);
	cache_store(key, out->unlogged, out->sequence, as_of);
	shared_relcache_put(s->startup.database ? s->startup.database : "",
						s->startup.user ? s->startup.user : "", key,
						out->unlogged ? (out->sequence ? "uS" : "u-") : (out->sequence ? "-S" : "--"),
						as_of);
	return true;
}

bool
multi_relation_unlogged(Session *s, const char *schema, const char *name)
{
	RelCacheEntry e;

	/* busy primary: true, the primary is always a safe place for the statement */
	return !relation_lookup(s, schema, name, &e) || e.unlogged;
}

bool
multi_relation_is_sequence(Session *s, const char *schema, const char *name)
{
	RelCacheEntry e;

	return !relation_lookup(s, schema, name, &e) || e.sequence;
}
