/*
 * pcp_listen.c: the PCP sockets, opened by the parent before it forks:
 * TCP on pcp_listen_addresses:pcp_port ('*' every address, '' none, or a
 * comma-separated list) and the UNIX socket
 * <pcp_socket_dir>/.s.PGSQL.<pcp_port>.  Only pcp_main uses them; other
 * processes close their inherited copies.
 */
#include "pcp/pcp_server.h"

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

#define PCP_MAX_LISTEN 16
#define PCP_BACKLOG 64

static int	listen_fds[PCP_MAX_LISTEN];
static int	nlisten;
static char socket_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];

static bool
add_listener(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (listen(fd, PCP_BACKLOG) < 0)
	{
		plog(PL_FATAL, "could not listen on PCP socket: %m");
		close(fd);
		return false;
	}
	listen_fds[nlisten++] = fd;
	return true;
}

/* Bind every address host resolves to. */
static bool
listen_host(const char *host, int port)
{
	struct addrinfo hints, *res, *ai;
	char		portstr[16];
	int			rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, portstr, &hints, &res);
	if (rc != 0)
	{
		plog(PL_FATAL, "could not resolve pcp_listen_addresses entry \"%s\": %s", host, gai_strerror(rc));
		return false;
	}
	for (ai = res; ai && nlisten < PCP_MAX_LISTEN - 1; ai = ai->ai_next)
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
			if (strcmp(host, "*") == 0 && ai->ai_family == AF_INET6)
				continue;		/* no IPv6 on this host */
			plog_ex(PL_FATAL, log_fmt("PCP listen address \"%s\", port %d", host, port),
					"Is another pgpool already running on this port?",
					"could not bind PCP socket: %m");
			freeaddrinfo(res);
			return false;
		}
		if (!add_listener(fd))
		{
			freeaddrinfo(res);
			return false;
		}
	}
	freeaddrinfo(res);
	return true;
}

static bool
listen_unix(const PoolConfig *cfg)
{
	struct sockaddr_un addr;
	int			fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.%d", cfg->pcp_socket_dir,
				 cfg->pcp_port) >= (int) sizeof(addr.sun_path))
	{
		plog(PL_FATAL, "PCP socket path \"%s/.s.PGSQL.%d\" is too long", cfg->pcp_socket_dir, cfg->pcp_port);
		return false;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
	{
		plog(PL_FATAL, "could not create PCP UNIX socket: %m");
		return false;
	}
	/* a file left by a crashed pgpool is stale unless something answers on it */
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0)
	{
		plog_ex(PL_FATAL, log_fmt("socket file \"%s\" is in use", addr.sun_path),
				"Is another pgpool running with this pcp_port?", "could not create PCP UNIX socket");
		close(fd);
		return false;
	}
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		plog(PL_FATAL, "could not bind PCP UNIX socket \"%s\": %m", addr.sun_path);
		close(fd);
		return false;
	}
	str_copy(socket_path, addr.sun_path, sizeof(socket_path));
	/* pcp.conf authenticates every client; the socket itself is open */
	chmod(addr.sun_path, 0777);
	return add_listener(fd);
}

bool
pcp_listen_open(const PoolConfig *cfg)
{
	char	   *copy = str_dup(cfg->pcp_listen_addresses ? cfg->pcp_listen_addresses : "");
	char	   *hosts[PCP_MAX_LISTEN];
	int			nhosts = str_split(copy, ',', hosts, PCP_MAX_LISTEN);
	bool		ok = true;

	for (int i = 0; i < nhosts && ok; i++)
		ok = listen_host(hosts[i], cfg->pcp_port);
	free(copy);
	if (ok)
		ok = listen_unix(cfg);
	if (!ok)
		pcp_listen_close(cfg);
	return ok;
}

void
pcp_listen_close_inherited(void)
{
	for (int i = 0; i < nlisten; i++)
		close(listen_fds[i]);
	nlisten = 0;
}

void
pcp_listen_close(const PoolConfig *cfg)
{
	(void) cfg;
	pcp_listen_close_inherited();
	if (socket_path[0])
		unlink(socket_path);
	socket_path[0] = '\0';
}

int
pcp_listen_fds(const int **fds)
{
	*fds = listen_fds;
	return nlisten;
}
