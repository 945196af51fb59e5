/*
 * failover_command.c: failover_command, failback_command (and later
 * follow_primary_command): expand the % escapes, run the result through
 * /bin/sh and log how it ended.  Runs in the parent, which waits for the
 * command before it goes on (as the manual describes).
 */
#include "failover/failover.h"

#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct StrOut
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrOut;

static void
out_append(StrOut *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap)
	{
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 256;
		o->data = mem_realloc(o->data, o->cap);
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	o->data[o->len] = '\0';
}

static void
out_str(StrOut *o, const char *s)
{
	out_append(o, s ? s : "", s ? strlen(s) : 0);
}

static void
out_int(StrOut *o, int v)
{
	char		buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	out_str(o, buf);
}

/* Append the value of escape c; false if c is not an escape. */
static bool
expand_one(StrOut *o, char c, const FailoverContext *ctx)
{
	switch (c)
	{
		case 'd': out_int(o, ctx->node_id); break;
		case 'h': out_str(o, ctx->host); break;
		case 'p': out_int(o, ctx->port); break;
		case 'D': out_str(o, ctx->data_dir); break;
		case 'm': out_int(o, ctx->new_main_id); break;
		case 'H': out_str(o, ctx->new_main_host); break;
		case 'r': out_int(o, ctx->new_main_port); break;
		case 'R': out_str(o, ctx->new_main_data_dir); break;
		case 'M': out_int(o, ctx->old_main_id); break;
		case 'P': out_int(o, ctx->old_primary_id); break;
		case 'N': out_str(o, ctx->old_primary_host); break;
		case 'S': out_int(o, ctx->old_primary_port); break;
		case '%': out_str(o, "%"); break;
		default:
			return false;
	}
	return true;
}

char *
failover_expand_command(const char *tmpl, const FailoverContext *ctx)
{
	StrOut		o = {NULL, 0, 0};

	out_str(&o, "");
	for (const char *p = tmpl; *p; p++)
	{
		if (*p != '%' || p[1] == '\0')
		{
			out_append(&o, p, 1);
			continue;
		}
		if (!expand_one(&o, p[1], ctx))
			out_append(&o, p, 2);
		p++;
	}
	return o.data;
}

static void
fill_node(const PoolConfig *cfg, int id, const char **host, int *port, const char **dir)
{
	*host = "";
	*port = 0;
	*dir = "";
	if (id < 0 || id >= node_table->num_backends)
		return;
	*host = node_table->nodes[id].hostname;
	*port = node_table->nodes[id].port;
	if (id < cfg->num_backends && cfg->backends[id].data_directory)
		*dir = cfg->backends[id].data_directory;
}

void
failover_context_fill(FailoverContext *ctx, const PoolConfig *cfg, int node_id,
					  int old_main, int new_main, int old_primary)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->node_id = node_id;
	fill_node(cfg, node_id, &ctx->host, &ctx->port, &ctx->data_dir);
	ctx->new_main_id = new_main;
	fill_node(cfg, new_main, &ctx->new_main_host, &ctx->new_main_port, &ctx->new_main_data_dir);
	ctx->old_main_id = old_main;
	ctx->old_primary_id = old_primary;
	{
		const char *unused_dir;

		fill_node(cfg, old_primary, &ctx->old_primary_host, &ctx->old_primary_port, &unused_dir);
	}
}

/* In the forked shell: default signal handling, nothing blocked. */
static void __attribute__((noreturn))
exec_shell(const char *command)
{
	sigset_t	none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execl("/bin/sh", "sh", "-c", command, (char *) NULL);
	_exit(127);
}

int
failover_run_command(const char *what, const char *command)
{
	pid_t		pid;
	int			status;

	plog(PL_LOG, "execute command: %s", command);
	pid = fork();
	if (pid < 0)
	{
		plog(PL_LOG, "could not fork to run %s: %m", what);
		return -1;
	}
	if (pid == 0)
		exec_shell(command);
	while (waitpid(pid, &status, 0) < 0)
	{
		if (errno != EINTR)
		{
			plog(PL_LOG, "could not wait for %s: %m", what);
			return -1;
		}
	}
	if (WIFSIGNALED(status))
	{
		plog_ex(PL_LOG, log_fmt("command: %s", command), NULL,
				"%s was terminated by signal %d", what, WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	if (WEXITSTATUS(status) != 0)
		plog_ex(PL_LOG, log_fmt("command: %s", command), NULL,
				"%s exited with status %d", what, WEXITSTATUS(status));
	else
		plog(PL_DEBUG1, "%s finished", what);
	return WEXITSTATUS(status);
}
