/*
 * wd_lifecheck.c: the lifecheck process.  Decides, into shared memory,
 * which peers are lost: by heartbeat (no heartbeat for
 * wd_heartbeat_deadtime seconds, checked four times a second) or by query
 * (wd_lifecheck_query through the peer's pgpool port failing wd_life_point
 * times in a row, every wd_interval seconds); with 'external' something
 * else decides and nothing is marked here.  A forked helper pings
 * trusted_servers every wd_interval seconds: when none answers, this node
 * is the one cut off (NETWORK ISOLATION).
 */
#include "wd_int.h"

#include "utils/clock.h"
#include "utils/log.h"
#include "utils/worker.h"
#include "utils/ps_status.h"
#include "utils/signals.h"
#include "utils/str.h"

#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WD_LIFECHECK_TICK_MS 250

static volatile sig_atomic_t got_shutdown;
static int	query_failures[WD_MAX_NODES];

static void
on_shutdown(int sig)
{
	(void) sig;
	got_shutdown = 1;
}

int
wd_count_lifecheck(const PoolConfig *cfg)
{
	return cfg->use_watchdog ? 1 : 0;
}

static void
sleep_ms(int ms, const sigset_t *wait_mask)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	ppoll(NULL, 0, &ts, wait_mask);
}

static void
mark(int i, bool lost)
{
	if ((wd_shared->nodes[i].lifecheck_lost != 0) == lost)
		return;
	wd_shared->nodes[i].lifecheck_lost = lost;
	if (lost)
		plog(PL_LOG, "watchdog: lifecheck failed for node %d (\"%s\")", i, wd_shared->nodes[i].name);
	else
		plog(PL_LOG, "watchdog: lifecheck of node %d (\"%s\") succeeded again", i, wd_shared->nodes[i].name);
}

/* The watchdog has heard from node i over TCP: it runs (LEADER, STANDBY, electing). */
static bool
peer_running(int i)
{
	switch (wd_shared->nodes[i].state)
	{
		case WD_STATE_JOINING:
		case WD_STATE_INITIALIZING:
		case WD_STATE_LEADER:
		case WD_STATE_PARTICIPATING:
		case WD_STATE_STANDING:
		case WD_STATE_STANDBY:
			return true;
		default:
			return false;
	}
}

/*
 * Heartbeat verdicts.  A node never heard from is not lost while it has not
 * started (lifecheck waits for it); one the watchdog knows is running but
 * that sent no heartbeat since this process started (it froze just then)
 * is judged from the moment it was known to run.  After this process itself was stopped
 * (its clock jumped) every peer gets a fresh deadtime, so a node that was
 * frozen does not condemn the others for its own silence.
 */
static void
check_heartbeats(const WdClusterConfig *c, int64_t now, int64_t *grace_until)
{
	static int64_t running_since[WD_MAX_NODES];
	int64_t		deadtime = 1000LL * pool_config->wd_heartbeat_deadtime;

	for (int i = 0; i < c->nnodes; i++)
	{
		int64_t		last = wd_shared->nodes[i].hb_last_ms;

		if (i == c->self)
			continue;
		if (last == 0)
		{
			if (!peer_running(i))
			{
				running_since[i] = 0;
				continue;
			}
			if (running_since[i] == 0)
				running_since[i] = now;
			last = running_since[i];
		}
		if (now - last > deadtime && now >= *grace_until)
			mark(i, true);
		else if (now - last <= deadtime)
			mark(i, false);
	}
}

/* One run of wd_lifecheck_query through the peer's pgpool. */
static bool
query_peer(const WdNodeAddr *a)
{
	const PoolConfig *cfg = pool_config;
	char		port[16], timeout[16];
	const char *keys[] = {"host", "port", "dbname", "user", "password", "connect_timeout", NULL};
	const char *vals[] = {a->host, port, cfg->wd_lifecheck_dbname, cfg->wd_lifecheck_user,
	cfg->wd_lifecheck_password, timeout, NULL};
	PGconn	   *conn;
	bool		ok = false;

	snprintf(port, sizeof(port), "%d", a->pgpool_port);
	snprintf(timeout, sizeof(timeout), "%d", cfg->wd_interval > 1 ? cfg->wd_interval : 2);
	conn = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(conn) == CONNECTION_OK)
	{
		PGresult   *r = PQexec(conn, cfg->wd_lifecheck_query);

		ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	PQfinish(conn);
	return ok;
}

static void
check_queries(const WdClusterConfig *c)
{
	for (int i = 0; i < c->nnodes; i++)
	{
		if (i == c->self)
			continue;
		if (query_peer(&c->nodes[i]))
			query_failures[i] = 0;
		else
			query_failures[i]++;
		mark(i, query_failures[i] >= pool_config->wd_life_point);
	}
}

/* Does one trusted server answer? */
static bool
ping_server(const char *host)
{
	const PoolConfig *cfg = pool_config;
	const char *tmpl = cfg->trusted_server_command && cfg->trusted_server_command[0]
		? cfg->trusted_server_command : "ping -q -c3 %h";
	char		cmd[1024];
	size_t		o = 0;

	if (strncmp(tmpl, "ping ", 5) == 0 && cfg->ping_path && cfg->ping_path[0])
		o = (size_t) snprintf(cmd, sizeof(cmd), "%s/", cfg->ping_path);
	for (const char *p = tmpl; *p && o < sizeof(cmd) - 200; p++)
	{
		if (p[0] == '%' && p[1] == 'h')
		{
			o += (size_t) snprintf(cmd + o, sizeof(cmd) - o, "%s", host);
			p++;
		}
		else
			cmd[o++] = *p;
	}
	snprintf(cmd + o, sizeof(cmd) - o, " >/dev/null 2>&1");
	return system(cmd) == 0;
}

/* The trusted-server helper: never returns. */
static void
trusted_loop(const sigset_t *wait_mask)
{
	char	   *list = str_dup(pool_config->trusted_servers);
	char	   *servers[64];
	int			n = str_split(list, ',', servers, 64);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	log_set_process_name("trusted server check");
	while (!got_shutdown)
	{
		bool		any = false;

		for (int i = 0; i < n && !any; i++)
			any = ping_server(str_trim(servers[i]));
		if (!any && !wd_shared->isolated)
			plog(PL_WARNING, "none of the trusted servers \"%s\" is reachable", pool_config->trusted_servers);
		wd_shared->isolated = !any;
		sleep_ms(1000 * pool_config->wd_interval, wait_mask);
	}
	exit(0);
}

static void
setup(sigset_t *wait_mask)
{
	static const SignalAction actions[] = {
		{SIGTERM, on_shutdown, true},
		{SIGINT, on_shutdown, true},
		{SIGQUIT, on_shutdown, true},
		{SIGHUP, SIG_IGN, false},
		{SIGUSR1, SIG_IGN, false},
		{SIGPIPE, SIG_IGN, false},
		{SIGCHLD, SIG_DFL, false},
	};

	worker_become("lifecheck", SIGKILL);
	ps_status_set("lifecheck");
	signals_install(actions, sizeof(actions) / sizeof(actions[0]), wait_mask);
}

void
wd_lifecheck_main(int index)
{
	const WdClusterConfig *c = wd_cluster();
	sigset_t	wait_mask;
	pid_t		trusted = 0;
	int64_t		last = clock_monotonic_ms(), grace_until = 0, next_query = 0;
	int			method = pool_config->wd_lifecheck_method;

	(void) index;
	setup(&wait_mask);
	if (pool_config->trusted_servers && pool_config->trusted_servers[0] && (trusted = fork()) == 0)
		trusted_loop(&wait_mask);
	wd_shared->lifecheck_ready = 1;
	while (!got_shutdown)
	{
		int64_t		now = clock_monotonic_ms();

		if (now - last > 2000)
			grace_until = now + 1000LL * pool_config->wd_heartbeat_deadtime;
		last = now;
		if (method == WDLM_HEARTBEAT)
			check_heartbeats(c, now, &grace_until);
		else if (method == WDLM_QUERY && now >= next_query)
		{
			check_queries(c);
			next_query = clock_monotonic_ms() + 1000LL * pool_config->wd_interval;
		}
		sleep_ms(WD_LIFECHECK_TICK_MS, &wait_mask);
	}
	if (trusted > 0)
	{
		kill(trusted, SIGTERM);
		waitpid(trusted, NULL, 0);
	}
	exit(0);
}
