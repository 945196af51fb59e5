/*
 * auth_relay.c: relay a new backend connection's authentication exchange.
 *
 * The client sees the backend's own requests and errors (raw-mode
 * authentication).  What the client proved is remembered in the slot
 * (cleartext password, or md5 salt and response) so a later client asking
 * for the same pooled connection can be made to prove the same.
 */
#include "session/session.h"

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
	int			rc = pq_conn_read_message(&s->client, &msg, 65536, session_auth_remaining());
	size_t		start;

	if (rc != PQ_IO_OK)
	{
		if (rc == PQ_IO_TIMEOUT)
		{
			plog(PL_LOG, "authentication timeout for client %s", s->client_host);
			return SESSION_CLIENT_TIMEOUT;
		}
		if (rc == PQ_IO_TOO_BIG || rc == PQ_IO_BAD_LENGTH)
		{
			session_send_error(s, "FATAL", "08P01", "invalid message length", NULL);
			return SESSION_CLIENT_ERROR;
		}
		return SESSION_CLIENT_EOF;
	}
	if (msg.type != PQ_FE_PASSWORD)
	{
		session_send_error(s, "FATAL", "08P01",
						   log_fmt("expected password response, got message type %d", msg.type), NULL);
		return SESSION_CLIENT_ERROR;
	}
	if (keep)
	{
		free(*keep);
		*keep = mem_alloc(msg.len + 1);
		memcpy(*keep, msg.body, msg.len);
		(*keep)[msg.len] = '\0';
	}
	start = pq_begin_message(&b->conn.wbuf, PQ_FE_PASSWORD);
	pqbuf_put_bytes(&b->conn.wbuf, msg.body, msg.len);
	pq_end_message(&b->conn.wbuf, start);
	return SESSION_OK;
}

/* Handle one AuthenticationXXX request; the message was already queued for the client. */
static SessionStatus
on_auth_request(Session *s, PoolSlot *slot, BackendConn *b, const PqMsg *msg)
{
	PqReader	r;
	int32_t		code;

	pq_reader_init(&r, msg->body, msg->len);
	code = pq_get_int32(&r);
	switch (code)
	{
		case PQ_AUTH_OK:
		case PQ_AUTH_SASL_FINAL:
			return SESSION_OK;
		case PQ_AUTH_CLEARTEXT:
			slot->auth = SLOT_AUTH_CLEARTEXT;
			break;
		case PQ_AUTH_MD5:
			{
				const void *salt = pq_get_bytes(&r, 4);

				if (salt == NULL)
					return SESSION_BACKEND_ERROR;
				slot->auth = SLOT_AUTH_MD5;
				memcpy(slot->md5_salt, salt, 4);
				break;
			}
		default:
			/* SASL, GSS, SSPI: fine to relay, impossible to replay */
			slot->auth = SLOT_AUTH_OTHER;
			break;
	}
	if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	return forward_client_response(s, b,
								   slot->auth == SLOT_AUTH_OTHER ? NULL : &slot->auth_secret);
}

SessionStatus
session_relay_auth(Session *s, PoolSlot *slot, int node)
{
	BackendConn *b = &slot->backends[node];
	PqBuf	   *out = &s->client.wbuf;

	slot->auth = SLOT_AUTH_TRUST;
	for (;;)
	{
		PqMsg		msg;
		int			rc = pq_conn_flush(&b->conn, session_auth_remaining());

		if (rc == PQ_IO_OK)
			rc = pq_conn_read_message(&b->conn, &msg, PQ_MAX_MESSAGE_LENGTH, session_auth_remaining());
		if (rc != PQ_IO_OK)
			return backend_failed(s, node, rc);

		/* everything the backend says during startup reaches the client as is */
		pqbuf_put_byte(out, (uint8_t) msg.type);
		pqbuf_put_int32(out, (int32_t) msg.len + 4);
		pqbuf_put_bytes(out, msg.body, msg.len);

		switch (msg.type)
		{
			case PQ_BE_AUTHENTICATION:
				{
					SessionStatus st = on_auth_request(s, slot, b, &msg);

					if (st != SESSION_OK)
						return st;
					break;
				}
			case PQ_BE_PARAMETER_STATUS:
				{
					PqReader	r;
					const char *name, *value;

					pq_reader_init(&r, msg.body, msg.len);
					name = pq_get_string(&r);
					value = pq_get_string(&r);
					if (name && value)
						pool_slot_set_param(slot, name, value);
					break;
				}
			case PQ_BE_BACKEND_KEY_DATA:
				{
					PqReader	r;

					pq_reader_init(&r, msg.body, msg.len);
					b->pid = pq_get_int32(&r);
					b->key = pq_get_int32(&r);
					break;
				}
			case PQ_BE_ERROR_RESPONSE:
				pq_conn_flush(&s->client, 1000);
				return SESSION_AUTH_FAILED;
			case PQ_BE_READY_FOR_QUERY:
				b->connected = true;
				s->tx_status = msg.len > 0 ? msg.body[0] : 'I';
				slot->tx_status = s->tx_status;
				if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
					return SESSION_CLIENT_EOF;
				return SESSION_OK;
			default:
				/* NoticeResponse, NegotiateProtocolVersion: relayed only */
				break;
		}
	}
}
