/*
 * auth_crypto.h: the hashes and ciphers authentication needs, on top of
 * OpenSSL's libcrypto: PostgreSQL's md5 password hashes, SHA-256, HMAC,
 * PBKDF2, base64, random bytes, constant-time comparison and the AES-256
 * encryption of pool_passwd entries.
 *
 * Pure functions (no global state); used by children, the parent and the
 * pg_md5 / pg_enc tools.  Results go into caller buffers or malloc'd
 * strings the caller frees.
 */
#ifndef PGPOOL_AUTH_AUTH_CRYPTO_H
#define PGPOOL_AUTH_AUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_MD5_HEX_LEN	32		/* hex digits of an md5 digest */
#define AUTH_MD5_PASSWD_LEN	35		/* "md5" + 32 hex digits */
#define AUTH_SHA256_LEN		32

/* Hex md5 of data into out (AUTH_MD5_HEX_LEN + 1 bytes). */
void		auth_md5_hex(const void *data, size_t len, char *out);

/*
 * PostgreSQL's stored md5 password: "md5" + md5hex(password || user), into
 * out (AUTH_MD5_PASSWD_LEN + 1 bytes).
 */
void		auth_md5_password(const char *password, const char *user, char *out);

/*
 * The answer to an md5 challenge: "md5" + md5hex(hex || salt), where hex is
 * the 32 hex digits of a stored md5 password (without its "md5" prefix).
 * out: AUTH_MD5_PASSWD_LEN + 1 bytes.
 */
void		auth_md5_salted(const char *hex, const uint8_t salt[4], char *out);

/* SHA-256 of data. */
void		auth_sha256(const void *data, size_t len, uint8_t out[AUTH_SHA256_LEN]);

/* HMAC-SHA-256(key, data). */
void		auth_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
							 uint8_t out[AUTH_SHA256_LEN]);

/* PBKDF2-HMAC-SHA-256 with one output block (SCRAM's Hi()). */
bool		auth_pbkdf2_sha256(const char *password, size_t pwlen, const uint8_t *salt,
							   size_t saltlen, int iterations, uint8_t out[AUTH_SHA256_LEN]);

/* Fill buf with cryptographically strong random bytes; false on failure. */
bool		auth_random_bytes(void *buf, size_t len);

/* Constant-time equality of two buffers of the same length. */
bool		auth_equal(const void *a, const void *b, size_t len);

/* Constant-time equality of two strings (lengths may differ). */
bool		auth_str_equal(const char *a, const char *b);

/* Overwrite a secret before its memory is freed or reused. */
void		auth_wipe(void *p, size_t len);

/* wipe then free a NUL-terminated secret; NULL is fine. */
void		auth_free_secret(char *s);

/* Base64 (RFC 4648, with padding).  Returns a malloc'd string. */
char	   *auth_b64_encode(const void *data, size_t len);

/*
 * Strict base64 decoding of len characters: returns a malloc'd buffer and
 * sets *outlen, or NULL if the text is not valid base64.
 */
uint8_t    *auth_b64_decode(const char *text, size_t len, size_t *outlen);

/*
 * AES-256-CBC as pool_passwd's "AES" entries use it: key and IV derived
 * from the key text with one round of SHA-256 (OpenSSL's EVP_BytesToKey, no
 * salt), PKCS#7 padding, base64 text.  The same as
 * "openssl enc -aes-256-cbc -md sha256 -nosalt -a -A -pass pass:KEY".
 * Both return a malloc'd string or NULL (decrypt: wrong key or bad text).
 */
char	   *auth_aes_encrypt(const char *plain, const char *key);
char	   *auth_aes_decrypt(const char *b64, const char *key);

#endif
