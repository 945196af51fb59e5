/*
 * multi_failover.c: a streaming replication session outlives its primary.
 *
 * When the connection to the session's primary breaks, or the primary is
 * detached, the session does not end (streaming replication mode only;
 * the other modes end it as before):
 *
 *   - between transactions, nothing in flight: the node is forgotten and
 *     the client notices nothing until its next message;
 *   - a request of the client was waiting for the primary's reply: the
 *     client gets an ERROR for it at once (ReadyForQuery follows) --
 *     outside a transaction SQLSTATE 08007 (transaction_resolution_unknown:
 *     the statement may or may not have committed), inside one SQLSTATE
 *     40001 with ReadyForQuery 'E';
 *   - idle inside a transaction: its next statement gets the 40001 ERROR
 *     (a ROLLBACK is answered "ROLLBACK"; a COMMIT gets the ERROR and the
 *     transaction is over, as when PostgreSQL fails a COMMIT).
 *
 * At the client's next message the session waits (blocking: one client
 * per child) until the node table shows a primary that is up and not the
 * lost node, or the lost node up and reachable again, for at most
 * health_check_period + health_check_max_retries x (health_check_timeout +
 * health_check_retry_delay) + 60 seconds (the failover_command's promotion
 * included); after that the session ends with FATAL 57P01 as before.  On
 * the new primary (connected and logged in if the session held no
 * connection to it), out of the client's sight: ROLLBACK on every node
 * that may still hold the lost transaction, the session's SETs (only on a
 * new connection: an existing standby connection ran them already) and its
 * LISTEN channels (multi_sessionstate.c); prepared statements are
 * prepared again there on demand.  A client whose transaction was lost
 * finds the new primary in an aborted transaction of pgpool's own, so
 * PostgreSQL itself answers its statements with 25P02 and its
 * ROLLBACK/COMMIT with "ROLLBACK".  Requests pipelined behind the lost one
 * (or an open extended-protocol batch) cannot be answered in order: such a
 * session ends as before.  So does a session whose backend sent FATAL
 * 57P01 "terminating connection due to administrator command" from a
 * server that still takes connections (pg_terminate_backend): the
 * administrator meant to end it; the same FATAL from a server that is
 * shutting down (pg_ctl stop/restart -m fast) is a failure like any
 * other.  Runs in a child process.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "config/config.h"
#include "pool/backend_connect.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "config/health_settings.h"
#include "replication/node_query.h"
#include "session/session_auth.h"
#include "utils/clock.h"
#include "utils/log.h"
#include "utils/str.h"

#include <poll.h>
#include <string.h>

#define FAILOVER_WAIT_MARGIN_S 60

static const char abort_sql[] =
	"DO $pgpool$BEGIN RAISE EXCEPTION 'pgpool: the transaction was lost with the failed primary'; END$pgpool$";

bool
multi_failover_applies(void)
{
	return multi_mode()->failover_survival;
}

/* How long a session waits for a new primary (see the header comment): the slowest node's detach, plus a margin. */
static int64_t
wait_limit_ms(void)
{
	int64_t		s = 0;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		HealthSettings hs;

		health_settings_for(pool_config, n, &hs);
		if (health_settings_detach_bound(&hs) > s)
			s = health_settings_detach_bound(&hs);
	}
	return (s + FAILOVER_WAIT_MARGIN_S) * 1000;
}

/* The client's transaction status changes without a backend's ReadyForQuery. */
static void
set_client_status(Session *s, char status)
{
	s->tx_status = status;
	s->slot->tx_status = status;
	router_session_txn_status(&s->multi->router_session, status);
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->state = status == 'I' ?
			CHILD_STATE_IDLE : CHILD_STATE_IDLE_IN_TRANSACTION;
}

static void
put_lost_tx_error(Session *s, int lost)
{
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "ERROR", "40001",
				 log_fmt("the transaction was aborted because primary DB node %d failed", lost),
				 "The session continues on the new primary; the transaction was rolled back.",
				 "Run the transaction again.");
}

/* The visible requests (the client waits for their reply): how many, and how many node n leads. */
static int
visible_requests(MultiState *m, int n, int *led_by_n)
{
	int			count = 0;

	*led_by_n = 0;
	for (int i = 0; i < m->queue.count; i++)
	{
		const RelayEntry *e = &m->queue.entries[(m->queue.head + i) % RELAY_QUEUE_SIZE];

		if (e->lead < 0)
			continue;
		count++;
		if (e->lead == n)
			(*led_by_n)++;
	}
	return count;
}

bool
multi_failover_admin_fatal(Session *s, int n, const char *body, size_t len)
{
	static const char admin[] = "terminating connection due to administrator command";
	bool		code = false, message = false;

	/* fields: a type byte and a NUL-terminated value each, a NUL at the end */
	for (size_t pos = 0; pos < len && body[pos] != '\0';)
	{
		char		field = body[pos++];
		size_t		vlen = strnlen(body + pos, len - pos);

		if (field == 'C')
			code = vlen == 5 && memcmp(body + pos, "57P01", 5) == 0;
		else if (field == 'M')
			message = vlen == sizeof(admin) - 1 && memcmp(body + pos, admin, vlen) == 0;
		pos += vlen + 1;
	}
	if (!code || !message)
		return false;
	/*
	 * A fast shutdown of the server says the same to every backend: a
	 * server that no longer takes connections is going away, and the
	 * session waits for a new primary (or the restarted one) instead.
	 */
	if (!node_query_accepting(n, 2))
	{
		plog(PL_LOG, "DB node %d is shutting down: the session of user \"%s\" does not end with its backend",
			 n, s->startup.user);
		return false;
	}
	node_mask_add(&s->multi->terminated, n);
	return true;
}

bool
multi_failover_primary_lost(Session *s, int n, const char *why)
{
	MultiState *m = s->multi;
	int			led, visible;
	bool		in_tx = s->tx_status != 'I';

	if (!multi_failover_applies() || n != m->primary || m->batch != NULL ||
		node_mask_has(&m->terminated, n))
		return false;
	visible = visible_requests(m, n, &led);
	/* the lost request's error must be the next thing the client reads, and whole */
	if (led > 0 && (visible > 1 || m->skip[n] != 0))
		return false;
	session_backend_failed(n);
	plog_ex(PL_LOG, why, NULL, "session of user \"%s\" lost its primary DB node %d, waiting for a new primary",
			s->startup.user, n);
	multi_forget_node(s, n);
	m->lost_primary = n;
	m->lost_cleanup = in_tx || led > 0;
	m->lost_in_tx = in_tx;
	m->owe_abort_error = in_tx && led == 0 && s->tx_status == 'T';
	if (led > 0)
	{
		if (in_tx)
			put_lost_tx_error(s, n);
		else
			pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "ERROR", "08007",
						 log_fmt("primary DB node %d failed while the statement ran", n),
						 "The statement may or may not have been committed; the session continues on the new primary.",
						 "Check whether the statement took effect before running it again.");
		pq_put_ready_for_query(&s->client.wbuf, in_tx ? 'E' : 'I');
		set_client_status(s, in_tx ? 'E' : 'I');
		(void) pq_conn_flush(&s->client, -1);	/* a client gone shows at its next read */
	}
	return true;
}

bool
multi_failover_standby_lost(Session *s, int n, bool broke)
{
	MultiState *m = s->multi;

	if (!multi_failover_applies() || n == m->primary || s->tx_status != 'I' ||
		node_mask_has(&m->terminated, n) ||
		relay_queue_leads(&m->queue, n) || (m->batch && node_mask_has(&m->batch->nodes, n)))
		return false;
	if (broke)
		session_backend_failed(n);
	plog(PL_LOG, "session of user \"%s\" continues without DB node %d: %s", s->startup.user, n,
		 broke ? "its connection broke" : "it was detached");
	multi_forget_node(s, n);
	return true;
}

/* Connect and log in to node n for this session; false if it cannot be reached now. */
static bool
connect_node(Session *s, int n)
{
	BackendNode *node = &node_table->nodes[n];
	BackendConn *b = &s->slot->backends[n];
	const char *why = NULL;
	int			fd = backend_connect(node->hostname, node->port, 2000, &why);

	if (fd < 0)
		return false;
	pq_conn_init(&b->conn, fd);
	if (!session_backend_login_node(s, n, &why))
	{
		pq_conn_close(&b->conn);
		b->conn.fd = -1;
		b->connected = false;
		return false;
	}
	b->connected = true;
	b->tx_status = 'I';
	node_mask_remove(&s->multi->terminated, n);
	b->conn.interrupt = &session_interrupt;
	node_mask_add(&s->multi->connected, n);
	node_table_note_connected(n);
	return true;
}

/*
 * Wait for a usable primary: its node id, -1 when the wait expired, -2 on
 * shutdown.  *fresh: the session connected to it just now.
 */
static int
await_primary(Session *s, int lost, bool *fresh)
{
	int64_t		deadline = clock_monotonic_ms() + wait_limit_ms();
	int64_t		next_try = 0;

	*fresh = false;
	for (;;)
	{
		int			p = node_table->primary_node_id;
		int64_t		now = clock_monotonic_ms();

		if (session_interrupt)
			return -2;
		if (p >= 0 && p != lost && node_is_up(p))
		{
			if (node_mask_has(&s->multi->connected, p))
				return p;
			if (now >= next_try)
			{
				if ((*fresh = connect_node(s, p)))
					return p;
				next_try = now + 1000;
			}
		}
		else if (p == lost && node_is_up(lost) && now >= next_try)
		{
			/* only this session's connection broke, or the node came back */
			if ((*fresh = connect_node(s, lost)))
				return lost;
			next_try = now + 1000;
		}
		if (now >= deadline)
			return -1;
		(void) poll(NULL, 0, 100);
	}
}

/* The new primary holds an aborted transaction of pgpool's own: PostgreSQL answers 25P02 itself. */
static void
open_aborted_transaction(Session *s, int p)
{
	(void) multi_hidden_query(s, p, "BEGIN");
	(void) multi_hidden_query(s, p, abort_sql);
	s->slot->backends[p].tx_status = 'E';
	s->multi->aborted_node = p;
	set_client_status(s, 'E');
}

/* The session's node roles after the switch: primary, main node, load-balance node. */
static void
switch_primary(Session *s, int p)
{
	MultiState *m = s->multi;

	m->primary = p;
	if (!node_mask_has(&m->connected, s->slot->main_node))
		s->slot->main_node = p;
	m->lb_node = multi_lb_choose(s);
	if (proc_table && my_child_index >= 0)
		proc_info(my_child_index)->load_balance_node = m->lb_node;
	pool_slot_publish(s->slot);
}

/*
 * The client's message after its idle transaction was lost: pgpool answers
 * it (true) or lets it through to the aborted transaction (false).
 */
static bool
answer_lost_transaction(Session *s, int p, char type, const char *msg, size_t len)
{
	MultiState *m = s->multi;
	const StmtFacts *f = NULL;

	if (type == PQ_FE_TERMINATE)
		return false;
	if (type == PQ_FE_QUERY)
		f = router_analyze(msg + 5, strnlen(msg + 5, len - 5));
	if (f && f->nstmts == 1 && f->kind == ROUTER_STMT_ROLLBACK && !(f->flags & ROUTER_F_CHAIN))
	{
		pq_put_command_complete(&s->client.wbuf, "ROLLBACK");
		pq_put_ready_for_query(&s->client.wbuf, 'I');
		set_client_status(s, 'I');
	}
	else if (f && f->nstmts == 1 && f->kind == ROUTER_STMT_COMMIT && !(f->flags & ROUTER_F_CHAIN))
	{
		/* as a failed COMMIT: the error, and the transaction is over */
		put_lost_tx_error(s, m->lost_primary);
		pq_put_ready_for_query(&s->client.wbuf, 'I');
		set_client_status(s, 'I');
	}
	else
	{
		open_aborted_transaction(s, p);
		put_lost_tx_error(s, m->lost_primary);
		if (type == PQ_FE_QUERY || type == PQ_FE_SYNC || type == PQ_FE_FUNCTION_CALL)
			pq_put_ready_for_query(&s->client.wbuf, 'E');
		else
			m->discard_until_sync = true;	/* multi_aborted.c answers the Sync */
	}
	(void) pq_conn_flush(&s->client, -1);
	return true;
}

SessionStatus
multi_failover_resume(Session *s, char type, const char *msg, size_t len, bool whole, int *consumed)
{
	MultiState *m = s->multi;
	int			lost = m->lost_primary;
	int			led, p;
	bool		fresh;

	*consumed = 0;
	if (lost < 0)
		return SESSION_OK;
	if (visible_requests(m, -1, &led) > 0 || (m->owe_abort_error && !whole))
	{
		*consumed = -1;			/* earlier replies first, or the whole message */
		return SESSION_OK;
	}
	p = await_primary(s, lost, &fresh);
	if (p == -2)
		return SESSION_SHUTDOWN;
	if (p < 0)
	{
		plog(PL_LOG, "ending session of user \"%s\": no new primary after DB node %d failed",
			 s->startup.user, lost);
		session_send_error(s, "FATAL", "57P01",
						   log_fmt("terminating connection because DB node %d was detached", lost),
						   "no new primary came up in time");
		return SESSION_BACKEND_ERROR;
	}
	switch_primary(s, p);
	if (m->lost_cleanup || m->lost_in_tx)
		NODE_MASK_FOREACH(&m->connected, n)
		{
			(void) multi_hidden_query(s, n, "ROLLBACK");
			s->slot->backends[n].tx_status = 'I';
		}
	multi_state_replay(s, p, fresh);
	if (p == lost)
		plog(PL_LOG, "session of user \"%s\" connected to primary DB node %d again: only its connection broke",
			 s->startup.user, p);
	else
		plog(PL_LOG, "session of user \"%s\" continues on new primary DB node %d after DB node %d failed",
			 s->startup.user, p, lost);
	if (m->owe_abort_error && answer_lost_transaction(s, p, type, msg, len))
		*consumed = 1;
	else if (m->lost_in_tx && !m->owe_abort_error)
		open_aborted_transaction(s, p);
	m->lost_primary = -1;
	m->lost_cleanup = m->lost_in_tx = m->owe_abort_error = false;
	return SESSION_OK;
}
