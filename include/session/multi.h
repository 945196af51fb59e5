/*
 * multi.h: a session spread over several backend nodes (streaming
 * replication and the other clustering modes): which nodes it holds, where
 * its statements go, and the relay that keeps their replies in order.
 */
#ifndef PGPOOL_SESSION_MULTI_H
#define PGPOOL_SESSION_MULTI_H

#include "router/router.h"
#include "session/defer_out.h"
#include "session/relay_queue.h"
#include "session/ryw.h"
#include "session/session.h"
#include "session/stmt_map.h"

/* Where one request goes. */
typedef struct MultiRoute
{
	NodeMask	nodes;
	int			lead;			/* the node whose reply the client sees */
	bool		write;			/* a write: later reads of the transaction follow it */
	bool		show_pool;		/* SHOW pool_*: rewritten, answered from pgpool's state */
	bool		end_others_tx;	/* PREPARE TRANSACTION: roll back the other nodes' transaction */
	bool		ordered;		/* replicated write: the lead first, the others once it answered */
	bool		barrier;		/* ends a replicated transaction: after every earlier request */
	bool		stream;			/* COPY FROM: the lead's reply streams, answers not compared */
	const StmtFacts *facts;		/* the statement's facts (valid until the next analysis), or NULL */
	const char *reason;			/* for log lines */
	const char *rule;			/* the router rule that decided */
} MultiRoute;

#define MULTI_SI_PENDING 8

typedef struct MultiState
{
	RelayQueue	queue;
	NodeMask	connected;		/* nodes this session holds connections to */
	int			primary;
	int			lb_node;		/* load-balance node of the session */
	StmtMap		stmts;
	RelayEntry *batch;			/* open extended-protocol batch, or NULL */
	NodeMask	stmt_nodes;		/* where the batch's current statement runs (within batch->nodes) */
	RouterSession router_session;	/* transaction state, writes, isolation */
	struct SqlPrepared
	{
		const StmtFacts *facts; /* the PREPARE statement's (retained) */
		NodeMask	nodes;		/* where the name exists */
	}		   *prepared;		/* SQL PREPAREs of the session */
	int			nprepared;
	char	  **temp_tables;	/* tables this session created TEMP or UNLOGGED (check_temp_table) */
	uint8_t    *temp_flags;		/* ROUTER_REL_TEMP / ROUTER_REL_UNLOGGED per name */
	int			ntemp;
	bool		temp_objects;	/* created a temporary object, no DISCARD TEMP/ALL since */
	char	  **replay;			/* session SETs run on the primary only, for the others after COMMIT */
	int			nreplay;
	bool		replay_on_commit;	/* a COMMIT of a healthy transaction was sent */
	bool		discard_until_sync;	/* pgpool answered 25P02: skip the batch up to Sync */
	int			aborted_node;	/* node whose reply aborted the client's transaction */
	int64_t		skip[MAX_BACKENDS];	/* bytes of a large reply message still to pass */
	DeferOut   *defer[MAX_BACKENDS];	/* bytes held for the lead's answer (NULL: none yet) */
	uint64_t	lead_answered;	/* newest ordered request the lead has answered */
	uint64_t	si_active;		/* request whose snapshot isolation window the session holds */
	uint64_t	si_pending[MULTI_SI_PENDING];	/* requests waiting to enter their window */
	uint8_t		si_pending_kind[MULTI_SI_PENDING];
	int			si_npending;
	bool		si_begin_in_batch;	/* the open batch begins a transaction */
	bool		adopt_pending;	/* nodes changed: up nodes may join at the next transaction */
	bool		batch_wrapped;
	bool		batch_locked;
	int			batch_nparse;
	bool		batch_hidden;	/* pgpool's simple Queries opened the batch (unnamed statement gone) */	/* Parse messages the open batch sent to its lead */	/* the open batch began with an insert lock */	/* the open batch runs in a transaction pgpool commits after its Sync */
	char		ts_literal[64];	/* clock value of the transaction's rewritten statements */
	char		last_query[256];	/* for "kind mismatch" reports */
	int64_t		idle_since;		/* client_idle_limit clock (see idle_timeout_ms) */
	struct QcSession *qc;		/* query cache state (NULL: not used) */
	struct MultiSessionRecord *record;	/* SETs and LISTENs for a new primary (NULL: none yet) */
	int			lost_primary;	/* primary whose connection was lost, awaiting a new one; -1: none */
	bool		lost_cleanup;	/* the remaining nodes may hold the lost transaction: ROLLBACK */
	bool		lost_in_tx;		/* the client's transaction went with the primary */
	bool		owe_abort_error;	/* its next statement gets the "transaction aborted" error */
	NodeMask	terminated;		/* nodes whose backend an administrator terminated */
	RywState	ryw;			/* read_your_writes (ryw.c) */
} MultiState;

/* Set up a session's multi-node state from its slot's connected nodes. */
void		multi_init(Session *s);
void		multi_free(Session *s);

/* Decide where a statement text goes (router rules, mode strategy). */
MultiRoute	multi_route_sql(Session *s, const char *sql, size_t len);

/*
 * Where sql would go now, and the router's decision, without changing the
 * session (PGPOOL EXPLAIN ROUTE): the same code path as multi_route_sql
 * minus the routing state updates, node choice and statistics.
 */
void		multi_route_explain(Session *s, const char *sql, size_t len, MultiRoute *out,
								RouterDecision *d);

/* Pick the session's load-balance node by weight among connected, up, undelayed nodes. */
int			multi_choose_load_balance_node(const NodeMask *connected, int primary);

/*
 * Is schema.name an unlogged table?  Asked of the primary through the
 * session's own connection when it is idle, and cached per process for
 * relcache_expire seconds.  If the primary is busy, answers true (the
 * primary is always a safe place for the statement).
 */
bool		multi_relation_unlogged(Session *s, const char *schema, const char *name);

/* Free the session's temp table trace. */
void		multi_route_free_trace(MultiState *m);

/* Forget the compiled routing settings (after a reload). */
void		multi_route_reset_config(void);

/* The query loop for multi-node sessions. */
SessionStatus session_relay_multi(Session *s);

/* No request in flight: the connections may be pooled. */
bool		multi_session_can_pool(const Session *s);

/* Queue msg for nodes as part of the newest request, holding it back where that request is ordered. */
void		multi_send(Session *s, const NodeMask *nodes, const char *msg, size_t len);

/* The lead failed ordered request e: the others get a failing statement instead. */
void		multi_fail_held(Session *s, const RelayEntry *e);

/* Send every node the held bytes that the answers so far released. */
void		multi_release_held(Session *s);

/*
 * Node n leaves this session (it failed or was degenerated) while the
 * session goes on without it: its connection closes, no request waits for it.
 */
void		multi_forget_node(Session *s, int n);

/* Connect the slot to every other node that is up (after the main node authenticated). */
SessionStatus session_connect_other_nodes(Session *s);

#endif
