/*
 * pcp_tool_watchdog.c: pcp_watchdog_info's printer, pgpool-II 4.3's
 * layouts: a cluster line then one line per node, or with --verbose the
 * "Watchdog Cluster Information" and "Watchdog Node Information" blocks.
 */
#include "pcp_tool.h"

#include <stdio.h>

static const char *
quorum_text(int q)
{
	return q > 0 ? "QUORUM EXIST" : q == 0 ? "QUORUM IS ON THE EDGE" : "QUORUM ABSENT";
}

static const char *
or_not_set(const char *s)
{
	return s[0] ? s : "Not_Set";
}

static void
print_terse(const PcpWatchdogInfo *w)
{
	printf("%d %d %s %s %s\n\n", w->total, w->members, w->escalated ? "YES" : "NO",
		   or_not_set(w->leader_name), or_not_set(w->leader_host));
	for (int i = 0; i < w->count; i++)
	{
		const PcpWatchdogNode *n = &w->nodes[i];

		printf("%s %s %d %d %d %s %d %s\n", n->name, n->host, n->pgpool_port, n->wd_port,
			   n->state, n->state_name, n->membership, n->membership_name);
	}
}

static void
print_verbose(const PcpWatchdogInfo *w)
{
	printf("Watchdog Cluster Information \n"
		   "Total Nodes              : %d\n"
		   "Remote Nodes             : %d\n"
		   "Member Remote Nodes      : %d\n"
		   "Alive Remote Nodes       : %d\n"
		   "Nodes required for quorum: %d\n"
		   "Quorum state             : %s\n"
		   "Local node escalation    : %s\n"
		   "Leader Node Name         : %s\n"
		   "Leader Host Name         : %s\n\n"
		   "Watchdog Node Information \n",
		   w->total, w->remote, w->member_remote, w->alive_remote, w->quorum_required,
		   quorum_text(w->quorum), w->escalated ? "YES" : "NO", or_not_set(w->leader_name),
		   or_not_set(w->leader_host));
	for (int i = 0; i < w->count; i++)
	{
		const PcpWatchdogNode *n = &w->nodes[i];

		printf("Node Name         : %s\n"
			   "Host Name         : %s\n"
			   "Delegate IP       : %s\n"
			   "Pgpool port       : %d\n"
			   "Watchdog port     : %d\n"
			   "Node priority     : %d\n"
			   "Status            : %d\n"
			   "Status Name       : %s\n"
			   "Membership Status : %s\n\n",
			   n->name, n->host, or_not_set(n->delegate_ip), n->pgpool_port, n->wd_port,
			   n->priority, n->state, n->state_name, n->membership_name);
	}
}

PcpErrorCode
pcp_print_watchdog_info(PcpConn *conn, const PcpToolArgs *a)
{
	PcpWatchdogInfo w;
	PcpErrorCode rc = pcp_watchdog_info(conn, a->have_target ? a->node_id : -1, &w);

	if (rc != PCP_OK)
		return rc;
	if (a->verbose)
		print_verbose(&w);
	else
		print_terse(&w);
	pcp_free_watchdog_info(&w);
	return PCP_OK;
}
