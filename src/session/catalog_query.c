/*
 * catalog_query.c: one short catalog query on a node of the session, over
 * the session's own connection while that node has nothing in flight, so
 * the answer sees the session's search_path and temporary tables.
 *
 * Used by the routing catalog cache (relcache.c) and by native
 * replication's table facts (table_facts.c).  Runs in a child process;
 * the rows belong to the caller (catalog_rows_free).
 */
#include "session/multi.h"
#include "multi_int.h"

#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

#define CATALOG_TIMEOUT_MS 10000

bool
multi_node_idle(Session *s, int n)
{
	MultiState *m = s->multi;

	return node_mask_has(&m->connected, n) && relay_queue_current(&m->queue, n) == NULL &&
		(m->batch == NULL || !node_mask_has(&m->batch->nodes, n)) &&
		(m->defer[n] == NULL || !defer_out_pending(m->defer[n]));
}

void
catalog_put_literal(PqBuf *b, const char *s)
{
	pqbuf_put_byte(b, 'E');
	pqbuf_put_byte(b, '\'');
	for (; *s; s++)
	{
		if (*s == '\'' || *s == '\\')
			pqbuf_put_byte(b, (uint8_t) *s);
		pqbuf_put_byte(b, (uint8_t) *s);
	}
	pqbuf_put_byte(b, '\'');
}

/* Append the text values of one DataRow (ncols of them) to rows. */
static void
take_row(CatalogRows *rows, const PqMsg *msg)
{
	PqReader	r;
	int			n;

	pq_reader_init(&r, msg->body, msg->len);
	n = pq_get_int16(&r);
	rows->cells = mem_realloc(rows->cells, sizeof(char *) * (size_t) (rows->nrows + 1) * rows->ncols);
	for (int c = 0; c < rows->ncols; c++)
	{
		int32_t		len = c < n ? pq_get_int32(&r) : -1;
		const char *v = len >= 0 ? pq_get_bytes(&r, (size_t) len) : NULL;

		rows->cells[rows->nrows * rows->ncols + c] = v ? str_ndup(v, (size_t) len) : NULL;
	}
	rows->nrows++;
}

bool
catalog_query(Session *s, int n, const char *sql, int ncols, CatalogRows *rows)
{
	PqConn	   *b = &s->slot->backends[n].conn;
	bool		ok = true;

	memset(rows, 0, sizeof(*rows));
	rows->ncols = ncols;
	pq_put_query(&b->wbuf, sql);
	if (pq_conn_flush(b, CATALOG_TIMEOUT_MS) != PQ_IO_OK)
		return false;
	for (;;)
	{
		PqMsg		msg;

		if (pq_conn_read_message(b, &msg, PQ_MAX_MESSAGE_LENGTH, CATALOG_TIMEOUT_MS) != PQ_IO_OK)
			return false;
		if (msg.type == PQ_BE_DATA_ROW)
			take_row(rows, &msg);
		else if (msg.type == PQ_BE_ERROR_RESPONSE)
			ok = false;
		else if (msg.type == PQ_BE_READY_FOR_QUERY)
			return ok;
	}
}

void
catalog_rows_free(CatalogRows *rows)
{
	for (int i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cells[i]);
	free(rows->cells);
	memset(rows, 0, sizeof(*rows));
}
