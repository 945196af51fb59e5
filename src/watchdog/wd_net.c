/*
 * wd_net.c: the watchdog process's TCP: a listening socket on this node's
 * wd_port for the peers' connections (read only), and one outgoing
 * connection per peer (write only), made non-blocking and remade a second
 * after it fails.  A refused or reset connection is reported at once: a
 * pgpool that died has no listener, which is quicker to see than missing
 * heartbeats.  Frames are wd_message.c's, authenticated with wd_authkey.
 */
#include "wd_int.h"

#include "utils/clock.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WD_MAX_INBOUND 64
#define WD_OUTBUF 65536
#define WD_RECONNECT_MS 1000
#define WD_USER_TIMEOUT_MS 3000	/* unacknowledged data: the connection is dead */

typedef struct Inbound
{
	int			fd;
	int			peer;			/* -1 until its first frame */
	size_t		len;
	uint8_t		buf[WD_MAX_FRAME * 4];
} Inbound;

typedef struct Outbound
{
	int			fd;
	bool		connecting;
	int64_t		next_try_ms;
	bool		failed;			/* failed since the last report */
	size_t		len;
	uint8_t		buf[WD_OUTBUF];
} Outbound;

static const WdClusterConfig *cl;
static const char *authkey;
static int	listen_fd = -1;
static Inbound inbound[WD_MAX_INBOUND];
static Outbound outbound[WD_MAX_NODES];

static void
set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static struct addrinfo *
resolve(const char *host, int port, int flags)
{
	struct addrinfo hints, *res = NULL;
	char		service[16];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host && host[0] && strcmp(host, "*") != 0 ? host : NULL, service, &hints, &res) != 0)
		return NULL;
	return res;
}

bool
wd_net_open(const WdClusterConfig *c, const PoolConfig *cfg)
{
	const WdNodeAddr *self = &c->nodes[c->self];
	const char *addr = cfg->wd_listen_address && cfg->wd_listen_address[0] ? cfg->wd_listen_address : self->host;
	int			port = cfg->wd_listen_port > 0 ? cfg->wd_listen_port : self->wd_port;
	struct addrinfo *res = resolve(addr, port, AI_PASSIVE);
	int			one = 1;

	cl = c;
	authkey = cfg->wd_authkey ? cfg->wd_authkey : "";
	for (int i = 0; i < WD_MAX_INBOUND; i++)
		inbound[i].fd = -1;
	for (int i = 0; i < WD_MAX_NODES; i++)
		outbound[i].fd = -1;
	if (res == NULL || (listen_fd = socket(res->ai_family, SOCK_STREAM, 0)) < 0)
	{
		plog(PL_FATAL, "could not create watchdog listening socket for \"%s\" port %d", addr, port);
		return false;
	}
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, res->ai_addr, res->ai_addrlen) < 0 || listen(listen_fd, 32) < 0)
	{
		plog(PL_FATAL, "failed to bind the watchdog socket to \"%s\" port %d: %m", addr, port);
		freeaddrinfo(res);
		return false;
	}
	freeaddrinfo(res);
	set_nonblock(listen_fd);
	plog(PL_LOG, "watchdog is listening on \"%s\" port %d", addr, port);
	return true;
}

static void
out_close(int peer)
{
	Outbound   *o = &outbound[peer];

	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	o->connecting = false;
	o->len = 0;
	o->next_try_ms = clock_monotonic_ms() + WD_RECONNECT_MS;
}

static void
out_connect(int peer)
{
	Outbound   *o = &outbound[peer];
	struct addrinfo *res = resolve(cl->nodes[peer].host, cl->nodes[peer].wd_port, 0);
	int			one = 1;
	unsigned int user_timeout = WD_USER_TIMEOUT_MS;

	o->next_try_ms = clock_monotonic_ms() + WD_RECONNECT_MS;
	if (res == NULL)
		return;
	o->fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (o->fd >= 0)
	{
		set_nonblock(o->fd);
		setsockopt(o->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/*
		 * Data unacknowledged this long (a link down, a partition) aborts the
		 * connection: a fresh one is made, instead of resuming on a stale one
		 * whose retransmissions back off for many seconds after the network
		 * heals (the peer would miss our messages and stand for leader).
		 */
		setsockopt(o->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof(user_timeout));
		if (connect(o->fd, res->ai_addr, res->ai_addrlen) == 0)
			o->connecting = false;
		else if (errno == EINPROGRESS)
			o->connecting = true;
		else
		{
			out_close(peer);
			o->failed = true;
		}
	}
	freeaddrinfo(res);
}

/* Write what is buffered; false when the connection failed. */
static bool
out_flush(int peer)
{
	Outbound   *o = &outbound[peer];

	while (o->fd >= 0 && !o->connecting && o->len > 0)
	{
		ssize_t		n = send(o->fd, o->buf, o->len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		memmove(o->buf, o->buf + n, o->len - (size_t) n);
		o->len -= (size_t) n;
	}
	return true;
}

void
wd_net_send(int peer, const WdMessage *m)
{
	uint8_t		frame[WD_MAX_FRAME];
	size_t		len = wd_msg_encode(m, authkey, frame, sizeof(frame));

	for (int i = 0; i < cl->nnodes; i++)
	{
		Outbound   *o = &outbound[i];

		if (i == cl->self || (peer >= 0 && i != peer))
			continue;
		if (o->fd < 0)
			out_connect(i);
		if (o->fd < 0 || len == 0)
			continue;
		if (o->len + len > sizeof(o->buf))
		{
			plog(PL_LOG, "watchdog: the connection to node %d is not draining: reconnecting", i);
			out_close(i);
			continue;
		}
		memcpy(o->buf + o->len, frame, len);
		o->len += len;
	}
}

static void
accept_peer(void)
{
	int			fd;

	while ((fd = accept(listen_fd, NULL, NULL)) >= 0)
	{
		int			slot = -1;

		for (int i = 0; i < WD_MAX_INBOUND && slot < 0; i++)
			if (inbound[i].fd < 0)
				slot = i;
		if (slot < 0)
		{
			close(fd);
			continue;
		}
		set_nonblock(fd);
		inbound[slot].fd = fd;
		inbound[slot].peer = -1;
		inbound[slot].len = 0;
	}
}

static void
in_close(Inbound *in, const WdNetHandlers *h)
{
	int			peer = in->peer;

	close(in->fd);
	in->fd = -1;
	/* the peer's end went away: find out at once whether it still listens */
	if (peer >= 0 && peer < cl->nnodes && peer != cl->self)
	{
		out_close(peer);
		outbound[peer].next_try_ms = 0;
	}
	(void) h;
}

static void
in_read(Inbound *in, const WdNetHandlers *h)
{
	ssize_t		n = recv(in->fd, in->buf + in->len, sizeof(in->buf) - in->len, 0);
	size_t		off = 0;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
	{
		in_close(in, h);
		return;
	}
	in->len += (size_t) n;
	for (;;)
	{
		WdMessage	m;
		size_t		used;
		WdDecodeStatus st = wd_msg_decode(in->buf + off, in->len - off, authkey, &m, &used);

		if (st == WD_DECODE_NEED_MORE)
			break;
		if (st != WD_DECODE_OK)
		{
			plog(PL_WARNING, "watchdog: %s message from a remote node: closing its connection",
				 st == WD_DECODE_AUTH_FAILED ? "failed to authenticate a" : "invalid");
			in_close(in, h);
			return;
		}
		off += used;
		if (m.sender < 0 || m.sender >= cl->nnodes || m.sender == cl->self)
			continue;
		in->peer = m.sender;
		h->on_message(h->arg, &m);
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
}

/* A non-blocking connect finished: did it work? */
static void
out_ready(int peer, short revents, const WdNetHandlers *h)
{
	Outbound   *o = &outbound[peer];
	int			err = 0;
	socklen_t	len = sizeof(err);

	if (o->connecting)
	{
		getsockopt(o->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0)
		{
			out_close(peer);
			h->on_disconnect(h->arg, peer);
			return;
		}
		o->connecting = false;
	}
	if (revents & POLLIN)
	{
		char		c;
		ssize_t		r = recv(o->fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			revents |= POLLHUP; /* the peer closed its end */
	}
	if ((revents & (POLLERR | POLLHUP)) || !out_flush(peer))
	{
		out_close(peer);
		h->on_disconnect(h->arg, peer);
	}
}

void
wd_net_poll(int timeout_ms, const sigset_t *wait_mask, const WdNetHandlers *h)
{
	struct pollfd pfd[1 + WD_MAX_INBOUND + WD_MAX_NODES];
	int			who[1 + WD_MAX_INBOUND + WD_MAX_NODES];	/* >= 0 inbound, < -1 outbound */
	int			n = 0;
	struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
	int64_t		now = clock_monotonic_ms();

	for (int i = 0; i < cl->nnodes; i++)
		if (i != cl->self && outbound[i].fd < 0 && now >= outbound[i].next_try_ms)
			out_connect(i);
	pfd[n] = (struct pollfd) {listen_fd, POLLIN, 0};
	who[n++] = -1;
	for (int i = 0; i < WD_MAX_INBOUND; i++)
		if (inbound[i].fd >= 0)
		{
			pfd[n] = (struct pollfd) {inbound[i].fd, POLLIN, 0};
			who[n++] = i;
		}
	for (int i = 0; i < cl->nnodes; i++)
		if (outbound[i].fd >= 0)
		{
			short		ev = outbound[i].connecting || outbound[i].len ? POLLOUT : POLLIN;

			pfd[n] = (struct pollfd) {outbound[i].fd, ev, 0};
			who[n++] = -2 - i;
		}
	if (ppoll(pfd, (nfds_t) n, &ts, wait_mask) <= 0)
		n = 0;
	for (int i = 0; i < n; i++)
	{
		if (pfd[i].revents == 0)
			continue;
		if (who[i] == -1)
			accept_peer();
		else if (who[i] >= 0)
			in_read(&inbound[who[i]], h);
		else if (outbound[-2 - who[i]].fd == pfd[i].fd)
			out_ready(-2 - who[i], pfd[i].revents, h);
	}
	for (int i = 0; i < cl->nnodes; i++)
		if (outbound[i].failed)
		{
			outbound[i].failed = false;
			h->on_disconnect(h->arg, i);
		}
}

void
wd_net_close(void)
{
	for (int i = 0; i < cl->nnodes; i++)
	{
		out_flush(i);
		if (outbound[i].fd >= 0)
			close(outbound[i].fd);
	}
	if (listen_fd >= 0)
		close(listen_fd);
}
