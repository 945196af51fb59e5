/*
 * failover_handler.c: the parent's side of failover.  On SIGUSR1 the
 * parent takes every queued request in order: detach marks the node down,
 * tells the children (SIGUSR1: end sessions that use the node, drop pooled
 * connections to it) and runs failover_command; attach marks it up again
 * and runs failback_command; promote makes it the primary.  Log lines use
 * the manual's words.
 */
#include "failover/failover.h"
#include "failover_int.h"

#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <signal.h>
#include <stdlib.h>

FailoverRouteHook failover_route_hook;

static void
signal_children(void)
{
	for (int i = 0; i < proc_table->num_children; i++)
	{
		pid_t		pid = proc_info(i)->pid;

		if (pid > 0)
			kill(pid, SIGUSR1);
	}
}

static bool
valid_node(int id)
{
	return id >= 0 && id < node_table->num_backends &&
		node_table->nodes[id].status != NODE_STATUS_UNUSED;
}

/* Expand and run failover_command / failback_command if one is set. */
static void
run_configured_command(const char *what, const char *tmpl, int node_id, int old_main,
					   int new_main, int old_primary)
{
	FailoverContext ctx;
	char	   *cmd;

	if (tmpl == NULL || tmpl[0] == '\0')
		return;
	failover_context_fill(&ctx, pool_config, node_id, old_main, new_main, old_primary);
	cmd = failover_expand_command(tmpl, &ctx);
	failover_run_command(what, cmd);
	free(cmd);
}

static void
log_new_main(int old_main, int new_main)
{
	if (new_main != old_main)
		plog(PL_LOG, "failover_handler: set new master node: %d", new_main);
	else
		plog(PL_LOG, "failover_handler: do not restart pgpool. same master node %d was selected",
			 new_main);
}

/*
 * Watchdog quarantine: the cluster did not (yet) agree that the node
 * failed, so only this pgpool stops using it.  No command, no new primary,
 * pgpool_status untouched; the health check keeps checking the node.
 */
static FailoverResult
handle_quarantine(int id, bool on)
{
	BackendNode *n = &node_table->nodes[id];

	if (on)
	{
		if (n->status == NODE_STATUS_DOWN)
			return FAILOVER_DONE;
		plog(PL_LOG, "starting quarantine. shutdown host %s(%d)", n->hostname, n->port);
		node_table_set_quarantine(id, true);
		signal_children();
		plog(PL_LOG, "quarantine done. shutdown host %s(%d)", n->hostname, n->port);
		return FAILOVER_DONE;
	}
	if (!node_is_quarantined(id))
		return FAILOVER_DONE;
	plog(PL_LOG, "starting fail back. reconnect host %s(%d)", n->hostname, n->port);
	plog_ex(PL_LOG, "the health check succeeded on the quarantined node", NULL,
			"quarantine of node %d is lifted", id);
	node_table_set_quarantine(id, false);
	signal_children();
	plog(PL_LOG, "failback done. reconnect host %s(%d)", n->hostname, n->port);
	return FAILOVER_DONE;
}

static FailoverResult
handle_detach(const FailoverRequest *r)
{
	int			id = r->node_id;
	BackendNode *n;
	int			old_main, old_primary;

	if (!valid_node(id))
	{
		plog(PL_LOG, "invalid degenerate backend request, node id: %d", id);
		return FAILOVER_INVALID_NODE;
	}
	n = &node_table->nodes[id];
	if (n->flag & BACKEND_FLAG_DISALLOW_TO_FAILOVER)
	{
		plog_ex(PL_LOG, "backend_flag of this node is DISALLOW_TO_FAILOVER", NULL,
				"degenerate backend request for node %d refused", id);
		return FAILOVER_DISALLOWED;
	}
	if (r->flags & FAILOVER_FLAG_QUARANTINE)
		return handle_quarantine(id, true);
	/* a quarantined node is detached for real (the cluster agreed) */
	if (n->status == NODE_STATUS_DOWN && !n->quarantine)
	{
		plog(PL_LOG, "degenerate backend request for node %d ignored: the node is already down", id);
		return FAILOVER_DONE;
	}
	old_main = node_table->main_node_id;
	old_primary = node_table->primary_node_id;
	plog(PL_LOG, "set %d th backend down status", id);
	node_table_set_status(id, NODE_STATUS_DOWN);
	strategy_find_primary(pool_config);
	plog(PL_LOG, "starting degeneration. shutdown host %s(%d)", n->hostname, n->port);
	log_new_main(old_main, node_table->main_node_id);
	signal_children();
	if (r->flags & FAILOVER_FLAG_NO_COMMAND)
	{
		/* the watchdog leader runs the commands; its status reaches us by the beacon */
		plog(PL_LOG, "failover: failover_command runs on the watchdog leader, not here");
		if (id == old_primary)
			strategy_find_primary(pool_config);
	}
	else
	{
		run_configured_command("failover_command", pool_config->failover_command, id, old_main,
							   node_table->main_node_id, old_primary);
		if (strategy_current()->wal_streams && id == old_primary)
			failover_follow_primary(id, old_main, old_primary, -1);
	}
	plog(PL_LOG, "failover done. shutdown host %s(%d)", n->hostname, n->port);
	return FAILOVER_DONE;
}

static FailoverResult
handle_attach(const FailoverRequest *r)
{
	int			id = r->node_id;
	BackendNode *n;
	int			old_main, old_primary;

	if (!valid_node(id))
	{
		plog(PL_LOG, "invalid failback request, node id: %d", id);
		return FAILOVER_INVALID_NODE;
	}
	n = &node_table->nodes[id];
	if (r->flags & FAILOVER_FLAG_QUARANTINE)
		return handle_quarantine(id, false);
	if (node_is_up(id))
	{
		plog(PL_LOG, "failback request for node %d ignored: the node is already up", id);
		return FAILOVER_DONE;
	}
	old_main = node_table->main_node_id;
	old_primary = node_table->primary_node_id;
	plog(PL_LOG, "starting fail back. reconnect host %s(%d)", n->hostname, n->port);
	node_table_set_status(id, NODE_STATUS_CONNECT_WAIT);
	strategy_find_primary(pool_config);
	log_new_main(old_main, node_table->main_node_id);
	signal_children();
	if (!(r->flags & FAILOVER_FLAG_NO_COMMAND))
		run_configured_command("failback_command", pool_config->failback_command, id, old_main,
							   node_table->main_node_id, old_primary);
	plog(PL_LOG, "failback done. reconnect host %s(%d)", n->hostname, n->port);
	return FAILOVER_DONE;
}

/*
 * Make node id the primary.  The old primary, if up, is detached; with
 * --switchover (FAILOVER_FLAG_SWITCHOVER) failover_command runs for it, so
 * the usual script promotes node id; the other standbys follow the new
 * primary (follow_primary_command).  Without --switchover pgpool only
 * changes its own view: promoting the server is the operator's business.
 */
static FailoverResult
handle_promote(const FailoverRequest *r)
{
	int			id = r->node_id;
	int			old_primary, old_main;

	if (!valid_node(id))
	{
		plog(PL_LOG, "invalid promote request, node id: %d", id);
		return FAILOVER_INVALID_NODE;
	}
	if (!node_is_up(id))
	{
		plog(PL_LOG, "promote request for node %d refused: the node is not up", id);
		return FAILOVER_NODE_NOT_UP;
	}
	old_main = node_table->main_node_id;
	shmem_lock(SHMEM_LOCK_NODES);
	old_primary = node_table->primary_node_id;
	node_table->primary_node_id = id;
	node_table->nodes[id].role = NODE_ROLE_PRIMARY;
	shmem_unlock(SHMEM_LOCK_NODES);
	plog(PL_LOG, "promote node %d (old primary node: %d)", id, old_primary);
	/* only a mode with a primary has one to step down */
	if (!strategy_current()->has_primary || old_primary < 0 || old_primary == id ||
		!node_is_up(old_primary))
	{
		signal_children();
		return FAILOVER_DONE;
	}
	node_table->nodes[old_primary].role = NODE_ROLE_STANDBY;
	plog(PL_LOG, "starting degeneration. shutdown host %s(%d)", node_table->nodes[old_primary].hostname,
		 node_table->nodes[old_primary].port);
	node_table_set_status(old_primary, NODE_STATUS_DOWN);
	signal_children();
	if (r->flags & FAILOVER_FLAG_NO_COMMAND)
		return FAILOVER_DONE;
	if (r->flags & FAILOVER_FLAG_SWITCHOVER)
		run_configured_command("failover_command", pool_config->failover_command, old_primary,
							   old_main, id, old_primary);
	failover_follow_primary(old_primary, old_main, old_primary, id);
	plog(PL_LOG, "failover done. shutdown host %s(%d)", node_table->nodes[old_primary].hostname,
		 node_table->nodes[old_primary].port);
	return FAILOVER_DONE;
}

void
failover_handle_requests(void)
{
	FailoverRequest r;

	if (failover_queue == NULL)
		return;
	while (failover_queue_pop(&r))
	{
		FailoverResult res;

		if (!(r.flags & FAILOVER_FLAG_CLUSTER) && failover_route_hook &&
			failover_route_hook((FailoverKind) r.kind, r.node_id, r.flags, r.ticket, r.requester))
		{
			/* the cluster's leader decides; the ticket stays pending until then */
			failover_queue_finish(r.ticket, FAILOVER_PENDING);
			continue;
		}
		switch (r.kind)
		{
			case FAILOVER_DETACH:
				res = handle_detach(&r);
				break;
			case FAILOVER_ATTACH:
				res = handle_attach(&r);
				break;
			case FAILOVER_PROMOTE:
				res = handle_promote(&r);
				break;
			default:
				plog(PL_LOG, "unknown failover request kind %d from pid %d", r.kind, (int) r.requester);
				res = FAILOVER_INVALID_NODE;
				break;
		}
		failover_queue_finish(r.ticket, res);
		failover_finish_ticket(r.origin_ticket, res);
	}
}
