/*
 * test_config_table.c: unit tests for the config module, part 2: numbered
 * parameters, the 3.2 and 4.3 vocabularies, reload, introspection, password
 * masking, and the sample file and docs generated from the table being up to
 * date.  Run by test_config.c's main().
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

void
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
void
test_known_vocabularies(void **state)
{
	static const char names[] =
		"arping_cmd arping_path authentication_timeout backend_data_directory0 backend_flag0 "
		"backend_hostname0 backend_port0 backend_weight0 black_function_list "
		"black_memqcache_table_list check_temp_table child_life_time child_max_connections "
		"client_idle_limit client_idle_limit_in_recovery connection_cache "
		"connection_life_time debug_level delay_threshold enable_pool_hba "
		"fail_over_on_backend_error failback_command failover_command "
		"failover_if_affected_tuples_mismatch follow_master_command health_check_max_retries "
		"health_check_password health_check_period health_check_retry_delay "
		"health_check_timeout health_check_user if_down_cmd if_up_cmd ifconfig_path "
		"ignore_leading_white_space insert_lock listen_addresses load_balance_mode "
		"lobj_lock_table log_connections log_destination log_hostname log_per_node_statement "
		"log_standby_delay log_statement logdir master_slave_mode master_slave_sub_mode "
		"max_pool memory_cache_enabled memqcache_auto_cache_invalidation "
		"memqcache_cache_block_size memqcache_expire memqcache_max_num_cache "
		"memqcache_maxcache memqcache_memcached_host memqcache_memcached_port "
		"memqcache_method memqcache_oiddir memqcache_total_size num_init_children "
		"other_pgpool_hostname0 other_pgpool_port0 other_wd_port0 parallel_mode pcp_port "
		"pcp_socket_dir pid_file_name ping_path port print_timestamp recovery_password "
		"recovery_timeout recovery_user relcache_expire relcache_size replicate_select "
		"replication_mode replication_stop_on_mismatch reset_query_list socket_dir "
		"sr_check_password sr_check_period sr_check_user ssl ssl_ca_cert ssl_ca_cert_dir "
		"ssl_cert ssl_key syslog_facility syslog_ident system_db_dbname system_db_hostname "
		"system_db_password system_db_port system_db_schema system_db_user trusted_servers "
		"use_watchdog wd_hostname wd_interval wd_life_point wd_lifecheck_query wd_port "
		"white_function_list white_memqcache_table_list delegate_IP pcp_timeout "
		"recovery_1st_stage_command recovery_2nd_stage_command allow_clear_text_frontend_auth "
		"allow_multiple_failover_requests_from_node allow_sql_comments "
		"app_name_redirect_preference_list auto_failback auto_failback_interval "
		"backend_application_name0 backend_clustering_mode cache_safe_memqcache_table_list "
		"cache_unsafe_memqcache_table_list check_unlogged_table clear_memqcache_on_escalation "
		"client_min_messages connect_timeout database_redirect_preference_list "
		"detach_false_primary disable_load_balance_on_write "
		"dml_adaptive_object_relationship_list enable_consensus_with_half_votes "
		"enable_shared_relcache failover_on_backend_error failover_on_backend_shutdown "
		"failover_require_consensus failover_when_quorum_exists follow_primary_command "
		"health_check_database heartbeat_device0 heartbeat_hostname0 heartbeat_port0 "
		"hostname0 if_cmd_path listen_backlog_multiplier log_client_messages log_directory "
		"log_disconnections log_error_verbosity log_file_mode log_filename log_line_prefix "
		"log_min_messages log_rotation_age log_rotation_size log_truncate_on_rotation "
		"logging_collector pcp_listen_addresses pgpool_port0 pool_passwd "
		"prefer_lower_delay_standby primary_routing_query_pattern_list "
		"read_only_function_list relcache_query_target reserved_connections "
		"search_primary_node_timeout serialize_accept sr_check_database ssl_ciphers "
		"ssl_crl_file ssl_dh_params_file ssl_ecdh_curve ssl_passphrase_command "
		"ssl_prefer_server_ciphers statement_level_load_balance wd_authkey "
		"wd_de_escalation_command wd_escalation_command wd_heartbeat_deadtime "
		"wd_heartbeat_keepalive wd_initial_node_showup_time wd_ipc_socket_dir "
		"wd_lifecheck_dbname wd_lifecheck_method wd_lifecheck_password wd_lifecheck_user "
		"wd_lost_node_removal_timeout wd_monitoring_interfaces_list wd_port0 wd_priority "
		"wd_remove_shutdown_nodes write_function_list ";
	char	   *copy = strdup(names);
	char	   *save = NULL;

	for (char *n = strtok_r(copy, " ", &save); n; n = strtok_r(NULL, " ", &save))
	{
		int			index;

		if (config_param_find(n, &index) == NULL)
			fail_msg("parameter \"%s\" is not recognized", n);
	}
	free(copy);
}

/* ---- reload ----------------------------------------------------------------- */

void
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

void
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
check_log_settings(const char *text, int level, int dest, int facility)
{
	PoolConfig	c;
	LogSettings ls;

	assert_true(load_text(&c, text));
	config_log_settings(&c, &ls);
	assert_int_equal(ls.min_level, level);
	assert_int_equal(ls.destinations, dest);
	assert_int_equal(ls.syslog_facility, facility);
	assert_ptr_equal(ls.line_prefix, c.log_line_prefix);
	assert_true(ls.print_timestamp);
	config_free(&c);
}

void
test_log_settings(void **state)
{
	check_log_settings("", PL_WARNING, PL_DEST_STDERR, LOG_LOCAL0);
	check_log_settings("log_min_messages = error\nlog_destination = 'syslog'\n"
					   "syslog_facility = LOCAL2\n", PL_ERROR, PL_DEST_SYSLOG, LOG_LOCAL2);
	check_log_settings("debug_level = 1\nlog_destination = 'stderr, syslog'\n",
					   PL_DEBUG1, PL_DEST_STDERR | PL_DEST_SYSLOG, LOG_LOCAL0);
	check_log_settings("debug_level = 9\n", PL_DEBUG5, PL_DEST_STDERR, LOG_LOCAL0);
}

void
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

void
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

void
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

void
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
