/*
 * func_volatility.c: the catalog's volatility (pg_proc.provolatile) of the
 * functions a statement calls, for routing with both function lists empty.
 *
 * Runs in a child.  Names the cache does not know are asked of the
 * session's primary (main) node in one query, over the session's own
 * connection while that node is idle: the answer then sees the session's
 * search_path and the functions its open transaction created.  The query
 * cannot fail on any name (no regproc casts), so it never aborts the
 * client's transaction.  An unqualified name is matched in every schema of
 * current_schemas(true), a qualified one in its schema; overloads and
 * shadowed names give the worst volatility, and a name the catalog does
 * not know counts as volatile.
 *
 * The cache is a fixed table (no allocation after start), hashed, keyed
 * by database, user, the startup packet's options and the name (what
 * decides a new session's search_path):
 *   - answers found only in pg_catalog are kept across sessions: built-in
 *     functions change only by DDL;
 *   - other answers (user functions, unknown names) hold for the session;
 *   - once the session changes search_path or role, only answers found
 *     since count, and they hold until the next change (one inside a
 *     transaction forgets them again when it ends: SET LOCAL and a
 *     rollback revert it);
 *   - function DDL (CREATE/ALTER/DROP FUNCTION, PROCEDURE, AGGREGATE,
 *     SCHEMA, EXTENSION, ...) forgets everything, in every child: a
 *     generation counter in shared memory is bumped when the statement is
 *     routed and again after it (its transaction ended), and each child
 *     compares it before using its table;
 *   - relcache_expire > 0 ages every answer out.
 * Inside a transaction that ran function DDL nothing is stored: a rollback
 * would undo what the answer saw.
 */
#include "session/func_volatility.h"
#include "session/multi.h"
#include "multi_int.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/mem_reserve.h"
#include "session/caches.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FV_SIZE 256				/* entries; a power of two */
#define FV_PROBE 8				/* slots looked at per key */
#define FV_KEY 256				/* longer keys are not cached */
#define FV_BATCH 32				/* names per catalog query */

typedef struct FvEntry
{
	uint32_t	hash;
	bool		used;
	bool		session;		/* holds for this session and search_path only */
	char		vol;			/* 'i', 's' or 'v' */
	time_t		stored;
	char		key[FV_KEY];	/* "database\x1fuser\x1foptions\x1fname" */
} FvEntry;

static FvEntry cache[FV_SIZE];
static uint32_t seen_generation;	/* node_table's counter when last looked */
static bool ddl_in_transaction; /* function DDL ran in the open transaction */
static bool ddl_pending;		/* bump the counter again once it has run */
static bool path_in_transaction;	/* search_path/role set in the open transaction */
static bool path_changed;		/* ... in this session: only its own answers count */

/* Make the table resident at child start: its first use must not grow the child. */
void
func_volatility_prepare(void)
{
	mem_touch(cache, sizeof(cache));
}

/* Build the key of a function name; false if it does not fit. */
static bool
make_key(char *key, const Session *s, const char *func)
{
	const char *options = pq_startup_get(&s->startup, "options");
	int			n = snprintf(key, FV_KEY, "%s\x1f%s\x1f%s\x1f%s",
							 s->startup.database ? s->startup.database : "",
							 s->startup.user ? s->startup.user : "",
							 options ? options : "", func);

	return n > 0 && n < FV_KEY;
}

static void
forget_where(bool session_only)
{
	for (int i = 0; i < FV_SIZE; i++)
		if (!session_only || cache[i].session)
			cache[i].used = false;
}

void
func_volatility_forget(void)
{
	forget_where(false);
}

/* Another child ran function DDL: this table may be stale. */
static void
check_generation(void)
{
	uint32_t	g;

	if (node_table == NULL)
		return;
	g = __atomic_load_n(&node_table->func_ddl_generation, __ATOMIC_ACQUIRE);
	if (g != seen_generation)
	{
		func_volatility_forget();
		seen_generation = g;
	}
}

static void
bump_generation(void)
{
	func_volatility_forget();
	if (node_table != NULL)
		seen_generation = __atomic_add_fetch(&node_table->func_ddl_generation, 1,
											 __ATOMIC_ACQ_REL);
}

static FvEntry *
entry_find(const char *key, uint32_t hash)
{
	int			expire = (int) pool_config->relcache_expire;

	for (int p = 0; p < FV_PROBE; p++)
	{
		FvEntry    *e = &cache[(hash + (uint32_t) p) & (FV_SIZE - 1)];

		if (e->used && e->hash == hash && strcmp(e->key, key) == 0 &&
			(e->session || !path_changed))
		{
			if (expire > 0 && time(NULL) - e->stored >= expire)
				return NULL;
			return e;
		}
	}
	return NULL;
}

static void
entry_store(const char *key, char vol, bool session)
{
	uint32_t	hash = str_hash(key);
	FvEntry    *victim = NULL;

	for (int p = 0; p < FV_PROBE; p++)
	{
		FvEntry    *e = &cache[(hash + (uint32_t) p) & (FV_SIZE - 1)];

		if (!e->used || (e->hash == hash && strcmp(e->key, key) == 0))
		{
			victim = e;
			break;
		}
		if (victim == NULL || e->stored < victim->stored)
			victim = e;
	}
	victim->used = true;
	victim->hash = hash;
	victim->session = session;
	victim->vol = vol;
	victim->stored = time(NULL);
	str_copy(victim->key, key, FV_KEY);
}

static void
put_text(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* One VALUES row: (index, schema or NULL, name); names split at the last dot. */
static void
put_name_row(PqBuf *b, int index, const char *func)
{
	const char *dot = strrchr(func, '.');
	char		num[16];

	snprintf(num, sizeof(num), "%s(%d, ", index > 0 ? ", " : "", index);
	put_text(b, num);
	if (dot != NULL)
	{
		char		schema[256];

		str_copy(schema, func, (size_t) (dot - func) + 1 < sizeof(schema) ?
				 (size_t) (dot - func) + 1 : sizeof(schema));
		catalog_put_literal(b, schema);
		put_text(b, "::text, ");
		catalog_put_literal(b, dot + 1);
	}
	else
	{
		put_text(b, "NULL::text, ");
		catalog_put_literal(b, func);
	}
	put_text(b, "::text)");
}

/*
 * Ask the catalog about names[0..n): vols[i] gets the worst volatility
 * ('v' for an unknown name), in_catalog[i] whether every match was in
 * pg_catalog.  False if the node could not answer.
 */
static bool
ask_catalog(Session *s, const char *const *names, int n, char *vols, bool *in_catalog)
{
	PqBuf		sql;
	CatalogRows rows;
	bool		ok;

	pqbuf_init(&sql);
	put_text(&sql, "SELECT v.i, x.vol, x.cat FROM (VALUES ");
	for (int i = 0; i < n; i++)
		put_name_row(&sql, i, names[i]);
	put_text(&sql, ") AS v(i, s, f) CROSS JOIN LATERAL (SELECT max(p.provolatile::text) AS vol, "
			 "bool_and(n.nspname = 'pg_catalog') AS cat FROM pg_catalog.pg_proc p "
			 "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = v.f AND "
			 "CASE WHEN v.s IS NULL THEN n.nspname = ANY (pg_catalog.current_schemas(true)) "
			 "ELSE n.nspname = v.s END) AS x");
	pqbuf_put_byte(&sql, '\0');
	ok = catalog_query(s, s->multi->primary, sql.data, 3, &rows);
	pqbuf_free(&sql);
	for (int i = 0; i < n; i++)
	{
		vols[i] = 'v';
		in_catalog[i] = false;
	}
	for (int r = 0; ok && r < rows.nrows; r++)
	{
		const char *const *row = (const char *const *) &rows.cells[r * 3];
		int			i = row[0] ? atoi(row[0]) : -1;

		if (i < 0 || i >= n || row[1] == NULL)
			continue;			/* no such function: stays volatile */
		vols[i] = row[1][0] == 'i' || row[1][0] == 's' ? row[1][0] : 'v';
		in_catalog[i] = row[2] != NULL && row[2][0] == 't';
	}
	if (ok && rows.nrows != n)
		ok = false;
	catalog_rows_free(&rows);
	return ok;
}

/* Ask about the names not cached; store and fold the answers into *worst. */
static bool
ask_missing(Session *s, const char *const *names, int n, char *worst)
{
	char		vols[FV_BATCH];
	bool		in_catalog[FV_BATCH];
	char		key[FV_KEY];

	if (!multi_node_idle(s, s->multi->primary))
		return false;
	if (!ask_catalog(s, names, n, vols, in_catalog))
		return false;
	for (int i = 0; i < n; i++)
	{
		if (vols[i] > *worst)
			*worst = vols[i];
		if (!ddl_in_transaction && make_key(key, s, names[i]))
			entry_store(key, vols[i], !in_catalog[i] || path_changed);
	}
	return true;
}

char
func_volatility(Session *s, const StmtFacts *f)
{
	const char *missing[FV_BATCH];
	int			nmissing = 0;
	char		worst = 'i';
	char		key[FV_KEY];

	if (f == NULL || f->nfuncs == 0)
		return 'i';
	check_generation();
	for (int i = 0; i < f->nfuncs && worst != 'v'; i++)
	{
		FvEntry    *e = NULL;

		if (make_key(key, s, f->funcs[i]))
			e = entry_find(key, str_hash(key));
		if (e != NULL)
		{
			if (e->vol > worst)
				worst = e->vol;
			continue;
		}
		missing[nmissing++] = f->funcs[i];
		if (nmissing == FV_BATCH)
		{
			if (!ask_missing(s, missing, nmissing, &worst))
				return 0;
			nmissing = 0;
		}
	}
	if (worst != 'v' && nmissing > 0 && !ask_missing(s, missing, nmissing, &worst))
		return 0;
	return worst;
}

/* SET/RESET of what unqualified names resolve by. */
static bool
changes_search_path(const StmtFacts *f)
{
	if (f->kind == ROUTER_STMT_DISCARD || f->kind == ROUTER_STMT_RESET)
	{
		if (f->flags & ROUTER_F_ALL)
			return true;
	}
	else if (f->kind != ROUTER_STMT_SET)
		return false;
	if (f->name == NULL)
		return false;
	return strcmp(f->name, "search_path") == 0 || strcmp(f->name, "role") == 0 ||
		strcmp(f->name, "session_authorization") == 0;
}

/* Ends the transaction, or undoes part of it. */
static bool
ends_transaction(const StmtFacts *f)
{
	return f->kind == ROUTER_STMT_COMMIT || f->kind == ROUTER_STMT_ROLLBACK ||
		f->kind == ROUTER_STMT_ROLLBACK_TO || f->kind == ROUTER_STMT_PREPARE_TRANSACTION;
}

void
func_volatility_note(Session *s, const StmtFacts *f)
{
	bool		in_tx = s->multi->router_session.in_transaction;

	if (ddl_pending)
	{
		/* the DDL routed before this statement has run by now */
		bump_generation();
		ddl_pending = false;
	}
	if (f->flags & ROUTER_F_FUNC_DDL)
	{
		bump_generation();
		ddl_pending = true;
		if (in_tx || (f->flags & ROUTER_F_MULTI))
			ddl_in_transaction = true;
		return;
	}
	if (ddl_in_transaction && (!in_tx || ends_transaction(f)))
	{
		/* the transaction's end (or a rollback to a savepoint) may undo the DDL */
		ddl_pending = true;
		ddl_in_transaction = f->kind == ROUTER_STMT_ROLLBACK_TO && in_tx;
		func_volatility_forget();
	}
	if (path_in_transaction && (!in_tx || ends_transaction(f)))
	{
		/* SET LOCAL reverts at the end, SET at a rollback */
		forget_where(true);
		path_in_transaction = f->kind == ROUTER_STMT_ROLLBACK_TO && in_tx;
	}
	if (changes_search_path(f))
	{
		forget_where(true);
		path_changed = true;
		if (in_tx || (f->flags & ROUTER_F_MULTI))
			path_in_transaction = true;
	}
}

void
func_volatility_end_session(void)
{
	if (ddl_pending || ddl_in_transaction)
		bump_generation();
	ddl_pending = false;
	ddl_in_transaction = false;
	path_in_transaction = false;
	path_changed = false;
	forget_where(true);
}
