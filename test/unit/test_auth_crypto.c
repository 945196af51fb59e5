/*
 * test_auth_crypto.c: unit tests for src/auth/crypto.c against published
 * or independently computed vectors (RFC 1321 md5, RFC 4231 HMAC-SHA-256,
 * RFC 7914 PBKDF2-HMAC-SHA-256, openssl enc for AES).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth_crypto.h"

static void
hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void
test_md5(void **state)
{
	char		hex[AUTH_MD5_HEX_LEN + 1];
	char		pw[AUTH_MD5_PASSWD_LEN + 1];
	char		salted[AUTH_MD5_PASSWD_LEN + 1];
	const uint8_t salt[4] = {1, 2, 3, 4};

	(void) state;
	auth_md5_hex("foo", 3, hex);
	assert_string_equal(hex, "acbd18db4cc2f85cedef654fccc4a4d8");
	auth_md5_hex("", 0, hex);
	assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
	/* PostgreSQL's stored form: md5(password || user) */
	auth_md5_password("secret", "postgres", pw);
	assert_string_equal(pw, "md553f48b7c4b76a86ce72276c5755f217d");
	/* the answer to a challenge with salt 01 02 03 04 */
	auth_md5_salted(pw + 3, salt, salted);
	assert_string_equal(salted, "md5bb41a296aab6baccb36ff243a562abff");
}

static void
test_hmac_sha256(void **state)
{
	uint8_t		out[AUTH_SHA256_LEN];
	char		hex[2 * AUTH_SHA256_LEN + 1];
	const char *data = "what do ya want for nothing?";

	(void) state;
	auth_hmac_sha256("Jefe", 4, data, strlen(data), out);
	hex_of(out, sizeof(out), hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	auth_sha256("abc", 3, out);
	hex_of(out, sizeof(out), hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_pbkdf2(void **state)
{
	uint8_t		out[AUTH_SHA256_LEN];
	char		hex[2 * AUTH_SHA256_LEN + 1];

	(void) state;
	assert_true(auth_pbkdf2_sha256("passwd", 6, (const uint8_t *) "salt", 4, 1, out));
	hex_of(out, sizeof(out), hex);
	assert_string_equal(hex, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

static void
test_base64(void **state)
{
	const char *cases[][2] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *enc = auth_b64_encode(cases[i][0], strlen(cases[i][0]));
		size_t		n = 99;
		uint8_t    *dec;

		assert_string_equal(enc, cases[i][1]);
		dec = auth_b64_decode(enc, strlen(enc), &n);
		assert_non_null(dec);
		assert_int_equal(n, strlen(cases[i][0]));
		assert_memory_equal(dec, cases[i][0], n);
		free(enc);
		free(dec);
	}
}

static void
test_base64_rejects(void **state)
{
	const char *bad[] = {"Zg=", "Z===", "Zm9v!A==", "Zm=v", "Zg==Zg==", "Zm9", "====",};
	size_t		n;

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(auth_b64_decode(bad[i], strlen(bad[i]), &n));
}

static void
test_aes(void **state)
{
	char	   *enc, *dec;

	(void) state;
	/* echo -n foo | openssl enc -aes-256-cbc -md sha256 -nosalt -a -A -pass pass:secretkey */
	enc = auth_aes_encrypt("foo", "secretkey");
	assert_string_equal(enc, "XhF9xyyLEa5LK14Qh7Witg==");
	dec = auth_aes_decrypt(enc, "secretkey");
	assert_string_equal(dec, "foo");
	free(dec);
	assert_null(auth_aes_decrypt(enc, "otherkey"));
	assert_null(auth_aes_decrypt("not base64!", "secretkey"));
	assert_null(auth_aes_decrypt("Zm9v", "secretkey"));	/* not a whole block */
	free(enc);
	/* long and empty passwords round-trip */
	enc = auth_aes_encrypt("a rather long password with spaces and ünïcødé", "k");
	dec = auth_aes_decrypt(enc, "k");
	assert_string_equal(dec, "a rather long password with spaces and ünïcødé");
	free(enc);
	free(dec);
}

static void
test_equal(void **state)
{
	(void) state;
	assert_true(auth_equal("abc", "abc", 3));
	assert_false(auth_equal("abc", "abd", 3));
	assert_true(auth_str_equal("same", "same"));
	assert_false(auth_str_equal("same", "same!"));
	assert_false(auth_str_equal("", "x"));
	assert_true(auth_str_equal("", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_pbkdf2),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_rejects),
		cmocka_unit_test(test_aes),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
