/*
 * crypto.c: hashes, HMAC, PBKDF2, base64, random bytes and AES for
 * authentication, all through OpenSSL's libcrypto.  Pure functions used by
 * children (client and backend authentication), the parent (loading
 * pool_passwd) and the pg_md5 / pg_enc tools.
 */
#include "auth/auth_crypto.h"

#include "utils/str.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

void
auth_md5_hex(const void *data, size_t len, char *out)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!EVP_Digest(data, len, digest, &dlen, EVP_md5(), NULL))
		abort();				/* md5 missing from libcrypto: nothing sane to do */
	for (unsigned int i = 0; i < 16; i++)
	{
		out[2 * i] = hexdigits[digest[i] >> 4];
		out[2 * i + 1] = hexdigits[digest[i] & 15];
	}
	out[AUTH_MD5_HEX_LEN] = '\0';
}

void
auth_md5_password(const char *password, const char *user, char *out)
{
	size_t		plen = strlen(password);
	size_t		ulen = strlen(user);
	char	   *buf = mem_alloc(plen + ulen + 1);

	memcpy(buf, password, plen);
	memcpy(buf + plen, user, ulen);
	memcpy(out, "md5", 3);
	auth_md5_hex(buf, plen + ulen, out + 3);
	auth_wipe(buf, plen + ulen);
	free(buf);
}

void
auth_md5_salted(const char *hex, const uint8_t salt[4], char *out)
{
	char		buf[AUTH_MD5_HEX_LEN + 4];

	memcpy(buf, hex, AUTH_MD5_HEX_LEN);
	memcpy(buf + AUTH_MD5_HEX_LEN, salt, 4);
	memcpy(out, "md5", 3);
	auth_md5_hex(buf, sizeof(buf), out + 3);
	auth_wipe(buf, sizeof(buf));
}

void
auth_sha256(const void *data, size_t len, uint8_t out[AUTH_SHA256_LEN])
{
	unsigned int dlen = 0;

	if (!EVP_Digest(data, len, out, &dlen, EVP_sha256(), NULL))
		abort();
}

void
auth_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
				 uint8_t out[AUTH_SHA256_LEN])
{
	unsigned int olen = 0;

	if (HMAC(EVP_sha256(), key, (int) keylen, data, len, out, &olen) == NULL)
		abort();
}

bool
auth_pbkdf2_sha256(const char *password, size_t pwlen, const uint8_t *salt, size_t saltlen,
				   int iterations, uint8_t out[AUTH_SHA256_LEN])
{
	return PKCS5_PBKDF2_HMAC(password, (int) pwlen, salt, (int) saltlen, iterations,
							 EVP_sha256(), AUTH_SHA256_LEN, out) == 1;
}

bool
auth_random_bytes(void *buf, size_t len)
{
	return RAND_bytes(buf, (int) len) == 1;
}

bool
auth_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

bool
auth_str_equal(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);

	/* compare over the longer length so the time does not depend on content */
	if (la != lb)
	{
		(void) CRYPTO_memcmp(a, a, la);
		return false;
	}
	return CRYPTO_memcmp(a, b, la) == 0;
}

void
auth_wipe(void *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
}

void
auth_free_secret(char *s)
{
	if (s == NULL)
		return;
	auth_wipe(s, strlen(s));
	free(s);
}

static const char b64chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
auth_b64_encode(const void *data, size_t len)
{
	const uint8_t *in = data;
	char	   *out = mem_alloc((len + 2) / 3 * 4 + 1);
	char	   *p = out;
	size_t		i;

	for (i = 0; i + 2 < len; i += 3)
	{
		uint32_t	v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];

		*p++ = b64chars[v >> 18];
		*p++ = b64chars[(v >> 12) & 63];
		*p++ = b64chars[(v >> 6) & 63];
		*p++ = b64chars[v & 63];
	}
	if (i < len)
	{
		uint32_t	v = (uint32_t) in[i] << 16 | (i + 1 < len ? (uint32_t) in[i + 1] << 8 : 0);

		*p++ = b64chars[v >> 18];
		*p++ = b64chars[(v >> 12) & 63];
		*p++ = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

static int
b64_value(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int) (p - b64chars) : -1;
}

uint8_t *
auth_b64_decode(const char *text, size_t len, size_t *outlen)
{
	uint8_t    *out;
	size_t		n = 0;
	int			pad = 0;

	if (len % 4 != 0)
		return NULL;
	if (len >= 1 && text[len - 1] == '=')
		pad++;
	if (len >= 2 && text[len - 2] == '=')
		pad++;
	out = mem_alloc(len / 4 * 3 + 1);
	for (size_t i = 0; i < len; i += 4)
	{
		uint32_t	v = 0;

		for (int k = 0; k < 4; k++)
		{
			int			d = b64_value(text[i + k]);

			if (d < 0 && !(text[i + k] == '=' && i + 4 == len && k >= 4 - pad))
			{
				free(out);
				return NULL;
			}
			v = v << 6 | (uint32_t) (d < 0 ? 0 : d);
		}
		out[n++] = (uint8_t) (v >> 16);
		out[n++] = (uint8_t) (v >> 8);
		out[n++] = (uint8_t) v;
	}
	*outlen = n - (size_t) pad;
	return out;
}

/* Key and IV from the key text, as "openssl enc -md sha256 -nosalt" derives them. */
static bool
aes_derive(const char *key, unsigned char *k, unsigned char *iv)
{
	return EVP_BytesToKey(EVP_aes_256_cbc(), EVP_sha256(), NULL, (const unsigned char *) key,
						  (int) strlen(key), 1, k, iv) == 32;
}

/* Run the cipher over in; returns the output length or -1. */
static int
aes_run(bool encrypt, const char *key, const uint8_t *in, int inlen, uint8_t *out)
{
	unsigned char k[32], iv[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int			n = 0, fin = 0;
	bool		ok;

	if (ctx == NULL)
		return -1;
	ok = aes_derive(key, k, iv) &&
		EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, k, iv, encrypt ? 1 : 0) == 1 &&
		EVP_CipherUpdate(ctx, out, &n, in, inlen) == 1 &&
		EVP_CipherFinal_ex(ctx, out + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	auth_wipe(k, sizeof(k));
	auth_wipe(iv, sizeof(iv));
	return ok ? n + fin : -1;
}

char *
auth_aes_encrypt(const char *plain, const char *key)
{
	int			len = (int) strlen(plain);
	uint8_t    *buf = mem_alloc((size_t) len + 32);
	int			n = aes_run(true, key, (const uint8_t *) plain, len, buf);
	char	   *text = n < 0 ? NULL : auth_b64_encode(buf, (size_t) n);

	free(buf);
	return text;
}

char *
auth_aes_decrypt(const char *b64, const char *key)
{
	size_t		inlen = 0;
	uint8_t    *in = auth_b64_decode(b64, strlen(b64), &inlen);
	uint8_t    *out;
	int			n;

	if (in == NULL || inlen == 0 || inlen % 16 != 0)
	{
		free(in);
		return NULL;
	}
	out = mem_alloc(inlen + 32);
	n = aes_run(false, key, in, (int) inlen, out);
	free(in);
	if (n < 0 || memchr(out, '\0', (size_t) n) != NULL)
	{
		auth_wipe(out, inlen + 32);
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return (char *) out;
}
