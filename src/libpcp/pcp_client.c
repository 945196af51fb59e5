/*
 * pcp_client.c: one libpcp function per PCP command: send the request
 * (pcp_run_command) and decode the rows (field order in pcp_wire.h) into
 * the structures of pcp.h.  Lists are malloc'd; free them with the
 * pcp_free_* functions.
 */
#include "pcp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field conversion ---------------------------------------------------------- */

static long long
field_ll(const PcpPacket *p, int i)
{
	return strtoll(pcp_packet_field(p, i), NULL, 10);
}

static uint64_t
field_u64(const PcpPacket *p, int i)
{
	return strtoull(pcp_packet_field(p, i), NULL, 10);
}

static double
field_double(const PcpPacket *p, int i)
{
	return strtod(pcp_packet_field(p, i), NULL);
}

static void
field_copy(const PcpPacket *p, int i, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s", pcp_packet_field(p, i));
}

static PcpErrorCode
check_fields(PcpConn *conn, const PcpPacket *p, int want)
{
	if (p->nfields < want)
		return pcp_set_error(conn, PCP_ERR_READ, "the server sent a row of %d fields, expected %d",
							 p->nfields, want);
	return PCP_OK;
}

/* Grow a list of items of size sz by one; NULL when out of memory. */
static void *
list_push(void **items, int *count, size_t sz)
{
	char	   *p = realloc(*items, sz * (size_t) (*count + 1));

	if (p == NULL)
		return NULL;
	*items = p;
	memset(p + sz * (size_t) *count, 0, sz);
	return p + sz * (size_t) (*count)++;
}

/* ---- node_count ------------------------------------------------------------------- */

static PcpErrorCode
row_node_count(PcpConn *conn, const PcpPacket *row, void *arg)
{
	*(int *) arg = (int) field_ll(row, 0);
	return check_fields(conn, row, 1);
}

PcpErrorCode
pcp_node_count(PcpConn *conn, int *count)
{
	*count = -1;
	return pcp_run_command(conn, PCP_CMD_NODE_COUNT, 0, NULL, row_node_count, count);
}

/* ---- node_info ------------------------------------------------------------------------ */

static PcpErrorCode
row_node_info(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpNodeInfo *ni = arg;

	if (check_fields(conn, row, PCP_NI_NFIELDS) != PCP_OK)
		return conn->last_error;
	ni->node_id = (int) field_ll(row, PCP_NI_ID);
	field_copy(row, PCP_NI_HOST, ni->hostname, sizeof(ni->hostname));
	ni->port = (int) field_ll(row, PCP_NI_PORT);
	ni->status = (int) field_ll(row, PCP_NI_STATUS);
	ni->weight = field_double(row, PCP_NI_WEIGHT);
	field_copy(row, PCP_NI_STATUS_NAME, ni->status_name, sizeof(ni->status_name));
	field_copy(row, PCP_NI_PG_STATUS, ni->pg_status, sizeof(ni->pg_status));
	field_copy(row, PCP_NI_ROLE, ni->role, sizeof(ni->role));
	field_copy(row, PCP_NI_PG_ROLE, ni->pg_role, sizeof(ni->pg_role));
	ni->replication_delay = field_u64(row, PCP_NI_DELAY);
	field_copy(row, PCP_NI_REP_STATE, ni->replication_state, sizeof(ni->replication_state));
	field_copy(row, PCP_NI_SYNC_STATE, ni->replication_sync_state, sizeof(ni->replication_sync_state));
	ni->last_status_change = (time_t) field_ll(row, PCP_NI_LAST_CHANGE);
	return PCP_OK;
}

PcpErrorCode
pcp_node_info(PcpConn *conn, int node_id, PcpNodeInfo *out)
{
	char		id[16];
	const char *args[1] = {id};

	memset(out, 0, sizeof(*out));
	snprintf(id, sizeof(id), "%d", node_id);
	return pcp_run_command(conn, PCP_CMD_NODE_INFO, 1, args, row_node_info, out);
}

/* ---- proc_count ------------------------------------------------------------------------ */

static PcpErrorCode
row_proc_count(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpPidList *list = arg;
	pid_t	   *pid = list_push((void **) &list->pids, &list->count, sizeof(pid_t));

	if (pid == NULL)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	*pid = (pid_t) field_ll(row, 0);
	return PCP_OK;
}

PcpErrorCode
pcp_proc_count(PcpConn *conn, PcpPidList *out)
{
	memset(out, 0, sizeof(*out));
	return pcp_run_command(conn, PCP_CMD_PROC_COUNT, 0, NULL, row_proc_count, out);
}

void
pcp_free_pid_list(PcpPidList *list)
{
	free(list->pids);
	memset(list, 0, sizeof(*list));
}

/* ---- proc_info ------------------------------------------------------------------------- */

static PcpErrorCode
row_proc_info(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpProcInfoList *list = arg;
	PcpProcInfo *pi;

	if (check_fields(conn, row, PCP_PI_NFIELDS) != PCP_OK)
		return conn->last_error;
	pi = list_push((void **) &list->items, &list->count, sizeof(PcpProcInfo));
	if (pi == NULL)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	field_copy(row, PCP_PI_DATABASE, pi->database, sizeof(pi->database));
	field_copy(row, PCP_PI_USER, pi->user, sizeof(pi->user));
	pi->start_time = (time_t) field_ll(row, PCP_PI_START);
	pi->client_connection_count = field_u64(row, PCP_PI_CLIENT_COUNT);
	pi->major = (int) field_ll(row, PCP_PI_MAJOR);
	pi->minor = (int) field_ll(row, PCP_PI_MINOR);
	pi->backend_connection_time = (time_t) field_ll(row, PCP_PI_BACKEND_TIME);
	pi->client_connection_time = (time_t) field_ll(row, PCP_PI_CLIENT_TIME);
	pi->client_idle_duration = (int) field_ll(row, PCP_PI_IDLE);
	pi->client_disconnection_time = (time_t) field_ll(row, PCP_PI_DISCONNECT_TIME);
	pi->pool_counter = (int) field_ll(row, PCP_PI_POOL_COUNTER);
	pi->backend_pid = (int) field_ll(row, PCP_PI_BACKEND_PID);
	pi->connected = field_ll(row, PCP_PI_CONNECTED) != 0;
	pi->pid = (pid_t) field_ll(row, PCP_PI_PID);
	pi->backend_id = (int) field_ll(row, PCP_PI_BACKEND_ID);
	field_copy(row, PCP_PI_STATUS, pi->status, sizeof(pi->status));
	return PCP_OK;
}

PcpErrorCode
pcp_proc_info(PcpConn *conn, pid_t pid, bool all, PcpProcInfoList *out)
{
	char		pidstr[16];
	const char *args[2] = {pidstr, all ? "1" : "0"};
	PcpErrorCode rc;

	memset(out, 0, sizeof(*out));
	snprintf(pidstr, sizeof(pidstr), "%d", (int) pid);
	rc = pcp_run_command(conn, PCP_CMD_PROC_INFO, 2, args, row_proc_info, out);
	if (rc != PCP_OK)
		pcp_free_proc_info_list(out);
	return rc;
}

void
pcp_free_proc_info_list(PcpProcInfoList *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- stats ------------------------------------------------------------------------------- */

static PcpErrorCode
row_stats(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpStatList *list = arg;
	PcpStat    *st;

	if (check_fields(conn, row, 3) != PCP_OK)
		return conn->last_error;
	st = list_push((void **) &list->items, &list->count, sizeof(PcpStat));
	if (st == NULL)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	field_copy(row, 0, st->name, sizeof(st->name));
	st->node_id = *pcp_packet_field(row, 1) ? (int) field_ll(row, 1) : -1;
	st->value = field_ll(row, 2);
	return PCP_OK;
}

PcpErrorCode
pcp_stats(PcpConn *conn, PcpStatList *out)
{
	PcpErrorCode rc;

	memset(out, 0, sizeof(*out));
	rc = pcp_run_command(conn, PCP_CMD_STATS, 0, NULL, row_stats, out);
	if (rc != PCP_OK)
		pcp_free_stat_list(out);
	return rc;
}

void
pcp_free_stat_list(PcpStatList *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- pool_status ------------------------------------------------------------------------- */

static PcpErrorCode
row_pool_status(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpParamList *list = arg;
	PcpParam   *p;

	if (check_fields(conn, row, 3) != PCP_OK)
		return conn->last_error;
	p = list_push((void **) &list->items, &list->count, sizeof(PcpParam));
	if (p == NULL)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	p->name = strdup(pcp_packet_field(row, 0));
	p->value = strdup(pcp_packet_field(row, 1));
	p->desc = strdup(pcp_packet_field(row, 2));
	if (!p->name || !p->value || !p->desc)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	return PCP_OK;
}

PcpErrorCode
pcp_pool_status(PcpConn *conn, PcpParamList *out)
{
	PcpErrorCode rc;

	memset(out, 0, sizeof(*out));
	rc = pcp_run_command(conn, PCP_CMD_POOL_STATUS, 0, NULL, row_pool_status, out);
	if (rc != PCP_OK)
		pcp_free_param_list(out);
	return rc;
}

void
pcp_free_param_list(PcpParamList *list)
{
	for (int i = 0; i < list->count; i++)
	{
		free(list->items[i].name);
		free(list->items[i].value);
		free(list->items[i].desc);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- commands without rows ------------------------------------------------------------------ */

PcpErrorCode
pcp_systemdb_info(PcpConn *conn)
{
	return pcp_run_command(conn, PCP_CMD_SYSTEMDB_INFO, 0, NULL, NULL, NULL);
}

static PcpErrorCode
node_action(PcpConn *conn, PcpCommandId id, int node_id, const char *flag)
{
	char		idstr[16];
	const char *args[2] = {idstr, flag};

	snprintf(idstr, sizeof(idstr), "%d", node_id);
	return pcp_run_command(conn, id, flag ? 2 : 1, args, NULL, NULL);
}

PcpErrorCode
pcp_detach_node(PcpConn *conn, int node_id, bool graceful)
{
	return node_action(conn, PCP_CMD_DETACH_NODE, node_id, graceful ? "1" : "0");
}

PcpErrorCode
pcp_attach_node(PcpConn *conn, int node_id)
{
	return node_action(conn, PCP_CMD_ATTACH_NODE, node_id, NULL);
}

PcpErrorCode
pcp_promote_node(PcpConn *conn, int node_id, bool graceful)
{
	return pcp_promote_node_ex(conn, node_id, graceful, false);
}

PcpErrorCode
pcp_promote_node_ex(PcpConn *conn, int node_id, bool graceful, bool switchover)
{
	return node_action(conn, PCP_CMD_PROMOTE_NODE, node_id,
					   switchover ? (graceful ? "1s" : "0s") : (graceful ? "1" : "0"));
}

PcpErrorCode
pcp_recovery_node(PcpConn *conn, int node_id)
{
	return node_action(conn, PCP_CMD_RECOVERY_NODE, node_id, NULL);
}

PcpErrorCode
pcp_stop_pgpool(PcpConn *conn, char mode)
{
	return pcp_stop_pgpool_scope(conn, mode, 'l');
}

PcpErrorCode
pcp_stop_pgpool_scope(PcpConn *conn, char mode, char scope)
{
	char		m[2] = {mode, '\0'};
	char		sc[2] = {scope, '\0'};
	const char *args[2] = {m, sc};

	if (mode != 's' && mode != 'f' && mode != 'i')
		return pcp_set_error(conn, PCP_ERR_INVAL, "invalid shutdown mode \"%c\"", mode);
	/* the local scope is the old one-argument form: any server understands it */
	return pcp_run_command(conn, PCP_CMD_STOP_PGPOOL, scope == 'c' ? 2 : 1, args, NULL, NULL);
}

PcpErrorCode
pcp_reload_config(PcpConn *conn)
{
	return pcp_reload_config_scope(conn, 'l');
}

PcpErrorCode
pcp_reload_config_scope(PcpConn *conn, char scope)
{
	const char *args[1] = {"c"};

	return pcp_run_command(conn, PCP_CMD_RELOAD_CONFIG, scope == 'c' ? 1 : 0, args, NULL, NULL);
}

PcpErrorCode
pcp_invalidate_query_cache(PcpConn *conn)
{
	return pcp_run_command(conn, PCP_CMD_INVALIDATE_QUERY_CACHE, 0, NULL, NULL, NULL);
}

/* ---- health_check_stats ------------------------------------------------------------------------- */

static PcpErrorCode
row_health(PcpConn *conn, const PcpPacket *row, void *arg)
{
	PcpHealthCheckStats *h = arg;

	if (check_fields(conn, row, PCP_HC_NFIELDS) != PCP_OK)
		return conn->last_error;
	h->node_id = (int) field_ll(row, PCP_HC_ID);
	field_copy(row, PCP_HC_HOST, h->hostname, sizeof(h->hostname));
	h->port = (int) field_ll(row, PCP_HC_PORT);
	field_copy(row, PCP_HC_STATUS, h->status, sizeof(h->status));
	field_copy(row, PCP_HC_ROLE, h->role, sizeof(h->role));
	h->last_status_change = (time_t) field_ll(row, PCP_HC_LAST_CHANGE);
	h->total_count = field_u64(row, PCP_HC_TOTAL);
	h->success_count = field_u64(row, PCP_HC_SUCCESS);
	h->fail_count = field_u64(row, PCP_HC_FAIL);
	h->skip_count = field_u64(row, PCP_HC_SKIP);
	h->retry_count = field_u64(row, PCP_HC_RETRY);
	h->average_retry_count = field_double(row, PCP_HC_AVG_RETRY);
	h->max_retry_count = field_u64(row, PCP_HC_MAX_RETRY);
	h->max_duration = field_u64(row, PCP_HC_MAX_DURATION);
	h->min_duration = field_u64(row, PCP_HC_MIN_DURATION);
	h->average_duration = field_double(row, PCP_HC_AVG_DURATION);
	h->last_health_check = (time_t) field_ll(row, PCP_HC_LAST_CHECK);
	h->last_successful_health_check = (time_t) field_ll(row, PCP_HC_LAST_SUCCESS);
	h->last_skip_health_check = (time_t) field_ll(row, PCP_HC_LAST_SKIP);
	h->last_failed_health_check = (time_t) field_ll(row, PCP_HC_LAST_FAIL);
	return PCP_OK;
}

PcpErrorCode
pcp_health_check_stats(PcpConn *conn, int node_id, PcpHealthCheckStats *out)
{
	char		id[16];
	const char *args[1] = {id};

	memset(out, 0, sizeof(*out));
	snprintf(id, sizeof(id), "%d", node_id);
	return pcp_run_command(conn, PCP_CMD_HEALTH_CHECK_STATS, 1, args, row_health, out);
}
