/*
 * pcp_stats.c: the PCP "stats" command (pcp_stats): counters pgpool keeps
 * in shared memory that the other commands do not report, as rows
 * (name, node id or "", value), so a monitor such as pgpooladmin's
 * /metrics can read them without a SQL connection:
 *   select_count N V     SELECTs routed to node N (SHOW pool_nodes' select_cnt)
 *   cache_enabled "" 0|1
 *   cache_* "" V         SHOW pool_cache's numbers (when the cache is on)
 * New counters are new names; clients skip the names they do not know.
 * Runs in the PCP worker.
 */
#include "pcp_int.h"

#include "cache/qcache.h"
#include "pool/node_table.h"

#include <inttypes.h>
#include <stdio.h>

static void
stat_row(PcpSession *s, const char *name, int node, int64_t value)
{
	char		n[16] = "", v[32];
	const char *row[3] = {name, n, v};

	if (node >= 0)
		snprintf(n, sizeof(n), "%d", node);
	snprintf(v, sizeof(v), "%" PRId64, value);
	pcp_reply_row(s, 3, row);
}

PcpErrorCode
pcp_do_stats(PcpSession *s, int argc, const char *const *argv)
{
	for (int i = 0; i < node_table->num_backends; i++)
		if (node_table->nodes[i].status != NODE_STATUS_UNUSED)
			stat_row(s, "select_count", i, (int64_t) node_table->nodes[i].select_count);
	stat_row(s, "cache_enabled", -1, qc_enabled() ? 1 : 0);
	if (qc_enabled())
	{
		QcStats		st;

		qc_stats(&st);
		stat_row(s, "cache_hits", -1, st.num_cache_hits);
		stat_row(s, "cache_selects", -1, st.num_selects);
		stat_row(s, "cache_hash_entries", -1, st.num_hash_entries);
		stat_row(s, "cache_used_hash_entries", -1, st.used_hash_entries);
		stat_row(s, "cache_entries", -1, st.num_cache_entries);
		stat_row(s, "cache_used_bytes", -1, st.used_cache_entries_size);
		stat_row(s, "cache_free_bytes", -1, st.free_cache_entries_size);
		stat_row(s, "cache_fragment_bytes", -1, st.fragment_cache_entries_size);
	}
	return PCP_OK;
}
