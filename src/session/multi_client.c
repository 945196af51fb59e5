/*
 * multi_client.c: the handlers of the client's messages in a multi-node
 * session.
 *
 * Each request (simple Query, function call, or an extended batch up to
 * Sync) is routed (multi_route.c) to a node set and becomes one RelayQueue
 * entry; the batch rules are multi_batch.c's, the sending and holding
 * back multi_hold.c's, the reply side multi_relay.c's.  What differs by
 * clustering mode is asked of the session's mode (multi_mode.h).  Runs in
 * a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "session/query_cache.h"
#include "show/show.h"
#include "session/pgpool_cmd.h"
#include "utils/str.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>


/* Queue msg to nodes, rewritten first if it is a SHOW pool_* pgpool answers. */
static void
queue_statement(Session *s, const MultiRoute *r, const NodeMask *nodes, const char *msg, size_t len)
{
	if (r->show_pool)
	{
		PqBuf		rewritten;

		pqbuf_init(&rewritten);
		if (show_rewrite_message(msg[0], msg + 5, len - 5, &rewritten))
		{
			multi_send(s, nodes, rewritten.data, rewritten.len);
			pqbuf_free(&rewritten);
			return;
		}
		pqbuf_free(&rewritten);
	}
	multi_send(s, nodes, msg, len);
}

static void
log_node_statement(Session *s, const NodeMask *nodes, const char *what, const char *text)
{
	if (pool_config->log_statement)
		plog(PL_LOG, "statement: %s%s", what, text);
	if (pool_config->log_per_node_statement)
		NODE_MASK_FOREACH(nodes, n)
			plog(PL_LOG, "DB node id: %d backend pid: %d statement: %s%s", n,
				 s->slot->backends[n].pid, what, text);
	if (pool_config->notice_per_node_statement)
		NODE_MASK_FOREACH(nodes, n)
			pq_put_error(&s->client.wbuf, PQ_BE_NOTICE_RESPONSE, "NOTICE", "00000",
						 log_fmt("DB node id: %d statement: %s%s", n, what, text), NULL, NULL);
}

static bool
statement_logging(void)
{
	return pool_config->log_statement || pool_config->log_per_node_statement ||
		pool_config->notice_per_node_statement;
}

/*
 * PREPARE TRANSACTION runs on the primary only; the transaction BEGIN opened
 * on the other nodes must end there too, out of the client's sight.
 */
static bool
end_transaction_elsewhere(Session *s, const NodeMask *except)
{
	PqBuf		rollback;
	bool		ok = true;

	pqbuf_init(&rollback);
	pq_put_query(&rollback, "ROLLBACK");
	NODE_MASK_FOREACH(&s->multi->connected, n)
	{
		NodeMask	one = node_mask_single(n);

		if (node_mask_has(except, n))
			continue;
		if (relay_queue_push(&s->multi->queue, &one, -1) == NULL)
		{
			ok = false;
			break;
		}
		multi_send(s, &one, rollback.data, rollback.len);
	}
	pqbuf_free(&rollback);
	return ok;
}


/* A Query message carrying text instead of the client's. */
static void
put_query_text(PqBuf *out, const char *text)
{
	pqbuf_init(out);
	pq_put_query(out, text);
}

static bool
on_query(Session *s, const char *msg, size_t len)
{
	const char *sql = msg + 5;
	size_t		sql_len = strnlen(sql, len - 5);
	MultiRoute	r;
	RelayEntry *e;
	char	   *rewritten = NULL;
	bool		wrapped = false;
	PqBuf		q = {0};

	if (s->multi->qc && qc_session_query(s, sql, sql_len))
		return true;			/* answered from the query cache */
	if (!multi_mode()->ready(s, sql, sql_len))
		return false;			/* wait until the main node can be asked */
	r = multi_route_sql(s, sql, sql_len);
	if (s->multi->qc)
		qc_session_note(s, r.facts);
	if (s->multi->batch)
	{
		/* a simple Query inside an unsynced batch: keep it with the batch */
		r.nodes = s->multi->batch->nodes;
		r.lead = s->multi->batch->lead;
	}
	else
	{
		rewritten = multi_mode()->rewrite(s, &r);
		multi_mode()->open_write(s, &r, &wrapped);
	}
	if (!s->multi->batch)
		multi_prepared_ensure(s, r.facts, &r.nodes);
	e = relay_queue_push(&s->multi->queue, &r.nodes, r.lead);
	multi_batch_mark_entry(e, &r);
	ryw_note_sent(s, e, r.facts, r.write);
	qc_session_attach(s, e);
	if (wrapped)
		e->rfq_override = 'I';	/* the client did not open the transaction */
	if (rewritten)
	{
		put_query_text(&q, rewritten);
		msg = q.data;
		len = q.len;
		sql = rewritten;
	}
	str_copy(s->multi->last_query, sql, sizeof(s->multi->last_query));
	if (multi_tx_plain_begin_elsewhere(r.facts) && !s->multi->batch)
		multi_tx_send_begin(s, &r.nodes, PQ_FE_QUERY, msg, len);
	else
		queue_statement(s, &r, &r.nodes, msg, len);
	multi_tx_note_sent(s, r.facts, &r.nodes);
	if (statement_logging())
		log_node_statement(s, &r.nodes, "", sql);
	if (wrapped)
		multi_replicate_close(s);
	else if (r.facts->kind == ROUTER_STMT_BEGIN && !s->multi->batch)
		multi_mode()->after_begin(s);
	pqbuf_free(&q);
	free(rewritten);
	if (r.end_others_tx)
		return end_transaction_elsewhere(s, &r.nodes);
	return true;
}

static bool
on_parse(Session *s, const char *msg, size_t len)
{
	const char *name = msg + 5;
	size_t		name_len = strnlen(name, len - 5);
	const char *sql = name + name_len + 1;
	size_t		sql_len;
	MultiRoute	r;
	char	   *rewritten = NULL;
	PqBuf		p = {0};

	if (name_len + 6 > len)
		return false;
	sql_len = strnlen(sql, len - 6 - name_len);
	/* unnamed only: PQprepare of a named statement must report its errors itself */
	if (s->multi->qc && s->multi->batch == NULL && name_len == 0 && qc_session_defer_parse(s, sql, sql_len))
	{
		NodeMask	none;

		/* parsed where a Bind first needs it (see qc_session_defer_parse) */
		node_mask_clear(&none);
		stmt_map_put(&s->multi->stmts, name, msg, len, &none)->parse_seq = 0;
		pqbuf_put_byte(&s->client.wbuf, PQ_BE_PARSE_COMPLETE);
		pqbuf_put_int32(&s->client.wbuf, 4);
		return true;
	}
	if (!multi_mode()->ready(s, sql, sql_len))
		return false;			/* wait until the main node can be asked */
	r = multi_route_sql(s, sql, sql_len);
	if (r.facts->kind == ROUTER_STMT_BEGIN)
		s->multi->si_begin_in_batch = true;
	/*
	 * Only an unnamed statement's clock reads become a literal: a named one
	 * runs many times, and one value frozen into it would be wrong.
	 */
	/* a named statement's clock reads are made a literal at each Bind (multi_rebind.c) */
	if (name_len == 0 && (rewritten = multi_mode()->rewrite(s, &r)) != NULL)
	{
		const char *rest = sql + sql_len + 1;	/* parameter types */
		size_t		start = pq_begin_message(&p, PQ_FE_PARSE);

		pqbuf_put_string(&p, "");
		pqbuf_put_string(&p, rewritten);
		pqbuf_put_bytes(&p, rest, (size_t) (msg + len - rest));
		pq_end_message(&p, start);
		msg = p.data;
		len = p.len;
		sql = rewritten;
	}
	if (s->multi->batch == NULL)
		multi_prepared_ensure(s, r.facts, &r.nodes);
	if (!multi_batch_for(s, &r, false))
	{
		pqbuf_free(&p);
		free(rewritten);
		return false;
	}
	ryw_note_sent(s, s->multi->batch, r.facts, r.write);
	str_copy(s->multi->last_query, sql, sizeof(s->multi->last_query));
	stmt_map_put(&s->multi->stmts, name, msg, len, &s->multi->stmt_nodes)->parse_seq = s->multi->batch->seq;
	multi_rebind_count_parse(s);
	if (multi_tx_plain_begin_elsewhere(r.facts))
		multi_tx_send_begin(s, &s->multi->stmt_nodes, PQ_FE_PARSE, msg, len);
	else
		queue_statement(s, &r, &s->multi->stmt_nodes, msg, len);
	if (statement_logging())
		log_node_statement(s, &s->multi->stmt_nodes, "Parse: ", sql);
	pqbuf_free(&p);
	free(rewritten);
	return true;
}

/*
 * A statement whose Parse the query cache held back (parsed nowhere yet):
 * parse it in the open batch, its ParseComplete dropped (the client had
 * its answer), so a failing Parse reports its error in the batch.
 */
static void
parse_if_deferred(Session *s, StmtInfo *st, const NodeMask *nodes)
{
	if (!node_mask_empty(&st->parsed_on))
		return;
	multi_resend_unnamed(s, nodes, st);
	st->parsed_on = *nodes;
	st->parse_seq = s->multi->batch->seq;
}

/* Bind: run the statement where its own text routes now, parsing it there if needed. */
static bool
on_bind(Session *s, const char *msg, size_t len)
{
	const char *portal = msg + 5;
	const char *stmt_name = portal + strnlen(portal, len - 5) + 1;
	StmtInfo   *st = stmt_map_find(&s->multi->stmts, stmt_name);
	const StmtFacts *facts;
	MultiRoute	r;

	if (st && s->multi->qc)
	{
		if (qc_session_bind(s, st->query, st->query_len, msg, len))
			return true;		/* answered from the query cache */
		qc_session_note(s, router_analyze(st->query, st->query_len));
	}
	if (st && !multi_mode()->before_bind(s, st))
		return false;			/* back when the main node can be asked */
	if (st == NULL)
		r = multi_route_primary(s);	/* unknown to us: let the primary report the error */
	else if (s->multi->batch)
	{
		/* inside a batch: where the statement was parsed, among the batch's nodes */
		r.nodes = st->parsed_on;
		for (unsigned i = 0; i < sizeof(r.nodes.w) / sizeof(r.nodes.w[0]); i++)
			r.nodes.w[i] &= s->multi->batch->nodes.w[i];
		if (node_mask_empty(&r.nodes))
			r.nodes = s->multi->batch->nodes;
		r.lead = s->multi->batch->lead;
		r.write = false;
		r.show_pool = false;
		r.end_others_tx = false;
		r.ordered = false;
	}
	else
	{
		r = multi_route_sql(s, st->query, st->query_len);
		if (r.facts->kind == ROUTER_STMT_BEGIN)
			s->multi->si_begin_in_batch = true;
	}
	if (st && !node_mask_empty(&st->parsed_on) && !s->multi->batch && !multi_batch_reparse_on(s, st, &r.nodes))
		return false;
	if (!multi_batch_for(s, &r, true))
		return false;
	qc_session_count_bind(s, s->multi->batch);
	if (st)
		parse_if_deferred(s, st, &s->multi->stmt_nodes);
	/* pgpool's hidden queries that opened this batch destroyed the unnamed statement */
	if (st && st->name[0] == '\0' && s->multi->batch_hidden)
	{
		multi_resend_unnamed(s, &s->multi->stmt_nodes, st);
		s->multi->batch_hidden = false;
	}
	multi_mode()->send_bind(s, st, &s->multi->stmt_nodes, msg, len);
	facts = st ? router_analyze(st->query, st->query_len) : NULL;
	ryw_note_sent(s, s->multi->batch, facts, r.write);
	if (facts)
		multi_tx_note_sent(s, facts, &s->multi->stmt_nodes);
	return true;
}

/* Describe, Execute, Close, Flush: with the open batch, or a new one on the primary. */
static bool
on_batch_message(Session *s, char type, const char *msg, size_t len)
{
	if (s->multi->batch == NULL)
	{
		MultiRoute	r = multi_route_primary(s);

		if (type == PQ_FE_DESCRIBE || type == PQ_FE_CLOSE)
		{
			/* statement-level: where the statement lives */
			StmtInfo   *st = len > 6 && msg[5] == 'S' ? stmt_map_find(&s->multi->stmts, msg + 6) : NULL;

			if (st && !node_mask_empty(&st->parsed_on))
			{
				r.nodes = st->parsed_on;
				r.lead = node_mask_has(&st->parsed_on, s->multi->primary) ? s->multi->primary : -1;
				if (r.lead < 0)
					NODE_MASK_FOREACH(&st->parsed_on, n)
					{
						r.lead = n;
						break;
					}
				r.write = false;
			}
		}
		if (!multi_batch_for(s, &r, true))
			return false;
	}
	if (type == PQ_FE_DESCRIBE && len > 6 && msg[5] == 'S')
	{
		StmtInfo   *st = stmt_map_find(&s->multi->stmts, msg + 6);

		if (st)
			parse_if_deferred(s, st, &s->multi->batch->nodes);
	}
	if (type == PQ_FE_CLOSE && len > 6 && msg[5] == 'S')
		stmt_map_remove(&s->multi->stmts, msg + 6);
	/* Describe and Execute belong to the current statement; Close and Flush to every node */
	multi_send(s, type == PQ_FE_DESCRIBE || type == PQ_FE_EXECUTE ?
				  &s->multi->stmt_nodes : &s->multi->batch->nodes, msg, len);
	return true;
}

static bool
on_sync(Session *s, const char *msg, size_t len)
{
	if (s->multi->batch == NULL && s->multi->qc && relay_queue_empty(&s->multi->queue))
	{
		/* nothing reached a backend since its last ReadyForQuery (a held-back Parse) */
		pqbuf_put_byte(&s->client.wbuf, PQ_BE_READY_FOR_QUERY);
		pqbuf_put_int32(&s->client.wbuf, 5);
		pqbuf_put_byte(&s->client.wbuf, (uint8_t) s->tx_status);
		(void) pq_conn_flush(&s->client, -1);	/* a client gone shows at its next read */
		return true;
	}
	if (s->multi->batch == NULL)
	{
		MultiRoute	r = multi_route_primary(s);

		r.write = false;
		if (!multi_batch_for(s, &r, true))
			return false;
	}
	multi_send(s, &s->multi->batch->nodes, msg, len);
	s->multi->batch->open = false;
	s->multi->batch = NULL;
	s->multi->batch_locked = false;
	if (s->multi->si_begin_in_batch)
	{
		s->multi->si_begin_in_batch = false;
		multi_mode()->after_begin(s);
	}
	if (s->multi->batch_wrapped)
	{
		s->multi->batch_wrapped = false;
		return multi_replicate_close(s);
	}
	return true;
}

static bool
on_function_call(Session *s, const char *msg, size_t len)
{
	MultiRoute	r = multi_route_primary(s);
	RelayEntry *e;
	PqBuf		call = {0};

	/* a function call may write (large objects): where it runs is the mode's */
	if (!multi_mode()->function_call(s, &r, &msg, &len, &call))
		return false;
	e = relay_queue_push(&s->multi->queue, &r.nodes, r.lead);
	e->ordered = e->hold && r.ordered;
	ryw_note_sent(s, e, NULL, true);	/* a function call may write (large objects) */
	multi_send(s, &r.nodes, msg, len);
	pqbuf_free(&call);
	return true;
}

/* COPY data and anything else without a reply of its own follows the newest request. */
static void
on_follow_message(Session *s, const char *msg, size_t len)
{
	RelayEntry *e = relay_queue_tail(&s->multi->queue);
	NodeMask	nodes = e ? e->nodes : node_mask_single(s->multi->primary);

	multi_send(s, &nodes, msg, len);
}

/*
 * A PGPOOL command: carried out once the requests before it are answered,
 * then its stand-in statement is routed like any other.
 */
static bool
on_pgpool_command(Session *s, char type, const char *msg, size_t len)
{
	bool		idle = relay_queue_head(&s->multi->queue) == NULL;
	PqBuf		out;
	bool		ok;

	if (!idle && s->multi->batch == NULL)
		return false;
	pqbuf_init(&out);
	pgpool_cmd_rewrite_message(s, type, msg + 5, len - 5, idle, &out);
	ok = multi_route_client_message(s, type, out.data, out.len);
	pqbuf_free(&out);
	return ok;
}

bool
multi_route_client_message(Session *s, char type, const char *msg, size_t len)
{
	/* room for pgpool's own requests around this one and for re-parses on every node */
	if (relay_queue_room(&s->multi->queue) < 6 + node_mask_count(&s->multi->connected))
		return false;
	if (s->multi->qc && qc_session_local(s, type, msg, len))
		return true;			/* a portal answered from the query cache */
	if ((type == PQ_FE_QUERY || type == PQ_FE_PARSE) && pgpool_cmd_in_message(type, msg + 5, len - 5))
		return on_pgpool_command(s, type, msg, len);
	if (multi_aborted_answer(s, type, msg, len))
		return true;			/* pgpool gave PostgreSQL's 25P02 itself */
	switch (type)
	{
		case PQ_FE_QUERY:
			return on_query(s, msg, len);
		case PQ_FE_PARSE:
			return on_parse(s, msg, len);
		case PQ_FE_BIND:
			return on_bind(s, msg, len);
		case PQ_FE_DESCRIBE:
		case PQ_FE_EXECUTE:
		case PQ_FE_CLOSE:
		case PQ_FE_FLUSH:
			return on_batch_message(s, type, msg, len);
		case PQ_FE_SYNC:
			return on_sync(s, msg, len);
		case PQ_FE_FUNCTION_CALL:
			return on_function_call(s, msg, len);
		default:
			on_follow_message(s, msg, len);
			return true;
	}
}
