/*
 * multi_relay.c: replies of a multi-node session, in the client's order.
 *
 * For each node, the oldest queue entry still waiting for its
 * ReadyForQuery decides what its bytes are: the lead of the head entry is
 * forwarded in bulk; a lead of a later entry waits in its read buffer; any
 * other node's reply is read and dropped, its first significant message
 * type kept.  When several nodes ran the same request (hold), the lead's
 * whole reply is buffered until the others have answered and is forwarded
 * only if every node answered with the same kind.  Runs in a child process.
 */
#include "session/multi.h"
#include "protocol/pq_frame.h"
#include "multi_int.h"
#include "session/query_cache.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "utils/log.h"
#include "utils/ps_status.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

static PqConn *
node_conn(Session *s, int n)
{
	return &s->slot->backends[n].conn;
}

static void
lead_ready_for_query(Session *s, const RelayEntry *e, int n, char status)
{
	ryw_ready(s, e, n, status);
	router_session_txn_status(&s->multi->router_session, status);
	multi_tx_note_status(s, n, status);
	if (status == 'E' && s->tx_status != 'E')
		s->multi->aborted_node = n;
	if (status != s->tx_status)
	{
		s->tx_status = status;
		ps_status_set("%s %s %s(%s) %s", s->startup.user, s->startup.database, s->client_host,
					  s->client_port, status == 'I' ? "idle" : "idle in transaction");
	}
	/* every time: a request in flight published ACTIVE (online recovery watches it) */
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->state = status == 'I' ?
			CHILD_STATE_IDLE : CHILD_STATE_IDLE_IN_TRANSACTION;
	s->slot->tx_status = status;
	if (status == 'I')
		s->multi->ts_literal[0] = '\0';	/* the next transaction reads the clock anew */
}

static int
client_send(Session *s, const char *p, size_t n)
{
	if (n == 0)
		return PQ_IO_OK;
	return pq_conn_send(&s->client, p, n, -1);
}

/* Count one ParseComplete of e's lead; true if it answers a Parse of pgpool's own. */
static bool
drop_own_parse(RelayEntry *e)
{
	int			ordinal = e->parse_seen;

	if (e->parse_seen < UINT8_MAX)
		e->parse_seen++;
	return ordinal < 64 && ((e->drop_parse >> ordinal) & 1);
}

/* Lead of the head entry: forward whole chunks up to and including its ReadyForQuery. */
static SessionStatus
forward_lead(Session *s, int n, RelayEntry *e, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	const char *p = b->rbuf + b->rpos;
	size_t		avail = pq_conn_buffered(b), pos = 0;
	int64_t    *skip = &s->multi->skip[n];
	bool		capture = qc_session_capturing(s, e);

	for (;;)
	{
		PqFrame		f = pq_frame_peek(p + pos, avail - pos, *skip);

		if (f.status == PQ_FRAME_NONE)
			break;
		if (f.status == PQ_FRAME_BAD)
			return SESSION_BACKEND_ERROR;
		if (capture && f.status == PQ_FRAME_PART && (size_t) f.len < (size_t) pool_config->memqcache_maxcache)
			break;				/* the query cache keeps whole messages: wait for the rest */
		if (capture && f.status != PQ_FRAME_SKIP)
			qc_session_frame(s, e, f.type, p + pos, f.size, f.status == PQ_FRAME_WHOLE);
		if (f.type == PQ_BE_PARSE_COMPLETE && f.status == PQ_FRAME_WHOLE && drop_own_parse(e))
		{
			/* pgpool's own Parse: what came before goes out, this message does not */
			if (pos > 0 && client_send(s, p, pos) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			b->rpos += pos + f.size;
			p += pos + f.size;
			avail -= pos + f.size;
			pos = 0;
			*progress = true;
			continue;
		}
		if (f.type == PQ_BE_READY_FOR_QUERY && f.status != PQ_FRAME_SKIP)
		{
			if (f.body_avail < 1)
				break;
			char		status = f.body[0];

			qc_session_ready(s, e, status);
			lead_ready_for_query(s, e, n, status);
			/* one write for the reply and its ReadyForQuery: one wakeup for the client */
			if (client_send(s, p, e->drop_lead_rfq ? pos : pos + 6) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			b->rpos += pos + 6;
			multi_tx_reconcile(s, e, status);
			relay_queue_node_done(&s->multi->queue, e, n);
			*progress = true;
			return SESSION_OK;
		}
		if (f.type == PQ_BE_PARAMETER_STATUS && f.status == PQ_FRAME_WHOLE)
		{
			size_t		k = strnlen(f.body, f.body_avail);

			if (k + 1 < f.body_avail)
				pool_slot_set_param(s->slot, f.body, f.body + k + 1);
		}
		pos += pq_frame_take(&f, skip);
	}
	if (pos > 0)
	{
		if (client_send(s, p, pos) != PQ_IO_OK)
			return SESSION_CLIENT_EOF;
		b->rpos += pos;
		*progress = true;
	}
	return SESSION_OK;
}

/* A node whose reply the client does not see: read it, keep its kind, drop it. */
static SessionStatus
drop_reply(Session *s, int n, RelayEntry *e, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	int64_t    *skip = &s->multi->skip[n];

	for (;;)
	{
		PqFrame		f = pq_frame_peek(b->rbuf + b->rpos, pq_conn_buffered(b), *skip);

		if (f.status == PQ_FRAME_NONE)
			break;
		if (f.status == PQ_FRAME_BAD)
			return SESSION_BACKEND_ERROR;
		/* a CommandComplete and a ReadyForQuery are read whole: the tag carries the rows */
		if ((f.type == PQ_BE_COMMAND_COMPLETE || f.type == PQ_BE_READY_FOR_QUERY) &&
			f.status == PQ_FRAME_PART)
			break;
		if (f.status != PQ_FRAME_SKIP)
			relay_entry_note_message(e, n, f.type, f.body, f.body_avail);
		b->rpos += pq_frame_take(&f, skip);
		*progress = true;
		if (f.type == PQ_BE_READY_FOR_QUERY && f.status == PQ_FRAME_WHOLE)
		{
			if (f.body_avail >= 1)
				multi_tx_note_status(s, n, f.body[0]);
			relay_queue_node_done(&s->multi->queue, e, n);
			return SESSION_OK;
		}
	}
	return SESSION_OK;
}

/* Offset just past the first whole ReadyForQuery in the buffer; 0 if none yet. */
static size_t
find_whole_reply(PqConn *b, bool *failed)
{
	const char *p = b->rbuf + b->rpos;
	size_t		avail = pq_conn_buffered(b), pos = 0;
	int64_t		no_skip = 0;

	*failed = false;
	for (;;)
	{
		PqFrame		f = pq_frame_peek(p + pos, avail - pos, 0);

		if (f.status != PQ_FRAME_WHOLE)
			return 0;
		if (f.type == PQ_BE_ERROR_RESPONSE)
			*failed = true;
		pos += pq_frame_take(&f, &no_skip);
		if (f.type == PQ_BE_READY_FOR_QUERY)
			return pos;
	}
}

/* Note each message of the lead's whole reply p[0..end) on e. */
static void
note_lead_reply(RelayEntry *e, int n, const char *p, size_t end)
{
	int64_t		no_skip = 0;

	for (size_t pos = 0; pos < end;)
	{
		PqFrame		f = pq_frame_peek(p + pos, end - pos, 0);

		relay_entry_note_message(e, n, f.type, f.body, f.body_avail);
		pos += pq_frame_take(&f, &no_skip);
	}
}

/* Feed the lead's whole reply p[0..end) to the query cache's capture. */
static void
capture_lead_reply(Session *s, const RelayEntry *e, const char *p, size_t end)
{
	int64_t		no_skip = 0;

	for (size_t pos = 0; pos < end;)
	{
		PqFrame		f = pq_frame_peek(p + pos, end - pos, 0);

		qc_session_frame(s, e, f.type, p + pos, f.size, true);
		pos += pq_frame_take(&f, &no_skip);
	}
}

/* Forward the lead's reply as it is (the split-batch ReadyForQuery left out). */
static SessionStatus
send_lead_reply(Session *s, RelayEntry *e, const char *p, size_t end)
{
	return client_send(s, p, e->drop_lead_rfq ? end - 6 : end) == PQ_IO_OK ?
		SESSION_OK : SESSION_CLIENT_EOF;
}

/* Lead of a request several nodes ran: forward once every node answered alike. */
static SessionStatus
forward_held(Session *s, int n, RelayEntry *e, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	const char *p = b->rbuf + b->rpos;
	bool		failed;
	size_t		end = find_whole_reply(b, &failed);
	SessionStatus st;
	char		status;

	if (end == 0)
		return SESSION_OK;
	/* the lead has answered: the other nodes may run the request now */
	if (e->ordered && e->seq > s->multi->lead_answered)
	{
		if (failed)
			multi_fail_held(s, e);
		s->multi->lead_answered = e->seq;
		multi_release_held(s);
	}
	if (e != relay_queue_head(&s->multi->queue) || !relay_entry_others_done(e))
		return SESSION_OK;
	note_lead_reply(e, n, p, end);
	if (qc_session_capturing(s, e))
		capture_lead_reply(s, e, p, end);
	qc_session_ready(s, e, p[end - 1]);
	if (e->rfq_override)
		b->rbuf[b->rpos + end - 1] = e->rfq_override;
	status = p[end - 1];
	lead_ready_for_query(s, e, n, status);
	switch (multi_check_replies(s, e, p, end))
	{
		case REPLY_FORWARD:
			if (e->drop_parse)
			{
				PqBuf		kept;

				pqbuf_init(&kept);
				multi_drop_parse_completes(e, p, end, &kept);
				st = send_lead_reply(s, e, kept.data, kept.len);
				pqbuf_free(&kept);
			}
			else
				st = send_lead_reply(s, e, p, end);
			break;
		case REPLY_REPLACED:
			st = SESSION_OK;
			break;
		case REPLY_END_SESSION:
			st = SESSION_NODES_DIVERGED;
			break;
		case REPLY_CLIENT_GONE:
		default:
			st = SESSION_CLIENT_EOF;
			break;
	}
	b->rpos += end;
	if (st == SESSION_OK)
		multi_tx_reconcile(s, e, status);
	relay_queue_node_done(&s->multi->queue, e, n);
	*progress = true;
	return st;
}

/* Messages from a node with no request outstanding: notices and notifications. */
static SessionStatus
async_messages(Session *s, int n, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	PqMsg		msg;

	while (pq_conn_buffered(b) >= 5)
	{
		int32_t		len = pq_peek_int32(b->rbuf + b->rpos + 1);

		if (len < 4)
			return SESSION_BACKEND_ERROR;
		if ((size_t) len + 1 > pq_conn_buffered(b))
			break;
		if (pq_conn_read_message(b, &msg, PQ_MAX_MESSAGE_LENGTH, 0) != PQ_IO_OK)
			break;
		*progress = true;
		/*
		 * A backend's FATAL on its way out: in streaming replication mode
		 * the node leaves now, not the session (multi_failover.c), unless
		 * an administrator terminated the backend.
		 */
		if (msg.type == PQ_BE_ERROR_RESPONSE && multi_failover_applies() &&
			!multi_failover_admin_fatal(s, n, msg.body, msg.len))
			return SESSION_BACKEND_ERROR;
		/* LISTEN ran on the primary: its notifications are the session's */
		if (n == s->multi->primary)
		{
			pqbuf_put_byte(&s->client.wbuf, (uint8_t) msg.type);
			pqbuf_put_int32(&s->client.wbuf, (int32_t) msg.len + 4);
			pqbuf_put_bytes(&s->client.wbuf, msg.body, msg.len);
		}
	}
	return pq_conn_flush(&s->client, -1) == PQ_IO_OK ? SESSION_OK : SESSION_CLIENT_EOF;
}

SessionStatus
multi_process_node(Session *s, int n, bool *progress)
{
	for (;;)
	{
		RelayEntry *e = relay_queue_current(&s->multi->queue, n);
		bool		moved = false;
		SessionStatus st;

		if (pq_conn_buffered(node_conn(s, n)) == 0)
			return SESSION_OK;
		if (e == NULL)
			st = async_messages(s, n, &moved);
		else if (n != e->lead)
			st = drop_reply(s, n, e, &moved);
		else if (e->hold)
			st = forward_held(s, n, e, &moved);
		else if (e == relay_queue_head(&s->multi->queue))
			st = forward_lead(s, n, e, &moved);
		else
			st = SESSION_OK;	/* lead of a later request: wait for its turn */
		if (st != SESSION_OK)
			return st;
		if (!moved)
			return SESSION_OK;
		*progress = true;
	}
}
