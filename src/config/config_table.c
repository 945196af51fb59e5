/*
 * config_table.c: every pgpool.conf parameter as one row of data.
 *
 * A row gives the name, type, default (as written in pgpool.conf), reload
 * context, bounds or accepted values, group, the PoolConfig field and older
 * spellings.  Parsing, reload, SHOW pool_status, the sample file and the
 * documentation are all driven by this table; a new parameter is one row
 * plus one PoolConfig field.  Rows are in the order of the sample file.
 *
 * Defaults follow pgpool-II 4.3's documentation; 3.x-only names carry
 * CONFIG_FLAG_OBSOLETE so the sample file (4.x names) leaves them out.
 * Rows marked UNIMPL (or NO_EFFECT) are parameters no code of this build
 * acts on: they load, and a non-default setting draws a warning.
 */
#include "config_int.h"

#include <limits.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "utils/log.h"
#include "utils/str.h"

/*
 * The field's offset, and a compile-time check that the field has the C type
 * the row's ConfigType needs (a mismatch fails to compile: no _Generic match).
 */
#define FIELD(st, f, ctype) (offsetof(st, f) + _Generic(((st *) 0)->f, ctype: 0))

#define ROW(nm, T, ctype, ctx, grp, def, ...) \
	{ .name = #nm, .type = T, .context = CONFIG_##ctx, .group = CONFIG_GROUP_##grp, \
	  .offset = FIELD(PoolConfig, nm, ctype), .default_value = def, __VA_ARGS__ }

#define P_BOOL(nm, ctx, grp, def, desc, ...) \
	ROW(nm, CONFIG_BOOL, bool, ctx, grp, def, .description = desc, __VA_ARGS__)
#define P_INT(nm, ctx, grp, def, lo, hi, desc, ...) \
	ROW(nm, CONFIG_INT, int, ctx, grp, def, .min = lo, .max = hi, .description = desc, \
		__VA_ARGS__)
#define P_INT64(nm, ctx, grp, def, lo, hi, desc, ...) \
	ROW(nm, CONFIG_INT64, int64_t, ctx, grp, def, .min = lo, .max = hi, .description = desc, \
		__VA_ARGS__)
#define P_DBL(nm, ctx, grp, def, lo, hi, desc, ...) \
	ROW(nm, CONFIG_DOUBLE, double, ctx, grp, def, .min = lo, .max = hi, .description = desc, \
		__VA_ARGS__)
#define P_STR(nm, ctx, grp, def, desc, ...) \
	ROW(nm, CONFIG_STRING, char *, ctx, grp, def, .description = desc, __VA_ARGS__)
#define P_ENUM(nm, ctx, grp, def, vals, desc, ...) \
	ROW(nm, CONFIG_ENUM, int, ctx, grp, def, .enum_values = vals, .description = desc, \
		__VA_ARGS__)

/* Numbered parameters: field of an element struct of one of the arrays below. */
#define AROW(arr, et, nm, field, T, ctype, ctx, grp, def, ...) \
	{ .name = #nm, .type = T, .context = CONFIG_##ctx, .group = CONFIG_GROUP_##grp, \
	  .offset = FIELD(et, field, ctype), .array = &arr, .default_value = def, __VA_ARGS__ }

#define SYN(...)	.synonyms = (const char *const[]) {__VA_ARGS__, NULL}
#define OBSOLETE	.flags = CONFIG_FLAG_OBSOLETE

/*
 * Accepted but not honoured by this build (see config_support.c): a setting
 * other than the default is warned about.  Remove the mark once code reads
 * the field and acts on it.
 */
#define UNIMPL		.support = CONFIG_NOT_IMPLEMENTED
#define NO_EFFECT	.support = CONFIG_NO_EFFECT		/* retired by the manual itself */

/* PGPOOL SET may change it for one session (pgpool-II's SESSION context). */
#define SESSION		.flags = CONFIG_FLAG_SESSION

#define ARRAY(w, et, member, count) { .what = w, \
	.length = MAX_WD_NODES, .offset = offsetof(PoolConfig, member), .stride = sizeof(et), \
	.defined_offset = offsetof(et, defined), .count_offset = offsetof(PoolConfig, count) }

static const ConfigArray backend_array = {
	.what = "backend", .length = MAX_BACKENDS, .offset = offsetof(PoolConfig, backends),
	.stride = sizeof(BackendConfig), .defined_offset = offsetof(BackendConfig, defined),
	.count_offset = offsetof(PoolConfig, num_backends)
};
static const ConfigArray wd_node_array =
	ARRAY("watchdog node", WdNodeConfig, wd_nodes, num_wd_nodes);
static const ConfigArray heartbeat_array =
	ARRAY("heartbeat node", HeartbeatConfig, heartbeats, num_heartbeats);
static const ConfigArray other_pgpool_array =
	ARRAY("other pgpool", OtherPgpoolConfig, other_pgpool, num_other_pgpool);
static const ConfigArray hb_dest_array =
	ARRAY("heartbeat destination", HeartbeatDestConfig, heartbeat_destinations,
		  num_heartbeat_destinations);

_Static_assert(MAX_BACKENDS == MAX_WD_NODES, "config_parse.c reports one range for every array");

#define BACKEND(nm, field, T, ctype, ctx, def, desc, ...) \
	AROW(backend_array, BackendConfig, nm, field, T, ctype, ctx, BACKEND, def, \
		 .description = desc, __VA_ARGS__)
#define NODE_HC(nm, T, ctype, lo, hi, desc) \
	AROW(backend_array, BackendConfig, nm, nm, T, ctype, RELOAD, HEALTH_CHECK, NULL, \
		 .min = lo, .max = hi, .flags = CONFIG_FLAG_NODE_UNSET, .description = desc)
#define WD_ROW(arr, et, nm, field, T, ctype, ctx, def, flg, desc, ...) \
	AROW(arr, et, nm, field, T, ctype, ctx, WATCHDOG, def, .flags = flg, \
		 .description = desc, __VA_ARGS__)

/* ---- accepted values of the enum parameters ---- */

static const ConfigEnumEntry clustering_modes[] = {
	{"raw", CM_RAW}, {"streaming_replication", CM_STREAMING_REPLICATION},
	{"native_replication", CM_NATIVE_REPLICATION},
	{"logical_replication", CM_LOGICAL_REPLICATION},
	{"slony", CM_SLONY}, {"snapshot_isolation", CM_SNAPSHOT_ISOLATION}, {NULL}
};
static const ConfigEnumEntry sub_modes[] = {
	{"slony", MSSM_SLONY}, {"stream", MSSM_STREAM}, {"logical", MSSM_LOGICAL}, {NULL}
};
static const ConfigEnumEntry server_levels[] = {
	{"debug5", PL_DEBUG5}, {"debug4", PL_DEBUG4}, {"debug3", PL_DEBUG3},
	{"debug2", PL_DEBUG2}, {"debug1", PL_DEBUG1}, {"info", PL_INFO},
	{"notice", PL_NOTICE}, {"warning", PL_WARNING}, {"error", PL_ERROR},
	{"log", PL_LOG}, {"fatal", PL_FATAL}, {"panic", PL_PANIC}, {NULL}
};
static const ConfigEnumEntry client_levels[] = {
	{"debug5", PL_DEBUG5}, {"debug4", PL_DEBUG4}, {"debug3", PL_DEBUG3},
	{"debug2", PL_DEBUG2}, {"debug1", PL_DEBUG1}, {"log", PL_LOG},
	{"notice", PL_NOTICE}, {"warning", PL_WARNING}, {"error", PL_ERROR}, {NULL}
};
static const ConfigEnumEntry facilities[] = {
	{"LOCAL0", LOG_LOCAL0}, {"LOCAL1", LOG_LOCAL1}, {"LOCAL2", LOG_LOCAL2},
	{"LOCAL3", LOG_LOCAL3}, {"LOCAL4", LOG_LOCAL4}, {"LOCAL5", LOG_LOCAL5},
	{"LOCAL6", LOG_LOCAL6}, {"LOCAL7", LOG_LOCAL7}, {NULL}
};
static const ConfigEnumEntry verbosities[] = {
	{"terse", LEV_TERSE}, {"default", LEV_DEFAULT}, {"verbose", LEV_VERBOSE}, {NULL}
};
static const ConfigEnumEntry backend_msgs[] = {
	{"none", LBM_NONE}, {"terse", LBM_TERSE}, {"verbose", LBM_VERBOSE}, {NULL}
};
static const ConfigEnumEntry pm_modes[] = {
	{"static", PMM_STATIC}, {"dynamic", PMM_DYNAMIC}, {NULL}
};
static const ConfigEnumEntry pm_strategies[] = {
	{"lazy", PMS_LAZY}, {"gentle", PMS_GENTLE}, {"aggressive", PMS_AGGRESSIVE}, {NULL}
};
static const ConfigEnumEntry standby_delay_logs[] = {
	{"none", LSD_NONE}, {"always", LSD_ALWAYS}, {"if_over_threshold", LSD_IF_OVER_THRESHOLD},
	{NULL}
};
static const ConfigEnumEntry lb_on_write[] = {
	{"off", DLBOW_OFF}, {"transaction", DLBOW_TRANSACTION},
	{"trans_transaction", DLBOW_TRANS_TRANSACTION}, {"always", DLBOW_ALWAYS},
	{"dml_adaptive", DLBOW_DML_ADAPTIVE}, {NULL}
};
static const ConfigEnumEntry read_your_writes_values[] = {
	{"off", RYW_OFF}, {"session", RYW_SESSION}, {"global", RYW_GLOBAL}, {NULL}
};
static const ConfigEnumEntry temp_table_checks[] = {
	{"catalog", CTT_CATALOG}, {"trace", CTT_TRACE}, {"none", CTT_NONE},
	/* 3.x wrote check_temp_table as a boolean */
	{"on", CTT_CATALOG, true}, {"true", CTT_CATALOG, true}, {"yes", CTT_CATALOG, true},
	{"1", CTT_CATALOG, true}, {"off", CTT_NONE, true}, {"false", CTT_NONE, true},
	{"no", CTT_NONE, true}, {"0", CTT_NONE, true}, {NULL}
};
static const ConfigEnumEntry relcache_targets[] = {
	{"primary", RQT_PRIMARY}, {"load_balance_node", RQT_LOAD_BALANCE_NODE}, {NULL}
};
static const ConfigEnumEntry cache_methods[] = {
	{"shmem", MQM_SHMEM}, {"memcached", MQM_MEMCACHED}, {NULL}
};
static const ConfigEnumEntry cache_sources[] = {
	{"pgpool", MQIS_PGPOOL}, {"wal", MQIS_WAL}, {NULL}
};
static const ConfigEnumEntry lifecheck_methods[] = {
	{"heartbeat", WDLM_HEARTBEAT}, {"query", WDLM_QUERY}, {"external", WDLM_EXTERNAL}, {NULL}
};

/* log_destination: "stderr", "syslog" or both, comma-separated. */
static bool
check_log_destination(const char *value)
{
	char		tmp[64];
	char	   *parts[4];
	int			n;

	if (strlen(value) >= sizeof(tmp))
		return false;
	str_copy(tmp, value, sizeof(tmp));
	n = str_split(tmp, ',', parts, 4);
	if (n == 0)
		return false;
	for (int i = 0; i < n; i++)
		if (strcasecmp(parts[i], "stderr") != 0 && strcasecmp(parts[i], "syslog") != 0)
			return false;
	return true;
}

const ConfigParam config_params[] = {
	/* ---- connections ---- */
	P_STR(listen_addresses, RESTART, CONNECTION, "localhost",
		  "host names or IP addresses to accept TCP/IP clients on ('*' all, '' none)"),
	P_INT(port, RESTART, CONNECTION, "9999", 1, 65535, "TCP port for client connections"),
	P_STR(socket_dir, RESTART, CONNECTION, "/tmp",
		  "directory holding the UNIX-domain socket for clients",
		  SYN("unix_socket_directories")),
	P_STR(unix_socket_group, RESTART, CONNECTION, "",
		  "group owning the UNIX-domain sockets ('' keeps the server user's group)", UNIMPL),
	P_INT(unix_socket_permissions, RESTART, CONNECTION, "0777", 0, 0777,
		  "access permissions of the UNIX-domain sockets", .flags = CONFIG_FLAG_OCTAL, UNIMPL),
	P_INT(reserved_connections, RESTART, CONNECTION, "0", 0, INT_MAX,
		  "when this few child slots are free, refuse new clients instead of queueing them",
		  UNIMPL),
	P_INT(listen_backlog_multiplier, RESTART, CONNECTION, "2", 1, INT_MAX,
		  "listen queue length as a multiple of num_init_children"),
	P_BOOL(serialize_accept, RESTART, CONNECTION, "off",
		   "let one idle child at a time wait in accept() (avoids a thundering herd)", UNIMPL),
	P_STR(pcp_listen_addresses, RESTART, CONNECTION, "localhost",
		  "host names or IP addresses the PCP server listens on ('*' all, '' none)"),
	P_INT(pcp_port, RESTART, CONNECTION, "9898", 1, 65535, "TCP port of the PCP server"),
	P_STR(pcp_socket_dir, RESTART, CONNECTION, "/tmp",
		  "directory holding the UNIX-domain socket of the PCP server"),
	P_INT(pcp_timeout, RELOAD, CONNECTION, "10", 0, INT_MAX,
		  "seconds a silent PCP client is kept before disconnection (0: forever)", OBSOLETE),
	P_STR(backend_socket_dir, RESTART, CONNECTION, "/tmp",
		  "UNIX-domain socket directory of the backends (use backend_hostnameN instead)",
		  OBSOLETE, UNIMPL),

	/* ---- authentication ---- */
	P_BOOL(enable_pool_hba, RELOAD, AUTH, "off",
		   "authenticate clients with the rules of pool_hba.conf"),
	P_STR(pool_passwd, RESTART, AUTH, "pool_passwd",
		  "file of user names and passwords for client authentication ('' disables)"),
	P_INT(authentication_timeout, RESTART, AUTH, "60", 0, INT_MAX,
		  "seconds a client may take to authenticate (0: no limit)"),
	P_BOOL(allow_clear_text_frontend_auth, RELOAD, AUTH, "off",
		   "ask clients for a clear-text password when pool_passwd has no entry"),

	/* ---- ssl ---- */
	P_BOOL(ssl, RESTART, SSL, "off", "accept SSL connections from clients and use SSL to backends"),
	P_STR(ssl_key, RELOAD, SSL, "", "private key file for client connections"),
	P_STR(ssl_cert, RELOAD, SSL, "", "certificate file (x509) for client connections"),
	P_STR(ssl_ca_cert, RELOAD, SSL, "", "file of CA certificates (PEM) that verify backends"),
	P_STR(ssl_ca_cert_dir, RELOAD, SSL, "", "directory of CA certificates (PEM) that verify backends"),
	P_STR(ssl_crl_file, RELOAD, SSL, "", "certificate revocation list for client certificates"),
	P_STR(ssl_ciphers, RELOAD, SSL, "HIGH:MEDIUM:+3DES:!aNULL", "allowed SSL cipher suites"),
	P_BOOL(ssl_prefer_server_ciphers, RELOAD, SSL, "off",
		   "prefer the server's cipher order over the client's"),
	P_STR(ssl_ecdh_curve, RELOAD, SSL, "prime256v1", "curve used for ECDH key exchange"),
	P_STR(ssl_dh_params_file, RELOAD, SSL, "", "file of Diffie-Hellman parameters ('' built-in)"),
	P_STR(ssl_passphrase_command, RELOAD, SSL, "",
		  "command printing the passphrase of an encrypted private key"),

	/* ---- backend nodes: backend_*N ---- */
	BACKEND(backend_hostname, hostname, CONFIG_STRING, char *, RESTART, "",
			"host of PostgreSQL node N ('' or a directory beginning with '/': UNIX socket)",
			.flags = CONFIG_FLAG_DEFINES | CONFIG_FLAG_ADD_ONLY),
	BACKEND(backend_port, port, CONFIG_INT, int, RESTART, "5432", "port of PostgreSQL node N",
			.min = 1, .max = 65535, .flags = CONFIG_FLAG_DEFINES | CONFIG_FLAG_ADD_ONLY),
	BACKEND(backend_weight, weight, CONFIG_DOUBLE, double, RELOAD, "1",
			"load balancing weight of node N (relative to the other nodes)",
			.min = 0, .max = 100000000),
	BACKEND(backend_data_directory, data_directory, CONFIG_STRING, char *, RELOAD, "",
			"data directory of node N (used by online recovery)"),
	BACKEND(backend_flag, flag, CONFIG_BACKEND_FLAG, int, RELOAD, "ALLOW_TO_FAILOVER",
			"behaviour flags of node N: ALLOW_TO_FAILOVER, DISALLOW_TO_FAILOVER, ALWAYS_PRIMARY"),
	BACKEND(backend_application_name, application_name, CONFIG_STRING, char *, RELOAD, "",
			"application_name of node N's walreceiver, to find its replication state"),

	/* ---- concurrent sessions and pools ---- */
	P_ENUM(process_management_mode, RELOAD, POOL, "static", pm_modes,
		   "static: always num_init_children children; dynamic: spawn between spare bounds",
		   UNIMPL),
	P_ENUM(process_management_strategy, RELOAD, POOL, "gentle", pm_strategies,
		   "how fast dynamic mode retires idle children", UNIMPL),
	P_INT(num_init_children, RESTART, POOL, "32", 1, 10000,
		  "number of child processes, so the maximum of concurrent client sessions"),
	P_INT(min_spare_children, RELOAD, POOL, "5", 0, INT_MAX,
		  "dynamic mode: spawn children when fewer than this are idle", UNIMPL),
	P_INT(max_spare_children, RELOAD, POOL, "10", 0, INT_MAX,
		  "dynamic mode: retire children when more than this are idle", UNIMPL),
	P_INT(max_pool, RESTART, POOL, "4", 1, INT_MAX,
		  "cached backend connection sets per child (one per user/database pair)"),
	P_INT(child_life_time, RESTART, POOL, "300", 0, INT_MAX,
		  "seconds an idle child lives before being replaced (0: forever)"),
	P_INT(child_max_connections, RESTART, POOL, "0", 0, INT_MAX,
		  "a child exits after serving this many client sessions (0: never)"),
	P_INT(connection_life_time, RESTART, POOL, "0", 0, INT_MAX,
		  "seconds a cached backend connection lives unused (0: forever)"),
	P_INT(client_idle_limit, RELOAD, POOL, "0", 0, INT_MAX,
		  "disconnect a client idle this many seconds since its last query (0: never)", SESSION),

	/* ---- logs ---- */
	P_STR(log_destination, RELOAD, LOGGING, "stderr",
		  "where the server log goes: stderr, syslog or 'stderr,syslog'",
		  .check = check_log_destination, .accepted = "'stderr', 'syslog', 'stderr,syslog'"),
	P_STR(log_line_prefix, RELOAD, LOGGING, "%m: %a pid %p: ",
		  "printf-like prefix of each log line (%t %m time, %p pid, %a process, %d %u %l %%)"),
	P_ENUM(log_error_verbosity, RELOAD, LOGGING, "default", verbosities,
		   "detail of logged messages", UNIMPL, SESSION),
	P_ENUM(client_min_messages, RELOAD, LOGGING, "notice", client_levels,
		   "lowest level of messages sent to clients", UNIMPL, SESSION),
	P_ENUM(log_min_messages, RELOAD, LOGGING, "warning", server_levels,
		   "lowest level of messages written to the server log", SESSION),
	P_BOOL(log_connections, RELOAD, LOGGING, "off", "log each client connection"),
	P_BOOL(log_disconnections, RELOAD, LOGGING, "off", "log the end of each client session"),
	P_BOOL(log_pcp_processes, RELOAD, LOGGING, "off", "log the start and end of PCP workers"),
	P_BOOL(log_hostname, RELOAD, LOGGING, "off",
		   "show client host names instead of addresses in ps and the log"),
	P_BOOL(log_statement, RELOAD, LOGGING, "off", "log every SQL statement received", SESSION),
	P_BOOL(log_per_node_statement, RELOAD, LOGGING, "off",
		   "log every SQL statement with the node it was sent to", SESSION),
	P_BOOL(log_routing, RELOAD, LOGGING, "off",
		   "log the nodes each statement is routed to and the rule that decided", SESSION),
	P_BOOL(notice_per_node_statement, RELOAD, LOGGING, "off",
		   "send the client a NOTICE naming the node each statement went to", SESSION),
	P_BOOL(log_client_messages, RELOAD, LOGGING, "off", "log every protocol message from clients",
		   SESSION),
	P_ENUM(log_backend_messages, RELOAD, LOGGING, "none", backend_msgs,
		   "log protocol messages from backends (terse folds repeats)", UNIMPL),
	P_ENUM(syslog_facility, RELOAD, LOGGING, "LOCAL0", facilities,
		   "syslog facility used when logging to syslog"),
	P_STR(syslog_ident, RELOAD, LOGGING, "pgpool", "program name in syslog messages"),
	P_BOOL(print_timestamp, RELOAD, LOGGING, "on",
		   "prefix log lines with a time stamp (use log_line_prefix in 4.x)", OBSOLETE),
	P_INT(debug_level, RELOAD, LOGGING, "0", 0, INT_MAX,
		  "verbosity of debug messages, 0 for none (use log_min_messages in 4.x)", OBSOLETE),
	P_BOOL(logging_collector, RESTART, LOGGING, "off",
		   "capture stderr into rotated files under log_directory", UNIMPL),
	P_STR(log_directory, RELOAD, LOGGING, "/tmp/pgpool_logs", "directory of the log files", UNIMPL),
	P_STR(log_filename, RELOAD, LOGGING, "pgpool-%Y-%m-%d_%H%M%S.log",
		  "strftime pattern of log file names", UNIMPL),
	P_INT(log_file_mode, RELOAD, LOGGING, "0600", 0, 0777,
		  "permissions of new log files", .flags = CONFIG_FLAG_OCTAL, UNIMPL),
	P_BOOL(log_truncate_on_rotation, RELOAD, LOGGING, "off",
		   "truncate rather than append to an existing file of the same name on rotation", UNIMPL),
	P_INT(log_rotation_age, RELOAD, LOGGING, "1440", 0, INT_MAX / 60,
		  "rotate the log file after this many minutes (0: never)", .unit = CONFIG_UNIT_MIN,
		  UNIMPL),
	P_INT(log_rotation_size, RELOAD, LOGGING, "10240", 0, INT_MAX / 1024,
		  "rotate the log file after this many kB (0: never)", .unit = CONFIG_UNIT_KB, UNIMPL),

	/* ---- file locations ---- */
	P_STR(pid_file_name, RESTART, FILES, "/var/run/pgpool/pgpool.pid",
		  "file holding the process ID of the main process"),
	P_STR(logdir, RESTART, FILES, "/tmp",
		  "directory of the pgpool_status file (node states kept across restarts)",
		  SYN("work_dir")),

	/* ---- connection pooling ---- */
	P_BOOL(connection_cache, RESTART, CONNECTION_POOL, "on",
		   "keep backend connections open for reuse after the client leaves"),
	P_STR(reset_query_list, RELOAD, CONNECTION_POOL, "ABORT; DISCARD ALL",
		  "statements (';'-separated) that clean a pooled connection when a client leaves"),

	/* ---- clustering mode ---- */
	/*
	 * A file that leaves backend_clustering_mode out is read as a 3.x file
	 * (see config_parse.c), so the sample sets it explicitly.
	 */
	P_ENUM(backend_clustering_mode, RESTART, CLUSTERING, "streaming_replication",
		   clustering_modes, "how the backends keep their data in sync",
		   .flags = CONFIG_FLAG_SAMPLE_SET),
	P_BOOL(replication_mode, RESTART, CLUSTERING, "off",
		   "3.x: pgpool replicates writes itself (native_replication)", OBSOLETE),
	P_BOOL(master_slave_mode, RESTART, CLUSTERING, "off",
		   "3.x: another system replicates; see master_slave_sub_mode", OBSOLETE),
	P_ENUM(master_slave_sub_mode, RESTART, CLUSTERING, "slony", sub_modes,
		   "3.x: replication system of master_slave_mode", OBSOLETE),

	/* ---- native replication mode ---- */
	P_BOOL(replication_stop_on_mismatch, RELOAD, REPLICATION, "off",
		   "degenerate the odd node out when nodes answer with different message kinds"),
	P_BOOL(failover_if_affected_tuples_mismatch, RELOAD, REPLICATION, "off",
		   "degenerate the odd node out when nodes report different affected row counts"),
	P_BOOL(replicate_select, RELOAD, REPLICATION, "off", "send SELECTs to every node"),
	P_BOOL(insert_lock, RELOAD, REPLICATION, "on",
		   "lock the table before INSERT so serial columns match on every node"),
	P_STR(lobj_lock_table, RELOAD, REPLICATION, "",
		  "table locked to replicate large object creation ('' disables)"),

	/* ---- load balancing ---- */
	P_BOOL(load_balance_mode, RESTART, LOAD_BALANCE, "on", "spread read-only queries over nodes"),
	P_BOOL(ignore_leading_white_space, RELOAD, LOAD_BALANCE, "on",
		   "ignore white space at the start of queries when classifying them", SESSION),
	P_BOOL(allow_sql_comments, RELOAD, LOAD_BALANCE, "off",
		   "ignore SQL comments when deciding whether a query can be balanced", SESSION),
	P_ENUM(disable_load_balance_on_write, RELOAD, LOAD_BALANCE, "transaction", lb_on_write,
		   "after a write, which later reads must go to the primary ('dml_adaptive': in the transaction, reads of what it wrote)", SESSION),
	P_STR(dml_adaptive_object_relationship_list, RELOAD, LOAD_BALANCE, "",
		  "dml_adaptive: 'object:dependent' pairs ('t1:t2', 'f():t3'): a write to the object (or a call) also keeps reads of the dependent on the primary"),
	P_BOOL(statement_level_load_balance, RELOAD, LOAD_BALANCE, "off",
		   "choose the load balance node per statement rather than per session", SESSION),
	P_ENUM(read_your_writes, RELOAD, LOAD_BALANCE, "session", read_your_writes_values,
		   "streaming replication: after a commit, reads go to a standby only once it replayed the commit's WAL "
		   "('session': the session's own commits; 'global': also other sessions' commits to the tables read; 'off')"),
	P_INT(read_your_writes_timeout, RELOAD, LOAD_BALANCE, "0", 0, INT_MAX,
		  "milliseconds a read waits for its standby to replay a commit before it goes to the primary (0: at once)"),
	P_STR(read_only_function_list, RELOAD, LOAD_BALANCE, "",
		  "functions (regular expressions) that never write: SELECTs calling them balance",
		  SYN("white_function_list")),
	P_STR(write_function_list, RELOAD, LOAD_BALANCE, "",
		  "functions (regular expressions) that write: SELECTs calling them go to the primary",
		  SYN("black_function_list")),
	P_STR(primary_routing_query_pattern_list, RELOAD, LOAD_BALANCE, "",
		  "queries (regular expressions, ';'-separated, '\\;' for a literal ';') always sent to the primary",
		  SYN("black_query_pattern_list")),
	P_STR(user_redirect_preference_list, RELOAD, LOAD_BALANCE, "",
		  "'user:node[(weight)]' pairs choosing the load balance node per user (regexes; node a number, primary or standby)"),
	P_STR(database_redirect_preference_list, RELOAD, LOAD_BALANCE, "",
		  "'database:node[(weight)]' pairs choosing the load balance node per database (regexes; node a number, primary or standby)"),
	P_STR(app_name_redirect_preference_list, RELOAD, LOAD_BALANCE, "",
		  "'application:node[(weight)]' pairs choosing the load balance node per application; checked first"),
	P_DBL(track_table_mutation_ttl_factor, RELOAD, LOAD_BALANCE, "5", 0, 1000000,
		  "lifetime of a table write mark, as a multiple of the replication delay", UNIMPL),
	P_INT(track_table_mutation_max_staleness, RELOAD, LOAD_BALANCE, "60000", 0, INT_MAX,
		  "milliseconds after which a table write mark expires anyway", UNIMPL),
	P_INT(track_table_mutation_cold_start_duration, RELOAD, LOAD_BALANCE, "2000", 0, INT_MAX,
		  "milliseconds after start during which written tables read from the primary", UNIMPL),
	P_INT(track_table_mutation_table_buckets, RESTART, LOAD_BALANCE, "1024", 1, INT_MAX,
		  "hash buckets of the table write marks", UNIMPL),
	P_INT(track_table_mutation_table_size, RESTART, LOAD_BALANCE, "2048", 1, INT_MAX,
		  "capacity of the table write marks", UNIMPL),

	/* ---- streaming replication checks ---- */
	P_INT(sr_check_period, RELOAD, STREAMING, "10", 0, INT_MAX,
		  "seconds between replication checks: delay and streaming from the primary (0: disabled)"),
	P_STR(sr_check_user, RELOAD, STREAMING, "", "user of the replication checks"),
	P_STR(sr_check_password, RELOAD, STREAMING, "", "password of sr_check_user"),
	P_STR(sr_check_database, RELOAD, STREAMING, "postgres", "database of the replication checks"),
	P_INT64(delay_threshold, RELOAD, STREAMING, "0", 0, INT64_MAX,
			"WAL bytes a standby may lag before reads stop going to it (0: no limit)"),
	P_INT(delay_threshold_by_time, RELOAD, STREAMING, "0", 0, INT_MAX,
		  "milliseconds a standby may lag before reads stop going to it (0: no limit)"),
	P_BOOL(prefer_lower_delay_standby, RELOAD, STREAMING, "off",
		   "when a standby lags too much, balance to the least delayed standby"),
	P_ENUM(log_standby_delay, RELOAD, STREAMING, "if_over_threshold", standby_delay_logs,
		   "when to log replication delay"),
	P_STR(replication_delay_source_cmd, RELOAD, STREAMING, "",
		  "command printing the replication delays instead of querying the backends", UNIMPL),
	P_INT(replication_delay_source_timeout, RELOAD, STREAMING, "10", 0, INT_MAX,
		  "seconds replication_delay_source_cmd may run", UNIMPL),

	/* ---- health check (global values; health_check_*N override per node) ---- */
	P_INT(health_check_period, RELOAD, HEALTH_CHECK, "0", 0, INT_MAX,
		  "seconds between health checks (0: disabled)"),
	P_INT(health_check_timeout, RELOAD, HEALTH_CHECK, "20", 0, INT_MAX,
		  "seconds before a health check gives up (0: wait for TCP)"),
	P_STR(health_check_user, RELOAD, HEALTH_CHECK, "", "user of the health checks"),
	P_STR(health_check_password, RELOAD, HEALTH_CHECK, "", "password of health_check_user"),
	P_STR(health_check_database, RELOAD, HEALTH_CHECK, "",
		  "database of the health checks ('' tries postgres, then template1)"),
	P_INT(health_check_max_retries, RELOAD, HEALTH_CHECK, "0", 0, INT_MAX,
		  "failed checks retried before failover"),
	P_INT(health_check_retry_delay, RELOAD, HEALTH_CHECK, "1", 0, INT_MAX,
		  "seconds between health check retries"),
	P_INT(connect_timeout, RELOAD, HEALTH_CHECK, "10000", 0, INT_MAX,
		  "milliseconds a connection attempt to a backend may take (0: no limit)"),
	P_BOOL(health_check_test, RESTART, HEALTH_CHECK, "off",
		   "testing aid: read fake health check results from a file", UNIMPL),
	NODE_HC(health_check_period, CONFIG_INT, int, 0, INT_MAX,
			"health_check_period for node N only"),
	NODE_HC(health_check_timeout, CONFIG_INT, int, 0, INT_MAX,
			"health_check_timeout for node N only"),
	NODE_HC(health_check_user, CONFIG_STRING, char *, 0, 0, "health_check_user for node N only"),
	NODE_HC(health_check_password, CONFIG_STRING, char *, 0, 0,
			"health_check_password for node N only"),
	NODE_HC(health_check_database, CONFIG_STRING, char *, 0, 0,
			"health_check_database for node N only"),
	NODE_HC(health_check_max_retries, CONFIG_INT, int, 0, INT_MAX,
			"health_check_max_retries for node N only"),
	NODE_HC(health_check_retry_delay, CONFIG_INT, int, 0, INT_MAX,
			"health_check_retry_delay for node N only"),
	NODE_HC(connect_timeout, CONFIG_INT, int, 0, INT_MAX, "connect_timeout for node N only"),

	/* ---- failover and failback ---- */
	P_STR(failover_command, RELOAD, FAILOVER, "",
		  "command run when a node is detached (%d %h %p %D %m %H %M %P %r %R %N %S %%)"),
	P_STR(failback_command, RELOAD, FAILOVER, "", "command run when a node is attached"),
	P_BOOL(failover_on_backend_error, RELOAD, FAILOVER, "on",
		   "detach a node when reading from or writing to it fails",
		   SYN("fail_over_on_backend_error")),
	P_BOOL(failover_on_backend_shutdown, RELOAD, FAILOVER, "off",
		   "detach a node when it reports an administrative shutdown", UNIMPL),
	P_BOOL(detach_false_primary, RELOAD, FAILOVER, "off",
		   "detach a primary that is not the one the standbys replicate from", UNIMPL),
	P_INT(search_primary_node_timeout, RELOAD, FAILOVER, "300", 0, INT_MAX,
		  "seconds to look for the new primary after failover (0: forever)"),
	P_STR(follow_primary_command, RELOAD, FAILOVER, "",
		  "command run for each node but the new primary after a primary failover",
		  SYN("follow_master_command")),
	P_BOOL(auto_failback, RELOAD, FAILOVER, "off",
		   "reattach a detached standby once it streams from the primary again (needs sr_check_period and backend_application_name)"),
	P_INT(auto_failback_interval, RELOAD, FAILOVER, "60", 0, INT_MAX,
		  "minimum seconds between two automatic failbacks of a node"),

	/* ---- online recovery ---- */
	P_STR(recovery_user, RELOAD, RECOVERY, "", "user that runs online recovery"),
	P_STR(recovery_password, RELOAD, RECOVERY, "", "password of recovery_user"),
	P_STR(recovery_database, RELOAD, RECOVERY, "postgres", "database online recovery connects to"),
	P_STR(recovery_1st_stage_command, RELOAD, RECOVERY, "",
		  "script in the primary's data directory run while clients keep working"),
	P_STR(recovery_2nd_stage_command, RELOAD, RECOVERY, "",
		  "script in the primary's data directory run with clients held off"),
	P_INT(recovery_timeout, RELOAD, RECOVERY, "90", 0, INT_MAX,
		  "seconds online recovery waits for the node and for clients to leave"),
	P_INT(client_idle_limit_in_recovery, RELOAD, RECOVERY, "0", -1, INT_MAX,
		  "during recovery's 2nd stage, disconnect clients idle this long (-1: at once)"),

	/* ---- watchdog ---- */
	P_BOOL(use_watchdog, RESTART, WATCHDOG, "off", "run the watchdog (pgpool high availability)"),
	P_STR(trusted_servers, RESTART, WATCHDOG, "",
		  "hosts pinged to tell a network failure from a peer failure (comma-separated)"),
	P_STR(trusted_server_command, RELOAD, WATCHDOG, "ping -q -c3 %h",
		  "command checking a trusted server (%h: its host)"),
	P_STR(ping_path, RESTART, WATCHDOG, "/bin", "directory of the ping command"),
	WD_ROW(wd_node_array, WdNodeConfig, hostname, hostname, CONFIG_STRING, char *, RELOAD, "",
		   CONFIG_FLAG_DEFINES, "host of watchdog member N (pgpool_node_id picks this node)"),
	WD_ROW(wd_node_array, WdNodeConfig, wd_port, wd_port, CONFIG_INT, int, RELOAD, "9000",
		   CONFIG_FLAG_DEFINES, "watchdog port of member N", .min = 1, .max = 65535),
	WD_ROW(wd_node_array, WdNodeConfig, pgpool_port, pgpool_port, CONFIG_INT, int, RELOAD,
		   "9999", CONFIG_FLAG_DEFINES, "client port of the pgpool of member N",
		   .min = 1, .max = 65535),
	P_INT(wd_priority, RESTART, WATCHDOG, "1", 0, INT_MAX,
		  "preference of this node when electing the leader (higher wins)"),
	P_STR(wd_authkey, RELOAD, WATCHDOG, "", "key authenticating watchdog messages"),
	P_STR(wd_ipc_socket_dir, RESTART, WATCHDOG, "/tmp",
		  "directory of the watchdog's local command socket"),
	P_STR(delegate_ip, RESTART, WATCHDOG, "", "virtual IP address held by the leader"),
	P_STR(if_cmd_path, RESTART, WATCHDOG, "/sbin", "directory of if_up_cmd and if_down_cmd",
		  SYN("ifconfig_path")),
	P_STR(if_up_cmd, RESTART, WATCHDOG,
		  "/usr/bin/sudo /sbin/ip addr add $_IP_$/24 dev eth0 label eth0:0",
		  "command bringing the virtual IP up ($_IP_$: the address)"),
	P_STR(if_down_cmd, RESTART, WATCHDOG, "/usr/bin/sudo /sbin/ip addr del $_IP_$/24 dev eth0",
		  "command taking the virtual IP down"),
	P_STR(arping_path, RESTART, WATCHDOG, "/usr/sbin", "directory of arping_cmd"),
	P_STR(arping_cmd, RESTART, WATCHDOG, "/usr/bin/sudo /usr/sbin/arping -U $_IP_$ -w 1 -I eth0",
		  "command announcing the virtual IP's new owner"),
	P_BOOL(clear_memqcache_on_escalation, RELOAD, WATCHDOG, "on",
		   "empty the shared query cache when this node becomes leader"),
	P_STR(wd_escalation_command, RELOAD, WATCHDOG, "", "command run when this node becomes leader"),
	P_STR(wd_de_escalation_command, RELOAD, WATCHDOG, "",
		  "command run when this node stops being leader"),
	P_BOOL(failover_when_quorum_exists, RESTART, WATCHDOG, "on",
		   "fail over only while the watchdog cluster holds the quorum"),
	P_BOOL(failover_require_consensus, RESTART, WATCHDOG, "on",
		   "fail over only when a majority of pgpool nodes sees the backend down"),
	P_BOOL(allow_multiple_failover_requests_from_node, RESTART, WATCHDOG, "off",
		   "let one pgpool node vote several times for the same failover"),
	P_BOOL(enable_consensus_with_half_votes, RESTART, WATCHDOG, "off",
		   "with an even number of nodes, half of the votes is enough"),
	P_BOOL(wd_remove_shutdown_nodes, RELOAD, WATCHDOG, "off",
		   "drop cleanly shut down members from the cluster size", UNIMPL),
	P_INT(wd_lost_node_removal_timeout, RELOAD, WATCHDOG, "0", 0, INT_MAX,
		  "seconds after which a lost member leaves the cluster size (0: never)", UNIMPL),
	P_INT(wd_no_show_node_removal_timeout, RELOAD, WATCHDOG, "0", 0, INT_MAX,
		  "seconds after which a never-seen member leaves the cluster size (0: never)", UNIMPL),
	P_INT(wd_initial_node_showup_time, RELOAD, WATCHDOG, "0", 0, INT_MAX,
		  "seconds at start to wait for the other members to show up", UNIMPL),
	P_STR(wd_monitoring_interfaces_list, RESTART, WATCHDOG, "",
		  "network interfaces whose loss makes this node resign ('any' for all)", UNIMPL),
	P_ENUM(wd_lifecheck_method, RESTART, WATCHDOG, "heartbeat", lifecheck_methods,
		   "how members check each other: heartbeat, query or external"),
	P_INT(wd_interval, RESTART, WATCHDOG, "10", 1, INT_MAX, "seconds between life checks"),
	WD_ROW(heartbeat_array, HeartbeatConfig, heartbeat_hostname, hostname, CONFIG_STRING,
		   char *, RELOAD, "", CONFIG_FLAG_DEFINES,
		   "address heartbeats for member N are sent to"),
	WD_ROW(heartbeat_array, HeartbeatConfig, heartbeat_port, port, CONFIG_INT, int, RELOAD,
		   "9694", CONFIG_FLAG_DEFINES, "UDP heartbeat port of member N",
		   .min = 1, .max = 65535),
	WD_ROW(heartbeat_array, HeartbeatConfig, heartbeat_device, device, CONFIG_STRING, char *,
		   RELOAD, "", 0, "network device heartbeats to member N leave by ('' any)"),
	P_INT(wd_heartbeat_keepalive, RESTART, WATCHDOG, "2", 1, INT_MAX,
		  "seconds between heartbeat signals"),
	P_INT(wd_heartbeat_deadtime, RESTART, WATCHDOG, "30", 1, INT_MAX,
		  "seconds without heartbeat before a member is declared lost"),
	P_INT(wd_life_point, RESTART, WATCHDOG, "3", 1, INT_MAX,
		  "query life check: failures before a member is declared lost"),
	P_STR(wd_lifecheck_query, RESTART, WATCHDOG, "SELECT 1", "query of the query life check"),
	P_STR(wd_lifecheck_dbname, RELOAD, WATCHDOG, "template1", "database of the query life check"),
	P_STR(wd_lifecheck_user, RELOAD, WATCHDOG, "", "user of the query life check"),
	P_STR(wd_lifecheck_password, RELOAD, WATCHDOG, "", "password of wd_lifecheck_user"),
	P_STR(wd_listen_address, RESTART, WATCHDOG, "",
		  "address the watchdog listens on ('' the one of hostnameN)"),
	P_INT(wd_listen_port, RESTART, WATCHDOG, "0", 0, 65535,
		  "port the watchdog listens on (0: wd_portN of this node)"),
	P_STR(wd_heartbeat_listen_addresses, RESTART, WATCHDOG, "",
		  "addresses heartbeats are received on ('' any)"),
	P_INT(wd_heartbeat_listen_port, RESTART, WATCHDOG, "0", 0, 65535,
		  "port heartbeats are received on (0: heartbeat_portN of this node)"),
	P_STR(wd_hostname, RESTART, WATCHDOG, "", "3.x: host name of this watchdog", OBSOLETE),
	P_INT(wd_port, RESTART, WATCHDOG, "9000", 1, 65535, "3.x: port of this watchdog", OBSOLETE),
	P_INT(wd_heartbeat_port, RESTART, WATCHDOG, "9694", 1, 65535,
		  "3.x: UDP port heartbeats are received on", OBSOLETE),
	WD_ROW(other_pgpool_array, OtherPgpoolConfig, other_pgpool_hostname, hostname, CONFIG_STRING,
		   char *, RESTART, "", CONFIG_FLAG_DEFINES | CONFIG_FLAG_OBSOLETE,
		   "3.x: host of the other pgpool N"),
	WD_ROW(other_pgpool_array, OtherPgpoolConfig, other_pgpool_port, pgpool_port, CONFIG_INT,
		   int, RESTART, "9999", CONFIG_FLAG_OBSOLETE, "3.x: client port of the other pgpool N",
		   .min = 1, .max = 65535),
	WD_ROW(other_pgpool_array, OtherPgpoolConfig, other_wd_port, wd_port, CONFIG_INT, int,
		   RESTART, "9000", CONFIG_FLAG_OBSOLETE, "3.x: watchdog port of the other pgpool N",
		   .min = 1, .max = 65535),
	WD_ROW(hb_dest_array, HeartbeatDestConfig, heartbeat_destination, hostname, CONFIG_STRING,
		   char *, RESTART, "", CONFIG_FLAG_DEFINES | CONFIG_FLAG_OBSOLETE,
		   "3.x: address heartbeats are sent to"),
	WD_ROW(hb_dest_array, HeartbeatDestConfig, heartbeat_destination_port, port, CONFIG_INT, int,
		   RESTART, "9694", CONFIG_FLAG_OBSOLETE, "3.x: port of heartbeat_destinationN",
		   .min = 1, .max = 65535),

	/* ---- in memory query cache ---- */
	P_BOOL(memory_cache_enabled, RESTART, CACHE, "off", "cache SELECT results in memory"),
	P_ENUM(memqcache_method, RESTART, CACHE, "shmem", cache_methods,
		   "cache storage: shared memory or memcached"),
	P_STR(memqcache_memcached_host, RESTART, CACHE, "localhost", "host of memcached"),
	P_INT(memqcache_memcached_port, RESTART, CACHE, "11211", 1, 65535, "port of memcached"),
	P_INT64(memqcache_total_size, RESTART, CACHE, "67108864", 0, INT64_MAX / 2,
			"bytes of shared memory for cached results", .unit = CONFIG_UNIT_BYTES),
	P_INT(memqcache_max_num_cache, RESTART, CACHE, "1000000", 0, INT_MAX,
		  "maximum number of cached results (shmem)"),
	P_INT(memqcache_expire, RESTART, CACHE, "0", 0, INT_MAX,
		  "seconds a cached result lives (0: until its tables change)"),
	P_BOOL(memqcache_auto_cache_invalidation, RELOAD, CACHE, "on",
		   "drop cached results of a table when it is written"),
	P_INT(memqcache_maxcache, RESTART, CACHE, "409600", 0, INT_MAX,
		  "largest result, in bytes, that is cached", .unit = CONFIG_UNIT_BYTES),
	P_INT(memqcache_cache_block_size, RESTART, CACHE, "1048576", 512, INT_MAX,
		  "bytes of one shared memory cache block", .unit = CONFIG_UNIT_BYTES),
	P_STR(memqcache_oiddir, RESTART, CACHE, "/var/log/pgpool/oiddir",
		  "directory mapping tables to the cached results using them"),
	P_STR(cache_safe_memqcache_table_list, RELOAD, CACHE, "",
		  "tables (regular expressions) whose results are cached",
		  SYN("white_memqcache_table_list")),
	P_STR(cache_unsafe_memqcache_table_list, RELOAD, CACHE, "",
		  "tables (regular expressions) whose results are never cached",
		  SYN("black_memqcache_table_list")),
	P_ENUM(memqcache_invalidation_source, RESTART, CACHE, "pgpool", cache_sources,
		   "what invalidates cached results: writes through pgpool, or every write seen in the primary's WAL"),
	P_STR(memqcache_wal_slot_name, RESTART, CACHE, "pgpool_query_cache",
		  "logical replication slot (and publication) the WAL invalidation worker follows"),
	P_BOOL(enable_query_cache, RESTART, CACHE, "off",
		   "3.x: on-disk query cache in the System DB", OBSOLETE, NO_EFFECT),

	/* ---- others ---- */
	P_INT64(relcache_expire, RESTART, MISC, "0", 0, INT64_MAX,
			"seconds a cached catalog lookup lives (0: forever)"),
	P_INT(relcache_size, RESTART, MISC, "256", 10, INT_MAX,
		  "entries of each child's relation cache (allocated at child start)"),
	P_ENUM(check_temp_table, RELOAD, MISC, "catalog", temp_table_checks,
		   "how to tell temporary tables: catalog lookup, trace CREATE/DROP, or none", SESSION),
	P_BOOL(check_unlogged_table, RELOAD, MISC, "on",
		   "look up whether tables in a SELECT are unlogged (never balanced)", SESSION),
	P_BOOL(enable_shared_relcache, RESTART, MISC, "on",
		   "share relation lookups between children in the query cache store (needs memory_cache_enabled)"),
	P_ENUM(relcache_query_target, RELOAD, MISC, "primary", relcache_targets,
		   "node that answers catalog lookups", UNIMPL),

	/* ---- 3.x parallel mode and System DB ---- */
	P_BOOL(parallel_mode, RESTART, PARALLEL, "off",
		   "3.x: split tables over nodes and run queries in parallel", OBSOLETE, UNIMPL),
	P_STR(system_db_hostname, RESTART, PARALLEL, "localhost", "3.x: host of the System DB",
		  OBSOLETE, UNIMPL),
	P_INT(system_db_port, RESTART, PARALLEL, "5432", 1, 65535, "3.x: port of the System DB", OBSOLETE,
		  UNIMPL),
	P_STR(system_db_dbname, RESTART, PARALLEL, "pgpool", "3.x: database of the System DB",
		  OBSOLETE, SYN("system_dbname"), UNIMPL),
	P_STR(system_db_schema, RESTART, PARALLEL, "pgpool_catalog",
		  "3.x: schema of the partitioning rules", OBSOLETE, UNIMPL),
	P_STR(system_db_user, RESTART, PARALLEL, "pgpool", "3.x: user connecting to the System DB",
		  OBSOLETE, UNIMPL),
	P_STR(system_db_password, RESTART, PARALLEL, "", "3.x: password of system_db_user",
		  OBSOLETE, UNIMPL),
};

const int	config_params_len = sizeof(config_params) / sizeof(config_params[0]);

PoolConfig *pool_config = NULL;
