/*
 * qc_session.c: the query cache in a session's life (see query_cache.h).
 *
 * Lookups happen only when nothing of the session is in flight (its
 * transaction state is then known), never after a write in the open
 * transaction, nor inside a REPEATABLE READ / SERIALIZABLE transaction
 * (its snapshot may be older than the cached answer).  An answer is kept
 * with as_of = the invalidation clock before its snapshot could be taken:
 * at send time outside a transaction, at the transaction's start inside
 * one, so a write that committed meanwhile always makes it invalid.
 * Answers read in a transaction wait for its COMMIT; a rollback or an
 * error drops them.  The tables a transaction wrote are stamped when it
 * ends (committed or not: an extra invalidation is harmless), after the
 * backend confirmed, so no reader can cache the old rows under a newer
 * clock.  Runs in children.
 */
#include "session/query_cache.h"
#include "qc_int.h"

#include "config/config.h"
#include "multi_mode.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static QcLists lists;
static bool lists_ready;

bool
qc_session_wanted(void)
{
	return pool_config->memory_cache_enabled && qc_enabled();
}

void
qc_session_reset_config(void)
{
	if (lists_ready)
		qc_lists_free(&lists);
	lists_ready = false;
}

static const QcLists *
current_lists(void)
{
	if (!lists_ready)
	{
		qc_lists_compile(&lists, pool_config);
		lists_ready = true;
	}
	return &lists;
}

static QcSession *
qc_of(const Session *s)
{
	return s->multi ? s->multi->qc : NULL;
}

void
qc_session_init(Session *s)
{
	if (!qc_session_wanted() || s->multi == NULL)
		return;
	s->multi->qc = mem_alloc0(sizeof(QcSession));
}

static void
capture_drop(QcCapture *c)
{
	if (c)
	{
		qc_capture_free(c);
		free(c);
	}
}

static void
drop_pending(QcSession *q)
{
	for (int i = 0; i < q->npending; i++)
		capture_drop(q->pending[i]);
	free(q->pending);
	q->pending = NULL;
	q->npending = 0;
}

void
qc_session_free(Session *s)
{
	QcSession  *q = qc_of(s);

	if (q == NULL)
		return;
	qc_local_close(s);
	/* its writes may have committed before it went away: stamp them anyway */
	if (pool_config->memqcache_auto_cache_invalidation && q->dirty_db)
		qc_invalidate_database(q->dirty_db_hash);
	else if (pool_config->memqcache_auto_cache_invalidation && q->ndirty > 0)
		qc_invalidate_tables(q->dirty, q->ndirty);
	drop_pending(q);
	capture_drop(q->next);
	for (int i = 0; i < 8; i++)
		capture_drop(q->inflight[i]);
	if (q->forget_names)
		qc_rel_forget();		/* its SET search_path must not name the next session's tables */
	free(q);
	s->multi->qc = NULL;
}

/* ---- deciding ---------------------------------------------------------- */

/* Nothing in flight, no transaction the cache must not answer in. */
static bool
may_look_up(Session *s)
{
	MultiState *m = s->multi;
	const RouterSession *rs = &m->router_session;

	if (!relay_queue_empty(&m->queue) || m->batch != NULL || s->tx_status == 'E')
		return false;
	if (rs->write_in_transaction || m->qc->ndirty > 0 || m->qc->dirty_db)
		return false;
	/* snapshot isolation mode runs every transaction at REPEATABLE READ */
	if (s->tx_status == 'T' &&
		(rs->txn_isolation >= ROUTER_ISO_REPEATABLE_READ || rs->session_isolation >= ROUTER_ISO_REPEATABLE_READ ||
		 multi_mode()->snapshot_transactions))
		return false;
	return true;
}

static void
add_table(QcCapture *c, uint32_t db_hash, uint32_t oid)
{
	for (int i = 0; i < c->ntables; i++)
		if (c->tables[i].oid == oid)
			return;
	if (c->ntables < QC_MAX_TABLES)
		c->tables[c->ntables++] = (QcTable) {db_hash, oid};
}

/*
 * What else shapes an answer's bytes: the startup packet's parameters
 * (client_encoding, DateStyle, options such as -c search_path or
 * extra_float_digits) and the SET statements the session ran.
 */
static void
add_settings(QcKeyBuilder *kb, const Session *s)
{
	for (int i = 0; i < s->startup.nparams; i++)
	{
		if (strcmp(s->startup.names[i], "application_name") == 0)
			continue;
		qc_key_add(kb, s->startup.names[i], strlen(s->startup.names[i]));
		qc_key_add(kb, s->startup.values[i], strlen(s->startup.values[i]));
	}
	qc_key_add(kb, &s->multi->qc->settings_salt, sizeof(s->multi->qc->settings_salt));
}

/*
 * A capture for f if it may be cached: the relations it reads resolved and
 * judged, the key's common part (database, user, protocol, text, table
 * oids) started in kb.  NULL (and *why) if not.
 */
static QcCapture *
prepare(Session *s, const StmtFacts *f, QcKeyBuilder *kb, char protocol, const char **why)
{
	bool		force = (f->flags & ROUTER_F_FORCE_QUERY_CACHE) != 0;
	uint32_t	db_hash = qc_db_hash(s->startup.database ? s->startup.database : "");
	QcCapture  *c;

	if ((*why = qc_policy_statement(f)) != NULL)
		return NULL;
	if ((*why = qc_policy_functions(f, qc_func_volatility(s, f), force)) != NULL)
		return NULL;
	f = router_facts_retain(f);	/* judging views analyses their definitions */
	c = mem_alloc(sizeof(QcCapture));
	qc_capture_init(c);
	qc_key_begin(kb);
	qc_key_add(kb, &protocol, 1);
	qc_key_add(kb, s->startup.database ? s->startup.database : "", strlen(s->startup.database ? s->startup.database : ""));
	qc_key_add(kb, s->startup.user ? s->startup.user : "", strlen(s->startup.user ? s->startup.user : ""));
	add_settings(kb, s);
	qc_key_add(kb, f->text, f->text_len);
	for (int i = 0; i < f->nrels; i++)
	{
		const QcRelInfo *ri = qc_rel_lookup(s, f->rels[i].schema, f->rels[i].name);

		if (ri == NULL)
			*why = "catalog busy";
		else
			*why = qc_policy_relation(current_lists(), &f->rels[i], ri, force);
		if (*why)
		{
			capture_drop(c);
			router_facts_release(f);
			return NULL;
		}
		for (int k = 0; k < ri->nrels; k++)
			add_table(c, db_hash, ri->rels[k].oid);
		qc_key_add(kb, &ri->rels[0].oid, sizeof(ri->rels[0].oid));
	}
	c->as_of = s->tx_status == 'I' ? qc_clock_now() : s->multi->qc->tx_as_of;
	str_copy(c->text, f->text, sizeof(c->text));
	router_facts_release(f);
	return c;
}

static void
log_hit(const char *text, size_t len)
{
	int			n = len > INT32_MAX ? INT32_MAX : (int) len;

	if (pool_config->log_per_node_statement || pool_config->log_statement)
		plog(PL_LOG, "query result fetched from cache. statement: %.*s", n, text);
	else
		plog(PL_DEBUG1, "query result fetched from cache. statement: %.*s", n, text);
}

static void
put_ready(Session *s)
{
	pqbuf_put_byte(&s->client.wbuf, PQ_BE_READY_FOR_QUERY);
	pqbuf_put_int32(&s->client.wbuf, 5);
	pqbuf_put_byte(&s->client.wbuf, (uint8_t) s->tx_status);
}

bool
qc_session_query(Session *s, const char *sql, size_t len)
{
	QcSession  *q = qc_of(s);
	const StmtFacts *f;
	QcKeyBuilder kb;
	QcCapture  *c;
	const char *why;
	PqBuf		hit;

	if (q == NULL || q->disabled || !may_look_up(s))
		return false;
	f = router_analyze(sql, len);
	if ((c = prepare(s, f, &kb, 'Q', &why)) == NULL)
	{
		plog(PL_DEBUG2, "query cache: not cached (%s)", why);
		return false;
	}
	qc_key_end(&kb, &c->key);
	pqbuf_init(&hit);
	if (qc_lookup(&c->key, &hit))
	{
		pqbuf_put_bytes(&s->client.wbuf, hit.data, hit.len);
		put_ready(s);
		pqbuf_free(&hit);
		capture_drop(c);
		qc_count_hit();
		log_hit(sql, len);
		(void) pq_conn_flush(&s->client, -1);	/* a client gone shows at its next read */
		return true;
	}
	pqbuf_free(&hit);
	capture_drop(q->next);
	q->next = c;
	return false;
}

bool
qc_session_defer_parse(Session *s, const char *sql, size_t len)
{
	QcSession  *q = qc_of(s);
	QcKeyBuilder kb;
	QcCapture  *c;
	const char *why;

	if (q == NULL || q->disabled || !may_look_up(s))
		return false;
	if ((c = prepare(s, router_analyze(sql, len), &kb, 'B', &why)) == NULL)
		return false;
	capture_drop(c);			/* only asked whether it could be cached */
	return true;
}

int
qc_session_delete(Session *s, const char *sql, size_t len)
{
	QcSession  *q = qc_of(s);
	const StmtFacts *f;
	QcKeyBuilder kb;
	QcCapture  *c;
	const char *why;
	bool		found;

	if (q == NULL)
		return -1;
	f = router_analyze(sql, len);
	if ((c = prepare(s, f, &kb, 'Q', &why)) == NULL)
		return 0;				/* never cached, so nothing to delete */
	qc_key_end(&kb, &c->key);
	found = qc_delete(&c->key);
	capture_drop(c);
	return found ? 1 : 0;
}

bool
qc_session_bind(Session *s, const char *sql, size_t sql_len, const char *msg, size_t len)
{
	QcSession  *q = qc_of(s);
	const StmtFacts *f;
	QcKeyBuilder kb;
	QcCapture  *c;
	const char *why;
	const char *portal = msg + 5;
	size_t		plen = strnlen(portal, len - 5);
	const char *stmt = portal + plen + 1;
	const char *rest;
	PqBuf		hit;

	if (q == NULL || q->disabled || plen + 6 >= len)
		return false;
	rest = stmt + strnlen(stmt, (size_t) (msg + len - stmt)) + 1;
	if (rest > msg + len)
		return false;
	f = router_analyze(sql, sql_len);
	if (!may_look_up(s))
	{
		/* inside a batch: no answer from the cache, but the answer may still be kept */
		if (s->multi->batch == NULL || s->tx_status == 'E' || s->multi->router_session.write_in_transaction ||
			q->ndirty > 0 || q->dirty_db || qc_policy_statement(f) != NULL)
			return false;
	}
	if ((c = prepare(s, f, &kb, 'B', &why)) == NULL)
		return false;
	qc_key_add(&kb, rest, (size_t) (msg + len - rest));	/* parameters and formats */
	qc_key_end(&kb, &c->key);
	pqbuf_init(&hit);
	if (may_look_up(s) && qc_lookup(&c->key, &hit))
	{
		qc_local_open(s, hit.data, hit.len, portal);
		pqbuf_free(&hit);
		capture_drop(c);
		qc_count_hit();
		log_hit(sql, sql_len);
		return true;
	}
	pqbuf_free(&hit);
	capture_drop(q->next);
	c->bind_ordinal = -1;		/* set when the Bind joins its batch */
	q->next = c;
	return false;
}

bool
qc_session_local(Session *s, char type, const char *msg, size_t len)
{
	QcSession  *q = qc_of(s);

	if (q == NULL || q->local == NULL)
		return false;
	return qc_local_message(s, type, msg, len);
}

/* ---- capturing ---------------------------------------------------------- */

static int
inflight_slot(const QcSession *q, uint64_t seq)
{
	for (int i = 0; i < 8; i++)
		if (q->inflight[i] && q->inflight_seq[i] == seq)
			return i;
	return -1;
}

static void
track(QcSession *q, const RelayEntry *e)
{
	for (int i = 0; i < 8; i++)
		if (q->inflight[i] == NULL)
		{
			q->inflight[i] = q->next;
			q->inflight_seq[i] = e->seq;
			q->next = NULL;
			return;
		}
	capture_drop(q->next);		/* too many in flight: not kept */
	q->next = NULL;
}

void
qc_session_attach(Session *s, const RelayEntry *e)
{
	QcSession  *q = qc_of(s);

	if (q == NULL || q->next == NULL || e == NULL)
		return;
	if (q->next->bind_ordinal != 0)
	{
		capture_drop(q->next);	/* a Bind's capture attaches through qc_session_count_bind */
		q->next = NULL;
		return;
	}
	track(q, e);
}

void
qc_session_count_bind(Session *s, const RelayEntry *e)
{
	QcSession  *q = qc_of(s);

	if (q == NULL || e == NULL)
		return;
	if (q->batch_seq != e->seq)
	{
		q->batch_seq = e->seq;
		q->batch_binds = 0;
	}
	q->batch_binds++;
	if (q->next == NULL || q->next->bind_ordinal != -1)
		return;
	if (inflight_slot(q, e->seq) >= 0)
	{
		capture_drop(q->next);	/* one capture per batch */
		q->next = NULL;
		return;
	}
	q->next->bind_ordinal = q->batch_binds;
	track(q, e);
}

bool
qc_session_keeps_next(const Session *s)
{
	const QcSession *q = qc_of(s);

	return q && q->next != NULL;
}

bool
qc_session_capturing(const Session *s, const RelayEntry *e)
{
	const QcSession *q = qc_of(s);

	return q && inflight_slot(q, e->seq) >= 0;
}

void
qc_session_frame(Session *s, const RelayEntry *e, char type, const char *frame, size_t size, bool whole)
{
	QcSession  *q = qc_of(s);
	int			i = q ? inflight_slot(q, e->seq) : -1;

	if (i >= 0)
		qc_capture_frame(q->inflight[i], type, frame, size, whole);
}

static void
store(QcCapture *c)
{
	if (c->data.len > (size_t) pool_config->memqcache_maxcache)
	{
		plog(PL_LOG, "pool_add_temp_query_cache: data size exceeds memqcache_maxcache. current:0 requested:%zu memq_maxcache:%d",
			 c->data.len, pool_config->memqcache_maxcache);
		return;
	}
	if (!qc_store(&c->key, c->tables, c->ntables, c->as_of, c->data.data, c->data.len))
		plog(PL_DEBUG1, "query cache: answer not kept. statement: %s", c->text);
}

void
qc_session_keep(Session *s, QcCapture *c, char status)
{
	QcSession  *q = qc_of(s);

	if (status == 'I' && q->npending == 0)
	{
		store(c);
		capture_drop(c);
		return;
	}
	if (status != 'T' && status != 'I')
	{
		capture_drop(c);
		return;
	}
	q->pending = mem_realloc(q->pending, sizeof(QcCapture *) * (size_t) (q->npending + 1));
	q->pending[q->npending++] = c;
}

/* The transaction ended: keep its answers if it committed, stamp what it wrote. */
static void
end_transaction(QcSession *q)
{
	bool		committed = !q->tx_failed && q->tx_end != ROUTER_STMT_ROLLBACK &&
		q->tx_end != ROUTER_STMT_PREPARE_TRANSACTION;

	if (pool_config->memqcache_auto_cache_invalidation)
	{
		if (q->dirty_db)
			qc_invalidate_database(q->dirty_db_hash);
		else if (q->ndirty > 0)
			qc_invalidate_tables(q->dirty, q->ndirty);
	}
	for (int i = 0; i < q->npending; i++)
		if (committed)
			store(q->pending[i]);
	drop_pending(q);
	q->ndirty = 0;
	q->dirty_db = false;
	q->tx_failed = false;
	q->tx_end = ROUTER_STMT_UNPARSABLE;
}

void
qc_session_ready(Session *s, const RelayEntry *e, char status)
{
	QcSession  *q = qc_of(s);
	int			i;

	if (q == NULL)
		return;
	if ((i = inflight_slot(q, e->seq)) >= 0)
	{
		QcCapture  *c = q->inflight[i];

		q->inflight[i] = NULL;
		if (qc_capture_storable(c) && status != 'E')
			qc_session_keep(s, c, status);
		else
			capture_drop(c);
	}
	if (status == 'E')
		q->tx_failed = true;
	else if (status == 'I')
		q->end_pending = true;
}

void
qc_session_settle(Session *s)
{
	QcSession  *q = qc_of(s);

	/*
	 * Only once nothing is in flight: in native replication the other
	 * nodes (and pgpool's own COMMIT around a write) finish after the
	 * reply the client saw, and no node may still show the old rows.
	 */
	if (q == NULL || !relay_queue_empty(&s->multi->queue) || s->tx_status != 'I')
		return;
	if (q->end_pending || q->ndirty > 0 || q->dirty_db || q->npending > 0)
	{
		end_transaction(q);
		q->end_pending = false;
	}
}
