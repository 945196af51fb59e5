/*
 * qc_shmem_store.c: the shmem store's writer side (memqcache_method =
 * shmem).  The parent lays it out; children store, delete and clear.
 *
 * Space: memqcache_total_size is split into blocks of
 * memqcache_cache_block_size bytes, filled one at a time in round-robin
 * order; an entry never spans blocks.  When the block being filled has no
 * room for an entry (or every index node is taken), the next block in
 * order, which is the one filled longest ago, is emptied whole and filling
 * moves to it: eviction is FIFO by block.  A dropped entry (deleted,
 * replaced, found stale) keeps its bytes until its block is emptied; they
 * are the "fragment" bytes of SHOW pool_cache.
 *
 * Index: chained hashing, memqcache_max_num_cache nodes, buckets the next
 * power of two.  Nodes are unlinked when their entry goes, so chains never
 * hold tombstones.
 *
 * Concurrency: writers serialize on a process-shared robust mutex; a
 * writer that dies holding it leaves a cache that may be half-written, so
 * the next one to take it (EOWNERDEAD) empties the whole cache.  Readers
 * never lock (qc_shmem_read.c): writers make the sequence counter odd
 * around every change to the chains, nodes or block headers, and readers
 * retry when it moved.  An entry's bytes are written before the window,
 * into space no node points at, so the window only covers the relinking.
 */
#include "qc_shmem_int.h"
#include "cache/qc_testing.h"
#include "utils/log.h"
#include "utils/shmem.h"

#include <errno.h>
#include <string.h>

QcShmem		qc_sh;

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t	p = 16;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
}

static void
sh_geometry(const QcSettings *s, uint32_t *nblocks, uint32_t *bs, uint32_t *nnodes)
{
	int64_t		n;

	*bs = (uint32_t) (s->block_size > 512 ? s->block_size : 512) & ~7u;
	n = s->total_size / *bs;
	*nblocks = (uint32_t) (n < 1 ? 1 : n > (1 << 30) ? (1 << 30) : n);
	*nnodes = (uint32_t) (s->max_num_cache > 0 ? s->max_num_cache : 1);
}

size_t
qc_sh_size(const QcSettings *s)
{
	uint32_t	nblocks, bs, nnodes;

	sh_geometry(s, &nblocks, &bs, &nnodes);
	return shmem_align(sizeof(QcShHdr)) + shmem_align(sizeof(uint32_t) * pow2_at_least(nnodes)) +
		shmem_align(sizeof(QcNode) * nnodes) + shmem_align(sizeof(QcBlock) * nblocks) +
		shmem_align((size_t) nblocks * bs);
}

/* Every node free, every chain and block empty (inside a write window). */
static void
sh_reset_locked(void)
{
	QcShHdr    *h = qc_sh.hdr;

	memset(qc_sh.buckets, 0xff, sizeof(uint32_t) * h->nbuckets);
	for (uint32_t i = 0; i < h->nnodes; i++)
		qc_sh.nodes[i].next = i + 1 < h->nnodes ? i + 1 : QC_NONE;
	memset(qc_sh.blocks, 0, sizeof(QcBlock) * h->nblocks);
	h->free_node = 0;
	h->cursor = 0;
	h->live_nodes = 0;
}

void
qc_sh_init(const QcSettings *s)
{
	uint32_t	nblocks, bs, nnodes;
	pthread_mutexattr_t attr;
	QcShHdr    *h;

	sh_geometry(s, &nblocks, &bs, &nnodes);
	h = shmem_alloc(sizeof(QcShHdr));
	memset(h, 0, sizeof(*h));
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&h->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	h->nbuckets = pow2_at_least(nnodes);
	h->nnodes = nnodes;
	h->nblocks = nblocks;
	h->block_size = bs;
	qc_sh.hdr = h;
	qc_sh.buckets = shmem_alloc(sizeof(uint32_t) * h->nbuckets);
	qc_sh.nodes = shmem_alloc(sizeof(QcNode) * nnodes);
	qc_sh.blocks = shmem_alloc(sizeof(QcBlock) * nblocks);
	qc_sh.data = shmem_alloc((size_t) nblocks * bs);
	sh_reset_locked();
	plog(PL_DEBUG1, "query cache: %u blocks of %u bytes, %u entries, %u hash buckets",
		 nblocks, bs, nnodes, h->nbuckets);
}

void
qc_sh_write_begin(void)
{
	uint64_t	s = __atomic_load_n(&qc_sh.hdr->seq, __ATOMIC_RELAXED);

	/* odd already: a writer died inside its window; stay odd until the end */
	if ((s & 1) == 0)
		__atomic_store_n(&qc_sh.hdr->seq, s + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void
qc_sh_write_end(void)
{
	uint64_t	s = __atomic_load_n(&qc_sh.hdr->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&qc_sh.hdr->seq, (s | 1) + 1, __ATOMIC_RELEASE);
}

/* The previous owner died mid-change: nothing in the cache can be trusted. */
static void
sh_recover_locked(void)
{
	pthread_mutex_consistent(&qc_sh.hdr->lock);
	plog(PL_WARNING, "a process died while changing the query cache, emptying the cache");
	qc_sh_write_begin();
	sh_reset_locked();
	qc_sh_write_end();
}

bool
qc_sh_lock(void)
{
	int			rc = pthread_mutex_lock(&qc_sh.hdr->lock);

	if (rc == EOWNERDEAD)
		sh_recover_locked();
	else if (rc != 0)
	{
		plog(PL_WARNING, "could not lock the query cache: %s", strerror(rc));
		return false;
	}
	return true;
}

bool
qc_sh_trylock(void)
{
	int			rc = pthread_mutex_trylock(&qc_sh.hdr->lock);

	if (rc == EOWNERDEAD)
		sh_recover_locked();
	else if (rc != 0)
		return false;
	return true;
}

void
qc_sh_unlock(void)
{
	pthread_mutex_unlock(&qc_sh.hdr->lock);
}

uint32_t
qc_sh_find_locked(const QcKey *key)
{
	uint32_t	idx = qc_sh.buckets[qc_sh_bucket(key)];

	while (idx != QC_NONE && memcmp(&qc_sh.nodes[idx].key, key, sizeof(*key)) != 0)
		idx = qc_sh.nodes[idx].next;
	return idx;
}

/* Unlink a node, free it and mark its entry dead (inside a write window). */
void
qc_sh_drop_locked(uint32_t idx)
{
	QcNode	   *n = &qc_sh.nodes[idx];
	QcEntryHdr *e = (QcEntryHdr *) qc_sh_entry_at(n->block, n->offset);
	QcBlock    *b = &qc_sh.blocks[n->block];
	uint32_t   *link = &qc_sh.buckets[qc_sh_bucket(&n->key)];

	while (*link != QC_NONE && *link != idx)
		link = &qc_sh.nodes[*link].next;
	if (*link == idx)
		__atomic_store_n(link, n->next, __ATOMIC_RELAXED);
	e->dead = 1;
	b->live--;
	b->live_bytes -= e->size;
	b->dead_bytes += e->size;
	n->next = qc_sh.hdr->free_node;
	qc_sh.hdr->free_node = idx;
	qc_sh.hdr->live_nodes--;
}

/* Drop the live entries of block b and make it empty (inside a window). */
static void
sh_empty_block(uint32_t b)
{
	QcBlock    *blk = &qc_sh.blocks[b];
	uint32_t	off = 0;

	while (off + sizeof(QcEntryHdr) <= blk->used)
	{
		QcEntryHdr *e = (QcEntryHdr *) qc_sh_entry_at(b, off);

		if (!qc_entry_sane(e, NULL, blk->used - off))
			break;
		if (!e->dead && e->node < qc_sh.hdr->nnodes && qc_sh.nodes[e->node].block == b &&
			qc_sh.nodes[e->node].offset == off)
			qc_sh_drop_locked(e->node);
		off += e->size;
	}
	memset(blk, 0, sizeof(*blk));
}

/* Make the current block fit size bytes and a node be free, FIFO by block. */
static bool
sh_make_room(uint32_t size)
{
	QcShHdr    *h = qc_sh.hdr;

	for (uint32_t i = 0; i <= h->nblocks; i++)
	{
		if (qc_sh.blocks[h->cursor].used + size <= h->block_size && h->free_node != QC_NONE)
			return true;
		qc_sh_write_begin();
		h->cursor = (h->cursor + 1) % h->nblocks;
		sh_empty_block(h->cursor);
		qc_sh_write_end();
	}
	return false;
}

/* Link a written entry into the index, replacing an older one of the key. */
static void
sh_link_locked(const QcKey *key, uint32_t offset, uint32_t size)
{
	QcShHdr    *h = qc_sh.hdr;
	uint32_t	idx = h->free_node;
	QcNode	   *n = &qc_sh.nodes[idx];
	uint32_t	old;
	uint32_t   *head = &qc_sh.buckets[qc_sh_bucket(key)];

	qc_sh_write_begin();
	h->free_node = n->next;		/* taken before a replaced node is freed */
	old = qc_sh_find_locked(key);
	if (old != QC_NONE)
		qc_sh_drop_locked(old);
	n->key = *key;
	n->block = h->cursor;
	n->offset = offset;
	n->next = *head;
	__atomic_store_n(head, idx, __ATOMIC_RELAXED);
	qc_sh.blocks[h->cursor].used += size;
	qc_sh.blocks[h->cursor].live++;
	qc_sh.blocks[h->cursor].live_bytes += size;
	h->live_nodes++;
	qc_sh_write_end();
}

bool
qc_sh_store(const QcKey *key, const QcTable *tables, int ntables, uint64_t as_of,
			const char *data, size_t len)
{
	size_t		size = qc_entry_size(ntables, len);
	uint32_t	offset;
	char	   *dst;

	if (size > qc_sh.hdr->block_size)
	{
		plog(PL_DEBUG1, "query cache: entry of %zu bytes is larger than memqcache_cache_block_size",
			 size);
		return false;
	}
	if (!qc_sh_lock())
		return false;
	if (!sh_make_room((uint32_t) size))
	{
		qc_sh_unlock();
		return false;
	}
	offset = qc_sh.blocks[qc_sh.hdr->cursor].used;
	dst = qc_sh_entry_at(qc_sh.hdr->cursor, offset);
	qc_entry_write(dst, key, tables, ntables, as_of, data, len);
	((QcEntryHdr *) dst)->node = qc_sh.hdr->free_node;
	sh_link_locked(key, offset, (uint32_t) size);
	qc_sh_unlock();
	return true;
}

bool
qc_sh_delete(const QcKey *key)
{
	uint32_t	idx;

	if (!qc_sh_lock())
		return false;
	idx = qc_sh_find_locked(key);
	if (idx != QC_NONE)
	{
		qc_sh_write_begin();
		qc_sh_drop_locked(idx);
		qc_sh_write_end();
	}
	qc_sh_unlock();
	return idx != QC_NONE;
}

void
qc_sh_clear(void)
{
	if (!qc_sh_lock())
		return;
	qc_sh_write_begin();
	sh_reset_locked();
	qc_sh_write_end();
	qc_sh_unlock();
}

void
qc_test_hold_writer_lock(void)
{
	if (qc_sh.hdr && qc_sh_lock())
		qc_sh_write_begin();
}
