/*
 * admin_api_server.c: pgpool as a whole in the JSON API.
 *
 *   GET  /api/status        is pgpool answering on PCP, its pid, cache and
 *                           watchdog switches and the cache's numbers
 *   GET  /api/watchdog      pcp_watchdog_info for every watchdog node
 *   POST /api/reload        pcp_reload_config
 *   POST /api/stop          pcp_stop_pgpool; {"mode": "smart"|"fast"} or ?mode=
 *   POST /api/start         run --pgpool-bin -n -f ... in the background
 *                           (output appended to pgpool's log file)
 *   POST /api/cache/clear   pcp_invalidate_query_cache
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* pgpool's pid from its pid file, 0 when there is none or it is gone. */
static long
pgpool_pid(const AdminPgpoolInfo *info)
{
	char	   *text = admin_file_read(info->pid_file, 64, NULL);
	long		pid = text ? strtol(text, NULL, 10) : 0;

	free(text);
	if (pid > 0 && kill((pid_t) pid, 0) != 0 && errno == ESRCH)
		pid = 0;
	return pid;
}

enum MHD_Result
admin_api_status(AdminRequest *r)
{
	AdminPgpoolInfo info;
	PcpConn    *c = admin_pcp_open_as(r->user, r->password);
	bool		up = c && pcp_conn_status(c) == PCP_OK;
	json_t	   *o;
	AdminStats	st = {0};

	admin_pgpool_info(&info);
	o = json_pack("{s:b,s:I,s:b,s:b,s:b}", "pgpool_running", up,
				  "pid", (json_int_t) pgpool_pid(&info),
				  "cache_enabled", info.memory_cache_enabled,
				  "watchdog_enabled", info.use_watchdog,
				  "can_start", admin_opts.pgpool_bin != NULL);
	if (!up && c)
		json_object_set_new(o, "pcp_error", json_string(pcp_error_message(c)));
	if (up && admin_stats_fetch(c, &st) && st.cache_enabled)
		json_object_set_new(o, "cache", json_pack("{s:I,s:I,s:f,s:I,s:I,s:I,s:I}",
												  "hits", (json_int_t) st.cache_hits,
												  "selects", (json_int_t) st.cache_selects,
												  "hit_ratio", st.cache_hits + st.cache_selects ?
												  (double) st.cache_hits / (double) (st.cache_hits + st.cache_selects) : 0.0,
												  "entries", (json_int_t) st.cache_entries,
												  "hash_entries_used", (json_int_t) st.cache_used_hash_entries,
												  "used_bytes", (json_int_t) st.cache_used_bytes,
												  "free_bytes", (json_int_t) st.cache_free_bytes));
	pcp_disconnect(c);
	return admin_reply_json(r, 200, o);
}

static json_t *
watchdog_json(const PcpWatchdogInfo *w)
{
	json_t	   *nodes = json_array();

	for (int i = 0; i < w->count; i++)
	{
		const PcpWatchdogNode *n = &w->nodes[i];

		json_array_append_new(nodes, json_pack("{s:i,s:s,s:s,s:i,s:i,s:i,s:s,s:s,s:s}",
											   "id", n->id, "name", n->name, "host", n->host,
											   "pgpool_port", n->pgpool_port, "wd_port", n->wd_port,
											   "priority", n->priority, "state", n->state_name,
											   "membership", n->membership_name,
											   "delegate_ip", n->delegate_ip));
	}
	return json_pack("{s:i,s:i,s:i,s:i,s:b,s:s,s:o}", "total", w->total, "members", w->members,
					 "quorum", w->quorum, "quorum_required", w->quorum_required,
					 "escalated", w->escalated, "leader", w->leader_name, "nodes", nodes);
}

enum MHD_Result
admin_api_watchdog(AdminRequest *r)
{
	enum MHD_Result ret;
	PcpConn    *c = admin_pcp_open(r, &ret);
	PcpWatchdogInfo w = {0};
	PcpErrorCode rc;
	json_t	   *o;

	if (c == NULL)
		return ret;
	if ((rc = pcp_watchdog_info(c, -1, &w)) != PCP_OK)
		return admin_pcp_result(r, c, rc, "watchdog info");
	pcp_disconnect(c);
	o = watchdog_json(&w);
	pcp_free_watchdog_info(&w);
	return admin_reply_json(r, 200, o);
}

enum MHD_Result
admin_api_reload(AdminRequest *r)
{
	enum MHD_Result ret;
	PcpConn    *c = admin_pcp_open(r, &ret);

	if (c == NULL)
		return ret;
	return admin_pcp_result(r, c, pcp_reload_config(c), "reload pgpool");
}

enum MHD_Result
admin_api_stop(AdminRequest *r)
{
	const char *mode = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "mode");
	json_t	   *in = NULL;
	enum MHD_Result ret;
	PcpConn    *c;
	char		m;

	if (mode == NULL && r->body_len > 0)
	{
		if ((in = admin_body_json(r, &ret)) == NULL)
			return ret;
		mode = json_string_value(json_object_get(in, "mode"));
	}
	if (mode == NULL)
		mode = "smart";
	m = strcmp(mode, "smart") == 0 || strcmp(mode, "s") == 0 ? 's' :
		strcmp(mode, "fast") == 0 || strcmp(mode, "f") == 0 ? 'f' : 0;
	json_decref(in);
	if (m == 0)
		return admin_reply_error(r, 400, "invalid shutdown mode", "Use smart or fast.");
	if ((c = admin_pcp_open(r, &ret)) == NULL)
		return ret;
	return admin_pcp_result(r, c, pcp_stop_pgpool(c, m),
							m == 's' ? "stop pgpool (smart)" : "stop pgpool (fast)");
}

/*
 * Start pgpool in the foreground mode (-n) of a grandchild in its own
 * session, so it outlives neither our threads nor our wait; its output
 * goes to the log file /api/log reads.
 */
static pid_t
spawn_pgpool(const char *logpath)
{
	pid_t		pid = fork();

	if (pid != 0)
		return pid;
	if (fork() != 0)
		_exit(0);
	setsid();
	{
		int			in = open("/dev/null", O_RDONLY);
		int			out = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0600);
		const char *argv[10];
		int			n = 0;

		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
		{
			dup2(out, 1);
			dup2(out, 2);
		}
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		argv[n++] = admin_opts.pgpool_bin;
		argv[n++] = "-n";
		argv[n++] = "-f";
		argv[n++] = admin_opts.conf_path;
		argv[n++] = "-F";
		argv[n++] = admin_opts.pcp_path;
		if (admin_opts.hba_path)
		{
			argv[n++] = "-a";
			argv[n++] = admin_opts.hba_path;
		}
		argv[n] = NULL;
		execv(admin_opts.pgpool_bin, (char *const *) argv);
		_exit(127);
	}
}

enum MHD_Result
admin_api_start(AdminRequest *r)
{
	AdminPgpoolInfo info;
	char		logpath[1100];
	pid_t		child;

	if (admin_opts.pgpool_bin == NULL)
		return admin_reply_error(r, 409, "starting pgpool is not enabled",
								 "Run pgpooladmin with --pgpool-bin PATH.");
	admin_pgpool_info(&info);
	if (pgpool_pid(&info) > 0)
		return admin_reply_error(r, 409, "pgpool is already running", NULL);
	admin_log_path(&info, logpath, sizeof(logpath));
	if ((child = spawn_pgpool(logpath)) < 0)
		return admin_reply_error(r, 500, "could not start pgpool", strerror(errno));
	waitpid(child, NULL, 0);
	admin_log_action(r, "start pgpool");
	return admin_reply_json(r, 202, json_pack("{s:b,s:s}", "ok", 1, "action", "start pgpool"));
}

enum MHD_Result
admin_api_cache_clear(AdminRequest *r)
{
	enum MHD_Result ret;
	PcpConn    *c = admin_pcp_open(r, &ret);

	if (c == NULL)
		return ret;
	return admin_pcp_result(r, c, pcp_invalidate_query_cache(c), "clear the query cache");
}
