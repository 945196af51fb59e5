/*
 * qc_shmem_read.c: the shmem store's readers (children looking up; SHOW
 * pool_cache and PCP reading stats).
 *
 * A lookup never takes a lock.  It reads the sequence counter (odd: a
 * writer is inside a window, try again), walks the chain, copies the
 * entry's header, tables and data into the caller's buffer with every
 * length checked against the block, then reads the counter again: if it
 * moved, what was copied may be torn and the lookup starts over.  After a
 * few failed tries it is a miss, so a writer killed inside its window (the
 * counter stays odd until the next writer empties the cache) costs
 * lookups nothing but hits.  An entry found expired or invalidated is
 * dropped only if the writers' lock is free at that moment (trylock):
 * otherwise block eviction reclaims it later.
 */
#include "qc_shmem_int.h"

#include <sched.h>
#include <string.h>

#define QC_READ_TRIES 64

typedef struct QcFound
{
	QcEntryHdr	hdr;
	QcTable		tables[QC_MAX_TABLES];
	uint32_t	block;
	uint32_t	offset;
} QcFound;

static inline uint32_t
load_u32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The node of key, its chain walk bounded: links may change under us. */
static bool
read_find(const QcKey *key, uint32_t *block, uint32_t *offset)
{
	const QcShHdr *h = qc_sh.hdr;
	uint32_t	idx = load_u32(&qc_sh.buckets[qc_sh_bucket(key)]);

	for (uint32_t steps = 0; idx != QC_NONE; steps++)
	{
		const QcNode *n;

		if (idx >= h->nnodes || steps >= h->nnodes)
			return false;
		n = &qc_sh.nodes[idx];
		if (memcmp(&n->key, key, sizeof(*key)) == 0)
		{
			*block = load_u32(&n->block);
			*offset = load_u32(&n->offset);
			return true;
		}
		idx = load_u32(&n->next);
	}
	return false;
}

/* Copy the entry into f and its data after out->len (out->len unchanged). */
static bool
read_copy(const QcKey *key, PqBuf *out, QcFound *f)
{
	const QcShHdr *h = qc_sh.hdr;
	const char *p;

	if (!read_find(key, &f->block, &f->offset))
		return false;
	if (f->block >= h->nblocks || (f->offset & 7) != 0 ||
		f->offset + sizeof(QcEntryHdr) > h->block_size)
		return false;
	p = qc_sh_entry_at(f->block, f->offset);
	memcpy(&f->hdr, p, sizeof(f->hdr));
	if (!qc_entry_sane(&f->hdr, key, h->block_size - f->offset) || f->hdr.dead)
		return false;
	memcpy(f->tables, p + sizeof(QcEntryHdr), f->hdr.ntables * sizeof(QcTable));
	pqbuf_reserve(out, f->hdr.len);
	memcpy(out->data + out->len, p + qc_entry_data_offset(f->hdr.ntables), f->hdr.len);
	return true;
}

static void
read_backoff(int attempt)
{
	if (attempt < 4)
		__asm__ __volatile__("" ::: "memory");
	else
		sched_yield();
}

/* Drop a stale entry if no writer is busy, and only if it is still the one read. */
static void
read_drop_stale(const QcKey *key, const QcFound *f)
{
	uint32_t	idx;

	if (!qc_sh_trylock())
		return;
	idx = qc_sh_find_locked(key);
	if (idx != QC_NONE && qc_sh.nodes[idx].block == f->block && qc_sh.nodes[idx].offset == f->offset)
	{
		qc_sh_write_begin();
		qc_sh_drop_locked(idx);
		qc_sh_write_end();
	}
	qc_sh_unlock();
}

bool
qc_sh_lookup(const QcKey *key, PqBuf *out)
{
	QcFound		f;

	for (int attempt = 0; attempt < QC_READ_TRIES; attempt++)
	{
		uint64_t	s1 = __atomic_load_n(&qc_sh.hdr->seq, __ATOMIC_ACQUIRE);
		bool		found;

		if (s1 & 1)
		{
			read_backoff(attempt);
			continue;
		}
		found = read_copy(key, out, &f);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&qc_sh.hdr->seq, __ATOMIC_RELAXED) != s1)
		{
			read_backoff(attempt);
			continue;
		}
		if (!found)
			return false;
		if (!qc_entry_usable(&f.hdr, f.tables))
		{
			read_drop_stale(key, &f);
			return false;
		}
		out->len += f.hdr.len;
		return true;
	}
	return false;
}

void
qc_sh_stats(QcStats *out)
{
	const QcShHdr *h = qc_sh.hdr;
	int64_t		used = 0, live = 0, dead = 0;

	if (!qc_sh_lock())
		return;
	for (uint32_t i = 0; i < h->nblocks; i++)
	{
		used += qc_sh.blocks[i].used;
		live += qc_sh.blocks[i].live_bytes;
		dead += qc_sh.blocks[i].dead_bytes;
	}
	out->num_hash_entries = h->nbuckets;
	out->used_hash_entries = h->live_nodes;
	out->num_cache_entries = h->live_nodes;
	out->used_cache_entries_size = live;
	out->free_cache_entries_size = (int64_t) h->nblocks * h->block_size - used;
	out->fragment_cache_entries_size = dead;
	qc_sh_unlock();
}
