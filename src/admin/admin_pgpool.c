/*
 * admin_pgpool.c: how pgpooladmin reaches pgpool.  The facts it needs from
 * pgpool.conf (where PCP listens, where the log and pid file are, whether
 * the cache and the watchdog are on) are re-read whenever the file's mtime
 * changes; PCP connections are opened per request as the caller, over
 * pcp_socket_dir's UNIX socket (or 127.0.0.1 when there is none).
 *
 * The config module is not thread-safe: every use of it from any thread
 * holds admin_config_lock.
 */
#include "admin_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "utils/log.h"

pthread_mutex_t admin_config_lock = PTHREAD_MUTEX_INITIALIZER;

static AdminPgpoolInfo cached;
static struct timespec cached_mtime;

static void
info_from_config(const PoolConfig *c, AdminPgpoolInfo *out)
{
	memset(out, 0, sizeof(*out));
	if (c->pcp_socket_dir && c->pcp_socket_dir[0])
		snprintf(out->pcp_host, sizeof(out->pcp_host), "%s", c->pcp_socket_dir);
	else
		snprintf(out->pcp_host, sizeof(out->pcp_host), "127.0.0.1");
	out->pcp_port = c->pcp_port;
	snprintf(out->logdir, sizeof(out->logdir), "%s", c->logdir ? c->logdir : "");
	snprintf(out->pid_file, sizeof(out->pid_file), "%s", c->pid_file_name ? c->pid_file_name : "");
	snprintf(out->log_directory, sizeof(out->log_directory), "%s",
			 c->log_directory ? c->log_directory : "");
	out->logging_collector = c->logging_collector;
	out->memory_cache_enabled = c->memory_cache_enabled;
	out->use_watchdog = c->use_watchdog;
	out->loaded = true;
}

void
admin_pgpool_info(AdminPgpoolInfo *out)
{
	struct stat st;

	pthread_mutex_lock(&admin_config_lock);
	if (stat(admin_opts.conf_path, &st) == 0 &&
		(st.st_mtim.tv_sec != cached_mtime.tv_sec || st.st_mtim.tv_nsec != cached_mtime.tv_nsec ||
		 !cached.loaded))
	{
		PoolConfig	cfg;

		config_init_defaults(&cfg);
		if (config_load(admin_opts.conf_path, &cfg))
		{
			info_from_config(&cfg, &cached);
			cached_mtime = st.st_mtim;
		}
		config_free(&cfg);
	}
	*out = cached;
	pthread_mutex_unlock(&admin_config_lock);
}

PcpConn *
admin_pcp_open_as(const char *user, const char *password)
{
	return admin_pcp_open_as_timeout(user, password, admin_opts.pcp_timeout);
}

/* timeout: seconds for connect and each reply, 0 none. */
PcpConn *
admin_pcp_open_as_timeout(const char *user, const char *password, int timeout)
{
	AdminPgpoolInfo info;
	PcpConnectParams p = {0};

	admin_pgpool_info(&info);
	p.host = info.pcp_host;
	p.port = info.pcp_port;
	p.user = user;
	p.password = password;
	p.timeout = timeout;
	return pcp_connect(&p);
}

PcpConn *
admin_pcp_open(AdminRequest *r, enum MHD_Result *ret)
{
	return admin_pcp_open_timeout(r, ret, admin_opts.pcp_timeout);
}

PcpConn *
admin_pcp_open_timeout(AdminRequest *r, enum MHD_Result *ret, int timeout)
{
	PcpConn    *c = admin_pcp_open_as_timeout(r->user, r->password, timeout);

	if (c == NULL)
	{
		*ret = admin_reply_error(r, 500, "out of memory", NULL);
		return NULL;
	}
	if (pcp_conn_status(c) != PCP_OK)
	{
		*ret = admin_reply_error(r, 502, "could not connect to pgpool's PCP port",
								 pcp_error_message(c));
		pcp_disconnect(c);
		return NULL;
	}
	return c;
}

/* HTTP status for a failed PCP command. */
static unsigned
status_of(PcpErrorCode rc)
{
	switch (rc)
	{
		case PCP_ERR_BACKEND:
			return 409;
		case PCP_ERR_INVAL:
			return 400;
		case PCP_ERR_AUTH:
			return 403;
		default:
			return 502;
	}
}

enum MHD_Result
admin_pcp_result(AdminRequest *r, PcpConn *c, PcpErrorCode rc, const char *what)
{
	enum MHD_Result ret;

	if (rc == PCP_OK)
	{
		admin_log_action(r, what);
		ret = admin_reply_json(r, 200, json_pack("{s:b,s:s}", "ok", 1, "action", what));
	}
	else
	{
		json_t	   *o = json_pack("{s:s,s:s,s:s}", "error", pcp_error_message(c),
								  "pcp_error", pcp_error_name(rc), "action", what);

		if (*pcp_error_detail(c))
			json_object_set_new(o, "detail", json_string(pcp_error_detail(c)));
		plog(PL_LOG, "user \"%s\": %s failed: %s", r->user, what, pcp_error_message(c));
		ret = admin_reply_json(r, status_of(rc), o);
	}
	pcp_disconnect(c);
	return ret;
}

void
admin_log_action(AdminRequest *r, const char *what)
{
	plog(PL_LOG, "user \"%s\": %s", r->user, what);
}
