/*
 * show_int.h: internals of the SHOW module shared by its files and its
 * unit tests: the result-table writer, the item table and the per-item
 * builders.  Not for other modules (they use show/show.h).
 */
#ifndef PGPOOL_SHOW_SHOW_INT_H
#define PGPOOL_SHOW_SHOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "protocol/pq_message.h"

/*
 * Writes one result as SQL text: a VALUES list of quoted text literals with
 * the column names, or a zero-row SELECT when no row was written.
 */
typedef struct ShowTable
{
	PqBuf	   *sql;
	const char *const *cols;
	int			ncols;
	int			nrows;
	int			col;			/* values written in the current row */
} ShowTable;

void		show_table_begin(ShowTable *t, PqBuf *sql, const char *const *cols, int ncols);
void		show_row_begin(ShowTable *t);
/* One column value; NULL writes SQL NULL. */
void		show_value(ShowTable *t, const char *value);
void		show_valuef(ShowTable *t, const char *fmt,...) __attribute__((format(printf, 2, 3)));
void		show_row_end(ShowTable *t);
void		show_table_end(ShowTable *t);

/* Append value as a string literal the backend reads back byte for byte. */
void		show_quote_literal(PqBuf *sql, const char *value);

/* "YYYY-MM-DD HH:MM:SS" in local time, or "" for 0.  Returns buf. */
const char *show_format_time(time_t t, char *buf, size_t len);

/* One SHOW item: its name, columns and the function writing its rows. */
typedef struct ShowItem
{
	const char *name;
	const char *const *cols;
	int			ncols;
	void		(*rows) (ShowTable *t);
} ShowItem;

/* The item called name (lower case), or NULL. */
const ShowItem *show_item_find(const char *name);

/* Every item, for tests and docs: *count is set. */
const ShowItem *show_items(int *count);

/* Row writers (show_nodes.c, show_procs.c, show_misc.c). */
void		show_rows_nodes(ShowTable *t);
void		show_rows_backend_stats(ShowTable *t);
void		show_rows_health_check_stats(ShowTable *t);
void		show_rows_processes(ShowTable *t);
void		show_rows_pools(ShowTable *t);
void		show_rows_status(ShowTable *t);
void		show_rows_version(ShowTable *t);
void		show_rows_cache(ShowTable *t);

/*
 * The node's actual state as the backend answers a connection attempt:
 * true if it is up.  A hook so unit tests need no server; the default
 * (show_ping.c) uses libpq's PQpingParams.
 */
typedef bool (*ShowPingFunc) (const char *host, int port);
extern ShowPingFunc show_ping_hook;
bool		show_ping_backend(const char *host, int port);

#endif
