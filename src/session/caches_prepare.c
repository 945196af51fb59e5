/*
 * caches_prepare.c: a child's caches allocated at its start (caches.h).
 * Runs in each child before its first session.
 */
#include "session/caches.h"

#include "router/router.h"
#include "utils/mem_reserve.h"

/*
 * Heap made resident beyond what the caches take: session buffers, parse
 * trees and catalog answers come and go inside it.  Stack: the deepest
 * parse of an ordinary statement.
 */
#define CHILD_HEAP_RESERVE	(1024 * 1024)
#define CHILD_STACK_RESERVE	(256 * 1024)

void
session_caches_prepare(const PoolConfig *cfg)
{
	mem_reserve_process(CHILD_HEAP_RESERVE, CHILD_STACK_RESERVE);
	router_cache_prepare();
	relcache_prepare(cfg->relcache_size);
	table_facts_prepare();
	func_volatility_prepare();
	qc_rel_prepare();
}
