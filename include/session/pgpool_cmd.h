/*
 * pgpool_cmd.h: pgpool's own SQL-like commands, PGPOOL SHOW / SET / RESET
 * (pgpool-II 3.6+), PGPOOL SET CACHE DELETE (pgpool-II 4.6) and PGPOOL
 * EXPLAIN ROUTE statement (ours: where the statement would go, and the
 * router rule that decided, without running it).
 *
 * PGPOOL is not SQL, so the command is recognised before any parser sees
 * the text: its first word (after white space and comments) is PGPOOL.
 * pgpool carries the command out when the message arrives and replaces it
 * with a statement the backend answers like any other, in simple and in
 * extended protocol alike: a query over literal values for SHOW, a no-op
 * SET/RESET for the command tag, a DO block raising pgpool's error.
 * Runs in a child process.
 *
 * Interface routines:
 *   pgpool_cmd_detect          - does the text start with the word PGPOOL?
 *   pgpool_cmd_in_message      - is this Query or Parse a PGPOOL command?
 *   pgpool_cmd_rewrite_message - carry out a Query's or Parse's command, give its stand-in
 *   pgpool_cmd_session_end     - undo the session's PGPOOL SET changes
 */
#ifndef PGPOOL_SESSION_PGPOOL_CMD_H
#define PGPOOL_SESSION_PGPOOL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/pq_message.h"

struct Session;

/* Is sql[0..len) a PGPOOL command (first word PGPOOL, any case)?  Cheap. */
bool		pgpool_cmd_detect(const char *sql, size_t len);

/* Is the whole message (type, body of len bytes) a Query or Parse of a PGPOOL command? */
bool		pgpool_cmd_in_message(char type, const char *body, size_t len);

/*
 * A whole Query or Parse message (type, body of len bytes): if its text is
 * a PGPOOL command, carry it out and append the stand-in message (same type;
 * a Parse keeps its statement name and parameter types) to out; true.
 * Otherwise append nothing and return false.  idle: no other request of the
 * session is in flight (PGPOOL SET CACHE DELETE asks the catalog; it fails
 * with an error otherwise).
 */
bool		pgpool_cmd_rewrite_message(struct Session *s, char type, const char *body, size_t len,
									   bool idle, PqBuf *out);

/* The session ended: every parameter PGPOOL SET changed gets its value back. */
void		pgpool_cmd_session_end(void);

#endif
