/*
 * caches.h: the per-process caches of a child, allocated at child start.
 *
 * Each cache is bounded; allocating (and touching) its fixed part when the
 * child starts, not on first use, keeps a child's memory flat from its
 * first session on (test/t/090_memory_flat.pl).
 */
#ifndef PGPOOL_SESSION_CACHES_H
#define PGPOOL_SESSION_CACHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Everything below, plus the malloc settings and reserve (mem_reserve.h). */
void		session_caches_prepare(const PoolConfig *cfg);

void		relcache_prepare(int size);	/* relcache.c, relcache_size entries */
void		table_facts_prepare(void);	/* table_facts.c */
void		func_volatility_prepare(void);	/* func_volatility.c */
void		qc_rel_prepare(void);		/* qc_rel.c */

/*
 * enable_shared_relcache (shared_relcache.c): catalog answers shared
 * between children in the query cache's store, under a reserved key
 * namespace; on only when the store exists (memory_cache_enabled).
 * value is a short text the caller encodes; as_of is qc_clock_now() read
 * before the catalog was asked.
 */
bool		shared_relcache_enabled(void);
bool		shared_relcache_get(const char *database, const char *user, const char *name,
								char *value, size_t cap);
void		shared_relcache_put(const char *database, const char *user, const char *name,
								const char *value, uint64_t as_of);

#endif
