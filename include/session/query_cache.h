/*
 * query_cache.h: what the multi-node relay asks of the query cache (the
 * session side: src/session/qc_*.c; the store: include/cache/qcache.h).
 *
 * A cacheable SELECT is answered from the cache when it can be
 * (qc_session_query, qc_session_bind + qc_session_local); otherwise its
 * answer is captured on the way to the client (qc_session_frame) and kept
 * at its ReadyForQuery — at COMMIT if it ran in a transaction
 * (qc_session_ready).  Writes are noted as they are routed
 * (qc_session_note) and invalidate what read their tables once their
 * transaction ends.  Runs in children.
 */
#ifndef PGPOOL_SESSION_QUERY_CACHE_H
#define PGPOOL_SESSION_QUERY_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "router/router.h"
#include "session/relay_queue.h"
#include "session/session.h"

/* Does this session use the query cache (memory_cache_enabled, store ready)? */
bool		qc_session_wanted(void);

/* Forget the compiled table lists (after a reload). */
void		qc_session_reset_config(void);

void		qc_session_init(Session *s);
void		qc_session_free(Session *s);

/* A simple Query: true if it was answered from the cache (nothing else to do). */
bool		qc_session_query(Session *s, const char *sql, size_t len);

/*
 * A Parse of an unnamed statement the cache may answer, nothing in flight:
 * true if its Parse may wait until a Bind misses (pgpool answers
 * ParseComplete now; the Parse goes into the Bind's batch, its reply
 * dropped, so a Bind answered from the cache needs no backend at all).
 */
bool		qc_session_defer_parse(Session *s, const char *sql, size_t len);

/*
 * PGPOOL SET CACHE DELETE 'sql': drop the entry a simple Query of exactly
 * this text by this session's user and database would hit.  1 deleted,
 * 0 none was cached, -1 the query cache is off.  Asks the catalog (the
 * key holds the tables' oids), so only while nothing is in flight.
 */
int			qc_session_delete(Session *s, const char *sql, size_t len);

/*
 * A Bind of statement text sql (whole message msg): true if it was
 * answered from the cache; the portal's Describe/Execute/Sync follow
 * through qc_session_local.
 */
bool		qc_session_bind(Session *s, const char *sql, size_t sql_len, const char *msg, size_t len);

/* A client message while a Bind answered from the cache is open: true if consumed. */
bool		qc_session_local(Session *s, char type, const char *msg, size_t len);

/*
 * The statement being routed is a miss whose answer the cache will keep:
 * with WAL streaming it must be read on the primary, or a standby that has
 * not replayed the latest write would put old rows into the cache.
 */
bool		qc_session_keeps_next(const Session *s);

/* The request just pushed as e carries the capture prepared for it (if any). */
void		qc_session_attach(Session *s, const RelayEntry *e);

/* A Bind went into the batch e (captures of extended answers count Binds). */
void		qc_session_count_bind(Session *s, const RelayEntry *e);

/* A statement was routed: writes, DDL, SET ROLE, temporary objects, transaction ends. */
void		qc_session_note(Session *s, const StmtFacts *f);

/* Is some answer of e being captured? (cheap test before feeding frames) */
bool		qc_session_capturing(const Session *s, const RelayEntry *e);

/* One frame of e's lead reply, as it passes to the client. */
void		qc_session_frame(Session *s, const RelayEntry *e, char type, const char *frame, size_t size,
							 bool whole);

/* e's lead sent ReadyForQuery with status (the backend's own, before any override). */
void		qc_session_ready(Session *s, const RelayEntry *e, char status);

/*
 * Nothing in flight and the session idle: keep the answers of a committed
 * transaction, stamp the tables it wrote.  Called after replies were read.
 */
void		qc_session_settle(Session *s);

#endif
