/*
 * shmem.c: SysV shared memory and semaphores for the parent and its children.
 */
#include "utils/shmem.h"
#include "utils/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

union semun
{
	int			val;
	struct semid_ds *buf;
	unsigned short *array;
};

static char *segment;
static size_t segment_size;
static size_t segment_used;
static int	sem_id = -1;

size_t
shmem_align(size_t n)
{
	return (n + 63) & ~(size_t) 63;
}

bool
shmem_create(size_t size)
{
	int			shm_id;
	union semun arg;

	size = shmem_align(size);
	shm_id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (shm_id < 0)
	{
		plog_ex(PL_FATAL, log_fmt("size: %zu bytes", size),
				"Check the kernel's SHMMAX and SHMALL settings.",
				"could not create shared memory segment: %m");
		return false;
	}
	segment = shmat(shm_id, NULL, 0);
	if (segment == (void *) -1)
	{
		plog(PL_FATAL, "could not attach shared memory segment: %m");
		shmctl(shm_id, IPC_RMID, NULL);
		return false;
	}
	/* Removed once the last attached process detaches or dies. */
	shmctl(shm_id, IPC_RMID, NULL);
	memset(segment, 0, size);
	segment_size = size;
	segment_used = 0;

	sem_id = semget(IPC_PRIVATE, SHMEM_LOCK_COUNT, IPC_CREAT | 0600);
	if (sem_id < 0)
	{
		plog(PL_FATAL, "could not create semaphores: %m");
		return false;
	}
	arg.val = 1;
	for (int i = 0; i < SHMEM_LOCK_COUNT; i++)
		semctl(sem_id, i, SETVAL, arg);
	return true;
}

void *
shmem_alloc(size_t n)
{
	void	   *p;

	n = shmem_align(n);
	if (segment == NULL || segment_used + n > segment_size)
	{
		plog(PL_PANIC, "shared memory segment exhausted: %zu of %zu bytes used, %zu requested",
			 segment_used, segment_size, n);
		abort();
	}
	p = segment + segment_used;
	segment_used += n;
	return p;
}

static void
sem_op(int sem, int delta)
{
	struct sembuf op = {.sem_num = (unsigned short) sem, .sem_op = (short) delta, .sem_flg = SEM_UNDO};

	while (semop(sem_id, &op, 1) < 0)
	{
		if (errno != EINTR)
		{
			plog(PL_FATAL, "semop on semaphore %d failed: %m", sem);
			exit(1);
		}
	}
}

void
shmem_lock(ShmemLock lock)
{
	sem_op(lock, -1);
}

void
shmem_unlock(ShmemLock lock)
{
	sem_op(lock, 1);
}

void
shmem_destroy(void)
{
	if (sem_id >= 0)
		semctl(sem_id, 0, IPC_RMID);
	sem_id = -1;
}
