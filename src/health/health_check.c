/*
 * health_check.c: one process per backend node that logs into it every
 * health_check_period seconds.  A node that fails health_check_max_retries
 * + 1 attempts in a row (health_check_retry_delay apart) is reported for
 * failover; a short outage inside that window is ridden out.  A node the
 * watchdog quarantined (down here only) is checked on too.
 */
#include "health/health.h"

#include "pool/node_table.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/ps_status.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int
health_check_count(const PoolConfig *cfg)
{
	/* a single node in raw mode has nowhere to fail over to */
	return !strategy_for(cfg)->several_nodes && cfg->num_backends <= 1 ? 0 : cfg->num_backends;
}

static bool
probe_database(const BackendNode *n, const HealthSettings *hs, const char *db, char *why, size_t why_len)
{
	const char *keys[9], *values[9];
	char		port[16], timeout[16];
	int			k = 0;
	PGconn	   *conn;
	bool		ok;

	snprintf(port, sizeof(port), "%d", n->port);
	snprintf(timeout, sizeof(timeout), "%d", hs->timeout > 0 ? hs->timeout : 0);
	keys[k] = "host", values[k++] = n->hostname[0] ? n->hostname : "/tmp";
	keys[k] = "port", values[k++] = port;
	if (hs->user[0])
		keys[k] = "user", values[k++] = hs->user;
	if (hs->password[0])
		keys[k] = "password", values[k++] = hs->password;
	keys[k] = "dbname", values[k++] = db;
	keys[k] = "connect_timeout", values[k++] = timeout;
	keys[k] = "application_name", values[k++] = "pgpool health check";
	keys[k] = NULL, values[k] = NULL;
	conn = PQconnectdbParams(keys, values, 0);
	ok = PQstatus(conn) == CONNECTION_OK;
	if (!ok)
	{
		snprintf(why, why_len, "%s", PQerrorMessage(conn));
		why[strcspn(why, "\n")] = '\0';
	}
	PQfinish(conn);
	return ok;
}

bool
health_probe(int node, const HealthSettings *hs, char *why, size_t why_len)
{
	const BackendNode *n = &node_table->nodes[node];

	if (hs->database[0])
		return probe_database(n, hs, hs->database, why, why_len);
	/* no database given: postgres, then template1 (one of them always exists) */
	return probe_database(n, hs, "postgres", why, why_len) ||
		probe_database(n, hs, "template1", why, why_len);
}

static double
elapsed_ms(const struct timeval *start)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (now.tv_sec - start->tv_sec) * 1000.0 + (now.tv_usec - start->tv_usec) / 1000.0;
}

static void
record(HealthCheckStats *st, bool ok, int retries, double ms)
{
	time_t		now = time(NULL);

	st->total_count++;
	st->last_health_check = now;
	st->retry_count += retries;
	if (retries > st->max_retry_count)
		st->max_retry_count = retries;
	st->total_duration_ms += ms;
	if (ms > st->max_duration_ms)
		st->max_duration_ms = ms;
	if (st->min_duration_ms == 0 || ms < st->min_duration_ms)
		st->min_duration_ms = ms;
	if (ok)
	{
		st->success_count++;
		st->last_successful_health_check = now;
	}
	else
	{
		st->fail_count++;
		st->last_failed_health_check = now;
	}
}

/* One round: the first attempt plus up to max_retries retries. */
static void
check_once(int node, const HealthSettings *hs)
{
	struct timeval start;
	char		why[256] = "";
	int			attempt;
	bool		ok = false;

	gettimeofday(&start, NULL);
	for (attempt = 0; attempt <= hs->max_retries; attempt++)
	{
		if (attempt > 0)
		{
			plog(PL_LOG, "health check retrying on DB node: %d (round:%d)", node, attempt);
			worker_sleep(hs->retry_delay);
		}
		if (!node_is_up(node) && !node_is_quarantined(node))
			return;				/* detached meanwhile */
		ok = health_probe(node, hs, why, sizeof(why));
		if (ok)
			break;
		plog_ex(PL_LOG, why, NULL, "health check failed on node %d", node);
	}
	record(&node_table->nodes[node].hc, ok, ok ? attempt : hs->max_retries, elapsed_ms(&start));
	if (node_is_quarantined(node))
	{
		/* still failing: ask again, so the cluster may yet agree and detach it */
		if (ok)
			health_report_back(node);
		else
			health_report_failure(node);
	}
	else if (!ok)
		health_report_failure(node);
	else if (attempt > 0)
		plog(PL_LOG, "health check on DB node %d succeeded after %d retries", node, attempt);
}

void
health_check_main(int node)
{
	char		name[32];

	snprintf(name, sizeof(name), "health_check%d", node);
	worker_become("health_check", 0);
	worker_setup_signals();
	ps_status_set("health check process(%d)", node);
	for (;;)
	{
		HealthSettings hs;

		health_settings_for(pool_config, node, &hs);
		if (hs.period <= 0 || node >= node_table->num_backends)
		{
			worker_sleep(30);
			continue;
		}
		worker_sleep(hs.period);
		/* a quarantined node is checked on: its recovery lifts the quarantine */
		if (!node_is_up(node) && !node_is_quarantined(node))
		{
			node_table->nodes[node].hc.skip_count++;
			node_table->nodes[node].hc.last_skip_health_check = time(NULL);
			continue;
		}
		check_once(node, &hs);
	}
}
