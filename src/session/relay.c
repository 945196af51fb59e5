/*
 * relay.c: the query loop of a session (raw and connection-pool mode).
 *
 * Bytes move in bulk: a read from either side is scanned for message
 * boundaries, only the few messages pgpool must see are looked at
 * (ReadyForQuery for transaction state, ParameterStatus for the pool's
 * saved values), and the whole chunk goes out in one write.  Messages
 * larger than RELAY_STREAM_THRESHOLD are streamed through without being
 * buffered whole.  Runs in a child process.
 */
#include "session/session.h"
#include "protocol/pq_frame.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "show/show.h"
#include "session/client_log.h"
#include "session/pgpool_cmd.h"
#include "utils/log.h"
#include "utils/ps_status.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#define RELAY_STREAM_THRESHOLD (64 * 1024)

/* The session has no request in flight: safe to pool, subject to idle limits. */
static inline bool
session_is_idle(const Session *s)
{
	return s->pending_sync == 0 && !s->unsynced && s->client_skip == 0;
}

static void
log_statement(Session *s, const char *what, const char *text)
{
	const BackendConn *b = &s->slot->backends[s->node];

	if (pool_config->log_statement)
		plog(PL_LOG, "statement: %s%s", what, text);
	if (pool_config->log_per_node_statement)
		plog(PL_LOG, "DB node id: %d backend pid: %d statement: %s%s", s->node, b->pid, what, text);
	if (pool_config->notice_per_node_statement)
		pq_put_error(&s->client.wbuf, PQ_BE_NOTICE_RESPONSE, "NOTICE", "00000",
					 log_fmt("DB node id: %d statement: %s%s", s->node, what, text), NULL, NULL);
}

/* Bookkeeping for one client message about to be forwarded. */
static void
note_client_message(Session *s, char type, const char *body, size_t len, bool whole)
{
	switch (type)
	{
		case PQ_FE_QUERY:
			s->pending_sync++;
			if (whole && (pool_config->log_statement || pool_config->log_per_node_statement ||
						  pool_config->notice_per_node_statement))
				log_statement(s, "", strnlen(body, len) < len ? body : "");
			break;
		case PQ_FE_SYNC:
			s->pending_sync++;
			s->unsynced = false;
			break;
		case PQ_FE_FUNCTION_CALL:
			s->pending_sync++;
			break;
		case PQ_FE_PARSE:
			s->unsynced = true;
			if (whole && (pool_config->log_statement || pool_config->log_per_node_statement ||
						  pool_config->notice_per_node_statement))
			{
				size_t		name_len = strnlen(body, len);

				if (name_len + 1 < len && strnlen(body + name_len + 1, len - name_len - 1) < len - name_len - 1)
					log_statement(s, "Parse: ", body + name_len + 1);
			}
			break;
		case PQ_FE_BIND:
		case PQ_FE_DESCRIBE:
		case PQ_FE_EXECUTE:
		case PQ_FE_CLOSE:
		case PQ_FE_FLUSH:
			s->unsynced = true;
			break;
		default:
			break;
	}
}

/* Move every complete (or streamable) client message into the backend's output buffer. */
static SessionStatus
take_client_input(Session *s, PqConn *backend)
{
	PqConn	   *c = &s->client;
	SessionStatus st;

	for (;;)
	{
		const char *p = c->rbuf + c->rpos;
		PqFrame		f = pq_frame_peek(p, pq_conn_buffered(c), s->client_skip);

		if (f.status == PQ_FRAME_NONE)
			break;
		if (f.status == PQ_FRAME_SKIP)
		{
			pqbuf_put_bytes(&backend->wbuf, p, f.size);
			c->rpos += pq_frame_take(&f, &s->client_skip);
			continue;
		}
		if ((st = session_check_client_header(s, f.type, f.len)) != SESSION_OK)
			return st;
		if (f.status == PQ_FRAME_WHOLE)
		{
			client_log_message(f.type, f.body, f.body_avail);
			note_client_message(s, f.type, f.body, f.body_avail, true);
			/* SHOW pool_* and PGPOOL commands: pgpool answers by rewriting them */
			if ((f.type != PQ_FE_QUERY && f.type != PQ_FE_PARSE) ||
				(!pgpool_cmd_rewrite_message(s, f.type, f.body, f.body_avail, s->pending_sync <= 1,
												 &backend->wbuf) &&
				 !show_rewrite_message(f.type, f.body, f.body_avail, &backend->wbuf)))
				pqbuf_put_bytes(&backend->wbuf, p, f.size);
			c->rpos += pq_frame_take(&f, &s->client_skip);
			continue;
		}
		if ((size_t) f.len + 1 < RELAY_STREAM_THRESHOLD)
			break;				/* wait for the rest: small enough to buffer */
		client_log_message(f.type, f.body, f.body_avail);
		note_client_message(s, f.type, NULL, 0, false);
		pqbuf_put_bytes(&backend->wbuf, p, f.size);
		c->rpos += pq_frame_take(&f, &s->client_skip);
	}
	return SESSION_OK;
}

static void
update_ps_title(const Session *s)
{
	const char *state = s->tx_status == 'I' ? "idle" :
		s->tx_status == 'E' ? "idle in transaction (aborted)" : "idle in transaction";

	ps_status_set("%s %s %s(%s) %s", s->startup.user, s->startup.database,
				  s->client_host, s->client_port, state);
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->state = s->tx_status == 'I' ?
			CHILD_STATE_IDLE : CHILD_STATE_IDLE_IN_TRANSACTION;
}

/* Look at the backend messages pgpool cares about; returns false on a malformed one. */
static void
note_backend_message(Session *s, char type, const char *body, size_t len)
{
	if (type == PQ_BE_READY_FOR_QUERY)
	{
		char		st = len > 0 ? body[0] : 'I';

		if (s->pending_sync > 0)
			s->pending_sync--;
		if (st != s->tx_status)
		{
			s->tx_status = st;
			update_ps_title(s);
		}
		s->slot->tx_status = st;
	}
	else if (type == PQ_BE_PARAMETER_STATUS)
	{
		size_t		n = strnlen(body, len);

		if (n + 1 < len && strnlen(body + n + 1, len - n - 1) < len - n - 1)
			pool_slot_set_param(s->slot, body, body + n + 1);
	}
}

static SessionStatus
backend_lost(Session *s, int rc)
{
	session_backend_failed(s->node);
	plog_ex(PL_LOG, log_fmt("node %d: %s", s->node, pq_io_status_text(rc)), NULL,
			"unable to read data from DB node %d", s->node);
	session_send_error(s, "FATAL", "08006", log_fmt("unable to read data from DB node %d", s->node),
					   "the backend closed the connection or failed");
	return SESSION_BACKEND_ERROR;
}

/* Read what the backend sent and pass it to the client. */
static SessionStatus
relay_backend_output(Session *s, PqConn *b)
{
	int			rc = pq_conn_fill(b, 0);
	const char *p;
	size_t		avail, pos = 0;

	if (rc == PQ_IO_TIMEOUT)
		return SESSION_OK;
	if (rc < 0)
		return backend_lost(s, rc);
	p = b->rbuf + b->rpos;
	avail = pq_conn_buffered(b);
	for (;;)
	{
		PqFrame		f = pq_frame_peek(p + pos, avail - pos, s->backend_skip);

		if (f.status == PQ_FRAME_NONE)
			break;
		if (f.status == PQ_FRAME_BAD)
			return backend_lost(s, PQ_IO_BAD_LENGTH);
		if (f.type == PQ_BE_READY_FOR_QUERY || f.type == PQ_BE_PARAMETER_STATUS)
		{
			if (f.status == PQ_FRAME_PART)
				break;			/* need it whole */
			if (f.status == PQ_FRAME_WHOLE)
				note_backend_message(s, f.type, f.body, f.body_avail);
		}
		pos += pq_frame_take(&f, &s->backend_skip);
	}
	if (pos > 0)
	{
		rc = pq_conn_send(&s->client, p, pos, -1);
		b->rpos += pos;
		if (rc != PQ_IO_OK)
			return SESSION_CLIENT_EOF;
	}
	return SESSION_OK;
}

/* The node this session uses was detached (failover or pcp_detach_node). */
static SessionStatus
node_detached(Session *s)
{
	plog(PL_LOG, "ending session of user \"%s\": DB node %d was detached", s->startup.user, s->node);
	session_send_error(s, "FATAL", "57P01",
					   log_fmt("terminating connection because DB node %d was detached", s->node), NULL);
	return SESSION_BACKEND_ERROR;
}

static SessionStatus
idle_limit_reached(Session *s)
{
	const char *msg = log_fmt("child connection forced to terminate due to client_idle_limit:%d is reached",
							  pool_config->client_idle_limit);

	plog(PL_LOG, "%s", msg);
	session_send_error(s, "FATAL", "57P01", msg, NULL);
	return SESSION_CLIENT_TIMEOUT;
}

static int64_t idle_since;

SessionStatus
session_relay(Session *s)
{
	PqConn	   *b = &s->slot->backends[s->node].conn;
	PqConn	   *c = &s->client;

	/* the node this session reads from, for SHOW pool_nodes and pcp_proc_info */
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->load_balance_node = s->node;
	update_ps_title(s);
	idle_since = 0;
	for (;;)
	{
		struct pollfd pfd[2];
		int			timeout = -1;
		int			rc;
		SessionStatus st = take_client_input(s, b);

		if (st != SESSION_OK)
			return st;
		if (b->wbuf.len > 0 && (rc = pq_conn_flush(b, -1)) != PQ_IO_OK)
			return backend_lost(s, rc);

		pfd[0].fd = c->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = b->fd;
		pfd[1].events = POLLIN;
		timeout = idle_timeout_ms(session_is_idle(s), &idle_since);
		if (pq_wait_sigmask)
		{
			struct timespec ts = {timeout / 1000, (long) (timeout % 1000) * 1000000L};

			rc = ppoll(pfd, 2, timeout < 0 ? NULL : &ts, pq_wait_sigmask);
		}
		else
			rc = poll(pfd, 2, timeout);
		if (rc < 0)
		{
			if (errno != EINTR)
				return backend_lost(s, PQ_IO_ERROR);
			if (session_interrupt)
				return SESSION_SHUTDOWN;
			if (session_nodes_changed && !node_is_up(s->node))
				return node_detached(s);
			continue;
		}
		if (rc == 0)
			return idle_limit_reached(s);
		if (pfd[1].revents)
		{
			st = relay_backend_output(s, b);
			if (st != SESSION_OK)
				return st;
		}
		if (pfd[0].revents)
		{
			rc = pq_conn_fill(c, 0);
			if (rc == PQ_IO_EOF || rc == PQ_IO_ERROR)
				return SESSION_CLIENT_EOF;
		}
	}
}

bool
session_can_pool(const Session *s)
{
	return s->poolable && session_is_idle(s) && s->backend_skip == 0;
}
