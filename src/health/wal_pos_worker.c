/*
 * wal_pos_worker.c: the process that samples WAL positions for
 * read_your_writes (see replication/wal_pos.h).
 *
 * One libpq connection per up node, as sr_check_user.  A round sends
 * pg_current_wal_insert_lsn() to the primary and pg_last_wal_replay_lsn()
 * to every standby at once, then reads every answer: the standbys'
 * positions are published first, the primary's last with the time its
 * query was sent (a commit that returned before that time is below the
 * sampled position).  A round runs when a session asked for a sample newer
 * than the last one (at most every WPW_MIN_GAP_US), every WPW_HOT_GAP_US
 * for a while after that (a standby that was behind is seen catching up
 * while reads are still coming), and otherwise once a second.  Sessions do not signal the worker (a stale pid could be another
 * process): it looks at their demand every few milliseconds while reads
 * are waiting, less often when idle.  It runs in streaming replication mode
 * with two nodes or more whatever read_your_writes says, so a reload can
 * turn the feature on; with read_your_writes = off it holds no connection.
 *
 * Signals as the other workers: SIGTERM/SIGINT/SIGQUIT end it, SIGHUP
 * reloads; they stay blocked and are taken while it waits.
 */
#include "health/health.h"
#include "replication/wal_pos.h"

#include "pool/node_table.h"
#include "replication/node_query.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WPW_MIN_GAP_US 5000		/* rounds asked for by sessions: at most this often */
#define WPW_IDLE_US 1000000		/* rounds nobody asked for */
#define WPW_ANSWER_MS 1000		/* a node slower than this is reconnected */
#define WPW_RETRY_US 1000000	/* a failed connection is retried after this */
#define WPW_HOT_US 500000		/* after a demand: rounds every WPW_HOT_GAP_US this long */
#define WPW_HOT_GAP_US 10000	/* (a standby behind is seen catching up without more demand) */
#define WPW_BUSY_US 5000000		/* demand this recent: look at it every millisecond */

typedef struct WpwNode
{
	PGconn	   *conn;
	bool		sent;			/* a query is out in this round */
	bool		failing;		/* the failure was logged; the recovery will be */
	int64_t		retry_at_us;
} WpwNode;

static struct
{
	int			primary;		/* sampled as the primary; -1 none, -2 not yet decided */
	WpwNode		nodes[MAX_BACKENDS];
	int64_t		last_sent_us;
	int64_t		last_demand_seen_us;
	bool		no_primary_logged;
	bool		primary_seen;	/* a primary was followed (none at start is not news) */
} w;

static void
close_node(int n)
{
	if (w.nodes[n].conn)
		PQfinish(w.nodes[n].conn);
	w.nodes[n].conn = NULL;
	w.nodes[n].sent = false;
}

static void
close_all(void)
{
	for (int n = 0; n < MAX_BACKENDS; n++)
		close_node(n);
}

/* A node failed: its connection goes, retried later; logged once until it works again. */
static void
node_failed(int n, const char *why)
{
	close_node(n);
	w.nodes[n].retry_at_us = wal_pos_now_us() + WPW_RETRY_US;
	if (!w.nodes[n].failing)
		plog_ex(PL_LOG, why, "Reads after writes go to the primary until the node answers.",
				"read_your_writes cannot sample the WAL position of DB node %d", n);
	w.nodes[n].failing = true;
}

static bool
connect_node(int n)
{
	char		why[256];
	NodeConnOptions opt = {NULL, "pgpool read_your_writes", false};

	if (w.nodes[n].conn)
		return true;
	if (!node_is_up(n) || wal_pos_now_us() < w.nodes[n].retry_at_us)
		return false;
	w.nodes[n].conn = node_query_connect_db(pool_config, n, &opt, why, sizeof(why));
	if (w.nodes[n].conn == NULL)
	{
		node_failed(n, why);
		return false;
	}
	if (w.nodes[n].failing)
		plog(PL_LOG, "read_your_writes samples the WAL position of DB node %d again", n);
	w.nodes[n].failing = false;
	return true;
}

static void
send_sample(int n, bool primary)
{
	const char *sql = primary ? "SELECT pg_catalog.pg_current_wal_insert_lsn()" :
		"SELECT pg_catalog.pg_last_wal_replay_lsn()";

	w.nodes[n].sent = PQsendQuery(w.nodes[n].conn, sql) == 1;
	if (!w.nodes[n].sent)
		node_failed(n, PQerrorMessage(w.nodes[n].conn));
}

/* The answer of node n's query (deadline: monotonic µs); false on error or NULL. */
static bool
read_sample(int n, int64_t deadline_us, uint64_t *lsn)
{
	PGconn	   *c = w.nodes[n].conn;
	PGresult   *res;
	bool		ok;

	while (PQisBusy(c))
	{
		struct pollfd p = {PQsocket(c), POLLIN, 0};
		int64_t		left = (deadline_us - wal_pos_now_us()) / 1000;

		if (left <= 0 || poll(&p, 1, (int) left) <= 0 || !PQconsumeInput(c))
		{
			node_failed(n, left <= 0 ? "no answer within a second" : PQerrorMessage(c));
			return false;
		}
	}
	res = PQgetResult(c);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
		wal_pos_lsn_parse(PQgetvalue(res, 0, 0), lsn);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		node_failed(n, PQresultErrorMessage(res));
	PQclear(res);
	while (w.nodes[n].conn && (res = PQgetResult(c)) != NULL)
		PQclear(res);
	w.nodes[n].sent = false;
	return ok;
}

/* One round: every node asked at once, the standbys published before the primary. */
static void
sample_round(void)
{
	int64_t		sent_us, deadline;
	uint64_t	lsn, primary_lsn = 0;
	bool		primary_ok;

	if (!connect_node(w.primary))
		return;
	for (int n = 0; n < node_table->num_backends; n++)
		if (n != w.primary && node_is_up(n))
			(void) connect_node(n);
	sent_us = wal_pos_now_us();
	w.last_sent_us = sent_us;
	send_sample(w.primary, true);
	for (int n = 0; n < node_table->num_backends; n++)
		if (n != w.primary && w.nodes[n].conn)
			send_sample(n, false);
	deadline = wal_pos_now_us() + WPW_ANSWER_MS * 1000;
	primary_ok = w.nodes[w.primary].sent && read_sample(w.primary, deadline, &primary_lsn);
	for (int n = 0; n < node_table->num_backends; n++)
		if (n != w.primary && w.nodes[n].sent && read_sample(n, deadline, &lsn))
			wal_pos_publish_replay(n, lsn, wal_pos_now_us());
	if (primary_ok)
		wal_pos_publish_primary(primary_lsn, sent_us);
}

/* Follow the node table's primary; a change starts a new epoch. */
static void
follow_primary(void)
{
	int			p = node_table->primary_node_id;

	if (!node_is_up(p))
		p = -1;
	if (p == w.primary)
		return;
	wal_pos_new_epoch();
	if (w.primary >= 0)
		close_node(w.primary);
	w.primary_seen |= w.primary >= 0;
	w.primary = p;
	if (p >= 0)
	{
		plog(PL_DEBUG1, "read_your_writes samples the primary DB node %d", p);
		w.no_primary_logged = false;
	}
	else if (!w.no_primary_logged && w.primary_seen)
	{
		plog(PL_LOG, "read_your_writes has no primary node to sample: reads after writes go to the primary");
		w.no_primary_logged = true;
	}
}

/* Is a round due now? */
static bool
round_due(int64_t now)
{
	int64_t		demand = wal_pos_demand_time();

	if (demand > w.last_sent_us)
	{
		w.last_demand_seen_us = now;
		return now - w.last_sent_us >= WPW_MIN_GAP_US;
	}
	if (now - w.last_demand_seen_us < WPW_HOT_US)
		return now - w.last_sent_us >= WPW_HOT_GAP_US;
	return now - w.last_sent_us >= WPW_IDLE_US;
}

int
wal_pos_worker_count(const PoolConfig *cfg)
{
	return strategy_for(cfg)->wal_streams && strategy_for(cfg)->has_primary && cfg->num_backends > 1 ? 1 : 0;
}

void
wal_pos_worker_main(int index)
{
	(void) index;
	worker_become("wal_pos_worker", 0);
	worker_setup_signals();
	ps_status_set("read_your_writes WAL positions");
	w.primary = -2;
	for (;;)
	{
		int64_t		now;

		if (pool_config->read_your_writes == RYW_OFF)
		{
			close_all();
			w.primary = -2;
			worker_sleep_ms(250);
			continue;
		}
		follow_primary();
		now = wal_pos_now_us();
		if (w.primary >= 0 && round_due(now))
			sample_round();
		worker_sleep_ms(now - w.last_demand_seen_us < WPW_BUSY_US ? 1 : 20);
	}
}
