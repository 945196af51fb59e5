/*
 * multi_client.c: where the client's messages go in a multi-node session.
 *
 * Each request (simple Query, function call, or an extended batch up to
 * Sync) is routed to a node set and becomes one RelayQueue entry; the
 * reply side is multi_relay.c.  A batch stays on one node set; if a later
 * message of the batch needs other nodes, the batch is ended there with a
 * Sync whose ReadyForQuery the client never sees, and a new one begins.
 * A prepared statement needed on a node that lacks it is parsed there
 * again first.  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "show/show.h"
#include "utils/str.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

static PqConn *
node_conn(Session *s, int n)
{
	return &s->slot->backends[n].conn;
}

void
multi_send(Session *s, const NodeMask *nodes, const char *msg, size_t len)
{
	MultiState *m = s->multi;
	const RelayEntry *e = relay_queue_tail(&m->queue);

	NODE_MASK_FOREACH(nodes, n)
	{
		DeferOut   *d = m->defer[n];

		if (e && e->ordered && n != e->lead)
		{
			if (d == NULL)
			{
				d = m->defer[n] = mem_alloc0(sizeof(DeferOut));
				defer_out_init(d);
			}
			defer_out_hold(d, e->seq, msg, len);
		}
		else if (d && defer_out_pending(d))
			defer_out_follow(d, msg, len);	/* keep the node's messages in order */
		else
			pqbuf_put_bytes(&node_conn(s, n)->wbuf, msg, len);
	}
}

void
multi_release_held(Session *s, const RelayEntry *e)
{
	MultiState *m = s->multi;

	NODE_MASK_FOREACH(&m->connected, n)
		if (m->defer[n] && defer_out_pending(m->defer[n]))
			defer_out_release(m->defer[n], e->seq, &node_conn(s, n)->wbuf);
}

static const char sync_msg[] = {'S', 0, 0, 0, 4};

/* Parse an already-known statement again on nodes that lack it; the replies are dropped. */
static bool
reparse_on(Session *s, StmtInfo *st, const NodeMask *need)
{
	MultiState *m = s->multi;

	NODE_MASK_FOREACH(need, n)
	{
		NodeMask	one;

		if (node_mask_has(&st->parsed_on, n))
			continue;
		one = node_mask_single(n);
		if (relay_queue_push(&m->queue, &one, -1) == NULL)
			return false;
		multi_send(s, &one, st->parse_msg.data, st->parse_msg.len);
		multi_send(s, &one, sync_msg, sizeof(sync_msg));
		node_mask_add(&st->parsed_on, n);
		plog(PL_DEBUG1, "statement \"%s\" parsed again on node %d", st->name, n);
	}
	return true;
}

/* Open a batch on route r, or keep using the open one; false if the queue is full. */
static bool
batch_for(Session *s, const MultiRoute *r)
{
	MultiState *m = s->multi;
	RelayEntry *e;

	/*
	 * A batch that holds the primary never moves: ending it early would
	 * commit its implicit transaction behind the client's back.  A statement
	 * routed elsewhere then runs on the primary (the batch's lead).
	 */
	if (m->batch && (node_mask_subset(&r->nodes, &m->batch->nodes) ||
					 node_mask_has(&m->batch->nodes, m->primary)))
	{
		/*
		 * Only the statement's own nodes run it (a write inside "BEGIN; UPDATE"
		 * must not reach a standby), plus the lead, whose reply the client reads.
		 */
		m->stmt_nodes = r->nodes;
		for (unsigned i = 0; i < sizeof(m->stmt_nodes.w) / sizeof(m->stmt_nodes.w[0]); i++)
			m->stmt_nodes.w[i] &= m->batch->nodes.w[i];
		node_mask_add(&m->stmt_nodes, m->batch->lead);
		m->batch->ordered |= r->ordered && m->batch->hold;
		return true;
	}
	if (m->batch)
	{
		/* a standby's read-only batch must move: end it here, its ReadyForQuery is not the client's */
		multi_send(s, &m->batch->nodes, sync_msg, sizeof(sync_msg));
		m->batch->open = false;
		m->batch->drop_lead_rfq = true;
		m->batch = NULL;
	}
	e = relay_queue_push(&m->queue, &r->nodes, r->lead);
	if (e == NULL)
		return false;
	e->open = true;
	e->ordered = r->ordered && e->hold;
	m->batch = e;
	m->stmt_nodes = r->nodes;
	return true;
}

static MultiRoute
route_primary(Session *s)
{
	MultiRoute	r;

	r.nodes = node_mask_single(s->multi->primary);
	r.lead = s->multi->primary;
	r.write = true;
	r.show_pool = false;
	r.end_others_tx = false;
	r.ordered = false;
	r.reason = "primary";
	return r;
}

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

static bool
on_query(Session *s, const char *msg, size_t len)
{
	const char *sql = msg + 5;
	size_t		sql_len = strnlen(sql, len - 5);
	MultiRoute	r = multi_route_sql(s, sql, sql_len);
	RelayEntry *e;

	if (s->multi->batch)
	{
		/* a simple Query inside an unsynced batch: keep it with the batch */
		r.nodes = s->multi->batch->nodes;
		r.lead = s->multi->batch->lead;
	}
	e = relay_queue_push(&s->multi->queue, &r.nodes, r.lead);
	if (e == NULL)
		return false;
	e->ordered = r.ordered && e->hold;
	str_copy(s->multi->last_query, sql, sizeof(s->multi->last_query));
	queue_statement(s, &r, &r.nodes, msg, len);
	if (statement_logging())
		log_node_statement(s, &r.nodes, "", sql);
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
	MultiRoute	r;

	if (name_len + 6 > len)
		return false;
	r = multi_route_sql(s, sql, strnlen(sql, len - 6 - name_len));
	if (!batch_for(s, &r))
		return false;
	str_copy(s->multi->last_query, sql, sizeof(s->multi->last_query));
	stmt_map_put(&s->multi->stmts, name, msg, len, &s->multi->stmt_nodes);
	queue_statement(s, &r, &s->multi->stmt_nodes, msg, len);
	if (statement_logging())
		log_node_statement(s, &s->multi->stmt_nodes, "Parse: ", sql);
	return true;
}

/* Bind: run the statement where its own text routes now, parsing it there if needed. */
static bool
on_bind(Session *s, const char *msg, size_t len)
{
	const char *portal = msg + 5;
	const char *stmt_name = portal + strnlen(portal, len - 5) + 1;
	StmtInfo   *st = stmt_map_find(&s->multi->stmts, stmt_name);
	MultiRoute	r;

	if (st == NULL)
		r = route_primary(s);	/* unknown to us: let the primary report the error */
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
		r = multi_route_sql(s, st->query, st->query_len);
	if (st && !s->multi->batch && !reparse_on(s, st, &r.nodes))
		return false;
	if (!batch_for(s, &r))
		return false;
	multi_send(s, &s->multi->stmt_nodes, msg, len);
	return true;
}

/* Describe, Execute, Close, Flush: with the open batch, or a new one on the primary. */
static bool
on_batch_message(Session *s, char type, const char *msg, size_t len)
{
	if (s->multi->batch == NULL)
	{
		MultiRoute	r = route_primary(s);

		if (type == PQ_FE_DESCRIBE || type == PQ_FE_CLOSE)
		{
			/* statement-level: where the statement lives */
			StmtInfo   *st = len > 6 && msg[5] == 'S' ? stmt_map_find(&s->multi->stmts, msg + 6) : NULL;

			if (st)
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
		if (!batch_for(s, &r))
			return false;
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
	if (s->multi->batch == NULL)
	{
		MultiRoute	r = route_primary(s);

		r.write = false;
		if (!batch_for(s, &r))
			return false;
	}
	multi_send(s, &s->multi->batch->nodes, msg, len);
	s->multi->batch->open = false;
	s->multi->batch = NULL;
	return true;
}

static bool
on_function_call(Session *s, const char *msg, size_t len)
{
	MultiRoute	r = route_primary(s);
	RelayEntry *e;

	/* a function call may write (large objects): replicated like a write */
	if (strategy_current()->replicate_writes)
		r.nodes = s->multi->connected;
	e = relay_queue_push(&s->multi->queue, &r.nodes, r.lead);
	if (e == NULL)
		return false;
	e->ordered = e->hold && strategy_current()->replicate_writes;
	multi_send(s, &r.nodes, msg, len);
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

bool
multi_route_client_message(Session *s, char type, const char *msg, size_t len)
{
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
