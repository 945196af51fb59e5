/*
 * wd_escalate.c: bringing the virtual IP up and down.  The watchdog process
 * forks one helper at a time: escalation runs wd_escalation_command, then
 * if_up_cmd and arping_cmd (with $_IP_$ replaced by delegate_IP, and
 * if_cmd_path / arping_path put before a command that is not an absolute
 * path); de-escalation runs wd_de_escalation_command, then if_down_cmd.
 * The watchdog loop never waits for a command; a change of mind while a
 * helper runs is applied, in order, once it has finished.
 */
#include "wd_int.h"

#include "utils/log.h"
#include "utils/shmem.h"
#include "utils/str.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t running_pid;
static bool running_up;
static bool wanted;
static bool held;

char *
wd_escalate_expand(const char *cmd, const char *path, const char *ip)
{
	size_t		cap = strlen(cmd) + (path ? strlen(path) : 0) + 2;
	const char *p;
	char	   *out, *o;
	int			n = 0;

	for (p = cmd; (p = strstr(p, "$_IP_$")) != NULL; p += 6)
		n++;
	cap += (size_t) n * strlen(ip ? ip : "");
	out = o = mem_alloc(cap);
	while (*cmd == ' ')
		cmd++;
	if (path && path[0] && cmd[0] != '/' && cmd[0] != '\0')
		o += sprintf(o, "%s/", path);
	for (p = cmd; *p;)
	{
		if (strncmp(p, "$_IP_$", 6) == 0)
		{
			o += sprintf(o, "%s", ip ? ip : "");
			p += 6;
		}
		else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* Run one command line with /bin/sh; true on exit status 0.  name is its parameter. */
static bool
run_one(const char *name, const char *cmd, const char *path, const char *ip)
{
	char	   *line;
	int			rc;

	if (cmd == NULL || cmd[0] == '\0')
		return true;
	line = wd_escalate_expand(cmd, path, ip);
	rc = system(line);
	if (rc == 0)
		plog(PL_LOG, "'%s' returned with success", name);
	else
		plog(PL_WARNING, "failed to execute '%s' (\"%s\"): exit status %d", name, line,
			 WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
	free(line);
	return rc == 0;
}

static bool
escalate(const PoolConfig *c)
{
	const char *ip = c->delegate_ip ? c->delegate_ip : "";
	bool		ok = run_one("wd_escalation_command", c->wd_escalation_command, NULL, ip);

	if (ip[0])
	{
		if (run_one("if_up_cmd", c->if_up_cmd, c->if_cmd_path, ip))
			plog(PL_LOG, "successfully acquired the delegate IP:\"%s\"", ip);
		else
			ok = false;
		run_one("arping_cmd", c->arping_cmd, c->arping_path, ip);
	}
	return ok;
}

static bool
de_escalate(const PoolConfig *c)
{
	const char *ip = c->delegate_ip ? c->delegate_ip : "";
	bool		ok = run_one("wd_de_escalation_command", c->wd_de_escalation_command, NULL, ip);

	if (ip[0])
	{
		if (run_one("if_down_cmd", c->if_down_cmd, c->if_cmd_path, ip))
			plog(PL_LOG, "successfully released the delegate IP:\"%s\"", ip);
		else
			ok = false;
	}
	return ok;
}

static void
start_helper(bool up)
{
	pid_t		pid;

	plog(PL_LOG, up ? "watchdog: escalation started" : "watchdog: de-escalation started");
	pid = fork();
	if (pid < 0)
	{
		plog(PL_WARNING, "could not fork the watchdog %s process: %m", up ? "escalation" : "de-escalation");
		return;
	}
	if (pid == 0)
	{
		sigset_t	none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGCHLD, SIG_DFL);
		log_set_process_name(up ? "watchdog escalation" : "watchdog de-escalation");
		_exit((up ? escalate(pool_config) : de_escalate(pool_config)) ? 0 : 1);
	}
	running_pid = pid;
	running_up = up;
}

static void
set_shared(bool value)
{
	shmem_lock(SHMEM_LOCK_WATCHDOG);
	wd_shared->escalated = value;
	shmem_unlock(SHMEM_LOCK_WATCHDOG);
}

void
wd_escalate_poll(void)
{
	int			status;

	if (running_pid > 0)
	{
		if (waitpid(running_pid, &status, WNOHANG) != running_pid)
			return;
		held = running_up;
		plog(PL_LOG, "watchdog %s process with pid: %d exit with %s",
			 running_up ? "escalation" : "de-escalation", (int) running_pid,
			 WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "SUCCESS." : "FAILURE.");
		running_pid = 0;
		set_shared(held);
	}
	if (wanted != held)
		start_helper(wanted);
}

void
wd_escalate_request(bool up)
{
	wanted = up;
	wd_escalate_poll();
}

void
wd_escalate_shutdown(void)
{
	int			status;

	if (running_pid > 0)
	{
		waitpid(running_pid, &status, 0);
		held = running_up;
		running_pid = 0;
	}
	if (held)
	{
		plog(PL_LOG, "watchdog: de-escalation started");
		de_escalate(pool_config);
		held = false;
		set_shared(false);
	}
}
