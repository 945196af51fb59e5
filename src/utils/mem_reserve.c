/*
 * mem_reserve.c: flat memory for long-lived processes (see mem_reserve.h).
 * Runs in each child at start, before the first session.
 */
#include "utils/mem_reserve.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Larger blocks are mmapped and unmapped whole: they never grow the heap. */
#define MMAP_THRESHOLD		(128 * 1024)

void
mem_touch(void *p, size_t len)
{
	volatile char *c = p;
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);

	for (size_t off = 0; off < len; off += page)
		c[off] = 0;
	if (len > 0)
		c[len - 1] = 0;
}

/* A frame of n bytes on the stack, written: those stack pages stay resident. */
static void __attribute__((noinline))
touch_stack(size_t n)
{
	char	   *frame = alloca(n);

	mem_touch(frame, n);
	__asm__ __volatile__("" : : "r"(frame) : "memory");
}

void
mem_reserve_process(size_t heap_bytes, size_t stack_bytes)
{
	/*
	 * Fixed thresholds: setting them turns off glibc's adaptive mmap
	 * threshold, and a trim threshold above the reserve keeps the heap top
	 * where the reserve put it.
	 */
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, (int) (heap_bytes * 2 + MMAP_THRESHOLD));
	mallopt(M_TOP_PAD, 64 * 1024);
	/* grow the heap once, in pieces below the mmap threshold, and touch it */
	if (heap_bytes > 0)
	{
		size_t		piece = MMAP_THRESHOLD / 2;
		size_t		n = (heap_bytes + piece - 1) / piece;
		void	  **pieces = calloc(n, sizeof(void *));

		for (size_t i = 0; pieces && i < n; i++)
			if ((pieces[i] = malloc(piece)) != NULL)
				mem_touch(pieces[i], piece);
		for (size_t i = n; pieces && i > 0; i--)
			free(pieces[i - 1]);
		free(pieces);
	}
	if (stack_bytes > 0)
		touch_stack(stack_bytes);
}
