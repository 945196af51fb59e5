/*
 * backend_connect.c: TCP and UNIX-socket connections to backends with a
 * bounded wait, used by children, health checks and cancel forwarding.
 */
#include "pool/backend_connect.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
set_nonblocking(int fd)
{
	int			flags = fcntl(fd, F_GETFL, 0);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Finish a non-blocking connect(2) within timeout_ms. */
static int
wait_connected(int fd, int timeout_ms, const char **why)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int			err = 0;
	socklen_t	len = sizeof(err);
	int			rc;

	do
		rc = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
	{
		*why = "timed out";
		return -1;
	}
	if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
	{
		*why = strerror(errno);
		return -1;
	}
	if (err != 0)
	{
		*why = strerror(err);
		return -1;
	}
	return 0;
}

static int
connect_fd(int fd, const struct sockaddr *addr, socklen_t len, int timeout_ms, const char **why)
{
	set_nonblocking(fd);
	if (connect(fd, addr, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
	{
		*why = strerror(errno);
		return -1;
	}
	return wait_connected(fd, timeout_ms, why);
}

static int
connect_unix(const char *dir, int port, int timeout_ms, const char **why)
{
	struct sockaddr_un addr;
	int			fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.%d", *dir ? dir : "/tmp", port);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
	{
		*why = strerror(errno);
		return -1;
	}
	if (connect_fd(fd, (struct sockaddr *) &addr, sizeof(addr), timeout_ms, why) < 0)
	{
		close(fd);
		return -1;
	}
	return fd;
}

int
backend_connect(const char *host, int port, int timeout_ms, const char **why)
{
	struct addrinfo hints, *res, *ai;
	char		portstr[16];
	int			fd = -1;
	int			rc;

	if (host == NULL || host[0] == '\0' || host[0] == '/')
		return connect_unix(host ? host : "", port, timeout_ms, why);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0)
	{
		*why = gai_strerror(rc);
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next)
	{
		int			one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
		{
			*why = strerror(errno);
			continue;
		}
		if (connect_fd(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms, why) == 0)
		{
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
