/*
 * qc_testing.h: hooks the query cache's unit tests use; nothing else
 * calls them.
 */
#ifndef PGPOOL_CACHE_QC_TESTING_H
#define PGPOOL_CACHE_QC_TESTING_H

/*
 * Take the shmem store's writer lock and open a change window without
 * closing either, as a writer that dies mid-change would (the caller is
 * then killed).
 */
void		qc_test_hold_writer_lock(void);

/* Seconds added to the clock the cache reads for memqcache_expire. */
void		qc_test_set_time_offset(long seconds);

#endif
