/*
 * sr_check.c: the streaming replication check worker.
 *
 * Every sr_check_period seconds: find the primary (pg_is_in_recovery), then
 * measure how far each standby's replay is behind the primary's WAL
 * position, in bytes (and in seconds of replay lag with
 * delay_threshold_by_time).  A standby over delay_threshold is marked
 * delayed and gets no load-balanced reads until it catches up; a standby
 * not streaming from the primary is marked stale (sr_stream_check.c).  Each
 * node's own pg_is_in_recovery() answer is kept for SHOW pool_nodes'
 * pg_role; auto_failback (auto_failback.c) runs after each check.
 */
#include "health/health.h"

#include "pool/node_table.h"
#include "replication/node_query.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
sr_check_count(const PoolConfig *cfg)
{
	return strategy_for(cfg)->wal_streams && cfg->num_backends > 1 ? 1 : 0;
}

static bool
wal_position(const PoolConfig *cfg, int n, bool primary, double *pos)
{
	PGconn	   *conn = node_query_connect(cfg, n);
	char		value[64];
	bool		ok;

	if (conn == NULL)
		return false;
	ok = node_query_value(conn, primary ?
						  "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')" :
						  "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')",
						  value, sizeof(value));
	PQfinish(conn);
	if (ok)
		*pos = strtod(value, NULL);
	return ok;
}

/*
 * pg_stat_replication on the primary: state, sync state and replay lag per
 * application_name.  A node the primary does not list has no state: a
 * stale "streaming" would tell auto_failback a dead standby streams.
 */
static void
read_replication_states(const PoolConfig *cfg, int primary)
{
	PGconn	   *conn = node_query_connect(cfg, primary);
	PGresult   *res;

	if (conn == NULL)
		return;
	res = PQexec(conn, "SELECT application_name, state, sync_state, "
				 "coalesce(extract(epoch from replay_lag), 0) FROM pg_stat_replication");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		for (int n = 0; n < node_table->num_backends; n++)
		{
			const char *app = cfg->backends[n].application_name;
			BackendNode *node = &node_table->nodes[n];

			if (n == primary || app == NULL || app[0] == '\0')
				continue;
			node->replication_state[0] = '\0';
			node->replication_sync_state[0] = '\0';
			for (int r = 0; r < PQntuples(res); r++)
				if (strcmp(PQgetvalue(res, r, 0), app) == 0)
				{
					str_copy(node->replication_state, PQgetvalue(res, r, 1), sizeof(node->replication_state));
					str_copy(node->replication_sync_state, PQgetvalue(res, r, 2), sizeof(node->replication_sync_state));
					node->replication_delay_seconds = strtod(PQgetvalue(res, r, 3), NULL);
				}
		}
	}
	PQclear(res);
	PQfinish(conn);
}

static void
judge_delay(const PoolConfig *cfg, int n, int primary, double delay)
{
	BackendNode *node = &node_table->nodes[n];
	bool		over;

	node->replication_delay = delay > 0 ? (uint64_t) delay : 0;
	if (cfg->delay_threshold_by_time > 0)
		over = node->replication_delay_seconds * 1000.0 > cfg->delay_threshold_by_time;
	else
		over = cfg->delay_threshold > 0 && node->replication_delay > (uint64_t) cfg->delay_threshold;
	if (over != node->delayed)
		plog(PL_LOG, "DB node %d %s delay_threshold: standby delay %llu bytes", n,
			 over ? "exceeds" : "is back within", (unsigned long long) node->replication_delay);
	node->delayed = over;
	if (cfg->log_standby_delay == LSD_ALWAYS ||
		(cfg->log_standby_delay == LSD_IF_OVER_THRESHOLD && over))
		plog(PL_LOG, "Replication of node: %d is behind %llu bytes from the primary server (node: %d)",
			 n, (unsigned long long) node->replication_delay, primary);
}

/*
 * Ask the nodes pg_is_in_recovery() (SHOW pool_nodes pg_role): the up
 * ones, and with auto_failback the down ones too (a dead one may cost
 * connect_timeout, so only then).  A down node that does not answer is
 * expected: no log line every period for it.
 */
static void
refresh_recovery_answers(const PoolConfig *cfg)
{
	for (int n = 0; n < node_table->num_backends; n++)
	{
		int			st = node_table->nodes[n].status;

		if (st == NODE_STATUS_UNUSED)
			continue;
		if (st == NODE_STATUS_DOWN && !cfg->auto_failback)
			node_table->nodes[n].pg_recovery = NODE_RECOVERY_UNKNOWN;
		else
			node_in_recovery(cfg, n, st == NODE_STATUS_DOWN);
	}
}

/*
 * The primary, as pgpool knows it.  While the primary is attached its role
 * never moves here, whatever a node answers (a standby promoted behind
 * pgpool's back is the operator's business: failover and pcp_promote_node
 * move the role); only without an attached primary is one searched.
 */
static int
current_primary(const PoolConfig *cfg)
{
	int			primary = node_table->primary_node_id;

	if (node_is_up(primary))
		return primary;
	return strategy_find_primary(cfg);
}

static void
check_replication(const PoolConfig *cfg)
{
	int			primary;
	double		primary_pos;

	refresh_recovery_answers(cfg);
	primary = current_primary(cfg);
	if (primary < 0 || !wal_position(cfg, primary, true, &primary_pos))
		return;
	read_replication_states(cfg, primary);
	sr_check_streams(cfg, primary);
	for (int n = 0; n < node_table->num_backends; n++)
	{
		double		pos;

		if (n == primary || !node_is_up(n))
			continue;
		if (wal_position(cfg, n, false, &pos))
			judge_delay(cfg, n, primary, primary_pos - pos);
	}
	auto_failback_check(cfg, primary);
}

void
sr_check_main(int index)
{
	(void) index;
	worker_become("sr_check_worker", 0);
	worker_setup_signals();
	ps_status_set("worker process");
	for (;;)
	{
		worker_sleep(pool_config->sr_check_period > 0 ? pool_config->sr_check_period : 30);
		if (pool_config->sr_check_period > 0)
			check_replication(pool_config);
		else
			sr_check_streams_forget();	/* reloaded to 0: nothing is checked, nothing stale */
	}
}
