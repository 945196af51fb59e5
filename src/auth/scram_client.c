/*
 * scram_client.c: the client side of SCRAM-SHA-256, used by a child to log
 * in to a backend with a password from pool_passwd or from the client.
 *
 * pgpool sends gs2 flag "n" (no channel binding): the backend's TLS channel
 * ends at pgpool, so binding the client's proof to it buys nothing here.
 * The backend's server-final-message is verified, so a backend that does not
 * know the secret is not trusted.
 */
#include "scram_int.h"

#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

#define MALFORMED_SERVER "malformed SCRAM message from the server"

static bool
start_exchange(ScramClient *st, const char *nonce, char **out)
{
	st->client_nonce = nonce ? str_dup(nonce) : scram_make_nonce();
	if (st->client_nonce == NULL)
		return false;
	st->client_first_bare = scram_concat("n=,r=", st->client_nonce, (char *) NULL);
	*out = scram_concat("n,,", st->client_first_bare, (char *) NULL);
	st->step = 1;
	return true;
}

bool
auth_scram_client_first(ScramClient *st, const char *password, const char *nonce, char **out)
{
	memset(st, 0, sizeof(*st));
	st->password = auth_saslprep(password);
	return start_exchange(st, nonce, out);
}

bool
auth_scram_client_first_keys(ScramClient *st, const ScramSecret *secret,
							 const uint8_t client_key[SCRAM_KEY_LEN], const char *nonce, char **out)
{
	memset(st, 0, sizeof(*st));
	st->use_keys = true;
	st->secret = *secret;
	memcpy(st->client_key, client_key, SCRAM_KEY_LEN);
	return start_exchange(st, nonce, out);
}

/* Parse "r=...,s=...,i=..." into its parts; false with *err on error. */
static bool
parse_server_first(ScramClient *st, const char *data, const char *end, char **nonce,
				   uint8_t **salt, size_t *saltlen, int *iterations, const char **err)
{
	const char *p = data;
	const char *detail = NULL;
	char	   *b64salt, *iter, *endp;
	long		it;

	*err = MALFORMED_SERVER;
	*nonce = scram_read_attr(&p, end, 'r', &detail);
	if (*nonce == NULL || p >= end || *p++ != ',')
		return false;
	if (strncmp(*nonce, st->client_nonce, strlen(st->client_nonce)) != 0 ||
		strlen(*nonce) <= strlen(st->client_nonce) || !scram_valid_nonce(*nonce, strlen(*nonce)))
	{
		*err = "invalid SCRAM response from the server (nonce mismatch)";
		return false;
	}
	b64salt = scram_read_attr(&p, end, 's', &detail);
	if (b64salt == NULL || p >= end || *p++ != ',')
	{
		free(b64salt);
		return false;
	}
	*salt = auth_b64_decode(b64salt, strlen(b64salt), saltlen);
	free(b64salt);
	if (*salt == NULL || *saltlen == 0)
		return false;
	iter = scram_read_attr(&p, end, 'i', &detail);
	if (iter == NULL)
		return false;
	it = strtol(iter, &endp, 10);
	if (endp == iter || *endp != '\0' || it < 1 || it > SCRAM_MAX_ITERATIONS)
	{
		free(iter);
		*err = "invalid SCRAM iteration count from the server";
		return false;
	}
	free(iter);
	*iterations = (int) it;
	/* extensions after i= are allowed and ignored */
	return p == end || *p == ',';
}

/*
 * The keys for the backend's salt and iteration count: from the password,
 * or (use_keys) the stored ones, which fit only the same secret.
 */
static bool
exchange_keys(ScramClient *st, const uint8_t *salt, size_t saltlen, int iterations,
			  uint8_t client_key[SCRAM_KEY_LEN], uint8_t server_key[SCRAM_KEY_LEN], const char **err)
{
	uint8_t		salted[SCRAM_KEY_LEN];

	if (st->use_keys)
	{
		if (saltlen != st->secret.saltlen || memcmp(salt, st->secret.salt, saltlen) != 0 ||
			iterations != st->secret.iterations)
		{
			*err = "the backend's SCRAM secret differs from the one in pool_passwd (salt or iteration count)";
			return false;
		}
		memcpy(client_key, st->client_key, SCRAM_KEY_LEN);
		memcpy(server_key, st->secret.server_key, SCRAM_KEY_LEN);
		return true;
	}
	if (!scram_salted_password(st->password, salt, saltlen, iterations, salted))
	{
		*err = "could not compute the salted password";
		return false;
	}
	scram_derive_key(salted, "Client Key", client_key);
	scram_derive_key(salted, "Server Key", server_key);
	auth_wipe(salted, sizeof(salted));
	return true;
}

/* Proof and expected server signature for the auth message. */
static void
compute_proof(ScramClient *st, const uint8_t client_key[SCRAM_KEY_LEN],
			  const uint8_t server_key[SCRAM_KEY_LEN], const char *auth_message,
			  uint8_t proof[SCRAM_KEY_LEN])
{
	uint8_t		stored[SCRAM_KEY_LEN], sig[SCRAM_KEY_LEN];

	auth_sha256(client_key, SCRAM_KEY_LEN, stored);
	auth_hmac_sha256(stored, SCRAM_KEY_LEN, auth_message, strlen(auth_message), sig);
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		proof[i] = client_key[i] ^ sig[i];
	auth_hmac_sha256(server_key, SCRAM_KEY_LEN, auth_message, strlen(auth_message),
					 st->server_signature);
}

ScramStatus
auth_scram_client_final(ScramClient *st, const char *data, size_t len, char **out,
						const char **err)
{
	char	   *nonce = NULL, *server_first, *without_proof, *auth_message, *b64;
	uint8_t    *salt = NULL;
	size_t		saltlen = 0;
	int			iterations = 0;
	uint8_t		client_key[SCRAM_KEY_LEN], server_key[SCRAM_KEY_LEN], proof[SCRAM_KEY_LEN];
	bool		ok;

	if (st->step != 1 || memchr(data, '\0', len) != NULL)
	{
		*err = MALFORMED_SERVER;
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	ok = parse_server_first(st, data, data + len, &nonce, &salt, &saltlen, &iterations, err) &&
		exchange_keys(st, salt, saltlen, iterations, client_key, server_key, err);
	free(salt);
	if (!ok)
	{
		free(nonce);
		return SCRAM_STATUS_PROTOCOL_ERROR;
	}
	server_first = mem_alloc(len + 1);
	memcpy(server_first, data, len);
	server_first[len] = '\0';
	/* "biws" is base64 of the gs2 header "n,," */
	without_proof = scram_concat("c=biws,r=", nonce, (char *) NULL);
	auth_message = scram_concat(st->client_first_bare, ",", server_first, ",", without_proof,
								(char *) NULL);
	compute_proof(st, client_key, server_key, auth_message, proof);
	b64 = auth_b64_encode(proof, SCRAM_KEY_LEN);
	*out = scram_concat(without_proof, ",p=", b64, (char *) NULL);
	auth_wipe(client_key, sizeof(client_key));
	auth_wipe(server_key, sizeof(server_key));
	free(b64);
	free(auth_message);
	free(without_proof);
	free(server_first);
	free(nonce);
	st->step = 2;
	return SCRAM_STATUS_OK;
}

ScramStatus
auth_scram_client_verify(ScramClient *st, const char *data, size_t len, const char **err)
{
	const char *p = data;
	const char *detail = NULL;
	char	   *b64;
	uint8_t    *sig;
	size_t		n = 0;
	bool		ok;

	*err = MALFORMED_SERVER;
	if (st->step != 2 || memchr(data, '\0', len) != NULL)
		return SCRAM_STATUS_PROTOCOL_ERROR;
	if (len >= 2 && data[0] == 'e' && data[1] == '=')
	{
		*err = "the server reported a SCRAM error";
		return SCRAM_STATUS_AUTH_FAILED;
	}
	b64 = scram_read_attr(&p, data + len, 'v', &detail);
	if (b64 == NULL)
		return SCRAM_STATUS_PROTOCOL_ERROR;
	sig = auth_b64_decode(b64, strlen(b64), &n);
	free(b64);
	ok = sig != NULL && n == SCRAM_KEY_LEN && auth_equal(sig, st->server_signature, SCRAM_KEY_LEN);
	free(sig);
	st->step = 3;
	if (!ok)
	{
		*err = "incorrect server signature";
		return SCRAM_STATUS_AUTH_FAILED;
	}
	return SCRAM_STATUS_OK;
}

void
auth_scram_client_free(ScramClient *st)
{
	auth_free_secret(st->password);
	free(st->client_nonce);
	free(st->client_first_bare);
	auth_wipe(st, sizeof(*st));
}
