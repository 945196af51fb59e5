/*
 * auth_relay.c: relay a new backend connection's authentication exchange.
 *
 * Used when pgpool cannot authenticate the client itself (enable_pool_hba
 * off, or an md5 / scram-sha-256 rule, and the user has no pool_passwd
 * entry): the client sees the main backend's own requests and errors, as
 * in raw mode.  What the client proved is remembered in the slot (clear-text
 * password, or md5 salt and response) so a later client asking for the
 * same pooled connection can be made to prove the same; a SASL exchange
 * cannot be replayed, so such a connection is never pooled.  Runs in a
 * child.
 */
#include "session/session.h"
#include "session/session_auth.h"

#include "auth/auth_scram.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static SessionStatus
backend_failed(Session *s, int node, int rc)
{
	plog_ex(PL_LOG, log_fmt("node %d: %s", node, pq_io_status_text(rc)), NULL,
			"unable to read data from backend during authentication");
	session_send_error(s, "FATAL", "08006", "unable to read data from backend",
					   log_fmt("backend node %d closed the connection during authentication", node));
	return SESSION_BACKEND_ERROR;
}

/* Forward the client's next PasswordMessage to the backend, keeping a copy if asked. */
static SessionStatus
forward_client_response(Session *s, BackendConn *b, char **keep)
{
	PqMsg		msg;
	size_t		start;
	SessionStatus st = session_auth_read_response(s, &msg, "password");

	if (st != SESSION_OK)
		return st;
	if (keep)
	{
		auth_free_secret(*keep);
		*keep = mem_alloc(msg.len + 1);
		memcpy(*keep, msg.body, msg.len);
		(*keep)[msg.len] = '\0';
	}
	start = pq_begin_message(&b->conn.wbuf, PQ_FE_PASSWORD);
	pqbuf_put_bytes(&b->conn.wbuf, msg.body, msg.len);
	pq_end_message(&b->conn.wbuf, start);
	auth_wipe((char *) msg.body, msg.len);
	return SESSION_OK;
}

/*
 * Queue an AuthenticationSASL request for the client without
 * SCRAM-SHA-256-PLUS: the client's channel binding would name pgpool's
 * certificate, which the backend cannot check.
 */
static void
queue_sasl_request(Session *s, const PqMsg *msg)
{
	PqReader	r;
	PqBuf		mechs;
	const char *m;

	pqbuf_init(&mechs);
	pq_reader_init(&r, msg->body, msg->len);
	(void) pq_get_int32(&r);
	while ((m = pq_get_string(&r)) != NULL && m[0] != '\0')
		if (strcmp(m, SCRAM_MECHANISM_PLUS) != 0)
			pqbuf_put_string(&mechs, m);
	pqbuf_put_byte(&mechs, 0);
	pq_put_auth_request(&s->client.wbuf, PQ_AUTH_SASL, mechs.data, mechs.len);
	pqbuf_free(&mechs);
}

/*
 * Handle one AuthenticationXXX request; the message was already queued for
 * the client.  *auth becomes how a later client must prove itself.
 */
static SessionStatus
on_auth_request(Session *s, PoolSlot *slot, BackendConn *b, int32_t code, PqReader *r, int *auth)
{
	switch (code)
	{
		case PQ_AUTH_OK:
		case PQ_AUTH_SASL_FINAL:
			return SESSION_OK;
		case PQ_AUTH_CLEARTEXT:
			*auth = SLOT_AUTH_CLEARTEXT;
			break;
		case PQ_AUTH_MD5:
			{
				const void *salt = pq_get_bytes(r, 4);

				if (salt == NULL)
					return SESSION_BACKEND_ERROR;
				*auth = SLOT_AUTH_MD5;
				memcpy(slot->md5_salt, salt, 4);
				break;
			}
		default:
			/* SASL, GSS, SSPI: fine to relay, impossible to replay */
			*auth = SLOT_AUTH_OTHER;
			break;
	}
	if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	return forward_client_response(s, b, *auth == SLOT_AUTH_OTHER ? NULL : &slot->auth_secret);
}

/* Queue a backend message for the client as is. */
static void
queue_for_client(Session *s, const PqMsg *msg)
{
	PqBuf	   *out = &s->client.wbuf;

	pqbuf_put_byte(out, (uint8_t) msg->type);
	pqbuf_put_int32(out, (int32_t) msg->len + 4);
	pqbuf_put_bytes(out, msg->body, msg->len);
}

/* One message of the backend during the relayed login; SESSION_DONE ends the loop. */
static SessionStatus
relay_message(Session *s, PoolSlot *slot, BackendConn *b, const PqMsg *msg, int *auth)
{
	PqReader	r;

	pq_reader_init(&r, msg->body, msg->len);
	switch (msg->type)
	{
		case PQ_BE_AUTHENTICATION:
			{
				int32_t		code = pq_get_int32(&r);

				if (code == PQ_AUTH_SASL)
					queue_sasl_request(s, msg);
				else
					queue_for_client(s, msg);
				return on_auth_request(s, slot, b, code, &r, auth);
			}
		case PQ_BE_PARAMETER_STATUS:
			{
				const char *name = pq_get_string(&r);
				const char *value = pq_get_string(&r);

				if (name && value)
					pool_slot_set_param(slot, name, value);
				break;
			}
		case PQ_BE_BACKEND_KEY_DATA:
			b->pid = pq_get_int32(&r);
			b->key = pq_get_int32(&r);
			break;
		case PQ_BE_ERROR_RESPONSE:
			queue_for_client(s, msg);
			pq_conn_flush(&s->client, 1000);
			return SESSION_AUTH_FAILED;
		case PQ_BE_READY_FOR_QUERY:
			queue_for_client(s, msg);
			b->connected = true;
			slot->auth = *auth;	/* logged in: now the slot may be pooled */
			s->tx_status = msg->len > 0 ? msg->body[0] : 'I';
			slot->tx_status = s->tx_status;
			if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
				return SESSION_CLIENT_EOF;
			return SESSION_DONE;
		default:
			break;
	}
	if (msg->type != PQ_BE_AUTHENTICATION)
		queue_for_client(s, msg);	/* ParameterStatus, keys, notices: as they come */
	return SESSION_OK;
}

SessionStatus
session_relay_auth_from(Session *s, PoolSlot *slot, int node, const PqMsg *first)
{
	BackendConn *b = &slot->backends[node];
	int			auth = SLOT_AUTH_TRUST;

	slot->auth = SLOT_AUTH_OTHER;	/* until the login completes */
	for (;;)
	{
		PqMsg		msg;
		SessionStatus st;

		int			rc = session_next_login_message(b, &first, &msg, PQ_MAX_MESSAGE_LENGTH);

		if (rc != PQ_IO_OK)
			return backend_failed(s, node, rc);
		st = relay_message(s, slot, b, &msg, &auth);
		if (st == SESSION_DONE)
			return SESSION_OK;
		if (st != SESSION_OK)
			return st;
	}
}

SessionStatus
session_relay_auth(Session *s, PoolSlot *slot, int node)
{
	return session_relay_auth_from(s, slot, node, NULL);
}
