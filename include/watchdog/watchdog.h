/*
 * watchdog.h: pgpool nodes that keep one another alive.
 *
 * Processes (rows of src/main/proc_kinds.c, all siblings under the parent):
 *   watchdog          TCP between pgpools on wd_port, the node state machine
 *                     (wd_fsm.c), leader election, quorum, escalation
 *   wd_lifecheck      decides which peers are lost (heartbeat or query) and
 *                     whether this node is cut off (trusted_servers)
 *   wd_hb_receiver    receives UDP heartbeats, stamps the peer's last time
 *   wd_hb_sender      one per peer: sends a heartbeat every keepalive
 * They share one WdShared in shared memory; the PCP server reads it for
 * pcp_watchdog_info.  See src/watchdog/README.md for the design.
 */
#ifndef PGPOOL_WATCHDOG_WATCHDOG_H
#define PGPOOL_WATCHDOG_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "failover/failover.h"

#define WD_MAX_NODES MAX_WD_NODES
#define WD_HOST_LEN 128
#define WD_NAME_LEN 192

/* Node states, numbered and named as pgpool-II 4.3 prints them. */
typedef enum WdState
{
	WD_STATE_DEAD = 0,
	WD_STATE_LOADING,
	WD_STATE_JOINING,
	WD_STATE_INITIALIZING,
	WD_STATE_LEADER,
	WD_STATE_PARTICIPATING,		/* PARTICIPATING IN ELECTION */
	WD_STATE_STANDING,			/* STANDING FOR LEADER */
	WD_STATE_STANDBY,
	WD_STATE_LOST,
	WD_STATE_IN_NETWORK_TROUBLE,
	WD_STATE_SHUTDOWN,
	WD_STATE_ADD_MESSAGE_SENT,
	WD_STATE_NETWORK_ISOLATION,
	WD_STATE_COUNT
} WdState;

const char *wd_state_name(int state);

/* Cluster membership of a node (pcp_watchdog_info's last two fields). */
typedef enum WdMembership
{
	WD_MEMBER = 0,
	WD_REVOKED_SHUTDOWN,
	WD_REVOKED_NO_SHOW,
	WD_REVOKED_LOST
} WdMembership;

const char *wd_membership_name(int m);

/* Quorum as pgpool-II reports it: exists, on the edge (half of an even count), absent. */
#define WD_QUORUM_EXISTS 1
#define WD_QUORUM_EDGE 0
#define WD_QUORUM_ABSENT (-1)

const char *wd_quorum_name(int q);

/* ---- the cluster as configured (wd_config.c) ------------------------------ */

typedef struct WdNodeAddr
{
	char		host[WD_HOST_LEN];	/* hostnameN / other_pgpool_hostnameN / wd_hostname */
	int			wd_port;
	int			pgpool_port;
	char		hb_host[WD_HOST_LEN];	/* heartbeat_hostnameN / heartbeat_destinationN */
	int			hb_port;
	char		hb_device[64];
} WdNodeAddr;

typedef struct WdClusterConfig
{
	int			nnodes;
	int			self;			/* index of this node */
	WdNodeAddr	nodes[WD_MAX_NODES];
} WdClusterConfig;

/*
 * Build the member list from either spelling: pgpool-II 4.3's hostnameN,
 * wd_portN, pgpool_portN, heartbeat_hostnameN/portN/deviceN with node_id
 * (the pgpool_node_id file) naming this node; or 3.x's wd_hostname,
 * wd_port, port, other_pgpool_hostnameN/other_pgpool_portN/other_wd_portN,
 * heartbeat_destinationN/heartbeat_destination_portN, wd_heartbeat_port
 * (this node first).  false with the reason in err.
 */
bool		wd_config_cluster(const PoolConfig *cfg, int node_id, WdClusterConfig *out,
							  char *err, size_t errlen);

/* Does the configuration use the 4.3 spelling (hostnameN)? */
bool		wd_config_uses_node_list(const PoolConfig *cfg);

/*
 * Read the pgpool_node_id file next to config_file.  Returns the id, or -1
 * with the reason in err.
 */
int			wd_config_read_node_id(const char *config_file, char *err, size_t errlen);

/* ---- shared state (wd_shmem.c) -------------------------------------------- */

typedef struct WdNodeShared
{
	char		name[WD_NAME_LEN];	/* "host:port Linux nodename" */
	char		host[WD_HOST_LEN];
	int			pgpool_port;
	int			wd_port;
	int			priority;		/* -1 until heard from */
	int			state;			/* WdState */
	int			membership;		/* WdMembership */
	char		delegate_ip[64];
	/* written by the heartbeat receiver and the lifecheck process */
	volatile int64_t hb_last_ms;	/* monotonic ms of the last heartbeat, 0 never */
	volatile int lifecheck_lost;	/* the lifecheck declared the node lost */
} WdNodeShared;

/*
 * What other processes of this pgpool ask the watchdog process to do (a
 * ring in WdShared, drained every loop): a failover request to take to the
 * leader, or a command for every pgpool of the cluster.
 */
typedef enum WdRequestWhat
{
	WD_REQ_FAILOVER = 1,		/* kind, node_id, flags, ticket */
	WD_REQ_STOP,				/* pcp_stop_pgpool --scope=cluster: mode */
	WD_REQ_RELOAD				/* pcp_reload_config --scope=cluster */
} WdRequestWhat;

#define WD_REQ_RING 32

typedef struct WdRequest
{
	int			what;			/* WdRequestWhat */
	int			kind;			/* FailoverKind */
	int			node_id;
	int			flags;
	uint32_t	ticket;
	char		mode;			/* s, f, i */
	int			requester;		/* pid that asked (failover), for logs */
} WdRequest;

typedef struct WdShared
{
	int			nnodes;
	int			self;
	int			leader;			/* -1: none */
	int			quorum;			/* WD_QUORUM_* */
	int			quorum_required;	/* alive nodes needed */
	int			alive_remote;
	int			member_remote;
	int			escalated;		/* this node holds the VIP (escalation ran) */
	volatile int isolated;		/* trusted servers unreachable (lifecheck) */
	volatile int lifecheck_ready;	/* lifecheck has started checking */
	volatile int watchdog_pid;	/* the watchdog process, 0 while none */
	int			req_head;		/* ring of WdRequest, under SHMEM_LOCK_WATCHDOG */
	int			req_count;
	WdRequest	req[WD_REQ_RING];
	WdNodeShared nodes[WD_MAX_NODES];
} WdShared;

extern WdShared *wd_shared;

size_t		wd_shmem_size(void);

/*
 * Parent, before forking: check the watchdog configuration (reads the
 * pgpool_node_id file next to config_file), carve and fill the shared
 * state.  With use_watchdog off this only zeroes it.  false: log says why.
 */
bool		wd_shmem_init(const PoolConfig *cfg, const char *config_file);

/* The cluster built by wd_shmem_init (inherited by the forked processes). */
const WdClusterConfig *wd_cluster(void);

/* A consistent copy of the shared state (PCP reads this). */
void		wd_shared_snapshot(WdShared *out);

/*
 * The parent's failover_route_hook when use_watchdog is on: hand the
 * request to the watchdog process, which takes it to the cluster's leader
 * (wd_failover.c).  Always true: the ticket is finished by the cluster's
 * answer (or a time-out).
 */
bool		wd_failover_route(FailoverKind kind, int node_id, int flags, uint32_t ticket,
							  pid_t requester);

/*
 * PCP worker: ask the watchdog to send stop (mode s/f/i) or reload
 * (what WD_REQ_STOP / WD_REQ_RELOAD) to every other pgpool of the cluster,
 * and wait up to a second for it to be sent.  false: not queued.
 */
bool		wd_request_cluster_command(WdRequestWhat what, char mode);

/* ---- processes ------------------------------------------------------------- */

int			wd_count_watchdog(const PoolConfig *cfg);
int			wd_count_lifecheck(const PoolConfig *cfg);
int			wd_count_hb_receiver(const PoolConfig *cfg);
int			wd_count_hb_sender(const PoolConfig *cfg);

void		wd_main(int index) __attribute__((noreturn));
void		wd_lifecheck_main(int index) __attribute__((noreturn));
void		wd_hb_receiver_main(int index) __attribute__((noreturn));
void		wd_hb_sender_main(int index) __attribute__((noreturn));

#endif
