/*
 * relcache.c: facts about relations that routing needs from the catalog
 * (is this table unlogged?), asked of the primary over the session's own
 * connection between requests, and cached per process so a busy pool asks
 * once per relation name, not once per query.
 */
#include "session/multi.h"

#include "config/config.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELCACHE_SIZE 256
#define RELCACHE_TIMEOUT_MS 10000

typedef struct RelCacheEntry
{
	char	   *key;			/* "schema.name" or "name" */
	bool		unlogged;
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
cache_store(const char *key, bool unlogged)
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
	e->stored = time(NULL);
}

static void
put_text(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* Append s as a SQL string literal. */
static void
put_literal(PqBuf *b, const char *s)
{
	pqbuf_put_byte(b, 'E');
	pqbuf_put_byte(b, '\'');
	for (; *s; s++)
	{
		if (*s == '\'' || *s == '\\')
			pqbuf_put_byte(b, (uint8_t) *s);
		pqbuf_put_byte(b, (uint8_t) *s);
	}
	pqbuf_put_byte(b, '\'');
}

/* Run one catalog query on node n (idle) and return the first value of the first row. */
static bool
ask_node(Session *s, int n, const char *sql, char *out, size_t cap, bool *found)
{
	PqConn	   *b = &s->slot->backends[n].conn;
	bool		ok = true;

	*found = false;
	pq_put_query(&b->wbuf, sql);
	if (pq_conn_flush(b, RELCACHE_TIMEOUT_MS) != PQ_IO_OK)
		return false;
	for (;;)
	{
		PqMsg		msg;
		PqReader	r;

		if (pq_conn_read_message(b, &msg, PQ_MAX_MESSAGE_LENGTH, RELCACHE_TIMEOUT_MS) != PQ_IO_OK)
			return false;
		switch (msg.type)
		{
			case PQ_BE_DATA_ROW:
				pq_reader_init(&r, msg.body, msg.len);
				if (!*found && pq_get_int16(&r) >= 1)
				{
					int32_t		len = pq_get_int32(&r);
					const char *v = len >= 0 ? pq_get_bytes(&r, (size_t) len) : NULL;

					if (v && (size_t) len < cap)
					{
						memcpy(out, v, (size_t) len);
						out[len] = '\0';
						*found = true;
					}
				}
				break;
			case PQ_BE_ERROR_RESPONSE:
				ok = false;
				break;
			case PQ_BE_READY_FOR_QUERY:
				return ok;
			default:
				break;
		}
	}
}

bool
multi_relation_unlogged(Session *s, const char *schema, const char *name)
{
	MultiState *m = s->multi;
	char		key[256], value[8];
	RelCacheEntry *e;
	PqBuf		sql;
	bool		found = false, ok;

	snprintf(key, sizeof(key), "%s%s%s", schema ? schema : "", schema ? "." : "", name);
	if ((e = cache_find(key)) != NULL)
		return e->unlogged;
	/* the primary's connection must be idle to be asked */
	if (relay_queue_current(&m->queue, m->primary) != NULL || m->batch != NULL)
		return true;
	pqbuf_init(&sql);
	put_text(&sql, "SELECT c.relpersistence FROM pg_catalog.pg_class c WHERE c.oid = "
			 "pg_catalog.to_regclass(");
	if (schema)
	{
		put_text(&sql, "pg_catalog.quote_ident(");
		put_literal(&sql, schema);
		put_text(&sql, ") || '.' || ");
	}
	put_text(&sql, "pg_catalog.quote_ident(");
	put_literal(&sql, name);
	put_text(&sql, "))");
	pqbuf_put_byte(&sql, '\0');
	ok = ask_node(s, m->primary, sql.data, value, sizeof(value), &found);
	pqbuf_free(&sql);
	if (!ok)
		return true;
	cache_store(key, found && value[0] == 'u');
	return found && value[0] == 'u';
}
