/*
 * multi_replicate.c: a write in native replication, made ready before it
 * is sent to every node.
 *
 * - Clock reads (now(), CURRENT_DATE, column defaults calling them) become
 *   one literal, the same text on every node (router/rewrite.h).  The value
 *   is pgpool's clock, kept for the whole transaction as now() is.
 * - insert_lock: an INSERT into a table with a serial or identity column
 *   first locks, on the main node, a row of pgpool_catalog.insert_lock (or
 *   the table itself when that catalog is missing), so concurrent inserts
 *   draw sequence values in the same order on every node.
 * - A write outside a transaction runs inside one that pgpool opens and
 *   commits out of the client's sight (its ReadyForQuery still says idle):
 *   the main node keeps the write's locks until the other nodes have done
 *   the write too, so the next writer of the same rows comes after it on
 *   every node.  The COMMIT waits until the write is complete everywhere.
 *
 * Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "config/config.h"
#include "router/rewrite.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *
ts_literal(MultiState *m)
{
	struct timeval tv;
	struct tm	tm;
	char		date[24];

	/* one value per transaction, like now(); cleared when it ends (multi_relay.c) */
	if (m->ts_literal[0] && m->router_session.in_transaction)
		return m->ts_literal;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(m->ts_literal, sizeof(m->ts_literal), "%s.%06ld+00", date, (long) tv.tv_usec);
	return m->ts_literal;
}

static bool
cached_defaults(void *arg, const char *schema, const char *table, const TableDefaults **out)
{
	*out = table_facts_cached(arg, schema, table);
	return *out != NULL;
}

/* The INSERT's target (or the first table whose defaults apply), or NULL. */
static const RouterRel *
target_rel(const StmtFacts *f, uint8_t flag)
{
	for (int i = 0; i < f->nrels; i++)
		if (f->rels[i].flags & flag)
			return &f->rels[i];
	return NULL;
}

void
multi_replicate_prefetch(Session *s, const StmtFacts *f)
{
	for (int i = 0; i < f->nrels; i++)
		if (f->rels[i].flags & (ROUTER_REL_DEFAULTS | ROUTER_REL_INSERTED))
			table_facts_defaults(s, f->rels[i].schema, f->rels[i].name);
}

char *
multi_replicate_rewrite(Session *s, const StmtFacts *f)
{
	RouterRewriteInfo info;
	char	   *out;

	if (!(f->flags & ROUTER_F_TIME_FUNC) && target_rel(f, ROUTER_REL_DEFAULTS) == NULL)
		return NULL;
	multi_replicate_prefetch(s, f);
	if (!router_rewrite_timestamps_wanted(f, cached_defaults, s))
		return NULL;
	out = router_rewrite_timestamps(f->text, f->text_len, ts_literal(s->multi), cached_defaults, s, &info);
	if (info.not_rewritable)
		plog_ex(PL_WARNING, log_fmt("statement: %s", f->text), "Give the time columns explicit values.",
				"time defaults of this statement cannot be made identical on every node: %s", info.reason);
	return out;
}

/* Append name to b as a quoted identifier. */
static void
put_ident(PqBuf *b, const char *name)
{
	pqbuf_put_byte(b, '"');
	for (; *name; name++)
	{
		if (*name == '"')
			pqbuf_put_byte(b, '"');
		pqbuf_put_byte(b, (uint8_t) *name);
	}
	pqbuf_put_byte(b, '"');
}

static void
put_qualified(PqBuf *b, const RouterRel *rel)
{
	if (rel->schema)
	{
		put_ident(b, rel->schema);
		pqbuf_put_byte(b, '.');
	}
	put_ident(b, rel->name);
}

static void
put_str(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* '"schema"."name"'::regclass */
static void
put_regclass(PqBuf *b, const RouterRel *rel)
{
	PqBuf		name;

	pqbuf_init(&name);
	put_qualified(&name, rel);
	pqbuf_put_byte(&name, '\0');
	catalog_put_literal(b, name.data);
	put_str(b, "::pg_catalog.regclass");
	pqbuf_free(&name);
}

/* Does the statement (any of its INSERTs) want insert_lock? */
static bool
wants_insert_lock(const StmtFacts *f)
{
	if (target_rel(f, ROUTER_REL_INSERTED) == NULL)
		return false;
	return (f->flags & ROUTER_F_INSERT_LOCK_HINT) ||
		(pool_config->insert_lock && !(f->flags & ROUTER_F_NO_INSERT_LOCK_HINT));
}

/* Append to list, comma-separated, each INSERT target with a serial or identity column. */
static int
serial_targets(Session *s, const StmtFacts *f, PqBuf *list, bool as_regclass)
{
	int			n = 0;

	for (int i = 0; i < f->nrels; i++)
	{
		const RouterRel *rel = &f->rels[i];
		const TableDefaults *td;

		if (!(rel->flags & ROUTER_REL_INSERTED) ||
			(td = table_facts_defaults(s, rel->schema, rel->name)) == NULL ||
			!router_table_defaults_has_serial(td))
			continue;
		if (n++ > 0)
			put_str(list, as_regclass ? "), (" : ", ");
		if (as_regclass)
			put_regclass(list, rel);
		else
			put_qualified(list, rel);
	}
	return n;
}

bool
multi_replicate_lock_sql(Session *s, const StmtFacts *f, PqBuf *sql)
{
	PqBuf		list;
	bool		rows;

	if (!wants_insert_lock(f))
		return false;
	rows = table_facts_insert_lock_table(s) == 1;
	pqbuf_init(&list);
	if (serial_targets(s, f, &list, rows) == 0)
	{
		pqbuf_free(&list);
		return false;
	}
	pqbuf_put_byte(&list, '\0');
	if (rows)
	{
		/* a row per table, made on first use; its row lock serialises the inserts */
		put_str(sql, "INSERT INTO pgpool_catalog.insert_lock VALUES (");
		put_str(sql, list.data);
		put_str(sql, ") ON CONFLICT DO NOTHING; SELECT 1 FROM pgpool_catalog.insert_lock WHERE reloid IN ((");
		put_str(sql, list.data);
		put_str(sql, ")) ORDER BY reloid FOR UPDATE");
	}
	else
	{
		put_str(sql, "LOCK TABLE ");
		put_str(sql, list.data);
		put_str(sql, " IN SHARE ROW EXCLUSIVE MODE");
	}
	pqbuf_put_byte(sql, '\0');
	pqbuf_free(&list);
	return true;
}

bool
multi_replicate_may_lock(const Session *s, const StmtFacts *f)
{
	const RouterRel *rel;
	const TableDefaults *td;

	if (!wants_insert_lock(f))
		return false;
	/* known to have no serial column: no lock; unknown: it may need one */
	for (int i = 0; i < f->nrels; i++)
	{
		rel = &f->rels[i];
		if ((rel->flags & ROUTER_REL_INSERTED) &&
			((td = table_facts_cached(s, rel->schema, rel->name)) == NULL ||
			 router_table_defaults_has_serial(td)))
			return true;
	}
	return false;
}

bool
multi_replicate_wants_wrap(const Session *s, const StmtFacts *f)
{
	if (s->multi->router_session.in_transaction)
		return false;
	/* a multi-statement string is one implicit transaction: the same in pgpool's own */
	if (f->nstmts > 1)
		return (f->flags & ROUTER_F_WRITE) && !(f->flags & ROUTER_F_TXN_CONTROL);
	return f->kind == ROUTER_STMT_INSERT || f->kind == ROUTER_STMT_UPDATE ||
		f->kind == ROUTER_STMT_DELETE || f->kind == ROUTER_STMT_MERGE;
}

/* A request of pgpool's own whose replies nobody sees. */
static bool
send_hidden(Session *s, const NodeMask *nodes, const char *sql, bool barrier)
{
	RelayEntry *e = relay_queue_push(&s->multi->queue, nodes, -1);
	PqBuf		q;

	if (e == NULL)
		return false;
	e->barrier = barrier;
	if (barrier)
		multi_mode()->mark_barrier(e);
	pqbuf_init(&q);
	pq_put_query(&q, sql);
	multi_send(s, nodes, q.data, q.len);
	pqbuf_free(&q);
	return true;
}

bool
multi_replicate_open(Session *s, const StmtFacts *f, bool *wrapped)
{
	MultiState *m = s->multi;
	NodeMask	main_node = node_mask_single(m->primary);
	PqBuf		lock;
	bool		ok = true, locks;

	*wrapped = multi_replicate_wants_wrap(s, f);
	if (relay_queue_room(&m->queue) < 5)
		return false;
	/* catalog questions first: the main node must still be idle for them */
	pqbuf_init(&lock);
	locks = multi_replicate_lock_sql(s, f, &lock);
	if (*wrapped)
		ok = send_hidden(s, &m->connected, "BEGIN", false) && multi_mode()->after_begin(s);
	if (ok && locks)
		ok = send_hidden(s, &main_node, lock.data, false);
	m->batch_locked = locks;
	pqbuf_free(&lock);
	return ok;
}

/* Would a table fact the statement needs have to be asked of a busy main node? */
bool
multi_replicate_ready(Session *s, const StmtFacts *f)
{
	if (s->multi->batch || multi_node_idle(s, s->multi->primary))
		return true;
	return multi_replicate_facts_cached(s, f) &&
		(f->kind != ROUTER_STMT_INSERT || table_facts_insert_lock_known(s));
}

bool
multi_replicate_facts_cached(const Session *s, const StmtFacts *f)
{
	for (int i = 0; i < f->nrels; i++)
		if ((f->rels[i].flags & (ROUTER_REL_DEFAULTS | ROUTER_REL_INSERTED)) &&
			table_facts_cached(s, f->rels[i].schema, f->rels[i].name) == NULL)
			return false;
	return true;
}

bool
multi_replicate_close(Session *s)
{
	return send_hidden(s, &s->multi->connected, "COMMIT", true);
}

/* pg_proc OIDs of the large object functions (fixed in every PostgreSQL) */
#define LO_CREAT_OID 957		/* lo_creat(integer) */
#define LO_CREATE_OID 715		/* lo_create(oid) */

bool
multi_replicate_is_lo_creat(const char *msg, size_t len)
{
	return len >= 9 && pq_peek_int32(msg + 5) == LO_CREAT_OID;
}

/* The OID the main node will give the next large object, under lobj_lock_table's lock. */
static bool
next_lo_oid(Session *s, char *oid, size_t cap)
{
	PqBuf		lock;
	CatalogRows rows;
	bool		ok;

	pqbuf_init(&lock);
	pqbuf_put_bytes(&lock, "LOCK TABLE ", 11);
	pqbuf_put_bytes(&lock, pool_config->lobj_lock_table, strlen(pool_config->lobj_lock_table));
	pqbuf_put_string(&lock, " IN SHARE ROW EXCLUSIVE MODE");
	/* outside a transaction there is no lock to take: the OID is still one for every node */
	ok = !s->multi->router_session.in_transaction || catalog_query(s, s->multi->primary, lock.data, 0, &rows);
	pqbuf_free(&lock);
	if (s->multi->router_session.in_transaction)
		catalog_rows_free(&rows);
	if (!ok)
		return false;
	ok = catalog_query(s, s->multi->primary,
					   "SELECT (coalesce(max(oid::pg_catalog.int8), 16383) + 1)::pg_catalog.text "
					   "FROM pg_catalog.pg_largeobject_metadata", 1, &rows) &&
		rows.nrows == 1 && rows.cells[0] != NULL;
	if (ok)
		str_copy(oid, rows.cells[0], cap);
	catalog_rows_free(&rows);
	return ok;
}

bool
multi_replicate_lo_creat(Session *s, const char *msg, size_t len, PqBuf *out)
{
	static bool warned;
	char		oid[24];
	size_t		start;

	if (!multi_replicate_is_lo_creat(msg, len))
		return false;
	if (pool_config->lobj_lock_table == NULL || pool_config->lobj_lock_table[0] == '\0')
	{
		if (!warned)
			plog_ex(PL_WARNING, NULL, "Set lobj_lock_table to a table every user may lock.",
					"lo_creat() in native replication without lobj_lock_table: the nodes may give the new large object different OIDs");
		warned = true;
		return false;
	}
	if (!next_lo_oid(s, oid, sizeof(oid)))
		return false;
	/* lo_create(oid) with that OID, in text format; the result format stays the client's */
	start = pq_begin_message(out, PQ_FE_FUNCTION_CALL);
	pqbuf_put_int32(out, LO_CREATE_OID);
	pqbuf_put_int16(out, 1);
	pqbuf_put_int16(out, 0);
	pqbuf_put_int16(out, 1);
	pqbuf_put_int32(out, (int32_t) strlen(oid));
	pqbuf_put_bytes(out, oid, strlen(oid));
	pqbuf_put_bytes(out, msg + len - 2, 2);
	pq_end_message(out, start);
	return true;
}
