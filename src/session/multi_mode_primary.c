/*
 * multi_mode_primary.c: the session-side strategy of the primary/standby
 * modes (streaming, logical and slony replication), and of raw mode when
 * it runs the multi-node relay for the query cache (see multi_mode.h).
 *
 * Writes go to the primary alone and PostgreSQL (or the replication
 * system) carries them to the standbys; pgpool keeps the nodes'
 * transactions in step: a COMMIT reaches the standbys once the primary
 * committed, PREPARE TRANSACTION ends the transaction on the others.  Only
 * a node the session does not use may leave it.  Streaming replication
 * adds what its WAL allows: a session outlives its primary, reads see the
 * session's own writes (read_your_writes), and a read whose answer the
 * query cache keeps is made on the primary (a lagging standby must not put
 * old rows in the cache).  Runs in a child process.
 */
#include "multi_mode.h"

#include "session/query_cache.h"

static void
primary_shape_route(Session *s, MultiRoute *r, const StmtFacts *facts, RouterTarget target)
{
	(void) s;
	/* the transaction BEGIN opened on the other nodes ends there too (multi_client.c) */
	r->end_others_tx = facts->kind == ROUTER_STMT_PREPARE_TRANSACTION;
	/* COMMIT reaches the others once the primary committed (see multi_txsync.c) */
	if (target == ROUTER_TARGET_ALL_NODES_IN_TRANSACTION)
		r->ordered = node_mask_count(&r->nodes) > 1 && facts->kind == ROUTER_STMT_COMMIT;
}

static bool
primary_cache_read_on_primary(Session *s)
{
	(void) s;
	return false;
}

/* Streaming replication: the cache keeps this answer, so it is read where no replay lags. */
static bool
streaming_cache_read_on_primary(Session *s)
{
	return qc_session_keeps_next(s);
}

static bool
primary_ready(Session *s, const char *sql, size_t len)
{
	(void) s;
	(void) sql;
	(void) len;
	return true;
}

static char *
primary_rewrite(Session *s, const MultiRoute *r)
{
	(void) s;
	(void) r;
	return NULL;
}

static void
primary_open_write(Session *s, const MultiRoute *r, bool *wrapped)
{
	(void) s;
	(void) r;
	(void) wrapped;
}

static bool
primary_before_bind(Session *s, const StmtInfo *st)
{
	(void) s;
	(void) st;
	return true;
}

static void
primary_send_bind(Session *s, const StmtInfo *st, const NodeMask *nodes, const char *msg, size_t len)
{
	(void) st;
	multi_send(s, nodes, msg, len);
}

/* A function call runs on the primary, as it is. */
static bool
primary_function_call(Session *s, MultiRoute *r, const char **msg, size_t *len, PqBuf *call)
{
	(void) s;
	(void) r;
	(void) msg;
	(void) len;
	(void) call;
	return true;
}

/*
 * A batch that holds the primary never moves: ending it early would commit
 * its implicit transaction behind the client's back.  A statement routed
 * elsewhere then runs on the primary (the batch's lead).
 */
static bool
primary_batch_pinned(const Session *s)
{
	return node_mask_has(&s->multi->batch->nodes, s->multi->primary);
}

static void
primary_mark_barrier(RelayEntry *e)
{
	(void) e;
}

static bool
primary_after_begin(Session *s)
{
	(void) s;
	return true;
}

/* The lead's reply is the client's (multi_txsync.c aligns the rest). */
static ReplyAction
primary_kind_mismatch(Session *s, RelayEntry *e, const NodeMask *minority, const char *rfq)
{
	(void) s;
	(void) e;
	(void) minority;
	(void) rfq;
	return REPLY_FORWARD;
}

static SessionStatus
primary_start_of_work(Session *s, bool waited)
{
	(void) s;
	(void) waited;
	return SESSION_OK;
}

/* Only a node the session does not use may leave. */
static bool
primary_can_go_on_without(Session *s, int n)
{
	return !multi_node_in_use(s, n);
}

static void
primary_node_broke(int n)
{
	session_backend_failed(n);
}

/* A detached node the session uses ends it (unless multi_failover.c lets it go on). */
static bool
primary_forget_detached(Session *s, int n)
{
	(void) s;
	(void) n;
	return false;
}

#define PRIMARY_HOOKS \
	.shape_route = primary_shape_route, \
	.ready = primary_ready, \
	.rewrite = primary_rewrite, \
	.open_write = primary_open_write, \
	.before_bind = primary_before_bind, \
	.send_bind = primary_send_bind, \
	.function_call = primary_function_call, \
	.batch_pinned = primary_batch_pinned, \
	.mark_barrier = primary_mark_barrier, \
	.after_begin = primary_after_begin, \
	.kind_mismatch = primary_kind_mismatch, \
	.start_of_work = primary_start_of_work, \
	.can_go_on_without = primary_can_go_on_without, \
	.node_broke = primary_node_broke, \
	.forget_detached = primary_forget_detached

const MultiMode multi_mode_streaming = {
	.name = "streaming replication",
	PRIMARY_HOOKS,
	.cache_read_on_primary = streaming_cache_read_on_primary,
	.tx_sync = true,
	.failover_survival = true,
	.read_your_writes = true,
};

/* logical replication, slony: no WAL stream pgpool can follow */
const MultiMode multi_mode_primary_standby = {
	.name = "primary/standby",
	PRIMARY_HOOKS,
	.cache_read_on_primary = primary_cache_read_on_primary,
	.tx_sync = true,
};

/* raw mode on its one node: no transactions to keep in step, no standby */
const MultiMode multi_mode_raw = {
	.name = "raw",
	PRIMARY_HOOKS,
	.cache_read_on_primary = primary_cache_read_on_primary,
};
