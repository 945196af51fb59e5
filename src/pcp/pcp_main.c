/*
 * pcp_main.c: the pcp_main process.  Waits on the PCP sockets and forks
 * one worker per connection, so a client that sends garbage or stalls
 * holds only its own worker.  It never reads from a client itself.
 *
 * Signals stay blocked except during the wait (ppoll), as in the children:
 * SIGTERM / SIGINT / SIGQUIT end pcp_main and its workers, SIGHUP re-reads
 * the configuration (pcp_timeout), SIGCHLD reaps workers.
 */
#include "pcp/pcp_server.h"
#include "pcp_int.h"

#include "utils/log.h"
#include "utils/signals.h"
#include "utils/ps_status.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PCP_MAX_WORKERS 64

static volatile sig_atomic_t shutdown_signal;
static volatile sig_atomic_t reload_requested;
static pid_t workers[PCP_MAX_WORKERS];
static sigset_t wait_mask;
static const PcpServerEnv *server_env;

static void
on_shutdown(int sig)
{
	shutdown_signal = sig;
}

static void
on_reload(int sig)
{
	(void) sig;
	reload_requested = 1;
}

static void
on_child(int sig)
{
	(void) sig;
}

static void
setup_signals(void)
{
	static const SignalAction actions[] = {
		{SIGTERM, on_shutdown, true},
		{SIGINT, on_shutdown, true},
		{SIGQUIT, on_shutdown, true},
		{SIGHUP, on_reload, true},
		{SIGCHLD, on_child, true},
		{SIGPIPE, SIG_IGN, false},
		{SIGUSR1, SIG_IGN, false},
		{SIGUSR2, SIG_IGN, false},
	};

	signals_install(actions, sizeof(actions) / sizeof(actions[0]), &wait_mask);
}

static int
count_workers(void)
{
	int			n = 0;

	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (workers[i] > 0)
			n++;
	return n;
}

static void
reap_workers(void)
{
	pid_t		pid;
	int			status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
	{
		for (int i = 0; i < PCP_MAX_WORKERS; i++)
			if (workers[i] == pid)
				workers[i] = 0;
		if (pool_config->log_pcp_processes)
			plog(PL_LOG, "PCP process with pid: %d exits with status %d", (int) pid, status);
	}
}

static void __attribute__((noreturn))
pcp_main_exit(void)
{
	int			sig = shutdown_signal ? shutdown_signal : SIGTERM;

	for (int i = 0; i < PCP_MAX_WORKERS; i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
	if (sig == SIGQUIT)
		_exit(0);
	/* workers finish the command at hand, then exit */
	for (int tries = 0; count_workers() > 0 && tries < 100; tries++)
	{
		usleep(50000);
		reap_workers();
	}
	exit(0);
}

static void
start_worker(int fd)
{
	int			slot = -1;
	pid_t		pid;

	for (int i = 0; i < PCP_MAX_WORKERS && slot < 0; i++)
		if (workers[i] == 0)
			slot = i;
	if (slot < 0)
	{
		plog_ex(PL_LOG, log_fmt("%d PCP connections are being served", PCP_MAX_WORKERS), NULL,
				"PCP connection refused: too many PCP connections");
		close(fd);
		return;
	}
	pid = fork();
	if (pid < 0)
	{
		plog(PL_LOG, "could not fork a PCP worker process: %m");
		close(fd);
		return;
	}
	if (pid == 0)
	{
		pcp_listen_close_inherited();
		pcp_worker_main(fd, server_env);
	}
	workers[slot] = pid;
	close(fd);
}

/* Wait for a connection (or a signal) and hand it to a new worker. */
static void
accept_once(const int *fds, int n)
{
	struct pollfd pfd[16];
	struct timespec ts = {1, 0};

	for (int i = 0; i < n && i < 16; i++)
	{
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (ppoll(pfd, n, &ts, &wait_mask) <= 0)
		return;
	for (int i = 0; i < n; i++)
	{
		int			fd;

		if (!(pfd[i].revents & POLLIN))
			continue;
		fd = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0)
			start_worker(fd);
	}
}

void
pcp_main(const PcpServerEnv *env)
{
	const int  *fds;
	int			n = pcp_listen_fds(&fds);

	server_env = env;
	log_set_process_name("pcp_main");
	setup_signals();
	ps_status_set("PCP: wait for connection request");
	for (;;)
	{
		if (shutdown_signal)
			pcp_main_exit();
		if (reload_requested)
		{
			reload_requested = 0;
			if (env->reload_config)
				env->reload_config(true);
		}
		reap_workers();
		accept_once(fds, n);
	}
}
