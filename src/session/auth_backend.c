/*
 * auth_backend.c: pgpool logs in to a backend on behalf of its client.
 *
 * TLS is negotiated first when ssl = on (SSLRequest; a backend answering
 * 'N' is used in clear text).  Then each authentication request of the
 * backend is answered from the user's pool_passwd entry, or from the
 * clear-text password the client sent in this session: cleartext, md5
 * (from an md5 hash alone, so any number of backends can be answered) and
 * SCRAM-SHA-256 (which needs the password itself).  When neither source can
 * answer, the client is told what to add to pool_passwd.  Runs in a child.
 */
#include "session/session_auth.h"

#include "auth/auth.h"
#include "auth/auth_scram.h"
#include "auth/auth_tls.h"
#include "config/config.h"
#include "pool/node_table.h"
#include "protocol/pq_tls.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

#define LOGIN_MAX_MESSAGE (1024 * 1024)

typedef enum LoginResult
{
	LOGIN_CONTINUE,
	LOGIN_OK,
	LOGIN_IO,					/* read or write failed (why) */
	LOGIN_REFUSED,				/* the backend sent an ErrorResponse (kept in error) */
	LOGIN_NO_CREDS,				/* nothing to answer missing_code with */
	LOGIN_PROTOCOL				/* unexpected message or method (why) */
} LoginResult;

typedef struct Login
{
	Session    *s;
	PoolSlot   *slot;
	int			node;
	SessionCreds *cr;
	bool		to_client;		/* the session's main node: parameters, notices for the client */
	ScramClient scram;
	bool		scram_started;
	int			missing_code;
	const char *why;
	PqBuf		error;
} Login;

/* The password itself: a clear-text or AES entry, else the client's clear text. */
static char *
creds_plaintext(SessionCreds *cr)
{
	if (cr->entry && (cr->entry->type == PASSWD_PLAIN || cr->entry->type == PASSWD_AES))
	{
		char	   *p = auth_passwd_plaintext(cr->entry, auth_aes_key());

		if (p)
			return p;
	}
	if (cr->cleartext)
	{
		cr->used_cleartext = true;
		return str_dup(cr->cleartext);
	}
	return NULL;
}

/* The md5 hash of password || user, from pool_passwd or the client's clear text. */
static bool
creds_md5(SessionCreds *cr, const char *user, char hex[AUTH_MD5_HEX_LEN + 1])
{
	char		md5[AUTH_MD5_PASSWD_LEN + 1];

	if (cr->entry && auth_passwd_md5_hex(cr->entry, user, auth_aes_key(), hex))
		return true;
	if (cr->cleartext == NULL)
		return false;
	cr->used_cleartext = true;
	auth_md5_password(cr->cleartext, user, md5);
	memcpy(hex, md5 + 3, AUTH_MD5_HEX_LEN + 1);
	auth_wipe(md5, sizeof(md5));
	return true;
}

static void
put_password(PqConn *b, const char *password)
{
	pq_put_password(&b->wbuf, password);
}

static LoginResult
answer_sasl(Login *l, PqConn *b, PqReader *r)
{
	const char *mech;
	bool		found = false;
	char	   *pw, *first = NULL;
	size_t		start;

	while ((mech = pq_get_string(r)) != NULL && mech[0] != '\0')
		found |= strcmp(mech, SCRAM_MECHANISM) == 0;
	if (!found || l->scram_started)
	{
		l->why = "the backend offered no SASL mechanism pgpool supports";
		return LOGIN_PROTOCOL;
	}
	pw = creds_plaintext(l->cr);
	if (pw)
		l->scram_started = auth_scram_client_first(&l->scram, pw, NULL, &first);
	else if (l->cr->have_scram_key)
		l->scram_started = auth_scram_client_first_keys(&l->scram, &l->cr->scram_secret,
														 l->cr->scram_client_key, NULL, &first);
	else
	{
		l->missing_code = PQ_AUTH_SASL;
		return LOGIN_NO_CREDS;
	}
	auth_free_secret(pw);
	if (!l->scram_started)
	{
		l->why = "could not generate a SCRAM nonce";
		return LOGIN_PROTOCOL;
	}
	start = pq_begin_message(&b->wbuf, PQ_FE_PASSWORD);
	pqbuf_put_string(&b->wbuf, SCRAM_MECHANISM);
	pqbuf_put_int32(&b->wbuf, (int32_t) strlen(first));
	pqbuf_put_bytes(&b->wbuf, first, strlen(first));
	pq_end_message(&b->wbuf, start);
	free(first);
	return LOGIN_CONTINUE;
}

static LoginResult
answer_sasl_step(Login *l, PqConn *b, PqReader *r, bool final)
{
	size_t		len = pq_reader_remaining(r);
	const char *data = pq_get_bytes(r, len);
	char	   *out = NULL;
	size_t		start;

	if (!l->scram_started)
	{
		l->why = "unexpected SASL message from the backend";
		return LOGIN_PROTOCOL;
	}
	if (final)
		return auth_scram_client_verify(&l->scram, data, len, &l->why) == SCRAM_STATUS_OK ?
			LOGIN_CONTINUE : LOGIN_PROTOCOL;
	if (auth_scram_client_final(&l->scram, data, len, &out, &l->why) != SCRAM_STATUS_OK)
		return LOGIN_PROTOCOL;
	start = pq_begin_message(&b->wbuf, PQ_FE_PASSWORD);
	pqbuf_put_bytes(&b->wbuf, out, strlen(out));
	pq_end_message(&b->wbuf, start);
	auth_free_secret(out);
	return LOGIN_CONTINUE;
}

/* Answer one AuthenticationXXX request of the backend. */
static LoginResult
answer_request(Login *l, PqConn *b, const PqMsg *msg)
{
	PqReader	r;
	int32_t		code;

	pq_reader_init(&r, msg->body, msg->len);
	code = pq_get_int32(&r);
	switch (code)
	{
		case PQ_AUTH_OK:
			return LOGIN_CONTINUE;
		case PQ_AUTH_CLEARTEXT:
			{
				char	   *pw = creds_plaintext(l->cr);

				if (pw == NULL)
					break;
				put_password(b, pw);
				auth_free_secret(pw);
				return LOGIN_CONTINUE;
			}
		case PQ_AUTH_MD5:
			{
				const uint8_t *salt = pq_get_bytes(&r, 4);
				char		hex[AUTH_MD5_HEX_LEN + 1], out[AUTH_MD5_PASSWD_LEN + 1];

				if (salt == NULL)
				{
					l->why = "malformed md5 request from the backend";
					return LOGIN_PROTOCOL;
				}
				if (!creds_md5(l->cr, l->s->startup.user, hex))
					break;
				auth_md5_salted(hex, salt, out);
				auth_wipe(hex, sizeof(hex));
				put_password(b, out);
				return LOGIN_CONTINUE;
			}
		case PQ_AUTH_SASL:
			return answer_sasl(l, b, &r);
		case PQ_AUTH_SASL_CONTINUE:
		case PQ_AUTH_SASL_FINAL:
			return answer_sasl_step(l, b, &r, code == PQ_AUTH_SASL_FINAL);
		default:
			l->why = log_fmt("the backend requested an authentication method pgpool does not support (%d)",
							 code);
			return LOGIN_PROTOCOL;
	}
	l->missing_code = code;
	return LOGIN_NO_CREDS;
}

static LoginResult
login_message(Login *l, BackendConn *b, const PqMsg *msg)
{
	PqReader	r;

	pq_reader_init(&r, msg->body, msg->len);
	switch (msg->type)
	{
		case PQ_BE_AUTHENTICATION:
			return answer_request(l, &b->conn, msg);
		case PQ_BE_PARAMETER_STATUS:
			if (l->to_client)
			{
				const char *name = pq_get_string(&r);
				const char *value = pq_get_string(&r);

				if (name && value)
					pool_slot_set_param(l->slot, name, value);
			}
			return LOGIN_CONTINUE;
		case PQ_BE_BACKEND_KEY_DATA:
			b->pid = pq_get_int32(&r);
			b->key = pq_get_int32(&r);
			return LOGIN_CONTINUE;
		case PQ_BE_ERROR_RESPONSE:
			{
				PqErrorFields f;

				pqbuf_put_byte(&l->error, (uint8_t) msg->type);
				pqbuf_put_int32(&l->error, (int32_t) msg->len + 4);
				pqbuf_put_bytes(&l->error, msg->body, msg->len);
				l->why = pq_parse_error(msg->body, msg->len, &f) && f.message ?
					log_fmt("%s", f.message) : "authentication failed";
				return LOGIN_REFUSED;
			}
		case PQ_BE_NOTICE_RESPONSE:
		case PQ_BE_NEGOTIATE_VERSION:
			if (l->to_client)
			{
				pqbuf_put_byte(&l->s->client.wbuf, (uint8_t) msg->type);
				pqbuf_put_int32(&l->s->client.wbuf, (int32_t) msg->len + 4);
				pqbuf_put_bytes(&l->s->client.wbuf, msg->body, msg->len);
			}
			return LOGIN_CONTINUE;
		case PQ_BE_READY_FOR_QUERY:
			b->connected = true;
			b->tx_status = msg->len > 0 ? msg->body[0] : 'I';
			if (l->to_client)
			{
				l->s->tx_status = msg->len > 0 ? msg->body[0] : 'I';
				l->slot->tx_status = l->s->tx_status;
			}
			return LOGIN_OK;
		default:
			l->why = log_fmt("unexpected message type \"%c\" from the backend during login", msg->type);
			return LOGIN_PROTOCOL;
	}
}

static LoginResult
login_run(Login *l, const PqMsg *first)
{
	BackendConn *b = &l->slot->backends[l->node];

	for (;;)
	{
		PqMsg		msg;
		LoginResult r;

		int			rc = session_next_login_message(b, &first, &msg, LOGIN_MAX_MESSAGE);

		if (rc != PQ_IO_OK)
		{
			l->why = pq_io_status_text(rc);
			return LOGIN_IO;
		}
		r = login_message(l, b, &msg);
		if (r != LOGIN_CONTINUE)
			return r;
	}
}

static void
put_startup(Session *s, PqConn *b)
{
	pqbuf_put_int32(&b->wbuf, (int32_t) s->startup_len + 4);
	pqbuf_put_bytes(&b->wbuf, s->startup_packet, s->startup_len);
}

static const char *
method_of_code(int code)
{
	return code == PQ_AUTH_MD5 ? "md5" : code == PQ_AUTH_SASL ? "scram-sha-256" : "password";
}

/* Tell the client (and the log) what pool_passwd lacks. */
static SessionStatus
missing_credentials(Session *s, int node, const SessionCreds *cr, int code)
{
	const char *user = s->startup.user;
	const char *msg = log_fmt("could not log in to backend node %d as user \"%s\": no password to answer its %s authentication request",
							  node, user, method_of_code(code));
	const char *detail = cr->entry ?
		log_fmt("The pool_passwd entry of \"%s\" is %s, which cannot answer %s.", user,
				cr->entry->type == PASSWD_MD5 ? "an md5 hash" : cr->entry->type == PASSWD_SCRAM ?
				"a SCRAM secret (usable only after the client authenticated with scram-sha-256)" :
				"an AES password that could not be decrypted", method_of_code(code)) :
		log_fmt("pool_passwd has no entry for \"%s\" and the client did not send a clear-text password.", user);
	const char *hint = code == PQ_AUTH_MD5 ?
		"Add the user to pool_passwd: \"pg_md5 -m -u USER PASSWORD\" (md5 hash), \"USER:TEXTpassword\", or an AES entry (\"pg_enc -m -u USER PASSWORD\")." :
		"Add the user's password to pool_passwd as \"USER:TEXTpassword\" or as an AES entry (\"pg_enc -m -u USER PASSWORD\"), or let clients send it in clear text (pool_hba method password, or allow_clear_text_frontend_auth).";

	plog_ex(PL_LOG, detail, hint, "%s", msg);
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "FATAL", "28000", msg, detail, hint);
	(void) pq_conn_flush(&s->client, 1000);
	return SESSION_AUTH_FAILED;
}

SessionStatus
session_backend_login(Session *s, PoolSlot *slot, int node, SessionCreds *cr, const PqMsg *first)
{
	Login		l = {.s = s, .slot = slot, .node = node, .cr = cr, .to_client = true};
	LoginResult r;
	SessionStatus st = SESSION_OK;

	pqbuf_init(&l.error);
	if (first == NULL)
		put_startup(s, &slot->backends[node].conn);
	r = login_run(&l, first);
	switch (r)
	{
		case LOGIN_OK:
		case LOGIN_CONTINUE:
			break;
		case LOGIN_IO:
			plog_ex(PL_LOG, log_fmt("node %d: %s", node, l.why), NULL,
					"unable to read data from backend during authentication");
			session_send_error(s, "FATAL", "08006", "unable to read data from backend",
							   log_fmt("backend node %d closed the connection during authentication", node));
			st = SESSION_BACKEND_ERROR;
			break;
		case LOGIN_REFUSED:
			plog(PL_LOG, "backend node %d refused the login of user \"%s\": %s", node, s->startup.user, l.why);
			pqbuf_put_bytes(&s->client.wbuf, l.error.data, l.error.len);
			(void) pq_conn_flush(&s->client, 1000);
			st = SESSION_AUTH_FAILED;
			break;
		case LOGIN_NO_CREDS:
			st = missing_credentials(s, node, cr, l.missing_code);
			break;
		case LOGIN_PROTOCOL:
			plog(PL_LOG, "login of user \"%s\" to backend node %d failed: %s", s->startup.user, node, l.why);
			session_send_error(s, "FATAL", "08P01",
							   log_fmt("could not log in to backend node %d: %s", node, l.why), NULL);
			st = SESSION_BACKEND_ERROR;
			break;
	}
	if (l.scram_started)
		auth_scram_client_free(&l.scram);
	pqbuf_free(&l.error);
	return st;
}

/* SSLRequest to a backend; PQ_IO_OK also when it answers 'N' (clear text). */
static int
negotiate_tls(PqConn *b, int node, const char **why)
{
	SSL_CTX    *ctx = auth_tls_backend_ctx();
	int			rc;
	char		answer;

	if (ctx == NULL)
		return PQ_IO_OK;
	pqbuf_put_int32(&b->wbuf, 8);
	pqbuf_put_int32(&b->wbuf, PQ_SSL_REQUEST_CODE);
	rc = pq_conn_flush(b, session_auth_remaining());
	if (rc == PQ_IO_OK)
		rc = pq_conn_ensure(b, 1, session_auth_remaining());
	if (rc != PQ_IO_OK)
	{
		*why = pq_io_status_text(rc);
		return rc;
	}
	answer = b->rbuf[b->rpos++];
	if (answer == 'N')
		return PQ_IO_OK;
	if (answer != 'S')
	{
		*why = "the backend does not understand the SSL request";
		return PQ_IO_ERROR;
	}
	if (pq_conn_buffered(b) > 0)
	{
		*why = "received unencrypted data after SSL response";
		return PQ_IO_ERROR;
	}
	return pq_tls_connect(b, ctx, node_table->nodes[node].hostname, session_auth_remaining(), why);
}

SessionStatus
session_backend_tls(Session *s, int node, PqConn *b)
{
	const char *why = NULL;

	if (negotiate_tls(b, node, &why) == PQ_IO_OK)
	{
		if (pq_tls_active(b))
			plog(PL_DEBUG1, "SSL connection to backend node %d: %s, cipher %s", node,
				 pq_tls_version(b), pq_tls_cipher(b));
		return SESSION_OK;
	}
	plog(PL_LOG, "could not establish SSL connection to backend node %d: %s", node, why);
	session_send_error(s, "FATAL", "08006",
					   log_fmt("could not establish SSL connection to backend node %d", node), why);
	return SESSION_BACKEND_ERROR;
}

bool
session_backend_login_node(Session *s, int node, const char **why)
{
	PoolSlot   *slot = s->slot;
	BackendConn *b = &slot->backends[node];
	SessionCreds own, *cr = session_current_creds();
	Login		l = {.s = s, .slot = slot, .node = node, .to_client = false};
	LoginResult r;

	if (cr == NULL)
	{
		/* no frontend credentials of this session: pool_passwd or the slot's password */
		session_creds_init(&own, s->startup.user);
		if (slot->auth == SLOT_AUTH_CLEARTEXT && slot->auth_secret)
			own.cleartext = str_dup(slot->auth_secret);
		cr = &own;
	}
	l.cr = cr;
	pqbuf_init(&l.error);
	r = negotiate_tls(&b->conn, node, why) == PQ_IO_OK ? LOGIN_CONTINUE : LOGIN_IO;
	if (r == LOGIN_CONTINUE)
	{
		put_startup(s, &b->conn);
		r = login_run(&l, NULL);
		if (r == LOGIN_NO_CREDS)
			l.why = log_fmt("no password in pool_passwd to answer its %s request (add the user to pool_passwd)",
							method_of_code(l.missing_code));
		if (r != LOGIN_OK)
			*why = l.why;
	}
	if (r == LOGIN_OK && cr->used_cleartext && slot->auth == SLOT_AUTH_TRUST && cr->cleartext)
	{
		/* this backend took the client's password: later clients must give it too */
		slot->auth = SLOT_AUTH_CLEARTEXT;
		free(slot->auth_secret);
		slot->auth_secret = str_dup(cr->cleartext);
	}
	if (r == LOGIN_OK)
		b->conn.interrupt = &session_interrupt;
	if (l.scram_started)
		auth_scram_client_free(&l.scram);
	pqbuf_free(&l.error);
	if (cr == &own)
		session_creds_clear(&own);
	return r == LOGIN_OK;
}
