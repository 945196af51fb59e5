/*
 * startup.c: from an accepted socket to a parsed startup packet.
 *
 * Answers SSLRequest ('S' and the TLS handshake when clients may use SSL,
 * else 'N') and GSSENCRequest ('N'), forwards CancelRequest, checks the
 * protocol version and user name, and keeps the authentication_timeout
 * clock that every later authentication step (attach.c, auth_*.c) waits
 * under.  Runs in a child.
 */
#include "session/session.h"

#include "auth/auth_tls.h"
#include "config/config.h"
#include "protocol/pq_tls.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int64_t auth_deadline_ms;

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Milliseconds left before authentication_timeout; -1 when there is none. */
int
session_auth_remaining(void)
{
	int64_t		left;

	if (auth_deadline_ms == 0)
		return -1;
	left = auth_deadline_ms - now_ms();
	return left > 0 ? (int) left : 0;
}

static SessionStatus
startup_io_failure(Session *s, int rc, const char *what)
{
	if (rc == PQ_IO_TIMEOUT)
	{
		plog(PL_LOG, "authentication timeout: no %s from client %s within %d seconds",
			 what, s->client_host, pool_config->authentication_timeout);
		return SESSION_CLIENT_TIMEOUT;
	}
	if (rc == PQ_IO_BAD_LENGTH || rc == PQ_IO_TOO_BIG)
	{
		plog(PL_LOG, "invalid length of startup packet from client %s", s->client_host);
		session_send_error(s, "FATAL", "08P01", "invalid length of startup packet", NULL);
		return SESSION_CLIENT_ERROR;
	}
	if (rc == PQ_IO_INTERRUPTED)
		return SESSION_SHUTDOWN;
	return SESSION_CLIENT_EOF;
}

static SessionStatus
reject_protocol(Session *s, int32_t code)
{
	char		msg[128];

	snprintf(msg, sizeof(msg), "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
			 (unsigned) PQ_PROTOCOL_MAJOR(code), (unsigned) PQ_PROTOCOL_MINOR(code));
	plog(PL_LOG, "%s", msg);
	session_send_error(s, "FATAL", "0A000", msg, NULL);
	return SESSION_CLIENT_ERROR;
}

/*
 * SSLRequest: 'S' and the handshake when clients may use SSL, else 'N'.
 * Bytes the client sent after its request (before our answer) would be
 * taken as encrypted-channel data without being encrypted: refused.
 */
static SessionStatus
answer_ssl_request(Session *s)
{
	SSL_CTX    *ctx = auth_tls_server_ctx();
	const char *why = NULL;
	int			rc;

	if (pq_tls_active(&s->client))
		return reject_protocol(s, PQ_SSL_REQUEST_CODE);
	if (pq_conn_buffered(&s->client) > 0)
	{
		plog(PL_LOG, "received unencrypted data after SSL request (client %s)", s->client_host);
		session_send_error(s, "FATAL", "08P01", "received unencrypted data after SSL request",
						   "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.");
		return SESSION_CLIENT_ERROR;
	}
	if (pq_conn_send(&s->client, ctx ? "S" : "N", 1, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	if (ctx == NULL)
		return SESSION_OK;
	rc = pq_tls_accept(&s->client, ctx, session_auth_remaining(), &why);
	if (rc == PQ_IO_TIMEOUT)
		return startup_io_failure(s, rc, "SSL handshake");
	if (rc != PQ_IO_OK)
	{
		/* nothing can be sent: the client expects TLS records */
		plog(PL_LOG, "could not accept SSL connection from %s: %s", s->client_host, why);
		return rc == PQ_IO_INTERRUPTED ? SESSION_SHUTDOWN : SESSION_CLIENT_ERROR;
	}
	plog(PL_DEBUG1, "SSL connection from %s: %s, cipher %s", s->client_host,
		 pq_tls_version(&s->client), pq_tls_cipher(&s->client));
	return SESSION_OK;
}

/* Keep a copy of a protocol 3 startup packet and check its user name. */
static SessionStatus
take_startup(Session *s, const char *body, size_t len)
{
	const char *err = NULL;

	/* keep our own copy: the read buffer is reused by the relay */
	s->startup_packet = mem_alloc(len);
	memcpy(s->startup_packet, body, len);
	s->startup_len = len;
	pq_parse_startup(s->startup_packet, len, &s->startup, &err);
	if (s->startup.user == NULL || s->startup.user[0] == '\0')
	{
		session_send_error(s, "FATAL", "28000",
						   "no PostgreSQL user name specified in startup packet", NULL);
		return SESSION_CLIENT_ERROR;
	}
	return SESSION_OK;
}

SessionStatus
session_read_startup(Session *s)
{
	bool		gss_done = false;

	auth_deadline_ms = pool_config->authentication_timeout > 0 ?
		now_ms() + (int64_t) pool_config->authentication_timeout * 1000 : 0;

	for (;;)
	{
		const char *body;
		size_t		len;
		const char *err = NULL;
		PqStartup	su;
		SessionStatus st;
		int			rc = pq_conn_read_startup(&s->client, &body, &len, session_auth_remaining());

		if (rc != PQ_IO_OK)
			return startup_io_failure(s, rc, "startup packet");
		if (!pq_parse_startup(body, len, &su, &err))
		{
			plog(PL_LOG, "%s (client %s)", err, s->client_host);
			session_send_error(s, "FATAL", "08P01", err, NULL);
			return SESSION_CLIENT_ERROR;
		}
		if (su.code == PQ_SSL_REQUEST_CODE)
		{
			st = answer_ssl_request(s);
			if (st != SESSION_OK)
				return st;
			continue;
		}
		if (su.code == PQ_GSSENC_REQUEST_CODE && !gss_done && !pq_tls_active(&s->client))
		{
			/* no GSSAPI encryption: say no, and the client continues */
			gss_done = true;
			if (pq_conn_send(&s->client, "N", 1, session_auth_remaining()) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			continue;
		}
		if (su.code == PQ_CANCEL_REQUEST_CODE)
		{
			cancel_forward(su.cancel_pid, su.cancel_key);
			return SESSION_DONE;
		}
		if (PQ_PROTOCOL_MAJOR(su.code) != 3)
			return reject_protocol(s, su.code);
		return take_startup(s, body, len);
	}
}
