/*
 * qcache.h: the in-memory query cache's store — what a session asks of it.
 *
 * An entry is the backend's answer to one SELECT (the bytes of its
 * RowDescription, DataRows and CommandComplete, without ReadyForQuery),
 * stored under a 128-bit key (qc_key.c: database, user, statement text,
 * parameters, result formats, the tables' oids).  Two stores hold entries:
 * SysV shared memory (memqcache_method = shmem) and memcached.
 *
 * Invalidation is by table generations rather than table-to-entry lists:
 * a table write (by this pgpool's sessions at COMMIT, or by anyone through
 * the WAL worker) stamps the table's slot with the next value of one
 * invalidation clock; an entry remembers the clock value read before its
 * query was sent (as_of) and the tables it read, and is valid only while
 * none of them was stamped after as_of.  Slots are indexed by a hash of
 * (database, table oid): two tables sharing a slot only invalidate more.
 * The generations live in the shared memory segment (shmem method) or in a
 * file under memqcache_oiddir mapped by every pgpool on the host (memcached
 * method), so pgpools sharing memcached and the directory see each
 * other's writes.
 *
 * Processes: the parent sizes and initialises (qc_shmem_size/qc_shmem_init
 * before forking, qc_clear at start for pgpool -c/-C); children look up,
 * store and invalidate; the WAL worker invalidates; PCP and SHOW read stats.
 */
#ifndef PGPOOL_CACHE_QCACHE_H
#define PGPOOL_CACHE_QCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/pq_message.h"

struct PoolConfig;

/* Tables one entry may depend on; a query reading more is not cached. */
#define QC_MAX_TABLES 32

typedef struct QcKey
{
	uint8_t		b[16];
} QcKey;

/* A table, as invalidation names it: database name and the table's oid. */
typedef struct QcTable
{
	uint32_t	db_hash;		/* qc_db_hash(database name) */
	uint32_t	oid;
} QcTable;

uint32_t	qc_db_hash(const char *dbname);

/* ---- key (qc_key.c) ---- */

/* Incremental key builder: every part is length-prefixed, so parts never run together. */
typedef struct QcKeyBuilder
{
	uint64_t	state[8];		/* implementation's hash state */
	uint8_t		buf[64];
	size_t		buflen;
	uint64_t	total;
} QcKeyBuilder;

void		qc_key_begin(QcKeyBuilder *kb);
void		qc_key_add(QcKeyBuilder *kb, const void *data, size_t len);
void		qc_key_end(QcKeyBuilder *kb, QcKey *out);

/* Key as 32 hex digits plus NUL (memcached key, logs). */
void		qc_key_hex(const QcKey *k, char out[33]);

/* ---- shared memory and start-up (parent) ---- */

/* Bytes the shmem method needs (0 when memory_cache_enabled is off). */
size_t		qc_shmem_size(const struct PoolConfig *cfg);

/*
 * Carve and initialise the cache's part of the segment (parent, after
 * shmem_create, before forking); with the memcached method, open or create
 * the generations file under memqcache_oiddir.  false: logged, pgpool
 * must not start.
 */
bool		qc_shmem_init(const struct PoolConfig *cfg);

/*
 * pgpool -c: empty the cache (shmem: it is new anyway; memcached: flush
 * the entries this host's pgpools made, by a new key epoch).  pgpool -C:
 * forget the table generations under memqcache_oiddir (memcached method).
 */
void		qc_clear_at_start(bool clear_cache, bool clear_oidmaps);

/* Is the cache on in this process (memory_cache_enabled and initialised)? */
bool		qc_enabled(void);

/* ---- the hot path (children) ---- */

/* The invalidation clock now: read it before sending a query to be cached. */
uint64_t	qc_clock_now(void);

/*
 * Find a valid entry for key: appends its bytes to out and returns true.
 * Expired or invalidated entries are misses (and are dropped).  Counts a
 * SELECT for the stats either way.  Never blocks on another reader; a
 * store that cannot be reached (memcached down) is a miss.
 */
bool		qc_lookup(const QcKey *key, PqBuf *out);

/*
 * qc_lookup without counting it in SHOW pool_cache: pgpool's own entries
 * (the shared relcache, shared_relcache.c) are no client's SELECTs.
 */
bool		qc_lookup_quiet(const QcKey *key, PqBuf *out);

/*
 * Store data[0..len) under key, valid while none of tables[0..ntables)
 * is stamped after as_of.  Refused (false, nothing stored) when len is
 * over memqcache_maxcache, ntables over QC_MAX_TABLES, a table already
 * stamped after as_of, or the store cannot take it.  Evicts old entries to
 * make room (shmem: the oldest block is emptied).
 */
bool		qc_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
					 const char *data, size_t len);

/* A committed write: stamp each table with a new clock value. */
void		qc_invalidate_tables(const QcTable *tables, int ntables);

/* Every entry of one database (DROP DATABASE, a table whose oid is unknown). */
void		qc_invalidate_database(uint32_t db_hash);

/*
 * The clock value of the newest qc_invalidate_database(db_hash), 0 if
 * none: sessions drop what they memoised about the database's relation
 * names when DDL anywhere stamped it.
 */
uint64_t	qc_database_stamp(uint32_t db_hash);

/* Drop one entry (PGPOOL SET CACHE DELETE); true if it existed. */
bool		qc_delete(const QcKey *key);

/* Drop every entry (pcp_invalidate_query_cache). */
void		qc_clear_all(void);

/* Count a cache hit (the session served an answer from the cache). */
void		qc_count_hit(void);

/* ---- statistics (SHOW pool_cache, PCP) ---- */

typedef struct QcStats
{
	int64_t		num_cache_hits;
	int64_t		num_selects;
	int64_t		num_hash_entries;	/* size of the hash index */
	int64_t		used_hash_entries;
	int64_t		num_cache_entries;	/* entries stored in blocks */
	int64_t		used_cache_entries_size;	/* bytes */
	int64_t		free_cache_entries_size;
	int64_t		fragment_cache_entries_size;	/* bytes of dropped entries not reused yet */
} QcStats;

void		qc_stats(QcStats *out);

#endif
