/*
 * find_primary.c: which node is the primary, asked of the nodes themselves.
 *
 * Runs in the parent at start and after a failover, and in the streaming
 * replication check worker.  Uses libpq with sr_check_user / password /
 * database and connect_timeout, so a dead node costs at most the timeout.
 */
#include "replication/strategy.h"

#include "pool/node_table.h"
#include "replication/node_query.h"
#include "utils/log.h"

#include <stdio.h>
#include <string.h>

/*
 * 1: in recovery (standby), 0: primary, -1: could not ask.  The answer is
 * kept in the node table (pg_recovery) for SHOW pool_nodes' pg_role.
 */
int
node_in_recovery(const PoolConfig *cfg, int n, bool quiet)
{
	PGconn	   *conn;
	char		value[8], why[256];
	int			rc = -1;

	conn = node_query_connect_db(cfg, n, NULL, why, sizeof(why));
	if (conn == NULL && !quiet)
		plog_ex(PL_LOG, why, NULL, "could not connect to DB node %d to check replication", n);
	if (conn != NULL)
	{
		if (node_query_value(conn, "SELECT pg_is_in_recovery()", value, sizeof(value)))
			rc = strcmp(value, "t") == 0 ? 1 : 0;
		PQfinish(conn);
	}
	node_table->nodes[n].pg_recovery = rc < 0 ? NODE_RECOVERY_UNKNOWN :
		rc ? NODE_RECOVERY_YES : NODE_RECOVERY_NO;
	return rc;
}

/* A detached node is nobody's primary any more. */
static void
forget_down_primaries(void)
{
	for (int n = 0; n < node_table->num_backends; n++)
		if (!node_is_up(n) && node_table->nodes[n].role == NODE_ROLE_PRIMARY)
			node_table->nodes[n].role = NODE_ROLE_STANDBY;
}

static void
record_primary(int primary)
{
	static bool logged_once;

	if (primary != node_table->primary_node_id || !logged_once)
	{
		if (primary >= 0)
			plog(PL_LOG, "find_primary_node: primary node is %d", primary);
		else
			plog(PL_LOG, "find_primary_node: no primary node found");
		logged_once = true;
	}
	node_table->primary_node_id = primary;
}

/* Raw, native replication, snapshot isolation: the main node takes writes. */
int
find_primary_main_node(const PoolConfig *cfg)
{
	(void) cfg;
	node_table->primary_node_id = node_table->main_node_id;
	return node_table->primary_node_id;
}

/*
 * Logical replication and slony: every node is a primary to PostgreSQL;
 * the first up node flagged ALWAYS_PRIMARY, else the first up node, takes
 * the writes.
 */
int
find_primary_first_up(const PoolConfig *cfg)
{
	int			primary = -1;

	(void) cfg;
	forget_down_primaries();
	for (int n = 0; n < node_table->num_backends && primary < 0; n++)
		if (node_is_up(n) && (node_table->nodes[n].flag & BACKEND_FLAG_ALWAYS_PRIMARY))
			primary = n;
	if (primary < 0)
		primary = node_table->main_node_id;
	for (int n = 0; n < node_table->num_backends; n++)
		node_table->nodes[n].role = n == primary ? NODE_ROLE_PRIMARY : NODE_ROLE_STANDBY;
	record_primary(primary);
	return primary;
}

/* Streaming replication: the node where pg_is_in_recovery() is false. */
int
find_primary_by_recovery(const PoolConfig *cfg)
{
	int			primary = -1;

	for (int n = 0; n < node_table->num_backends; n++)
	{
		int			in_recovery;

		if (!node_is_up(n))
		{
			/* a detached node is nobody's primary any more */
			if (node_table->nodes[n].role == NODE_ROLE_PRIMARY)
				node_table->nodes[n].role = NODE_ROLE_STANDBY;
			continue;
		}
		if (node_table->nodes[n].flag & BACKEND_FLAG_ALWAYS_PRIMARY)
			in_recovery = 0;
		else
			in_recovery = node_in_recovery(cfg, n, false);
		if (in_recovery == 0 && primary < 0)
			primary = n;
		node_table->nodes[n].role = in_recovery == 0 ? NODE_ROLE_PRIMARY : NODE_ROLE_STANDBY;
	}
	/*
	 * No node claims to be primary: keep the one pgpool was told about
	 * (pcp_promote_node) while it is up; the operator promotes the server.
	 */
	if (primary < 0 && node_is_up(node_table->primary_node_id))
	{
		primary = node_table->primary_node_id;
		node_table->nodes[primary].role = NODE_ROLE_PRIMARY;
	}
	record_primary(primary);
	return primary;
}
