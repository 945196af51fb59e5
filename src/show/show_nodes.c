/*
 * show_nodes.c: the per-node SHOW items: pool_nodes, pool_backend_stats
 * and pool_health_check_stats, read from the node table in shared memory.
 *
 * Statistics pgpool does not collect yet (per-kind statement counts and
 * backend error counts) are shown as zero, with pgpool-II's formats, so the
 * columns are already right for tools.
 * Runs in a child process.
 */
#include "show_int.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"

#include <inttypes.h>
#include <string.h>

/* Is this node used at all (a configured slot)? */
static bool
node_listed(int id)
{
	return node_table->nodes[id].status != NODE_STATUS_UNUSED;
}

/* Status text: up, waiting, down, quarantine (pcp_node_info's vocabulary). */
static const char *
node_status_text(int id)
{
	return node_status_name_of(id);
}

/* Weight normalised over the configured nodes, as pgpool-II prints it. */
static double
node_lb_weight(int id)
{
	double		total = 0;

	for (int i = 0; i < node_table->num_backends; i++)
		if (node_listed(i))
			total += node_table->nodes[i].weight;
	return total > 0 ? node_table->nodes[id].weight / total : 0.0;
}

/* The node this session reads from; the main node outside a session. */
static int
session_lb_node(void)
{
	if (proc_table && my_child_index >= 0 && my_child_index < proc_table->num_children)
		return proc_info(my_child_index)->load_balance_node;
	return node_table->main_node_id;
}

/* The first five columns every per-node item starts with. */
static void
node_identity(ShowTable *t, int id, bool with_role)
{
	const BackendNode *n = &node_table->nodes[id];

	show_valuef(t, "%d", id);
	show_value(t, n->hostname);
	show_valuef(t, "%d", n->port);
	show_value(t, node_status_text(id));
	if (with_role)
		show_value(t, strategy_role_name(id));
}

/*
 * pg_role as pgpool-II 4.3 reports it: with a primary, what the node itself
 * last answered to the streaming replication check (pg_is_in_recovery), so
 * "unknown" without that check (sr_check_period = 0), before its first
 * answer or when the node does not answer; in modes without a primary,
 * the same as role.
 */
static const char *
node_pg_role(int id, bool reachable)
{
	if (!strategy_current()->has_primary)
		return strategy_role_name(id);
	if (pool_config->sr_check_period == 0 || !reachable)
		return "unknown";
	switch (node_table->nodes[id].pg_recovery)
	{
		case NODE_RECOVERY_NO:
			return "primary";
		case NODE_RECOVERY_YES:
			return "standby";
		default:
			return "unknown";
	}
}

static void
node_row(ShowTable *t, int id, int lb_node)
{
	const BackendNode *n = &node_table->nodes[id];
	char		when[32];
	bool		reachable = show_ping_hook(n->hostname, n->port);

	node_identity(t, id, false);
	show_value(t, reachable ? "up" : "down");	/* pg_status */
	show_valuef(t, "%f", node_lb_weight(id));
	show_value(t, strategy_role_name(id));
	show_value(t, node_pg_role(id, reachable));
	show_valuef(t, "%" PRIu64, n->select_count);
	show_value(t, id == lb_node ? "true" : "false");
	if (pool_config->delay_threshold_by_time > 0)
		show_valuef(t, "%f", n->replication_delay_seconds);
	else
		show_valuef(t, "%" PRIu64, n->replication_delay);
	show_value(t, node_replication_state(n));
	show_value(t, n->replication_sync_state);
	show_value(t, show_format_time(n->status_changed, when, sizeof(when)));
}

void
show_rows_nodes(ShowTable *t)
{
	int			lb_node;

	if (node_table == NULL)
		return;
	lb_node = session_lb_node();
	for (int id = 0; id < node_table->num_backends; id++)
	{
		if (!node_listed(id))
			continue;
		show_row_begin(t);
		node_row(t, id, lb_node);
		show_row_end(t);
	}
}

void
show_rows_backend_stats(ShowTable *t)
{
	if (node_table == NULL)
		return;
	for (int id = 0; id < node_table->num_backends; id++)
	{
		if (!node_listed(id))
			continue;
		show_row_begin(t);
		node_identity(t, id, true);
		show_valuef(t, "%" PRIu64, node_table->nodes[id].select_count);
		/* insert, update, delete, ddl, other; panic, fatal, error */
		for (int i = 0; i < 8; i++)
			show_value(t, "0");
		show_row_end(t);
	}
}

/* The statistics columns of one node's health checks. */
static void
health_check_values(ShowTable *t, const HealthCheckStats *hc)
{
	char		when[32];
	double		sessions = hc->total_count > 0 ? (double) hc->total_count : 1.0;

	show_valuef(t, "%" PRIu64, hc->total_count);
	show_valuef(t, "%" PRIu64, hc->success_count);
	show_valuef(t, "%" PRIu64, hc->fail_count);
	show_valuef(t, "%" PRIu64, hc->skip_count);
	show_valuef(t, "%" PRIu64, hc->retry_count);
	show_valuef(t, "%f", (double) hc->retry_count / sessions);
	show_valuef(t, "%d", hc->max_retry_count);
	show_valuef(t, "%.0f", hc->max_duration_ms);
	show_valuef(t, "%.0f", hc->min_duration_ms);
	show_valuef(t, "%f", hc->total_duration_ms / sessions);
	show_value(t, show_format_time(hc->last_health_check, when, sizeof(when)));
	show_value(t, show_format_time(hc->last_successful_health_check, when, sizeof(when)));
	show_value(t, show_format_time(hc->last_skip_health_check, when, sizeof(when)));
	show_value(t, show_format_time(hc->last_failed_health_check, when, sizeof(when)));
}

void
show_rows_health_check_stats(ShowTable *t)
{
	char		when[32];

	if (node_table == NULL)
		return;
	for (int id = 0; id < node_table->num_backends; id++)
	{
		HealthCheckStats hc;

		if (!node_listed(id))
			continue;
		hc = node_table->nodes[id].hc;	/* one copy: the health check keeps writing */
		show_row_begin(t);
		node_identity(t, id, true);
		show_value(t, show_format_time(node_table->nodes[id].status_changed, when, sizeof(when)));
		health_check_values(t, &hc);
		show_row_end(t);
	}
}
