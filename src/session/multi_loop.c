/*
 * multi_loop.c: the poll loop of a multi-node session, and its set-up.
 *
 * Same shape as the single-node relay (relay.c): take whole client
 * messages, route them (multi_client.c), flush every node's output, wait
 * on the client and every node, hand what arrives to the reply side
 * (multi_relay.c).  What the mode does at the start of work and when a
 * node breaks or is detached is asked of multi_mode() (multi_mode.h).
 * Runs in a child process.
 */
#include "session/multi.h"
#include "protocol/pq_frame.h"
#include "multi_mode.h"
#include "session/query_cache.h"
#include "session/client_log.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define MULTI_STREAM_THRESHOLD (64 * 1024)

void
multi_init(Session *s)
{
	MultiState *m = mem_alloc0(sizeof(MultiState));
	int			primary = node_table->primary_node_id;

	relay_queue_init(&m->queue);
	stmt_map_init(&m->stmts);
	router_session_init(&m->router_session);
	node_mask_clear(&m->connected);
	for (int n = 0; n < node_table->num_backends; n++)
		if (s->slot->backends[n].connected)
			node_mask_add(&m->connected, n);
	m->primary = primary >= 0 && node_mask_has(&m->connected, primary) ? primary : s->slot->main_node;
	m->lost_primary = -1;
	s->multi = m;
	m->lb_node = multi_lb_choose(s);
	qc_session_init(s);
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->load_balance_node = m->lb_node;
}

void
multi_free(Session *s)
{
	if (s->multi == NULL)
		return;
	multi_si_end_session(s);
	qc_session_free(s);
	stmt_map_free(&s->multi->stmts);
	multi_route_free_trace(s->multi);
	multi_state_free(s->multi);
	for (int n = 0; n < MAX_BACKENDS; n++)
		if (s->multi->defer[n])
		{
			defer_out_free(s->multi->defer[n]);
			free(s->multi->defer[n]);
		}
	free(s->multi);
	s->multi = NULL;
}

static bool
session_idle(const Session *s)
{
	return relay_queue_empty(&s->multi->queue) && s->multi->batch == NULL && s->client_skip == 0;
}

/* The client starts a new transaction: online recovery may hold it; new nodes join first. */
static SessionStatus
start_of_work(Session *s)
{
	return multi_mode()->start_of_work(s, session_before_work());
}

/* Route every whole client message; large COPY data is streamed to its nodes. */
static SessionStatus
take_client_input(Session *s)
{
	PqConn	   *c = &s->client;
	SessionStatus st;

	while (!relay_queue_full(&s->multi->queue))
	{
		const char *p = c->rbuf + c->rpos;
		PqFrame		f = pq_frame_peek(p, pq_conn_buffered(c), s->client_skip);
		RelayEntry *e;

		if (f.status == PQ_FRAME_NONE)
			break;
		if (f.status == PQ_FRAME_SKIP)
		{
			/* the rest of a large COPY data message goes where its start went */
			if ((e = relay_queue_tail(&s->multi->queue)) != NULL)
				multi_send(s, &e->nodes, p, f.size);
			c->rpos += pq_frame_take(&f, &s->client_skip);
			continue;
		}
		if ((st = session_check_client_header(s, f.type, f.len)) != SESSION_OK)
			return st;
		if (s->multi->lost_primary >= 0)
		{
			int			taken;

			/* the primary failed: wait for the new one (multi_failover.c) */
			if ((st = multi_failover_resume(s, f.type, p, f.size, f.status == PQ_FRAME_WHOLE, &taken)) != SESSION_OK)
				return st;
			if (taken < 0)
				break;
			if (taken > 0)
			{
				client_log_message(f.type, f.body, f.body_avail);
				c->rpos += pq_frame_take(&f, &s->client_skip);
				continue;
			}
		}
		if (s->tx_status == 'I' && session_idle(s) && (st = start_of_work(s)) != SESSION_OK)
			return st;
		if (f.status == PQ_FRAME_PART)
		{
			/* only COPY data may be too large to buffer whole */
			if (f.type != PQ_FE_COPY_DATA || (size_t) f.len + 1 < MULTI_STREAM_THRESHOLD)
				break;
			multi_route_client_message(s, f.type, p, f.size);
			client_log_message(f.type, f.body, f.body_avail);
			c->rpos += pq_frame_take(&f, &s->client_skip);
			continue;
		}
		if (!multi_route_client_message(s, f.type, p, f.size))
			break;
		client_log_message(f.type, f.body, f.body_avail);
		c->rpos += pq_frame_take(&f, &s->client_skip);
	}
	return SESSION_OK;
}

static SessionStatus
node_lost(Session *s, int n)
{
	session_backend_failed(n);
	plog(PL_LOG, "unable to read data from DB node %d", n);
	session_send_error(s, "FATAL", "08006", log_fmt("unable to read data from DB node %d", n),
					   "the backend closed the connection or failed");
	return SESSION_BACKEND_ERROR;
}

/* The node matters to this session: the primary, its load-balance node, or owes it a reply. */
bool
multi_node_in_use(Session *s, int n)
{
	MultiState *m = s->multi;

	return n == m->primary || n == m->lb_node || n == s->slot->main_node ||
		relay_queue_current(&m->queue, n) != NULL;
}

void
multi_forget_node(Session *s, int n)
{
	MultiState *m = s->multi;
	BackendConn *b = &s->slot->backends[n];

	if (!node_mask_has(&m->connected, n))
		return;
	pq_conn_close(&b->conn);
	b->conn.fd = -1;
	b->connected = false;
	node_mask_remove(&m->connected, n);
	relay_queue_forget_node(&m->queue, n);
	multi_state_forget_node(m, n);
	if (m->defer[n])
		defer_out_clear(m->defer[n]);
	m->skip[n] = 0;
	if (m->lb_node == n)
		m->lb_node = multi_lb_choose(s);
	pool_slot_publish(s->slot);
}

/*
 * A node's connection broke.  A session that uses the node cannot go on;
 * one that only held a connection to it drops the connection and carries
 * on.  Which nodes a session can do without, and what becomes of the node,
 * is the mode's (multi_mode.h: native replication goes on without any node
 * but the main node, and degenerates it).
 */
static SessionStatus
lose_node(Session *s, int n)
{
	if (n == s->multi->primary && multi_failover_primary_lost(s, n, "its connection broke"))
		return SESSION_OK;
	if (multi_failover_standby_lost(s, n, true))
		return SESSION_OK;
	if (!multi_mode()->can_go_on_without(s, n))
		return node_lost(s, n);
	plog(PL_LOG, "session of user \"%s\" continues without DB node %d: its connection broke",
		 s->startup.user, n);
	multi_mode()->node_broke(n);
	multi_forget_node(s, n);
	return SESSION_OK;
}

/* Let every node consume what it has buffered until nothing moves. */
static SessionStatus
drain_nodes(Session *s)
{
	bool		progress = true;

	while (progress)
	{
		progress = false;
		NODE_MASK_FOREACH(&s->multi->connected, n)
		{
			SessionStatus st = multi_process_node(s, n, &progress);

			if (st == SESSION_BACKEND_ERROR && multi_failover_applies())
			{
				/* a backend's FATAL, or garbage: the node leaves, perhaps not the session */
				if ((st = lose_node(s, n)) != SESSION_OK)
					return st;
				progress = true;
				continue;
			}
			if (st == SESSION_BACKEND_ERROR)
				return node_lost(s, n);
			if (st != SESSION_OK)
				return st;
		}
	}
	/* completed requests may release what waited for them */
	multi_release_held(s);
	qc_session_settle(s);
	return SESSION_OK;
}

static SessionStatus
flush_nodes(Session *s)
{
	NODE_MASK_FOREACH(&s->multi->connected, n)
	{
		PqConn	   *b = &s->slot->backends[n].conn;

		if (b->wbuf.len > 0 && pq_conn_flush(b, -1) != PQ_IO_OK)
			return multi_failover_applies() ? lose_node(s, n) : node_lost(s, n);
	}
	return SESSION_OK;
}

/*
 * Some node was detached.  A session that reads from or writes to it, or
 * waits for its reply, ends; one that merely held a connection to it lets
 * the connection go and carries on.  In streaming replication mode a
 * session outlives its primary, and a standby it is not waiting for
 * (multi_failover.c).
 */
static SessionStatus
drop_detached_nodes(Session *s)
{
	MultiState *m = s->multi;

	m->adopt_pending = true;	/* a node may have come up too */
	NODE_MASK_FOREACH(&m->connected, n)
	{
		BackendConn *b = &s->slot->backends[n];

		if (node_is_up(n))
			continue;
		if (n == m->primary && multi_failover_primary_lost(s, n, "it was detached"))
			continue;
		if (multi_failover_standby_lost(s, n, false))
			continue;
		if (multi_mode()->forget_detached(s, n))
		{
			multi_forget_node(s, n);
			continue;
		}
		if (multi_node_in_use(s, n))
		{
			plog(PL_LOG, "ending session of user \"%s\": DB node %d was detached", s->startup.user, n);
			session_send_error(s, "FATAL", "57P01",
							   log_fmt("terminating connection because DB node %d was detached", n), NULL);
			return SESSION_BACKEND_ERROR;
		}
		pq_conn_close(&b->conn);
		b->conn.fd = -1;
		b->connected = false;
		node_mask_remove(&m->connected, n);
	}
	pool_slot_publish(s->slot);
	return SESSION_OK;
}

static int
wait_events(Session *s, struct pollfd *pfd, int *nodes, int *npfd)
{
	int			timeout = -1;
	int			k = 0;

	pfd[k].fd = relay_queue_full(&s->multi->queue) ? -1 : s->client.fd;
	pfd[k++].events = POLLIN;
	NODE_MASK_FOREACH(&s->multi->connected, n)
	{
		nodes[k] = n;
		pfd[k].fd = s->slot->backends[n].conn.fd;
		pfd[k++].events = POLLIN;
	}
	*npfd = k;
	timeout = idle_timeout_ms(session_idle(s), &s->multi->idle_since);
	if (pq_wait_sigmask)
	{
		struct timespec ts = {timeout / 1000, (long) (timeout % 1000) * 1000000L};

		return ppoll(pfd, k, timeout < 0 ? NULL : &ts, pq_wait_sigmask);
	}
	return poll(pfd, k, timeout);
}

SessionStatus
session_relay_multi(Session *s)
{
	struct pollfd pfd[MAX_BACKENDS + 1];
	int			nodes[MAX_BACKENDS + 1];

	for (;;)
	{
		int			npfd, rc;
		SessionStatus st = take_client_input(s);

		if (st == SESSION_OK)
			st = flush_nodes(s);
		if (st != SESSION_OK)
			return st;
		rc = wait_events(s, pfd, nodes, &npfd);
		if (rc < 0)
		{
			if (errno != EINTR)
				return SESSION_BACKEND_ERROR;
			if (session_interrupt)
				return SESSION_SHUTDOWN;
			if (session_nodes_changed && (st = drop_detached_nodes(s)) != SESSION_OK)
				return st;
			continue;
		}
		if (rc == 0)
		{
			const char *msg = session_idle_limit_is_recovery(s->multi->idle_since) ?
				log_fmt("child connection forced to terminate due to client_idle_limit_in_recovery:%d is reached",
						pool_config->client_idle_limit_in_recovery) :
				log_fmt("child connection forced to terminate due to client_idle_limit:%d is reached",
						pool_config->client_idle_limit);

			plog(PL_LOG, "%s", msg);
			session_send_error(s, "FATAL", "57P01", msg, NULL);
			return SESSION_CLIENT_TIMEOUT;
		}
		for (int k = 1; k < npfd; k++)
		{
			if (!pfd[k].revents)
				continue;
			rc = pq_conn_fill(&s->slot->backends[nodes[k]].conn, 0);
			if (rc < 0 && rc != PQ_IO_TIMEOUT && (st = lose_node(s, nodes[k])) != SESSION_OK)
				return st;
		}
		st = drain_nodes(s);
		if (st != SESSION_OK)
			return st;
		if (pfd[0].revents)
		{
			rc = pq_conn_fill(&s->client, 0);
			if (rc == PQ_IO_EOF || rc == PQ_IO_ERROR)
				return SESSION_CLIENT_EOF;
		}
	}
}

bool
multi_session_can_pool(const Session *s)
{
	/* a session still waiting for a new primary holds no connection to one */
	return session_idle(s) && s->multi->lost_primary < 0;
}
