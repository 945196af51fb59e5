/*
 * auth_client.c: pgpool authenticates its client.
 *
 * The pool_hba.conf match (with PostgreSQL's refusal messages) and the
 * frontend methods: trust, clear-text password, md5 with a fresh random
 * salt, PAM and client certificates (SCRAM is in auth_scram.c).  Passwords
 * are checked against pool_passwd when the user has an entry; a clear-text
 * password without one is kept for the backends to check.  Every failure
 * sends the client PostgreSQL's message and logs the reason.  Runs in a
 * child, once per session.
 */
#include "session/session_auth.h"

#include "auth/auth.h"
#include "auth/auth_pam.h"
#include "config/config.h"
#include "protocol/pq_tls.h"
#include "utils/log.h"
#include "utils/str.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Longest authentication message a client may send (as PostgreSQL). */
#define AUTH_MAX_RESPONSE 65535

void
session_creds_init(SessionCreds *cr, const char *user)
{
	memset(cr, 0, sizeof(*cr));
	cr->entry = auth_passwd_find(auth_pool_passwd(), user);
}

void
session_creds_clear(SessionCreds *cr)
{
	auth_free_secret(cr->cleartext);
	auth_wipe(cr, sizeof(*cr));
}

SessionStatus
session_auth_failed(Session *s, int method, const char *log_detail)
{
	const char *code = "28P01";
	const char *msg;

	if (method == HBA_METHOD_PAM)
		msg = log_fmt("PAM authentication failed for user \"%s\"", s->startup.user);
	else if (method == HBA_METHOD_CERT)
	{
		msg = log_fmt("certificate authentication failed for user \"%s\"", s->startup.user);
		code = "28000";
	}
	else
		msg = log_fmt("password authentication failed for user \"%s\"", s->startup.user);
	plog_ex(PL_LOG, log_detail, NULL, "%s", msg);
	session_send_error(s, "FATAL", code, msg, NULL);
	return SESSION_AUTH_FAILED;
}

SessionStatus
session_auth_read_response(Session *s, PqMsg *msg, const char *what)
{
	int			rc = pq_conn_read_message(&s->client, msg, AUTH_MAX_RESPONSE, session_auth_remaining());

	switch (rc)
	{
		case PQ_IO_OK:
			break;
		case PQ_IO_TIMEOUT:
			plog(PL_LOG, "authentication timeout: client %s sent no %s response within %d seconds",
				 s->client_host, what, pool_config->authentication_timeout);
			return SESSION_CLIENT_TIMEOUT;
		case PQ_IO_TOO_BIG:
		case PQ_IO_BAD_LENGTH:
			plog(PL_LOG, "invalid %s response length from client %s", what, s->client_host);
			session_send_error(s, "FATAL", "08P01", "invalid message length", NULL);
			return SESSION_CLIENT_ERROR;
		case PQ_IO_INTERRUPTED:
			return SESSION_SHUTDOWN;
		default:
			return SESSION_CLIENT_EOF;
	}
	if (msg->type != PQ_FE_PASSWORD)
	{
		const char *text = log_fmt("expected %s response, got message type %d", what, msg->type);

		plog(PL_LOG, "%s (client %s)", text, s->client_host);
		session_send_error(s, "FATAL", "08P01", text, NULL);
		return SESSION_CLIENT_ERROR;
	}
	return SESSION_OK;
}

/* Send an authentication request and flush it. */
static SessionStatus
ask(Session *s, int32_t code, const void *extra, size_t len)
{
	pq_put_auth_request(&s->client.wbuf, code, extra, len);
	if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	return SESSION_OK;
}

/* Read a PasswordMessage's NUL-terminated string into a malloc'd copy. */
static SessionStatus
read_password_string(Session *s, char **out)
{
	PqMsg		msg;
	SessionStatus st = session_auth_read_response(s, &msg, "password");

	if (st != SESSION_OK)
		return st;
	if (msg.len == 0 || msg.body[msg.len - 1] != '\0' || strlen(msg.body) != msg.len - 1)
	{
		plog(PL_LOG, "invalid password packet size (client %s)", s->client_host);
		session_send_error(s, "FATAL", "08P01", "invalid password packet size", NULL);
		return SESSION_CLIENT_ERROR;
	}
	*out = str_dup(msg.body);
	/* the read buffer is ours: do not leave the password lying in it */
	auth_wipe((char *) msg.body, msg.len);
	return SESSION_OK;
}

/* AuthenticationCleartextPassword: keep what the client sends in cr. */
static SessionStatus
read_cleartext(Session *s, int method, SessionCreds *cr)
{
	SessionStatus st = ask(s, PQ_AUTH_CLEARTEXT, NULL, 0);

	if (st == SESSION_OK)
		st = read_password_string(s, &cr->cleartext);
	if (st != SESSION_OK)
		return st;
	if (cr->cleartext[0] == '\0')
		return session_auth_failed(s, method, "empty password returned by client");
	return SESSION_OK;
}

static const char *
matched_line(const SessionCreds *cr)
{
	return cr->hba_line > 0 ? log_fmt("Connection matched pool_hba.conf line %d.", cr->hba_line) : NULL;
}

static SessionStatus
client_password(Session *s, SessionCreds *cr)
{
	SessionStatus st = read_cleartext(s, HBA_METHOD_PASSWORD, cr);

	if (st != SESSION_OK)
		return st;
	if (cr->entry == NULL)
		return SESSION_OK;		/* the backends check it */
	if (!auth_passwd_check(cr->entry, s->startup.user, cr->cleartext, auth_aes_key()))
	{
		const char *line = matched_line(cr);

		return session_auth_failed(s, HBA_METHOD_PASSWORD,
								   log_fmt("Password does not match pool_passwd for user \"%s\".%s%s",
										   s->startup.user, line ? " " : "", line ? line : ""));
	}
	cr->verified = true;
	return SESSION_OK;
}

static SessionStatus
client_md5(Session *s, SessionCreds *cr)
{
	char		hex[AUTH_MD5_HEX_LEN + 1];
	char		expected[AUTH_MD5_PASSWD_LEN + 1];
	uint8_t		salt[4];
	char	   *answer = NULL;
	bool		have = cr->entry && auth_passwd_md5_hex(cr->entry, s->startup.user, auth_aes_key(), hex);
	bool		ok;
	SessionStatus st;

	if (!auth_random_bytes(salt, sizeof(salt)))
		return session_auth_failed(s, HBA_METHOD_MD5, "could not generate random salt");
	st = ask(s, PQ_AUTH_MD5, salt, sizeof(salt));
	if (st == SESSION_OK)
		st = read_password_string(s, &answer);
	if (st != SESSION_OK)
		return st;
	if (!have)
	{
		free(answer);
		return session_auth_failed(s, HBA_METHOD_MD5,
								   log_fmt("pool_passwd has no md5 hash or password for user \"%s\".",
										   s->startup.user));
	}
	auth_md5_salted(hex, salt, expected);
	ok = auth_str_equal(answer, expected);
	auth_wipe(hex, sizeof(hex));
	free(answer);
	if (!ok)
		return session_auth_failed(s, HBA_METHOD_MD5, matched_line(cr));
	cr->verified = true;
	return SESSION_OK;
}

static SessionStatus
client_pam(Session *s, const char *service, SessionCreds *cr)
{
	const char *why = NULL;
	SessionStatus st = read_cleartext(s, HBA_METHOD_PAM, cr);

	if (st != SESSION_OK)
		return st;
	if (!auth_pam_check(service, s->startup.user, cr->cleartext, s->client_host, &why))
		return session_auth_failed(s, HBA_METHOD_PAM, log_fmt("pam_authenticate failed: %s", why));
	cr->verified = true;
	return SESSION_OK;
}

static SessionStatus
client_cert(Session *s, SessionCreds *cr)
{
	char	   *cn = pq_tls_peer_cn(&s->client);
	SessionStatus st;

	if (cn == NULL)
	{
		plog(PL_LOG, "connection requires a valid client certificate (user \"%s\")", s->startup.user);
		session_send_error(s, "FATAL", "28000", "connection requires a valid client certificate", NULL);
		return SESSION_AUTH_FAILED;
	}
	if (strcmp(cn, s->startup.user) != 0)
		st = session_auth_failed(s, HBA_METHOD_CERT,
								 log_fmt("provided user name (%s) and authenticated user name (%s) do not match",
										 s->startup.user, cn));
	else
	{
		plog(PL_LOG, "SSL certificate authentication for user \"%s\" with Pgpool-II is successful",
			 s->startup.user);
		cr->verified = true;
		st = SESSION_OK;
	}
	free(cn);
	return st;
}

SessionStatus
session_auth_client(Session *s, int method, const char *pamservice, SessionCreds *cr)
{
	switch (method)
	{
		case HBA_METHOD_TRUST:
			cr->verified = true;
			return SESSION_OK;
		case HBA_METHOD_PASSWORD:
			return client_password(s, cr);
		case HBA_METHOD_MD5:
			/* as PostgreSQL: a SCRAM secret upgrades md5 to SCRAM */
			if (cr->entry && cr->entry->type == PASSWD_SCRAM)
				return session_auth_client_scram(s, cr);
			return client_md5(s, cr);
		case HBA_METHOD_SCRAM:
			return session_auth_client_scram(s, cr);
		case HBA_METHOD_PAM:
			return client_pam(s, pamservice, cr);
		case HBA_METHOD_CERT:
			return client_cert(s, cr);
		default:
			return session_auth_failed(s, method, "authentication method not available");
	}
}

SessionStatus
session_auth_client_md5_replay(Session *s, const PoolSlot *slot, SessionCreds *cr)
{
	char	   *answer = NULL;
	bool		ok;
	SessionStatus st = ask(s, PQ_AUTH_MD5, slot->md5_salt, 4);

	if (st == SESSION_OK)
		st = read_password_string(s, &answer);
	if (st != SESSION_OK)
		return st;
	ok = slot->auth_secret != NULL && auth_str_equal(answer, slot->auth_secret);
	free(answer);
	if (!ok)
		return session_auth_failed(s, HBA_METHOD_MD5, matched_line(cr));
	cr->verified = true;
	return SESSION_OK;
}

/* The client's address as text ("[local]" for UNIX sockets). */
static const char *
client_address(const struct sockaddr_storage *ss, socklen_t len)
{
	static char host[NI_MAXHOST];

	if (ss->ss_family == AF_UNIX)
		return "[local]";
	if (getnameinfo((const struct sockaddr *) ss, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return "unknown";
	return host;
}

SessionStatus
session_auth_match_hba(Session *s, const HbaRule **rule)
{
	struct sockaddr_storage ss;
	socklen_t	len = sizeof(ss);
	HbaClient	c;
	const char *db = s->startup.database ? s->startup.database : s->startup.user;
	const char *ssl;
	const char *msg;

	memset(&ss, 0, sizeof(ss));
	if (getpeername(s->client.fd, (struct sockaddr *) &ss, &len) != 0)
		ss.ss_family = AF_UNIX;
	memset(&c, 0, sizeof(c));
	c.local = ss.ss_family == AF_UNIX;
	c.addr = (const struct sockaddr *) &ss;
	c.addrlen = len;
	c.ssl = pq_tls_active(&s->client);
	c.user = s->startup.user;
	c.database = db;
	*rule = auth_hba_match(auth_hba_rules(), &c);
	ssl = c.ssl ? "SSL on" : "SSL off";
	if (*rule == NULL)
		msg = log_fmt("no pool_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s",
					  client_address(&ss, len), s->startup.user, db, ssl);
	else if ((*rule)->method == HBA_METHOD_REJECT)
		msg = log_fmt("pool_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s",
					  client_address(&ss, len), s->startup.user, db, ssl);
	else
		return SESSION_OK;
	plog(PL_LOG, "%s", msg);
	session_send_error(s, "FATAL", "28000", msg, NULL);
	return SESSION_AUTH_FAILED;
}
