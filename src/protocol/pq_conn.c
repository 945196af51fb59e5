/*
 * pq_conn.c: buffered socket I/O for protocol connections.
 *
 * Used by children (client and backend sockets) and by helper processes
 * (health checks, PCP).  Sockets are non-blocking; waits use poll(2) so a
 * timeout or an interrupt flag can end them.
 */
#include "protocol/pq_conn.h"
#include "utils/str.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PQ_CONN_INITIAL_RBUF 16384

const sigset_t *pq_wait_sigmask;

static ssize_t
plain_recv(PqConn *c, void *buf, size_t len)
{
	return recv(c->fd, buf, len, 0);
}

static ssize_t
plain_send(PqConn *c, const void *buf, size_t len)
{
	return send(c->fd, buf, len, MSG_NOSIGNAL);
}

static void
plain_close(PqConn *c)
{
	(void) c;
}

static const PqTransport plain_transport = {plain_recv, plain_send, plain_close};

void
pq_conn_init(PqConn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->rcap = PQ_CONN_INITIAL_RBUF;
	c->rbuf = mem_alloc(c->rcap);
	pqbuf_init(&c->wbuf);
	c->transport = &plain_transport;
}

void
pq_conn_release_buffers(PqConn *c)
{
	free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = c->rpos = c->rlen = 0;
	pqbuf_free(&c->wbuf);
}

void
pq_conn_close(PqConn *c)
{
	if (c->fd >= 0)
	{
		if (c->transport && c->transport->close)
			c->transport->close(c);
		close(c->fd);
	}
	c->fd = -1;
	pq_conn_release_buffers(c);
}

int
pq_conn_wait(PqConn *c, bool for_write, int timeout_ms)
{
	struct pollfd pfd = {.fd = c->fd, .events = for_write ? POLLOUT : POLLIN};

	for (;;)
	{
		int			rc;

		if (c->interrupt && *c->interrupt)
			return PQ_IO_INTERRUPTED;
		if (pq_wait_sigmask)
		{
			struct timespec ts = {timeout_ms / 1000, (long) (timeout_ms % 1000) * 1000000L};

			rc = ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &ts, pq_wait_sigmask);
		}
		else
			rc = poll(&pfd, 1, timeout_ms);
		if (rc > 0)
			return PQ_IO_OK;
		if (rc == 0)
			return PQ_IO_TIMEOUT;
		if (errno != EINTR)
			return PQ_IO_ERROR;
	}
}

/* Make room for at least n more bytes after rlen, compacting first. */
static void
reserve_read(PqConn *c, size_t n)
{
	if (c->rpos > 0 && c->rpos == c->rlen)
		c->rpos = c->rlen = 0;
	if (c->rcap - c->rlen >= n)
		return;
	if (c->rpos > 0)
	{
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	if (c->rcap - c->rlen < n)
	{
		size_t		cap = c->rcap ? c->rcap : PQ_CONN_INITIAL_RBUF;

		while (cap - c->rlen < n)
			cap *= 2;
		c->rbuf = mem_realloc(c->rbuf, cap);
		c->rcap = cap;
	}
}

int
pq_conn_fill(PqConn *c, int timeout_ms)
{
	reserve_read(c, 4096);
	for (;;)
	{
		ssize_t		n = c->transport->recv(c, c->rbuf + c->rlen, c->rcap - c->rlen);

		if (n > 0)
		{
			c->rlen += n;
			return (int) n;
		}
		if (n == 0)
			return PQ_IO_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
		{
			int			rc = pq_conn_wait(c, false, timeout_ms);

			if (rc != PQ_IO_OK)
				return rc;
			continue;
		}
		return PQ_IO_ERROR;
	}
}

int
pq_conn_ensure(PqConn *c, size_t n, int timeout_ms)
{
	while (pq_conn_buffered(c) < n)
	{
		int			rc;

		reserve_read(c, n - pq_conn_buffered(c));
		rc = pq_conn_fill(c, timeout_ms);
		if (rc < 0)
			return rc;
	}
	return PQ_IO_OK;
}

int
pq_conn_read_message(PqConn *c, PqMsg *msg, size_t max_len, int timeout_ms)
{
	int			rc;
	int32_t		len;

	rc = pq_conn_ensure(c, 5, timeout_ms);
	if (rc < 0)
		return rc;
	len = pq_peek_int32(c->rbuf + c->rpos + 1);
	if (len < 4)
		return PQ_IO_BAD_LENGTH;
	if ((size_t) len - 4 > max_len)
		return PQ_IO_TOO_BIG;
	rc = pq_conn_ensure(c, (size_t) len + 1, timeout_ms);
	if (rc < 0)
		return rc;
	msg->type = c->rbuf[c->rpos];
	msg->body = c->rbuf + c->rpos + 5;
	msg->len = (size_t) len - 4;
	c->rpos += (size_t) len + 1;
	return PQ_IO_OK;
}

int
pq_conn_read_startup(PqConn *c, const char **body, size_t *len, int timeout_ms)
{
	int			rc;
	int32_t		plen;

	rc = pq_conn_ensure(c, 4, timeout_ms);
	if (rc < 0)
		return rc;
	plen = pq_peek_int32(c->rbuf + c->rpos);
	if (plen < 8)
		return PQ_IO_BAD_LENGTH;
	if (plen > PQ_MAX_STARTUP_PACKET)
		return PQ_IO_TOO_BIG;
	rc = pq_conn_ensure(c, (size_t) plen, timeout_ms);
	if (rc < 0)
		return rc;
	*body = c->rbuf + c->rpos + 4;
	*len = (size_t) plen - 4;
	c->rpos += (size_t) plen;
	return PQ_IO_OK;
}

/* Write exactly len bytes, waiting for the socket as needed. */
static int
send_all(PqConn *c, const char *p, size_t len, int timeout_ms)
{
	while (len > 0)
	{
		ssize_t		n = c->transport->send(c, p, len);

		if (n > 0)
		{
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		{
			int			rc = pq_conn_wait(c, true, timeout_ms);

			if (rc != PQ_IO_OK)
				return rc;
			continue;
		}
		return PQ_IO_ERROR;
	}
	return PQ_IO_OK;
}

int
pq_conn_flush(PqConn *c, int timeout_ms)
{
	int			rc;

	if (c->wbuf.len == 0)
		return PQ_IO_OK;
	rc = send_all(c, c->wbuf.data, c->wbuf.len, timeout_ms);
	pqbuf_reset(&c->wbuf);
	return rc;
}

int
pq_conn_send(PqConn *c, const void *buf, size_t len, int timeout_ms)
{
	int			rc = pq_conn_flush(c, timeout_ms);

	if (rc != PQ_IO_OK)
		return rc;
	return send_all(c, buf, len, timeout_ms);
}

const char *
pq_io_status_text(int status)
{
	switch (status)
	{
		case PQ_IO_EOF:
			return "end of file";
		case PQ_IO_ERROR:
			return strerror(errno);
		case PQ_IO_TIMEOUT:
			return "timeout";
		case PQ_IO_TOO_BIG:
			return "message too long";
		case PQ_IO_BAD_LENGTH:
			return "invalid message length";
		case PQ_IO_INTERRUPTED:
			return "interrupted";
		default:
			return "ok";
	}
}
