/*
 * wal_pos.c: read_your_writes' WAL positions in shared memory.
 *
 * The wal_pos worker is the only writer of the samples; children read
 * them without locks.  The primary's LSN is stored before the time its
 * sample was sent (release), so a reader that sees a time reads an LSN of
 * that sample or a later one: LSNs only grow under one primary, so the
 * reader never gets less than it needs.  A new primary bumps the epoch:
 * positions of another primary are not compared.  Sessions store their
 * demand for a fresher sample and the commit times of the global slots
 * (the latest wins, raced stores are settled with compare-and-swap).
 */
#include "replication/wal_pos.h"
#include "utils/clock.h"

#include "pool/node_table.h"
#include "utils/shmem.h"

#include <string.h>
#include <time.h>

typedef struct WalPosShared
{
	uint32_t	epoch;
	uint64_t	sample_lsn;
	int64_t		sample_us;
	int64_t		demand_us;
	uint64_t	replay_lsn[MAX_BACKENDS];
	uint32_t	replay_epoch[MAX_BACKENDS];
	int64_t		replay_us[MAX_BACKENDS];
	int64_t		slot_us[WAL_POS_SLOTS];
} WalPosShared;

static WalPosShared *shared;

int64_t
wal_pos_now_us(void)
{
	return clock_monotonic_us();
}

size_t
wal_pos_shmem_size(void)
{
	return shmem_align(sizeof(WalPosShared));
}

void
wal_pos_shmem_init(void)
{
	shared = shmem_alloc(sizeof(WalPosShared));
	memset(shared, 0, sizeof(*shared));
	shared->epoch = 1;
}

WalPosSample
wal_pos_sample(void)
{
	WalPosSample s = {0, 0, 0};
	uint32_t	again;

	if (shared == NULL)
		return s;
	s.epoch = __atomic_load_n(&shared->epoch, __ATOMIC_ACQUIRE);
	s.sent_us = __atomic_load_n(&shared->sample_us, __ATOMIC_ACQUIRE);
	s.lsn = __atomic_load_n(&shared->sample_lsn, __ATOMIC_ACQUIRE);
	again = __atomic_load_n(&shared->epoch, __ATOMIC_ACQUIRE);
	if (again != s.epoch)
		s.sent_us = 0;			/* the primary changed meanwhile: no sample */
	return s;
}

bool
wal_pos_replay(int n, uint32_t epoch, uint64_t *lsn)
{
	if (shared == NULL || n < 0 || n >= MAX_BACKENDS ||
		__atomic_load_n(&shared->replay_epoch[n], __ATOMIC_ACQUIRE) != epoch)
		return false;
	*lsn = __atomic_load_n(&shared->replay_lsn[n], __ATOMIC_ACQUIRE);
	/* the worker clears a node's epoch before it stores a position of another primary */
	return __atomic_load_n(&shared->replay_epoch[n], __ATOMIC_ACQUIRE) == epoch;
}

/* Store v into *p unless *p is already later. */
static void
store_max(int64_t *p, int64_t v)
{
	int64_t		old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old < v)
		if (__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return;
}

void
wal_pos_demand(int64_t now_us)
{
	/* no signal: the worker polls the demand every few milliseconds (a pid may be stale) */
	if (shared != NULL)
		store_max(&shared->demand_us, now_us);
}

int64_t
wal_pos_slot_time(uint32_t slot)
{
	if (shared == NULL)
		return 0;
	return __atomic_load_n(&shared->slot_us[slot % WAL_POS_SLOTS], __ATOMIC_ACQUIRE);
}

void
wal_pos_slot_stamp(uint32_t slot, int64_t at_us)
{
	if (shared != NULL)
		store_max(&shared->slot_us[slot % WAL_POS_SLOTS], at_us);
}

int64_t
wal_pos_demand_time(void)
{
	return shared ? __atomic_load_n(&shared->demand_us, __ATOMIC_ACQUIRE) : 0;
}

void
wal_pos_new_epoch(void)
{
	if (shared == NULL)
		return;
	__atomic_store_n(&shared->sample_us, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&shared->epoch, 1, __ATOMIC_ACQ_REL);
}

void
wal_pos_publish_primary(uint64_t lsn, int64_t sent_us)
{
	if (shared == NULL)
		return;
	/* the LSN first: a reader that sees sent_us reads this LSN or a later one */
	__atomic_store_n(&shared->sample_lsn, lsn, __ATOMIC_RELEASE);
	__atomic_store_n(&shared->sample_us, sent_us, __ATOMIC_RELEASE);
}

void
wal_pos_publish_replay(int n, uint64_t lsn, int64_t at_us)
{
	uint32_t	epoch;

	if (shared == NULL || n < 0 || n >= MAX_BACKENDS)
		return;
	epoch = __atomic_load_n(&shared->epoch, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&shared->replay_epoch[n], __ATOMIC_ACQUIRE) != epoch)
	{
		/* another primary's position: hide it before it changes */
		__atomic_store_n(&shared->replay_epoch[n], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&shared->replay_lsn[n], lsn, __ATOMIC_RELEASE);
		__atomic_store_n(&shared->replay_epoch[n], epoch, __ATOMIC_RELEASE);
	}
	else
		__atomic_store_n(&shared->replay_lsn[n], lsn, __ATOMIC_RELEASE);
	__atomic_store_n(&shared->replay_us[n], at_us, __ATOMIC_RELAXED);
}
