/*
 * relcache.c: facts about relations that routing needs from the catalog
 * (is this table unlogged?  a sequence?), asked of the primary over the session's own
 * connection between requests, and cached per process so a busy pool asks
 * once per relation name, not once per query.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "config/config.h"
#include "utils/log.h"
#include "utils/mem_reserve.h"
#include "session/caches.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELCACHE_KEY 256			/* "schema.name" fits: names are <= 63 bytes */

typedef struct RelCacheEntry
{
	char		key[RELCACHE_KEY];	/* "schema.name" or "name"; "" empty */
	bool		unlogged;
	bool		sequence;		/* relkind 'S' */
	time_t		stored;
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
cache_store(const char *key, bool unlogged, bool sequence)
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
}

static void
put_text(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/*
 * Look schema.name up (cached): its persistence and kind.  False when the
 * primary is busy or could not answer.
 */
static bool
relation_lookup(Session *s, const char *schema, const char *name, RelCacheEntry *out)
{
	MultiState *m = s->multi;
	char		key[256];
	RelCacheEntry *e;
	PqBuf		sql;
	CatalogRows rows;

	snprintf(key, sizeof(key), "%s%s%s", schema ? schema : "", schema ? "." : "", name);
	if ((e = cache_find(key)) != NULL)
	{
		*out = *e;
		return true;
	}
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
	cache_store(key, out->unlogged, out->sequence);
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
