/*
 * table_facts.c: what native replication needs to know about a table
 * before it sends a write: its columns and defaults (timestamp rewrite,
 * insert_lock needs a serial or identity column), and whether the
 * database has pgpool_catalog.insert_lock.  Asked of the main node over
 * the session's own connection while it is idle, cached per process for
 * relcache_expire seconds (0: until a DDL statement passes through this
 * process).  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "config/config.h"
#include "router/rewrite.h"
#include "utils/log.h"
#include "utils/mem_reserve.h"
#include "session/caches.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE_FACTS_SIZE 128

typedef struct TableFactsEntry
{
	char	   *key;			/* "database\x1fschema\x1fname" */
	uint32_t	hash;			/* of key: most entries are passed over on it */
	TableDefaults *defaults;
	time_t		stored;
} TableFactsEntry;

static TableFactsEntry cache[TABLE_FACTS_SIZE];
static int	cache_next;

/* pgpool_catalog.insert_lock: per database, -1 unknown, 0 absent, 1 present */
static char insert_lock_db[256];
static int	insert_lock_present = -1;
static time_t insert_lock_stored;

static bool
fresh(time_t stored)
{
	int			expire = pool_config->relcache_expire;

	return expire <= 0 || time(NULL) - stored < expire;
}

static void
entry_clear(TableFactsEntry *e)
{
	free(e->key);
	if (e->defaults)
		router_table_defaults_free(e->defaults);
	memset(e, 0, sizeof(*e));
}

void
table_facts_invalidate(void)
{
	for (int i = 0; i < TABLE_FACTS_SIZE; i++)
		entry_clear(&cache[i]);
	insert_lock_present = -1;
}

/* Make the table resident at child start: its first use must not grow the child. */
void
table_facts_prepare(void)
{
	mem_touch(cache, sizeof(cache));
}

static uint32_t
make_key(char *key, size_t cap, const Session *s, const char *schema, const char *name)
{
	snprintf(key, cap, "%s\x1f%s\x1f%s", s->startup.database ? s->startup.database : "",
			 schema ? schema : "", name);
	return str_hash(key);
}

static TableFactsEntry *
entry_find(const char *key, uint32_t hash)
{
	for (int i = 0; i < TABLE_FACTS_SIZE; i++)
		if (cache[i].key && cache[i].hash == hash && strcmp(cache[i].key, key) == 0)
			return &cache[i];
	return NULL;
}

const TableDefaults *
table_facts_cached(const Session *s, const char *schema, const char *name)
{
	char		key[512];
	uint32_t	hash = make_key(key, sizeof(key), s, schema, name);
	TableFactsEntry *e = entry_find(key, hash);

	return e && fresh(e->stored) ? e->defaults : NULL;
}

const TableDefaults *
table_facts_defaults(Session *s, const char *schema, const char *name)
{
	const TableDefaults *td = table_facts_cached(s, schema, name);
	TableFactsEntry *e;
	CatalogRows rows;
	char		key[512];
	uint32_t	hash;
	char	   *sql;
	bool		ok;

	if (td || !multi_node_idle(s, s->multi->primary))
		return td;
	sql = router_table_defaults_query(schema, name);
	ok = catalog_query(s, s->multi->primary, sql, ROUTER_TABLE_DEFAULTS_NCOLS, &rows);
	free(sql);
	if (!ok)
	{
		catalog_rows_free(&rows);
		return NULL;
	}
	hash = make_key(key, sizeof(key), s, schema, name);
	if ((e = entry_find(key, hash)) != NULL)
		entry_clear(e);
	e = &cache[cache_next];
	cache_next = (cache_next + 1) % TABLE_FACTS_SIZE;
	entry_clear(e);
	e->key = str_dup(key);
	e->hash = hash;
	e->defaults = router_table_defaults_from_rows(rows.nrows, (const char *const *) rows.cells);
	e->stored = time(NULL);
	catalog_rows_free(&rows);
	return e->defaults;
}

bool
table_facts_insert_lock_known(const Session *s)
{
	const char *db = s->startup.database ? s->startup.database : "";

	return insert_lock_present >= 0 && strcmp(insert_lock_db, db) == 0 && fresh(insert_lock_stored);
}

int
table_facts_insert_lock_table(Session *s)
{
	const char *db = s->startup.database ? s->startup.database : "";
	CatalogRows rows;

	if (table_facts_insert_lock_known(s))
		return insert_lock_present;
	if (!multi_node_idle(s, s->multi->primary))
		return -1;
	if (!catalog_query(s, s->multi->primary,
					   "SELECT pg_catalog.to_regclass('pgpool_catalog.insert_lock') IS NOT NULL", 1, &rows))
	{
		catalog_rows_free(&rows);
		return -1;
	}
	insert_lock_present = rows.nrows > 0 && rows.cells[0] && rows.cells[0][0] == 't';
	catalog_rows_free(&rows);
	str_copy(insert_lock_db, db, sizeof(insert_lock_db));
	insert_lock_stored = time(NULL);
	return insert_lock_present;
}
