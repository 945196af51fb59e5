/*
 * recovery_int.h: internals shared by src/recovery's files.
 */
#ifndef PGPOOL_RECOVERY_RECOVERY_INT_H
#define PGPOOL_RECOVERY_RECOVERY_INT_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "recovery/recovery.h"

/* Where a stage runs and what it rebuilds: the arguments of pgpool_recovery(). */
typedef struct RecoveryTarget
{
	int			node_id;		/* the node being recovered */
	const char *host;			/* its backend_hostname */
	const char *data_dir;		/* its backend_data_directory ("" if unset) */
	char		port[16];		/* its backend_port */
	int			source_id;		/* the node the stages run on (primary / main node) */
	const char *source_host;
	char		source_port[16];
} RecoveryTarget;

void		recovery_set_error(RecoveryError *err, const char *detail, const char *hint,
							   const char *fmt,...) __attribute__((format(printf, 4, 5)));

/* Log in to node_id as recovery_user; NULL with err filled. */
PGconn	   *recovery_connect(int node_id, const char *database, const char *password,
							 RecoveryError *err);

/* Run sql; *value (if not NULL) gets the first column of the first row (malloc'd). */
bool		recovery_exec(PGconn *conn, const char *sql, char **value, RecoveryError *err);

/* Arguments of the widest pgpool_recovery() installed (0: none; -1: error). */
int			recovery_function_args(PGconn *conn, RecoveryError *err);

/* "SELECT pgpool_recovery(script, ...)" with nargs (3 - 7) arguments; malloc'd. */
char	   *recovery_stage_sql(PGconn *conn, const char *script, const RecoveryTarget *t, int nargs);

/* "SELECT pgpool_remote_start(host, datadir)"; malloc'd. */
char	   *recovery_remote_start_sql(PGconn *conn, const RecoveryTarget *t);

/*
 * Ping the node until it accepts connections, at most timeout_s seconds;
 * with need_primary, until it has also finished recovery (pg_is_in_recovery()
 * false: a native replication node replaying the archive).
 */
bool		recovery_wait_node(int node_id, int timeout_s, bool need_primary, const char *password,
							   RecoveryError *err);

#endif
