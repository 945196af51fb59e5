/*
 * commands.c: "pgpool [-m mode] stop" and "pgpool reload": signal the
 * running pgpool found through pid_file_name.
 */
#include "main/pgpool_main.h"
#include "utils/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pid_t
running_pid(const PoolConfig *cfg)
{
	pid_t		pid = pidfile_read(cfg->pid_file_name);

	if (pid <= 0)
	{
		plog_ex(PL_FATAL, log_fmt("pid file \"%s\" is missing or empty", cfg->pid_file_name),
				"Is pgpool running with this configuration file?",
				"could not read pid file");
		return 0;
	}
	if (kill(pid, 0) < 0 && errno == ESRCH)
	{
		plog(PL_FATAL, "pgpool (pid %d) named in pid file \"%s\" is not running",
			 (int) pid, cfg->pid_file_name);
		return 0;
	}
	return pid;
}

int
command_stop(const PoolConfig *cfg, char mode)
{
	int			sig = mode == 'f' ? SIGINT : mode == 'i' ? SIGQUIT : SIGTERM;
	pid_t		pid = running_pid(cfg);

	if (pid == 0)
		return 3;
	if (kill(pid, sig) < 0)
	{
		plog(PL_FATAL, "could not send stop request to pgpool (pid: %d): %m", (int) pid);
		return 3;
	}
	plog(PL_LOG, "stop request sent to pgpool (pid: %d). waiting for termination...", (int) pid);
	for (int waited = 0; kill(pid, 0) == 0; waited++)
	{
		if (waited % 10 == 0)
		{
			fputc('.', stderr);
			fflush(stderr);
		}
		usleep(100000);
	}
	fprintf(stderr, "done.\n");
	return 0;
}

int
command_reload(const PoolConfig *cfg)
{
	pid_t		pid = running_pid(cfg);

	if (pid == 0)
		return 3;
	if (kill(pid, SIGHUP) < 0)
	{
		plog(PL_FATAL, "could not send reload request to pgpool (pid: %d): %m", (int) pid);
		return 3;
	}
	return 0;
}
