/*
 * multi_aborted.c: statements in an aborted transaction that pgpool
 * answers itself.
 *
 * While the client's transaction is aborted (its node said 'E'), PostgreSQL
 * refuses everything but the statements that end it.  When the transaction
 * failed on a standby (a read), the next statement would go to the primary
 * (nothing is balanced after an error), and when some node of the session
 * is not in the aborted state, that node would run it; in both cases pgpool
 * gives PostgreSQL's own answer itself: SQLSTATE 25P02 "current transaction is aborted,
 * commands ignored until end of transaction block", DETAIL with the
 * statement.  In the extended protocol the rest of the batch is skipped up
 * to its Sync, as PostgreSQL does after an error.  Only while the
 * transaction is aborted and nothing is in flight (the status is known).
 * Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "utils/log.h"

#include <string.h>

/* What PostgreSQL still runs in an aborted transaction. */
static bool
allowed_when_aborted(const StmtFacts *f)
{
	switch (f->kind)
	{
		case ROUTER_STMT_ROLLBACK:
		case ROUTER_STMT_COMMIT:
		case ROUTER_STMT_ROLLBACK_TO:
		case ROUTER_STMT_PREPARE_TRANSACTION:
		case ROUTER_STMT_EMPTY:
		case ROUTER_STMT_SHOW_POOL:
			return true;
		default:
			return false;
	}
}

/* The statement would reach a node that does not hold the aborted transaction. */
static bool
nodes_disagree(const Session *s)
{
	if (s->multi->aborted_node != s->multi->primary)
		return true;
	/* a node in the transaction whose part of it is still fine */
	NODE_MASK_FOREACH(&s->multi->connected, n)
		if (s->slot->backends[n].tx_status == 'T')
		return true;
	return false;
}

/* No reply the client waits for is in flight (pgpool's own requests may be). */
static bool
client_replies_done(Session *s)
{
	if (s->multi->batch != NULL)
		return false;
	for (int n = 0; n < MAX_BACKENDS; n++)
		if (relay_queue_leads(&s->multi->queue, n))
			return false;
	return true;
}

/* The statement text of a Query, Parse or Bind message; NULL if none. */
static const char *
statement_of(Session *s, char type, const char *msg, size_t len, size_t *sql_len)
{
	const char *name = msg + 5;
	size_t		name_len = strnlen(name, len - 5);

	if (type == PQ_FE_QUERY)
	{
		*sql_len = name_len;
		return name;
	}
	if (type == PQ_FE_PARSE && name_len + 6 < len)
	{
		*sql_len = strnlen(name + name_len + 1, len - 6 - name_len);
		return name + name_len + 1;
	}
	if (type == PQ_FE_BIND && name_len + 6 < len)
	{
		StmtInfo   *st = stmt_map_find(&s->multi->stmts, name + name_len + 1);

		if (st == NULL)
			return NULL;
		*sql_len = st->query_len;
		return st->query;
	}
	return NULL;
}

bool
multi_aborted_answer(Session *s, char type, const char *msg, size_t len)
{
	MultiState *m = s->multi;
	const char *sql;
	size_t		sql_len = 0;

	if (m->discard_until_sync)
	{
		if (type == PQ_FE_SYNC)
		{
			m->discard_until_sync = false;
			pq_put_ready_for_query(&s->client.wbuf, 'E');
			pq_conn_flush(&s->client, -1);
		}
		return true;
	}
	if (s->tx_status != 'E' || !client_replies_done(s) ||
		!multi_mode()->tx_sync)
		return false;
	if ((sql = statement_of(s, type, msg, len, &sql_len)) == NULL ||
		allowed_when_aborted(router_analyze(sql, sql_len)) || !nodes_disagree(s))
		return false;
	plog(PL_DEBUG1, "aborted transaction: pgpool refuses \"%.*s\"", (int) sql_len, sql);
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "ERROR", "25P02",
				 "current transaction is aborted, commands ignored until end of transaction block",
				 log_fmt("statement: %.*s", (int) sql_len, sql), NULL);
	if (type == PQ_FE_QUERY)
		pq_put_ready_for_query(&s->client.wbuf, 'E');
	else
		m->discard_until_sync = true;
	pq_conn_flush(&s->client, -1);
	return true;
}
