/*
 * admin_api_procs.c: pgpool's child processes and their connection pools.
 *
 *   GET /api/processes   one entry per child: pid, start time, clients
 *                        served, what it does now, its database and user
 *   GET /api/pools       every pool slot and backend connection
 *                        (pcp_proc_info --all), as SHOW pool_pools does
 *
 * Runs in a libmicrohttpd connection thread.
 */
#include "admin_int.h"

#include <stdio.h>
#include <string.h>

static json_t *
pool_json(const PcpProcInfo *p)
{
	return json_pack("{s:i,s:i,s:s,s:s,s:o,s:o,s:I,s:i,s:i,s:i,s:b,s:i,s:s,s:o,s:i}",
					 "pid", (int) p->pid, "backend_id", p->backend_id,
					 "database", p->database, "user", p->user,
					 "start_time", admin_json_time(p->start_time),
					 "client_connection_time", admin_json_time(p->client_connection_time),
					 "client_connection_count", (json_int_t) p->client_connection_count,
					 "protocol_major", p->major, "protocol_minor", p->minor,
					 "pool_counter", p->pool_counter, "connected", p->connected,
					 "backend_pid", p->backend_pid, "status", p->status,
					 "backend_connection_time", admin_json_time(p->backend_connection_time),
					 "client_idle_duration", p->client_idle_duration);
}

/* The first row of each child is its summary. */
static json_t *
processes_json(const PcpProcInfoList *l)
{
	json_t	   *arr = json_array();
	pid_t		last = 0;

	for (int i = 0; i < l->count; i++)
	{
		const PcpProcInfo *p = &l->items[i];
		json_t	   *o;

		if (p->pid == last)
		{
			/* a later slot in use says what the child does better than an empty one */
			if (p->database[0] && json_array_size(arr) > 0)
			{
				o = json_array_get(arr, json_array_size(arr) - 1);
				if (json_string_length(json_object_get(o, "database")) == 0)
				{
					json_object_set_new(o, "database", json_string(p->database));
					json_object_set_new(o, "user", json_string(p->user));
				}
			}
			continue;
		}
		last = p->pid;
		o = json_pack("{s:i,s:o,s:I,s:s,s:s,s:s,s:b}", "pid", (int) p->pid,
					  "start_time", admin_json_time(p->start_time),
					  "client_connection_count", (json_int_t) p->client_connection_count,
					  "status", p->status, "database", p->database, "user", p->user,
					  "connected", p->connected);
		json_array_append_new(arr, o);
	}
	return arr;
}

/*
 * Every pool slot of every child, or NULL with *rc set.  Shared with
 * /metrics (connections by state, pool usage).
 */
bool
admin_pools_fetch(PcpConn *c, PcpProcInfoList *out, PcpErrorCode *rc)
{
	*rc = pcp_proc_info(c, 0, true, out);
	return *rc == PCP_OK;
}

enum MHD_Result
admin_api_processes(AdminRequest *r, bool pools)
{
	enum MHD_Result ret;
	PcpConn    *c = admin_pcp_open(r, &ret);
	PcpProcInfoList l = {0};
	PcpErrorCode rc;
	json_t	   *arr;

	if (c == NULL)
		return ret;
	if (!admin_pools_fetch(c, &l, &rc))
		return admin_pcp_result(r, c, rc, pools ? "list pools" : "list processes");
	pcp_disconnect(c);
	if (pools)
	{
		arr = json_array();
		for (int i = 0; i < l.count; i++)
			json_array_append_new(arr, pool_json(&l.items[i]));
	}
	else
		arr = processes_json(&l);
	pcp_free_proc_info_list(&l);
	return admin_reply_json(r, 200, json_pack("{s:o}", pools ? "pools" : "processes", arr));
}
