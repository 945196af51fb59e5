/*
 * pidfile.c: pid_file_name, so one pgpool runs per configuration and
 * "pgpool stop" / "pgpool reload" can find it.
 */
#include "main/pgpool_main.h"
#include "utils/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t
pidfile_read(const char *path)
{
	FILE	   *f = fopen(path, "r");
	long		pid = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0)
		pid = 0;
	fclose(f);
	return (pid_t) pid;
}

static bool
process_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

bool
pidfile_create(const char *path)
{
	pid_t		old = pidfile_read(path);
	char		buf[32];
	int			fd;
	int			n;

	if (old > 0 && old != getpid() && process_alive(old))
	{
		plog_ex(PL_FATAL, log_fmt("pid file \"%s\" names a running process", path),
				"Stop that pgpool first, or use another pid_file_name.",
				"pid file found. is another pgpool(%d) running?", (int) old);
		return false;
	}
	if (old > 0 || access(path, F_OK) == 0)
	{
		plog(PL_LOG, "removing stale pid file \"%s\"", path);
		unlink(path);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
	{
		plog(PL_FATAL, "could not create pid file \"%s\": %m", path);
		return false;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int) getpid());
	if (write(fd, buf, n) != n)
	{
		plog(PL_FATAL, "could not write pid file \"%s\": %m", path);
		close(fd);
		unlink(path);
		return false;
	}
	close(fd);
	return true;
}

void
pidfile_remove(const char *path)
{
	if (pidfile_read(path) == getpid())
		unlink(path);
}
