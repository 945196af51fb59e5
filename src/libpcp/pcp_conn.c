/*
 * pcp_conn.c: libpcp's connection: connect (TCP or UNIX socket) with a
 * timeout, authenticate with a salted hash, send and receive packets, run
 * one request.  Errors are recorded on the PcpConn with the PCP error code
 * the tools exit with.
 */
#include "pcp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

PcpErrorCode
pcp_set_error(PcpConn *conn, PcpErrorCode code, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(conn->errmsg, sizeof(conn->errmsg), fmt, ap);
	va_end(ap);
	conn->errdetail[0] = '\0';
	conn->last_error = code;
	return code;
}

/* A broken connection cannot be used again. */
static PcpErrorCode
conn_fail(PcpConn *conn, PcpErrorCode code)
{
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
	conn->status = code;
	return code;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd; returns 1 ready, 0 timeout, -1 error.  deadline < 0: none. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;)
	{
		struct pollfd pfd = {.fd = fd, .events = events};
		int			ms = deadline < 0 ? -1 : (int) (deadline - now_ms());
		int			rc;

		if (deadline >= 0 && ms <= 0)
			return 0;
		rc = poll(&pfd, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		return rc < 0 ? -1 : rc;
	}
}

static int64_t
deadline_of(const PcpConn *conn)
{
	return conn->timeout > 0 ? now_ms() + (int64_t) conn->timeout * 1000 : -1;
}

/* Read exactly len bytes before the deadline. */
static PcpErrorCode
read_exact(PcpConn *conn, char *buf, size_t len, int64_t deadline)
{
	while (len > 0)
	{
		ssize_t		n;
		int			w = wait_fd(conn->fd, POLLIN, deadline);

		if (w == 0)
			return pcp_set_error(conn, PCP_ERR_TIMEOUT, "timeout while waiting for the server's reply");
		if (w < 0)
			return pcp_set_error(conn, PCP_ERR_READ, "could not read from the server: %s", strerror(errno));
		n = recv(conn->fd, buf, len, 0);
		if (n == 0)
			return pcp_set_error(conn, PCP_ERR_EOF, "the server closed the connection unexpectedly");
		if (n < 0)
		{
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return pcp_set_error(conn, PCP_ERR_READ, "could not read from the server: %s", strerror(errno));
		}
		buf += n;
		len -= (size_t) n;
	}
	return PCP_OK;
}

static PcpErrorCode
write_all(PcpConn *conn, const char *buf, size_t len)
{
	int64_t		deadline = deadline_of(conn);

	while (len > 0)
	{
		ssize_t		n;
		int			w = wait_fd(conn->fd, POLLOUT, deadline);

		if (w == 0)
			return pcp_set_error(conn, PCP_ERR_TIMEOUT, "timeout while sending to the server");
		if (w < 0)
			return pcp_set_error(conn, PCP_ERR_WRITE, "could not send to the server: %s", strerror(errno));
		n = send(conn->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0)
		{
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return pcp_set_error(conn, PCP_ERR_WRITE, "could not send to the server: %s", strerror(errno));
		}
		buf += n;
		len -= (size_t) n;
	}
	return PCP_OK;
}

PcpErrorCode
pcp_send_packet(PcpConn *conn, char type, int n, const char *const *fields)
{
	PcpErrorCode rc;

	if (conn->fd < 0)
		return pcp_set_error(conn, PCP_ERR_NOCONN, "no connection to the PCP server");
	pcp_buf_reset(&conn->out);
	pcp_packet_build(&conn->out, type, n, fields);
	if (conn->out.oom)
		return pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory");
	if (conn->debug)
		fprintf(stderr, "DEBUG: send: type=\"%c\" len=%zu fields=%d\n", type, conn->out.len - 1, n);
	rc = write_all(conn, conn->out.data, conn->out.len);
	return rc == PCP_OK ? PCP_OK : conn_fail(conn, rc);
}

PcpErrorCode
pcp_recv_packet(PcpConn *conn, PcpPacket *out)
{
	char		hdr[PCP_HEADER_LEN];
	char		type;
	size_t		len;
	int64_t		deadline = deadline_of(conn);
	PcpErrorCode rc;
	PcpWireStatus st;

	if (conn->fd < 0)
		return pcp_set_error(conn, PCP_ERR_NOCONN, "no connection to the PCP server");
	if ((rc = read_exact(conn, hdr, sizeof(hdr), deadline)) != PCP_OK)
		return conn_fail(conn, rc);
	st = pcp_header_parse(hdr, PCP_MAX_REPLY_BODY, &type, &len);
	if (st != PCP_WIRE_OK)
		return conn_fail(conn, pcp_set_error(conn, PCP_ERR_READ, "invalid packet from the server: %s",
											 pcp_wire_status_text(st)));
	if (len + 1 > conn->body_cap)
	{
		char	   *p = realloc(conn->body, len + 1);

		if (p == NULL)
			return conn_fail(conn, pcp_set_error(conn, PCP_ERR_NOMEM, "out of memory"));
		conn->body = p;
		conn->body_cap = len + 1;
	}
	if ((rc = read_exact(conn, conn->body, len, deadline)) != PCP_OK)
		return conn_fail(conn, rc);
	conn->body[len] = '\0';
	st = pcp_packet_parse(type, conn->body, len, out);
	if (st != PCP_WIRE_OK)
		return conn_fail(conn, pcp_set_error(conn, PCP_ERR_READ, "invalid packet from the server: %s",
											 pcp_wire_status_text(st)));
	if (conn->debug)
		fprintf(stderr, "DEBUG: recv: type=\"%c\" len=%zu fields=%d\n", type, len, out->nfields);
	return PCP_OK;
}

/* Record the server's 'E' packet as the error. */
static PcpErrorCode
take_server_error(PcpConn *conn, const PcpPacket *p)
{
	PcpErrorCode code = pcp_error_from_name(pcp_packet_field(p, 0));

	pcp_set_error(conn, code, "%s", pcp_packet_field(p, 1));
	snprintf(conn->errdetail, sizeof(conn->errdetail), "%s", pcp_packet_field(p, 2));
	return code;
}

/* ---- connecting --------------------------------------------------------------- */

/* Finish a non-blocking connect; returns PCP_OK or the error. */
static PcpErrorCode
finish_connect(PcpConn *conn, int fd, const struct sockaddr *addr, socklen_t len,
			   const char *where)
{
	int			err = 0;
	socklen_t	errlen = sizeof(err);

	if (connect(fd, addr, len) == 0)
		return PCP_OK;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return pcp_set_error(conn, PCP_ERR_CONN, "could not connect to %s: %s", where, strerror(errno));
	switch (wait_fd(fd, POLLOUT, deadline_of(conn)))
	{
		case 0:
			return pcp_set_error(conn, PCP_ERR_TIMEOUT, "timeout while connecting to %s", where);
		case -1:
			return pcp_set_error(conn, PCP_ERR_SOCK, "could not connect to %s: %s", where, strerror(errno));
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
		err = errno;
	if (err != 0)
		return pcp_set_error(conn, PCP_ERR_CONN, "could not connect to %s: %s", where, strerror(err));
	return PCP_OK;
}

static int
new_socket(PcpConn *conn, int family, int socktype, int protocol)
{
	int			fd = socket(family, socktype | SOCK_CLOEXEC, protocol);

	if (fd < 0)
	{
		pcp_set_error(conn, PCP_ERR_SOCK, "could not create socket: %s", strerror(errno));
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	return fd;
}

static PcpErrorCode
connect_unix(PcpConn *conn, const char *dir, int port)
{
	struct sockaddr_un addr;
	char		where[sizeof(addr.sun_path) + 16];
	PcpErrorCode rc;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/.s.PGSQL.%d", dir, port) >=
		(int) sizeof(addr.sun_path))
		return pcp_set_error(conn, PCP_ERR_INVAL, "socket directory \"%s\" is too long", dir);
	snprintf(where, sizeof(where), "socket \"%s\"", addr.sun_path);
	if ((conn->fd = new_socket(conn, AF_UNIX, SOCK_STREAM, 0)) < 0)
		return PCP_ERR_SOCK;
	rc = finish_connect(conn, conn->fd, (struct sockaddr *) &addr, sizeof(addr), where);
	return rc == PCP_OK ? PCP_OK : conn_fail(conn, rc);
}

static PcpErrorCode
connect_tcp(PcpConn *conn, const char *host, int port)
{
	struct addrinfo hints, *res, *ai;
	char		portstr[16], where[300];
	int			gai;
	PcpErrorCode rc = PCP_ERR_CONN;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(where, sizeof(where), "host \"%s\" port %d", host, port);
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0)
		return conn_fail(conn, pcp_set_error(conn, PCP_ERR_HOST, "could not resolve host name \"%s\": %s",
											 host, gai_strerror(gai)));
	for (ai = res; ai; ai = ai->ai_next)
	{
		if ((conn->fd = new_socket(conn, ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
		{
			rc = PCP_ERR_SOCK;
			continue;
		}
		rc = finish_connect(conn, conn->fd, ai->ai_addr, ai->ai_addrlen, where);
		if (rc == PCP_OK)
			break;
		close(conn->fd);
		conn->fd = -1;
	}
	freeaddrinfo(res);
	return rc == PCP_OK ? PCP_OK : conn_fail(conn, rc);
}

/* Read the server's salt packet; PCP_OK with the salt in p->fields[1]. */
static PcpErrorCode
recv_salt(PcpConn *conn, PcpPacket *p)
{
	PcpErrorCode rc;

	if ((rc = pcp_recv_packet(conn, p)) != PCP_OK)
		return rc;
	if (p->type == PCP_MSG_ERROR)
		return conn_fail(conn, take_server_error(conn, p));
	if (p->type != PCP_MSG_SALT || strcmp(pcp_packet_field(p, 0), PCP_PROTOCOL_VERSION) != 0 ||
		strlen(pcp_packet_field(p, 1)) != PCP_SALT_LEN)
		return conn_fail(conn, pcp_set_error(conn, PCP_ERR_READ,
											 "unexpected reply from the server: is this a pgpool PCP port?"));
	return PCP_OK;
}

/* Answer the server's salt with md5hex(md5hex(password) + salt). */
static PcpErrorCode
authenticate(PcpConn *conn, const char *user, const char *password)
{
	PcpPacket	p;
	char		pwhash[33], response[33];
	const char *fields[2];
	PcpErrorCode rc;

	if ((rc = recv_salt(conn, &p)) != PCP_OK)
		return rc;
	pcp_md5_hex(password, strlen(password), pwhash);
	pcp_auth_response(pwhash, pcp_packet_field(&p, 1), response);
	fields[0] = user;
	fields[1] = response;
	if ((rc = pcp_send_packet(conn, PCP_MSG_AUTH, 2, fields)) != PCP_OK)
		return rc;
	if ((rc = pcp_recv_packet(conn, &p)) != PCP_OK)
		return rc;
	if (p.type == PCP_MSG_ERROR)
		return conn_fail(conn, take_server_error(conn, &p));
	if (p.type != PCP_MSG_AUTH_OK)
		return conn_fail(conn, pcp_set_error(conn, PCP_ERR_READ, "unexpected reply to authentication"));
	return PCP_OK;
}

static PcpErrorCode
open_socket(PcpConn *conn, const PcpConnectParams *params)
{
	const char *host = params->host;
	int			port = params->port > 0 ? params->port : PCP_DEFAULT_PORT;

	if (host == NULL || host[0] == '\0' || host[0] == '/')
		return connect_unix(conn, host && host[0] ? host : PCP_DEFAULT_SOCKET_DIR, port);
	return connect_tcp(conn, host, port);
}

/*
 * No password given: make sure a PCP server answers, then ask for it and
 * start over on a new connection, so nobody is prompted when nothing
 * listens and a slow typist does not meet the server's pcp_timeout.
 */
static PcpErrorCode
ask_then_reconnect(PcpConn *conn, const PcpConnectParams *params, char **password)
{
	PcpPacket	p;
	PcpErrorCode rc = recv_salt(conn, &p);

	if (rc != PCP_OK)
		return rc;
	close(conn->fd);
	conn->fd = -1;
	*password = params->ask_password(params->ask_password_arg);
	return open_socket(conn, params);
}

PcpConn *
pcp_connect(const PcpConnectParams *params)
{
	PcpConn    *conn = calloc(1, sizeof(PcpConn));
	char	   *asked = NULL;
	PcpErrorCode rc;

	if (conn == NULL)
		return NULL;
	conn->fd = -1;
	conn->timeout = params->timeout;
	conn->debug = params->debug;
	pcp_buf_init(&conn->out);
	rc = open_socket(conn, params);
	if (rc == PCP_OK && params->password == NULL && params->ask_password)
		rc = ask_then_reconnect(conn, params, &asked);
	if (rc == PCP_OK)
		rc = authenticate(conn, params->user ? params->user : "",
						  params->password ? params->password : asked ? asked : "");
	if (asked)
	{
		memset(asked, 0, strlen(asked));
		free(asked);
	}
	conn->status = rc;
	return conn;
}

PcpErrorCode
pcp_conn_status(const PcpConn *conn)
{
	return conn ? conn->status : PCP_ERR_NOMEM;
}

void
pcp_disconnect(PcpConn *conn)
{
	if (conn == NULL)
		return;
	if (conn->fd >= 0 && conn->status == PCP_OK)
		pcp_send_packet(conn, PCP_MSG_TERMINATE, 0, NULL);
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->body);
	pcp_buf_free(&conn->out);
	free(conn);
}

PcpErrorCode
pcp_last_error(const PcpConn *conn)
{
	return conn ? conn->last_error : PCP_ERR_NOMEM;
}

const char *
pcp_error_message(const PcpConn *conn)
{
	return conn ? conn->errmsg : "out of memory";
}

const char *
pcp_error_detail(const PcpConn *conn)
{
	return conn ? conn->errdetail : "";
}

PcpErrorCode
pcp_run_command(PcpConn *conn, PcpCommandId id, int nargs, const char *const *args,
				PcpRowFn fn, void *arg)
{
	const char *fields[PCP_MAX_FIELDS];
	PcpErrorCode rc;
	PcpErrorCode row_rc = PCP_OK;

	if (conn == NULL)
		return PCP_ERR_NOMEM;
	if (conn->status != PCP_OK || conn->fd < 0)
		return pcp_set_error(conn, PCP_ERR_NOCONN, "no connection to the PCP server");
	fields[0] = pcp_command_info(id)->name;
	for (int i = 0; i < nargs && i + 1 < PCP_MAX_FIELDS; i++)
		fields[i + 1] = args[i];
	if ((rc = pcp_send_packet(conn, PCP_MSG_REQUEST, nargs + 1, fields)) != PCP_OK)
		return rc;
	for (;;)
	{
		PcpPacket	p;

		if ((rc = pcp_recv_packet(conn, &p)) != PCP_OK)
			return rc;
		if (p.type == PCP_MSG_COMPLETE)
			return row_rc;
		if (p.type == PCP_MSG_ERROR)
			return take_server_error(conn, &p);
		if (p.type != PCP_MSG_ROW || fn == NULL)
			return conn_fail(conn, pcp_set_error(conn, PCP_ERR_READ,
												 "unexpected packet \"%c\" from the server", p.type));
		/* after a bad row keep reading to the end, so the connection stays usable */
		if (row_rc == PCP_OK)
			row_rc = fn(conn, &p, arg);
	}
}
