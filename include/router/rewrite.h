/*
 * rewrite.h: native replication mode's timestamp rewrite.  Every write goes
 * to every node, so now(), CURRENT_TIMESTAMP, 'now'::timestamp and column
 * defaults calling them would give each node its own value; the rewrite
 * turns them into one timestamptz literal per statement, the same text on
 * every node.
 *
 * Pure (no I/O).  Used by children (the session relay), per statement:
 *
 *   f = router_analyze(sql, len);
 *   if (router_rewrite_timestamps_wanted(f, defaults_cb, arg))   cheap
 *   {
 *       lit = "SELECT now()" on the main node (text of a timestamptz);
 *       new = router_rewrite_timestamps(sql, len, lit, defaults_cb, arg, &info);
 *       send new (or sql when NULL) to every node; free(new);
 *   }
 *
 * The relay fetches a table's columns with router_table_defaults_query()
 * over the session's own backend connection (same search_path and temp
 * tables as the statement), turns the rows into a TableDefaults with
 * router_table_defaults_from_rows(), and answers defaults_cb from its cache.
 *
 * Interface routines:
 *   router_rewrite_timestamps, router_rewrite_timestamps_wanted - router_timestamp.c
 *   router_table_defaults_query, router_table_defaults_from_rows,
 *   router_table_defaults_free, router_table_defaults_has_serial,
 *   router_table_defaults_has_time_default                      - router_defaults.c
 */
#ifndef PGPOOL_ROUTER_REWRITE_H
#define PGPOOL_ROUTER_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router/router.h"

/* RouterColumn.flags */
#define ROUTER_COL_TIME_DEFAULT	0x01	/* the default calls now(), CURRENT_DATE, ... */
#define ROUTER_COL_SERIAL		0x02	/* default calls nextval(), or an identity column */
#define ROUTER_COL_IDENTITY		0x04	/* GENERATED ... AS IDENTITY */
#define ROUTER_COL_GENERATED	0x08	/* GENERATED ALWAYS AS (...) STORED: never given values */

/* TableDefaults.flags: the union of the columns' flags */

struct RouterRwEdits;

/* One non-dropped column, in attnum order */
typedef struct RouterColumn
{
	char	   *name;			/* attname */
	char	   *ident;			/* attname quoted for SQL where needed */
	char	   *default_expr;	/* pg_get_expr(adbin, adrelid); NULL if none */
	uint8_t		flags;			/* ROUTER_COL_* */
	struct RouterRwEdits *time_edits;	/* internal: where default_expr calls time functions */
} RouterColumn;

/* A table's columns and defaults, as router_table_defaults_from_rows() makes them */
typedef struct TableDefaults
{
	int			ncolumns;
	RouterColumn *columns;
	uint8_t		flags;			/* ROUTER_COL_* of any column */
} TableDefaults;

/*
 * The caller's table lookup: columns of the table schema.table (schema NULL
 * when the statement does not qualify the name; resolve it by the session's
 * search_path).  Return false if unknown (the table's defaults are then left
 * alone); *out stays owned by the caller and must live until the rewrite
 * call returns.
 */
typedef bool (*RouterDefaultsCb) (void *arg, const char *schema, const char *table,
								  const TableDefaults **out);

/* What a rewrite did */
typedef struct RouterRewriteInfo
{
	int			replaced;		/* time function calls / 'now' casts replaced */
	int			defaults;		/* column defaults written out (columns x rows) */
	int			not_rewritable; /* INSERTs whose time defaults stay implicit */
	const char *reason;			/* why (the last such INSERT); static text */
	size_t		len;			/* strlen of the returned text */
} RouterRewriteInfo;

/*
 * Rewrite the statement text sql[0..len) so that it no longer reads the
 * clock: in INSERT, UPDATE, DELETE and MERGE (with their sub-selects,
 * CTEs, ON CONFLICT and RETURNING; in a SELECT only inside writable CTEs),
 *   now(), pg_catalog.now(), transaction_timestamp(), statement_timestamp(),
 *   CURRENT_TIMESTAMP[(p)]  -> 'lit'::timestamptz[(p)]
 *   CURRENT_DATE            -> 'lit'::timestamptz::date
 *   CURRENT_TIME[(p)], LOCALTIMESTAMP[(p)], LOCALTIME[(p)]
 *                           -> 'lit'::timestamptz::timetz/timestamp/time[(p)]
 *   'now' cast to a date/time type (through text casts, or type 'now')
 *                           -> 'lit'::timestamptz cast the same way
 * and an INSERT into a table whose omitted columns (or DEFAULT keywords,
 * also UPDATE SET c = DEFAULT) have such defaults gets those defaults
 * written out, rewritten.  Everything else keeps its bytes.
 *
 * ts_literal is the value as text, e.g. "2026-12-05 08:53:58.123456+00"
 * (quoted here).  defaults_cb may be NULL (no defaults then); it is called
 * during the rewrite for each INSERT target (and UPDATE ... SET c = DEFAULT
 * target).  info may be NULL.
 *
 * Returns a malloc'd NUL-terminated text, or NULL if nothing changes
 * (including unparsable text and statements other than the above: PREPARE,
 * EXPLAIN, DDL, a plain SELECT).
 */
char	   *router_rewrite_timestamps(const char *sql, size_t len, const char *ts_literal,
									  RouterDefaultsCb defaults_cb, void *cb_arg,
									  RouterRewriteInfo *info);

/*
 * Fast pre-check from the cached facts: might router_rewrite_timestamps()
 * change this statement?  True if a DML statement calls a time function
 * (ROUTER_F_TIME_FUNC), or a relation whose defaults the statement may use
 * (ROUTER_REL_DEFAULTS: INSERT targets, UPDATE ... SET c = DEFAULT) has a
 * time default by defaults_cb.  Costs a flag test for most statements.
 */
bool		router_rewrite_timestamps_wanted(const StmtFacts *facts,
											 RouterDefaultsCb defaults_cb, void *cb_arg);

/* Number of columns in each row of the router_table_defaults_query() result */
#define ROUTER_TABLE_DEFAULTS_NCOLS 4

/*
 * The catalog query for one table's columns: attname,
 * pg_get_expr(adbin, adrelid), attidentity, attgenerated of its non-dropped
 * columns in attnum order (no rows if the table does not exist).  schema
 * may be NULL (search_path).  Returns a malloc'd SQL text; names are
 * embedded as E'' literals.  PostgreSQL 12 or later.
 */
char	   *router_table_defaults_query(const char *schema, const char *table);

/*
 * Build a TableDefaults from the query's rows: cells[r * NCOLS + c], NULL
 * for SQL NULL.  Parses each default to find its time functions and
 * nextval() calls.  Never NULL; free with router_table_defaults_free().
 */
TableDefaults *router_table_defaults_from_rows(int nrows, const char *const *cells);
void		router_table_defaults_free(TableDefaults *td);

/* Does the table have a serial (nextval default) or identity column?  (insert_lock) */
bool		router_table_defaults_has_serial(const TableDefaults *td);

/* Does some column default call a time function? */
bool		router_table_defaults_has_time_default(const TableDefaults *td);

#endif
