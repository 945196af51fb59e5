/*
 * scram_secret.c: SCRAM-SHA-256 secrets ("SCRAM-SHA-256$i:salt$StoredKey:
 * ServerKey"), password checks against them, SASLprep and the helpers the
 * server and client exchanges share.  Pure functions, used by children and
 * the tools.
 */
#include "scram_int.h"

#include "utils/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_PREFIX "SCRAM-SHA-256$"

bool
scram_salted_password(const char *prepped, const uint8_t *salt, size_t saltlen, int iterations,
					  uint8_t out[SCRAM_KEY_LEN])
{
	return auth_pbkdf2_sha256(prepped, strlen(prepped), salt, saltlen, iterations, out);
}

void
scram_derive_key(const uint8_t salted[SCRAM_KEY_LEN], const char *name, uint8_t out[SCRAM_KEY_LEN])
{
	auth_hmac_sha256(salted, SCRAM_KEY_LEN, name, strlen(name), out);
}

char *
scram_make_nonce(void)
{
	uint8_t		raw[SCRAM_RAW_NONCE_LEN];

	if (!auth_random_bytes(raw, sizeof(raw)))
		return NULL;
	return auth_b64_encode(raw, sizeof(raw));
}

char *
scram_concat(const char *first,...)
{
	va_list		ap;
	size_t		len = 0;
	char	   *out, *p;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		len += strlen(s);
	va_end(ap);
	out = p = mem_alloc(len + 1);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
	{
		size_t		n = strlen(s);

		memcpy(p, s, n);
		p += n;
	}
	va_end(ap);
	*p = '\0';
	return out;
}

bool
scram_valid_nonce(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
			return false;
	return true;
}

char *
scram_read_attr(const char **p, const char *end, char attr, const char **detail)
{
	const char *start = *p;
	const char *stop;
	char	   *value;

	if (start >= end)
	{
		*detail = "Attribute expected, but found end of string.";
		return NULL;
	}
	if (end - start < 2 || start[0] != attr || start[1] != '=')
	{
		*detail = "Expected an attribute that was not found.";
		return NULL;
	}
	start += 2;
	stop = memchr(start, ',', (size_t) (end - start));
	if (stop == NULL)
		stop = end;
	if (memchr(start, '\0', (size_t) (stop - start)) != NULL)
	{
		*detail = "Message contains a NUL byte.";
		return NULL;
	}
	value = mem_alloc((size_t) (stop - start) + 1);
	memcpy(value, start, (size_t) (stop - start));
	value[stop - start] = '\0';
	*p = stop;
	return value;
}

/* Decode base64 of exactly want bytes into out. */
static bool
decode_exact(const char *text, size_t len, uint8_t *out, size_t want)
{
	size_t		n = 0;
	uint8_t    *raw = auth_b64_decode(text, len, &n);
	bool		ok = raw != NULL && n == want;

	if (ok)
		memcpy(out, raw, want);
	free(raw);
	return ok;
}

bool
auth_scram_parse_secret(const char *text, ScramSecret *out)
{
	const char *p = text, *colon, *dollar, *colon2;
	char	   *endp;
	long		iter;
	size_t		saltlen = 0;
	uint8_t    *salt;

	if (strncmp(p, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0)
		return false;
	p += strlen(SECRET_PREFIX);
	iter = strtol(p, &endp, 10);
	if (endp == p || *endp != ':' || iter < 1 || iter > SCRAM_MAX_ITERATIONS)
		return false;
	colon = endp;
	dollar = strchr(colon, '$');
	if (dollar == NULL)
		return false;
	salt = auth_b64_decode(colon + 1, (size_t) (dollar - colon - 1), &saltlen);
	if (salt == NULL || saltlen == 0 || saltlen > SCRAM_MAX_SALT_LEN)
	{
		free(salt);
		return false;
	}
	memcpy(out->salt, salt, saltlen);
	out->saltlen = saltlen;
	free(salt);
	out->iterations = (int) iter;
	colon2 = strchr(dollar, ':');
	return colon2 != NULL &&
		decode_exact(dollar + 1, (size_t) (colon2 - dollar - 1), out->stored_key, SCRAM_KEY_LEN) &&
		decode_exact(colon2 + 1, strlen(colon2 + 1), out->server_key, SCRAM_KEY_LEN);
}

bool
auth_scram_make_secret(const char *password, const uint8_t *salt, size_t saltlen, int iterations,
					   ScramSecret *out)
{
	uint8_t		salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	char	   *prepped = auth_saslprep(password);
	bool		ok;

	if (saltlen == 0 || saltlen > SCRAM_MAX_SALT_LEN)
	{
		auth_free_secret(prepped);
		return false;
	}
	ok = scram_salted_password(prepped, salt, saltlen, iterations, salted);
	auth_free_secret(prepped);
	if (!ok)
		return false;
	memcpy(out->salt, salt, saltlen);
	out->saltlen = saltlen;
	out->iterations = iterations;
	scram_derive_key(salted, "Client Key", client_key);
	auth_sha256(client_key, SCRAM_KEY_LEN, out->stored_key);
	scram_derive_key(salted, "Server Key", out->server_key);
	auth_wipe(salted, sizeof(salted));
	auth_wipe(client_key, sizeof(client_key));
	return true;
}

char *
auth_scram_secret_text(const ScramSecret *secret)
{
	char		iter[16];
	char	   *salt = auth_b64_encode(secret->salt, secret->saltlen);
	char	   *stored = auth_b64_encode(secret->stored_key, SCRAM_KEY_LEN);
	char	   *server = auth_b64_encode(secret->server_key, SCRAM_KEY_LEN);
	char	   *text;

	snprintf(iter, sizeof(iter), "%d", secret->iterations);
	text = scram_concat(SECRET_PREFIX, iter, ":", salt, "$", stored, ":", server, (char *) NULL);
	free(salt);
	free(stored);
	free(server);
	return text;
}

bool
auth_scram_check_password(const ScramSecret *secret, const char *password)
{
	ScramSecret computed;
	bool		ok;

	if (!auth_scram_make_secret(password, secret->salt, secret->saltlen, secret->iterations,
								&computed))
		return false;
	ok = auth_equal(computed.stored_key, secret->stored_key, SCRAM_KEY_LEN) &
		auth_equal(computed.server_key, secret->server_key, SCRAM_KEY_LEN);
	auth_wipe(&computed, sizeof(computed));
	return ok;
}

/* ---- SASLprep (partial, see the header) ---- */

/* Decode one UTF-8 character; returns its length or 0 if invalid. */
static int
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80)
	{
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80)
	{
		*cp = (uint32_t) (s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
	{
		*cp = (uint32_t) (s[0] & 0x0f) << 12 | (uint32_t) (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
		(s[3] & 0xc0) == 0x80)
	{
		*cp = (uint32_t) (s[0] & 0x07) << 18 | (uint32_t) (s[1] & 0x3f) << 12 |
			(uint32_t) (s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return *cp >= 0x10000 && *cp <= 0x10ffff ? 4 : 0;
	}
	return 0;
}

/* RFC 3454 table C.1.2: non-ASCII space characters. */
static bool
is_non_ascii_space(uint32_t c)
{
	return c == 0x00a0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200b) || c == 0x202f ||
		c == 0x205f || c == 0x3000;
}

/* RFC 3454 table B.1: characters commonly mapped to nothing. */
static bool
is_mapped_to_nothing(uint32_t c)
{
	return c == 0x00ad || c == 0x034f || c == 0x1806 || (c >= 0x180b && c <= 0x180d) ||
		(c >= 0x200b && c <= 0x200d) || c == 0x2060 || (c >= 0xfe00 && c <= 0xfe0f) ||
		c == 0xfeff;
}

char *
auth_saslprep(const char *password)
{
	const unsigned char *s = (const unsigned char *) password;
	size_t		len = strlen(password);
	char	   *out = mem_alloc(len + 1);
	size_t		n = 0;

	for (size_t i = 0; i < len;)
	{
		uint32_t	cp;
		int			k = utf8_decode(s + i, &cp);

		if (k == 0 || cp < 0x20 || cp == 0x7f)
		{
			/* not UTF-8, or prohibited: PostgreSQL then uses the raw bytes */
			memcpy(out, password, len + 1);
			return out;
		}
		if (is_non_ascii_space(cp))
			out[n++] = ' ';
		else if (!is_mapped_to_nothing(cp))
		{
			memcpy(out + n, s + i, (size_t) k);
			n += (size_t) k;
		}
		i += (size_t) k;
	}
	out[n] = '\0';
	return out;
}
