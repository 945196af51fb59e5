/*
 * clock.h: the monotonic clock, for timeouts and durations (never for
 * wall-clock times, which come from time()/gettimeofday()).
 */
#ifndef PGPOOL_UTILS_CLOCK_H
#define PGPOOL_UTILS_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t		clock_monotonic_ms(void);

/* Microseconds of CLOCK_MONOTONIC. */
int64_t		clock_monotonic_us(void);

/* Seconds of CLOCK_MONOTONIC, with fractions. */
double		clock_monotonic_s(void);

#endif
