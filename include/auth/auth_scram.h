/*
 * auth_scram.h: SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it,
 * on both sides: pgpool as the server towards clients and as the client
 * towards backends.  Also the stored secret format
 * "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
 *
 * The exchanges are pure state machines over message texts: no I/O, so the
 * session code moves the bytes and unit tests drive them directly.  Strings
 * returned through out-parameters are malloc'd (caller frees); error texts
 * are static.  Used by children.
 */
#ifndef PGPOOL_AUTH_AUTH_SCRAM_H
#define PGPOOL_AUTH_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth_crypto.h"

#define SCRAM_MECHANISM			"SCRAM-SHA-256"
#define SCRAM_MECHANISM_PLUS	"SCRAM-SHA-256-PLUS"
#define SCRAM_KEY_LEN			AUTH_SHA256_LEN
#define SCRAM_DEFAULT_ITERATIONS 4096
#define SCRAM_SALT_LEN			16
#define SCRAM_MAX_SALT_LEN		64
#define SCRAM_RAW_NONCE_LEN		18
#define SCRAM_MAX_ITERATIONS	100000000

/* A stored SCRAM secret (what PostgreSQL keeps in pg_authid). */
typedef struct ScramSecret
{
	int			iterations;
	uint8_t		salt[SCRAM_MAX_SALT_LEN];
	size_t		saltlen;
	uint8_t		stored_key[SCRAM_KEY_LEN];
	uint8_t		server_key[SCRAM_KEY_LEN];
} ScramSecret;

/* Outcome of a step of an exchange. */
typedef enum ScramStatus
{
	SCRAM_STATUS_OK = 0,
	SCRAM_STATUS_PROTOCOL_ERROR,	/* malformed or unexpected message (SQLSTATE 08P01) */
	SCRAM_STATUS_AUTH_FAILED	/* wrong password / proof (SQLSTATE 28P01) */
} ScramStatus;

/* Parse "SCRAM-SHA-256$..."; false if it is not a valid secret. */
bool		auth_scram_parse_secret(const char *text, ScramSecret *out);

/* Derive a secret from a password (SASLprep'ed here) with the given salt and iterations. */
bool		auth_scram_make_secret(const char *password, const uint8_t *salt, size_t saltlen,
								   int iterations, ScramSecret *out);

/* The text form of a secret; malloc'd. */
char	   *auth_scram_secret_text(const ScramSecret *secret);

/* Does a clear-text password match the secret? (constant-time) */
bool		auth_scram_check_password(const ScramSecret *secret, const char *password);

/*
 * SASLprep (RFC 4013) as far as PostgreSQL's use needs it: non-ASCII spaces
 * become U+0020 and "mapped to nothing" characters are dropped; input that
 * is not valid UTF-8 or holds ASCII control characters is used as is (as
 * PostgreSQL does).  NFKC normalisation is not applied: passwords are
 * assumed to be normalised already.  Returns a malloc'd string.
 */
char	   *auth_saslprep(const char *password);

/* ---- server side: pgpool authenticates a client ---- */

typedef struct ScramServer
{
	int			step;			/* 0: await client-first, 1: await client-final, 2: done */
	ScramSecret secret;
	bool		mock;			/* no real secret: the exchange runs but always fails */
	bool		plus_offered;	/* SCRAM-SHA-256-PLUS was offered (TLS) */
	bool		plus_used;
	uint8_t    *cbind_data;		/* tls-server-end-point hash, when TLS */
	size_t		cbind_len;
	char	   *gs2_header;		/* e.g. "n,," */
	char	   *client_first_bare;
	char	   *nonce;			/* client nonce + server nonce */
	char	   *server_first;
	uint8_t		client_key[SCRAM_KEY_LEN];	/* recovered from a valid proof */
} ScramServer;

/*
 * Start an exchange.  secret NULL runs a mock exchange that fails at the
 * end (so a missing user looks like a wrong password).  cbind_data (may be
 * NULL) is the channel-binding data of the TLS connection; when given,
 * SCRAM-SHA-256-PLUS is offered.
 */
void		auth_scram_server_init(ScramServer *st, const ScramSecret *secret,
								   const uint8_t *cbind_data, size_t cbind_len);

/* The mechanism list for AuthenticationSASL (NUL-separated, double NUL at the end). */
size_t		auth_scram_server_mechanisms(const ScramServer *st, char *buf, size_t cap);

/*
 * Take the SASLInitialResponse (mechanism name and client-first-message);
 * on success *reply is the server-first-message.  On failure *err and
 * *detail describe it in PostgreSQL's words.
 */
ScramStatus auth_scram_server_first(ScramServer *st, const char *mechanism, const char *data,
									size_t len, char **reply, const char **err,
									const char **detail);

/* Take the client-final-message; on success *reply is the server-final-message. */
ScramStatus auth_scram_server_final(ScramServer *st, const char *data, size_t len, char **reply,
									const char **err, const char **detail);

void		auth_scram_server_free(ScramServer *st);

/* ---- client side: pgpool authenticates to a backend ---- */

typedef struct ScramClient
{
	int			step;
	char	   *password;		/* SASLprep'ed; NULL when keys are used */
	bool		use_keys;		/* prove with a ClientKey instead of a password */
	ScramSecret secret;			/* with use_keys: the secret the keys belong to */
	uint8_t		client_key[SCRAM_KEY_LEN];
	char	   *client_nonce;
	char	   *client_first_bare;
	uint8_t		server_signature[SCRAM_KEY_LEN];
} ScramClient;

/*
 * Start an exchange with the password; *out is the client-first-message
 * (gs2 flag "n": pgpool does not bind to the backend's TLS channel).  nonce
 * NULL picks a random one (tests pass their own).
 */
bool		auth_scram_client_first(ScramClient *st, const char *password, const char *nonce,
									char **out);

/*
 * As auth_scram_client_first, but proving with the ClientKey a client
 * revealed in a successful exchange with pgpool (ScramServer.client_key)
 * and the secret it matched: works when the backend's secret is the same
 * one (same salt and iteration count), as when pool_passwd holds a copy of
 * pg_authid's secret.
 */
bool		auth_scram_client_first_keys(ScramClient *st, const ScramSecret *secret,
										 const uint8_t client_key[SCRAM_KEY_LEN], const char *nonce,
										 char **out);

/* Take the server-first-message; *out is the client-final-message. */
ScramStatus auth_scram_client_final(ScramClient *st, const char *data, size_t len, char **out,
									const char **err);

/* Check the server-final-message (the backend proves it knew the secret). */
ScramStatus auth_scram_client_verify(ScramClient *st, const char *data, size_t len,
									 const char **err);

void		auth_scram_client_free(ScramClient *st);

#endif
