/*
 * reset.c: make a backend connection fit for the next client.
 *
 * reset_query_list (default "ABORT; DISCARD ALL") runs when a client
 * leaves; ABORT only on a node inside a transaction (the client's status,
 * or the node's own last ReadyForQuery in a multi-node session), since
 * outside one it would only add a warning, and on such a node always,
 * first, even when the list lacks it (DISCARD ALL fails in a transaction).  All queries go out in one write and the replies are
 * drained up to the last ReadyForQuery.  Any error or timeout means the
 * connection is closed rather than pooled.
 */
#include "session/session.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RESET_TIMEOUT_MS 10000

static bool
is_abort(const char *q)
{
	return strcasecmp(q, "ABORT") == 0 || strcasecmp(q, "ROLLBACK") == 0;
}

/* Queue the reset queries for one backend; returns how many were queued. */
static int
queue_reset_queries(PqConn *conn, const char *list, char tx_status)
{
	char	   *copy = str_dup(list ? list : "");
	char	   *queries[64];
	int			n = str_split(copy, ';', queries, 64);
	int			queued = 0;

	/* a node left inside a transaction is rolled back first, whatever the list says */
	if (tx_status != 'I' && (n == 0 || !is_abort(queries[0])))
	{
		pq_put_query(&conn->wbuf, "ABORT");
		queued++;
	}
	for (int i = 0; i < n; i++)
	{
		if (is_abort(queries[i]) && tx_status == 'I')
			continue;
		pq_put_query(&conn->wbuf, queries[i]);
		queued++;
	}
	free(copy);
	return queued;
}

/* Drain replies until `expected` ReadyForQuery messages; false on any error. */
static bool
drain_replies(PoolSlot *slot, BackendConn *b, int expected)
{
	bool		ok = true;

	while (expected > 0)
	{
		PqMsg		msg;
		int			rc = pq_conn_read_message(&b->conn, &msg, PQ_MAX_MESSAGE_LENGTH, RESET_TIMEOUT_MS);

		if (rc != PQ_IO_OK)
			return false;
		switch (msg.type)
		{
			case PQ_BE_READY_FOR_QUERY:
				expected--;
				slot->tx_status = msg.len > 0 ? msg.body[0] : 'I';
				b->tx_status = slot->tx_status;
				break;
			case PQ_BE_ERROR_RESPONSE:
				{
					PqErrorFields f;

					if (pq_parse_error(msg.body, msg.len, &f))
						plog(PL_LOG, "reset query failed on backend pid %d: %s", b->pid,
							 f.message ? f.message : "");
					ok = false;
					break;
				}
			case PQ_BE_PARAMETER_STATUS:
				{
					PqReader	r;
					const char *name, *value;

					pq_reader_init(&r, msg.body, msg.len);
					name = pq_get_string(&r);
					value = pq_get_string(&r);
					if (name && value)
						pool_slot_set_param(slot, name, value);
					break;
				}
			default:
				break;
		}
	}
	return ok && slot->tx_status == 'I';
}

bool
session_reset_backends(PoolSlot *slot, const char *reset_query_list)
{
	/* every node was in the client's transaction state: the first reset must not hide it */
	char		status = slot->tx_status;

	for (int n = 0; n < MAX_BACKENDS; n++)
	{
		BackendConn *b = &slot->backends[n];
		int			queued;

		if (!b->connected)
			continue;
		queued = queue_reset_queries(&b->conn, reset_query_list,
									 b->tx_status && b->tx_status != 'I' ? b->tx_status : status);
		if (queued == 0)
			continue;
		if (pq_conn_flush(&b->conn, RESET_TIMEOUT_MS) != PQ_IO_OK)
			return false;
		if (!drain_replies(slot, b, queued))
			return false;
	}
	return true;
}
