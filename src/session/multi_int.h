/*
 * multi_int.h: functions shared by the files of the multi-node session.
 * What differs by clustering mode is the mode strategy's (multi_mode.h).
 */
#ifndef PGPOOL_SESSION_MULTI_INT_H
#define PGPOOL_SESSION_MULTI_INT_H

#include "session/multi.h"

/* A simple Query of pgpool's own to node n; its reply goes nowhere.  false: the queue is full. */
bool		multi_hidden_query(Session *s, int n, const char *sql);

/* Route one whole client message; false means "no room now, try again later". */
bool		multi_route_client_message(Session *s, char type, const char *msg, size_t len);

/* What to do with the lead's reply once every node has answered. */
typedef enum ReplyAction
{
	REPLY_FORWARD = 0,			/* the answers agree (or only a warning was due): forward it */
	REPLY_REPLACED,				/* an error went to the client instead */
	REPLY_END_SESSION,			/* the client was told; the session ends */
	REPLY_CLIENT_GONE			/* the client could not be written to */
} ReplyAction;

/* Compare the answers of every node that ran e (multi_verify.c). */
ReplyAction multi_check_replies(Session *s, RelayEntry *e, const char *reply, size_t end);

/* Rows of a catalog query: cells[row * ncols + col], NULL for SQL NULL. */
typedef struct CatalogRows
{
	int			nrows;
	int			ncols;
	char	  **cells;
} CatalogRows;

/* Node n is connected and has no request in flight or held (catalog_query may use it). */
bool		multi_node_idle(Session *s, int n);

/* Run sql on idle node n and collect the first ncols columns of its rows; false on error. */
bool		catalog_query(Session *s, int n, const char *sql, int ncols, CatalogRows *rows);
void		catalog_rows_free(CatalogRows *rows);

/*
 * Is schema.name a sequence (relcache.c, cached like multi_relation_unlogged)?
 * True when the primary is busy: reading on the primary is always right.
 */
bool		multi_relation_is_sequence(Session *s, const char *schema, const char *name);

/* Append s to b as an E'' SQL literal. */
void		catalog_put_literal(PqBuf *b, const char *s);

/* ---- multi_batch.c: the extended-protocol batch ---- */

/*
 * Open a batch on route r, or keep using the open one; false if the queue
 * is full.  executes: the message runs the statement (Bind), not only
 * parses it (Parse).
 */
bool		multi_batch_for(Session *s, const MultiRoute *r, bool executes);

/* Mark a new request's entry the way its route says the nodes take it. */
void		multi_batch_mark_entry(RelayEntry *e, const MultiRoute *r);

/* A replicated write's Bind in a batch not prepared for it: the batch ended here (true). */
bool		multi_batch_split_for_write(Session *s, const StmtFacts *f);

/* Parse an already-known statement again on nodes that lack it; false if the queue is full. */
bool		multi_batch_reparse_on(Session *s, StmtInfo *st, const NodeMask *need);

/* The route of a message that is no statement of its own: the primary alone. */
MultiRoute	multi_route_primary(Session *s);

/* ---- multi_replicate.c: a write in native replication, before it is sent ---- */

/* Fetch the columns of every table the statement may fill, if the main node is idle. */
void		multi_replicate_prefetch(Session *s, const StmtFacts *f);

/* Are the columns of every table the statement may fill cached? */
bool		multi_replicate_facts_cached(const Session *s, const StmtFacts *f);

/* The statement with its clock reads made one literal; NULL if unchanged (malloc'd). */
char	   *multi_replicate_rewrite(Session *s, const StmtFacts *f);

/* The insert_lock statement the INSERT needs on the main node, into sql; false if none. */
bool		multi_replicate_lock_sql(Session *s, const StmtFacts *f, PqBuf *sql);

/* Might the INSERT need insert_lock (from what is cached; unknown tables: yes)? */
bool		multi_replicate_may_lock(const Session *s, const StmtFacts *f);

/* A write outside a transaction: pgpool wraps it in one of its own. */
bool		multi_replicate_wants_wrap(const Session *s, const StmtFacts *f);

/*
 * Before a replicated write's request: the hidden BEGIN (when *wrapped)
 * and the insert lock.  false if the queue has no room now.
 */
bool		multi_replicate_open(Session *s, const StmtFacts *f, bool *wrapped);

/* Are the table facts the statement needs at hand, or can they be asked now? */
bool		multi_replicate_ready(Session *s, const StmtFacts *f);

/* A FunctionCall of lo_creat()? */
bool		multi_replicate_is_lo_creat(const char *msg, size_t len);

/*
 * lo_creat() with lobj_lock_table: the same call as lo_create(OID) with an
 * OID the main node chose under the table's lock, so every node gives the
 * object the same OID.  false: send the call as it is.
 */
bool		multi_replicate_lo_creat(Session *s, const char *msg, size_t len, PqBuf *out);

/* After a wrapped request: the hidden COMMIT, once the write is complete everywhere. */
bool		multi_replicate_close(Session *s);

/* ---- multi_si.c: snapshot isolation windows ---- */

/* e's bytes are being sent (held: they wait for earlier requests): enter or queue its window. */
void		multi_si_on_send(Session *s, const RelayEntry *e, bool held);

/* Requests up to completed are complete: leave a finished window, enter the next one. */
void		multi_si_progress(Session *s, uint64_t completed);

/* After a BEGIN: the hidden snapshot-taking request (snapshot isolation's after_begin hook). */
bool		multi_si_snapshot(Session *s);

/* The session ends: give up any window. */
void		multi_si_end_session(Session *s);

/* ---- multi_rebind.c: named statements that read the clock ---- */

/*
 * Bind st (named, reading the clock) on nodes as a fresh unnamed copy with
 * the transaction's clock literal; false: send the Bind as it is.
 */
bool		multi_rebind(Session *s, const StmtInfo *st, const NodeMask *nodes, const char *bind, size_t len);

/*
 * pgpool's own simple Query (a hidden BEGIN or lock) destroyed the client's
 * unnamed statement st: parse it again in the open batch, out of sight.
 */
void		multi_resend_unnamed(Session *s, const NodeMask *nodes, const StmtInfo *st);

/* A client Parse went into the open batch (for the ParseComplete count). */
void		multi_rebind_count_parse(Session *s);

/* reply[0..len) without the ParseCompletes e->drop_parse names, into out. */
size_t		multi_drop_parse_completes(const RelayEntry *e, const char *reply, size_t len, PqBuf *out);

/* ---- table_facts.c: per-process cache of table facts for native replication ---- */
struct TableDefaults;

/* A table's columns and defaults, asked of the main node when not cached; NULL if unknown. */
const struct TableDefaults *table_facts_defaults(Session *s, const char *schema, const char *name);

/* The cached answer only (no I/O); NULL if not cached. */
const struct TableDefaults *table_facts_cached(const Session *s, const char *schema, const char *name);

/* Does the database have pgpool_catalog.insert_lock?  1 yes, 0 no, -1 cannot tell now. */
int			table_facts_insert_lock_table(Session *s);

/* Is the insert_lock answer for this session's database cached? */
bool		table_facts_insert_lock_known(const Session *s);

/* Forget every table's facts (after DDL). */
void		table_facts_invalidate(void);

/* ---- multi_txsync.c: one transaction state on every node (primary/standby modes) ---- */

/* Node n's ReadyForQuery said status. */
void		multi_tx_note_status(Session *s, int n, char status);

/* The statement was sent to nodes (BEGIN opens, COMMIT/ROLLBACK end transactions there). */
void		multi_tx_note_sent(Session *s, const StmtFacts *f, const NodeMask *nodes);

/* Nodes with an open transaction, and the primary (transaction control goes there). */
NodeMask	multi_tx_open_nodes(const Session *s);

/* BEGIN ... SERIALIZABLE / READ WRITE: the primary gets it as written, the others a plain BEGIN. */
bool		multi_tx_plain_begin_elsewhere(const StmtFacts *f);

/* Send a Query (or Parse) of such a BEGIN: as written to the primary, plain to the rest. */
void		multi_tx_send_begin(Session *s, const NodeMask *nodes, char type, const char *msg, size_t len);

/* A session SET the router kept on the primary (rule state_after_write): replay after COMMIT. */
void		multi_tx_remember_set(Session *s, const StmtFacts *f, const char *rule);

/* e's lead answered with status: bring the other nodes to the same state (nothing else in flight). */
void		multi_tx_reconcile(Session *s, const RelayEntry *e, char status);

void		multi_tx_free(MultiState *m);

/*
 * multi_aborted.c: in an aborted transaction, answer a statement that a
 * node not holding it would run with 25P02; true if pgpool consumed msg.
 */
bool		multi_aborted_answer(Session *s, char type, const char *msg, size_t len);

/* ---- lb_select.c: the load-balance node ---- */

/* Choose the session's (or statement's) load-balance node: redirect lists, then weights. */
int			multi_lb_choose(Session *s);

/* The node a load-balanced statement reads from now (delay_threshold checked again). */
int			multi_lb_node_now(Session *s);

/* Forget the compiled redirect lists (after a reload). */
void		lb_select_reset(void);

/* ---- ryw.c: read_your_writes (streaming replication) ---- */

/*
 * A load-balanced read about to go to standby r->lead: it stays there only
 * if the standby replayed what the read must see, else r goes to the
 * primary (rule read_your_writes), maybe after read_your_writes_timeout.
 * explain: no wait, no demand, nothing changed.
 */
void		ryw_route_read(Session *s, const StmtFacts *facts, MultiRoute *r, bool explain);

/* Request e was queued; write (or facts saying so) and it reaches the primary: pending until committed. */
void		ryw_note_sent(Session *s, const RelayEntry *e, const StmtFacts *facts, bool write);

/* Node n's ReadyForQuery (status) ended lead reply e, not yet forwarded to the client. */
void		ryw_ready(Session *s, const RelayEntry *e, int n, char status);

/* ---- multi_prepared.c: SQL PREPARE / EXECUTE / DEALLOCATE ---- */

/* EXECUTE name, EXPLAIN EXECUTE, CREATE TABLE AS EXECUTE: the PREPARE's facts, or NULL. */
const StmtFacts *multi_prepared_facts(const MultiState *m, const StmtFacts *facts);

/* PREPARE, DEALLOCATE, DISCARD ALL were routed to r: remember, or send DEALLOCATE where the name is. */
void		multi_prepared_route(Session *s, const StmtFacts *facts, MultiRoute *r);

/* A statement using a prepared name goes to nodes: prepare it first where it is missing. */
bool		multi_prepared_ensure(Session *s, const StmtFacts *facts, const NodeMask *nodes);

void		multi_prepared_free(MultiState *m);

/* ---- multi_failover.c: a streaming replication session outlives its primary ---- */

/* Streaming replication mode (has_primary, wal_streams, no replicated writes). */
bool		multi_failover_applies(void);

/*
 * The session's primary n broke (why: for the log) or was detached: true if
 * the session goes on (the node is forgotten, a request waiting for it got
 * its error), false if it must end as before.
 */
bool		multi_failover_primary_lost(Session *s, int n, const char *why);

/*
 * Node n's backend sent ErrorResponse body[0..len) with no request in
 * flight: true (and noted) if it is FATAL 57P01 "terminating connection
 * due to administrator command" (pg_terminate_backend, a shutdown): the
 * session ends with it as before, it is no failover to outlive.
 */
bool		multi_failover_admin_fatal(Session *s, int n, const char *body, size_t len);

/*
 * A standby n broke or was detached while it owes the client nothing and
 * the session is between transactions: forgotten (broke: failover
 * requested as for any backend error), true; false otherwise.
 */
bool		multi_failover_standby_lost(Session *s, int n, bool broke);

/*
 * Before the client's message of type (whole or not) is routed while a
 * lost primary awaits its successor: wait for it, switch the session to
 * it, replay the session's state.  *consumed: 1 pgpool answered the
 * message, 0 route it, -1 not now (earlier replies first).
 */
SessionStatus multi_failover_resume(Session *s, char type, const char *msg, size_t len, bool whole,
									int *consumed);

/* ---- multi_sessionstate.c: SETs and LISTENs to give a new primary ---- */

/* The statement was sent (multi_tx_note_sent): keep its session-level state change. */
void		multi_state_note_sent(Session *s, const StmtFacts *f);

/* Queue hidden LISTENs (and SETs if sets) on node n; the number of requests queued. */
int			multi_state_replay(Session *s, int n, bool sets);

/* Node n's connection is gone: prepared statements no longer exist there. */
void		multi_state_forget_node(MultiState *m, int n);

void		multi_state_free(MultiState *m);

/* Consume what node n has buffered, as far as the reply queue allows. */
SessionStatus multi_process_node(Session *s, int n, bool *progress);

#endif
