/*
 * test_pcp_conf.c: unit tests for pcp.conf parsing and the salted check
 * (src/pcp/pcp_auth.c), the salt, and the PCP password file look-up
 * (src/libpcp/pcp_passfile.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/pcp/pcp_int.h"

#define SECRET_MD5 "5ebe2294ecd0e0f08eab7690d2a6ee69"	/* md5("secret") */

static char tmpdir[64];

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_pcp_conf-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char		cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* ---- pcp.conf ------------------------------------------------------------------------ */

static void
test_parse_line(void **state)
{
	char		l1[] = "admin:" SECRET_MD5;
	char		l2[] = "  # comment";
	char		l3[] = "";
	char		l4[] = "nocolon";
	char		l5[] = "user:tooshort";
	char		l6[] = "user:" "zzzz2294ecd0e0f08eab7690d2a6ee69";
	char		l7[] = ":" SECRET_MD5;
	char		l8[] = "  spaced:" SECRET_MD5 "  \r";
	char	   *u, *h;

	assert_true(pcp_conf_parse_line(l1, &u, &h));
	assert_string_equal(u, "admin");
	assert_string_equal(h, SECRET_MD5);
	assert_false(pcp_conf_parse_line(l2, &u, &h));
	assert_null(u);
	assert_false(pcp_conf_parse_line(l3, &u, &h));
	assert_null(u);
	assert_false(pcp_conf_parse_line(l4, &u, &h));
	assert_non_null(u);
	assert_false(pcp_conf_parse_line(l5, &u, &h));
	assert_false(pcp_conf_parse_line(l6, &u, &h));
	assert_false(pcp_conf_parse_line(l7, &u, &h));
	assert_true(pcp_conf_parse_line(l8, &u, &h));
	assert_string_equal(u, "spaced");
	assert_string_equal(h, SECRET_MD5);
}

static void
test_find(void **state)
{
	const char *text = "# pcp.conf\n\nbroken line\nadmin:" SECRET_MD5 "\n"
		"other:ACBD18DB4CC2F85CEDEF654FCCC4A4D8\nadmin:acbd18db4cc2f85cedef654fccc4a4d8\n";
	char		out[33];
	int			bad;

	assert_true(pcp_conf_find(text, "admin", out, &bad));
	assert_string_equal(out, SECRET_MD5);	/* the first line wins */
	assert_int_equal(bad, 3);
	assert_true(pcp_conf_find(text, "other", out, &bad));
	assert_string_equal(out, "acbd18db4cc2f85cedef654fccc4a4d8");	/* lower-cased */
	assert_false(pcp_conf_find(text, "nobody", out, &bad));
	assert_false(pcp_conf_find("", "admin", out, &bad));
	assert_int_equal(bad, 0);
	assert_false(pcp_conf_find(text, "Admin", out, &bad));	/* names are case-sensitive */
}

static void
test_auth_check(void **state)
{
	const char *path = write_file("pcp.conf", "admin:" SECRET_MD5 "\n", 0600);
	const char *salt = "0123456789abcdef0123456789abcdef";
	char		resp[33], why[256];

	pcp_auth_response(SECRET_MD5, salt, resp);
	assert_true(pcp_auth_check(path, "admin", salt, resp, why, sizeof(why)));
	assert_false(pcp_auth_check(path, "admin", "ffffffffffffffffffffffffffffffff", resp, why, sizeof(why)));
	assert_non_null(strstr(why, "password does not match"));
	assert_false(pcp_auth_check(path, "ghost", salt, resp, why, sizeof(why)));
	assert_non_null(strstr(why, "is not in"));
	assert_false(pcp_auth_check("/nonexistent/pcp.conf", "admin", salt, resp, why, sizeof(why)));
	assert_non_null(strstr(why, "could not read"));
	/* the stored hash itself is no valid answer */
	assert_false(pcp_auth_check(path, "admin", salt, SECRET_MD5, why, sizeof(why)));
}

static void
test_salt(void **state)
{
	char		a[PCP_SALT_LEN + 1], b[PCP_SALT_LEN + 1];

	pcp_make_salt(a);
	pcp_make_salt(b);
	assert_int_equal(strlen(a), PCP_SALT_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), PCP_SALT_LEN);
	assert_string_not_equal(a, b);
}

/* ---- .pcppass --------------------------------------------------------------------------- */

static void
test_passfile(void **state)
{
	const char *path = write_file("pcppass",
								  "# comment\n"
								  "dbhost:9898:admin:first\n"
								  "*:9999:admin:wild\\:card\n"
								  "localhost:*:sock:viasocket\n"
								  "dbhost:9898:*:anyuser\n"
								  "short:line\n", 0600);
	char	   *pw;

	setenv("PCPPASSFILE", path, 1);
	pw = pcp_passfile_lookup("dbhost", 9898, "admin");
	assert_string_equal(pw, "first");
	free(pw);
	pw = pcp_passfile_lookup("elsewhere", 9999, "admin");
	assert_string_equal(pw, "wild:card");
	free(pw);
	pw = pcp_passfile_lookup(NULL, 1234, "sock");	/* UNIX socket: "localhost" */
	assert_string_equal(pw, "viasocket");
	free(pw);
	pw = pcp_passfile_lookup("/tmp", 1234, "sock");
	assert_string_equal(pw, "viasocket");
	free(pw);
	pw = pcp_passfile_lookup("dbhost", 9898, "someone");
	assert_string_equal(pw, "anyuser");
	free(pw);
	assert_null(pcp_passfile_lookup("dbhost", 1, "admin"));

	chmod(path, 0644);			/* readable by others: ignored */
	assert_null(pcp_passfile_lookup("dbhost", 9898, "admin"));
	setenv("PCPPASSFILE", "/nonexistent/pcppass", 1);
	assert_null(pcp_passfile_lookup("dbhost", 9898, "admin"));
	unsetenv("PCPPASSFILE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_auth_check),
		cmocka_unit_test(test_salt),
		cmocka_unit_test(test_passfile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
