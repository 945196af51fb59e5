/*
 * strategy.c: the table of clustering-mode strategies.
 */
#include "replication/strategy.h"

static const ModeStrategy strategies[] = {
	[CM_RAW] = {"raw", false, false, false, false},
	[CM_STREAMING_REPLICATION] = {"streaming_replication", true, true, true, false},
	[CM_NATIVE_REPLICATION] = {"native_replication", true, false, true, true},
	[CM_LOGICAL_REPLICATION] = {"logical_replication", true, true, true, false},
	[CM_SLONY] = {"slony", true, true, true, false},
	[CM_SNAPSHOT_ISOLATION] = {"snapshot_isolation", true, false, true, true},
};

static const ModeStrategy *current = &strategies[CM_RAW];

void
strategy_select(const PoolConfig *cfg)
{
	int			mode = cfg->backend_clustering_mode;

	if (mode < 0 || mode >= (int) (sizeof(strategies) / sizeof(strategies[0])))
		mode = CM_RAW;
	current = &strategies[mode];
}

const ModeStrategy *
strategy_current(void)
{
	return current;
}
