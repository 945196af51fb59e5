/*
 * pcp_handlers.c: the PCP commands that report (node_count, node_info,
 * proc_count, pool_status, systemdb_info, health_check_stats; proc_info has
 * its own file).  They read the node table in shared memory and the
 * worker's copy of the configuration; row layouts are in pcp_wire.h.
 */
#include "pcp_int.h"

#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "utils/log.h"

#include <stdio.h>
#include <string.h>

PcpErrorCode
pcp_check_node(PcpSession *s, const char *arg, int *node_id)
{
	if (!pcp_parse_int(arg, node_id))
		return pcp_reply_error(s, PCP_ERR_INVAL, NULL, "invalid node id \"%s\"", arg);
	if (*node_id < 0 || *node_id >= node_table->num_backends ||
		node_table->nodes[*node_id].status == NODE_STATUS_UNUSED)
		return pcp_reply_error(s, PCP_ERR_BACKEND,
							   log_fmt("%d backend nodes are configured", node_table->num_backends),
							   "node id %d does not exist", *node_id);
	return PCP_OK;
}

/* This node's share of the configured weights (0 - 1). */
static double
normalized_weight(int id)
{
	double		total = 0;

	for (int i = 0; i < node_table->num_backends; i++)
		if (node_table->nodes[i].status != NODE_STATUS_UNUSED)
			total += node_table->nodes[i].weight;
	return total > 0 ? node_table->nodes[id].weight / total : 0.0;
}

PcpErrorCode
pcp_do_node_count(PcpSession *s, int argc, const char *const *argv)
{
	char		n[16];
	const char *row[1] = {n};
	int			count = 0;

	for (int i = 0; i < node_table->num_backends; i++)
		if (node_table->nodes[i].status != NODE_STATUS_UNUSED)
			count++;
	snprintf(n, sizeof(n), "%d", count);
	pcp_reply_row(s, 1, row);
	return PCP_OK;
}

/* The node's status as the health check last saw it. */
static const char *
node_pg_status(const BackendNode *n)
{
	if (n->hc.total_count == 0)
		return "unknown";
	return n->hc.last_successful_health_check >= n->hc.last_failed_health_check ? "up" : "down";
}

PcpErrorCode
pcp_do_node_info(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	BackendNode n;
	char		num[6][32];
	const char *row[PCP_NI_NFIELDS];
	PcpErrorCode rc;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	n = node_table->nodes[id];	/* a consistent copy */
	snprintf(num[0], sizeof(num[0]), "%d", id);
	snprintf(num[1], sizeof(num[1]), "%d", n.port);
	snprintf(num[2], sizeof(num[2]), "%d", n.status);
	snprintf(num[3], sizeof(num[3]), "%.17g", normalized_weight(id));
	snprintf(num[4], sizeof(num[4]), "%llu", (unsigned long long) n.replication_delay);
	snprintf(num[5], sizeof(num[5]), "%lld", (long long) n.status_changed);
	row[PCP_NI_ID] = num[0];
	row[PCP_NI_HOST] = n.hostname;
	row[PCP_NI_PORT] = num[1];
	row[PCP_NI_STATUS] = num[2];
	row[PCP_NI_WEIGHT] = num[3];
	row[PCP_NI_STATUS_NAME] = node_status_name_of(id);
	row[PCP_NI_PG_STATUS] = node_pg_status(&n);
	row[PCP_NI_ROLE] = strategy_role_name(id);
	/* the role pgpool knows; pg_is_in_recovery() is not asked here */
	row[PCP_NI_PG_ROLE] = strategy_role_name(id);
	row[PCP_NI_DELAY] = num[4];
	row[PCP_NI_REP_STATE] = node_replication_state(&n);
	row[PCP_NI_SYNC_STATE] = n.replication_sync_state;
	row[PCP_NI_LAST_CHANGE] = num[5];
	pcp_reply_row(s, PCP_NI_NFIELDS, row);
	return PCP_OK;
}

PcpErrorCode
pcp_do_proc_count(PcpSession *s, int argc, const char *const *argv)
{
	for (int i = 0; i < proc_table->num_children; i++)
	{
		char		pid[16];
		const char *row[1] = {pid};

		if (proc_info(i)->pid <= 0)
			continue;
		snprintf(pid, sizeof(pid), "%d", (int) proc_info(i)->pid);
		pcp_reply_row(s, 1, row);
	}
	return PCP_OK;
}

/* One row per parameter; numbered ones once per element in use. */
static void
pool_status_param(PcpSession *s, const ConfigParam *p)
{
	char		value[1024];
	char		name[128];
	const char *row[3] = {name, value, p->description};

	if (p->array == NULL)
	{
		snprintf(name, sizeof(name), "%s", p->name);
		config_value_for_display(pool_config, p, value, sizeof(value));
		pcp_reply_row(s, 3, row);
		return;
	}
	for (int i = 0; i < config_element_count(pool_config, p); i++)
	{
		if (!config_element_defined(pool_config, p, i))
			continue;
		config_element_for_display(pool_config, p, i, value, sizeof(value));
		if ((p->flags & CONFIG_FLAG_NODE_UNSET) && value[0] == '\0')
			continue;
		snprintf(name, sizeof(name), "%s%d", p->name, i);
		pcp_reply_row(s, 3, row);
	}
}

PcpErrorCode
pcp_do_pool_status(PcpSession *s, int argc, const char *const *argv)
{
	for (int i = 0; i < config_param_count(); i++)
	{
		const ConfigParam *p = config_param_at(i);

		if (p && !(p->flags & CONFIG_FLAG_OBSOLETE))
			pool_status_param(s, p);
	}
	return PCP_OK;
}

PcpErrorCode
pcp_do_systemdb_info(PcpSession *s, int argc, const char *const *argv)
{
	return pcp_reply_error(s, PCP_ERR_BACKEND,
						   "The System DB belonged to parallel query mode, which pgpool does not implement.",
						   "System DB is not defined");
}

/* Health check counters as text, in the row's order. */
static void
health_fields(const HealthCheckStats *hc, char num[][32], const char **row)
{
	double		avg_retry = hc->total_count ? (double) hc->retry_count / hc->total_count : 0;
	double		avg_duration = hc->total_count ? hc->total_duration_ms / hc->total_count : 0;

	snprintf(num[0], 32, "%llu", (unsigned long long) hc->total_count);
	snprintf(num[1], 32, "%llu", (unsigned long long) hc->success_count);
	snprintf(num[2], 32, "%llu", (unsigned long long) hc->fail_count);
	snprintf(num[3], 32, "%llu", (unsigned long long) hc->skip_count);
	snprintf(num[4], 32, "%llu", (unsigned long long) hc->retry_count);
	snprintf(num[5], 32, "%.6f", avg_retry);
	snprintf(num[6], 32, "%d", hc->max_retry_count);
	snprintf(num[7], 32, "%.0f", hc->max_duration_ms);
	snprintf(num[8], 32, "%.0f", hc->min_duration_ms);
	snprintf(num[9], 32, "%.6f", avg_duration);
	snprintf(num[10], 32, "%lld", (long long) hc->last_health_check);
	snprintf(num[11], 32, "%lld", (long long) hc->last_successful_health_check);
	snprintf(num[12], 32, "%lld", (long long) hc->last_skip_health_check);
	snprintf(num[13], 32, "%lld", (long long) hc->last_failed_health_check);
	for (int i = 0; i < 14; i++)
		row[PCP_HC_TOTAL + i] = num[i];
}

PcpErrorCode
pcp_do_health_check_stats(PcpSession *s, int argc, const char *const *argv)
{
	int			id;
	BackendNode n;
	char		head[3][32];
	char		num[14][32];
	const char *row[PCP_HC_NFIELDS];
	PcpErrorCode rc;

	if ((rc = pcp_check_node(s, argv[0], &id)) != PCP_OK)
		return rc;
	n = node_table->nodes[id];
	snprintf(head[0], sizeof(head[0]), "%d", id);
	snprintf(head[1], sizeof(head[1]), "%d", n.port);
	snprintf(head[2], sizeof(head[2]), "%lld", (long long) n.status_changed);
	row[PCP_HC_ID] = head[0];
	row[PCP_HC_HOST] = n.hostname;
	row[PCP_HC_PORT] = head[1];
	row[PCP_HC_STATUS] = node_status_name_of(id);
	row[PCP_HC_ROLE] = strategy_role_name(id);
	row[PCP_HC_LAST_CHANGE] = head[2];
	health_fields(&n.hc, num, row);
	pcp_reply_row(s, PCP_HC_NFIELDS, row);
	return PCP_OK;
}
