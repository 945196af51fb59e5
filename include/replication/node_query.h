/*
 * node_query.h: short libpq conversations with a backend node, for the
 * processes that watch the nodes (find primary, replication delay).
 */
#ifndef PGPOOL_REPLICATION_NODE_QUERY_H
#define PGPOOL_REPLICATION_NODE_QUERY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* Log into node n as sr_check_user; NULL (and a LOG line) on failure. */
PGconn	   *node_query_connect(const PoolConfig *cfg, int n);

/* Where and how node_query_connect_db logs in (NULL fields: the defaults). */
typedef struct NodeConnOptions
{
	const char *dbname;			/* NULL: sr_check_database, "" there: postgres */
	const char *application_name;	/* NULL: "pgpool" */
	bool		replication_database;	/* replication=database (logical walsender) */
} NodeConnOptions;

/*
 * Log into node n as sr_check_user / sr_check_password with the options
 * (opt may be NULL).  NULL on failure, with the first line of libpq's
 * message in why; nothing is logged.
 */
PGconn	   *node_query_connect_db(const PoolConfig *cfg, int n, const NodeConnOptions *opt,
								  char *why, size_t why_len);

/*
 * Does node n take new connections now?  PQping: no log in, no password
 * needed; a server shutting down or starting up answers "rejecting".
 */
bool		node_query_accepting(int n, int timeout_s);

/* Run sql and copy the first column of the first row into buf; false on error or no row. */
bool		node_query_value(PGconn *conn, const char *sql, char *buf, size_t len);

#endif
