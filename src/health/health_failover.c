/*
 * health_failover.c: what a failed (or, for a quarantined node, a
 * successful) health check asks for.  Runs in the health check processes.
 */
#include "health/health.h"

#include "failover/failover.h"
#include "pool/node_table.h"
#include "utils/log.h"

void
health_report_failure(int node)
{
	const BackendNode *n = &node_table->nodes[node];

	if (n->flag & BACKEND_FLAG_DISALLOW_TO_FAILOVER)
	{
		plog(PL_LOG, "health check failed on node %d, but failover is disallowed for the node", node);
		return;
	}
	plog(PL_LOG, "health check failed on node %d: requesting failover", node);
	failover_request(FAILOVER_DETACH, node, 0);
}

void
health_report_back(int node)
{
	/* the quarantine is this pgpool's own: lifted here, without the leader */
	plog(PL_LOG, "health check succeeded on quarantined node %d: requesting failback", node);
	failover_request(FAILOVER_ATTACH, node,
					 FAILOVER_FLAG_CLUSTER | FAILOVER_FLAG_NO_COMMAND | FAILOVER_FLAG_QUARANTINE);
}
