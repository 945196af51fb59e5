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
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELCACHE_SIZE 256

typedef struct RelCacheEntry
{
	char	   *key;			/* "schema.name" or "name" */
	bool		unlogged;
	bool		sequence;		/* relkind 'S' */
	time_t		stored;
} RelCacheEntry;

static RelCacheEntry cache[RELCACHE_SIZE];
static int	cache_next;

static RelCacheEntry *
cache_find(const char *key)
{
	int			expire = pool_config->relcache_expire;

	for (int i = 0; i < RELCACHE_SIZE; i++)
		if (cache[i].key && strcmp(cache[i].key, key) == 0)
		{
			if (expire > 0 && time(NULL) - cache[i].stored >= expire)
				return NULL;
			return &cache[i];
		}
	return NULL;
}

static void
cache_store(const char *key, bool unlogged, bool sequence)
{
	RelCacheEntry *e = cache_find(key);

	if (e == NULL)
	{
		e = &cache[cache_next];
		cache_next = (cache_next + 1) % RELCACHE_SIZE;
		free(e->key);
		e->key = str_dup(key);
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
