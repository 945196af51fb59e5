/*
 * health_failover.c: what a failed health check asks for.
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
