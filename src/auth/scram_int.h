/*
 * scram_int.h: helpers shared by the SCRAM server and client (private to
 * src/auth).
 */
#ifndef PGPOOL_AUTH_SCRAM_INT_H
#define PGPOOL_AUTH_SCRAM_INT_H

#include "auth/auth_scram.h"

/* SaltedPassword = Hi(password, salt, i) */
bool		scram_salted_password(const char *prepped, const uint8_t *salt, size_t saltlen,
								  int iterations, uint8_t out[SCRAM_KEY_LEN]);

/* HMAC(key, name): "Client Key" and "Server Key" derivations. */
void		scram_derive_key(const uint8_t salted[SCRAM_KEY_LEN], const char *name,
							 uint8_t out[SCRAM_KEY_LEN]);

/* A random nonce: SCRAM_RAW_NONCE_LEN random bytes in base64 (malloc'd), NULL on failure. */
char	   *scram_make_nonce(void);

/*
 * Read "<attr>=<value>" at *p, up to the next ',' or the end; advances *p
 * past the value (not past the comma).  Returns a malloc'd value or NULL
 * (and *err / *detail) if the attribute is not the expected one.
 */
char	   *scram_read_attr(const char **p, const char *end, char attr, const char **detail);

/* Concatenate NULL-terminated list of strings (malloc'd). */
char	   *scram_concat(const char *first,...);

/* True if s[0..len) is printable ASCII without ',' (a valid nonce). */
bool		scram_valid_nonce(const char *s, size_t len);

#endif
