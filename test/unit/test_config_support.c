/*
 * test_config_support.c: unit tests of the warnings about parameters pgpool
 * accepts but does not honour (config_report_unsupported, config_support.c):
 * a non-default setting warns with file and line, a default one (however
 * spelled) and an implemented one stay silent, numbered parameters and 3.x
 * synonyms are named, and the sources survive copying.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "utils/log.h"
#include "config_test_util.h"

static char conf_path[128];		/* file of the last load_and_report() */

/* Load text (must succeed), then report; returns the number of warnings. */
static int
load_and_report(PoolConfig *c, const char *text)
{
	snprintf(conf_path, sizeof(conf_path), "%s", write_conf(text));
	config_init_defaults(c);
	assert_true(config_load(conf_path, c));
	assert_int_equal(ncaptured, 0);
	return config_report_unsupported(c);
}

static const Captured *
unsupported(const char *name)
{
	char		text[256];

	snprintf(text, sizeof(text),
			 "parameter \"%s\" is not supported by this version of pgpool and has no effect", name);
	return find_captured(PL_WARNING, text);
}

static void
test_non_default_warns_with_file_and_line(void **state)
{
	PoolConfig	c;
	const Captured *w;
	char		detail[256];

	assert_int_equal(load_and_report(&c, "num_init_children = 5\n"
									 "logging_collector = on\n"), 1);
	assert_int_equal(ncaptured, 1);
	w = unsupported("logging_collector");
	assert_non_null(w);
	snprintf(detail, sizeof(detail), "in file \"%s\" line 2", conf_path);
	assert_string_equal(w->detail, detail);
	assert_non_null(strstr(w->hint, "(off)"));
	/* the same configuration reported again (a reload) warns again */
	ncaptured = 0;
	assert_int_equal(config_report_unsupported(&c), 1);
	assert_non_null(unsupported("logging_collector"));
	config_free(&c);
}

static void
test_default_value_is_silent(void **state)
{
	PoolConfig	c;

	assert_int_equal(load_and_report(&c, "memory_cache_enabled = off\n"
									 "memqcache_method = 'SHMEM'\n"	/* enum, other case */
									 "logging_collector = false\n"	/* other spelling */
									 "memqcache_total_size = 64MB\n"	/* other unit */
									 "wd_port0 = 9000\n"
									 "heartbeat_device2 = ''\n"), 0);
	assert_int_equal(ncaptured, 0);
	config_free(&c);
}

static void
test_implemented_is_silent(void **state)
{
	PoolConfig	c;

	/* implemented ones */
	assert_int_equal(load_and_report(&c, "num_init_children = 5\n"
									 "write_function_list = 'nextval,setval'\n"
									 "log_min_messages = debug1\n"
									 "replicate_select = on\n"
									 "insert_lock = off\n"
									 "replication_stop_on_mismatch = on\n"
									 "failover_if_affected_tuples_mismatch = on\n"
									 "lobj_lock_table = 'lobj'\n"
									 "replication_mode = on\n"
									 "backend_clustering_mode = 'native_replication'\n"
									 "backend_hostname0 = 'db0'\n"), 0);
	assert_int_equal(ncaptured, 0);
	config_free(&c);

	/* native replication with both function lists empty: the catalog's volatility decides, silently */
	assert_int_equal(load_and_report(&c, "backend_clustering_mode = 'native_replication'\n"), 0);
	assert_int_equal(ncaptured, 0);
	config_free(&c);
}

static void
test_later_line_decides(void **state)
{
	PoolConfig	c;
	const Captured *w;
	char		detail[256];

	/* set, then back to the default: silent */
	assert_int_equal(load_and_report(&c, "logging_collector = on\n# comment\nlogging_collector = off\n"), 0);
	config_free(&c);
	/* default, then set: the warning names the later line */
	assert_int_equal(load_and_report(&c, "logging_collector = off\n\nlogging_collector = on\n"), 1);
	w = unsupported("logging_collector");
	assert_non_null(w);
	snprintf(detail, sizeof(detail), "in file \"%s\" line 3", conf_path);
	assert_string_equal(w->detail, detail);
	config_free(&c);
}

static void
test_numbered_synonym_obsolete(void **state)
{
	PoolConfig	c;
	const Captured *w;

	assert_int_equal(load_and_report(&c, "enable_query_cache = on\n"
									 "system_dbname = 'sys'\n"
									 "parallel_mode = on\n"), 3);
	assert_int_equal(ncaptured, 3);
	w = find_captured(PL_WARNING, "parameter \"enable_query_cache\" is obsolete and has no effect");
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "line 1"));
	assert_ptr_equal(w, &captured[0]);	/* in line order */
	/* a 3.x spelling is reported under the 4.x name; the line tells which */
	w = unsupported("system_db_dbname");
	assert_non_null(w);
	assert_non_null(strstr(w->detail, "line 2"));
	assert_ptr_equal(w, &captured[1]);
	assert_non_null(unsupported("parallel_mode"));
	config_free(&c);
}

static void
test_copy_and_set_option(void **state)
{
	PoolConfig	c;
	PoolConfig	copy;

	assert_int_equal(load_and_report(&c, "relcache_query_target = load_balance_node\n"), 1);
	config_copy(&copy, &c);
	config_free(&c);
	ncaptured = 0;
	assert_int_equal(config_report_unsupported(&copy), 1);
	assert_non_null(unsupported("relcache_query_target"));
	assert_non_null(strstr(captured[0].detail, "line 1"));
	config_free(&copy);

	/* no file, no line: settings made by name are not reported */
	config_init_defaults(&c);
	assert_true(config_set_option(&c, "logging_collector", "on"));
	assert_int_equal(config_report_unsupported(&c), 0);
	config_free(&c);
}

static void
test_labels(void **state)
{
	int			index;

	assert_null(config_support_label(config_param_find("num_init_children", &index)));
	assert_null(config_support_label(config_param_find("replicate_select", &index)));
	assert_string_equal(config_support_label(config_param_find("logging_collector", &index)),
						"not implemented");
	assert_string_equal(config_support_label(config_param_find("enable_query_cache", &index)),
						"obsolete, no effect");
	/* a synonym shares the verdict of the parameter it spells */
	assert_ptr_equal(config_param_find("white_memqcache_table_list", &index),
					 config_param_find("cache_safe_memqcache_table_list", &index));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_non_default_warns_with_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_value_is_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_implemented_is_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_line_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbered_synonym_obsolete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_and_set_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
	};

	return run_with_tmpdir("test_config_support", tests, sizeof(tests) / sizeof(tests[0]));
}
