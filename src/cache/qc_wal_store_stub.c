/*
 * qc_wal_store_stub.c: TEMPORARY stand-ins for the three calls the WAL
 * invalidation worker makes into the query cache's store (cache/qcache.h),
 * so this branch links and its tests run before the store exists.
 *
 * They are weak: the store's own definitions win wherever they are linked.
 * DELETE THIS FILE (and its line in Makefile.am) when the store is merged:
 * in a static library a weak definition can keep the linker from pulling
 * the store's object for these symbols.
 */
#include "cache/qcache.h"

#include "utils/log.h"

__attribute__((weak)) uint32_t
qc_db_hash(const char *dbname)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	for (const unsigned char *p = (const unsigned char *) dbname; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

__attribute__((weak)) void
qc_invalidate_tables(const QcTable *tables, int ntables)
{
	(void) tables;
	(void) ntables;
}

__attribute__((weak)) void
qc_clear_all(void)
{
}
