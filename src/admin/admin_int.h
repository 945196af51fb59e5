/*
 * admin_int.h: pgpooladmin's internal interface.
 *
 * pgpooladmin is a standalone daemon (not a pgpool process): libmicrohttpd
 * serves the page, the JSON API and /metrics from a thread per connection;
 * every handler reaches pgpool through libpcp (one PCP connection per
 * request, authenticated as the caller) and through pgpool's files
 * (pgpool.conf, pool_hba.conf, pcp.conf, the log).  Nothing here is kept
 * across requests except the login sessions (admin_session.c) and the
 * failed-login counters (admin_auth.c), both behind their own mutex.
 *
 * Secrets: the caller's PCP password lives only in the request (Basic) or
 * in its session's memory; it is never written to a reply or a log line.
 */
#ifndef PGPOOL_ADMIN_ADMIN_INT_H
#define PGPOOL_ADMIN_ADMIN_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "libpcp/pcp.h"

#define ADMIN_MAX_BODY		(1024 * 1024)	/* bytes of a request body */
#define ADMIN_MAX_USER		64
#define ADMIN_MAX_PASSWORD	128
#define ADMIN_TOKEN_HEX		64			/* session id and CSRF token */
#define ADMIN_COOKIE_NAME	"pgpooladmin_session"

/* Command-line options (admin_main.c); read-only once the server runs. */
typedef struct AdminOptions
{
	const char *conf_path;		/* -f pgpool.conf */
	const char *pcp_path;		/* -F pcp.conf */
	const char *hba_path;		/* -a pool_hba.conf, or NULL */
	const char *listen_addr;
	int			listen_port;
	const char *tls_cert;
	const char *tls_key;
	const char *pgpool_bin;		/* --pgpool-bin: enables /api/start */
	const char *www_dir;		/* static page */
	const char *log_file;		/* --log-file: pgpool's log, else from pgpool.conf */
	const char *metrics_user;	/* PCP user /metrics uses without --metrics-auth */
	bool		metrics_auth;
	int			pcp_timeout;	/* seconds */
} AdminOptions;

extern AdminOptions admin_opts;

/* What pgpooladmin needs from pgpool.conf, re-read when the file changes. */
typedef struct AdminPgpoolInfo
{
	char		pcp_host[256];	/* pcp_socket_dir, or 127.0.0.1 */
	int			pcp_port;
	char		logdir[1024];
	char		pid_file[1024];
	char		log_directory[1024];
	bool		logging_collector;
	bool		memory_cache_enabled;
	bool		use_watchdog;
	bool		loaded;			/* false: the file could not be read */
} AdminPgpoolInfo;

/* One HTTP request being answered (lives while libmicrohttpd calls us). */
typedef struct AdminRequest
{
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	char	   *body;			/* NUL-terminated, malloc'd */
	size_t		body_len;
	bool		body_too_large;
	/* set by admin_auth_check() */
	bool		authed;
	bool		via_session;
	char		user[ADMIN_MAX_USER];
	char		password[ADMIN_MAX_PASSWORD];
	char		csrf[ADMIN_TOKEN_HEX + 1];
} AdminRequest;

/* ---- admin_http.c: the server and replies ---- */
struct sockaddr;
struct MHD_Daemon *admin_http_start(const struct sockaddr *addr);
enum MHD_Result admin_route(AdminRequest *r);
enum MHD_Result admin_reply(AdminRequest *r, unsigned status, const char *type,
							const char *body, size_t len, const char *cookie);
enum MHD_Result admin_reply_json(AdminRequest *r, unsigned status, json_t *obj);
enum MHD_Result admin_reply_error(AdminRequest *r, unsigned status, const char *msg,
								  const char *detail);
/* Header value of the request, or NULL. */
const char *admin_header(AdminRequest *r, const char *name);
/* Parse the body as a JSON object (NULL, after replying 400, if it is not). */
json_t	   *admin_body_json(AdminRequest *r, enum MHD_Result *ret);

/* ---- admin_auth.c: pcp.conf users, Basic credentials, slow-down ---- */
bool		admin_auth_verify(const char *user, const char *password);
bool		admin_auth_basic(AdminRequest *r);
/* Sleep a little more after each failed login from this client address. */
void		admin_auth_penalize(AdminRequest *r);
void		admin_auth_forgive(AdminRequest *r);
enum MHD_Result admin_auth_unauthorized(AdminRequest *r);

/* ---- admin_session.c: login sessions and CSRF tokens ---- */
void		admin_session_init(void);
/* New session for user; fills id and csrf (hex, NUL-terminated). */
bool		admin_session_create(const char *user, const char *password,
								 char *id, char *csrf);
/* Fill r from the session cookie; false if there is none or it expired. */
bool		admin_session_lookup(AdminRequest *r);
void		admin_session_destroy(AdminRequest *r);
bool		admin_csrf_ok(AdminRequest *r);
void		admin_random_hex(char *out, size_t nbytes);

/* ---- admin_login.c: /login, /logout, /api/session ---- */
enum MHD_Result admin_login_handle(AdminRequest *r);
enum MHD_Result admin_logout_handle(AdminRequest *r);
enum MHD_Result admin_session_handle(AdminRequest *r);

/* ---- admin_pgpool.c: pgpool.conf facts and PCP connections ---- */
void		admin_pgpool_info(AdminPgpoolInfo *out);
/* PCP connection as the caller; NULL after replying 502 when it fails. */
PcpConn    *admin_pcp_open(AdminRequest *r, enum MHD_Result *ret);
PcpConn    *admin_pcp_open_timeout(AdminRequest *r, enum MHD_Result *ret, int timeout);
PcpConn    *admin_pcp_open_as(const char *user, const char *password);
PcpConn    *admin_pcp_open_as_timeout(const char *user, const char *password, int timeout);
/* Reply 200 {"ok":true} or the PCP error (502 for connection, 409/400 otherwise). */
enum MHD_Result admin_pcp_result(AdminRequest *r, PcpConn *c, PcpErrorCode rc,
								 const char *what);
void		admin_log_action(AdminRequest *r, const char *what);

/* ---- admin_stats.c: counters PCP's stats command gives (pcp_stats) ---- */
typedef struct AdminStats
{
	bool		have;			/* the pgpool answered the command */
	int			num_nodes;
	uint64_t	select_count[128];
	bool		cache_enabled;
	int64_t		cache_hits;
	int64_t		cache_selects;
	int64_t		cache_entries;
	int64_t		cache_hash_entries;
	int64_t		cache_used_hash_entries;
	int64_t		cache_used_bytes;
	int64_t		cache_free_bytes;
	int64_t		cache_fragment_bytes;
} AdminStats;

bool		admin_stats_fetch(PcpConn *c, AdminStats *out);

/* Shared by the API and /metrics. */
json_t	   *admin_nodes_collect(PcpConn *c, PcpErrorCode *rc);
bool		admin_pools_fetch(PcpConn *c, PcpProcInfoList *out, PcpErrorCode *rc);
json_t	   *admin_json_time(time_t t);
void		admin_log_path(const AdminPgpoolInfo *info, char *buf, size_t len);

/* ---- API handlers ---- */
enum MHD_Result admin_api_nodes(AdminRequest *r);
enum MHD_Result admin_api_node_action(AdminRequest *r, int node, const char *action);
enum MHD_Result admin_api_processes(AdminRequest *r, bool pools);
enum MHD_Result admin_api_status(AdminRequest *r);
enum MHD_Result admin_api_watchdog(AdminRequest *r);
enum MHD_Result admin_api_reload(AdminRequest *r);
enum MHD_Result admin_api_stop(AdminRequest *r);
enum MHD_Result admin_api_start(AdminRequest *r);
enum MHD_Result admin_api_cache_clear(AdminRequest *r);
enum MHD_Result admin_api_log(AdminRequest *r);
enum MHD_Result admin_api_config_get(AdminRequest *r);
enum MHD_Result admin_api_config_put(AdminRequest *r);
enum MHD_Result admin_api_hba_get(AdminRequest *r);
enum MHD_Result admin_api_hba_put(AdminRequest *r);
enum MHD_Result admin_api_pcp_users_get(AdminRequest *r);
enum MHD_Result admin_api_pcp_users_put(AdminRequest *r);
enum MHD_Result admin_metrics_handle(AdminRequest *r);
enum MHD_Result admin_static_handle(AdminRequest *r);

/* ---- admin_files.c: whole-file helpers ---- */
/* Read a file (at most max bytes); malloc'd, NUL-terminated; NULL on error. */
char	   *admin_file_read(const char *path, size_t max, size_t *len);
/*
 * Replace path with data atomically: a temporary file in the same
 * directory with path's mode, the old content copied to path.bak, then
 * rename().  On failure errbuf says why.
 */
bool		admin_file_replace(const char *path, const char *data, size_t len,
							   char *errbuf, size_t errlen);
/* Write data to a new temporary file next to path; returns its malloc'd name. */
char	   *admin_file_temp(const char *path, const char *data, size_t len);

/*
 * Run fn(arg) while collecting the ERROR messages the config and auth
 * modules log (with DETAIL); returns fn's result, messages in *errors.
 */
bool		admin_capture_errors(bool (*fn) (void *), void *arg, json_t **errors);

#endif
