/*
 * shmem.h: the one SysV shared memory segment and semaphore set of a pgpool
 * instance.  The parent sizes every module's part, creates the segment
 * before forking, and each module carves its part with shmem_alloc().
 * Children inherit the attachment through fork.
 */
#ifndef PGPOOL_UTILS_SHMEM_H
#define PGPOOL_UTILS_SHMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Semaphores of the set, one per shared structure that needs a lock. */
typedef enum ShmemLock
{
	SHMEM_LOCK_NODES = 0,		/* backend node table */
	SHMEM_LOCK_FAILOVER,		/* failover request queue */
	SHMEM_LOCK_ACCEPT,			/* serialize_accept */
	SHMEM_LOCK_WATCHDOG,		/* the watchdog's shared state */
	SHMEM_LOCK_COUNT
} ShmemLock;

/* Round n up for the alignment shmem_alloc() uses. */
size_t		shmem_align(size_t n);

/*
 * Create and attach a zeroed segment of size bytes plus the semaphore set.
 * The segment is marked for removal at once, so it disappears with the
 * last process even after a crash.  Returns false with a logged error.
 */
bool		shmem_create(size_t size);

/* Carve n bytes from the segment (parent, before forking). */
void	   *shmem_alloc(size_t n);

void		shmem_lock(ShmemLock lock);
void		shmem_unlock(ShmemLock lock);

/* Remove the semaphore set (parent, at exit). */
void		shmem_destroy(void);

#endif
