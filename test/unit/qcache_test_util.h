/*
 * qcache_test_util.h: what the query cache's unit tests share: a cache
 * made afresh over a new SysV segment, keys and tables, captured log lines.
 */
#ifndef QCACHE_TEST_UTIL_H
#define QCACHE_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/qcache.h"
#include "config/config.h"

typedef struct QctOptions
{
	int			method;			/* MQM_SHMEM / MQM_MEMCACHED */
	int64_t		total_size;
	int			block_size;
	int			max_num_cache;
	int			maxcache;
	int			expire;
	const char *host;
	int			port;
	const char *oiddir;
} QctOptions;

/* Defaults: shmem, 1 MB in 64 KB blocks, 1000 entries, 32 KB maxcache, no expiry. */
QctOptions	qct_defaults(void);

/* A new segment and a new cache; false if qc_shmem_init refused. */
bool		qct_setup(const QctOptions *o);

/* Free the segment's semaphores (SysV sets outlive the process otherwise). */
void		qct_teardown(void);

/* In a forked child: the segment is the parent's, leave its semaphores alone. */
void		qct_forget_segment(void);

void		qct_key(QcKey *k, const char *sql);
QcTable		qct_table(const char *db, uint32_t oid);

/* Log lines at level whose message contains text, since qct_log_reset. */
void		qct_log_reset(void);
int			qct_log_count(int level, const char *text);

#endif
