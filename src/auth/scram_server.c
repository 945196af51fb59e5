/*
 * scram_server.c: the server side of SCRAM-SHA-256, used by a child to
 * authenticate a client against a secret from pool_passwd.
 *
 * Strict about every message: an unexpected channel-binding flag, an
 * authorization identity, a nonce that is not the one of this exchange
 * (replay), a missing or garbled proof all fail.  A mock exchange (no
 * secret) runs the same steps and always fails, so a client cannot tell a
 * missing user from a wrong password.
 */
#include "scram_int.h"

#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MALFORMED "malformed SCRAM message"

void
auth_scram_server_init(ScramServer *st, const ScramSecret *secret, const uint8_t *cbind_data,
					   size_t cbind_len)
{
	memset(st, 0, sizeof(*st));
	if (secret)
		st->secret = *secret;
	else
	{
		/* random keys nobody can match */
		st->mock = true;
		st->secret.iterations = SCRAM_DEFAULT_ITERATIONS;
		st->secret.saltlen = SCRAM_SALT_LEN;
		if (!auth_random_bytes(st->secret.salt, SCRAM_SALT_LEN) ||
			!auth_random_bytes(st->secret.stored_key, SCRAM_KEY_LEN) ||
			!auth_random_bytes(st->secret.server_key, SCRAM_KEY_LEN))
			memset(st->secret.stored_key, 0xa5, SCRAM_KEY_LEN);
	}
	if (cbind_data && cbind_len > 0)
	{
		st->cbind_data = mem_alloc(cbind_len);
		memcpy(st->cbind_data, cbind_data, cbind_len);
		st->cbind_len = cbind_len;
		st->plus_offered = true;
	}
}

size_t
auth_scram_server_mechanisms(const ScramServer *st, char *buf, size_t cap)
{
	size_t		n = 0;

	if (st->plus_offered && cap >= sizeof(SCRAM_MECHANISM_PLUS))
	{
		memcpy(buf, SCRAM_MECHANISM_PLUS, sizeof(SCRAM_MECHANISM_PLUS));
		n += sizeof(SCRAM_MECHANISM_PLUS);
	}
	if (cap - n >= sizeof(SCRAM_MECHANISM) + 1)
	{
		memcpy(buf + n, SCRAM_MECHANISM, sizeof(SCRAM_MECHANISM));
		n += sizeof(SCRAM_MECHANISM);
		buf[n++] = '\0';
	}
	return n;
}

/*
 * The gs2 header: channel-binding flag and (empty) authorization identity.
 * Returns the length of the header including its second comma, or 0.
 */
static size_t
parse_gs2_header(ScramServer *st, bool plus, const char *data, size_t len, const char **err,
				 const char **detail)
{
	size_t		pos;

	*err = MALFORMED;
	if (len == 0)
	{
		*detail = "The message is empty.";
		return 0;
	}
	if (data[0] == 'p')
	{
		static const char cb[] = "p=tls-server-end-point,";

		if (!plus || !st->plus_offered)
		{
			*detail = "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.";
			return 0;
		}
		if (len < sizeof(cb) - 1 || memcmp(data, cb, sizeof(cb) - 1) != 0)
		{
			*err = "unsupported SCRAM channel-binding type";
			*detail = NULL;
			return 0;
		}
		pos = sizeof(cb) - 1;
		st->plus_used = true;
	}
	else if (data[0] == 'n' || data[0] == 'y')
	{
		if (plus)
		{
			*detail = "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.";
			return 0;
		}
		if (data[0] == 'y' && st->plus_offered)
		{
			*err = "SCRAM channel binding negotiation error";
			*detail = "The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.";
			return 0;
		}
		if (len < 2 || data[1] != ',')
		{
			*detail = "Comma expected after the channel-binding flag.";
			return 0;
		}
		pos = 2;
	}
	else
	{
		*detail = "Unexpected channel-binding flag.";
		return 0;
	}
	if (pos < len && data[pos] == 'a')
	{
		*err = "client uses authorization identity, but it is not supported";
		*detail = NULL;
		return 0;
	}
	if (pos >= len || data[pos] != ',')
	{
		*detail = "Comma expected after the authorization identity.";
		return 0;
	}
	return pos + 1;
}

/* client-first-message-bare: [reserved-mext] n=user,r=nonce[,extensions] */
static char *
parse_client_nonce(const char *p, const char *end, const char **err, const char **detail)
{
	char	   *user, *nonce;

	*err = MALFORMED;
	if (p < end && *p == 'm')
	{
		*err = "client requires an unsupported SCRAM extension";
		*detail = NULL;
		return NULL;
	}
	/* the user name is ignored: the startup packet's user is authenticated */
	user = scram_read_attr(&p, end, 'n', detail);
	if (user == NULL)
		return NULL;
	free(user);
	if (p >= end || *p != ',')
	{
		*detail = "Comma expected after the user name.";
		return NULL;
	}
	p++;
	nonce = scram_read_attr(&p, end, 'r', detail);
	if (nonce == NULL)
		return NULL;
	if (!scram_valid_nonce(nonce, strlen(nonce)))
	{
		*detail = "The client nonce contains invalid characters.";
		free(nonce);
		return NULL;
	}
	/* anything after is an optional extension, which we ignore */
	if (p < end && *p != ',')
	{
		*detail = "Garbage found at the end of client-first-message.";
		free(nonce);
		return NULL;
	}
	return nonce;
}

ScramStatus
auth_scram_server_first(ScramServer *st, const char *mechanism, const char *data, size_t len,
						char **reply, const char **err, const char **detail)
{
	bool		plus;
	size_t		hdr;
	char	   *client_nonce, *server_nonce, *salt, iter[16];

	*detail = NULL;
	if (st->step != 0)
	{
		*err = "unexpected SASL message";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	plus = strcmp(mechanism, SCRAM_MECHANISM_PLUS) == 0;
	if ((!plus && strcmp(mechanism, SCRAM_MECHANISM) != 0) || (plus && !st->plus_offered))
	{
		*err = "client selected an invalid SASL authentication mechanism";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	if (memchr(data, '\0', len) != NULL)
	{
		*err = MALFORMED;
		*detail = "Message contains a NUL byte.";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	hdr = parse_gs2_header(st, plus, data, len, err, detail);
	if (hdr == 0)
		return SCRAM_STATUS_PROTOCOL_ERROR;
	client_nonce = parse_client_nonce(data + hdr, data + len, err, detail);
	if (client_nonce == NULL)
		return SCRAM_STATUS_PROTOCOL_ERROR;
	server_nonce = scram_make_nonce();
	if (server_nonce == NULL)
	{
		free(client_nonce);
		*err = "could not generate random nonce";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	st->gs2_header = mem_alloc(hdr + 1);
	memcpy(st->gs2_header, data, hdr);
	st->gs2_header[hdr] = '\0';
	st->client_first_bare = mem_alloc(len - hdr + 1);
	memcpy(st->client_first_bare, data + hdr, len - hdr);
	st->client_first_bare[len - hdr] = '\0';
	st->nonce = scram_concat(client_nonce, server_nonce, (char *) NULL);
	free(client_nonce);
	free(server_nonce);
	salt = auth_b64_encode(st->secret.salt, st->secret.saltlen);
	snprintf(iter, sizeof(iter), "%d", st->secret.iterations);
	st->server_first = scram_concat("r=", st->nonce, ",s=", salt, ",i=", iter, (char *) NULL);
	free(salt);
	*reply = str_dup(st->server_first);
	st->step = 1;
	return SCRAM_STATUS_OK;
}

/* The c= attribute must repeat the gs2 header (and the TLS binding data). */
static bool
check_channel_binding(const ScramServer *st, const char *b64)
{
	size_t		hlen = strlen(st->gs2_header);
	size_t		want = hlen + (st->plus_used ? st->cbind_len : 0);
	size_t		n = 0;
	uint8_t    *raw = auth_b64_decode(b64, strlen(b64), &n);
	bool		ok = raw != NULL && n == want && memcmp(raw, st->gs2_header, hlen) == 0 &&
		(!st->plus_used || memcmp(raw + hlen, st->cbind_data, st->cbind_len) == 0);

	free(raw);
	return ok;
}

/* Check the proof; fills st->client_key on success. */
static bool
verify_proof(ScramServer *st, const uint8_t proof[SCRAM_KEY_LEN], const char *auth_message)
{
	uint8_t		signature[SCRAM_KEY_LEN], stored[SCRAM_KEY_LEN];
	bool		ok;

	auth_hmac_sha256(st->secret.stored_key, SCRAM_KEY_LEN, auth_message, strlen(auth_message),
					 signature);
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		st->client_key[i] = proof[i] ^ signature[i];
	auth_sha256(st->client_key, SCRAM_KEY_LEN, stored);
	ok = auth_equal(stored, st->secret.stored_key, SCRAM_KEY_LEN) && !st->mock;
	auth_wipe(signature, sizeof(signature));
	return ok;
}

/* Parse "c=...,r=...[,ext...],p=..."; returns the proof position or NULL. */
static const char *
parse_client_final(ScramServer *st, const char *data, const char *end, uint8_t proof[SCRAM_KEY_LEN],
				   const char **err, const char **detail)
{
	const char *p = data, *proof_at;
	char	   *cbind, *nonce, *b64proof;
	bool		ok;

	*err = MALFORMED;
	cbind = scram_read_attr(&p, end, 'c', detail);
	if (cbind == NULL)
		return NULL;
	ok = check_channel_binding(st, cbind);
	free(cbind);
	if (!ok)
	{
		*err = "SCRAM channel binding check failed";
		*detail = NULL;
		return NULL;
	}
	if (p >= end || *p++ != ',')
	{
		*detail = "Comma expected after the channel binding.";
		return NULL;
	}
	nonce = scram_read_attr(&p, end, 'r', detail);
	if (nonce == NULL)
		return NULL;
	ok = strcmp(nonce, st->nonce) == 0;
	free(nonce);
	if (!ok)
	{
		*err = "invalid SCRAM response";
		*detail = "Nonce does not match.";
		return NULL;
	}
	/* skip extensions up to the proof, which must come last */
	for (;;)
	{
		if (p >= end || *p != ',')
		{
			*detail = "Proof expected, but found end of string.";
			return NULL;
		}
		proof_at = p;
		p++;
		if (p < end && *p == 'p')
			break;
		while (p < end && *p != ',')
			p++;
	}
	b64proof = scram_read_attr(&p, end, 'p', detail);
	if (b64proof == NULL)
		return NULL;
	if (p != end)
	{
		free(b64proof);
		*detail = "Garbage found at the end of client-final-message.";
		return NULL;
	}
	{
		size_t		n = 0;
		uint8_t    *raw = auth_b64_decode(b64proof, strlen(b64proof), &n);

		ok = raw != NULL && n == SCRAM_KEY_LEN;
		if (ok)
			memcpy(proof, raw, SCRAM_KEY_LEN);
		free(raw);
		free(b64proof);
	}
	if (!ok)
	{
		*detail = "Malformed proof in client-final-message.";
		return NULL;
	}
	return proof_at;
}

ScramStatus
auth_scram_server_final(ScramServer *st, const char *data, size_t len, char **reply,
						const char **err, const char **detail)
{
	uint8_t		proof[SCRAM_KEY_LEN], server_sig[SCRAM_KEY_LEN];
	const char *proof_at;
	char	   *without_proof, *auth_message, *b64;
	bool		ok;

	*detail = NULL;
	if (st->step != 1)
	{
		*err = "unexpected SASL message";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	if (memchr(data, '\0', len) != NULL)
	{
		*err = MALFORMED;
		*detail = "Message contains a NUL byte.";
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	proof_at = parse_client_final(st, data, data + len, proof, err, detail);
	if (proof_at == NULL)
		return SCRAM_STATUS_PROTOCOL_ERROR;
	without_proof = mem_alloc((size_t) (proof_at - data) + 1);
	memcpy(without_proof, data, (size_t) (proof_at - data));
	without_proof[proof_at - data] = '\0';
	auth_message = scram_concat(st->client_first_bare, ",", st->server_first, ",", without_proof,
								(char *) NULL);
	free(without_proof);
	ok = verify_proof(st, proof, auth_message);
	st->step = 2;
	if (!ok)
	{
		free(auth_message);
		*err = NULL;
		return SCRAM_STATUS_AUTH_FAILED;
	}
	auth_hmac_sha256(st->secret.server_key, SCRAM_KEY_LEN, auth_message, strlen(auth_message),
					 server_sig);
	free(auth_message);
	b64 = auth_b64_encode(server_sig, SCRAM_KEY_LEN);
	*reply = scram_concat("v=", b64, (char *) NULL);
	free(b64);
	return SCRAM_STATUS_OK;
}

void
auth_scram_server_free(ScramServer *st)
{
	free(st->cbind_data);
	free(st->gs2_header);
	free(st->client_first_bare);
	free(st->nonce);
	free(st->server_first);
	auth_wipe(st, sizeof(*st));
}
