/*
 * pcp_watchdog.c: pcp_watchdog_info.  Reads a snapshot of the watchdog's
 * shared state (watchdog/watchdog.h) and replies with one "cluster" row and
 * one "node" row per watchdog node, this pgpool first (index 0), as
 * pgpool-II 4.3 orders them.  Row layouts are in pcp_wire.h.
 */
#include "pcp_int.h"

#include "config/config.h"
#include "utils/log.h"
#include "watchdog/watchdog.h"

#include <stdio.h>
#include <stdlib.h>

static void
reply_cluster(PcpSession *s, const WdShared *w)
{
	char		num[8][16];
	const char *row[PCP_WDC_NFIELDS];
	const WdNodeShared *leader = w->leader >= 0 ? &w->nodes[w->leader] : NULL;

	snprintf(num[0], 16, "%d", w->nnodes);
	snprintf(num[1], 16, "%d", w->member_remote + 1);
	snprintf(num[2], 16, "%d", w->nnodes - 1);
	snprintf(num[3], 16, "%d", w->member_remote);
	snprintf(num[4], 16, "%d", w->alive_remote);
	snprintf(num[5], 16, "%d", w->quorum_required);
	snprintf(num[6], 16, "%d", w->quorum);
	snprintf(num[7], 16, "%d", w->escalated ? 1 : 0);
	row[PCP_WDC_TAG] = "cluster";
	for (int i = 0; i < 8; i++)
		row[PCP_WDC_TOTAL + i] = num[i];
	row[PCP_WDC_LEADER_NAME] = leader ? leader->name : "";
	row[PCP_WDC_LEADER_HOST] = leader ? leader->host : "";
	pcp_reply_row(s, PCP_WDC_NFIELDS, row);
}

static void
reply_node(PcpSession *s, const WdShared *w, int id)
{
	const WdNodeShared *n = &w->nodes[id];
	char		num[6][16];
	const char *row[PCP_WDN_NFIELDS];

	snprintf(num[0], 16, "%d", id);
	snprintf(num[1], 16, "%d", n->pgpool_port);
	snprintf(num[2], 16, "%d", n->wd_port);
	snprintf(num[3], 16, "%d", n->priority);
	snprintf(num[4], 16, "%d", n->state);
	snprintf(num[5], 16, "%d", n->membership);
	row[PCP_WDN_TAG] = "node";
	row[PCP_WDN_ID] = num[0];
	row[PCP_WDN_NAME] = n->name;
	row[PCP_WDN_HOST] = n->host;
	row[PCP_WDN_PGPOOL_PORT] = num[1];
	row[PCP_WDN_WD_PORT] = num[2];
	row[PCP_WDN_PRIORITY] = num[3];
	row[PCP_WDN_STATE] = num[4];
	row[PCP_WDN_STATE_NAME] = wd_state_name(n->state);
	row[PCP_WDN_MEMBERSHIP] = num[5];
	row[PCP_WDN_MEMBERSHIP_NAME] = wd_membership_name(n->membership);
	row[PCP_WDN_DELEGATE_IP] = n->delegate_ip;
	pcp_reply_row(s, PCP_WDN_NFIELDS, row);
}

PcpErrorCode
pcp_do_watchdog_info(PcpSession *s, int argc, const char *const *argv)
{
	WdShared   *w = malloc(sizeof(WdShared));
	int			index = -1;

	if (w == NULL)
		return pcp_reply_error(s, PCP_ERR_NOMEM, NULL, "out of memory");
	if (argc > 0 && argv[0][0] && (!pcp_parse_int(argv[0], &index) || index < 0))
	{
		free(w);
		return pcp_reply_error(s, PCP_ERR_INVAL, NULL, "invalid watchdog node index \"%s\"", argv[0]);
	}
	wd_shared_snapshot(w);
	if (!pool_config->use_watchdog || w->nnodes == 0)
	{
		free(w);
		return pcp_reply_error(s, PCP_ERR_BACKEND, "use_watchdog is off", "watchdog is not enabled");
	}
	if (index >= w->nnodes)
	{
		int			n = w->nnodes;

		free(w);
		return pcp_reply_error(s, PCP_ERR_BACKEND, log_fmt("%d watchdog nodes are configured", n),
							   "invalid watchdog node index %d", index);
	}
	reply_cluster(s, w);
	/* index 0 is this pgpool, then the others in node id order */
	for (int k = 0; k < w->nnodes; k++)
	{
		int			id = k == 0 ? w->self : (k <= w->self ? k - 1 : k);

		if (index < 0 || index == k)
			reply_node(s, w, id);
	}
	free(w);
	return PCP_OK;
}
