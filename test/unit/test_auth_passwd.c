/*
 * test_auth_passwd.c: unit tests for pool_passwd (src/auth/passwd*.c):
 * the entry types and what each can check or answer, file loading and
 * errors, writing entries the way pg_md5 / pg_enc do, paths and key files.
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

#include "auth/auth_passwd.h"
#include "utils/log.h"

#define PENCIL_SECRET "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE="

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
path_of(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static const char *
write_file(const char *name, const char *text)
{
	const char *path = path_of(name);
	FILE	   *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *
read_all(const char *path)
{
	static char buf[4096];
	FILE	   *f = fopen(path, "r");
	size_t		n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
setup(void **state)
{
	LogSettings ls = {.min_level = PL_ERROR, .destinations = 0};

	(void) state;
	snprintf(dir, sizeof(dir), "/tmp/test_auth_passwd_XXXXXX");
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

static void
test_load_and_types(void **state)
{
	PasswdFile	pf;
	const PasswdEntry *e;
	char	   *aes = auth_aes_encrypt("aespw", "thekey");
	char		text[1024];
	char		hex[AUTH_MD5_HEX_LEN + 1];
	ScramSecret s;

	(void) state;
	snprintf(text, sizeof(text),
			 "# users\n\n"
			 "postgres:md553f48b7c4b76a86ce72276c5755f217d\n"
			 "user:%s\n"
			 "plain:just text\n"
			 "texty:TEXTmd5-looking\n"
			 "enc:AES%s\n"
			 "plain:second wins\n", PENCIL_SECRET, aes);
	free(aes);
	assert_true(auth_passwd_load(write_file("pool_passwd", text), &pf));
	assert_int_equal(pf.n, 6);

	e = auth_passwd_find(&pf, "postgres");
	assert_int_equal(e->type, PASSWD_MD5);
	assert_true(auth_passwd_check(e, "postgres", "secret", NULL));
	assert_false(auth_passwd_check(e, "postgres", "Secret", NULL));
	assert_true(auth_passwd_md5_hex(e, "postgres", NULL, hex));
	assert_string_equal(hex, "53f48b7c4b76a86ce72276c5755f217d");
	assert_false(auth_passwd_scram_secret(e, NULL, &s));
	assert_null(auth_passwd_plaintext(e, NULL));

	e = auth_passwd_find(&pf, "user");
	assert_int_equal(e->type, PASSWD_SCRAM);
	assert_true(auth_passwd_check(e, "user", "pencil", NULL));
	assert_false(auth_passwd_check(e, "user", "pen", NULL));
	assert_false(auth_passwd_md5_hex(e, "user", NULL, hex));
	assert_true(auth_passwd_scram_secret(e, NULL, &s));
	assert_int_equal(s.iterations, 4096);

	e = auth_passwd_find(&pf, "plain");
	assert_int_equal(e->type, PASSWD_PLAIN);
	assert_string_equal(e->secret, "second wins");
	assert_true(auth_passwd_check(e, "plain", "second wins", NULL));
	assert_true(auth_passwd_scram_secret(e, NULL, &s));
	assert_true(auth_scram_check_password(&s, "second wins"));

	e = auth_passwd_find(&pf, "texty");
	assert_int_equal(e->type, PASSWD_PLAIN);
	assert_string_equal(e->secret, "md5-looking");

	e = auth_passwd_find(&pf, "enc");
	assert_int_equal(e->type, PASSWD_AES);
	assert_true(auth_passwd_check(e, "enc", "aespw", "thekey"));
	assert_false(auth_passwd_check(e, "enc", "aespw", "wrongkey"));
	assert_false(auth_passwd_check(e, "enc", "aespw", NULL));
	assert_true(auth_passwd_md5_hex(e, "enc", "thekey", hex));
	{
		char		md5[AUTH_MD5_PASSWD_LEN + 1];

		auth_md5_password("aespw", "enc", md5);
		assert_string_equal(hex, md5 + 3);
	}
	assert_null(auth_passwd_find(&pf, "nobody"));
	auth_passwd_free(&pf);
}

static void
test_load_errors(void **state)
{
	PasswdFile	pf;

	(void) state;
	assert_true(auth_passwd_load(path_of("does-not-exist"), &pf));
	assert_int_equal(pf.n, 0);
	auth_passwd_free(&pf);
	last_error[0] = '\0';
	assert_false(auth_passwd_load(write_file("bad", "ok:pw\nno colon here\n"), &pf));
	assert_non_null(strstr(last_error, "line 2 of pool_passwd file"));
	assert_false(auth_passwd_load(write_file("bad2", ":nouser\n"), &pf));
}

static void
test_write_entry(void **state)
{
	const char *path = path_of("written");
	const char *err = NULL;
	struct stat st;

	(void) state;
	unlink(path);
	assert_true(auth_passwd_write_entry(path, "alice", "md5aaaa", &err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(auth_passwd_write_entry(path, "bob", "TEXTbobpw", &err));
	assert_true(auth_passwd_write_entry(path, "alice", "md5bbbb", &err));
	assert_string_equal(read_all(path), "bob:TEXTbobpw\nalice:md5bbbb\n");
	/* a user whose name is a prefix of another's keeps the other's line */
	assert_true(auth_passwd_write_entry(path, "bo", "x", &err));
	assert_string_equal(read_all(path), "bob:TEXTbobpw\nalice:md5bbbb\nbo:x\n");
	assert_false(auth_passwd_write_entry(path, "bad:user", "x", &err));
	assert_false(auth_passwd_write_entry(path, "", "x", &err));
}

static void
test_paths_and_key(void **state)
{
	char	   *p;
	const char *used, *err;
	char	   *key;

	(void) state;
	p = auth_passwd_path("/etc/pgpool/pgpool.conf", "pool_passwd");
	assert_string_equal(p, "/etc/pgpool/pool_passwd");
	free(p);
	p = auth_passwd_path("/etc/pgpool/pgpool.conf", "/var/lib/pw");
	assert_string_equal(p, "/var/lib/pw");
	free(p);
	assert_null(auth_passwd_path("/etc/pgpool/pgpool.conf", ""));
	key = auth_read_key(write_file("key", "my key\nsecond line\n"), &used, &err);
	assert_string_equal(key, "my key");
	auth_free_secret(key);
	assert_null(auth_read_key(write_file("emptykey", "\n"), &used, &err));
	assert_null(auth_read_key(path_of("nokey"), &used, &err));
	setenv("PGPOOLKEYFILE", path_of("key"), 1);
	key = auth_read_key(NULL, &used, &err);
	assert_string_equal(key, "my key");
	auth_free_secret(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_types),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_write_entry),
		cmocka_unit_test(test_paths_and_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
