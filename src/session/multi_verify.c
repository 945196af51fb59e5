/*
 * multi_verify.c: what a session does when the nodes that ran a request
 * did not answer alike.
 *
 * Kind mismatch (some nodes failed, others did not): the client gets
 * "kind mismatch among backends" with each node's reply kind.  In native
 * replication with replication_stop_on_mismatch the nodes that differ from
 * the majority are degenerated and the session goes on without them;
 * without it the session ends, since its nodes no longer share one
 * transaction state (no node is degenerated).  Other modes only run
 * transaction control on several nodes: the client gets the error and the
 * session goes on, as before.
 *
 * Affected-rows mismatch (INSERT/UPDATE/DELETE counts differ): the client
 * gets a WARNING with the lead's reply; with
 * failover_if_affected_tuples_mismatch the minority is degenerated.
 * Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "config/config.h"
#include "session/reply_compare.h"
#include "utils/log.h"

#include <string.h>

/* Detach every node of minority and go on without them in this session. */
static void
degenerate(Session *s, const NodeMask *minority, const char *why)
{
	NODE_MASK_FOREACH(minority, n)
	{
		plog_ex(PL_LOG, log_fmt("possible last query was: \"%s\"", s->multi->last_query), NULL,
				"%s: degenerating DB node %d", why, n);
		session_degenerate_node(n);
		if (n != s->multi->primary)
			multi_forget_node(s, n);
	}
}

static bool
send_to_client(Session *s)
{
	return pq_conn_flush(&s->client, -1) == PQ_IO_OK;
}

/*
 * The replicating modes' kind_mismatch (multi_mode.h): the nodes no
 * longer hold the same data.  The session ends (FATAL) unless
 * replication_stop_on_mismatch detached the minority and the main node
 * is not among it.
 */
ReplyAction
multi_verify_kind_mismatch(Session *s, RelayEntry *e, const NodeMask *minority, const char *rfq)
{
	char		details[512];
	const char *msg;
	bool		go_on;

	reply_kind_details(e, details, sizeof(details));
	msg = log_fmt("kind mismatch among backends. Possible last query was: \"%s\" kind details are: %s",
				  s->multi->last_query, details);
	plog_ex(PL_LOG, log_fmt("kind details are: %s", details), NULL,
			"kind mismatch among backends. Possible last query was: \"%s\"", s->multi->last_query);
	go_on = false;
	if (pool_config->replication_stop_on_mismatch)
	{
		degenerate(s, minority, "replication_stop_on_mismatch");
		go_on = !node_mask_has(minority, s->multi->primary);
	}
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, go_on ? "ERROR" : "FATAL", "XX000", msg, NULL,
				 "check data consistency among db nodes");
	if (!go_on)
	{
		send_to_client(s);
		return REPLY_END_SESSION;
	}
	if (!e->drop_lead_rfq)
		pqbuf_put_bytes(&s->client.wbuf, rfq, 6);
	return send_to_client(s) ? REPLY_REPLACED : REPLY_CLIENT_GONE;
}

static ReplyAction
tuples_mismatch(Session *s, RelayEntry *e, const NodeMask *minority)
{
	char		details[512];
	const char *msg = "pgpool detected difference of the number of inserted, updated or deleted tuples";

	reply_tuple_details(e, details, sizeof(details));
	plog_ex(PL_WARNING, log_fmt("%s; possible last query was: \"%s\"", details, s->multi->last_query),
			NULL, "%s", msg);
	pq_put_error(&s->client.wbuf, PQ_BE_NOTICE_RESPONSE, "WARNING", "01000", msg,
				 log_fmt("%s; possible last query was: \"%s\"", details, s->multi->last_query),
				 pool_config->failover_if_affected_tuples_mismatch ? NULL :
				 "set failover_if_affected_tuples_mismatch to detach the nodes that differ");
	if (pool_config->failover_if_affected_tuples_mismatch)
	{
		degenerate(s, minority, "failover_if_affected_tuples_mismatch");
		if (node_mask_has(minority, s->multi->primary))
		{
			pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "FATAL", "57P01",
						 log_fmt("terminating connection because DB node %d was detached",
								 s->multi->primary), NULL, NULL);
			send_to_client(s);
			return REPLY_END_SESSION;
		}
	}
	return REPLY_FORWARD;
}

ReplyAction
multi_check_replies(Session *s, RelayEntry *e, const char *reply, size_t end)
{
	NodeMask	minority;

	switch (reply_compare(e, e->lead, &minority))
	{
		case REPLY_KIND_MISMATCH:
			/* primary/standby: the lead's reply is the client's (multi_txsync.c aligns the rest) */
			return multi_mode()->kind_mismatch(s, e, &minority, reply + end - 6);
		case REPLY_TUPLES_MISMATCH:
			return tuples_mismatch(s, e, &minority);
		case REPLY_SAME:
		default:
			return REPLY_FORWARD;
	}
}
