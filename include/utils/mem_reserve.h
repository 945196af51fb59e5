/*
 * mem_reserve.h: make a long-lived process's memory footprint flat.
 *
 * A child serves session after session; its memory should reach its size
 * during the first sessions and stay there.  malloc's defaults defeat that:
 * the mmap threshold adapts upward (a block once mmapped is later carved
 * from the heap, which then grows), the heap top is trimmed and grown again,
 * and pages of the heap and the stack become resident the first time a rare
 * path touches them.  mem_reserve_process() fixes the thresholds and makes
 * heap_bytes of heap and stack_bytes of stack resident once, at start.
 */
#ifndef PGPOOL_UTILS_MEM_RESERVE_H
#define PGPOOL_UTILS_MEM_RESERVE_H

#include <stddef.h>

void		mem_reserve_process(size_t heap_bytes, size_t stack_bytes);

/* Write every page of [p, p + len) so it is resident. */
void		mem_touch(void *p, size_t len);

#endif
