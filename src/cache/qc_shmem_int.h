/*
 * qc_shmem_int.h: the shmem store's layout, shared by its writer side
 * (qc_shmem_store.c) and its lock-free reader side (qc_shmem_read.c).
 *
 * Segment parts, each carved with shmem_alloc by the parent:
 *   QcShHdr        the writers' robust mutex, the sequence counter, sizes
 *   buckets[]      nbuckets heads of the hash chains (node index or QC_NONE)
 *   nodes[]        memqcache_max_num_cache index nodes (key -> block, offset)
 *   blocks[]       per block: bytes used, live entries and bytes, dead bytes
 *   data           nblocks * block_size bytes of entries
 */
#ifndef PGPOOL_CACHE_QC_SHMEM_INT_H
#define PGPOOL_CACHE_QC_SHMEM_INT_H

#include "qc_int.h"

#include <pthread.h>

#define QC_NONE UINT32_MAX

typedef struct QcNode
{
	QcKey		key;
	uint32_t	block;
	uint32_t	offset;
	uint32_t	next;			/* chain, or free list */
	uint32_t	pad;
} QcNode;

typedef struct QcBlock
{
	uint32_t	used;			/* bytes from the block's start */
	uint32_t	live;			/* entries still indexed */
	uint32_t	live_bytes;
	uint32_t	dead_bytes;		/* dropped entries, reclaimed with the block */
} QcBlock;

typedef struct QcShHdr
{
	pthread_mutex_t lock;		/* writers only; robust, process-shared */
	uint64_t	seq;			/* odd while a writer changes what readers walk */
	uint32_t	nbuckets;		/* power of two */
	uint32_t	nnodes;
	uint32_t	nblocks;
	uint32_t	block_size;		/* multiple of 8 */
	uint32_t	cursor;			/* block being filled */
	uint32_t	free_node;
	uint32_t	live_nodes;
	uint32_t	pad;
} QcShHdr;

/* This process's view (set by the parent, inherited through fork). */
typedef struct QcShmem
{
	QcShHdr    *hdr;
	uint32_t   *buckets;
	QcNode	   *nodes;
	QcBlock    *blocks;
	char	   *data;
} QcShmem;

extern QcShmem qc_sh;

static inline uint32_t
qc_sh_bucket(const QcKey *key)
{
	uint64_t	h;

	__builtin_memcpy(&h, key->b, sizeof(h));
	return (uint32_t) h & (qc_sh.hdr->nbuckets - 1);
}

static inline char *
qc_sh_entry_at(uint32_t block, uint32_t offset)
{
	return qc_sh.data + (size_t) block * qc_sh.hdr->block_size + offset;
}

bool		qc_sh_lock(void);
bool		qc_sh_trylock(void);
void		qc_sh_unlock(void);
uint32_t	qc_sh_find_locked(const QcKey *key);
void		qc_sh_write_begin(void);
void		qc_sh_write_end(void);
void		qc_sh_drop_locked(uint32_t node);

#endif
