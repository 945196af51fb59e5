/*
 * admin_metrics.c: GET /metrics, pgpool's state in the Prometheus text
 * exposition format (version 0.0.4), so no separate exporter is needed.
 *
 * Names follow Prometheus conventions: pgpool_ prefix, base units
 * (seconds, bytes), _total for counters.  Everything comes from PCP:
 * node info and health-check stats per node, pcp_proc_info for children
 * and pools, pcp_stats for select counts and the query cache,
 * pcp_watchdog_info for the watchdog cluster when use_watchdog is on.
 *
 * Without --metrics-auth anyone may scrape; pgpooladmin then logs in to
 * PCP as --metrics-user (default: the first user of pcp.conf) with the
 * password from the PCP password file (PCPPASSFILE or ~/.pcppass).  With
 * --metrics-auth the scraper's Basic credentials are used.
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metric family's HELP and TYPE lines. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped. */
static void
label_value(FILE *f, const char *v)
{
	for (; *v; v++)
	{
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
		{
			fputs("\\n", f);
			continue;
		}
		fputc(*v, f);
	}
}

static void
node_labels(FILE *f, json_t *n, bool full)
{
	fprintf(f, "{node_id=\"%d\"", (int) json_integer_value(json_object_get(n, "node_id")));
	if (full)
	{
		fputs(",hostname=\"", f);
		label_value(f, json_string_value(json_object_get(n, "hostname")));
		fprintf(f, "\",port=\"%d\",role=\"", (int) json_integer_value(json_object_get(n, "port")));
		label_value(f, json_string_value(json_object_get(n, "role")));
		fputc('"', f);
	}
	fputc('}', f);
}

/* One line per node of the numeric field key (of sub-object sub, if given). */
static void
node_metric(FILE *f, json_t *nodes, const char *name, const char *type, const char *help,
			const char *sub, const char *key, double scale)
{
	size_t		i;
	json_t	   *n;

	family(f, name, type, help);
	json_array_foreach(nodes, i, n)
	{
		json_t	   *src = sub ? json_object_get(n, sub) : n;
		json_t	   *v = json_object_get(src, key);

		if (v == NULL || !json_is_number(v))
			continue;
		fputs(name, f);
		node_labels(f, n, false);
		fprintf(f, " %.17g\n", json_number_value(v) * scale);
	}
}

static void
write_nodes(FILE *f, json_t *nodes)
{
	size_t		i;
	json_t	   *n;

	family(f, "pgpool_backend_status", "gauge", "Backend node status as pgpool sees it: 1 up, 0 down.");
	json_array_foreach(nodes, i, n)
	{
		fputs("pgpool_backend_status", f);
		node_labels(f, n, true);
		fprintf(f, " %d\n", json_is_true(json_object_get(n, "up")) ? 1 : 0);
	}
	node_metric(f, nodes, "pgpool_backend_weight", "gauge",
				"Share of load-balanced reads given to the node (0-1).", NULL, "weight", 1);
	node_metric(f, nodes, "pgpool_backend_select_total", "counter",
				"SELECT statements routed to the node.", NULL, "select_count", 1);
	node_metric(f, nodes, "pgpool_backend_replication_delay_bytes", "gauge",
				"WAL bytes the standby is behind the primary.", NULL, "replication_delay", 1);
	node_metric(f, nodes, "pgpool_health_check_total", "counter",
				"Health checks run against the node.", "health_check", "total_count", 1);
	node_metric(f, nodes, "pgpool_health_check_success_total", "counter",
				"Health checks that succeeded.", "health_check", "success_count", 1);
	node_metric(f, nodes, "pgpool_health_check_failures_total", "counter",
				"Health checks that failed.", "health_check", "fail_count", 1);
	node_metric(f, nodes, "pgpool_health_check_skips_total", "counter",
				"Health checks skipped (node down).", "health_check", "skip_count", 1);
	node_metric(f, nodes, "pgpool_health_check_retries_total", "counter",
				"Health check retries.", "health_check", "retry_count", 1);
	node_metric(f, nodes, "pgpool_health_check_duration_max_seconds", "gauge",
				"Longest health check.", "health_check", "max_duration_ms", 0.001);
	node_metric(f, nodes, "pgpool_health_check_duration_average_seconds", "gauge",
				"Average health check duration.", "health_check", "average_duration_ms", 0.001);
}

static const char *const child_states[] = {
	"Wait for connection", "Connecting", "Idle", "Idle in transaction", "Active", "Exiting", NULL
};

/* "Idle in transaction" -> idle_in_transaction */
static void
state_label(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ' ' ? '_' : (*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s), f);
}

static void
write_pools(FILE *f, const PcpProcInfoList *l)
{
	int			per_state[8] = {0};
	int			slots[128] = {0}, used[128] = {0};
	int			nnodes = 0;
	pid_t		last = 0;

	for (int i = 0; i < l->count; i++)
	{
		const PcpProcInfo *p = &l->items[i];

		if (p->backend_id >= 0 && p->backend_id < 128)
		{
			slots[p->backend_id]++;
			used[p->backend_id] += p->backend_pid > 0;
			if (p->backend_id + 1 > nnodes)
				nnodes = p->backend_id + 1;
		}
		if (p->pid == last)
			continue;
		last = p->pid;
		for (int s = 0; child_states[s]; s++)
			if (strcmp(p->status, child_states[s]) == 0)
				per_state[s]++;
	}
	family(f, "pgpool_child_processes", "gauge", "pgpool child processes by state.");
	for (int s = 0; child_states[s]; s++)
	{
		fputs("pgpool_child_processes{state=\"", f);
		state_label(f, child_states[s]);
		fprintf(f, "\"} %d\n", per_state[s]);
	}
	family(f, "pgpool_frontend_connections", "gauge", "Client connections by state.");
	for (int s = 1; s <= 4; s++)
	{
		fputs("pgpool_frontend_connections{state=\"", f);
		state_label(f, child_states[s]);
		fprintf(f, "\"} %d\n", per_state[s]);
	}
	family(f, "pgpool_pool_backend_connections", "gauge", "Pooled backend connections open, per node.");
	for (int n = 0; n < nnodes; n++)
		fprintf(f, "pgpool_pool_backend_connections{node_id=\"%d\"} %d\n", n, used[n]);
	family(f, "pgpool_pool_slots", "gauge", "Pool slots (children x max_pool), per node.");
	for (int n = 0; n < nnodes; n++)
		fprintf(f, "pgpool_pool_slots{node_id=\"%d\"} %d\n", n, slots[n]);
}

static void
write_cache(FILE *f, const AdminStats *st)
{
	if (!st->have)
		return;
	family(f, "pgpool_query_cache_enabled", "gauge", "Whether the in-memory query cache is on.");
	fprintf(f, "pgpool_query_cache_enabled %d\n", st->cache_enabled ? 1 : 0);
	if (!st->cache_enabled)
		return;
	family(f, "pgpool_query_cache_hits_total", "counter", "SELECTs answered from the query cache.");
	fprintf(f, "pgpool_query_cache_hits_total %lld\n", (long long) st->cache_hits);
	family(f, "pgpool_query_cache_misses_total", "counter", "SELECTs not answered from the cache.");
	fprintf(f, "pgpool_query_cache_misses_total %lld\n", (long long) st->cache_selects);
	family(f, "pgpool_query_cache_entries", "gauge", "Entries in the query cache.");
	fprintf(f, "pgpool_query_cache_entries %lld\n", (long long) st->cache_entries);
	family(f, "pgpool_query_cache_used_bytes", "gauge", "Bytes of cache storage in use.");
	fprintf(f, "pgpool_query_cache_used_bytes %lld\n", (long long) st->cache_used_bytes);
	family(f, "pgpool_query_cache_free_bytes", "gauge", "Bytes of cache storage free.");
	fprintf(f, "pgpool_query_cache_free_bytes %lld\n", (long long) st->cache_free_bytes);
}

/* The watchdog cluster as this pgpool sees it (use_watchdog = on only). */
static void
write_watchdog(FILE *f, PcpConn *c)
{
	AdminPgpoolInfo info;
	PcpWatchdogInfo w = {0};

	admin_pgpool_info(&info);
	family(f, "pgpool_watchdog_enabled", "gauge", "Whether use_watchdog is on.");
	fprintf(f, "pgpool_watchdog_enabled %d\n", info.use_watchdog ? 1 : 0);
	if (!info.use_watchdog || pcp_watchdog_info(c, -1, &w) != PCP_OK)
		return;
	family(f, "pgpool_watchdog_nodes", "gauge", "pgpools configured in the watchdog cluster.");
	fprintf(f, "pgpool_watchdog_nodes %d\n", w.total);
	family(f, "pgpool_watchdog_members", "gauge", "pgpools with an active membership.");
	fprintf(f, "pgpool_watchdog_members %d\n", w.members);
	family(f, "pgpool_watchdog_quorum", "gauge", "Quorum: 1 exists, 0 on the edge, -1 absent.");
	fprintf(f, "pgpool_watchdog_quorum %d\n", w.quorum);
	family(f, "pgpool_watchdog_escalated", "gauge", "Whether this pgpool holds the delegate IP.");
	fprintf(f, "pgpool_watchdog_escalated %d\n", w.escalated ? 1 : 0);
	family(f, "pgpool_watchdog_node_state", "gauge",
		   "Each watchdog node, labelled with its state (always 1).");
	for (int i = 0; i < w.count; i++)
	{
		fprintf(f, "pgpool_watchdog_node_state{wd_node_id=\"%d\",host=\"", w.nodes[i].id);
		label_value(f, w.nodes[i].host);
		fprintf(f, "\",pgpool_port=\"%d\",state=\"", w.nodes[i].pgpool_port);
		label_value(f, w.nodes[i].state_name);
		fputs("\"} 1\n", f);
	}
	pcp_free_watchdog_info(&w);
}

/* The first user of pcp.conf into buf. */
static bool
first_pcp_user(char *buf, size_t len)
{
	char	   *text = admin_file_read(admin_opts.pcp_path, 1024 * 1024, NULL);
	char	   *save = NULL;
	bool		found = false;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && !found; l = strtok_r(NULL, "\n", &save))
	{
		char	   *colon = strchr(l, ':');

		if (l[0] != '#' && colon && colon > l && (size_t) (colon - l) < len)
		{
			snprintf(buf, len, "%.*s", (int) (colon - l), l);
			found = true;
		}
	}
	free(text);
	return found;
}

/* Log in as the scraper (--metrics-auth) or as the metrics user. */
static PcpConn *
metrics_connect(AdminRequest *r)
{
	AdminPgpoolInfo info;
	char		user[ADMIN_MAX_USER];
	char	   *pw;
	PcpConn    *c;

	if (admin_opts.metrics_auth)
		return admin_pcp_open_as(r->user, r->password);
	if (admin_opts.metrics_user)
		snprintf(user, sizeof(user), "%s", admin_opts.metrics_user);
	else if (!first_pcp_user(user, sizeof(user)))
		return NULL;
	admin_pgpool_info(&info);
	pw = pcp_passfile_lookup(info.pcp_host[0] == '/' ? NULL : info.pcp_host, info.pcp_port, user);
	if (pw == NULL)
		return NULL;
	c = admin_pcp_open_as(user, pw);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	return c;
}

enum MHD_Result
admin_metrics_handle(AdminRequest *r)
{
	PcpConn    *c = metrics_connect(r);
	bool		up = c && pcp_conn_status(c) == PCP_OK;
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *f = open_memstream(&text, &len);
	enum MHD_Result ret;

	family(f, "pgpool_up", "gauge", "Whether pgpool answered on its PCP port (1) or not (0).");
	fprintf(f, "pgpool_up %d\n", up ? 1 : 0);
	if (up)
	{
		PcpErrorCode rc;
		json_t	   *nodes = admin_nodes_collect(c, &rc);
		PcpProcInfoList l = {0};
		AdminStats	st;

		if (nodes)
			write_nodes(f, nodes);
		json_decref(nodes);
		if (admin_pools_fetch(c, &l, &rc))
			write_pools(f, &l);
		pcp_free_proc_info_list(&l);
		admin_stats_fetch(c, &st);
		write_cache(f, &st);
		write_watchdog(f, c);
	}
	pcp_disconnect(c);
	fclose(f);
	ret = admin_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL);
	free(text);
	return ret;
}
