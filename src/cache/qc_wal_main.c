/*
 * qc_wal_main.c: the WAL invalidation worker process.
 *
 * It follows the primary of the node table (the main node in modes
 * without one): one logical replication stream per database that allows
 * connections, multiplexed with poll(); a normal "control" connection
 * checks wal_level, lists the databases every QCW_LIST_MS and measures
 * the lag every second.  When the primary changes (failover, switchover)
 * every stream is closed and the worker follows the new one, creating its
 * slots there.
 *
 * Why the whole cache is cleared when a slot is created: a slot only
 * decodes commits after it exists.  Whatever was committed while no slot
 * followed this database (before the first start, while the old primary
 * was failing over, after pgpool -c dropped the slots) was never seen, and
 * entries cached before could be stale.  Resuming an existing slot misses
 * nothing (it restarts at the last confirmed commit), so that clears
 * nothing.
 *
 * Signals as the other workers: SIGTERM/SIGINT/SIGQUIT end it, SIGHUP
 * reloads; they stay blocked and are taken between poll() rounds.
 */
#include "cache/qc_wal.h"
#include "qc_wal_int.h"

#include "cache/qcache.h"
#include "utils/worker.h"
#include "pool/node_table.h"
#include "replication/node_query.h"
#include "replication/strategy.h"
#include "utils/clock.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/str.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define QCW_LIST_MS 10000		/* re-read pg_database */
#define QCW_RETRY_MS 5000		/* control connection or wal_level retry */
#define QCW_TICK_MS 1000		/* feedback and status */
#define QCW_POLL_MS 250			/* longest wait: signals and the node table are looked at in between */
#define QCW_LAG_SAMPLES 600

typedef struct LagSample
{
	int64_t		at_ms;
	uint64_t	lsn;
} LagSample;

typedef struct Worker
{
	int			node;			/* followed, -1: none */
	PGconn	   *ctl;
	bool		wal_level_ok;
	char		ctl_error[256];
	QcWalStream *streams;
	int			nstreams;
	int64_t		list_at_ms;
	int64_t		tick_at_ms;
	bool		no_primary_logged;
	LagSample	lag[QCW_LAG_SAMPLES];	/* the primary's WAL position, once a second */
	int			nlag;
	int			lag_next;
} Worker;

static Worker w;

static int
followed_node(void)
{
	int			id = strategy_current()->has_primary ? node_table->primary_node_id : node_table->main_node_id;

	return node_is_up(id) ? id : -1;
}

static void
close_all(void)
{
	for (int i = 0; i < w.nstreams; i++)
	{
		qc_wal_stream_close(&w.streams[i]);
		qc_wal_decoder_free(&w.streams[i].dec);
	}
	free(w.streams);
	w.streams = NULL;
	w.nstreams = 0;
	if (w.ctl)
		PQfinish(w.ctl);
	w.ctl = NULL;
	w.wal_level_ok = false;
	w.nlag = w.lag_next = 0;
	w.list_at_ms = 0;
}

static void
switch_node(int node)
{
	QcWalStatus st;

	close_all();
	w.node = node;
	qc_wal_status(&st);
	st.active = true;
	st.node_id = node;
	st.streaming = false;
	st.databases = st.streaming_databases = 0;
	st.processed_lsn = 0;
	st.lag_bytes = 0;
	st.lag_seconds = 0;
	*qc_wal_status_begin() = st;
	qc_wal_status_end();
	w.ctl_error[0] = '\0';
	if (node >= 0)
	{
		plog(PL_LOG, "query cache invalidation now follows the WAL of node %d", node);
		w.no_primary_logged = false;
	}
	else if (!w.no_primary_logged)
	{
		plog_ex(PL_LOG, NULL, "Cached results may be stale until a primary node is up again.",
				"query cache invalidation has no primary node to follow");
		w.no_primary_logged = true;
	}
}

/* A control-connection failure: logged once until it changes, retried later. */
static void
ctl_fail(const char *detail, const char *hint, const char *msg)
{
	plog_ex(strcmp(msg, w.ctl_error) == 0 ? PL_DEBUG1 : (hint ? PL_ERROR : PL_LOG), detail, hint, "%s", msg);
	str_copy(w.ctl_error, msg, sizeof(w.ctl_error));
	if (w.ctl)
		PQfinish(w.ctl);
	w.ctl = NULL;
	w.list_at_ms = clock_monotonic_ms() + QCW_RETRY_MS;
}

static bool
ctl_connect(void)
{
	char		why[256], value[64];

	if (w.ctl && PQstatus(w.ctl) == CONNECTION_OK)
		return true;
	if (w.ctl)
		PQfinish(w.ctl);
	w.ctl = node_query_connect_db(pool_config, w.node, NULL, why, sizeof(why));
	if (w.ctl == NULL)
	{
		ctl_fail(why, NULL, log_fmt("could not connect to DB node %d for query cache invalidation", w.node));
		return false;
	}
	if (!node_query_value(w.ctl, "SHOW wal_level", value, sizeof(value)) || strcmp(value, "logical") != 0)
	{
		ctl_fail(log_fmt("wal_level is \"%s\".", value), "Set wal_level = logical on the primary and restart it.",
				 log_fmt("query cache invalidation from the WAL needs wal_level = logical on DB node %d", w.node));
		return false;
	}
	w.wal_level_ok = true;
	if (w.ctl_error[0])
		plog(PL_LOG, "query cache invalidation reaches DB node %d again", w.node);
	w.ctl_error[0] = '\0';
	return true;
}

static QcWalStream *
find_stream(uint32_t oid)
{
	for (int i = 0; i < w.nstreams; i++)
		if (w.streams[i].dboid == oid)
			return &w.streams[i];
	return NULL;
}

static void
add_stream(uint32_t oid, const char *name)
{
	QcWalStream *s;

	w.streams = mem_realloc(w.streams, sizeof(QcWalStream) * (w.nstreams + 1));
	s = &w.streams[w.nstreams++];
	memset(s, 0, sizeof(*s));
	s->dboid = oid;
	str_copy(s->dbname, name, sizeof(s->dbname));
	s->db_hash = qc_db_hash(name);
	s->seen = true;
	qc_wal_decoder_init(&s->dec);
}

/* Streams of databases gone from pg_database end. */
static void
drop_unseen_streams(void)
{
	int			kept = 0;

	for (int i = 0; i < w.nstreams; i++)
	{
		if (w.streams[i].seen)
		{
			w.streams[kept++] = w.streams[i];
			continue;
		}
		plog(PL_DEBUG1, "query cache invalidation stops following database \"%s\"", w.streams[i].dbname);
		qc_wal_stream_close(&w.streams[i]);
		qc_wal_decoder_free(&w.streams[i].dec);
	}
	w.nstreams = kept;
}

/* Follow every database that allows connections, but the templates. */
static void
list_databases(void)
{
	PGresult   *res;

	w.list_at_ms = clock_monotonic_ms() + QCW_LIST_MS;
	if (!ctl_connect())
		return;
	res = PQexec(w.ctl, "SELECT oid, datname FROM pg_catalog.pg_database WHERE datallowconn "
				 "AND datname NOT IN ('template0', 'template1') ORDER BY oid");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		ctl_fail(PQresultErrorMessage(res), NULL, "could not list the databases for query cache invalidation");
		PQclear(res);
		return;
	}
	for (int i = 0; i < w.nstreams; i++)
		w.streams[i].seen = false;
	for (int r = 0; r < PQntuples(res); r++)
	{
		uint32_t	oid = (uint32_t) strtoul(PQgetvalue(res, r, 0), NULL, 10);
		QcWalStream *s = find_stream(oid);

		if (s)
			s->seen = true;
		else
			add_stream(oid, PQgetvalue(res, r, 1));
	}
	PQclear(res);
	drop_unseen_streams();
}

/* Start the streams due for an attempt. */
static void
start_streams(void)
{
	int64_t		now = clock_monotonic_ms();

	if (!w.wal_level_ok)
		return;
	for (int i = 0; i < w.nstreams; i++)
	{
		QcWalStream *s = &w.streams[i];

		if (s->state == QCW_STREAM_IDLE && s->retry_at_ms <= now)
			qc_wal_stream_start(pool_config, w.node, s);
	}
}

static void
clear_cache_for(const QcWalStream *s)
{
	plog_ex(PL_LOG, "Changes committed before the slot existed were not seen.", NULL,
			"query cache: clearing the whole cache: a new replication slot follows database \"%s\"", s->dbname);
	qc_clear_all();
}

/* Wait for input on the streams (QCW_POLL_MS at most) and read it. */
static void
poll_streams(void)
{
	struct pollfd *fds = mem_alloc(sizeof(struct pollfd) * (w.nstreams + 1));
	int		   *which = mem_alloc(sizeof(int) * (w.nstreams + 1));
	int			n = 0;
	bool		cleared = false;

	for (int i = 0; i < w.nstreams; i++)
		if (w.streams[i].state != QCW_STREAM_IDLE && PQsocket(w.streams[i].conn) >= 0)
		{
			fds[n].fd = PQsocket(w.streams[i].conn);
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			which[n++] = i;
		}
	if (poll(fds, n, QCW_POLL_MS) > 0)
		for (int k = 0; k < n; k++)
		{
			QcWalStream *s = &w.streams[which[k]];
			bool		created;

			if (fds[k].revents == 0)
				continue;
			qc_wal_stream_read(pool_config, w.node, s, &created);
			/* one clear covers every slot created in the same round */
			if (created && !cleared)
			{
				clear_cache_for(s);
				cleared = true;
			}
		}
	free(fds);
	free(which);
}

/* Lag: the primary's WAL position now against what every stream has processed. */
static void
measure_lag(QcWalStatus *st, int64_t now)
{
	char		value[64];
	uint64_t	current;
	int64_t		caught_up_at = -1;

	st->lag_bytes = 0;
	st->lag_seconds = 0;
	if (!w.ctl || !st->streaming ||
		!node_query_value(w.ctl, "SELECT pg_catalog.pg_current_wal_lsn()", value, sizeof(value)) ||
		!qc_wal_lsn_parse(value, &current))
		return;
	w.lag[w.lag_next] = (LagSample) {now, current};
	w.lag_next = (w.lag_next + 1) % QCW_LAG_SAMPLES;
	if (w.nlag < QCW_LAG_SAMPLES)
		w.nlag++;
	if (current <= st->processed_lsn)
		return;
	st->lag_bytes = (int64_t) (current - st->processed_lsn);
	/* seconds since the primary's WAL was where processing is now */
	for (int i = 0; i < w.nlag; i++)
		if (w.lag[i].lsn <= st->processed_lsn && w.lag[i].at_ms > caught_up_at)
			caught_up_at = w.lag[i].at_ms;
	if (caught_up_at < 0)
		for (int i = 0; i < w.nlag; i++)
			if (caught_up_at < 0 || w.lag[i].at_ms < caught_up_at)
				caught_up_at = w.lag[i].at_ms;
	st->lag_seconds = (now - caught_up_at) / 1000.0;
}

/* Once a second: confirm positions to the server and publish the status. */
static void
tick(void)
{
	int64_t		now = clock_monotonic_ms();
	QcWalStatus st;
	uint64_t	least = 0;
	int			streaming = 0;

	if (now < w.tick_at_ms)
		return;
	w.tick_at_ms = now + QCW_TICK_MS;
	for (int i = 0; i < w.nstreams; i++)
	{
		QcWalStream *s = &w.streams[i];

		if (s->state != QCW_STREAM_STREAMING || !qc_wal_stream_feedback(s))
			continue;
		if (streaming++ == 0 || s->processed_lsn < least)
			least = s->processed_lsn;
	}
	qc_wal_status(&st);
	st.active = true;
	st.node_id = w.node;
	st.databases = w.nstreams;
	st.streaming_databases = streaming;
	st.streaming = w.nstreams > 0 && streaming == w.nstreams;
	st.processed_lsn = least;
	measure_lag(&st, now);
	*qc_wal_status_begin() = st;
	qc_wal_status_end();
}

void
qc_wal_main(int index)
{
	(void) index;
	worker_become("qc_wal_worker", 0);
	worker_setup_signals();
	ps_status_set("query cache WAL invalidation");
	w.node = -1;
	w.no_primary_logged = false;
	for (;;)
	{
		int			node;

		worker_take_signals();
		node = followed_node();
		if (node != w.node || (node < 0 && !w.no_primary_logged))
			switch_node(node);
		if (w.node < 0)
		{
			worker_sleep(1);
			continue;
		}
		if (clock_monotonic_ms() >= w.list_at_ms)
			list_databases();
		start_streams();
		poll_streams();
		tick();
	}
}
