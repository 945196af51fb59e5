/*
 * show.c: the table of SHOW items and show_build_query().
 *
 * Column lists are pgpool-II 4.3's.  Each item's rows are written by one
 * function reading shared memory (show_nodes.c, show_procs.c) or the
 * configuration (show_misc.c).  Runs in a child process.
 */
#include "show/show.h"
#include "show_int.h"

#include "utils/log.h"

#include <string.h>

#define COUNT(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const char *const status_cols[] = {"item", "value", "description"};

static const char *const nodes_cols[] = {
	"node_id", "hostname", "port", "status", "pg_status", "lb_weight", "role", "pg_role",
	"select_cnt", "load_balance_node", "replication_delay", "replication_state",
	"replication_sync_state", "last_status_change"
};

static const char *const processes_cols[] = {
	"pool_pid", "start_time", "client_connection_count", "database", "username",
	"backend_connection_time", "pool_counter", "status"
};

static const char *const pools_cols[] = {
	"pool_pid", "start_time", "client_connection_count", "pool_id", "backend_id", "database",
	"username", "backend_connection_time", "client_connection_time",
	"client_disconnection_time", "client_idle_duration", "majorversion", "minorversion",
	"pool_counter", "pool_backendpid", "pool_connected", "status"
};

static const char *const version_cols[] = {"pool_version"};

static const char *const cache_cols[] = {
	"num_cache_hits", "num_selects", "cache_hit_ratio", "num_hash_entries",
	"used_hash_entries", "num_cache_entries", "used_cache_entries_size",
	"free_cache_entries_size", "fragment_cache_entries_size",
	/* beyond pgpool-II: what invalidates, and how far the WAL worker lags */
	"invalidation_source", "wal_node_id", "wal_lag_bytes", "wal_lag_seconds"
};

static const char *const health_check_cols[] = {
	"node_id", "hostname", "port", "status", "role", "last_status_change", "total_count",
	"success_count", "fail_count", "skip_count", "retry_count", "average_retry_count",
	"max_retry_count", "max_duration", "min_duration", "average_duration",
	"last_health_check", "last_successful_health_check", "last_skip_health_check",
	"last_failed_health_check"
};

static const char *const backend_stats_cols[] = {
	"node_id", "hostname", "port", "status", "role", "select_cnt", "insert_cnt", "update_cnt",
	"delete_cnt", "ddl_cnt", "other_cnt", "panic_cnt", "fatal_cnt", "error_cnt"
};

static const ShowItem items[] = {
	{"pool_status", status_cols, COUNT(status_cols), show_rows_status},
	{"pool_nodes", nodes_cols, COUNT(nodes_cols), show_rows_nodes},
	{"pool_processes", processes_cols, COUNT(processes_cols), show_rows_processes},
	{"pool_pools", pools_cols, COUNT(pools_cols), show_rows_pools},
	{"pool_version", version_cols, COUNT(version_cols), show_rows_version},
	{"pool_cache", cache_cols, COUNT(cache_cols), show_rows_cache},
	{"pool_health_check_stats", health_check_cols, COUNT(health_check_cols),
	show_rows_health_check_stats},
	{"pool_backend_stats", backend_stats_cols, COUNT(backend_stats_cols), show_rows_backend_stats},
};

const ShowItem *
show_item_find(const char *name)
{
	for (int i = 0; i < COUNT(items); i++)
		if (strcmp(items[i].name, name) == 0)
			return &items[i];
	return NULL;
}

const ShowItem *
show_items(int *count)
{
	*count = COUNT(items);
	return items;
}

bool
show_build_query(const char *item, PqBuf *sql)
{
	const ShowItem *it = show_item_find(item);
	ShowTable	t;

	if (it == NULL)
		return false;
	show_table_begin(&t, sql, it->cols, it->ncols);
	it->rows(&t);
	show_table_end(&t);
	plog(PL_DEBUG1, "SHOW %s answered with %d rows", item, t.nrows);
	return true;
}
