/*
 * parent.c: the supervisor.  Opens the listening sockets and shared memory,
 * forks every process kind, and then only waits for signals: SIGCHLD
 * (respawn), SIGHUP (reload), SIGTERM / SIGINT / SIGQUIT (smart, fast,
 * immediate shutdown).  Signals are taken synchronously with sigtimedwait,
 * so no work runs in a signal handler.
 */
#include "main/pgpool_main.h"

#include "cache/qcache.h"
#include "cache/qc_wal.h"
#include "failover/failover.h"
#include "pcp/pcp_server.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "pool/status_file.h"
#include "recovery/recovery_gate.h"
#include "replication/si_order.h"
#include "replication/strategy.h"
#include "replication/wal_pos.h"
#include "utils/log.h"
#include "utils/ps_status.h"
#include "utils/shmem.h"
#include "watchdog/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LISTEN_FDS 32

typedef enum ShutdownMode
{
	SHUTDOWN_NONE = 0,
	SHUTDOWN_SMART,
	SHUTDOWN_FAST,
	SHUTDOWN_IMMEDIATE
} ShutdownMode;

static int	listen_fds[MAX_LISTEN_FDS];
static int	nlisten;
static ShutdownMode shutdown_mode;

static void
daemonize(void)
{
	pid_t		pid = fork();
	int			devnull;

	if (pid < 0)
	{
		plog(PL_FATAL, "could not fork daemon process: %m");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0)
	{
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	umask(077);
}

static bool
setup_shared_memory(void)
{
	int			n = pool_config->num_init_children;
	int			m = pool_config->max_pool;

	if (!shmem_create(node_table_shmem_size() + proc_table_shmem_size(n, m) +
					  failover_shmem_size() + recovery_gate_shmem_size(n) +
					  qc_shmem_size(pool_config) + qc_wal_shmem_size() + wal_pos_shmem_size() + wd_shmem_size() + 4096))
		return false;
	node_table_shmem_init(pool_config);
	proc_table_shmem_init(n, m);
	failover_shmem_init(getpid());
	recovery_gate_shmem_init(n);
	qc_wal_shmem_init();
	wal_pos_shmem_init();
	if (!qc_shmem_init(pool_config))
		return false;
	qc_clear_at_start(pgpool_options.clear_cache, pgpool_options.clear_oidmaps);
	if (!wd_shmem_init(pool_config, pgpool_options.config_file))
	{
		shmem_destroy();
		return false;
	}
	return true;
}

static void
spawn_all(void)
{
	for (int k = 0; k < proc_kinds_count(); k++)
	{
		int			count = proc_kind_at(k)->count(pool_config);

		for (int i = 0; i < count; i++)
			proc_kinds_spawn(k, i, listen_fds, nlisten);
	}
}

static void
reap_children(void)
{
	int			status;
	pid_t		pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
	{
		int			kind, index;

		if (!proc_kinds_forget(pid, &kind, &index))
			continue;
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGINT &&
			WTERMSIG(status) != SIGQUIT)
			plog(PL_LOG, "child process with pid: %d was terminated by signal %d", (int) pid,
				 WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && shutdown_mode == SHUTDOWN_NONE)
			plog(PL_LOG, "child process with pid: %d exits with status %d", (int) pid,
				 WEXITSTATUS(status));
		else
			plog(PL_DEBUG1, "child process with pid: %d exits with status %d", (int) pid, status);
		if (shutdown_mode == SHUTDOWN_NONE && proc_kind_at(kind)->restart)
		{
			pid_t		new_pid = proc_kinds_spawn(kind, index, listen_fds, nlisten);

			plog(PL_DEBUG1, "fork a new %s process with pid: %d", proc_kind_at(kind)->name, (int) new_pid);
		}
	}
}

static void
begin_shutdown(ShutdownMode mode)
{
	static const char *const names[] = {"", "smart", "fast", "immediate"};
	static const int signals[] = {0, SIGTERM, SIGINT, SIGQUIT};

	if (mode <= shutdown_mode)
		return;
	shutdown_mode = mode;
	plog(PL_LOG, "received %s shutdown request", names[mode]);
	/* new clients must be refused at once, not queued behind the exit */
	listen_close(listen_fds, nlisten, pool_config);
	nlisten = 0;
	pcp_listen_close(pool_config);
	proc_kinds_signal_all(signals[mode]);
}

static void
finish(void)
{
	pidfile_remove(pool_config->pid_file_name);
	pcp_listen_close(pool_config);
	shmem_destroy();
	plog(PL_LOG, "pgpool is shut down");
}

static void
parent_loop(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	for (;;)
	{
		struct timespec ts = {1, 0};
		int			sig = sigtimedwait(&set, NULL, &ts);

		switch (sig)
		{
			case SIGCHLD:
				reap_children();
				break;
			case SIGHUP:
				if (shutdown_mode == SHUTDOWN_NONE)
				{
					plog(PL_LOG, "received SIGHUP, reloading configuration files");
					if (main_reload_config(false))
					{
						node_table_reload(pool_config);
						proc_kinds_signal_all(SIGHUP);
					}
				}
				break;
			case SIGTERM:
				begin_shutdown(SHUTDOWN_SMART);
				break;
			case SIGINT:
				begin_shutdown(SHUTDOWN_FAST);
				break;
			case SIGQUIT:
				begin_shutdown(SHUTDOWN_IMMEDIATE);
				break;
			case SIGUSR1:
				failover_handle_requests();
				break;
			default:
				/* timeout: catch any SIGCHLD coalesced away */
				reap_children();
				break;
		}
		if (shutdown_mode != SHUTDOWN_NONE && proc_kinds_live() == 0)
			return;
	}
}

int
parent_main(void)
{
	sigset_t	block;

	if (!pgpool_options.no_daemon)
		daemonize();
	log_set_process_name("main");
	if (!pidfile_create(pool_config->pid_file_name))
		return 1;
	nlisten = listen_open(pool_config, listen_fds, MAX_LISTEN_FDS);
	if (nlisten < 0 || !pcp_listen_open(pool_config) || !setup_shared_memory())
	{
		if (nlisten >= 0)
			listen_close(listen_fds, nlisten, pool_config);
		pcp_listen_close(pool_config);
		pidfile_remove(pool_config->pid_file_name);
		return 1;
	}
	status_file_load(pool_config->logdir, pgpool_options.discard_status);
	status_file_save(pool_config->logdir);
	/* with a watchdog, the cluster's leader decides every node status change */
	if (pool_config->use_watchdog)
		failover_route_hook = wd_failover_route;
	strategy_select(pool_config);
	strategy_find_primary(pool_config);
	/* pgpool -c: the WAL worker starts from new slots (and so clears the cache) */
	if (pgpool_options.clear_cache)
		qc_wal_drop_slots(pool_config);
	if (strategy_current()->snapshot_isolation && !si_order_check_nodes(pool_config))
	{
		listen_close(listen_fds, nlisten, pool_config);
		pcp_listen_close(pool_config);
		shmem_destroy();
		pidfile_remove(pool_config->pid_file_name);
		return 1;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGPIPE, SIG_IGN);

	spawn_all();
	ps_status_set("main process");
	plog(PL_LOG, "pgpool-II successfully started. version %s (pgpool)", PGPOOL_VERSION_STRING);
	parent_loop();
	finish();
	return 0;
}
