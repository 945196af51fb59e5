/*
 * net_listen.c: TCP and UNIX listening sockets shared by the client
 * listener (main/listen.c) and the PCP listener (pcp/pcp_listen.c).
 */
#include "utils/net_listen.h"
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
start_listening(int fd, int backlog, const char *what)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (listen(fd, backlog) < 0)
	{
		plog(PL_FATAL, "could not listen on %s socket: %m", what);
		close(fd);
		return -1;
	}
	return fd;
}

static void
close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Bind every address host resolves to; returns how many sockets, -1 on error. */
static int
listen_host(const char *host, int port, int backlog, const char *what, int *fds, int room)
{
	struct addrinfo hints, *res, *ai;
	char		portstr[16];
	int			n = 0, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, portstr, &hints, &res);
	if (rc != 0)
	{
		plog(PL_FATAL, "could not resolve %s address \"%s\": %s", what, host, gai_strerror(rc));
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
			plog_ex(PL_FATAL, log_fmt("%s address \"%s\", port %d", what, host, port),
					"Is another pgpool or PostgreSQL already running on this port?",
					"could not bind %s socket: %m", what);
			close_all(fds, n);
			freeaddrinfo(res);
			return -1;
		}
		if ((fds[n] = start_listening(fd, backlog, what)) < 0)
		{
			close_all(fds, n);
			freeaddrinfo(res);
			return -1;
		}
		n++;
	}
	freeaddrinfo(res);
	return n;
}

int
net_listen_tcp_list(const char *addresses, int port, int backlog, const char *what,
					int *fds, int room)
{
	char	   *copy = str_dup(addresses ? addresses : "");
	char	   *hosts[32];
	int			nhosts = str_split(copy, ',', hosts, 32);
	int			n = 0;

	for (int i = 0; i < nhosts; i++)
	{
		int			added = listen_host(hosts[i], port, backlog, what, fds + n, room - n);

		if (added < 0)
		{
			close_all(fds, n);
			free(copy);
			return -1;
		}
		n += added;
	}
	free(copy);
	return n;
}

int
net_listen_unix(const char *dir, int port, int backlog, const char *what, char *path, int cap)
{
	struct sockaddr_un addr;
	int			fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.%d", dir, port) >=
		(int) sizeof(addr.sun_path))
	{
		plog(PL_FATAL, "%s socket path \"%s/.s.PGSQL.%d\" is too long", what, dir, port);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
	{
		plog(PL_FATAL, "could not create %s UNIX socket: %m", what);
		return -1;
	}
	/* a socket file left by a crashed pgpool is stale unless something answers on it */
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0)
	{
		plog_ex(PL_FATAL, log_fmt("socket file \"%s\" is in use", addr.sun_path),
				"Is another pgpool running on this port?", "could not create %s UNIX socket", what);
		close(fd);
		return -1;
	}
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
	{
		plog(PL_FATAL, "could not bind %s UNIX socket \"%s\": %m", what, addr.sun_path);
		close(fd);
		return -1;
	}
	/* authentication (pool_hba.conf, pcp.conf) decides who gets in, not file modes */
	chmod(addr.sun_path, 0777);
	str_copy(path, addr.sun_path, (size_t) cap);
	return start_listening(fd, backlog, what);
}
