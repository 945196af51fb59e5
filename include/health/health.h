/*
 * health.h: the health check workers (one process per backend node) and
 * the streaming replication check worker.
 */
#ifndef PGPOOL_HEALTH_HEALTH_H
#define PGPOOL_HEALTH_HEALTH_H

#include <stdbool.h>

#include "config/config.h"
#include "config/health_settings.h"
#include "utils/worker.h"


/*
 * Try once to log into node with the settings; true if the node answered.
 * why gets a short reason on failure.
 */
bool		health_probe(int node, const HealthSettings *hs, char *why, size_t why_len);

/* Process main functions (never return). */
void		health_check_main(int node) __attribute__((noreturn));
void		sr_check_main(int index) __attribute__((noreturn));

/* How many health check / sr check processes the configuration wants. */
int			health_check_count(const PoolConfig *cfg);
int			sr_check_count(const PoolConfig *cfg);

/*
 * The read_your_writes WAL position sampler (wal_pos_worker.c): one in
 * streaming replication mode with two nodes or more.
 */
void		wal_pos_worker_main(int index) __attribute__((noreturn));
int			wal_pos_worker_count(const PoolConfig *cfg);

/* sr_check worker: mark standbys not streaming from the primary stale (no reads). */
void		sr_check_streams(const PoolConfig *cfg, int primary);

/* sr_check_period reloaded to 0: no standby is stale any more. */
void		sr_check_streams_forget(void);

/* A node failed its health check with every retry: ask for its detachment. */
void		health_report_failure(int node);

/* A quarantined node (watchdog) passed its health check: lift the quarantine. */
void		health_report_back(int node);

/* sr_check worker: attach down standbys that stream from primary again (auto_failback). */
void		auto_failback_check(const PoolConfig *cfg, int primary);


#endif
