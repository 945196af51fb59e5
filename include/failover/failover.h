/*
 * failover.h: node detach / attach / promote requests and their handling.
 *
 * Any process (PCP worker, health check, a child that saw a backend fail)
 * queues a request in shared memory with failover_request(), which wakes
 * the parent with SIGUSR1.  The parent alone changes node status: it runs
 * failover_handle_requests() from its signal loop, which marks nodes down
 * or up, runs failover_command / failback_command, and tells the children
 * (SIGUSR1) to drop sessions and pooled connections on detached nodes.
 * Requesters that need the outcome wait for their ticket.
 *
 * Interface routines:
 *   failover_shmem_size, failover_shmem_init  - the queue in shared memory
 *   failover_request, failover_wait           - any process
 *   failover_handle_requests                  - the parent, on SIGUSR1
 *   failover_wait_for_clients                 - graceful detach / promote
 *   failover_expand_command, failover_run_command, failover_context_fill
 *                                             - failover_command and friends
 */
#ifndef PGPOOL_FAILOVER_FAILOVER_H
#define PGPOOL_FAILOVER_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

typedef enum FailoverKind
{
	FAILOVER_DETACH = 0,		/* mark the node down, run failover_command */
	FAILOVER_ATTACH,			/* mark it up again, run failback_command */
	FAILOVER_PROMOTE			/* make it the primary */
} FailoverKind;

/* Request flags */
#define FAILOVER_FLAG_GRACEFUL		0x0001	/* requester waited for clients to leave */
#define FAILOVER_FLAG_SWITCHOVER	0x0002	/* promote: demote the old primary */
#define FAILOVER_FLAG_FROM_PCP		0x0004	/* an administrator asked (not a failure) */
#define FAILOVER_FLAG_CLUSTER		0x0008	/* decided by the watchdog cluster: apply, never route */
#define FAILOVER_FLAG_NO_COMMAND	0x0010	/* another pgpool (the leader) runs the commands */
#define FAILOVER_FLAG_QUARANTINE	0x0020	/* watchdog: detach = quarantine here only,
											 * attach = lift the quarantine */

typedef enum FailoverResult
{
	FAILOVER_PENDING = 0,		/* not handled yet */
	FAILOVER_DONE,				/* done (or nothing to do) */
	FAILOVER_INVALID_NODE,		/* no such node */
	FAILOVER_DISALLOWED,		/* backend_flag DISALLOW_TO_FAILOVER */
	FAILOVER_NODE_NOT_UP,		/* promote of a node that is down */
	FAILOVER_QUEUE_FULL,		/* not queued */
	FAILOVER_NO_PARENT,			/* the parent is gone */
	FAILOVER_TIMEOUT,			/* failover_wait gave up */
	FAILOVER_QUEUED,			/* still queued behind a request the parent is busy with */
	FAILOVER_NO_QUORUM,			/* watchdog: the cluster does not hold the quorum */
	FAILOVER_NO_CONSENSUS,		/* watchdog: not enough pgpools saw the failure (yet) */
	FAILOVER_NO_LEADER,			/* watchdog: no leader to decide */
	FAILOVER_ROUTED				/* the hook took the request (internal) */
} FailoverResult;

/* Shared memory for the queue (the parent adds it to the segment). */
size_t		failover_shmem_size(void);

/* Carve the queue; parent_pid is who gets SIGUSR1. */
void		failover_shmem_init(pid_t parent_pid);

/* The parent's pid, for PCP commands that signal it (stop, reload). */
pid_t		failover_parent_pid(void);

/*
 * Queue a request and wake the parent.  Returns a ticket (> 0) for
 * failover_wait, or 0 when the queue is full (logged).
 */
uint32_t	failover_request(FailoverKind kind, int node_id, int flags);

/*
 * Wait up to timeout_ms (< 0: for ever) for a ticket's result.  Returns
 * FAILOVER_QUEUED instead of waiting on while the parent has been busy with
 * another request for a second: that request's failover_command or
 * follow_primary_command may itself be waiting for ours (a script calling
 * pcp_attach_node), and waiting on would deadlock.
 */
FailoverResult failover_wait(uint32_t ticket, int timeout_ms);

/*
 * Like failover_request, and when this request is handled its result also
 * finishes origin_ticket (0: none): the watchdog applies a request another
 * process of this pgpool made and routed to the cluster's leader.
 */
uint32_t	failover_request_linked(FailoverKind kind, int node_id, int flags, uint32_t origin_ticket);

/* Finish a ticket that is still pending (a routed request's outcome). */
void		failover_finish_ticket(uint32_t ticket, FailoverResult result);

/*
 * "Request routed elsewhere?"  Set by the parent's setup (the watchdog
 * when use_watchdog is on; src/failover knows nothing of it).  Called by
 * the parent for every request without FAILOVER_FLAG_CLUSTER before acting
 * on it: returning true means the hook took the request (it goes to the
 * cluster's leader) and finishes the ticket later with
 * failover_finish_ticket.  requester: the process that asked (for logs).  NULL: every request is handled here.
 */
typedef bool (*FailoverRouteHook) (FailoverKind kind, int node_id, int flags, uint32_t ticket,
								   pid_t requester);
extern FailoverRouteHook failover_route_hook;

/* Words for a result, for error messages. */
const char *failover_result_text(FailoverResult r);

/* Parent: handle every queued request (called on SIGUSR1). */
void		failover_handle_requests(void);

/*
 * Graceful requests: wait until no client is connected to any child, at
 * most recovery_timeout seconds (not at all when
 * client_idle_limit_in_recovery is -1).  Returns false on timeout.
 */
bool		failover_wait_for_clients(const PoolConfig *cfg);

/* ---- failover_command, failback_command, follow_primary_command ---------- */

/* The facts the % escapes stand for. */
typedef struct FailoverContext
{
	int			node_id;		/* %d */
	const char *host;			/* %h */
	int			port;			/* %p */
	const char *data_dir;		/* %D */
	int			new_main_id;	/* %m, -1 if none */
	const char *new_main_host;	/* %H */
	int			new_main_port;	/* %r */
	const char *new_main_data_dir;	/* %R */
	int			old_main_id;	/* %M */
	int			old_primary_id; /* %P */
	const char *old_primary_host;	/* %N */
	int			old_primary_port;	/* %S */
} FailoverContext;

/*
 * Replace the % escapes of tmpl: %d %h %p %D %m %H %M %P %r %R %N %S and
 * %% ('%').  An unknown escape is kept as written.  Unknown ids (-1) give
 * "-1"; missing hosts and directories give "".  Returns a malloc'd string.
 */
char	   *failover_expand_command(const char *tmpl, const FailoverContext *ctx);

/*
 * Fill ctx for node_id from the node table and the configuration (strings
 * point into them).  old_main, new_main and old_primary are node ids or -1.
 */
void		failover_context_fill(FailoverContext *ctx, const PoolConfig *cfg, int node_id,
								  int old_main, int new_main, int old_primary);

/*
 * Run command through /bin/sh -c and wait for it, with signals unblocked
 * in the shell.  what names it in log lines ("failover_command").
 * Returns the exit status (128 + signal if killed), -1 if it could not run.
 */
int			failover_run_command(const char *what, const char *command);

#endif
