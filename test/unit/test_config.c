/*
 * test_config.c: unit tests for the config module, part 1: defaults, the
 * table's consistency, every value type, file syntax, error messages
 * (captured through log_set_hook), 3.x synonyms and mode switches.
 * Part 2 (numbered parameters, reload, introspection, generated files) is in
 * test_config_table.c; helpers in config_test_util.c.  Configuration files
 * are written to a private temporary directory.
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

/* ---- defaults and types ---------------------------------------------------- */

static void
test_defaults(void **state)
{
	PoolConfig	c;

	config_init_defaults(&c);
	assert_int_equal(c.num_init_children, 32);
	assert_int_equal(c.max_pool, 4);
	assert_int_equal(c.port, 9999);
	assert_int_equal(c.pcp_port, 9898);
	assert_string_equal(c.socket_dir, "/tmp");
	assert_string_equal(c.pcp_socket_dir, "/tmp");
	assert_string_equal(c.listen_addresses, "localhost");
	assert_string_equal(c.reset_query_list, "ABORT; DISCARD ALL");
	assert_int_equal(c.child_life_time, 300);
	assert_int_equal(c.authentication_timeout, 60);
	assert_string_equal(c.pid_file_name, "/var/run/pgpool/pgpool.pid");
	assert_string_equal(c.logdir, "/tmp");
	assert_true(c.connection_cache);
	assert_int_equal(c.log_min_messages, PL_WARNING);
	assert_int_equal(c.client_min_messages, PL_NOTICE);
	assert_string_equal(c.log_line_prefix, "%m: %a pid %p: ");
	assert_true(c.print_timestamp);
	assert_int_equal(c.listen_backlog_multiplier, 2);
	assert_int_equal(c.backend_clustering_mode, CM_STREAMING_REPLICATION);
	assert_int_equal(c.syslog_facility, LOG_LOCAL0);
	assert_int_equal(c.unix_socket_permissions, 0777);
	assert_int_equal(c.memqcache_total_size, 67108864);
	assert_int_equal(c.health_check_timeout, 20);
	assert_int_equal(c.connect_timeout, 10000);
	assert_true(c.load_balance_mode);
	assert_int_equal(c.num_backends, 0);
	for (int i = 0; i < MAX_BACKENDS; i++)
	{
		assert_false(c.backends[i].defined);
		assert_int_equal(c.backends[i].port, 5432);
		assert_true(c.backends[i].weight == 1.0);
		assert_int_equal(c.backends[i].flag, BACKEND_FLAG_ALLOW_TO_FAILOVER);
		assert_string_equal(c.backends[i].hostname, "");
		assert_int_equal(c.backends[i].health_check_period, -1);
		assert_int_equal(c.backends[i].connect_timeout, -1);
		assert_null(c.backends[i].health_check_user);
		assert_null(c.backends[i].health_check_password);
	}
	assert_int_equal(c.wd_nodes[0].wd_port, 9000);
	assert_int_equal(c.wd_nodes[0].pgpool_port, 9999);
	assert_int_equal(c.heartbeats[0].port, 9694);
	config_free(&c);
}

/* Names are unique, rows complete, synonyms never shadow a name. */
static void
test_table_consistent(void **state)
{
	int			n = config_param_count();

	assert_true(n > 200);
	for (int i = 0; i < n; i++)
	{
		const ConfigParam *p = config_param_at(i);
		int			index;

		assert_non_null(p->description);
		assert_true(strlen(p->description) > 5);
		assert_true(p->default_value != NULL || (p->flags & CONFIG_FLAG_NODE_UNSET));
		if (p->type == CONFIG_ENUM)
			assert_non_null(p->enum_values);
		for (int j = i + 1; j < n; j++)
		{
			const ConfigParam *q = config_param_at(j);

			if ((p->array == NULL) == (q->array == NULL))
				assert_string_not_equal(p->name, q->name);
		}
		for (const char *const *s = p->synonyms; s && *s; s++)
			assert_ptr_equal(config_param_find(*s, &index), p->array ? NULL : p);
	}
	assert_null(config_param_at(n));
	assert_null(config_param_at(-1));
}

static void
test_every_type(void **state)
{
	PoolConfig	c;

	assert_true(load_text(&c,
						  "backend_clustering_mode = 'raw'\n"
						  "log_connections = on\n"
						  "num_init_children = 7\n"
						  "delay_threshold = 10000000000\n"
						  "memqcache_total_size = 64MB\n"
						  "memqcache_maxcache = 400kB\n"
						  "log_rotation_age = 1d\n"
						  "log_rotation_size = '10MB'\n"
						  "unix_socket_permissions = 0700\n"
						  "backend_weight0 = 0.25\n"
						  "track_table_mutation_ttl_factor = 2.5\n"
						  "failover_command = '/bin/failover.sh %d %H'\n"
						  "log_min_messages = DEBUG2\n"
						  "syslog_facility = 'local3'\n"
						  "check_temp_table = off\n"
						  "client_idle_limit_in_recovery = -1\n"
						  "log_destination = 'stderr,syslog'\n"
						  "backend_flag0 = 'DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY'\n"
						  "backend_flag1 = 'always_master'\n"));
	assert_int_equal(c.backend_clustering_mode, CM_RAW);
	assert_true(c.log_connections);
	assert_int_equal(c.num_init_children, 7);
	assert_true(c.delay_threshold == INT64_C(10000000000));
	assert_true(c.memqcache_total_size == 64 * 1024 * 1024);
	assert_int_equal(c.memqcache_maxcache, 400 * 1024);
	assert_int_equal(c.log_rotation_age, 1440);
	assert_int_equal(c.log_rotation_size, 10240);
	assert_int_equal(c.unix_socket_permissions, 0700);
	assert_true(c.backends[0].weight == 0.25);
	assert_true(c.track_table_mutation_ttl_factor == 2.5);
	assert_string_equal(c.failover_command, "/bin/failover.sh %d %H");
	assert_int_equal(c.log_min_messages, PL_DEBUG2);
	assert_int_equal(c.syslog_facility, LOG_LOCAL3);
	assert_int_equal(c.check_temp_table, CTT_NONE);
	assert_int_equal(c.client_idle_limit_in_recovery, -1);
	assert_string_equal(c.log_destination, "stderr,syslog");
	assert_int_equal(c.backends[0].flag,
					 BACKEND_FLAG_DISALLOW_TO_FAILOVER | BACKEND_FLAG_ALWAYS_PRIMARY);
	assert_int_equal(c.backends[1].flag,
					 BACKEND_FLAG_ALLOW_TO_FAILOVER | BACKEND_FLAG_ALWAYS_PRIMARY);
	/* weight and flag do not define a backend; hostname and port do */
	assert_int_equal(c.num_backends, 0);
	assert_int_equal(ncaptured, 0);
	config_free(&c);
}

static void
test_bool_spellings(void **state)
{
	static const char *const yes[] = {"on", "ON", "true", "True", "yes", "YES", "1", "'on'", "'Yes'"};
	static const char *const no[] = {"off", "OFF", "false", "FALSE", "no", "No", "0", "'off'", "'0'"};
	char		line[64];
	PoolConfig	c;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
	{
		snprintf(line, sizeof(line), "log_statement = %s\n", yes[i]);
		assert_true(load_text(&c, line));
		assert_true(c.log_statement);
		config_free(&c);
		snprintf(line, sizeof(line), "connection_cache = %s\n", no[i]);
		assert_true(load_text(&c, line));
		assert_false(c.connection_cache);
		config_free(&c);
	}
}

/* ---- syntax ----------------------------------------------------------------- */

static void
test_quoting_and_comments(void **state)
{
	PoolConfig	c;

	assert_true(load_text(&c,
						  "# a comment line\n"
						  "\n"
						  "   \t \n"
						  "failover_command = 'it''s'   # trailing comment\n"
						  "failback_command = 'back\\'slash \\\\ tab\\there'\n"
						  "follow_primary_command = '#not a comment'\n"
						  "PORT = 1234#comment right after the value\n"
						  "Num_Init_Children 9\n"
						  "  pcp_port=9000\r\n"
						  "socket_dir = /var/run/pgpool\n"
						  "listen_addresses = '*'\n"
						  "recovery_1st_stage_command = ''\n"
						  "wd_escalation_command = 'octal \\101'\n"));
	assert_string_equal(c.failover_command, "it's");
	assert_string_equal(c.failback_command, "back'slash \\ tab\there");
	assert_string_equal(c.follow_primary_command, "#not a comment");
	assert_int_equal(c.port, 1234);
	assert_int_equal(c.num_init_children, 9);
	assert_int_equal(c.pcp_port, 9000);
	assert_string_equal(c.socket_dir, "/var/run/pgpool");
	assert_string_equal(c.listen_addresses, "*");
	assert_string_equal(c.recovery_1st_stage_command, "");
	assert_string_equal(c.wd_escalation_command, "octal A");
	assert_int_equal(ncaptured, 0);
	config_free(&c);
}

static void
test_later_line_wins(void **state)
{
	PoolConfig	c;

	assert_true(load_text(&c, "port = 1111\nmax_pool = 2\nport = 2222\n"
						  "white_function_list = 'a'\nread_only_function_list = 'b'\n"));
	assert_int_equal(c.port, 2222);
	assert_int_equal(c.max_pool, 2);
	assert_string_equal(c.read_only_function_list, "b");
	config_free(&c);
}

static void
test_syntax_errors(void **state)
{
	static const char *const near[] = {
		"near token \"6\"", "near end of line", "near token \"=\"", "near end of line",
		"near token \"9lives\"", "near token \":\"", "near token \"abc'd'\"",
	};
	PoolConfig	c;
	const char *path;

	config_init_defaults(&c);
	path = write_conf("port = 5 6\nmax_pool =\n= 5\nfailover_command = 'unterminated\n"
					  "9lives = 1\nport: 5\nnum_init_children = abc'd'\nchild_life_time = 7\n");
	assert_false(config_load(path, &c));
	assert_int_equal(count_captured(PL_ERROR), 7);
	for (int i = 0; i < 7; i++)
		assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line %d, %s",
														path, i + 1, near[i])));
	/* parsing went on after the errors */
	assert_int_equal(c.child_life_time, 7);
	config_free(&c);
}

static void
test_unreadable_file(void **state)
{
	PoolConfig	c;
	char		path[128];

	snprintf(path, sizeof(path), "%s/no-such-file.conf", tmpdir);
	config_init_defaults(&c);
	assert_false(config_load(path, &c));
	assert_non_null(find_captured(PL_ERROR, log_fmt("could not open configuration file \"%s\": No such file or directory", path)));
	config_free(&c);
}

/* ---- messages --------------------------------------------------------------- */

static void
test_unknown_parameter_warns(void **state)
{
	PoolConfig	c;
	const char *path;

	config_init_defaults(&c);
	path = write_conf("port = 1\n\n# x\nno_such_thing = 5\nbackend_hostname = 'h'\n");
	assert_true(config_load(path, &c));
	assert_int_equal(count_captured(PL_WARNING), 2);
	assert_non_null(find_captured(PL_WARNING, log_fmt("unrecognized configuration parameter \"no_such_thing\" in file \"%s\" line 4", path)));
	assert_non_null(find_captured(PL_WARNING, log_fmt("unrecognized configuration parameter \"backend_hostname\" in file \"%s\" line 5", path)));
	assert_int_equal(c.port, 1);
	config_free(&c);
}

#define ANY_INT "an integer from 0 to 2147483647"
#define CHILDREN "an integer from 1 to 10000"
#define BOOLS "on, off, true, false, yes, no, 1, 0"
#define FLAGS "'ALLOW_TO_FAILOVER' or 'DISALLOW_TO_FAILOVER', and 'ALWAYS_PRIMARY', joined with '|'"

/* Each bad line (line 2 of its file): ERROR naming parameter and value, DETAIL the rest. */
static void
test_bad_values(void **state)
{
	static const struct
	{
		const char *line;
		const char *name;
		const char *value;
		const char *accepted;
	}			cases[] = {
		{"num_init_children = abc", "num_init_children", "abc", CHILDREN},
		{"num_init_children = 0", "num_init_children", "0", CHILDREN},
		{"num_init_children = 10001", "num_init_children", "10001", CHILDREN},
		{"num_init_children = 99999999999999999999", "num_init_children",
		"99999999999999999999", CHILDREN},
		{"num_init_children = 12x", "num_init_children", "12x", CHILDREN},
		{"port = 70000", "port", "70000", "an integer from 1 to 65535"},
		{"backend_port1 = -5", "backend_port1", "-5", "an integer from 1 to 65535"},
		{"log_statement = maybe", "log_statement", "maybe", BOOLS},
		{"Load_Balance_Mode = ''", "Load_Balance_Mode", "", BOOLS},
		{"backend_clustering_mode = 'mirror'", "backend_clustering_mode", "mirror",
			"'raw', 'streaming_replication', 'native_replication', 'logical_replication', "
		"'slony', 'snapshot_isolation'"},
		{"master_slave_sub_mode = 'async'", "master_slave_sub_mode", "async",
		"'slony', 'stream', 'logical'"},
		{"backend_flag0 = 'ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER'", "backend_flag0",
		"ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER", FLAGS},
		{"backend_flag0 = 'ALLOW_TO_FAILOVER|'", "backend_flag0", "ALLOW_TO_FAILOVER|", FLAGS},
		{"backend_weight0 = heavy", "backend_weight0", "heavy", "a number from 0 to 100000000"},
		{"log_destination = 'file'", "log_destination", "file",
		"'stderr', 'syslog', 'stderr,syslog'"},
		{"memqcache_total_size = 64XB", "memqcache_total_size", "64XB",
			"an integer from 0 to 4611686018427387903 "
		"(bytes; or with a unit: B, kB, MB, GB, TB)"},
		{"unix_socket_permissions = 01777", "unix_socket_permissions", "01777",
		"an integer from 0 to 0777"},
		{"health_check_period2 = soon", "health_check_period2", "soon", ANY_INT},
	};
	char		text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		PoolConfig	c;
		const char *path;
		const Captured *e;

		ncaptured = 0;
		config_init_defaults(&c);
		snprintf(text, sizeof(text), "port = 1234\n%s\n", cases[i].line);
		path = write_conf(text);
		assert_false(config_load(path, &c));
		e = find_captured(PL_ERROR, log_fmt("invalid value for parameter \"%s\": \"%s\"",
											cases[i].name, cases[i].value));
		assert_non_null(e);
		assert_string_equal(e->detail, log_fmt("in file \"%s\" line 2; accepted values: %s",
											   path, cases[i].accepted));
		config_free(&c);
	}
}

/* Every error of a file is reported, and the good lines still apply. */
static void
test_errors_all_reported(void **state)
{
	PoolConfig	c;

	assert_false(load_text(&c, "port = x\nmax_pool = 0\nnum_init_children = 3\n"
						   "backend_hostname128 = 'h'\n"));
	assert_int_equal(count_captured(PL_ERROR), 3);
	assert_int_equal(c.num_init_children, 3);
	assert_int_equal(c.port, 9999);
	assert_non_null(find_captured(PL_ERROR,
								  "node number 128 of parameter \"backend_hostname128\" is out of range (0 to 127)"));
	config_free(&c);
}

/* ---- vocabularies ----------------------------------------------------------- */

static void
test_synonyms(void **state)
{
	PoolConfig	c;

	assert_true(load_text(&c,
						  "white_function_list = 'get_.*'\n"
						  "black_function_list = 'nextval,setval'\n"
						  "fail_over_on_backend_error = off\n"
						  "follow_master_command = '/bin/follow %d'\n"
						  "white_memqcache_table_list = 'safe'\n"
						  "black_memqcache_table_list = 'unsafe'\n"
						  "ifconfig_path = '/usr/sbin'\n"
						  "system_dbname = 'sysdb'\n"
						  "unix_socket_directories = '/run/pg'\n"
						  "work_dir = '/var/lib/pgpool'\n"
						  "delegate_IP = '10.0.0.9'\n"));
	assert_string_equal(c.read_only_function_list, "get_.*");
	assert_string_equal(c.write_function_list, "nextval,setval");
	assert_false(c.failover_on_backend_error);
	assert_string_equal(c.follow_primary_command, "/bin/follow %d");
	assert_string_equal(c.cache_safe_memqcache_table_list, "safe");
	assert_string_equal(c.cache_unsafe_memqcache_table_list, "unsafe");
	assert_string_equal(c.if_cmd_path, "/usr/sbin");
	assert_string_equal(c.system_db_dbname, "sysdb");
	assert_string_equal(c.socket_dir, "/run/pg");
	assert_string_equal(c.logdir, "/var/lib/pgpool");
	assert_string_equal(c.delegate_ip, "10.0.0.9");
	assert_int_equal(ncaptured, 0);
	config_free(&c);
}

static void
test_clustering_mode_derived(void **state)
{
	static const struct
	{
		const char *text;
		int			mode;
	}			cases[] = {
		{"", CM_RAW},
		{"replication_mode = off\nmaster_slave_mode = off\n", CM_RAW},
		{"replication_mode = on\n", CM_NATIVE_REPLICATION},
		{"master_slave_mode = on\n", CM_SLONY},
		{"master_slave_mode = on\nmaster_slave_sub_mode = 'stream'\n", CM_STREAMING_REPLICATION},
		{"master_slave_mode = true\nmaster_slave_sub_mode = 'Slony'\n", CM_SLONY},
		{"master_slave_mode = on\nmaster_slave_sub_mode = logical\n", CM_LOGICAL_REPLICATION},
		{"backend_clustering_mode = 'snapshot_isolation'\n", CM_SNAPSHOT_ISOLATION},
		{"replication_mode = on\nbackend_clustering_mode = 'raw'\n", CM_RAW},
		{"backend_clustering_mode = 'streaming_replication'\nmaster_slave_mode = on\n",
		CM_STREAMING_REPLICATION},
		{"backend_clustering_mode = native_replication\n", CM_NATIVE_REPLICATION},
		{"backend_clustering_mode = LOGICAL_REPLICATION\n", CM_LOGICAL_REPLICATION},
	};
	PoolConfig	c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		assert_true(load_text(&c, cases[i].text));
		assert_int_equal(c.backend_clustering_mode, cases[i].mode);
		config_free(&c);
	}
	assert_false(load_text(&c, "replication_mode = on\nmaster_slave_mode = on\n"));
	assert_non_null(find_captured(PL_ERROR, "replication_mode and master_slave_mode cannot both be enabled"));
	config_free(&c);
	assert_string_equal(config_clustering_mode_name(CM_SLONY), "slony");
}

/* ---- main ------------------------------------------------------------------- */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoting_and_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_line_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_parameter_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_all_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synonyms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clustering_mode_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbered_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_vocabularies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_introspection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_option_and_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_up_to_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_up_to_date, setup, teardown),
	};

	return run_with_tmpdir("test_config", tests, sizeof(tests) / sizeof(tests[0]));
}
