/*
 * show.h: pgpool's own SHOW commands (SHOW pool_nodes, pool_status, ...).
 *
 * pgpool answers them by rewriting the statement into a self-contained
 * query over literal values, e.g.
 *   SELECT * FROM (VALUES ('0','127.0.0.1',...),(...)) AS t("node_id",...)
 * which the session's backend executes like any other statement.  The
 * backend does the protocol work (simple query, or Parse/Bind/Describe/
 * Execute), so psql and drivers print the answer as an ordinary result.
 * The values come from shared memory (node and process tables) and the
 * process's configuration.  Runs in a child process.
 *
 * Interface routines:
 *   show_detect           - is this SQL text pgpool's SHOW pool_*? which item?
 *   show_build_query      - the replacement SQL for one item
 *   show_build_route      - the answer of PGPOOL EXPLAIN ROUTE
 *   show_rewrite_message  - a whole 'Q' or 'P' message, rewritten if it is a SHOW
 */
#ifndef PGPOOL_SHOW_SHOW_H
#define PGPOOL_SHOW_SHOW_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/pq_message.h"

/* Longest item name show_detect reports ("pool_health_check_stats" fits). */
#define SHOW_ITEM_MAX 64

/*
 * Is sql (len bytes, need not be NUL-terminated) exactly one SHOW statement
 * whose parameter name begins with "pool_"?  Uses PostgreSQL's parser
 * (libpg_query) behind a cheap text pre-filter, so ordinary queries cost a
 * scan for "pool_".  On true, item holds the lower-cased name ("pool_nodes").
 * Unknown pool_* names are reported too: show_build_query decides.
 */
bool		show_detect(const char *sql, size_t len, char *item, size_t cap);

/*
 * Append to sql the query that answers "SHOW <item>" (item lower-cased, as
 * show_detect gives it).  Returns false, appending nothing, for an item
 * pgpool does not know: the statement then goes to the backend unchanged.
 */
bool		show_build_query(const char *item, PqBuf *sql);

/*
 * Append to sql the query that answers "PGPOOL SHOW name" (name as the
 * client wrote it; "all" for every parameter).  Returns false, appending
 * nothing, for a name that is not a parameter.
 */
bool		show_build_param(const char *name, PqBuf *sql);

/*
 * Append to sql the answer of PGPOOL EXPLAIN ROUTE: one row per configured
 * node (node_id, hostname, port, status, role, runs, lead, rule, reason).
 * runs[id]: the statement would run on node id; lead: the node whose reply
 * the client sees.
 */
void		show_build_route(const bool *runs, int lead, const char *rule, const char *reason,
							 PqBuf *sql);

/*
 * A whole frontend message (type, body of len bytes): if it is a Query or a
 * Parse whose text is a SHOW pool_* that pgpool answers, append the
 * rewritten message (same type; a Parse keeps its statement name and
 * parameter types) to out and return true.  Otherwise append nothing and
 * return false: the caller forwards the original bytes.
 */
bool		show_rewrite_message(char type, const char *body, size_t len, PqBuf *out);

#endif
