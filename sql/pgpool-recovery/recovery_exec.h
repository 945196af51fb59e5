/*
 * recovery_exec.h: run a program from a backend and capture the tail of its
 * standard error (pgpool_recovery, pgpool_remote_start, pgpool_pgctl).
 */
#ifndef PGPOOL_RECOVERY_EXEC_H
#define PGPOOL_RECOVERY_EXEC_H

/* What a finished program left behind. */
typedef struct RecoveryExecResult
{
	int			status;			/* waitpid() status */
	char	   *stderr_tail;	/* palloc'd, last lines of its stderr ("" if none) */
} RecoveryExecResult;

/*
 * Run path with argv (argv[0] first, NULL-terminated) in the data directory
 * and wait for it, checking for interrupts.  kill_on_cancel: when the wait
 * is interrupted (cancel, terminate), kill the program's process group;
 * otherwise leave it running (pg_ctl restarting this very server).
 */
extern void recovery_exec_run(const char *path, char *const argv[], bool kill_on_cancel,
							  RecoveryExecResult *result);

/*
 * ERROR unless the program exited 0: '<what> "<name>" failed with exit
 * code N' with the stderr tail as DETAIL; missing_hint (may be NULL) is
 * the HINT for exit codes 126 and 127 (could not execute).
 */
extern void recovery_exec_check(const char *what, const char *name,
								const RecoveryExecResult *result, const char *missing_hint);

#endif
