/*
 * qc_wal_shmem.c: the WAL invalidation worker's status in shared memory.
 *
 * Only the worker writes it; SHOW pool_cache (children) and PCP read it.
 * A sequence counter instead of a semaphore: the writer makes it odd while
 * it changes the copy and even again after, a reader copies until it saw
 * the same even value before and after, so neither side ever waits on the
 * other.
 */
#include "cache/qc_wal.h"
#include "qc_wal_int.h"

#include "utils/shmem.h"

#include <string.h>
#include <time.h>

typedef struct QcWalShared
{
	uint32_t	seq;			/* odd while the worker writes */
	QcWalStatus status;
} QcWalShared;

static QcWalShared *shared;

int
qc_wal_count(const PoolConfig *cfg)
{
	return cfg->memory_cache_enabled && cfg->memqcache_invalidation_source == MQIS_WAL ? 1 : 0;
}

size_t
qc_wal_shmem_size(void)
{
	return shmem_align(sizeof(QcWalShared));
}

void
qc_wal_shmem_init(void)
{
	shared = shmem_alloc(sizeof(QcWalShared));
	memset(shared, 0, sizeof(*shared));
	shared->status.active = qc_wal_count(pool_config) > 0;
	shared->status.node_id = -1;
}

void
qc_wal_status(QcWalStatus *out)
{
	uint32_t	before, after;

	if (shared == NULL)
	{
		memset(out, 0, sizeof(*out));
		out->node_id = -1;
		return;
	}
	do
	{
		before = __atomic_load_n(&shared->seq, __ATOMIC_ACQUIRE);
		memcpy(out, &shared->status, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		after = __atomic_load_n(&shared->seq, __ATOMIC_RELAXED);
	} while ((before & 1) || before != after);
}

QcWalStatus *
qc_wal_status_begin(void)
{
	static QcWalStatus scratch;

	if (shared == NULL)
		return &scratch;
	__atomic_add_fetch(&shared->seq, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return &shared->status;
}

void
qc_wal_status_end(void)
{
	if (shared != NULL)
		__atomic_add_fetch(&shared->seq, 1, __ATOMIC_RELEASE);
}

void
qc_wal_status_note_commit(uint64_t commit_lsn, int ntables)
{
	QcWalStatus *st = qc_wal_status_begin();

	if (commit_lsn > st->last_commit_lsn)
		st->last_commit_lsn = commit_lsn;
	st->last_commit_time = time(NULL);
	st->commits++;
	st->tables_invalidated += ntables;
	qc_wal_status_end();
}
