/*
 * auto_failback.c: auto_failback, run by the streaming replication check
 * worker after each check.  A node that is down, says it is in recovery
 * and streams from the primary (pg_stat_replication state "streaming" for
 * its backend_application_name) is attached again, as pcp_attach_node
 * would (failback_command runs).  auto_failback_interval seconds must pass
 * between two automatic failbacks of the same node, so a node whose
 * network flaps does not go down and up for ever.
 */
#include "health/health.h"

#include "failover/failover.h"
#include "pool/node_table.h"
#include "replication/strategy.h"
#include "utils/log.h"

#include <string.h>
#include <time.h>

static time_t last_failback[MAX_BACKENDS];

/* Is node n a down standby that streams from the primary? */
static bool
streams_again(const PoolConfig *cfg, int n, int primary)
{
	const BackendNode *node = &node_table->nodes[n];
	const char *app = cfg->backends[n].application_name;

	if (n == primary || node->status != NODE_STATUS_DOWN)
		return false;
	if (app == NULL || app[0] == '\0')
		return false;
	return node->pg_recovery == NODE_RECOVERY_YES &&
		strcmp(node->replication_state, "streaming") == 0;
}

void
auto_failback_check(const PoolConfig *cfg, int primary)
{
	time_t		now = time(NULL);

	if (!cfg->auto_failback || primary < 0 || !node_is_up(primary))
		return;
	for (int n = 0; n < node_table->num_backends && n < MAX_BACKENDS; n++)
	{
		if (!streams_again(cfg, n, primary))
			continue;
		if (cfg->auto_failback_interval > 0 && last_failback[n] != 0 &&
			now - last_failback[n] < cfg->auto_failback_interval)
		{
			plog(PL_DEBUG1, "auto failback of node %d waits: auto_failback_interval (%d seconds) has not passed",
				 n, cfg->auto_failback_interval);
			continue;
		}
		plog(PL_LOG, "auto failback: node %d streams from the primary node %d again, requesting failback",
			 n, primary);
		last_failback[n] = now;
		failover_request(FAILOVER_ATTACH, n, 0);
	}
}
