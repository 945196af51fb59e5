/*
 * strategy.c: the table of clustering-mode strategies (see strategy.h).
 * Runs in every process; the parent selects at start and reload, children
 * and workers inherit the selection and select again after a reload.
 */
#include "replication/strategy.h"

#include "pool/node_table.h"

static const ModeStrategy strategies[] = {
	[CM_RAW] = {
		.name = "raw",
		.rules = ROUTER_RULES_RAW,
		.find_primary = find_primary_main_node,
	},
	[CM_STREAMING_REPLICATION] = {
		.name = "streaming_replication",
		.several_nodes = true, .has_primary = true, .wal_streams = true,
		.rules = ROUTER_RULES_PRIMARY_STANDBY,
		.find_primary = find_primary_by_recovery,
	},
	[CM_NATIVE_REPLICATION] = {
		.name = "native_replication",
		.several_nodes = true, .replicate_writes = true,
		.rules = ROUTER_RULES_REPLICATION,
		.find_primary = find_primary_main_node,
	},
	[CM_LOGICAL_REPLICATION] = {
		/* every node is a primary to PostgreSQL: the first up (or ALWAYS_PRIMARY) takes writes */
		.name = "logical_replication",
		.several_nodes = true, .has_primary = true,
		.rules = ROUTER_RULES_PRIMARY_STANDBY,
		.find_primary = find_primary_first_up,
	},
	[CM_SLONY] = {
		.name = "slony",
		.several_nodes = true, .has_primary = true,
		.rules = ROUTER_RULES_PRIMARY_STANDBY,
		.find_primary = find_primary_first_up,
	},
	[CM_SNAPSHOT_ISOLATION] = {
		.name = "snapshot_isolation",
		.several_nodes = true, .replicate_writes = true, .snapshot_isolation = true,
		.rules = ROUTER_RULES_REPLICATION,
		.find_primary = find_primary_main_node,
	},
};

static const ModeStrategy *current = &strategies[CM_RAW];

const ModeStrategy *
strategy_for(const PoolConfig *cfg)
{
	int			mode = cfg->backend_clustering_mode;

	if (mode < 0 || mode >= (int) (sizeof(strategies) / sizeof(strategies[0])))
		mode = CM_RAW;
	return &strategies[mode];
}

void
strategy_select(const PoolConfig *cfg)
{
	current = strategy_for(cfg);
}

const ModeStrategy *
strategy_current(void)
{
	return current;
}

int
strategy_find_primary(const PoolConfig *cfg)
{
	return current->find_primary(cfg);
}

const char *
strategy_role_name(int id)
{
	if (!current->has_primary)
		return id == node_table->main_node_id ? "main" : "replica";
	return id == node_table->primary_node_id || node_table->nodes[id].role == NODE_ROLE_PRIMARY ?
		"primary" : "standby";
}

bool
strategy_uses_several_nodes(void)
{
	return current->several_nodes && node_table->num_backends > 1;
}
