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
#include "multi_int.h"

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

static bool
significant(char type)
{
	return type != PQ_BE_NOTICE_RESPONSE && type != PQ_BE_PARAMETER_STATUS &&
		type != PQ_BE_NOTIFICATION && type != PQ_BE_READY_FOR_QUERY;
}

static void
lead_ready_for_query(Session *s, char status)
{
	router_session_txn_status(&s->multi->router_session, status);
	if (status != s->tx_status)
	{
		s->tx_status = status;
		ps_status_set("%s %s %s(%s) %s", s->startup.user, s->startup.database, s->client_host,
					  s->client_port, status == 'I' ? "idle" : "idle in transaction");
		if (proc_table && my_child_index >= 0)
			proc_info(my_child_index)->state = status == 'I' ?
				CHILD_STATE_IDLE : CHILD_STATE_IDLE_IN_TRANSACTION;
	}
	s->slot->tx_status = status;
}

static int
client_send(Session *s, const char *p, size_t n)
{
	if (n == 0)
		return PQ_IO_OK;
	return pq_conn_send(&s->client, p, n, -1);
}

/* Lead of the head entry: forward whole chunks up to and including its ReadyForQuery. */
static SessionStatus
forward_lead(Session *s, int n, RelayEntry *e, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	const char *p = b->rbuf + b->rpos;
	size_t		avail = pq_conn_buffered(b), pos = 0;
	int64_t    *skip = &s->multi->skip[n];

	while (pos < avail)
	{
		size_t		left = avail - pos;
		int32_t		len;
		char		type;

		if (*skip > 0)
		{
			size_t		take = left < (size_t) *skip ? left : (size_t) *skip;

			pos += take;
			*skip -= take;
			continue;
		}
		if (left < 5)
			break;
		type = p[pos];
		len = pq_peek_int32(p + pos + 1);
		if (len < 4)
			return SESSION_BACKEND_ERROR;
		if (type == PQ_BE_READY_FOR_QUERY)
		{
			if (left < 6)
				break;
			lead_ready_for_query(s, p[pos + 5]);
			/* one write for the reply and its ReadyForQuery: one wakeup for the client */
			if (client_send(s, p, e->drop_lead_rfq ? pos : pos + 6) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			b->rpos += pos + 6;
			relay_queue_node_done(&s->multi->queue, e, n);
			*progress = true;
			return SESSION_OK;
		}
		if (type == PQ_BE_PARAMETER_STATUS && (size_t) len + 1 <= left)
		{
			size_t		k = strnlen(p + pos + 5, len - 4);

			if (k + 1 < (size_t) len - 4)
				pool_slot_set_param(s->slot, p + pos + 5, p + pos + 5 + k + 1);
		}
		if ((size_t) len + 1 <= left)
			pos += (size_t) len + 1;
		else
		{
			*skip = (int64_t) len + 1 - (int64_t) left;
			pos = avail;
		}
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

	while (pq_conn_buffered(b) > 0)
	{
		const char *p = b->rbuf + b->rpos;
		size_t		left = pq_conn_buffered(b);
		int32_t		len;

		if (*skip > 0)
		{
			size_t		take = left < (size_t) *skip ? left : (size_t) *skip;

			b->rpos += take;
			*skip -= take;
			*progress = true;
			continue;
		}
		if (left < 5)
			break;
		len = pq_peek_int32(p + 1);
		if (len < 4)
			return SESSION_BACKEND_ERROR;
		if (e->kind[n] == 0 && significant(p[0]))
			e->kind[n] = p[0];
		if (p[0] == PQ_BE_READY_FOR_QUERY)
		{
			if (left < 6)
				break;
			b->rpos += 6;
			relay_queue_node_done(&s->multi->queue, e, n);
			*progress = true;
			return SESSION_OK;
		}
		if ((size_t) len + 1 <= left)
			b->rpos += (size_t) len + 1;
		else
		{
			*skip = (int64_t) len + 1 - (int64_t) left;
			b->rpos += left;
		}
		*progress = true;
	}
	return SESSION_OK;
}

/* Offset just past the first whole ReadyForQuery in the buffer and the reply's kind; 0 if none yet. */
static size_t
find_whole_reply(PqConn *b, char *kind)
{
	const char *p = b->rbuf + b->rpos;
	size_t		avail = pq_conn_buffered(b), pos = 0;

	*kind = 0;
	while (avail - pos >= 5)
	{
		int32_t		len = pq_peek_int32(p + pos + 1);

		if (len < 4 || (size_t) len + 1 > avail - pos)
			return 0;
		if (*kind == 0 && significant(p[pos]))
			*kind = p[pos];
		pos += (size_t) len + 1;
		if (p[pos - len - 1] == PQ_BE_READY_FOR_QUERY)
			return pos;
	}
	return 0;
}

static SessionStatus
report_mismatch(Session *s, RelayEntry *e, int lead, char lead_kind, const char *rfq)
{
	char		details[512];
	size_t		used = 0;
	PqBuf	   *out = &s->client.wbuf;

	details[0] = '\0';
	NODE_MASK_FOREACH(&e->nodes, n)
	{
		char		k = n == lead ? lead_kind : e->kind[n];

		used += snprintf(details + used, used < sizeof(details) ? sizeof(details) - used : 0,
						 "%s%d[%c]", used ? " " : "", n, k ? k : '-');
		if (used >= sizeof(details))
			break;
	}
	plog_ex(PL_LOG, log_fmt("kind details are: %s", details), NULL,
			"kind mismatch among backends. Possible last query was: \"%s\"", s->multi->last_query);
	pq_put_error(out, PQ_BE_ERROR_RESPONSE, "ERROR", "XX000",
				 log_fmt("kind mismatch among backends. Possible last query was: \"%s\" kind details are: %s",
						 s->multi->last_query, details),
				 NULL, "check data consistency among db nodes");
	if (!e->drop_lead_rfq)
		pqbuf_put_bytes(out, rfq, 6);
	return pq_conn_flush(&s->client, -1) == PQ_IO_OK ? SESSION_OK : SESSION_CLIENT_EOF;
}

/* Lead of a request several nodes ran: forward once every node answered alike. */
static SessionStatus
forward_held(Session *s, int n, RelayEntry *e, bool *progress)
{
	PqConn	   *b = node_conn(s, n);
	char		kind;
	size_t		end;
	SessionStatus st = SESSION_OK;
	bool		same = true;

	if (e != relay_queue_head(&s->multi->queue) || !relay_entry_others_done(e))
		return SESSION_OK;
	end = find_whole_reply(b, &kind);
	if (end == 0)
		return SESSION_OK;
	NODE_MASK_FOREACH(&e->nodes, o)
		if (o != n && e->kind[o] != kind &&
			(e->kind[o] == PQ_BE_ERROR_RESPONSE || kind == PQ_BE_ERROR_RESPONSE))
			same = false;
	lead_ready_for_query(s, b->rbuf[b->rpos + end - 1]);
	if (!same)
		st = report_mismatch(s, e, n, kind, b->rbuf + b->rpos + end - 6);
	else if (client_send(s, b->rbuf + b->rpos, e->drop_lead_rfq ? end - 6 : end) != PQ_IO_OK)
		st = SESSION_CLIENT_EOF;
	b->rpos += end;
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
