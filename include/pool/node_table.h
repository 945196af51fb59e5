/*
 * node_table.h: the backend node table in shared memory.
 *
 * One entry per configured backend: where it is, whether it is up, its
 * role and weight.  Read by children for every new session; written by the
 * parent (start, failover, attach) under SHMEM_LOCK_NODES.
 */
#ifndef PGPOOL_POOL_NODE_TABLE_H
#define PGPOOL_POOL_NODE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

/* Status numbers as pcp_node_info prints them. */
typedef enum NodeStatus
{
	NODE_STATUS_UNUSED = 0,		/* slot not configured */
	NODE_STATUS_CONNECT_WAIT = 1,	/* up, no connection yet */
	NODE_STATUS_UP = 2,			/* up, in use */
	NODE_STATUS_DOWN = 3		/* detached */
} NodeStatus;

typedef enum NodeRole
{
	NODE_ROLE_MAIN = 0,			/* raw/native replication: the main node */
	NODE_ROLE_REPLICA,
	NODE_ROLE_PRIMARY,
	NODE_ROLE_STANDBY
} NodeRole;

/*
 * What a node last said of itself (pg_is_in_recovery), stored by the
 * streaming replication check: SHOW pool_nodes pg_role.
 */
typedef enum NodeRecovery
{
	NODE_RECOVERY_UNKNOWN = 0,	/* not asked yet, or no answer */
	NODE_RECOVERY_NO,			/* a primary */
	NODE_RECOVERY_YES			/* a standby */
} NodeRecovery;

/* Health check counters of one node (SHOW pool_health_check_stats). */
typedef struct HealthCheckStats
{
	uint64_t	total_count;
	uint64_t	success_count;
	uint64_t	fail_count;
	uint64_t	skip_count;
	uint64_t	retry_count;
	int			max_retry_count;
	double		total_duration_ms;	/* of every check, for the average */
	double		max_duration_ms;
	double		min_duration_ms;
	time_t		last_health_check;
	time_t		last_successful_health_check;
	time_t		last_skip_health_check;
	time_t		last_failed_health_check;
} HealthCheckStats;

typedef struct BackendNode
{
	char		hostname[256];
	int			port;
	int			status;			/* NodeStatus */
	int			role;			/* NodeRole */
	double		weight;			/* as configured */
	int			flag;			/* BACKEND_FLAG_* */
	time_t		status_changed;
	uint64_t	select_count;	/* SELECTs routed here */
	uint64_t	replication_delay;	/* bytes behind the primary */
	double		replication_delay_seconds;	/* replay lag, with delay_threshold_by_time */
	bool		delayed;		/* over delay_threshold: gets no reads */
	char		replication_state[32];	/* pg_stat_replication.state, "" if unknown */
	char		replication_sync_state[32];
	bool		stale;			/* standby not streaming from the primary (sr_check
								 * worker, sr_check_period > 0): gets no reads */
	char		stale_reason[32];	/* why, shown as replication_state */
	bool		quarantine;		/* watchdog: down here only, until the health
								 * check succeeds or the cluster detaches it
								 * (status is NODE_STATUS_DOWN meanwhile) */
	int			pg_recovery;	/* NodeRecovery: the node's own answer */
	HealthCheckStats hc;
} BackendNode;

typedef struct NodeTable
{
	int			num_backends;
	int			main_node_id;	/* lowest-numbered node that is up, -1 if none */
	int			primary_node_id;	/* -1 if unknown */
	uint32_t	func_ddl_generation;	/* bumped by a child routing function DDL:
										 * every child forgets its function
										 * volatility cache (func_volatility.c) */
	BackendNode nodes[MAX_BACKENDS];
} NodeTable;

extern NodeTable *node_table;

size_t		node_table_shmem_size(void);

/* Carve the table from shared memory and fill it from the configuration. */
void		node_table_shmem_init(const PoolConfig *cfg);

/* Apply a reloaded configuration: weights, flags, newly added nodes. */
void		node_table_reload(const PoolConfig *cfg);

static inline bool
node_is_up(int id)
{
	return id >= 0 && id < node_table->num_backends &&
		(node_table->nodes[id].status == NODE_STATUS_UP ||
		 node_table->nodes[id].status == NODE_STATUS_CONNECT_WAIT);
}

/* Down here but still health-checked: quarantined by the watchdog. */
static inline bool
node_is_quarantined(int id)
{
	return id >= 0 && id < node_table->num_backends &&
		node_table->nodes[id].status == NODE_STATUS_DOWN && node_table->nodes[id].quarantine;
}

/* replication_state as SHOW pool_nodes and pcp_node_info print it: why a stale standby gets no reads. */
static inline const char *
node_replication_state(const BackendNode *n)
{
	return n->stale ? n->stale_reason : n->replication_state;
}

/* A session connected to the node: "waiting" becomes "up" (pcp_node_info status 2). */
void		node_table_note_connected(int id);

/*
 * Mark a node up or down (parent or failover), recomputing the main node.
 * Ends a quarantine: this is the cluster's (or the administrator's) word.
 */
void		node_table_set_status(int id, NodeStatus status);

/*
 * Quarantine (on: down for this pgpool only, pgpool_status untouched) or
 * lift it (off: "waiting" again).  The parent, for the watchdog.
 */
void		node_table_set_quarantine(int id, bool on);

const char *node_status_name(int status);

/* A node's status name as SHOW pool_nodes / pcp_node_info print it ("quarantine" too). */
const char *node_status_name_of(int id);

#endif
