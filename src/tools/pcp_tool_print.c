/*
 * pcp_tool_print.c: one printer per PCP command.  The manual's positional
 * form prints what the manual shows (pgpool-II 3.x layouts: four fields of
 * pcp_node_info, nine of pcp_proc_info, times in seconds since the epoch);
 * the option form prints pgpool-II 4.3's layouts.
 */
#include "pcp_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEGACY(a) ((a)->syntax == PCP_SYNTAX_LEGACY)

const char *
pcp_tool_time(time_t t, char *buf)
{
	struct tm	tm;

	buf[0] = '\0';
	if (t > 0 && localtime_r(&t, &tm))
		strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* Commands that print nothing but success in the option form. */
static PcpErrorCode
print_success(PcpErrorCode rc, const PcpToolArgs *a)
{
	if (rc == PCP_OK && !LEGACY(a))
		printf("%s -- Command Successful\n", a->cmd->tool);
	return rc;
}

PcpErrorCode
pcp_print_node_count(PcpConn *conn, const PcpToolArgs *a)
{
	int			count;
	PcpErrorCode rc = pcp_node_count(conn, &count);

	if (rc == PCP_OK)
		printf("%d\n", count);
	return rc;
}

static void
print_node(const PcpNodeInfo *ni, const PcpToolArgs *a)
{
	char		t[32];

	if (LEGACY(a) && !a->verbose)
		printf("%s %d %d %f\n", ni->hostname, ni->port, ni->status, ni->weight);
	else if (LEGACY(a))
		printf("Hostname: %s\nPort    : %d\nStatus  : %d\nWeight  : %g\n",
			   ni->hostname, ni->port, ni->status, ni->weight);
	else if (!a->verbose)
		printf("%s %d %d %f %s %s %s %s %llu %s %s %s\n", ni->hostname, ni->port, ni->status,
			   ni->weight, ni->status_name, ni->pg_status, ni->role, ni->pg_role,
			   (unsigned long long) ni->replication_delay, ni->replication_state,
			   ni->replication_sync_state, pcp_tool_time(ni->last_status_change, t));
	else
		printf("Hostname               : %s\n"
			   "Port                   : %d\n"
			   "Status                 : %d\n"
			   "Weight                 : %f\n"
			   "Status Name            : %s\n"
			   "Backend Status Name    : %s\n"
			   "Role                   : %s\n"
			   "Backend Role           : %s\n"
			   "Replication Delay      : %llu\n"
			   "Replication State      : %s\n"
			   "Replication Sync State : %s\n"
			   "Last Status Change     : %s\n",
			   ni->hostname, ni->port, ni->status, ni->weight, ni->status_name, ni->pg_status,
			   ni->role, ni->pg_role, (unsigned long long) ni->replication_delay,
			   ni->replication_state, ni->replication_sync_state,
			   pcp_tool_time(ni->last_status_change, t));
}

PcpErrorCode
pcp_print_node_info(PcpConn *conn, const PcpToolArgs *a)
{
	PcpNodeInfo ni;
	PcpErrorCode rc;
	int			count;

	if (!a->all || a->have_target)
	{
		if ((rc = pcp_node_info(conn, a->node_id, &ni)) == PCP_OK)
			print_node(&ni, a);
		return rc;
	}
	if ((rc = pcp_node_count(conn, &count)) != PCP_OK)
		return rc;
	for (int i = 0; i < count && rc == PCP_OK; i++)
		if ((rc = pcp_node_info(conn, i, &ni)) == PCP_OK)
			print_node(&ni, a);
	return rc;
}

PcpErrorCode
pcp_print_proc_count(PcpConn *conn, const PcpToolArgs *a)
{
	PcpPidList	list;
	PcpErrorCode rc = pcp_proc_count(conn, &list);

	if (rc != PCP_OK)
		return rc;
	for (int i = 0; i < list.count; i++)
		printf("%s%d", i ? " " : "", (int) list.pids[i]);
	printf("\n");
	pcp_free_pid_list(&list);
	return PCP_OK;
}

static void
print_proc_legacy(const PcpProcInfo *p, bool verbose)
{
	if (!verbose)
		printf("%s %s %lld %lld %d %d %d %d %d\n", p->database, p->user, (long long) p->start_time,
			   (long long) p->backend_connection_time, p->major, p->minor, p->pool_counter,
			   p->backend_pid, p->connected ? 1 : 0);
	else
		printf("Database     : %s\nUsername     : %s\nStart time   : %lld\nCreation time: %lld\n"
			   "Major        : %d\nMinor        : %d\nCounter      : %d\nPID          : %d\n"
			   "Connected    : %d\n", p->database, p->user, (long long) p->start_time,
			   (long long) p->backend_connection_time, p->major, p->minor, p->pool_counter,
			   p->backend_pid, p->connected ? 1 : 0);
}

static void
print_proc(const PcpProcInfo *p, bool verbose)
{
	char		t1[32], t2[32], t3[32], t4[32];

	pcp_tool_time(p->start_time, t1);
	pcp_tool_time(p->backend_connection_time, t2);
	pcp_tool_time(p->client_connection_time, t3);
	pcp_tool_time(p->client_disconnection_time, t4);
	if (!verbose)
		printf("%s %s %s %llu %d %d %s %s %d %s %d %d %d %d %d %s\n", p->database, p->user, t1,
			   (unsigned long long) p->client_connection_count, p->major, p->minor, t2, t3,
			   p->client_idle_duration, t4, p->pool_counter, p->backend_pid, p->connected ? 1 : 0,
			   (int) p->pid, p->backend_id, p->status);
	else
		printf("Database                  : %s\nUsername                  : %s\n"
			   "Start time                : %s\nClient connection count   : %llu\n"
			   "Major                     : %d\nMinor                     : %d\n"
			   "Backend connection time   : %s\nClient connection time    : %s\n"
			   "Client idle duration      : %d\nClient disconnection time : %s\n"
			   "Pool Counter              : %d\nBackend PID               : %d\n"
			   "Connected                 : %d\nPID                       : %d\n"
			   "Backend ID                : %d\nStatus                    : %s\n",
			   p->database, p->user, t1, (unsigned long long) p->client_connection_count,
			   p->major, p->minor, t2, t3, p->client_idle_duration, t4, p->pool_counter,
			   p->backend_pid, p->connected ? 1 : 0, (int) p->pid, p->backend_id, p->status);
}

PcpErrorCode
pcp_print_proc_info(PcpConn *conn, const PcpToolArgs *a)
{
	PcpProcInfoList list;
	PcpErrorCode rc = pcp_proc_info(conn, a->have_target ? a->pid : 0, a->all, &list);

	if (rc != PCP_OK)
		return rc;
	for (int i = 0; i < list.count; i++)
	{
		if (LEGACY(a))
			print_proc_legacy(&list.items[i], a->verbose);
		else
			print_proc(&list.items[i], a->verbose);
	}
	if (list.count == 0 && !LEGACY(a) && !a->have_target && !a->all)
		printf("No process information available\n");
	pcp_free_proc_info_list(&list);
	return PCP_OK;
}

PcpErrorCode
pcp_print_pool_status(PcpConn *conn, const PcpToolArgs *a)
{
	PcpParamList list;
	PcpErrorCode rc = pcp_pool_status(conn, &list);

	if (rc != PCP_OK)
		return rc;
	for (int i = 0; i < list.count; i++)
		printf("name : %s\nvalue: %s\ndesc : %s\n\n", list.items[i].name, list.items[i].value,
			   list.items[i].desc);
	pcp_free_param_list(&list);
	return PCP_OK;
}

PcpErrorCode
pcp_print_systemdb_info(PcpConn *conn, const PcpToolArgs *a)
{
	return pcp_systemdb_info(conn);
}

PcpErrorCode
pcp_print_detach_node(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_detach_node(conn, a->node_id, a->graceful), a);
}

PcpErrorCode
pcp_print_attach_node(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_attach_node(conn, a->node_id), a);
}

PcpErrorCode
pcp_print_promote_node(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_promote_node_ex(conn, a->node_id, a->graceful, a->switchover), a);
}

PcpErrorCode
pcp_print_stop_pgpool(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_stop_pgpool_scope(conn, a->mode, a->scope), a);
}

PcpErrorCode
pcp_print_recovery_node(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_recovery_node(conn, a->node_id), a);
}

PcpErrorCode
pcp_print_reload_config(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_reload_config_scope(conn, a->scope), a);
}

PcpErrorCode
pcp_print_invalidate_query_cache(PcpConn *conn, const PcpToolArgs *a)
{
	return print_success(pcp_invalidate_query_cache(conn), a);
}

PcpErrorCode
pcp_print_health_check_stats(PcpConn *conn, const PcpToolArgs *a)
{
	PcpHealthCheckStats h;
	PcpErrorCode rc = pcp_health_check_stats(conn, a->node_id, &h);
	char		t[5][32];

	if (rc != PCP_OK)
		return rc;
	pcp_tool_time(h.last_status_change, t[0]);
	pcp_tool_time(h.last_health_check, t[1]);
	pcp_tool_time(h.last_successful_health_check, t[2]);
	pcp_tool_time(h.last_skip_health_check, t[3]);
	pcp_tool_time(h.last_failed_health_check, t[4]);
	if (!a->verbose)
		printf("%d %s %d %s %s %s %llu %llu %llu %llu %llu %f %llu %llu %llu %f %s %s %s %s\n",
			   h.node_id, h.hostname, h.port, h.status, h.role, t[0],
			   (unsigned long long) h.total_count, (unsigned long long) h.success_count,
			   (unsigned long long) h.fail_count, (unsigned long long) h.skip_count,
			   (unsigned long long) h.retry_count, h.average_retry_count,
			   (unsigned long long) h.max_retry_count, (unsigned long long) h.max_duration,
			   (unsigned long long) h.min_duration, h.average_duration, t[1], t[2], t[3], t[4]);
	else
		printf("Node Id                       : %d\nHost Name                     : %s\n"
			   "Port                          : %d\nStatus                        : %s\n"
			   "Role                          : %s\nLast Status Change            : %s\n"
			   "Total Count                   : %llu\nSuccess Count                 : %llu\n"
			   "Fail Count                    : %llu\nSkip Count                    : %llu\n"
			   "Retry Count                   : %llu\nAverage Retry Count           : %f\n"
			   "Max Retry Count               : %llu\nMax Health Check Duration     : %llu\n"
			   "Minimum Health Check Duration : %llu\nAverage Health Check Duration : %f\n"
			   "Last Health Check             : %s\nLast Successful Health Check  : %s\n"
			   "Last Skip Health Check        : %s\nLast Failed Health Check      : %s\n",
			   h.node_id, h.hostname, h.port, h.status, h.role, t[0],
			   (unsigned long long) h.total_count, (unsigned long long) h.success_count,
			   (unsigned long long) h.fail_count, (unsigned long long) h.skip_count,
			   (unsigned long long) h.retry_count, h.average_retry_count,
			   (unsigned long long) h.max_retry_count, (unsigned long long) h.max_duration,
			   (unsigned long long) h.min_duration, h.average_duration, t[1], t[2], t[3], t[4]);
	return PCP_OK;
}

/* pcp_stats: one "name node value" line per counter ("-" when not per node). */
PcpErrorCode
pcp_print_stats(PcpConn *conn, const PcpToolArgs *a)
{
	PcpStatList list;
	PcpErrorCode rc = pcp_stats(conn, &list);

	if (rc != PCP_OK)
		return rc;
	for (int i = 0; i < list.count; i++)
	{
		if (list.items[i].node_id >= 0)
			printf("%s %d %lld\n", list.items[i].name, list.items[i].node_id,
				   (long long) list.items[i].value);
		else
			printf("%s - %lld\n", list.items[i].name, (long long) list.items[i].value);
	}
	pcp_free_stat_list(&list);
	return PCP_OK;
}
