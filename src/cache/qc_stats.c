/*
 * qc_stats.c: the numbers of SHOW pool_cache and PCP (any process).
 *
 * num_selects is what pgpool-II shows: SELECTs looked up that were not
 * answered from the cache (lookups minus hits), so that
 * cache_hit_ratio = hits / (hits + selects).  With memcached the store's
 * size columns are 0, as in pgpool-II: memcached keeps its own.
 */
#include "config/config.h"
#include "qc_int.h"

#include <string.h>

void
qc_count_hit(void)
{
	if (qc_counters)
		__atomic_add_fetch(&qc_counters->hits, 1, __ATOMIC_RELAXED);
}

void
qc_stats(QcStats *out)
{
	uint64_t	lookups, hits;

	memset(out, 0, sizeof(*out));
	if (!qc_enabled() || !qc_counters)
		return;
	hits = __atomic_load_n(&qc_counters->hits, __ATOMIC_RELAXED);
	lookups = __atomic_load_n(&qc_counters->lookups, __ATOMIC_RELAXED);
	out->num_cache_hits = (int64_t) hits;
	out->num_selects = lookups > hits ? (int64_t) (lookups - hits) : 0;
	if (qc_settings.method == MQM_SHMEM)
		qc_sh_stats(out);
}
