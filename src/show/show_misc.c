/*
 * show_misc.c: SHOW pool_status (every parameter of the one parameter
 * table, secrets masked), SHOW pool_version and SHOW pool_cache.
 * Runs in a child process; reads the process's configuration.
 */
#include "show_int.h"

#include "cache/qc_wal.h"
#include "cache/qcache.h"
#include "pool/node_table.h"

#include "config/config.h"
#include "utils/version.h"

#include <stdio.h>
#include <string.h>

#define SHOW_VALUE_MAX 8192		/* longer values (command lines, lists) are cut */

static void
status_row(ShowTable *t, const char *item, const char *value, const char *description)
{
	show_row_begin(t);
	show_value(t, item);
	show_value(t, value);
	show_value(t, description ? description : "");
	show_row_end(t);
}

/*
 * A family of numbered parameters (rows first..last-1 of the table share
 * one array): grouped by element, as pgpool-II lists them, so
 * backend_hostname0, backend_port0, ... come before backend_hostname1.
 * Only configured elements are listed.
 */
static void
status_array_rows(ShowTable *t, int first, int last, char *buf)
{
	const ConfigParam *p0 = config_param_at(first);
	int			count = config_element_count(pool_config, p0);

	for (int index = 0; index < count; index++)
	{
		if (!config_element_defined(pool_config, p0, index))
			continue;
		for (int i = first; i < last; i++)
		{
			const ConfigParam *p = config_param_at(i);
			char		name[128];

			snprintf(name, sizeof(name), "%s%d", p->name, index);
			status_row(t, name, config_element_for_display(pool_config, p, index, buf, SHOW_VALUE_MAX),
					   p->description);
		}
	}
}

void
show_rows_status(ShowTable *t)
{
	static char buf[SHOW_VALUE_MAX];
	int			n = config_param_count();

	if (pool_config == NULL)
		return;
	for (int i = 0; i < n;)
	{
		const ConfigParam *p = config_param_at(i);
		int			last = i + 1;

		if (p->array == NULL)
		{
			status_row(t, p->name, config_value_for_display(pool_config, p, buf, sizeof(buf)),
					   p->description);
			i++;
			continue;
		}
		while (last < n && config_param_at(last)->array == p->array)
			last++;
		status_array_rows(t, i, last, buf);
		i = last;
	}
	/* live replication delay of each standby, as the 3.x manual's SHOW pool_status lists it */
	if (node_table == NULL)
		return;
	for (int node = 0; node < node_table->num_backends; node++)
	{
		char		item[32], desc[64];

		if (node_table->nodes[node].status == NODE_STATUS_UNUSED)
			continue;
		snprintf(item, sizeof(item), "standby_delay%d", node);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long) node_table->nodes[node].replication_delay);
		snprintf(desc, sizeof(desc), "standby delay of node %d in bytes", node);
		status_row(t, item, buf, desc);
	}
}

void
show_rows_version(ShowTable *t)
{
	/* same words as "pgpool --version" */
	show_row_begin(t);
	show_value(t, PGPOOL_VERSION_STRING " (pgpool)");
	show_row_end(t);
}

/* invalidation_source and, with 'wal', the worker's node and lag (empty when not streaming) */
static void
show_rows_cache_wal(ShowTable *t)
{
	QcWalStatus w;

	if (!pool_config->memory_cache_enabled || pool_config->memqcache_invalidation_source != MQIS_WAL)
	{
		show_value(t, "pgpool");
		for (int i = 0; i < 3; i++)
			show_value(t, "");
		return;
	}
	qc_wal_status(&w);
	show_value(t, "wal");
	show_valuef(t, "%d", w.node_id);
	if (w.streaming)
	{
		show_valuef(t, "%lld", (long long) w.lag_bytes);
		show_valuef(t, "%.3f", w.lag_seconds);
	}
	else
	{
		show_value(t, "");
		show_value(t, "");
	}
}

/*
 * The in-memory query cache's counters and store sizes (zeros when it is
 * off, as pgpool-II shows; the store-size columns are zero for memcached).
 */
void
show_rows_cache(ShowTable *t)
{
	QcStats		st;
	int64_t		total;

	qc_stats(&st);
	total = st.num_cache_hits + st.num_selects;
	show_row_begin(t);
	show_valuef(t, "%lld", (long long) st.num_cache_hits);
	show_valuef(t, "%lld", (long long) st.num_selects);
	show_valuef(t, "%.2f", total > 0 ? (double) st.num_cache_hits / (double) total : 0.0);
	show_valuef(t, "%lld", (long long) st.num_hash_entries);
	show_valuef(t, "%lld", (long long) st.used_hash_entries);
	show_valuef(t, "%lld", (long long) st.num_cache_entries);
	show_valuef(t, "%lld", (long long) st.used_cache_entries_size);
	show_valuef(t, "%lld", (long long) st.free_cache_entries_size);
	show_valuef(t, "%lld", (long long) st.fragment_cache_entries_size);
	show_rows_cache_wal(t);
	show_row_end(t);
}
