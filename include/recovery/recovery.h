/*
 * recovery.h: online recovery (pcp_recovery_node).
 *
 * Runs in the PCP worker that serves the request and holds the client's
 * connection until done.  Streaming and logical modes: the 1st stage
 * (recovery_1st_stage_command through pgpool_recovery() on the primary),
 * pgpool_remote_start, a wait for the node to accept connections, attach.
 * Native replication and snapshot isolation: the 1st stage while clients
 * keep working, then the gate (recovery_gate.h) holds new transactions back
 * while running ones finish, the 2nd stage runs, the node is started and
 * attached, and the gate opens.  Every stage is logged when it starts and
 * ends, with its duration.
 *
 * Interface routines:
 *   recovery_run           - the whole recovery of one node
 *   recovery_password      - recovery_password as libpq needs it
 */
#ifndef PGPOOL_RECOVERY_RECOVERY_H
#define PGPOOL_RECOVERY_RECOVERY_H

#include <stdbool.h>

#include "config/config.h"

typedef enum RecoveryStatus
{
	RECOVERY_OK = 0,
	RECOVERY_REFUSED,			/* not started: node up, mode, another recovery, settings */
	RECOVERY_FAILED				/* a stage failed: the node stays down, the service goes on */
} RecoveryStatus;

/* Why a recovery did not happen: PostgreSQL-style message, DETAIL and HINT ("" if none). */
typedef struct RecoveryError
{
	char		message[512];
	char		detail[1024];
	char		hint[512];
} RecoveryError;

/* Recover node_id (a valid node id) with the settings of pool_config. */
RecoveryStatus recovery_run(int node_id, RecoveryError *err);

/*
 * The clear-text password for recovery_user: recovery_password as written
 * ("TEXT" prefix stripped), decrypted when it is an "AES" entry (pg_enc's
 * key), or, when empty, recovery_user's pool_passwd entry if that is clear
 * text or AES.  NULL with *why when it cannot be had (an md5 hash cannot
 * log in through libpq).  malloc'd.
 */
char	   *recovery_password(const PoolConfig *cfg, const char **why);

#endif
