/*
 * multi_mode_replicating.c: the session-side strategy of the replicating
 * modes, native replication and snapshot isolation (see multi_mode.h).
 *
 * pgpool itself runs a write on every node, the main node first (the
 * others hold it until the main node answered, see defer_out.h); a
 * statement reading the clock is sent with the value made a literal, an
 * INSERT takes insert_lock, a write outside a transaction gets one of
 * pgpool's own (multi_replicate.c).  A node other than the main node may
 * leave mid-session: it is degenerated so that no write silently passes
 * it by, and nodes that come up join the session between transactions.
 * Snapshot isolation differs only in its snapshot windows (multi_si.c).
 * Runs in a child process.
 */
#include "multi_mode.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/pool_slot.h"
#include "replication/si_order.h"
#include "utils/log.h"

/*
 * Statements that take no locks and change no data run on every node at
 * once even in native replication; anything else runs on the main node
 * first (see defer_out.h).
 */
static bool
needs_order(const StmtFacts *facts)
{
	switch (facts->kind)
	{
		case ROUTER_STMT_BEGIN:
		case ROUTER_STMT_SET:
		case ROUTER_STMT_SET_TRANSACTION:
		case ROUTER_STMT_SET_SESSION_CHARACTERISTICS:
		case ROUTER_STMT_RESET:
		case ROUTER_STMT_DISCARD:
		case ROUTER_STMT_DEALLOCATE:
		case ROUTER_STMT_SAVEPOINT:
		case ROUTER_STMT_RELEASE:
		case ROUTER_STMT_ROLLBACK:
		case ROUTER_STMT_ROLLBACK_TO:
		case ROUTER_STMT_EMPTY:
			return false;
		case ROUTER_STMT_PREPARE:
			return (facts->flags & ROUTER_F_MULTI) != 0;
		default:
			return true;
	}
}

/*
 * How the nodes take a replicated statement.  COPY FROM streams to every
 * node at once (its reply must reach the client before the data can
 * follow); a transaction's end waits for everything before it (see
 * defer_out.h).
 */
static void
replicating_shape_route(Session *s, MultiRoute *r, const StmtFacts *facts, RouterTarget target)
{
	(void) s;
	if (target != ROUTER_TARGET_ALL_NODES && target != ROUTER_TARGET_ALL_NODES_IN_TRANSACTION)
		return;
	if (node_mask_count(&r->nodes) <= 1)
		return;
	if (facts->kind == ROUTER_STMT_COPY_FROM)
	{
		r->stream = true;
		return;
	}
	r->ordered = needs_order(facts);
	r->barrier = facts->kind == ROUTER_STMT_COMMIT || facts->kind == ROUTER_STMT_PREPARE_TRANSACTION ||
		facts->kind == ROUTER_STMT_COMMIT_PREPARED ||
		((facts->flags & ROUTER_F_TXN_CONTROL) && (facts->flags & ROUTER_F_MULTI));
}

/* No standby lags behind: the load-balance node's answer is as good as the main node's. */
static bool
replicating_cache_read_on_primary(Session *s)
{
	(void) s;
	return false;
}

/* The main node is asked the facts of the tables the statement fills, if needed, first. */
static bool
replicating_ready(Session *s, const char *sql, size_t len)
{
	return multi_replicate_ready(s, router_analyze(sql, len));
}

/* The statement's clock reads made one literal (ordered writes only). */
static char *
replicating_rewrite(Session *s, const MultiRoute *r)
{
	return r->ordered ? multi_replicate_rewrite(s, r->facts) : NULL;
}

static void
replicating_open_write(Session *s, const MultiRoute *r, bool *wrapped)
{
	if (r->ordered && r->facts)
		(void) multi_replicate_open(s, r->facts, wrapped);
}

static bool
replicating_before_bind(Session *s, const StmtInfo *st)
{
	const StmtFacts *f = router_analyze(st->query, st->query_len);

	if (multi_batch_split_for_write(s, f) || !multi_replicate_ready(s, f))
		return false;			/* back when the main node can be asked */
	multi_replicate_prefetch(s, f);
	return true;
}

/* A named statement reading the clock is bound as a copy with the transaction's clock literal. */
static void
replicating_send_bind(Session *s, const StmtInfo *st, const NodeMask *nodes, const char *msg, size_t len)
{
	if (!(st && multi_rebind(s, st, nodes, msg, len)))
		multi_send(s, nodes, msg, len);
}

/* A function call may write (large objects): replicated like a write. */
static bool
replicating_function_call(Session *s, MultiRoute *r, const char **msg, size_t *len, PqBuf *call)
{
	if (!multi_node_idle(s, s->multi->primary) && multi_replicate_is_lo_creat(*msg, *len))
		return false;			/* the new object's OID is asked of an idle main node */
	r->nodes = s->multi->connected;
	r->ordered = true;
	if (multi_replicate_lo_creat(s, *msg, *len, call))
	{
		*msg = call->data;
		*len = call->len;
	}
	return true;
}

/* A batch moves to the nodes its statements need (every node takes the writes). */
static bool
replicating_batch_pinned(const Session *s)
{
	(void) s;
	return false;
}

static void
native_mark_barrier(RelayEntry *e)
{
	(void) e;
}

/* Snapshot isolation: a transaction's end is a commit window (multi_si.c). */
static void
snapshot_mark_barrier(RelayEntry *e)
{
	e->si_window = SI_WINDOW_COMMIT;
}

static bool
native_after_begin(Session *s)
{
	(void) s;
	return true;
}

/*
 * Nodes that came up (failback, online recovery) join the session between
 * transactions, or its writes would pass them by.
 */
static SessionStatus
adopt_new_nodes(Session *s)
{
	MultiState *m = s->multi;
	SessionStatus st;
	bool		missing = false;

	m->adopt_pending = false;
	for (int n = 0; n < node_table->num_backends; n++)
		if (node_is_up(n) && !node_mask_has(&m->connected, n))
			missing = true;
	if (!missing)
		return SESSION_OK;
	if ((st = session_connect_other_nodes(s)) != SESSION_OK)
		return st;
	for (int n = 0; n < node_table->num_backends; n++)
		if (s->slot->backends[n].connected && !node_mask_has(&m->connected, n))
		{
			s->slot->backends[n].conn.interrupt = &session_interrupt;
			node_mask_add(&m->connected, n);
			node_table_note_connected(n);
			plog(PL_LOG, "session of user \"%s\" now also uses DB node %d", s->startup.user, n);
		}
	pool_slot_publish(s->slot);
	return SESSION_OK;
}

static SessionStatus
replicating_start_of_work(Session *s, bool waited)
{
	if (waited || s->multi->adopt_pending)
		return adopt_new_nodes(s);
	return SESSION_OK;
}

/*
 * A node other than the main node may leave mid-request: the session's
 * writes go on to the remaining nodes, and the node is detached so that no
 * write silently passes it by (failover_on_backend_error off: the session
 * ends instead).
 */
static bool
replicating_can_go_on_without(Session *s, int n)
{
	MultiState *m = s->multi;

	return n != m->primary && n != s->slot->main_node && pool_config->failover_on_backend_error &&
		!relay_queue_leads(&m->queue, n);
}

static void
replicating_node_broke(int n)
{
	session_degenerate_node(n);
}

/* every hook but the two that differ: the barrier's window and what follows BEGIN */
#define REPLICATING_HOOKS \
	.shape_route = replicating_shape_route, \
	.cache_read_on_primary = replicating_cache_read_on_primary, \
	.ready = replicating_ready, \
	.rewrite = replicating_rewrite, \
	.open_write = replicating_open_write, \
	.before_bind = replicating_before_bind, \
	.send_bind = replicating_send_bind, \
	.function_call = replicating_function_call, \
	.batch_pinned = replicating_batch_pinned, \
	.kind_mismatch = multi_verify_kind_mismatch, \
	.start_of_work = replicating_start_of_work, \
	.can_go_on_without = replicating_can_go_on_without, \
	.node_broke = replicating_node_broke, \
	.forget_detached = replicating_can_go_on_without

const MultiMode multi_mode_native = {
	.name = "native replication",
	REPLICATING_HOOKS,
	.mark_barrier = native_mark_barrier,
	.after_begin = native_after_begin,
};

const MultiMode multi_mode_snapshot = {
	.name = "snapshot isolation",
	REPLICATING_HOOKS,
	.mark_barrier = snapshot_mark_barrier,
	.after_begin = multi_si_snapshot,
	.snapshot_transactions = true,
};
