/*
 * qc_wal.h: query cache invalidation from the primary's WAL
 * (memqcache_invalidation_source = wal).
 *
 * One worker process, a sibling of the children, follows the primary's WAL
 * by logical decoding (pgoutput), one replication connection per database,
 * and at each decoded commit invalidates the tables the transaction wrote
 * (qc_invalidate_tables), so writes made without this pgpool (other
 * pgpools, direct connections, jobs on the server) invalidate the cache
 * too.  Each database has a logical slot "<slot name>_<database oid>" and
 * the publication "<slot name>" FOR ALL TABLES.
 *
 * Processes: the parent sizes and initialises the status
 * (qc_wal_shmem_size/qc_wal_shmem_init), drops the slots for pgpool -c
 * (qc_wal_drop_slots) and forks the worker (qc_wal_count/qc_wal_main, a
 * row of the process-kind table); SHOW pool_cache reads qc_wal_status.
 */
#ifndef PGPOOL_CACHE_QC_WAL_H
#define PGPOOL_CACHE_QC_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

/* What the worker is doing, for SHOW pool_cache. */
typedef struct QcWalStatus
{
	bool		active;			/* the configuration runs the worker */
	bool		streaming;		/* every followed database streams */
	int			node_id;		/* node whose WAL is followed, -1: none */
	int			databases;		/* databases followed */
	int			streaming_databases;
	uint64_t	processed_lsn;	/* every commit before it is invalidated (least of the databases) */
	uint64_t	last_commit_lsn;	/* the newest commit that invalidated tables */
	time_t		last_commit_time;	/* when the worker processed it (0: never) */
	int64_t		lag_bytes;		/* pg_current_wal_lsn() on the primary - processed_lsn */
	double		lag_seconds;	/* approximate: age of the primary's WAL position processed_lsn had reached */
	int64_t		commits;		/* commits that invalidated at least one table */
	int64_t		tables_invalidated;
} QcWalStatus;

/* Bytes of the status in shared memory (the parent, before shmem_create). */
size_t		qc_wal_shmem_size(void);

/* Carve and zero the status (the parent, after shmem_create, before forking). */
void		qc_wal_shmem_init(void);

/* A consistent copy of the status (any process). */
void		qc_wal_status(QcWalStatus *out);

/* 1 when memory_cache_enabled and memqcache_invalidation_source = wal, else 0. */
int			qc_wal_count(const PoolConfig *cfg);

/* The worker process (never returns). */
void		qc_wal_main(int index) __attribute__((noreturn));

/*
 * pgpool -c with memqcache_invalidation_source = wal: drop the slots (and
 * the publication, when this user may create it again) on the primary, so
 * the worker starts from new slots (and clears the cache).  The parent,
 * at start, after the primary is known and before forking.
 */
void		qc_wal_drop_slots(const PoolConfig *cfg);

/*
 * Names derived from memqcache_wal_slot_name: lower-cased, characters
 * other than [a-z0-9_] replaced by '_', short enough for NAMEDATALEN with
 * the "_<oid>" suffix.  The publication is the base name.
 */
void		qc_wal_publication_name(const PoolConfig *cfg, char *out, size_t len);
void		qc_wal_slot_name(const PoolConfig *cfg, uint32_t dboid, char *out, size_t len);

/* LSN text "X/Y" <-> 64-bit value; false if text is not an LSN. */
bool		qc_wal_lsn_parse(const char *text, uint64_t *lsn);

#endif
