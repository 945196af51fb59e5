/*
 * config_test_util.c: helpers of the config module's unit tests (see
 * config_test_util.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "utils/log.h"
#include "config_test_util.h"

Captured	captured[MAX_CAPTURED];
int			ncaptured;
char		tmpdir[64];
static int	nfiles;

void
capture_hook(int level, const char *message, const char *detail, const char *hint)
{
	Captured   *c;

	if (ncaptured >= MAX_CAPTURED)
		return;
	c = &captured[ncaptured++];
	c->level = level;
	snprintf(c->message, sizeof(c->message), "%s", message);
	snprintf(c->detail, sizeof(c->detail), "%s", detail ? detail : "");
	snprintf(c->hint, sizeof(c->hint), "%s", hint ? hint : "");
}

const Captured *
find_captured(int level, const char *text)
{
	for (int i = 0; i < ncaptured; i++)
		if (captured[i].level == level && strcmp(captured[i].message, text) == 0)
			return &captured[i];
	return NULL;
}

int
count_captured(int level)
{
	int			n = 0;

	for (int i = 0; i < ncaptured; i++)
		n += captured[i].level == level;
	return n;
}

const char *
write_conf(const char *text)
{
	static char path[128];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/pgpool%d.conf", tmpdir, nfiles++);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

bool
load_text(PoolConfig *cfg, const char *text)
{
	config_init_defaults(cfg);
	return config_load(write_conf(text), cfg);
}

const char *
value_of(const PoolConfig *cfg, const char *name)
{
	static char buf[256];
	int			index;
	const ConfigParam *p = config_param_find(name, &index);

	assert_non_null(p);
	if (index < 0)
		return config_value_to_string(cfg, p, buf, sizeof(buf));
	return config_element_to_string(cfg, p, index, buf, sizeof(buf));
}

int
setup(void **state)
{
	LogSettings quiet = {.min_level = PL_WARNING, .destinations = 0,
	.line_prefix = "", .syslog_ident = "test"};

	log_configure(&quiet);
	log_set_hook(capture_hook);
	ncaptured = 0;
	return 0;
}

int
teardown(void **state)
{
	log_set_hook(NULL);
	return 0;
}

const char *
source_path(const char *rel)
{
	static char path[512];
	const char *me = __FILE__;
	size_t		keep = strlen(me) - strlen("test/unit/config_test_util.c");

	snprintf(path, sizeof(path), "%.*s%s", (int) keep, me, rel);
	return path;
}

char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *text = NULL;
	size_t		len = 0;
	FILE	   *mem;
	int			ch;

	if (f == NULL)
		return NULL;
	mem = open_memstream(&text, &len);
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, mem);
	fclose(mem);
	fclose(f);
	return text;
}

int
run_with_tmpdir(const char *name, const struct CMUnitTest *tests, size_t count)
{
	char		cmd[128];
	int			rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(tmpdir) == NULL)
	{
		perror("mkdtemp");
		return 1;
	}
	rc = _cmocka_run_group_tests(name, tests, count, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
