/*
 * listen.c: the client-facing sockets, opened by the parent before forking
 * so every child accepts on the same ones.  TCP on listen_addresses:port
 * ('*' = every address, '' = none, or a comma-separated list) and the UNIX
 * socket <socket_dir>/.s.PGSQL.<port>.
 */
#include "main/pgpool_main.h"
#include "utils/net_listen.h"

#include <stdio.h>
#include <unistd.h>

static int
backlog(const PoolConfig *cfg)
{
	int			n = cfg->num_init_children * (cfg->listen_backlog_multiplier > 0 ? cfg->listen_backlog_multiplier : 1);

	return n < 128 ? 128 : n;
}

int
listen_open(const PoolConfig *cfg, int *fds, int max_fds)
{
	char		path[512];
	int			n = net_listen_tcp_list(cfg->listen_addresses, cfg->port, backlog(cfg), "listen",
										fds, max_fds - 1);

	if (n < 0)
		return -1;
	fds[n] = net_listen_unix(cfg->socket_dir, cfg->port, backlog(cfg), "listen", path, sizeof(path));
	if (fds[n] < 0)
	{
		listen_close(fds, n, NULL);
		return -1;
	}
	return n + 1;
}

static void
unix_socket_path(const PoolConfig *cfg, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/.s.PGSQL.%d", cfg->socket_dir, cfg->port);
}

void
listen_close(int *fds, int nfds, const PoolConfig *cfg)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (cfg)
	{
		char		path[512];

		unix_socket_path(cfg, path, sizeof(path));
		unlink(path);
	}
}
