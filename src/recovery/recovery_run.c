/*
 * recovery_run.c: the stages of online recovery, run by the PCP worker that
 * serves pcp_recovery_node (it holds the client's connection until done).
 *
 *   checks      the mode has online recovery, the node is down, the node
 *               the stages run on is up, recovery_1st_stage_command is set,
 *               no other recovery runs (the gate's running flag)
 *   1st stage   CHECKPOINT, then pgpool_recovery('<1st stage>', ...) on the
 *               primary (streaming, logical) or the main node (native
 *               replication, snapshot isolation) while clients keep working
 *   2nd stage   native replication / snapshot isolation only: the gate
 *               closes, running transactions finish (recovery_timeout),
 *               CHECKPOINT, pgpool_recovery('<2nd stage>', ...)
 *   start       pgpool_remote_start(host, datadir), then a libpq ping of the
 *               node until it accepts connections (recovery_timeout)
 *   attach      the failover queue (failback_command; children learn of it)
 *
 * In two-stage recovery the gate stays closed until the node is attached,
 * so no transaction starts with the new node missing.  Any failure opens
 * the gate and leaves the node down.
 */
#include "recovery_int.h"
#include "utils/clock.h"

#include "failover/failover.h"
#include "pool/node_table.h"
#include "recovery/recovery_gate.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"
#include "auth/auth_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct RecoveryRun
{
	RecoveryTarget target;
	PGconn	   *conn;			/* recovery_user on the source node */
	char	   *password;
	bool		two_stage;
	int			nargs;			/* arguments of the installed pgpool_recovery() */
	RecoveryError *err;
} RecoveryRun;

static const char *
duration(double since)
{
	return log_fmt("duration: %.3f ms", (clock_monotonic_s() - since) * 1000.0);
}

/* ---- checks ------------------------------------------------------------------ */

static RecoveryStatus
check_request(int node_id, const ModeStrategy *mode, int source, RecoveryError *err)
{
	const char *first = pool_config->recovery_1st_stage_command;

	if (!mode->has_primary && !mode->replicate_writes)
		return recovery_set_error(err, log_fmt("backend_clustering_mode is %s.", mode->name),
								  "Online recovery needs streaming, logical or native replication, or snapshot isolation mode.",
								  "online recovery is not available in %s mode", mode->name),
			RECOVERY_REFUSED;
	if (node_is_up(node_id))
		return recovery_set_error(err, log_fmt("Its status is \"%s\".",
											   node_status_name(node_table->nodes[node_id].status)),
								  "Detach the node first (pcp_detach_node) if it must be rebuilt.",
								  "node %d is up: only a node that is down can be recovered", node_id),
			RECOVERY_REFUSED;
	if (first == NULL || first[0] == '\0')
		return recovery_set_error(err, NULL,
								  "Set recovery_1st_stage_command to a script in the data directory of the primary (or main) node.",
								  "recovery_1st_stage_command is not set"),
			RECOVERY_REFUSED;
	if (pool_config->recovery_user == NULL || pool_config->recovery_user[0] == '\0')
		return recovery_set_error(err, NULL, "Set recovery_user to a superuser of the backend nodes.",
								  "recovery_user is not set"),
			RECOVERY_REFUSED;
	if (source < 0 || !node_is_up(source))
		return recovery_set_error(err, NULL, NULL, "no %s node is up to recover node %d from",
								  mode->has_primary ? "primary" : "main", node_id),
			RECOVERY_REFUSED;
	return RECOVERY_OK;
}

static void
fill_target(RecoveryTarget *t, int node_id, int source)
{
	const BackendConfig *b = &pool_config->backends[node_id];

	t->node_id = node_id;
	t->host = node_table->nodes[node_id].hostname;
	t->data_dir = b->data_directory ? b->data_directory : "";
	snprintf(t->port, sizeof(t->port), "%d", node_table->nodes[node_id].port);
	t->source_id = source;
	t->source_host = node_table->nodes[source].hostname;
	snprintf(t->source_port, sizeof(t->source_port), "%d", node_table->nodes[source].port);
}

/* The SQL error being wrapped, as the DETAIL of the wrapping message. */
static const char *
wrapped_detail(const RecoveryError *e)
{
	if (e->detail[0])
		return log_fmt("%s\n%s", e->message, e->detail);
	return log_fmt("%s", e->message);
}

/* ---- stages -------------------------------------------------------------------- */

static bool
checkpoint(RecoveryRun *r, const char *stage)
{
	if (!recovery_exec(r->conn, "CHECKPOINT", NULL, r->err))
		return false;
	plog(PL_LOG, "CHECKPOINT in the %s stage done", stage);
	return true;
}

/* pgpool_recovery('<script>', ...) on the source node, logged with its duration. */
static bool
run_stage(RecoveryRun *r, const char *stage, const char *script)
{
	char	   *sql;
	double		t0;
	bool		ok;

	ps_status_set("PCP: processing recovery_node: %s stage of node %d", stage, r->target.node_id);
	if (!checkpoint(r, stage))
		return false;
	sql = recovery_stage_sql(r->conn, script, &r->target, r->nargs);
	plog(PL_LOG, "starting recovery command: \"%s\"", sql);
	t0 = clock_monotonic_s();
	ok = recovery_exec(r->conn, sql, NULL, r->err);
	free(sql);
	if (!ok)
	{
		plog_ex(PL_LOG, r->err->message, NULL, "%s stage failed after %.3f s", stage, clock_monotonic_s() - t0);
		recovery_set_error(r->err, wrapped_detail(r->err),
						   "Look at the server log of the node the stage ran on (its script's stderr is there).",
						   "%s stage of the recovery of node %d failed (recovery command \"%s\")",
						   stage, r->target.node_id, script);
		return false;
	}
	plog(PL_LOG, "%s stage is done (%s)", stage, duration(t0));
	return true;
}

/* pgpool_remote_start, then wait for the node to accept connections. */
static bool
start_node(RecoveryRun *r)
{
	char	   *sql = recovery_remote_start_sql(r->conn, &r->target);
	double		t0 = clock_monotonic_s();
	bool		ok;

	ps_status_set("PCP: processing recovery_node: starting node %d", r->target.node_id);
	plog(PL_LOG, "starting remote start of node %d: \"%s\"", r->target.node_id, sql);
	ok = recovery_exec(r->conn, sql, NULL, r->err);
	free(sql);
	if (!ok)
	{
		recovery_set_error(r->err, wrapped_detail(r->err),
						   "pgpool_remote_start is a script in the data directory of the node the stages run on.",
						   "pgpool_remote_start of node %d failed", r->target.node_id);
		return false;
	}
	if (!recovery_wait_node(r->target.node_id, pool_config->recovery_timeout, r->two_stage,
								r->password, r->err))
		return false;
	plog(PL_LOG, "%d node restarted (%s)", r->target.node_id, duration(t0));
	return true;
}

/* The failover queue attaches it: failback_command runs, children learn. */
static bool
attach_node(RecoveryRun *r)
{
	int			id = r->target.node_id;
	int			timeout_ms = (pool_config->recovery_timeout > 0 ? pool_config->recovery_timeout : 1) * 1000;
	uint32_t	ticket;
	FailoverResult res;
	double		t0 = clock_monotonic_s();

	plog(PL_LOG, "send_failback_request: fail back %d th node request from pid %d", id, (int) getpid());
	ticket = failover_request(FAILOVER_ATTACH, id, FAILOVER_FLAG_FROM_PCP);
	res = ticket ? failover_wait(ticket, timeout_ms) : FAILOVER_QUEUE_FULL;
	/* queued behind another request: the node counts once it is up */
	while (res == FAILOVER_QUEUED && !node_is_up(id) && clock_monotonic_s() - t0 < timeout_ms / 1000.0)
		usleep(50 * 1000);
	if (res == FAILOVER_DONE || node_is_up(id))
		return true;
	recovery_set_error(r->err, log_fmt("The failover queue answered: %s.", failover_result_text(res)),
					   NULL, "node %d was started but could not be attached", id);
	return false;
}

/* Close the gate and wait for running transactions to finish. */
static bool
hold_clients(RecoveryRun *r, double *held_since)
{
	int			timeout = pool_config->recovery_timeout;
	pid_t		busy_pid = 0;
	int			busy;

	ps_status_set("PCP: processing recovery_node: waiting for clients");
	*held_since = clock_monotonic_s();
	recovery_gate_close();
	busy = recovery_gate_wait_quiet(timeout * 1000);
	if (busy > 0)
	{
		recovery_gate_busy_children(&busy_pid);
		recovery_gate_open();
		recovery_set_error(r->err,
						   log_fmt("%d child process(es) (one is pid %d) still in a transaction after recovery_timeout (%d seconds).",
								   busy, (int) busy_pid, timeout),
						   "Retry when clients are less busy, raise recovery_timeout, or set client_idle_limit_in_recovery.",
						   "2nd stage of the recovery of node %d could not start: clients did not finish their transactions",
						   r->target.node_id);
		return false;
	}
	plog(PL_LOG, "all clients are out of transactions: new transactions wait (%s)", duration(*held_since));
	return true;
}

static bool
run_stages(RecoveryRun *r)
{
	double		held = 0;
	bool		ok;
	const char *second = pool_config->recovery_2nd_stage_command;

	if (!run_stage(r, "1st", pool_config->recovery_1st_stage_command))
		return false;
	if (!r->two_stage)
		return start_node(r) && attach_node(r);
	plog(PL_LOG, "starting 2nd stage");
	if (!hold_clients(r, &held))
		return false;
	if (second && second[0])
		ok = run_stage(r, "2nd", second);
	else
	{
		plog(PL_LOG, "recovery_2nd_stage_command is not set: no 2nd stage script to run");
		ok = true;
	}
	ok = ok && start_node(r) && attach_node(r);
	recovery_gate_open();
	plog(PL_LOG, "clients may start transactions again: they were held for %.3f s", clock_monotonic_s() - held);
	return ok;
}

/* Log in to the source node and find the installed pgpool_recovery(). */
static bool
prepare(RecoveryRun *r)
{
	const char *why;
	const char *db = pool_config->recovery_database && pool_config->recovery_database[0] ?
		pool_config->recovery_database : "postgres";

	r->password = recovery_password(pool_config, &why);
	if (r->password == NULL)
	{
		recovery_set_error(r->err, why, NULL, "cannot use recovery_password");
		return false;
	}
	r->conn = recovery_connect(r->target.source_id, db, r->password, r->err);
	if (r->conn == NULL)
		return false;
	r->nargs = recovery_function_args(r->conn, r->err);
	if (r->nargs < 0)
		return false;
	if (r->nargs < 3)
	{
		recovery_set_error(r->err,
						   log_fmt("Database \"%s\" of node %d has no function pgpool_recovery().", db,
								   r->target.source_id),
						   log_fmt("Run CREATE EXTENSION pgpool_recovery in database \"%s\" on every node.", db),
						   "the pgpool_recovery extension is not installed");
		return false;
	}
	/* a stage may take long: the user's own statement_timeout must not cut it */
	return recovery_exec(r->conn, "SET statement_timeout TO 0", NULL, r->err);
}

RecoveryStatus
recovery_run(int node_id, RecoveryError *err)
{
	const ModeStrategy *mode = strategy_current();
	int			source = mode->has_primary ? node_table->primary_node_id : node_table->main_node_id;
	RecoveryRun r;
	RecoveryStatus st;
	int			other_node = -1;
	pid_t		other_pid = 0;
	double		t0 = clock_monotonic_s();

	memset(err, 0, sizeof(*err));
	if ((st = check_request(node_id, mode, source, err)) != RECOVERY_OK)
		return st;
	if (!recovery_gate_acquire(node_id, &other_node, &other_pid))
		return recovery_set_error(err, log_fmt("PCP process %d is recovering node %d.", (int) other_pid, other_node),
								  "Wait for it to finish.", "another online recovery is running"),
			RECOVERY_REFUSED;
	memset(&r, 0, sizeof(r));
	r.err = err;
	r.two_stage = mode->replicate_writes;
	fill_target(&r.target, node_id, source);
	plog(PL_LOG, "starting recovering node %d from node %d (%s)", node_id, source,
		 r.two_stage ? "two stages" : "one stage");
	st = prepare(&r) && run_stages(&r) ? RECOVERY_OK : RECOVERY_FAILED;
	recovery_gate_release();
	if (r.conn)
		PQfinish(r.conn);
	if (r.password)
		auth_free_secret(r.password);
	if (st == RECOVERY_OK)
		plog(PL_LOG, "recovery done: node %d is attached (%s)", node_id, duration(t0));
	else
		plog_ex(PL_LOG, err->detail[0] ? err->detail : NULL, NULL,
				"recovery of node %d failed: %s (node %d stays down)", node_id, err->message, node_id);
	return st;
}
