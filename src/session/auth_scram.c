/*
 * auth_scram.c: SCRAM-SHA-256 between the client and pgpool.
 *
 * The secret comes from pool_passwd (a SCRAM entry, or one derived with a
 * fresh salt from a clear-text or AES entry).  Without one the exchange is
 * a mock that fails at the end, like a wrong password.  Over TLS,
 * SCRAM-SHA-256-PLUS is offered with the tls-server-end-point binding of
 * pgpool's certificate.  Every malformed, truncated or replayed message
 * ends the session with PostgreSQL's protocol-violation errors.  Runs in a
 * child.
 */
#include "session/session_auth.h"

#include "auth/auth.h"
#include "auth/auth_scram.h"
#include "protocol/pq_tls.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

static SessionStatus
protocol_error(Session *s, const char *err, const char *detail)
{
	plog_ex(PL_LOG, detail, NULL, "%s (client %s, user \"%s\")", err, s->client_host, s->startup.user);
	pq_put_error(&s->client.wbuf, PQ_BE_ERROR_RESPONSE, "FATAL", "08P01", err, detail, NULL);
	(void) pq_conn_flush(&s->client, 1000);
	return SESSION_CLIENT_ERROR;
}

static SessionStatus
send_sasl(Session *s, int32_t code, const char *data, size_t len)
{
	pq_put_auth_request(&s->client.wbuf, code, data, len);
	if (pq_conn_flush(&s->client, session_auth_remaining()) != PQ_IO_OK)
		return SESSION_CLIENT_EOF;
	return SESSION_OK;
}

/* SASLInitialResponse: mechanism, int32 length (-1: none), client-first-message. */
static SessionStatus
take_initial(Session *s, ScramServer *st, char **reply)
{
	PqMsg		msg;
	PqReader	r;
	const char *mech, *data, *err, *detail;
	int32_t		len;
	SessionStatus rc = session_auth_read_response(s, &msg, "SASL");

	if (rc != SESSION_OK)
		return rc;
	pq_reader_init(&r, msg.body, msg.len);
	mech = pq_get_string(&r);
	len = pq_get_int32(&r);
	if (r.error || len < -1 || (len >= 0 && pq_reader_remaining(&r) != (size_t) len) ||
		(len == -1 && pq_reader_remaining(&r) != 0))
		return protocol_error(s, "malformed SASLInitialResponse message", NULL);
	if (len == -1)
		return protocol_error(s, "malformed SCRAM message", "The message is empty.");
	data = pq_get_bytes(&r, (size_t) len);
	if (auth_scram_server_first(st, mech, data, (size_t) len, reply, &err, &detail) != SCRAM_STATUS_OK)
		return protocol_error(s, err, detail);
	return SESSION_OK;
}

static const char *
missing_secret_detail(Session *s, const SessionCreds *cr)
{
	if (cr->entry == NULL)
		return log_fmt("pool_passwd has no entry for user \"%s\".", s->startup.user);
	if (cr->entry->type == PASSWD_MD5)
		return log_fmt("pool_passwd has only an md5 hash for user \"%s\"; scram-sha-256 needs a SCRAM secret or the password.",
					   s->startup.user);
	return log_fmt("The pool_passwd entry of user \"%s\" could not be used.", s->startup.user);
}

SessionStatus
session_auth_client_scram(Session *s, SessionCreds *cr)
{
	ScramSecret secret;
	ScramServer st;
	uint8_t    *cbind;
	size_t		cblen = 0;
	char		mechs[64];
	char	   *reply = NULL;
	const char *err, *detail;
	bool		have = cr->entry && auth_passwd_scram_secret(cr->entry, auth_aes_key(), &secret);
	SessionStatus rc;
	PqMsg		msg;
	ScramStatus ss;

	cbind = pq_tls_server_end_point(&s->client, &cblen);
	auth_scram_server_init(&st, have ? &secret : NULL, cbind, cblen);
	free(cbind);
	auth_wipe(&secret, sizeof(secret));
	rc = send_sasl(s, PQ_AUTH_SASL, mechs, auth_scram_server_mechanisms(&st, mechs, sizeof(mechs)));
	if (rc == SESSION_OK)
		rc = take_initial(s, &st, &reply);
	if (rc == SESSION_OK)
		rc = send_sasl(s, PQ_AUTH_SASL_CONTINUE, reply, strlen(reply));
	free(reply);
	reply = NULL;
	if (rc == SESSION_OK)
		rc = session_auth_read_response(s, &msg, "SASL");
	if (rc != SESSION_OK)
	{
		auth_scram_server_free(&st);
		return rc;
	}
	ss = auth_scram_server_final(&st, msg.body, msg.len, &reply, &err, &detail);
	if (ss == SCRAM_STATUS_OK && cr->entry->type == PASSWD_SCRAM)
	{
		/* the ClientKey lets pgpool log in to backends holding the same secret */
		cr->have_scram_key = true;
		cr->scram_secret = st.secret;
		memcpy(cr->scram_client_key, st.client_key, SCRAM_KEY_LEN);
	}
	auth_scram_server_free(&st);
	if (ss == SCRAM_STATUS_PROTOCOL_ERROR)
		return protocol_error(s, err, detail);
	if (ss == SCRAM_STATUS_AUTH_FAILED)
		return session_auth_failed(s, HBA_METHOD_SCRAM, have ? NULL : missing_secret_detail(s, cr));
	rc = send_sasl(s, PQ_AUTH_SASL_FINAL, reply, strlen(reply));
	free(reply);
	if (rc == SESSION_OK)
		cr->verified = true;
	return rc;
}
