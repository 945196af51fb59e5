/*
 * test_auth_hba.c: unit tests for pool_hba.conf (src/auth/hba_*.c): rule
 * parsing (fields, quotes, lists, @file includes, addresses, methods,
 * options), first-match semantics, and syntax errors reported with file and
 * line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "auth/auth_hba.h"
#include "pgpool_config.h"
#include "utils/log.h"

static char dir[64];
static char last_error[1024];

static void
capture(int level, const char *message, const char *detail, const char *hint)
{
	(void) hint;
	if (level == PL_ERROR)
		snprintf(last_error, sizeof(last_error), "%s | %s", message, detail ? detail : "");
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
setup(void **state)
{
	LogSettings ls = {.min_level = PL_ERROR, .destinations = 0};

	(void) state;
	snprintf(dir, sizeof(dir), "/tmp/test_auth_hba_XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	log_configure(&ls);
	log_set_hook(capture);
	return 0;
}

static int
teardown(void **state)
{
	char		cmd[128];

	(void) state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Match a TCP client from IPv4 address ip. */
static const HbaRule *
match4(const HbaList *l, const char *ip, bool ssl, const char *user, const char *db)
{
	static struct sockaddr_in sa;
	HbaClient	c = {0};

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sa.sin_addr);
	c.addr = (struct sockaddr *) &sa;
	c.addrlen = sizeof(sa);
	c.ssl = ssl;
	c.user = user;
	c.database = db;
	return auth_hba_match(l, &c);
}

static const HbaRule *
match6(const HbaList *l, const char *ip, const char *user, const char *db)
{
	static struct sockaddr_in6 sa;
	HbaClient	c = {0};

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &sa.sin6_addr);
	c.addr = (struct sockaddr *) &sa;
	c.addrlen = sizeof(sa);
	c.user = user;
	c.database = db;
	return auth_hba_match(l, &c);
}

static const HbaRule *
match_local(const HbaList *l, const char *user, const char *db)
{
	HbaClient	c = {.local = true, .user = user, .database = db};

	return auth_hba_match(l, &c);
}

static void
test_basic_rules(void **state)
{
	HbaList		l;
	const char *path = write_file("basic.conf",
								  "# comment\n"
								  "\n"
								  "local   all      all                      trust\n"
								  "host    db1,db2  alice  10.0.0.0/8        md5   # trailing\n"
								  "host    sameuser bob    192.168.1.0 255.255.255.0 password\n"
								  "hostssl all      carol  0.0.0.0/0         scram-sha-256\n"
								  "hostnossl all    carol  0.0.0.0/0         reject\n"
								  "host    \"all\"  dave   all               trust\n"
								  "host    all      all    ::1/128           md5\n"
								  "host    all      all    127.0.0.1/32      reject\n");

	(void) state;
	assert_true(auth_hba_load(path, &l));
	assert_int_equal(l.nrules, 8);
	assert_int_equal(match_local(&l, "anyone", "x")->line, 3);
	assert_int_equal(match4(&l, "10.1.2.3", false, "alice", "db2")->method, HBA_METHOD_MD5);
	assert_int_equal(match4(&l, "10.1.2.3", false, "alice", "db2")->line, 4);
	assert_null(match4(&l, "10.1.2.3", false, "alice", "db3"));
	assert_null(match4(&l, "11.1.2.3", false, "alice", "db1"));
	assert_int_equal(match4(&l, "192.168.1.77", false, "bob", "bob")->method, HBA_METHOD_PASSWORD);
	assert_null(match4(&l, "192.168.1.77", false, "bob", "other"));
	assert_null(match4(&l, "192.168.2.77", false, "bob", "bob"));
	assert_int_equal(match4(&l, "8.8.8.8", true, "carol", "x")->method, HBA_METHOD_SCRAM);
	assert_int_equal(match4(&l, "8.8.8.8", false, "carol", "x")->method, HBA_METHOD_REJECT);
	/* quoted "all" is a database named all */
	assert_int_equal(match4(&l, "8.8.8.8", false, "dave", "all")->method, HBA_METHOD_TRUST);
	assert_null(match4(&l, "8.8.8.8", false, "dave", "other"));
	assert_int_equal(match6(&l, "::1", "eve", "x")->line, 9);
	assert_int_equal(match4(&l, "127.0.0.1", false, "eve", "x")->method, HBA_METHOD_REJECT);
	/* the database defaults to the user name */
	assert_int_equal(match4(&l, "192.168.1.1", false, "bob", NULL)->line, 5);
	auth_hba_free(&l);
}

static void
test_lists_and_files(void **state)
{
	HbaList		l;
	const char *path;

	(void) state;
	write_file("users.txt", "# team\nann, ben\n\"cy d\" @more.txt\n");
	write_file("more.txt", "dora\n");
	write_file("dbs.txt", "sales hr\n");
	path = write_file("lists.conf",
					  "host @dbs.txt @users.txt 0.0.0.0/0 md5\n"
					  "host all \"x,y\",z 0.0.0.0/0 password\n"
					  "local all u1, u2 trust\n");
	assert_true(auth_hba_load(path, &l));
	assert_non_null(match4(&l, "1.2.3.4", false, "ann", "sales"));
	assert_non_null(match4(&l, "1.2.3.4", false, "cy d", "hr"));
	assert_non_null(match4(&l, "1.2.3.4", false, "dora", "hr"));
	assert_null(match4(&l, "1.2.3.4", false, "ann", "eng"));
	assert_int_equal(match4(&l, "1.2.3.4", false, "x,y", "eng")->line, 2);
	assert_int_equal(match4(&l, "1.2.3.4", false, "z", "eng")->line, 2);
	assert_null(match4(&l, "1.2.3.4", false, "x", "eng"));
	assert_non_null(match_local(&l, "u2", "d"));
	auth_hba_free(&l);
}

static void
test_options(void **state)
{
	HbaList		l;
	const char *path;

	(void) state;
#ifdef USE_PAM
	path = write_file("pam.conf", "host all all 0.0.0.0/0 pam pamservice=mysvc\nhost all all ::/0 pam\n");
	assert_true(auth_hba_load(path, &l));
	assert_string_equal(l.rules[0].pamservice, "mysvc");
	assert_null(l.rules[1].pamservice);
	auth_hba_free(&l);
#else
	path = write_file("pam.conf", "host all all 0.0.0.0/0 pam\n");
	assert_false(auth_hba_load(path, &l));
	assert_non_null(strstr(last_error, "not supported by this build"));
#endif
	path = write_file("cert.conf", "hostssl all all 0.0.0.0/0 cert\n");
	assert_true(auth_hba_load(path, &l));
	assert_int_equal(l.rules[0].method, HBA_METHOD_CERT);
	assert_null(match4(&l, "1.2.3.4", false, "u", "d"));
	assert_non_null(match4(&l, "1.2.3.4", true, "u", "d"));
	auth_hba_free(&l);
}

static void
test_hostname(void **state)
{
	HbaList		l;
	const char *path = write_file("names.conf", "host all all localhost trust\n"
								  "host all all .example.invalid md5\n");

	(void) state;
	assert_true(auth_hba_load(path, &l));
	assert_int_equal(l.rules[0].addr_kind, HBA_ADDR_HOSTNAME);
	/* 127.0.0.1 resolves to localhost (/etc/hosts) and back */
	assert_int_equal(match4(&l, "127.0.0.1", false, "u", "d")->line, 1);
	assert_null(match4(&l, "192.0.2.1", false, "u", "d"));
	auth_hba_free(&l);
}

/* Each broken line is an error naming the file and the line. */
static void
test_errors(void **state)
{
	const struct
	{
		const char *text;
		const char *message;
	}			cases[] = {
		{"hots all all 0.0.0.0/0 trust\n", "invalid connection type \"hots\""},
		{"host all all 0.0.0.0/0 magic\n", "invalid authentication method \"magic\""},
		{"host all all\n", "end-of-line before"},
		{"local all\n", "end-of-line before"},
		{"host all all 10.0.0.0/33 md5\n", "invalid CIDR mask"},
		{"host all all 10.0.0.300/8 md5\n", "invalid IP address"},
		{"host all all 10.0.0.0 md5\n", "invalid IP mask \"md5\""},
		{"host all all 10.0.0.0\n", "end-of-line before authentication method"},
		{"host all all 10.0.0.0 ffff::0 md5\n", "IP address and mask do not match"},
		{"host all all 0.0.0.0/0 cert\n", "only supported on hostssl"},
		{"host all all 0.0.0.0/0 md5 foo=bar\n", "unrecognized authentication option name: \"foo\""},
		{"host all all 0.0.0.0/0 md5 pamservice=x\n", "only valid for authentication method pam"},
		{"host all all 0.0.0.0/0 md5 nonsense\n", "not in name=value format"},
		{"host \"all all 0.0.0.0/0 md5\n", "unterminated quoted string"},
		{"host all @missing.txt 0.0.0.0/0 md5\n", "could not open secondary authentication file"},
		{"host samerole all 0.0.0.0/0 md5\n", "not supported in pool_hba.conf"},
		{"host all +admins 0.0.0.0/0 md5\n", "not supported in pool_hba.conf"},
		{"host all a,,b 0.0.0.0/0 md5\n", "empty name in a list"},
		{"host all all 1.2.3.4/8,5.6.7.8/8 md5\n", "multiple values specified for host address"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		text[512];
		HbaList		l;
		const char *path;

		snprintf(text, sizeof(text), "local all all trust\n\n%s", cases[i].text);
		path = write_file("bad.conf", text);
		last_error[0] = '\0';
		if (auth_hba_load(path, &l))
			fail_msg("case %zu loaded: %s", i, cases[i].text);
		assert_int_equal(l.nrules, 0);
		if (strstr(last_error, cases[i].message) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, last_error, cases[i].message);
		if (strstr(last_error, "line 3 of configuration file") == NULL || strstr(last_error, path) == NULL)
			fail_msg("case %zu: \"%s\" does not name line 3 of %s", i, last_error, path);
	}
}

static void
test_missing_file(void **state)
{
	HbaList		l;
	char		path[256];

	(void) state;
	snprintf(path, sizeof(path), "%s/nope.conf", dir);
	assert_false(auth_hba_load(path, &l));
	assert_string_equal(auth_hba_method_name(HBA_METHOD_SCRAM), "scram-sha-256");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_rules),
		cmocka_unit_test(test_lists_and_files),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
