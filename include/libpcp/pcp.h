/*
 * pcp.h: libpcp, the client library of pgpool's PCP admin interface.
 *
 * Used by the pcp_* tools and by the web admin.  A PcpConn is one
 * authenticated connection to pgpool's PCP port (TCP, or the UNIX socket
 * <dir>/.s.PGSQL.<port> when the host is empty or starts with '/').  Every
 * command is one function returning PCP_OK or a PcpErrorCode; the codes are
 * the PCP tools' exit statuses.  On error, pcp_error_message() says why.
 *
 * The library is self-contained (it does not need the rest of pgpool) and
 * not thread-safe per connection: use one PcpConn per thread.
 */
#ifndef PGPOOL_LIBPCP_PCP_H
#define PGPOOL_LIBPCP_PCP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define PCP_DEFAULT_PORT 9898
#define PCP_DEFAULT_SOCKET_DIR "/tmp"

/* Error codes, equal to the PCP tools' exit statuses (the manual's table). */
typedef enum PcpErrorCode
{
	PCP_OK = 0,
	PCP_ERR_UNKNOWN = 1,		/* UNKNOWNERR: should not occur */
	PCP_ERR_EOF = 2,			/* EOFERR: the server closed the connection */
	PCP_ERR_NOMEM = 3,			/* NOMEMERR */
	PCP_ERR_READ = 4,			/* READERR: reading from the server failed */
	PCP_ERR_WRITE = 5,			/* WRITEERR */
	PCP_ERR_TIMEOUT = 6,		/* TIMEOUTERR */
	PCP_ERR_INVAL = 7,			/* INVALERR: invalid arguments */
	PCP_ERR_CONN = 8,			/* CONNERR: could not connect */
	PCP_ERR_NOCONN = 9,			/* NOCONNERR: no connection */
	PCP_ERR_SOCK = 10,			/* SOCKERR */
	PCP_ERR_HOST = 11,			/* HOSTERR: host name resolution */
	PCP_ERR_BACKEND = 12,		/* BACKENDERR: the server refused (invalid id, ...) */
	PCP_ERR_AUTH = 13			/* AUTHERR: authentication failed */
} PcpErrorCode;

#define PCP_ERR_MAX PCP_ERR_AUTH

/* "BACKENDERR" for PCP_ERR_BACKEND; "UNKNOWNERR" for anything unknown. */
const char *pcp_error_name(PcpErrorCode code);

/* The tools' class words: "BackendError", "AuthorizationError", ... */
const char *pcp_error_class(PcpErrorCode code);

/* Parse an error name ("BACKENDERR"); PCP_ERR_UNKNOWN if unknown. */
PcpErrorCode pcp_error_from_name(const char *name);

/* ---- connection ---------------------------------------------------------- */

typedef struct PcpConn PcpConn;

typedef struct PcpConnectParams
{
	const char *host;			/* NULL, "" or "/dir": UNIX socket (dir default /tmp) */
	int			port;			/* 0: PCP_DEFAULT_PORT */
	const char *user;
	const char *password;		/* plain text; only a salted hash is sent */
	int			timeout;		/* seconds for connect and each reply; 0: none */
	bool		debug;			/* trace packets on stderr */

	/*
	 * With password NULL: called once a PCP server answered (so nobody is
	 * prompted when nothing listens); the library then logs in on a new
	 * connection, so a slow answer does not meet the server's pcp_timeout.
	 * Returns a malloc'd string (freed by the library), NULL for "".
	 */
	char	   *(*ask_password) (void *arg);
	void	   *ask_password_arg;
} PcpConnectParams;

/*
 * Connect and authenticate.  Returns NULL only when out of memory;
 * otherwise check pcp_conn_status().  Free with pcp_disconnect() either way.
 */
PcpConn    *pcp_connect(const PcpConnectParams *params);

/* PCP_OK if connected and authenticated, else the error that ended it. */
PcpErrorCode pcp_conn_status(const PcpConn *conn);

/* Say goodbye, close the socket and free conn (NULL is fine). */
void		pcp_disconnect(PcpConn *conn);

/* The last error on conn: code, message, and optional detail ("" if none). */
PcpErrorCode pcp_last_error(const PcpConn *conn);
const char *pcp_error_message(const PcpConn *conn);
const char *pcp_error_detail(const PcpConn *conn);

/* ---- results --------------------------------------------------------------- */

typedef struct PcpNodeInfo
{
	int			node_id;
	char		hostname[256];
	int			port;
	int			status;			/* 1 up/waiting, 2 up, 3 down */
	double		weight;			/* normalized: this node's share of all weights */
	char		status_name[16];	/* "waiting", "up", "down" */
	char		pg_status[16];	/* actual backend status, "unknown" without health check */
	char		role[16];		/* "main", "replica", "primary", "standby" */
	char		pg_role[16];	/* actual role, "unknown" without sr check */
	uint64_t	replication_delay;
	char		replication_state[32];
	char		replication_sync_state[32];
	time_t		last_status_change;
} PcpNodeInfo;

typedef struct PcpPidList
{
	int			count;
	pid_t	   *pids;
} PcpPidList;

/* One backend connection of one pool slot of one child (pcp_proc_info line). */
typedef struct PcpProcInfo
{
	char		database[64];
	char		user[64];
	time_t		start_time;		/* child process start */
	uint64_t	client_connection_count;
	int			major;
	int			minor;
	time_t		backend_connection_time;
	time_t		client_connection_time;
	int			client_idle_duration;	/* seconds */
	time_t		client_disconnection_time;
	int			pool_counter;
	int			backend_pid;
	bool		connected;		/* a client uses this connection now */
	pid_t		pid;			/* the child */
	int			backend_id;
	char		status[32];		/* "Wait for connection", "Idle", ... */
} PcpProcInfo;

typedef struct PcpProcInfoList
{
	int			count;
	PcpProcInfo *items;
} PcpProcInfoList;

typedef struct PcpParam
{
	char	   *name;
	char	   *value;
	char	   *desc;
} PcpParam;

typedef struct PcpParamList
{
	int			count;
	PcpParam   *items;
} PcpParamList;

typedef struct PcpHealthCheckStats
{
	int			node_id;
	char		hostname[256];
	int			port;
	char		status[16];
	char		role[16];
	time_t		last_status_change;
	uint64_t	total_count;
	uint64_t	success_count;
	uint64_t	fail_count;
	uint64_t	skip_count;
	uint64_t	retry_count;
	double		average_retry_count;
	uint64_t	max_retry_count;
	uint64_t	max_duration;	/* milliseconds */
	uint64_t	min_duration;
	double		average_duration;
	time_t		last_health_check;
	time_t		last_successful_health_check;
	time_t		last_skip_health_check;
	time_t		last_failed_health_check;
} PcpHealthCheckStats;

/* One pgpool of the watchdog cluster. */
typedef struct PcpWatchdogNode
{
	int			id;				/* watchdog node id (hostnameN) */
	char		name[192];		/* "host:port Linux nodename" */
	char		host[128];
	int			pgpool_port;
	int			wd_port;
	int			priority;
	int			state;			/* 4 LEADER, 7 STANDBY, ... (pgpool-II 4.3's numbers) */
	char		state_name[32];
	int			membership;
	char		membership_name[32];
	char		delegate_ip[64];
} PcpWatchdogNode;

typedef struct PcpWatchdogInfo
{
	int			total;			/* configured nodes */
	int			members;		/* nodes with active membership */
	int			remote;
	int			member_remote;
	int			alive_remote;
	int			quorum_required;
	int			quorum;			/* 1 exists, 0 on the edge, -1 absent */
	bool		escalated;		/* the pgpool asked holds the VIP */
	char		leader_name[192];	/* "" when there is no leader */
	char		leader_host[128];
	int			count;
	PcpWatchdogNode *nodes;		/* this pgpool first */
} PcpWatchdogInfo;

/* One counter of pcp_stats: "select_count" of node 1, "cache_hits", ... */
typedef struct PcpStat
{
	char		name[64];
	int			node_id;		/* -1 when the counter is not per node */
	int64_t		value;
} PcpStat;

typedef struct PcpStatList
{
	int			count;
	PcpStat    *items;
} PcpStatList;

void		pcp_free_stat_list(PcpStatList *list);
void		pcp_free_watchdog_info(PcpWatchdogInfo *info);
void		pcp_free_pid_list(PcpPidList *list);
void		pcp_free_proc_info_list(PcpProcInfoList *list);
void		pcp_free_param_list(PcpParamList *list);

/* ---- commands ------------------------------------------------------------- */

PcpErrorCode pcp_node_count(PcpConn *conn, int *count);
PcpErrorCode pcp_node_info(PcpConn *conn, int node_id, PcpNodeInfo *out);
PcpErrorCode pcp_proc_count(PcpConn *conn, PcpPidList *out);

/*
 * pid > 0: that child's backend connections (PCP_ERR_BACKEND if it is not
 * a pgpool child).  pid == 0: every child that has backend connections.
 * all: every pool slot and node, connected or not.
 */
PcpErrorCode pcp_proc_info(PcpConn *conn, pid_t pid, bool all, PcpProcInfoList *out);

/* Every parameter of pgpool.conf with its value (secrets masked) and description. */
PcpErrorCode pcp_pool_status(PcpConn *conn, PcpParamList *out);

/* There is no System DB (parallel mode does not exist): always PCP_ERR_BACKEND. */
PcpErrorCode pcp_systemdb_info(PcpConn *conn);

/* graceful: wait (at most recovery_timeout) for clients to leave first. */
PcpErrorCode pcp_detach_node(PcpConn *conn, int node_id, bool graceful);
PcpErrorCode pcp_attach_node(PcpConn *conn, int node_id);
PcpErrorCode pcp_promote_node(PcpConn *conn, int node_id, bool graceful);
/*
 * switchover: the current primary is detached and failover_command runs for
 * it (the usual script promotes node_id); the other standbys follow.
 */
PcpErrorCode pcp_promote_node_ex(PcpConn *conn, int node_id, bool graceful, bool switchover);

/* mode: 's' smart, 'f' fast, 'i' immediate. */
PcpErrorCode pcp_stop_pgpool(PcpConn *conn, char mode);
PcpErrorCode pcp_reload_config(PcpConn *conn);

/* scope 'c': every pgpool of the watchdog cluster; 'l': the one connected to. */
PcpErrorCode pcp_stop_pgpool_scope(PcpConn *conn, char mode, char scope);
PcpErrorCode pcp_reload_config_scope(PcpConn *conn, char scope);
/* Empty the whole in-memory query cache. */
PcpErrorCode pcp_invalidate_query_cache(PcpConn *conn);
PcpErrorCode pcp_recovery_node(PcpConn *conn, int node_id);
PcpErrorCode pcp_health_check_stats(PcpConn *conn, int node_id, PcpHealthCheckStats *out);
/* index -1: every watchdog node; 0: the pgpool asked; k: its k-th peer. */
PcpErrorCode pcp_watchdog_info(PcpConn *conn, int index, PcpWatchdogInfo *out);

/*
 * Counters the other commands do not report: select counts per node and
 * the query cache's numbers (SHOW pool_cache); names in src/pcp/pcp_stats.c.
 */
PcpErrorCode pcp_stats(PcpConn *conn, PcpStatList *out);

/* ---- helpers for tools ------------------------------------------------------ */

/*
 * Look a password up in the PCP password file (PCPPASSFILE, else
 * ~/.pcppass): lines host:port:user:password, '*' matches anything, '\'
 * escapes ':' and '\'.  host NULL/""/"/..." matches "localhost".  A file
 * readable by group or others is ignored (with a warning on stderr).
 * Returns a malloc'd password or NULL.
 */
char	   *pcp_passfile_lookup(const char *host, int port, const char *user);

/* MD5 of data as 32 lower-case hex digits plus NUL in out[33]. */
void		pcp_md5_hex(const void *data, size_t len, char out[33]);

#ifdef __cplusplus
}
#endif

#endif
