/*
 * admin_api_nodes.c: the backend nodes in the JSON API.
 *
 *   GET  /api/nodes                  every node: status, role, weight,
 *                                    replication delay and state, select
 *                                    count, last status change, health check
 *   POST /api/nodes/N/attach         pcp_attach_node
 *   POST /api/nodes/N/detach         pcp_detach_node (?gracefully=1)
 *   POST /api/nodes/N/promote        pcp_promote_node (?switchover=1)
 *   POST /api/nodes/N/recover        pcp_recovery_node (online recovery)
 *
 * Runs in a libmicrohttpd connection thread, one PCP connection per request.
 */
#include "admin_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

json_t *
admin_json_time(time_t t)
{
	char		buf[32];
	struct tm	tm;

	if (t == 0)
		return json_null();
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return json_string(buf);
}

static json_t *
health_json(const PcpHealthCheckStats *h)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:f,s:o,s:o,s:o,s:o}",
					 "total_count", (json_int_t) h->total_count,
					 "success_count", (json_int_t) h->success_count,
					 "fail_count", (json_int_t) h->fail_count,
					 "skip_count", (json_int_t) h->skip_count,
					 "retry_count", (json_int_t) h->retry_count,
					 "average_retry_count", h->average_retry_count,
					 "max_retry_count", (json_int_t) h->max_retry_count,
					 "max_duration_ms", (json_int_t) h->max_duration,
					 "min_duration_ms", (json_int_t) h->min_duration,
					 "average_duration_ms", h->average_duration,
					 "last_health_check", admin_json_time(h->last_health_check),
					 "last_successful_health_check",
					 admin_json_time(h->last_successful_health_check),
					 "last_skip_health_check", admin_json_time(h->last_skip_health_check),
					 "last_failed_health_check", admin_json_time(h->last_failed_health_check));
}

static json_t *
node_json(const PcpNodeInfo *n)
{
	return json_pack("{s:i,s:s,s:i,s:s,s:b,s:s,s:s,s:s,s:f,s:I,s:s,s:s,s:o}",
					 "node_id", n->node_id, "hostname", n->hostname, "port", n->port,
					 "status", n->status_name, "up", n->status != 3,
					 "pg_status", n->pg_status, "role", n->role, "pg_role", n->pg_role,
					 "weight", n->weight, "replication_delay", (json_int_t) n->replication_delay,
					 "replication_state", n->replication_state,
					 "replication_sync_state", n->replication_sync_state,
					 "last_status_change", admin_json_time(n->last_status_change));
}

/*
 * Every node with its health-check statistics and select count; shared
 * with /metrics.  Returns NULL and sets *rc when PCP fails.
 */
json_t *
admin_nodes_collect(PcpConn *c, PcpErrorCode *rc)
{
	int			count;
	json_t	   *arr = json_array();
	AdminStats	stats = {0};

	if ((*rc = pcp_node_count(c, &count)) != PCP_OK)
	{
		json_decref(arr);
		return NULL;
	}
	admin_stats_fetch(c, &stats);
	for (int id = 0, seen = 0; seen < count && id < 128; id++)
	{
		PcpNodeInfo n;
		PcpHealthCheckStats h;
		json_t	   *o;

		if (pcp_node_info(c, id, &n) != PCP_OK)
			continue;
		seen++;
		o = node_json(&n);
		if (pcp_health_check_stats(c, id, &h) == PCP_OK)
			json_object_set_new(o, "health_check", health_json(&h));
		if (stats.have && id < stats.num_nodes)
			json_object_set_new(o, "select_count", json_integer((json_int_t) stats.select_count[id]));
		json_array_append_new(arr, o);
	}
	*rc = PCP_OK;
	return arr;
}

enum MHD_Result
admin_api_nodes(AdminRequest *r)
{
	enum MHD_Result ret;
	PcpConn    *c = admin_pcp_open(r, &ret);
	PcpErrorCode rc;
	json_t	   *arr;

	if (c == NULL)
		return ret;
	arr = admin_nodes_collect(c, &rc);
	if (arr == NULL)
		return admin_pcp_result(r, c, rc, "list nodes");
	pcp_disconnect(c);
	return admin_reply_json(r, 200, json_pack("{s:o}", "nodes", arr));
}

static bool
query_flag(AdminRequest *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0);
}

/*
 * An online recovery (pg_basebackup of the primary: minutes or hours), a
 * graceful detach or promote (waits for clients to leave) and a switchover
 * (runs failover_command) answer when they are done, not within
 * --pcp-timeout: like pcp_recovery_node without -t, wait for the answer.
 */
static bool
action_is_long(AdminRequest *r, const char *action)
{
	return strcmp(action, "recover") == 0 || query_flag(r, "gracefully") ||
		(strcmp(action, "promote") == 0 && query_flag(r, "switchover"));
}

enum MHD_Result
admin_api_node_action(AdminRequest *r, int node, const char *action)
{
	enum MHD_Result ret;
	PcpConn    *c;
	PcpErrorCode rc;
	char		what[64];

	if (strcmp(action, "attach") != 0 && strcmp(action, "detach") != 0 &&
		strcmp(action, "promote") != 0 && strcmp(action, "recover") != 0)
		return admin_reply_error(r, 404, "unknown node action",
								 "Use attach, detach, promote or recover.");
	c = admin_pcp_open_timeout(r, &ret, action_is_long(r, action) ? 0 : admin_opts.pcp_timeout);
	if (c == NULL)
		return ret;
	snprintf(what, sizeof(what), "%s node %d", action, node);
	if (strcmp(action, "attach") == 0)
		rc = pcp_attach_node(c, node);
	else if (strcmp(action, "detach") == 0)
		rc = pcp_detach_node(c, node, query_flag(r, "gracefully"));
	else if (strcmp(action, "promote") == 0)
		rc = pcp_promote_node_ex(c, node, query_flag(r, "gracefully"), query_flag(r, "switchover"));
	else
		rc = pcp_recovery_node(c, node);
	return admin_pcp_result(r, c, rc, what);
}
