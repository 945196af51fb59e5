/*
 * listen.c: the client-facing sockets, opened by the parent before forking
 * so every child accepts on the same ones.  TCP on listen_addresses:port
 * ('*' = every address, '' = none, or a comma-separated list) and the UNIX
 * socket <socket_dir>/.s.PGSQL.<port>.
 */
#include "main/pgpool_main.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int
backlog(const PoolConfig *cfg)
{
	int			n = cfg->num_init_children * (cfg->listen_backlog_multiplier > 0 ? cfg->listen_backlog_multiplier : 1);

	return n < 128 ? 128 : n;
}

static int
prepare_listener(int fd, const PoolConfig *cfg)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (listen(fd, backlog(cfg)) < 0)
	{
		plog(PL_FATAL, "could not listen on socket: %m");
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind every address host resolves to; returns how many sockets were added, -1 on error. */
static int
listen_host(const char *host, const PoolConfig *cfg, int *fds, int room)
{
	struct addrinfo hints, *res, *ai;
	char		port[16];
	int			n = 0;
	int			rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%d", cfg->port);
	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &res);
	if (rc != 0)
	{
		plog(PL_FATAL, "could not resolve listen address \"%s\": %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && n < room; ai = ai->ai_next)
	{
		int			one = 1;
		int			fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		{
			int			saved = errno;

			close(fd);
			errno = saved;
			/* '*' on a host without IPv6 is fine; a named address that fails is not */
			if (strcmp(host, "*") == 0 && ai->ai_family == AF_INET6)
				continue;
			plog_ex(PL_FATAL, log_fmt("listen address \"%s\", port %d", host, cfg->port),
					"Is another pgpool or PostgreSQL already running on this port?",
					"could not bind socket: %m");
			freeaddrinfo(res);
			return -1;
		}
		if ((fds[n] = prepare_listener(fd, cfg)) < 0)
		{
			freeaddrinfo(res);
			return -1;
		}
		n++;
	}
	freeaddrinfo(res);
	return n;
}

static void
unix_socket_path(const PoolConfig *cfg, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/.s.PGSQL.%d", cfg->socket_dir, cfg->port);
}

static int
listen_unix(const PoolConfig *cfg)
{
	struct sockaddr_un addr;
	int			fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	unix_socket_path(cfg, addr.sun_path, sizeof(addr.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	/* a socket file left by a crashed pgpool is stale unless something answers on it */
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0)
	{
		plog_ex(PL_FATAL, log_fmt("socket file \"%s\" is in use", addr.sun_path),
				"Is another pgpool running on this port?", "could not create UNIX socket");
		close(fd);
		return -1;
	}
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		plog(PL_FATAL, "could not bind UNIX socket \"%s\": %m", addr.sun_path);
		close(fd);
		return -1;
	}
	chmod(addr.sun_path, 0777);
	return prepare_listener(fd, cfg);
}

int
listen_open(const PoolConfig *cfg, int *fds, int max_fds)
{
	char	   *copy = str_dup(cfg->listen_addresses ? cfg->listen_addresses : "");
	char	   *hosts[32];
	int			nhosts = str_split(copy, ',', hosts, 32);
	int			n = 0;

	for (int i = 0; i < nhosts; i++)
	{
		int			added = listen_host(hosts[i], cfg, fds + n, max_fds - 1 - n);

		if (added < 0)
		{
			free(copy);
			listen_close(fds, n, NULL);
			return -1;
		}
		n += added;
	}
	free(copy);
	fds[n] = listen_unix(cfg);
	if (fds[n] < 0)
	{
		listen_close(fds, n, NULL);
		return -1;
	}
	return n + 1;
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
