/*
 * test_config.c: unit tests for the config module: defaults, every value
 * type, file syntax, 3.x synonyms and mode switches, numbered parameters,
 * error messages (captured through log_set_hook), reload, introspection,
 * password masking and the generated sample/docs being up to date.
 * Configuration files are written to a private temporary directory.
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

/* ---- helpers -------------------------------------------------------------- */

#define MAX_CAPTURED 32

typedef struct Captured
{
	int			level;
	char		message[512];
	char		detail[512];
} Captured;

static Captured captured[MAX_CAPTURED];
static int	ncaptured;
static char tmpdir[64];
static int	nfiles;

static void
capture_hook(int level, const char *message, const char *detail, const char *hint)
{
	Captured   *c;

	if (ncaptured >= MAX_CAPTURED)
		return;
	c = &captured[ncaptured++];
	c->level = level;
	snprintf(c->message, sizeof(c->message), "%s", message);
	snprintf(c->detail, sizeof(c->detail), "%s", detail ? detail : "");
}

/* The captured line of this level whose message equals text, or NULL. */
static const Captured *
find_captured(int level, const char *text)
{
	for (int i = 0; i < ncaptured; i++)
		if (captured[i].level == level && strcmp(captured[i].message, text) == 0)
			return &captured[i];
	return NULL;
}

static int
count_captured(int level)
{
	int			n = 0;

	for (int i = 0; i < ncaptured; i++)
		n += captured[i].level == level;
	return n;
}

/* Write text into a new file of the temp dir; returns its path (static). */
static const char *
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

/* Defaults, then the file holding text; returns config_load's result. */
static bool
load_text(PoolConfig *cfg, const char *text)
{
	config_init_defaults(cfg);
	return config_load(write_conf(text), cfg);
}

static const char *
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

static int
setup(void **state)
{
	LogSettings quiet = {.min_level = PL_WARNING, .destinations = 0,
	.line_prefix = "", .syslog_ident = "test"};

	log_configure(&quiet);
	log_set_hook(capture_hook);
	ncaptured = 0;
	return 0;
}

static int
teardown(void **state)
{
	log_set_hook(NULL);
	return 0;
}

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
	PoolConfig	c;
	const char *path;

	config_init_defaults(&c);
	path = write_conf("port = 5 6\n"
					  "max_pool =\n"
					  "= 5\n"
					  "failover_command = 'unterminated\n"
					  "9lives = 1\n"
					  "port: 5\n"
					  "num_init_children = abc'd'\n"
					  "child_life_time = 7\n");
	assert_false(config_load(path, &c));
	assert_int_equal(count_captured(PL_ERROR), 7);
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 1, near token \"6\"", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 2, near end of line", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 3, near token \"=\"", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 4, near end of line", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 5, near token \"9lives\"", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 6, near token \":\"", path)));
	assert_non_null(find_captured(PL_ERROR, log_fmt("syntax error in file \"%s\" line 7, near token \"abc'd'\"", path)));
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

/* Load one bad line (line 2 of the file) and check the ERROR and DETAIL. */
static void
check_bad_value(const char *line, const char *name, const char *value, const char *accepted)
{
	PoolConfig	c;
	const char *path;
	const Captured *e;
	char		text[256];

	ncaptured = 0;
	config_init_defaults(&c);
	snprintf(text, sizeof(text), "port = 1234\n%s\n", line);
	path = write_conf(text);
	assert_false(config_load(path, &c));
	e = find_captured(PL_ERROR, log_fmt("invalid value for parameter \"%s\": \"%s\"", name, value));
	assert_non_null(e);
	assert_string_equal(e->detail, log_fmt("in file \"%s\" line 2; accepted values: %s", path, accepted));
	config_free(&c);
}

static void
test_bad_values(void **state)
{
	check_bad_value("num_init_children = abc", "num_init_children", "abc", "an integer from 1 to 10000");
	check_bad_value("num_init_children = 0", "num_init_children", "0", "an integer from 1 to 10000");
	check_bad_value("num_init_children = 10001", "num_init_children", "10001", "an integer from 1 to 10000");
	check_bad_value("num_init_children = 99999999999999999999", "num_init_children",
					"99999999999999999999", "an integer from 1 to 10000");
	check_bad_value("num_init_children = 12x", "num_init_children", "12x", "an integer from 1 to 10000");
	check_bad_value("port = 70000", "port", "70000", "an integer from 1 to 65535");
	check_bad_value("backend_port1 = -5", "backend_port1", "-5", "an integer from 1 to 65535");
	check_bad_value("log_statement = maybe", "log_statement", "maybe", "on, off, true, false, yes, no, 1, 0");
	check_bad_value("Load_Balance_Mode = ''", "Load_Balance_Mode", "", "on, off, true, false, yes, no, 1, 0");
	check_bad_value("backend_clustering_mode = 'mirror'", "backend_clustering_mode", "mirror",
					"'raw', 'streaming_replication', 'native_replication', 'logical_replication', "
					"'slony', 'snapshot_isolation'");
	check_bad_value("master_slave_sub_mode = 'async'", "master_slave_sub_mode", "async",
					"'slony', 'stream', 'logical'");
	check_bad_value("backend_flag0 = 'ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER'", "backend_flag0",
					"ALLOW_TO_FAILOVER|DISALLOW_TO_FAILOVER",
					"'ALLOW_TO_FAILOVER' or 'DISALLOW_TO_FAILOVER', and 'ALWAYS_PRIMARY', joined with '|'");
	check_bad_value("backend_flag0 = 'ALLOW_TO_FAILOVER|'", "backend_flag0", "ALLOW_TO_FAILOVER|",
					"'ALLOW_TO_FAILOVER' or 'DISALLOW_TO_FAILOVER', and 'ALWAYS_PRIMARY', joined with '|'");
	check_bad_value("backend_weight0 = heavy", "backend_weight0", "heavy", "a number from 0 to 100000000");
	check_bad_value("log_destination = 'file'", "log_destination", "file",
					"'stderr', 'syslog', 'stderr,syslog'");
	check_bad_value("memqcache_total_size = 64XB", "memqcache_total_size", "64XB",
					"an integer from 0 to 4611686018427387903 (bytes; or with a unit: B, kB, MB, GB, TB)");
	check_bad_value("unix_socket_permissions = 01777", "unix_socket_permissions", "01777",
					"an integer from 0 to 0777");
	check_bad_value("health_check_period2 = soon", "health_check_period2", "soon",
					"an integer from 0 to 2147483647");
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

static void
test_numbered_parameters(void **state)
{
	PoolConfig	c;

	assert_true(load_text(&c,
						  "backend_hostname0 = 'db0'\n"
						  "backend_port0 = 5433\n"
						  "backend_weight0 = 2\n"
						  "backend_data_directory0 = '/data0'\n"
						  "backend_application_name0 = 'node0'\n"
						  "backend_port3 = 6000\n"
						  "BACKEND_HOSTNAME1 = '/var/run/postgresql'\n"
						  "health_check_period = 10\n"
						  "health_check_period1 = 3\n"
						  "health_check_user1 = 'hc'\n"
						  "connect_timeout0 = 500\n"
						  "hostname0 = 'pg-a'\n"
						  "wd_port0 = 9001\n"
						  "pgpool_port1 = 9998\n"
						  "heartbeat_hostname0 = 'hb-a'\n"
						  "heartbeat_device1 = 'eth1'\n"
						  "other_pgpool_hostname0 = 'other'\n"
						  "other_wd_port0 = 9100\n"
						  "wd_port = 9002\n"));
	assert_int_equal(c.num_backends, 4);
	assert_true(c.backends[0].defined && c.backends[1].defined && c.backends[3].defined);
	assert_false(c.backends[2].defined);
	assert_string_equal(c.backends[0].hostname, "db0");
	assert_int_equal(c.backends[0].port, 5433);
	assert_true(c.backends[0].weight == 2.0);
	assert_string_equal(c.backends[0].data_directory, "/data0");
	assert_string_equal(c.backends[0].application_name, "node0");
	assert_string_equal(c.backends[1].hostname, "/var/run/postgresql");
	assert_int_equal(c.backends[1].port, 5432);
	assert_string_equal(c.backends[3].hostname, "");	/* local socket / localhost */
	assert_int_equal(c.backends[3].port, 6000);
	assert_int_equal(c.health_check_period, 10);
	assert_int_equal(c.backends[1].health_check_period, 3);
	assert_int_equal(c.backends[0].health_check_period, -1);
	assert_string_equal(c.backends[1].health_check_user, "hc");
	assert_null(c.backends[0].health_check_user);
	assert_int_equal(c.backends[0].connect_timeout, 500);
	assert_int_equal(c.num_wd_nodes, 2);
	assert_string_equal(c.wd_nodes[0].hostname, "pg-a");
	assert_int_equal(c.wd_nodes[0].wd_port, 9001);
	assert_int_equal(c.wd_nodes[1].pgpool_port, 9998);
	assert_int_equal(c.num_heartbeats, 1);	/* heartbeat_device alone defines nothing */
	assert_string_equal(c.heartbeats[0].hostname, "hb-a");
	assert_string_equal(c.heartbeats[1].device, "eth1");
	assert_int_equal(c.num_other_pgpool, 1);
	assert_string_equal(c.other_pgpool[0].hostname, "other");
	assert_int_equal(c.other_pgpool[0].wd_port, 9100);
	assert_int_equal(c.wd_port, 9002);	/* 3.x scalar, not wd_port0 */
	assert_string_equal(value_of(&c, "backend_port3"), "6000");
	assert_string_equal(value_of(&c, "health_check_period0"), "");
	assert_string_equal(value_of(&c, "health_check_period1"), "3");
	config_free(&c);
}

/* Every name of the pgpool-II 3.2 and 4.3 sample files is recognized. */
static void
test_known_vocabularies(void **state)
{
	static const char *const names[] = {
		"arping_cmd", "arping_path", "authentication_timeout", "backend_data_directory0",
		"backend_flag0", "backend_hostname0", "backend_port0", "backend_weight0",
		"black_function_list", "black_memqcache_table_list", "check_temp_table",
		"child_life_time", "child_max_connections", "client_idle_limit",
		"client_idle_limit_in_recovery", "connection_cache", "connection_life_time",
		"debug_level", "delay_threshold", "enable_pool_hba", "fail_over_on_backend_error",
		"failback_command", "failover_command", "failover_if_affected_tuples_mismatch",
		"follow_master_command", "health_check_max_retries", "health_check_password",
		"health_check_period", "health_check_retry_delay", "health_check_timeout",
		"health_check_user", "if_down_cmd", "if_up_cmd", "ifconfig_path",
		"ignore_leading_white_space", "insert_lock", "listen_addresses", "load_balance_mode",
		"lobj_lock_table", "log_connections", "log_destination", "log_hostname",
		"log_per_node_statement", "log_standby_delay", "log_statement", "logdir",
		"master_slave_mode", "master_slave_sub_mode", "max_pool", "memory_cache_enabled",
		"memqcache_auto_cache_invalidation", "memqcache_cache_block_size", "memqcache_expire",
		"memqcache_max_num_cache", "memqcache_maxcache", "memqcache_memcached_host",
		"memqcache_memcached_port", "memqcache_method", "memqcache_oiddir",
		"memqcache_total_size", "num_init_children", "other_pgpool_hostname0",
		"other_pgpool_port0", "other_wd_port0", "parallel_mode", "pcp_port", "pcp_socket_dir",
		"pid_file_name", "ping_path", "port", "print_timestamp", "recovery_password",
		"recovery_timeout", "recovery_user", "relcache_expire", "relcache_size",
		"replicate_select", "replication_mode", "replication_stop_on_mismatch",
		"reset_query_list", "socket_dir", "sr_check_password", "sr_check_period",
		"sr_check_user", "ssl", "ssl_ca_cert", "ssl_ca_cert_dir", "ssl_cert", "ssl_key",
		"syslog_facility", "syslog_ident", "system_db_dbname", "system_db_hostname",
		"system_db_password", "system_db_port", "system_db_schema", "system_db_user",
		"trusted_servers", "use_watchdog", "wd_hostname", "wd_interval", "wd_life_point",
		"wd_lifecheck_query", "wd_port", "white_function_list", "white_memqcache_table_list",
		"delegate_IP", "pcp_timeout", "recovery_1st_stage_command", "recovery_2nd_stage_command",
		/* 4.3 additions */
		"allow_clear_text_frontend_auth", "allow_multiple_failover_requests_from_node",
		"allow_sql_comments", "app_name_redirect_preference_list", "auto_failback",
		"auto_failback_interval", "backend_application_name0", "backend_clustering_mode",
		"cache_safe_memqcache_table_list", "cache_unsafe_memqcache_table_list",
		"check_unlogged_table", "clear_memqcache_on_escalation", "client_min_messages",
		"connect_timeout", "database_redirect_preference_list", "detach_false_primary",
		"disable_load_balance_on_write", "dml_adaptive_object_relationship_list",
		"enable_consensus_with_half_votes", "enable_shared_relcache",
		"failover_on_backend_error", "failover_on_backend_shutdown",
		"failover_require_consensus", "failover_when_quorum_exists", "follow_primary_command",
		"health_check_database", "heartbeat_device0", "heartbeat_hostname0", "heartbeat_port0",
		"hostname0", "if_cmd_path", "listen_backlog_multiplier", "log_client_messages",
		"log_directory", "log_disconnections", "log_error_verbosity", "log_file_mode",
		"log_filename", "log_line_prefix", "log_min_messages", "log_rotation_age",
		"log_rotation_size", "log_truncate_on_rotation", "logging_collector",
		"pcp_listen_addresses", "pgpool_port0", "pool_passwd", "prefer_lower_delay_standby",
		"primary_routing_query_pattern_list", "read_only_function_list",
		"relcache_query_target", "reserved_connections", "search_primary_node_timeout",
		"serialize_accept", "sr_check_database", "ssl_ciphers", "ssl_crl_file",
		"ssl_dh_params_file", "ssl_ecdh_curve", "ssl_passphrase_command",
		"ssl_prefer_server_ciphers", "statement_level_load_balance", "wd_authkey",
		"wd_de_escalation_command", "wd_escalation_command", "wd_heartbeat_deadtime",
		"wd_heartbeat_keepalive", "wd_initial_node_showup_time", "wd_ipc_socket_dir",
		"wd_lifecheck_dbname", "wd_lifecheck_method", "wd_lifecheck_password",
		"wd_lifecheck_user", "wd_lost_node_removal_timeout", "wd_monitoring_interfaces_list",
		"wd_port0", "wd_priority", "wd_remove_shutdown_nodes", "write_function_list",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		int			index;

		if (config_param_find(names[i], &index) == NULL)
			fail_msg("parameter \"%s\" is not recognized", names[i]);
	}
}

/* ---- reload ----------------------------------------------------------------- */

static void
test_reload(void **state)
{
	PoolConfig	cur;
	PoolConfig	next;

	assert_true(load_text(&cur,
						  "port = 9999\nnum_init_children = 10\nlog_statement = off\n"
						  "backend_hostname0 = 'host0'\nbackend_port0 = 5432\n"
						  "backend_hostname1 = 'host1'\nbackend_port1 = 5433\n"
						  "health_check_period = 0\nsr_check_password = 'old'\n"));
	assert_true(load_text(&next,
						  "port = 9998\nnum_init_children = 10\nlog_statement = on\n"
						  "backend_hostname0 = 'host0'\nbackend_port0 = 5432\n"
						  "backend_weight0 = 0.5\nbackend_flag0 = 'DISALLOW_TO_FAILOVER'\n"
						  "backend_hostname1 = 'other'\nbackend_port1 = 5433\n"
						  "backend_hostname2 = 'host2'\nbackend_port2 = 5434\n"
						  "health_check_period = 5\nsr_check_password = 'new'\n"));
	ncaptured = 0;
	config_apply_reload(&cur, &next);
	assert_int_equal(cur.port, 9999);
	assert_non_null(find_captured(PL_LOG, "parameter \"port\" cannot be changed without restarting the server"));
	assert_non_null(find_captured(PL_LOG, "parameter \"backend_hostname1\" cannot be changed without restarting the server"));
	assert_int_equal(ncaptured, 2);
	assert_true(cur.log_statement);
	assert_int_equal(cur.health_check_period, 5);
	assert_string_equal(cur.sr_check_password, "new");
	assert_true(cur.backends[0].weight == 0.5);
	assert_int_equal(cur.backends[0].flag, BACKEND_FLAG_DISALLOW_TO_FAILOVER);
	assert_string_equal(cur.backends[1].hostname, "host1");
	assert_true(cur.backends[2].defined);
	assert_string_equal(cur.backends[2].hostname, "host2");
	assert_int_equal(cur.backends[2].port, 5434);
	assert_int_equal(cur.num_backends, 3);
	config_free(&next);

	/* removing a backend needs a restart: it stays */
	assert_true(load_text(&next, "backend_hostname0 = 'host0'\nbackend_port0 = 5432\n"));
	ncaptured = 0;
	config_apply_reload(&cur, &next);
	assert_int_equal(cur.num_backends, 3);
	assert_string_equal(cur.backends[2].hostname, "host2");
	assert_non_null(find_captured(PL_LOG, "parameter \"backend_hostname2\" cannot be changed without restarting the server"));
	config_free(&next);
	config_free(&cur);
}

/* ---- introspection ------------------------------------------------------------ */

static void
test_introspection(void **state)
{
	PoolConfig	c;
	int			index;
	const ConfigParam *p;
	char		buf[128];

	assert_true(load_text(&c, "backend_clustering_mode = 'raw'\nbackend_hostname1 = 'h1'\n"
						  "backend_flag1 = 'DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY'\n"
						  "log_min_messages = info\nsyslog_facility = LOCAL5\n"));
	p = config_param_find("White_Function_List", &index);
	assert_non_null(p);
	assert_string_equal(p->name, "read_only_function_list");
	assert_int_equal(index, -1);
	p = config_param_find("BACKEND_PORT3", &index);
	assert_non_null(p);
	assert_string_equal(p->name, "backend_port");
	assert_int_equal(index, 3);
	assert_null(config_param_find("backend_port", &index));
	assert_null(config_param_find("nonsense", &index));
	assert_null(config_param_find("backend_port200", &index));
	assert_int_equal(index, 200);

	p = config_param_find("num_init_children", &index);
	assert_string_equal(config_type_name(p->type), "integer");
	assert_string_equal(config_context_name(p->context), "restart");
	assert_string_equal(config_group_title(p->group), "CONCURRENT SESSIONS AND POOLS");
	assert_string_equal(config_value_to_string(&c, p, buf, sizeof(buf)), "32");
	assert_string_equal(value_of(&c, "connection_cache"), "on");
	assert_string_equal(value_of(&c, "log_min_messages"), "info");
	assert_string_equal(value_of(&c, "syslog_facility"), "LOCAL5");
	assert_string_equal(value_of(&c, "backend_clustering_mode"), "raw");
	assert_string_equal(value_of(&c, "backend_flag0"), "ALLOW_TO_FAILOVER");
	assert_string_equal(value_of(&c, "backend_flag1"), "DISALLOW_TO_FAILOVER|ALWAYS_PRIMARY");
	assert_string_equal(value_of(&c, "backend_hostname1"), "h1");
	assert_string_equal(value_of(&c, "backend_weight1"), "1");
	assert_string_equal(value_of(&c, "unix_socket_permissions"), "0777");
	assert_string_equal(value_of(&c, "memqcache_total_size"), "67108864");
	assert_string_equal(value_of(&c, "check_temp_table"), "catalog");
	assert_string_equal(value_of(&c, "reset_query_list"), "ABORT; DISCARD ALL");
	p = config_param_find("backend_hostname", &index);
	assert_null(p);
	p = config_param_find("backend_hostname0", &index);
	assert_int_equal(config_element_count(&c, p), 2);
	assert_true(config_element_defined(&c, p, 1));
	assert_false(config_element_defined(&c, p, 0));
	assert_string_equal(config_accepted_values(p, buf, sizeof(buf)), "any string");
	config_free(&c);
}

static void
test_password_masking(void **state)
{
	PoolConfig	c;
	char		buf[128];
	int			masked = 0;

	assert_true(load_text(&c, "health_check_password = 'hcpw'\nsr_check_password = 'srpw'\n"
						  "recovery_password = 'recpw'\nwd_authkey = 'key'\n"
						  "wd_lifecheck_password = 'lcpw'\nhealth_check_password0 = 'node0pw'\n"
						  "system_db_password = 'sys'\nsr_check_user = 'visible'\n"));
	for (int i = 0; i < config_param_count(); i++)
	{
		const ConfigParam *p = config_param_at(i);
		size_t		len = strlen(p->name);
		bool		secret = strcmp(p->name, "wd_authkey") == 0 ||
			(len >= 8 && strcmp(p->name + len - 8, "password") == 0);

		assert_int_equal(config_param_is_secret(p), secret);
		if (!secret)
			continue;
		masked++;
		assert_string_equal(config_value_for_display(&c, p, buf, sizeof(buf)), "********");
		assert_string_equal(config_element_for_display(&c, p, 0, buf, sizeof(buf)), "********");
	}
	assert_true(masked >= 7);
	assert_string_equal(value_of(&c, "health_check_password0"), "node0pw");
	assert_string_equal(value_of(&c, "wd_authkey"), "key");
	{
		int			index;
		const ConfigParam *p = config_param_find("sr_check_user", &index);

		assert_string_equal(config_value_for_display(&c, p, buf, sizeof(buf)), "visible");
	}
	config_free(&c);
}

static void
test_set_option_and_copy(void **state)
{
	PoolConfig	c;
	PoolConfig	d;

	config_init_defaults(&c);
	assert_true(config_set_option(&c, "num_init_children", "5"));
	assert_true(config_set_option(&c, "backend_hostname2", "h2"));
	assert_int_equal(c.num_backends, 3);
	assert_false(config_set_option(&c, "num_init_children", "none"));
	assert_non_null(find_captured(PL_ERROR, "invalid value for parameter \"num_init_children\": \"none\""));
	assert_false(config_set_option(&c, "bogus", "1"));
	assert_non_null(find_captured(PL_ERROR, "unrecognized configuration parameter \"bogus\""));
	assert_int_equal(c.num_init_children, 5);

	config_copy(&d, &c);
	assert_ptr_not_equal(d.backends[2].hostname, c.backends[2].hostname);
	assert_string_equal(d.backends[2].hostname, "h2");
	config_free(&c);
	assert_string_equal(d.listen_addresses, "localhost");
	config_free(&d);
}

/* ---- generated files ---------------------------------------------------------- */

/* Path of a file of the source tree, found from this file's path. */
static const char *
source_path(const char *rel)
{
	static char path[512];
	const char *me = __FILE__;
	size_t		keep = strlen(me) - strlen("test/unit/test_config.c");

	snprintf(path, sizeof(path), "%.*s%s", (int) keep, me, rel);
	return path;
}

static char *
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

static void
test_sample_up_to_date(void **state)
{
	char	   *committed = read_file(source_path("sample/pgpool.conf.sample"));
	char	   *generated = NULL;
	size_t		len = 0;
	FILE	   *mem;
	PoolConfig	defaults;
	PoolConfig	loaded;
	char		a[512];
	char		b[512];

	if (committed == NULL)
		skip();
	mem = open_memstream(&generated, &len);
	config_write_sample(mem);
	fclose(mem);
	if (strcmp(committed, generated) != 0)
		fail_msg("sample/pgpool.conf.sample is stale: run \"make config-docs\"");

	/* the sample loads cleanly and gives the defaults */
	config_init_defaults(&defaults);
	config_init_defaults(&loaded);
	assert_true(config_load(source_path("sample/pgpool.conf.sample"), &loaded));
	assert_int_equal(ncaptured, 0);
	for (int i = 0; i < config_param_count(); i++)
	{
		const ConfigParam *p = config_param_at(i);

		assert_string_equal(config_value_to_string(&defaults, p, a, sizeof(a)),
							config_value_to_string(&loaded, p, b, sizeof(b)));
	}
	config_free(&defaults);
	config_free(&loaded);
	free(committed);
	free(generated);
}

static void
test_docs_up_to_date(void **state)
{
	char	   *doc = read_file(source_path("doc/configuration.md"));
	char	   *generated = NULL;
	size_t		len = 0;
	FILE	   *mem;
	char	   *begin;
	char	   *end;

	if (doc == NULL)
		skip();
	mem = open_memstream(&generated, &len);
	config_write_reference(mem);
	fclose(mem);
	begin = strstr(doc, "<!-- BEGIN GENERATED PARAMETER LIST -->\n");
	end = strstr(doc, "<!-- END GENERATED PARAMETER LIST -->");
	assert_non_null(begin);
	assert_non_null(end);
	begin += strlen("<!-- BEGIN GENERATED PARAMETER LIST -->\n");
	if ((size_t) (end - begin) != len || strncmp(begin, generated, len) != 0)
		fail_msg("doc/configuration.md is stale: run \"make config-docs\"");
	free(doc);
	free(generated);
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
		cmocka_unit_test_setup_teardown(test_password_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_option_and_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_up_to_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs_up_to_date, setup, teardown),
	};
	char		cmd[128];
	int			rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
	{
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
