/*
 * pcp_client_wd.c: pcp_watchdog_info in libpcp: one "cluster" row, then
 * one "node" row per watchdog node (layouts in pcp_wire.h).
 */
#include "pcp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
field_int(const PcpPacket *p, int i)
{
	return (int) strtol(pcp_packet_field(p, i), NULL, 10);
}

static void
field_copy(const PcpPacket *p, int i, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s", pcp_packet_field(p, i));
}

static PcpErrorCode
row_cluster(PcpConn *conn, const PcpPacket *row, PcpWatchdogInfo *w)
{
	if (row->nfields < PCP_WDC_NFIELDS)
		return pcp_set_error(conn, PCP_ERR_READ, "the server sent a short watchdog cluster row");
	w->total = field_int(row, PCP_WDC_TOTAL);
	w->members = field_int(row, PCP_WDC_MEMBERS);
	w->remote = field_int(row, PCP_WDC_REMOTE);
	w->member_remote = field_int(row, PCP_WDC_MEMBER_REMOTE);
	w->alive_remote = field_int(row, PCP_WDC_ALIVE_REMOTE);
	w->quorum_required = field_int(row, PCP_WDC_QUORUM_REQUIRED);
	w->quorum = field_int(row, PCP_WDC_QUORUM);
	w->escalated = field_int(row, PCP_WDC_ESCALATED) != 0;
	field_copy(row, PCP_WDC_LEADER_NAME, w->leader_name, sizeof(w->leader_name));
	field_copy(row, PCP_WDC_LEADER_HOST, w->leader_host, sizeof(w->leader_host));
	return PCP_OK;
}

static PcpErrorCode
row_node(PcpConn *conn, const PcpPacket *row, PcpWatchdogInfo *w)
{
	PcpWatchdogNode *items, *n;

	if (row->nfields < PCP_WDN_NFIELDS)
		return pcp_set_error(conn, PCP_ERR_READ, "the server sent a short watchdog node row");
	items = realloc(w->nodes, sizeof(*items) * (size_t) (w->count + 1));
	if (items == NULL)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	w->nodes = items;
	n = &items[w->count++];
	memset(n, 0, sizeof(*n));
	n->id = field_int(row, PCP_WDN_ID);
	field_copy(row, PCP_WDN_NAME, n->name, sizeof(n->name));
	field_copy(row, PCP_WDN_HOST, n->host, sizeof(n->host));
	n->pgpool_port = field_int(row, PCP_WDN_PGPOOL_PORT);
	n->wd_port = field_int(row, PCP_WDN_WD_PORT);
	n->priority = field_int(row, PCP_WDN_PRIORITY);
	n->state = field_int(row, PCP_WDN_STATE);
	field_copy(row, PCP_WDN_STATE_NAME, n->state_name, sizeof(n->state_name));
	n->membership = field_int(row, PCP_WDN_MEMBERSHIP);
	field_copy(row, PCP_WDN_MEMBERSHIP_NAME, n->membership_name, sizeof(n->membership_name));
	field_copy(row, PCP_WDN_DELEGATE_IP, n->delegate_ip, sizeof(n->delegate_ip));
	return PCP_OK;
}

static PcpErrorCode
row_watchdog(PcpConn *conn, const PcpPacket *row, void *arg)
{
	if (strcmp(pcp_packet_field(row, 0), "cluster") == 0)
		return row_cluster(conn, row, arg);
	return row_node(conn, row, arg);
}

PcpErrorCode
pcp_watchdog_info(PcpConn *conn, int index, PcpWatchdogInfo *out)
{
	char		arg[16] = "";
	const char *args[1] = {arg};
	PcpErrorCode rc;

	memset(out, 0, sizeof(*out));
	if (index >= 0)
		snprintf(arg, sizeof(arg), "%d", index);
	rc = pcp_run_command(conn, PCP_CMD_WATCHDOG_INFO, index >= 0 ? 1 : 0, args, row_watchdog, out);
	if (rc != PCP_OK)
		pcp_free_watchdog_info(out);
	return rc;
}

void
pcp_free_watchdog_info(PcpWatchdogInfo *info)
{
	free(info->nodes);
	info->nodes = NULL;
	info->count = 0;
}
