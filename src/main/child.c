/*
 * child.c: a pre-forked child: wait for a client, serve it, repeat.
 *
 * Shutdown and reload signals stay blocked except while the child waits
 * (ppoll with pq_wait_sigmask), so a signal is never lost between a check
 * and a wait.  Reload is applied between sessions only.  Crash-only: any
 * unrecoverable error ends the process and the parent forks a new one.
 */
#include "main/pgpool_main.h"
#include "failover/failover.h"

#include "pool/pool_slot.h"
#include "pool/proc_table.h"
#include "recovery/recovery_gate.h"
#include "session/caches.h"
#include "session/multi.h"
#include "session/query_cache.h"
#include "session/pgpool_cmd.h"
#include "session/session.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/signals.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t smart_exit;
static const int *child_listen_fds;
static int	child_nlisten;
static volatile sig_atomic_t reload_requested;
static sigset_t wait_mask;

static void
on_fast_shutdown(int sig)
{
	(void) sig;
	session_interrupt = 1;
}

static void
on_smart_shutdown(int sig)
{
	(void) sig;
	smart_exit = 1;
	/* refuse new clients at once; the session in progress carries on */
	for (int i = 0; i < child_nlisten; i++)
		close(child_listen_fds[i]);
	child_nlisten = 0;
}

static void
on_reload(int sig)
{
	(void) sig;
	reload_requested = 1;
}

static void
on_nodes_changed(int sig)
{
	(void) sig;
	session_nodes_changed = 1;
}

/* PGPOOL SET changed a logging parameter in this child. */
static void
apply_log_settings(void)
{
	main_apply_log_settings(pool_config);
}

static void
on_immediate_shutdown(int sig)
{
	(void) sig;
	_exit(1);
}

static void
child_setup_signals(void)
{
	static const SignalAction actions[] = {
		{SIGINT, on_fast_shutdown, true},
		{SIGTERM, on_smart_shutdown, true},
		{SIGHUP, on_reload, true},
		{SIGUSR1, on_nodes_changed, true},
		{SIGQUIT, on_immediate_shutdown, false},
		{SIGPIPE, SIG_IGN, false},
		{SIGCHLD, SIG_DFL, false},
		{SIGUSR2, SIG_DFL, false},
	};

	signals_install(actions, sizeof(actions) / sizeof(actions[0]), &wait_mask);
	pq_wait_sigmask = &wait_mask;
}

static void __attribute__((noreturn))
child_exit(int code, const char *why)
{
	if (why)
		plog(PL_DEBUG1, "child process exiting: %s", why);
	if (proc_table)
		proc_info(my_child_index)->state = CHILD_STATE_EXITING;
	pool_close_all();
	exit(code);
}

/* Wait up to timeout_ms for a listening socket to be readable; accept on it. */
static int
wait_for_client(const int *fds, int n, int timeout_ms, struct sockaddr_storage *addr, socklen_t *len)
{
	struct pollfd pfd[32];
	struct timespec ts = {timeout_ms / 1000, (long) (timeout_ms % 1000) * 1000000L};
	int			rc;

	for (int i = 0; i < n && i < 32; i++)
	{
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	rc = ppoll(pfd, n, &ts, &wait_mask);
	if (rc <= 0)
		return -1;
	for (int i = 0; i < n; i++)
	{
		int			fd;

		if (!(pfd[i].revents & POLLIN))
			continue;
		*len = sizeof(*addr);
		fd = accept4(fds[i], (struct sockaddr *) addr, len, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		/* EAGAIN: a sibling took it */
	}
	return -1;
}

/* The session's way to the failover queue (session_hooks). */
static void
request_detach(int node)
{
	failover_request(FAILOVER_DETACH, node, 0);
}

void
child_main(int index, const int *listen_fds, int nlisten)
{
	time_t		idle_since = time(NULL);
	int			served = 0;

	my_child_index = index;
	/* each child its own random sequence, or every child picks the same load-balance nodes */
	srandom((unsigned) getpid() ^ (unsigned) time(NULL));
	child_listen_fds = listen_fds;
	child_nlisten = nlisten;
	log_set_process_name("child");
	proc_table_reset_child(index, getpid());
	child_setup_signals();
	session_hooks.request_detach = request_detach;
	session_hooks.gate_closed = recovery_gate_closed;
	session_hooks.gate_wait = recovery_gate_child_wait;
	session_hooks.idle_limit_ms = recovery_gate_idle_timeout_ms;
	session_hooks.settings_changed = apply_log_settings;
	pool_init(pool_config->max_pool);
	session_caches_prepare(pool_config);
	ps_status_set("wait for connection request");

	for (;;)
	{
		struct sockaddr_storage addr;
		socklen_t	addrlen;
		time_t		now = time(NULL);
		int			fd;

		if (smart_exit || session_interrupt)
			child_exit(0, "shutdown requested");
		if (reload_requested)
		{
			reload_requested = 0;
			main_reload_config(true);
			multi_route_reset_config();
			qc_session_reset_config();
		}
		if (session_nodes_changed)
		{
			session_nodes_changed = 0;
			pool_close_detached();
		}
		pool_expire(now, pool_config->connection_life_time);
		if (pool_config->child_life_time > 0 && served > 0 &&
			now - idle_since >= pool_config->child_life_time)
			child_exit(0, "child_life_time reached");

		fd = wait_for_client(listen_fds, child_nlisten, 1000, &addr, &addrlen);
		if (fd < 0)
			continue;

		session_run(fd, (struct sockaddr *) &addr, addrlen);
		pgpool_cmd_session_end();	/* PGPOOL SET lasts one session */
		served++;
		proc_info(index)->connection_count++;
		idle_since = time(NULL);
		ps_status_set("wait for connection request");
		if (pool_config->child_max_connections > 0 && served >= pool_config->child_max_connections)
		{
			plog(PL_LOG, "child process with pid: %d exits: child_max_connections (%d) reached",
				 (int) getpid(), pool_config->child_max_connections);
			child_exit(0, NULL);
		}
	}
}
