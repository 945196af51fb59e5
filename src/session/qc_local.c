/*
 * qc_local.c: an extended-protocol portal answered from the query cache.
 *
 * A Bind whose answer is cached (and with nothing of the session in
 * flight) never reaches a backend: pgpool answers BindComplete, then the
 * portal's Describe (RowDescription), Execute (DataRows, PortalSuspended
 * when a row limit cuts it, CommandComplete) and Close, and the Sync with
 * ReadyForQuery in the session's transaction state.  Any other message
 * ends the local portal and goes its normal way; its replies follow what
 * was already written to the client, so the order holds.  Runs in children.
 */
#include "session/query_cache.h"
#include "protocol/pq_frame.h"
#include "qc_int.h"

#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

struct QcLocalRun
{
	char	   *data;			/* RowDescription, DataRows, CommandComplete */
	size_t		len;
	size_t		rows_at;		/* where the DataRows begin */
	size_t		pos;			/* next DataRow to send */
	char		portal[64];
};

static void
put_empty(PqBuf *b, char type)
{
	pqbuf_put_byte(b, (uint8_t) type);
	pqbuf_put_int32(b, 4);
}

/* Size of the frame at data[pos] (0 if none). */
static size_t
frame_at(const struct QcLocalRun *r, size_t pos, char *type)
{
	PqFrame		f = pq_frame_peek(r->data + pos, r->len - pos, 0);

	if (f.status != PQ_FRAME_WHOLE)
		return 0;
	*type = f.type;
	return f.size;
}

void
qc_local_open(Session *s, const char *data, size_t len, const char *portal)
{
	QcSession  *q = s->multi->qc;
	struct QcLocalRun *r = mem_alloc0(sizeof(*r));
	char		type = 0;

	r->data = mem_alloc(len ? len : 1);
	memcpy(r->data, data, len);
	r->len = len;
	r->rows_at = frame_at(r, 0, &type);
	if (type != PQ_BE_ROW_DESCRIPTION)
		r->rows_at = 0;
	r->pos = r->rows_at;
	str_copy(r->portal, portal, sizeof(r->portal));
	q->local = r;
	put_empty(&s->client.wbuf, PQ_BE_BIND_COMPLETE);
}

void
qc_local_close(Session *s)
{
	QcSession  *q = s->multi ? s->multi->qc : NULL;

	if (q == NULL || q->local == NULL)
		return;
	free(q->local->data);
	free(q->local);
	q->local = NULL;
}

/* Execute with a row limit (0: all): rows, then PortalSuspended or CommandComplete. */
static void
execute(Session *s, struct QcLocalRun *r, int32_t max_rows)
{
	int32_t		sent = 0;

	for (;;)
	{
		char		type = 0;
		size_t		n = frame_at(r, r->pos, &type);

		if (n == 0)
			return;
		if (type != PQ_BE_DATA_ROW)
		{
			pqbuf_put_bytes(&s->client.wbuf, r->data + r->pos, n);	/* CommandComplete */
			return;
		}
		if (max_rows > 0 && sent == max_rows)
		{
			put_empty(&s->client.wbuf, PQ_BE_PORTAL_SUSPENDED);
			return;
		}
		pqbuf_put_bytes(&s->client.wbuf, r->data + r->pos, n);
		r->pos += n;
		sent++;
	}
}

static bool
same_portal(const struct QcLocalRun *r, const char *name, size_t avail)
{
	return strnlen(name, avail) < avail && strcmp(name, r->portal) == 0;
}

bool
qc_local_message(Session *s, char type, const char *msg, size_t len)
{
	struct QcLocalRun *r = s->multi->qc->local;
	const char *body = msg + 5;
	size_t		blen = len - 5;

	switch (type)
	{
		case PQ_FE_DESCRIBE:
			if (blen < 2 || body[0] != 'P' || !same_portal(r, body + 1, blen - 1))
				break;
			pqbuf_put_bytes(&s->client.wbuf, r->data, r->rows_at);
			return true;
		case PQ_FE_EXECUTE:
			if (!same_portal(r, body, blen) || strlen(body) + 5 > blen)
				break;
			execute(s, r, pq_peek_int32(body + strlen(body) + 1));
			return true;
		case PQ_FE_CLOSE:
			if (blen < 2 || body[0] != 'P' || !same_portal(r, body + 1, blen - 1))
				break;
			put_empty(&s->client.wbuf, PQ_BE_CLOSE_COMPLETE);
			qc_local_close(s);
			return true;
		case PQ_FE_FLUSH:
			(void) pq_conn_flush(&s->client, -1);
			return true;
		case PQ_FE_SYNC:
			pqbuf_put_byte(&s->client.wbuf, PQ_BE_READY_FOR_QUERY);
			pqbuf_put_int32(&s->client.wbuf, 5);
			pqbuf_put_byte(&s->client.wbuf, (uint8_t) s->tx_status);
			qc_local_close(s);
			(void) pq_conn_flush(&s->client, -1);
			return true;
		default:
			break;
	}
	qc_local_close(s);
	return false;
}
