/*
 * admin_stats.c: the counters of PCP's stats command (pcp_stats) in one
 * struct: select counts per node and the query cache's numbers.  A pgpool
 * without the command (an older build) just leaves have = false.
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <string.h>

typedef struct StatField
{
	const char *name;
	size_t		offset;
} StatField;

static const StatField stat_fields[] = {
	{"cache_hits", offsetof(AdminStats, cache_hits)},
	{"cache_selects", offsetof(AdminStats, cache_selects)},
	{"cache_entries", offsetof(AdminStats, cache_entries)},
	{"cache_hash_entries", offsetof(AdminStats, cache_hash_entries)},
	{"cache_used_hash_entries", offsetof(AdminStats, cache_used_hash_entries)},
	{"cache_used_bytes", offsetof(AdminStats, cache_used_bytes)},
	{"cache_free_bytes", offsetof(AdminStats, cache_free_bytes)},
	{"cache_fragment_bytes", offsetof(AdminStats, cache_fragment_bytes)},
	{NULL, 0}
};

bool
admin_stats_fetch(PcpConn *c, AdminStats *out)
{
	PcpStatList l;

	memset(out, 0, sizeof(*out));
	if (pcp_stats(c, &l) != PCP_OK)
		return false;
	out->have = true;
	for (int i = 0; i < l.count; i++)
	{
		const PcpStat *s = &l.items[i];

		if (strcmp(s->name, "select_count") == 0 && s->node_id >= 0 && s->node_id < 128)
		{
			out->select_count[s->node_id] = (uint64_t) s->value;
			if (s->node_id + 1 > out->num_nodes)
				out->num_nodes = s->node_id + 1;
		}
		else if (strcmp(s->name, "cache_enabled") == 0)
			out->cache_enabled = s->value != 0;
		for (const StatField *f = stat_fields; f->name; f++)
			if (strcmp(s->name, f->name) == 0)
				*(int64_t *) ((char *) out + f->offset) = s->value;
	}
	pcp_free_stat_list(&l);
	return true;
}
