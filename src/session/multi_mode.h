/*
 * multi_mode.h: what a multi-node session does differently by clustering
 * mode, as one strategy object per family of modes (internal to
 * src/session).
 *
 * The session layer asks multi_mode() instead of testing the mode's flags
 * (replication/strategy.h): each hook holds a family's behaviour.  The
 * families:
 *
 *   replicating (multi_mode_replicating.c): native replication and
 *     snapshot isolation.  pgpool runs writes on every node, main node
 *     first; a node other than the main node may leave mid-session.
 *     Snapshot isolation adds its snapshot windows (multi_si.c).
 *   primary/standby (multi_mode_primary.c): streaming, logical and slony
 *     replication.  Writes go to the primary; the nodes' transactions are
 *     kept in step (multi_txsync.c, multi_aborted.c).  Streaming
 *     replication adds what WAL streaming allows: a session outliving its
 *     primary (multi_failover.c), read_your_writes (ryw.c), and the query
 *     cache reading what it keeps on the primary.
 *   raw (multi_mode_primary.c): raw mode with the query cache runs the
 *     multi-node relay on its one node; the primary/standby hooks with
 *     none of the primary/standby modules.
 *
 * Runs in a child process.
 */
#ifndef PGPOOL_SESSION_MULTI_MODE_H
#define PGPOOL_SESSION_MULTI_MODE_H

#include "multi_int.h"

typedef struct MultiMode
{
	const char *name;			/* the family, for debug logs */

	/* ---- routing (multi_route.c) ---- */

	/*
	 * How the nodes take route r of a statement the router sent to target:
	 * ordering, barriers, streaming, ending other nodes' transactions.
	 */
	void		(*shape_route) (Session *s, MultiRoute *r, const StmtFacts *facts, RouterTarget target);

	/* A load-balanced read whose answer the query cache keeps: read it on the primary? */
	bool		(*cache_read_on_primary) (Session *s);

	/* ---- the client's messages (multi_client.c, multi_batch.c) ---- */

	/* Can statement sql be sent now (its table facts at hand)?  false: try again later. */
	bool		(*ready) (Session *s, const char *sql, size_t len);

	/* The text to send instead of route r's statement (malloc'd); NULL: as written. */
	char	   *(*rewrite) (Session *s, const MultiRoute *r);

	/* Before route r's request runs a write: pgpool's own BEGIN (*wrapped) and locks. */
	void		(*open_write) (Session *s, const MultiRoute *r, bool *wrapped);

	/* A Bind is about to run known statement st: false to wait (the batch may have been ended). */
	bool		(*before_bind) (Session *s, const StmtInfo *st);

	/* Send the Bind of st (NULL: unknown) to nodes. */
	void		(*send_bind) (Session *s, const StmtInfo *st, const NodeMask *nodes, const char *msg,
							  size_t len);

	/*
	 * A FunctionCall about to go on route r (the primary): widen r, or send
	 * another call (built in call, *msg and *len pointed at it); false: not now.
	 */
	bool		(*function_call) (Session *s, MultiRoute *r, const char **msg, size_t *len, PqBuf *call);

	/* Does the open batch stay where it is whatever the next statement's route? */
	bool		(*batch_pinned) (const Session *s);

	/* Request e waits for everything before it (a barrier): mark what else that means. */
	void		(*mark_barrier) (RelayEntry *e);

	/* After a BEGIN: what the transaction needs before its first statement; false: no room. */
	bool		(*after_begin) (Session *s);

	/* ---- replies (multi_verify.c) ---- */

	/* The nodes' replies differ in kind (minority: the nodes that differ; rfq: the lead's). */
	ReplyAction (*kind_mismatch) (Session *s, RelayEntry *e, const NodeMask *minority, const char *rfq);

	/* ---- nodes coming and going (multi_loop.c) ---- */

	/* The client starts new work (waited: online recovery held it). */
	SessionStatus (*start_of_work) (Session *s, bool waited);

	/* Node n's connection broke: can the session go on without it? */
	bool		(*can_go_on_without) (Session *s, int n);

	/* The session goes on without broken node n: what happens to the node. */
	void		(*node_broke) (int n);

	/* Node n was detached: does the session simply forget it and go on? */
	bool		(*forget_detached) (Session *s, int n);

	/*
	 * Session modules a family takes part in.  Each module is behaviour of
	 * its own that guards its entry points with its member here, so the
	 * callers need not know which modes use it.
	 */
	bool		tx_sync;		/* one transaction state on every node (multi_txsync.c, multi_aborted.c) */
	bool		failover_survival;	/* the session outlives its primary (multi_failover.c) */
	bool		read_your_writes;	/* ryw.c */
	bool		snapshot_transactions;	/* every transaction reads one snapshot (REPEATABLE READ) */
} MultiMode;

/* The session-side strategy of the clustering mode in force. */
const MultiMode *multi_mode(void);

extern const MultiMode multi_mode_native;
extern const MultiMode multi_mode_snapshot;
extern const MultiMode multi_mode_streaming;
extern const MultiMode multi_mode_primary_standby;
extern const MultiMode multi_mode_raw;

/* ---- shared by the families' files ---- */

/* The node matters to this session: the primary, its load-balance node, or owes it a reply. */
bool		multi_node_in_use(Session *s, int n);

/* Replicating family: the kind mismatch as native replication reports it (multi_verify.c). */
ReplyAction multi_verify_kind_mismatch(Session *s, RelayEntry *e, const NodeMask *minority, const char *rfq);

#endif
