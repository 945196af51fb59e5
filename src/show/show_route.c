/*
 * show_route.c: the answer of PGPOOL EXPLAIN ROUTE, one row per configured
 * node: whether the statement would run there, whether that node's reply
 * is the one the client sees, and the router rule that decided.
 * Runs in a child process.
 */
#include "show/show.h"
#include "show_int.h"

#include "pool/node_table.h"
#include "replication/strategy.h"

static const char *const route_cols[] = {
	"node_id", "hostname", "port", "status", "role", "runs", "lead", "rule", "reason"
};

void
show_build_route(const bool *runs, int lead, const char *rule, const char *reason, PqBuf *sql)
{
	ShowTable	t;

	show_table_begin(&t, sql, route_cols, 9);
	for (int id = 0; id < node_table->num_backends; id++)
	{
		const BackendNode *n = &node_table->nodes[id];

		if (n->status == NODE_STATUS_UNUSED)
			continue;
		show_row_begin(&t);
		show_valuef(&t, "%d", id);
		show_value(&t, n->hostname);
		show_valuef(&t, "%d", n->port);
		show_value(&t, node_status_name_of(id));
		show_value(&t, strategy_role_name(id));
		show_value(&t, runs[id] ? "true" : "false");
		show_value(&t, id == lead ? "true" : "false");
		show_value(&t, rule ? rule : "");
		show_value(&t, reason ? reason : "");
		show_row_end(&t);
	}
	show_table_end(&t);
}
