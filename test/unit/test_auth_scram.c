/*
 * test_auth_scram.c: unit tests for SCRAM-SHA-256 (src/auth/scram_*.c):
 * the RFC 7677 example, secrets computed independently (Python hashlib),
 * full exchanges between our client and server, and the attacks a server
 * must refuse: wrong proof, replayed nonce, downgraded or forged channel
 * binding, authorization identities, truncated and garbled messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/auth/scram_int.h"

/* Python: hashlib.pbkdf2_hmac('sha256', b'pencil', bytes(range(16)), 4096) ... */
#define PENCIL_SECRET "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE="

static char *
b64(const uint8_t *b, size_t n)
{
	return auth_b64_encode(b, n);
}

/* RFC 7677 section 3, computed with the helpers the exchanges use. */
static void
test_rfc7677(void **state)
{
	const char *auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
		"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
		"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
	size_t		saltlen;
	uint8_t    *salt = auth_b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, &saltlen);
	uint8_t		salted[SCRAM_KEY_LEN], ck[SCRAM_KEY_LEN], sk[SCRAM_KEY_LEN], sig[SCRAM_KEY_LEN];
	uint8_t		proof[SCRAM_KEY_LEN], svk[SCRAM_KEY_LEN], ssig[SCRAM_KEY_LEN];
	char	   *text;

	(void) state;
	assert_true(scram_salted_password("pencil", salt, saltlen, 4096, salted));
	scram_derive_key(salted, "Client Key", ck);
	auth_sha256(ck, SCRAM_KEY_LEN, sk);
	auth_hmac_sha256(sk, SCRAM_KEY_LEN, auth_message, strlen(auth_message), sig);
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		proof[i] = ck[i] ^ sig[i];
	text = b64(proof, SCRAM_KEY_LEN);
	assert_string_equal(text, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
	free(text);
	scram_derive_key(salted, "Server Key", svk);
	auth_hmac_sha256(svk, SCRAM_KEY_LEN, auth_message, strlen(auth_message), ssig);
	text = b64(ssig, SCRAM_KEY_LEN);
	assert_string_equal(text, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
	free(text);
	free(salt);
}

static void
test_secret(void **state)
{
	uint8_t		salt[16];
	ScramSecret s, p;
	char	   *text;

	(void) state;
	for (int i = 0; i < 16; i++)
		salt[i] = (uint8_t) i;
	assert_true(auth_scram_make_secret("pencil", salt, sizeof(salt), 4096, &s));
	text = auth_scram_secret_text(&s);
	assert_string_equal(text, PENCIL_SECRET);
	free(text);
	assert_true(auth_scram_parse_secret(PENCIL_SECRET, &p));
	assert_int_equal(p.iterations, 4096);
	assert_true(auth_scram_check_password(&p, "pencil"));
	assert_false(auth_scram_check_password(&p, "pencil "));
	assert_false(auth_scram_check_password(&p, ""));
	assert_false(auth_scram_parse_secret("SCRAM-SHA-256$0:AAEC$AA==:AA==", &p));
	assert_false(auth_scram_parse_secret("SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$short:dd5p", &p));
	assert_false(auth_scram_parse_secret("md5abcdef", &p));
	assert_false(auth_scram_parse_secret("SCRAM-SHA-256$4096:!!!!$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=", &p));
}

static void
test_saslprep(void **state)
{
	char	   *out;

	(void) state;
	out = auth_saslprep("plain ascii");
	assert_string_equal(out, "plain ascii");
	free(out);
	out = auth_saslprep("a\xc2\xa0" "b");	/* NO-BREAK SPACE becomes a space */
	assert_string_equal(out, "a b");
	free(out);
	out = auth_saslprep("x\xc2\xady");	/* SOFT HYPHEN is dropped */
	assert_string_equal(out, "xy");
	free(out);
	out = auth_saslprep("bad\xff utf8");	/* not UTF-8: used as is */
	assert_string_equal(out, "bad\xff utf8");
	free(out);
	out = auth_saslprep("tab\there");	/* prohibited control: as is */
	assert_string_equal(out, "tab\there");
	free(out);
}

typedef struct Pair
{
	ScramServer srv;
	ScramClient cli;
	char	   *client_first;
	char	   *server_first;
} Pair;

/* Client-first and server-first of an exchange with the pencil secret. */
static void
start_pair(Pair *p, const char *password, bool mock)
{
	ScramSecret s;
	const char *err, *detail;

	assert_true(auth_scram_parse_secret(PENCIL_SECRET, &s));
	auth_scram_server_init(&p->srv, mock ? NULL : &s, NULL, 0);
	assert_true(auth_scram_client_first(&p->cli, password, NULL, &p->client_first));
	assert_int_equal(auth_scram_server_first(&p->srv, SCRAM_MECHANISM, p->client_first,
											 strlen(p->client_first), &p->server_first, &err, &detail),
					 SCRAM_STATUS_OK);
}

static void
free_pair(Pair *p)
{
	free(p->client_first);
	free(p->server_first);
	auth_scram_server_free(&p->srv);
	auth_scram_client_free(&p->cli);
}

static void
test_exchange_ok(void **state)
{
	Pair		p;
	char	   *client_final, *server_final;
	const char *err, *detail;

	(void) state;
	start_pair(&p, "pencil", false);
	assert_int_equal(auth_scram_client_final(&p.cli, p.server_first, strlen(p.server_first),
											 &client_final, &err), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_server_final(&p.srv, client_final, strlen(client_final),
											 &server_final, &err, &detail), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_client_verify(&p.cli, server_final, strlen(server_final), &err),
					 SCRAM_STATUS_OK);
	/* a server-final with another signature is refused by the client */
	server_final[3] = server_final[3] == 'A' ? 'B' : 'A';
	p.cli.step = 2;
	assert_int_equal(auth_scram_client_verify(&p.cli, server_final, strlen(server_final), &err),
					 SCRAM_STATUS_AUTH_FAILED);
	free(client_final);
	free(server_final);
	free_pair(&p);
}

/* pgpool proves to a backend with the ClientKey a client revealed to it. */
static void
test_client_key_pass_through(void **state)
{
	Pair		p;
	ScramServer backend;
	ScramClient relay;
	ScramSecret s, other;
	char	   *client_final, *server_final, *first, *sfirst, *final2, *sfinal2;
	const char *err, *detail;
	uint8_t		salt[16] = {7};

	(void) state;
	start_pair(&p, "pencil", false);
	assert_int_equal(auth_scram_client_final(&p.cli, p.server_first, strlen(p.server_first),
											 &client_final, &err), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_server_final(&p.srv, client_final, strlen(client_final),
											 &server_final, &err, &detail), SCRAM_STATUS_OK);
	/* a backend with the same secret accepts the ClientKey */
	assert_true(auth_scram_parse_secret(PENCIL_SECRET, &s));
	auth_scram_server_init(&backend, &s, NULL, 0);
	assert_true(auth_scram_client_first_keys(&relay, &p.srv.secret, p.srv.client_key, NULL, &first));
	assert_int_equal(auth_scram_server_first(&backend, SCRAM_MECHANISM, first, strlen(first), &sfirst,
											 &err, &detail), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_client_final(&relay, sfirst, strlen(sfirst), &final2, &err), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_server_final(&backend, final2, strlen(final2), &sfinal2, &err, &detail),
					 SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_client_verify(&relay, sfinal2, strlen(sfinal2), &err), SCRAM_STATUS_OK);
	free(first);
	free(sfirst);
	free(final2);
	free(sfinal2);
	auth_scram_server_free(&backend);
	auth_scram_client_free(&relay);
	/* a backend whose secret has another salt cannot be answered */
	assert_true(auth_scram_make_secret("pencil", salt, sizeof(salt), 4096, &other));
	auth_scram_server_init(&backend, &other, NULL, 0);
	assert_true(auth_scram_client_first_keys(&relay, &p.srv.secret, p.srv.client_key, NULL, &first));
	assert_int_equal(auth_scram_server_first(&backend, SCRAM_MECHANISM, first, strlen(first), &sfirst,
											 &err, &detail), SCRAM_STATUS_OK);
	assert_int_equal(auth_scram_client_final(&relay, sfirst, strlen(sfirst), &final2, &err),
					 SCRAM_STATUS_PROTOCOL_ERROR);
	free(first);
	free(sfirst);
	auth_scram_server_free(&backend);
	auth_scram_client_free(&relay);
	free(client_final);
	free(server_final);
	free_pair(&p);
}

static void
test_wrong_password_and_mock(void **state)
{
	for (int mock = 0; mock <= 1; mock++)
	{
		Pair		p;
		char	   *client_final, *server_final = NULL;
		const char *err, *detail;

		(void) state;
		start_pair(&p, mock ? "pencil" : "crayon", mock);
		assert_int_equal(auth_scram_client_final(&p.cli, p.server_first, strlen(p.server_first),
												 &client_final, &err), SCRAM_STATUS_OK);
		assert_int_equal(auth_scram_server_final(&p.srv, client_final, strlen(client_final),
												 &server_final, &err, &detail), SCRAM_STATUS_AUTH_FAILED);
		assert_null(server_final);
		free(client_final);
		free_pair(&p);
	}
}

static void
test_replayed_nonce(void **state)
{
	Pair		a, b;
	char	   *final_a, *reply = NULL;
	const char *err, *detail;

	(void) state;
	start_pair(&a, "pencil", false);
	assert_int_equal(auth_scram_client_final(&a.cli, a.server_first, strlen(a.server_first),
											 &final_a, &err), SCRAM_STATUS_OK);
	/* a second exchange gets the first one's (valid) final message */
	start_pair(&b, "pencil", false);
	assert_int_equal(auth_scram_server_final(&b.srv, final_a, strlen(final_a), &reply, &err, &detail),
					 SCRAM_STATUS_PROTOCOL_ERROR);
	assert_string_equal(err, "invalid SCRAM response");
	assert_string_equal(detail, "Nonce does not match.");
	assert_null(reply);
	/* and the server may not be driven further after a failure */
	assert_int_equal(auth_scram_server_final(&b.srv, final_a, strlen(final_a), &reply, &err, &detail),
					 SCRAM_STATUS_PROTOCOL_ERROR);
	free(final_a);
	free_pair(&a);
	free_pair(&b);
}

static ScramStatus
first_of(ScramServer *srv, bool cb, const char *mech, const char *msg, const char **err)
{
	ScramSecret s;
	const char *detail;
	char	   *reply = NULL;
	ScramStatus st;
	static const uint8_t cbdata[32] = {1, 2, 3};

	assert_true(auth_scram_parse_secret(PENCIL_SECRET, &s));
	auth_scram_server_init(srv, &s, cb ? cbdata : NULL, cb ? sizeof(cbdata) : 0);
	st = auth_scram_server_first(srv, mech, msg, strlen(msg), &reply, err, &detail);
	free(reply);
	return st;
}

static void
test_bad_client_first(void **state)
{
	const struct
	{
		bool		cb;
		const char *mech;
		const char *msg;
		ScramStatus want;
	}			cases[] = {
		{false, SCRAM_MECHANISM, "n,,n=,r=abc", SCRAM_STATUS_OK},
		{false, SCRAM_MECHANISM, "y,,n=,r=abc", SCRAM_STATUS_OK},	/* client could bind, we cannot */
		{true, SCRAM_MECHANISM, "y,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},	/* downgrade */
		{true, SCRAM_MECHANISM_PLUS, "p=tls-server-end-point,,n=,r=abc", SCRAM_STATUS_OK},
		{false, SCRAM_MECHANISM_PLUS, "p=tls-server-end-point,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{true, SCRAM_MECHANISM, "p=tls-server-end-point,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{true, SCRAM_MECHANISM_PLUS, "p=tls-unique,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{true, SCRAM_MECHANISM_PLUS, "n,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, "SCRAM-SHA-1", "n,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "n,a=admin,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "x,,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "n,,m=ext,n=,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "n,,n=", SCRAM_STATUS_PROTOCOL_ERROR},	/* truncated */
		{false, SCRAM_MECHANISM, "n,,n=,r=", SCRAM_STATUS_PROTOCOL_ERROR},	/* empty nonce */
		{false, SCRAM_MECHANISM, "n,,n=,r=a b", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "n,", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "", SCRAM_STATUS_PROTOCOL_ERROR},
		{false, SCRAM_MECHANISM, "n,,r=abc", SCRAM_STATUS_PROTOCOL_ERROR},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		ScramServer srv;
		const char *err = NULL;
		ScramStatus st = first_of(&srv, cases[i].cb, cases[i].mech, cases[i].msg, &err);

		if (st != cases[i].want)
			fail_msg("case %zu (%s): got %d (%s)", i, cases[i].msg, st, err ? err : "");
		auth_scram_server_free(&srv);
	}
}

/* A client-final with the right nonce and a chosen c= / proof text. */
static ScramStatus
final_with(Pair *p, const char *cbind, const char *tail)
{
	const char *r = strstr(p->server_first, "r=") + 2;
	size_t		nlen = strcspn(r, ",");
	char		msg[512];
	char	   *reply = NULL;
	const char *err, *detail;
	ScramStatus st;

	snprintf(msg, sizeof(msg), "c=%s,r=%.*s%s", cbind, (int) nlen, r, tail);
	st = auth_scram_server_final(&p->srv, msg, strlen(msg), &reply, &err, &detail);
	free(reply);
	return st;
}

static void
test_bad_client_final(void **state)
{
	const struct
	{
		const char *cbind;
		const char *tail;
	}			cases[] = {
		{"eSws", ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="},	/* flag changed to y */
		{"biws", ""},			/* no proof */
		{"biws", ",p=dHzb"},	/* truncated proof */
		{"biws", ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=1"},	/* garbage after */
		{"biws", ",p=!!!!ZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="},
		{"not-base64", ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		Pair		p;

		start_pair(&p, "pencil", false);
		if (final_with(&p, cases[i].cbind, cases[i].tail) != SCRAM_STATUS_PROTOCOL_ERROR)
			fail_msg("case %zu accepted", i);
		free_pair(&p);
	}
	{
		Pair		p;

		/* well-formed but a wrong proof */
		start_pair(&p, "pencil", false);
		assert_int_equal(final_with(&p, "biws", ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
						 SCRAM_STATUS_AUTH_FAILED);
		free_pair(&p);
	}
}

/* SCRAM-SHA-256-PLUS: the proof must cover the channel-binding data. */
static void
test_channel_binding(void **state)
{
	static const uint8_t cbdata[32] = {9, 8, 7, 6, 5};
	const char *hdr = "p=tls-server-end-point,,";
	const char *bare = "n=,r=clientnonce";
	ScramSecret s;
	ScramServer srv;
	char		first[128], bindbuf[128], final_wo[512], final[640];
	char	   *server_first, *cb64, *auth_msg, *proof64, *reply = NULL;
	const char *err, *detail;
	uint8_t		salted[SCRAM_KEY_LEN], ck[SCRAM_KEY_LEN], sk[SCRAM_KEY_LEN], sig[SCRAM_KEY_LEN];
	uint8_t		proof[SCRAM_KEY_LEN];
	size_t		hlen = strlen(hdr);
	const char *nonce;

	(void) state;
	assert_true(auth_scram_parse_secret(PENCIL_SECRET, &s));
	auth_scram_server_init(&srv, &s, cbdata, sizeof(cbdata));
	snprintf(first, sizeof(first), "%s%s", hdr, bare);
	assert_int_equal(auth_scram_server_first(&srv, SCRAM_MECHANISM_PLUS, first, strlen(first),
											 &server_first, &err, &detail), SCRAM_STATUS_OK);
	memcpy(bindbuf, hdr, hlen);
	memcpy(bindbuf + hlen, cbdata, sizeof(cbdata));
	cb64 = auth_b64_encode(bindbuf, hlen + sizeof(cbdata));
	nonce = server_first + 2;
	snprintf(final_wo, sizeof(final_wo), "c=%s,r=%.*s", cb64, (int) strcspn(nonce, ","), nonce);
	auth_msg = scram_concat(bare, ",", server_first, ",", final_wo, (char *) NULL);
	assert_true(scram_salted_password("pencil", s.salt, s.saltlen, s.iterations, salted));
	scram_derive_key(salted, "Client Key", ck);
	auth_sha256(ck, SCRAM_KEY_LEN, sk);
	auth_hmac_sha256(sk, SCRAM_KEY_LEN, auth_msg, strlen(auth_msg), sig);
	for (int i = 0; i < SCRAM_KEY_LEN; i++)
		proof[i] = ck[i] ^ sig[i];
	proof64 = auth_b64_encode(proof, SCRAM_KEY_LEN);
	snprintf(final, sizeof(final), "%s,p=%s", final_wo, proof64);
	assert_int_equal(auth_scram_server_final(&srv, final, strlen(final), &reply, &err, &detail),
					 SCRAM_STATUS_OK);
	free(reply);
	auth_scram_server_free(&srv);
	free(server_first);
	free(cb64);
	free(auth_msg);
	free(proof64);
}

static void
test_client_rejects_bad_server_first(void **state)
{
	const char *bad[] = {
		"r=othernonce,s=AAECAwQFBgcICQoLDA0ODw==,i=4096",	/* does not extend our nonce */
		"r=abc,s=AAECAwQFBgcICQoLDA0ODw==,i=4096",	/* equals it */
		"r=abcdef,s=!!!!,i=4096",
		"r=abcdef,s=AAECAwQFBgcICQoLDA0ODw==,i=0",
		"r=abcdef,s=AAECAwQFBgcICQoLDA0ODw==,i=x",
		"r=abcdef,s=AAECAwQFBgcICQoLDA0ODw==",
	};

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		ScramClient c;
		char	   *first, *out = NULL;
		const char *err;

		assert_true(auth_scram_client_first(&c, "pencil", "abc", &first));
		assert_string_equal(first, "n,,n=,r=abc");
		if (auth_scram_client_final(&c, bad[i], strlen(bad[i]), &out, &err) == SCRAM_STATUS_OK)
			fail_msg("case %zu accepted", i);
		free(first);
		auth_scram_client_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7677),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_saslprep),
		cmocka_unit_test(test_exchange_ok),
		cmocka_unit_test(test_client_key_pass_through),
		cmocka_unit_test(test_wrong_password_and_mock),
		cmocka_unit_test(test_replayed_nonce),
		cmocka_unit_test(test_bad_client_first),
		cmocka_unit_test(test_bad_client_final),
		cmocka_unit_test(test_channel_binding),
		cmocka_unit_test(test_client_rejects_bad_server_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
