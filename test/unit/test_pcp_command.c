/*
 * test_pcp_command.c: unit tests for failover_expand_command, the %
 * escapes of failover_command / failback_command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "failover/failover.h"

static const FailoverContext ctx = {
	.node_id = 1, .host = "db1", .port = 5433, .data_dir = "/data/1",
	.new_main_id = 0, .new_main_host = "db0", .new_main_port = 5432, .new_main_data_dir = "/data/0",
	.old_main_id = 1, .old_primary_id = 1, .old_primary_host = "db1", .old_primary_port = 5433,
};

static void
expect(const char *tmpl, const char *want, const FailoverContext *c)
{
	char	   *got = failover_expand_command(tmpl, c);

	assert_string_equal(got, want);
	free(got);
}

static void
test_every_escape(void **state)
{
	expect("%d %h %p %D %m %H %M %P %r %R %N %S %%",
		   "1 db1 5433 /data/1 0 db0 1 1 5432 /data/0 db1 5433 %", &ctx);
}

static void
test_text_around_escapes(void **state)
{
	expect("/usr/local/bin/failover.sh %d %H /tmp/trigger_file0",
		   "/usr/local/bin/failover.sh 1 db0 /tmp/trigger_file0", &ctx);
	expect("echo host:%h, new master id:%m, old master id:%M > /tmp/f.log",
		   "echo host:db1, new master id:0, old master id:1 > /tmp/f.log", &ctx);
	expect("%d%d%%%d", "11%1", &ctx);
	expect("", "", &ctx);
	expect("no escapes at all", "no escapes at all", &ctx);
}

static void
test_unknown_and_trailing(void **state)
{
	/* an unknown escape is kept; a lone % at the end stays */
	expect("a %x b %", "a %x b %", &ctx);
	expect("100%", "100%", &ctx);
	expect("%%d", "%d", &ctx);
}

static void
test_missing_values(void **state)
{
	FailoverContext none = {.node_id = 2, .host = "h", .port = 1, .data_dir = NULL,
		.new_main_id = -1, .new_main_host = "", .new_main_port = 0, .new_main_data_dir = NULL,
	.old_main_id = -1, .old_primary_id = -1, .old_primary_host = NULL, .old_primary_port = 0};

	expect("[%D][%m][%H][%R][%P][%N][%S]", "[][-1][][][-1][][0]", &none);
}

static void
test_long_expansion(void **state)
{
	char		tmpl[3001];
	char	   *got;

	for (int i = 0; i < 1000; i++)
		memcpy(tmpl + i * 3, "%D ", 3);
	tmpl[3000] = '\0';
	got = failover_expand_command(tmpl, &ctx);
	assert_int_equal(strlen(got), 1000 * strlen("/data/1 "));
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_escape),
		cmocka_unit_test(test_text_around_escapes),
		cmocka_unit_test(test_unknown_and_trailing),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_long_expansion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
