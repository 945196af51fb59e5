/*
 * config.h: pgpool.conf as data.
 *
 * PoolConfig holds one field per parameter, named exactly as the canonical
 * (pgpool-II 4.3 / latest) parameter name; older spellings (3.x names) are
 * synonyms in the parameter table and land in the same field.  The table in
 * config_table.c drives parsing, reload, SHOW pool_status and the docs.
 *
 * Owned by the process that loads it: the parent loads at start and on
 * reload; children inherit the parent's copy at fork and re-read on reload.
 *
 * Interface routines:
 *   config_init_defaults, config_load, config_set_option, config_free,
 *   config_copy, config_apply_reload        - build and replace a configuration
 *   config_report_unsupported               - warn about accepted, ignored settings
 *   config_param_count, config_param_at, config_param_find,
 *   config_value_to_string, config_value_for_display, config_element_*
 *                                           - introspection (SHOW, PCP, docs)
 *   config_log_settings                     - logger settings from the parameters
 *   config_write_sample, config_write_reference
 *                                           - generated sample file and docs
 */
#ifndef PGPOOL_CONFIG_CONFIG_H
#define PGPOOL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_BACKENDS 128
#define MAX_WD_NODES 128		/* hostnameN / heartbeat_*N / other_pgpool_*N */

/* backend_flag bits */
#define BACKEND_FLAG_ALLOW_TO_FAILOVER		0x0001
#define BACKEND_FLAG_DISALLOW_TO_FAILOVER	0x0002
#define BACKEND_FLAG_ALWAYS_PRIMARY			0x0004

typedef enum ClusteringMode
{
	CM_RAW = 0,
	CM_STREAMING_REPLICATION,
	CM_NATIVE_REPLICATION,
	CM_LOGICAL_REPLICATION,
	CM_SLONY,
	CM_SNAPSHOT_ISOLATION
} ClusteringMode;

/* master_slave_sub_mode (3.x) */
typedef enum MasterSlaveSubMode
{
	MSSM_SLONY = 0,
	MSSM_STREAM,
	MSSM_LOGICAL
} MasterSlaveSubMode;

/* log_standby_delay */
typedef enum LogStandbyDelay
{
	LSD_NONE = 0,
	LSD_ALWAYS,
	LSD_IF_OVER_THRESHOLD
} LogStandbyDelay;

/* disable_load_balance_on_write */
typedef enum DisableLbOnWrite
{
	DLBOW_OFF = 0,
	DLBOW_TRANSACTION,
	DLBOW_TRANS_TRANSACTION,
	DLBOW_ALWAYS,
	DLBOW_DML_ADAPTIVE
} DisableLbOnWrite;

/* read_your_writes */
typedef enum ReadYourWrites
{
	RYW_OFF = 0,
	RYW_SESSION,
	RYW_GLOBAL
} ReadYourWrites;

/* check_temp_table (3.x booleans map: on = catalog, off = none) */
typedef enum CheckTempTable
{
	CTT_NONE = 0,
	CTT_CATALOG,
	CTT_TRACE
} CheckTempTable;

/* relcache_query_target */
typedef enum RelcacheQueryTarget
{
	RQT_PRIMARY = 0,
	RQT_LOAD_BALANCE_NODE
} RelcacheQueryTarget;

/* memqcache_method */
typedef enum MemqcacheMethod
{
	MQM_SHMEM = 0,
	MQM_MEMCACHED
} MemqcacheMethod;

/* memqcache_invalidation_source */
typedef enum MemqcacheInvalidationSource
{
	MQIS_PGPOOL = 0,			/* writes made through this pgpool (pgpool-II's behaviour) */
	MQIS_WAL					/* every write, from the primary's WAL by logical decoding */
} MemqcacheInvalidationSource;

/* wd_lifecheck_method */
typedef enum WdLifecheckMethod
{
	WDLM_HEARTBEAT = 0,
	WDLM_QUERY,
	WDLM_EXTERNAL
} WdLifecheckMethod;

/* log_error_verbosity */
typedef enum LogErrorVerbosity
{
	LEV_TERSE = 0,
	LEV_DEFAULT,
	LEV_VERBOSE
} LogErrorVerbosity;

/* log_backend_messages */
typedef enum LogBackendMessages
{
	LBM_NONE = 0,
	LBM_TERSE,
	LBM_VERBOSE
} LogBackendMessages;

/* process_management_mode / process_management_strategy */
typedef enum ProcessManagementMode
{
	PMM_STATIC = 0,
	PMM_DYNAMIC
} ProcessManagementMode;

typedef enum ProcessManagementStrategy
{
	PMS_LAZY = 0,
	PMS_GENTLE,
	PMS_AGGRESSIVE
} ProcessManagementStrategy;

typedef struct BackendConfig
{
	bool		defined;		/* backend_hostnameN or backend_portN was set */
	char	   *hostname;		/* backend_hostnameN; "" or leading '/' = UNIX socket dir */
	int			port;			/* backend_portN */
	double		weight;			/* backend_weightN */
	char	   *data_directory; /* backend_data_directoryN */
	int			flag;			/* backend_flagN: BACKEND_FLAG_* bits */
	char	   *application_name;	/* backend_application_nameN */

	/*
	 * Per-node health check settings (4.x health_check_*N, connect_timeoutN):
	 * -1 / NULL when not set for this node; the global value applies then.
	 */
	int			health_check_period;
	int			health_check_timeout;
	char	   *health_check_user;
	char	   *health_check_password;
	char	   *health_check_database;
	int			health_check_max_retries;
	int			health_check_retry_delay;
	int			connect_timeout;
} BackendConfig;

/* 4.x watchdog cluster member: hostnameN, wd_portN, pgpool_portN */
typedef struct WdNodeConfig
{
	bool		defined;
	char	   *hostname;
	int			wd_port;
	int			pgpool_port;
} WdNodeConfig;

/* 4.x heartbeat peer: heartbeat_hostnameN, heartbeat_portN, heartbeat_deviceN */
typedef struct HeartbeatConfig
{
	bool		defined;
	char	   *hostname;
	int			port;
	char	   *device;
} HeartbeatConfig;

/*
 * 3.x watchdog peers (other_pgpool_hostnameN, other_pgpool_portN,
 * other_wd_portN) and heartbeat destinations (heartbeat_destinationN,
 * heartbeat_destination_portN): indexes count the other nodes only.
 */
typedef struct OtherPgpoolConfig
{
	bool		defined;
	char	   *hostname;
	int			pgpool_port;
	int			wd_port;
} OtherPgpoolConfig;

typedef struct HeartbeatDestConfig
{
	bool		defined;
	char	   *hostname;
	int			port;
} HeartbeatDestConfig;

typedef struct PoolConfig
{
	/* connections */
	char	   *listen_addresses;
	int			port;
	char	   *socket_dir;
	int			listen_backlog_multiplier;
	int			num_init_children;
	int			reserved_connections;
	int			max_pool;
	int			child_life_time;
	int			child_max_connections;
	int			client_idle_limit;
	int			authentication_timeout;
	int			connection_life_time;
	bool		connection_cache;
	char	   *reset_query_list;
	bool		serialize_accept;

	/* logging */
	char	   *log_destination;	/* "stderr", "syslog", "stderr,syslog" */
	int			syslog_facility;	/* LOG_LOCAL0..7 */
	char	   *syslog_ident;
	bool		print_timestamp;
	char	   *log_line_prefix;
	bool		log_connections;
	bool		log_disconnections;
	bool		log_hostname;
	bool		log_statement;
	bool		log_per_node_statement;
	bool		log_routing;	/* log each statement's nodes and deciding rule */
	int			log_min_messages;	/* PL_* level */
	int			debug_level;

	/* files */
	char	   *pid_file_name;
	char	   *logdir;

	/* clustering */
	int			backend_clustering_mode;	/* ClusteringMode */

	/* backends: backend_*N, N = 0..MAX_BACKENDS-1 */
	BackendConfig backends[MAX_BACKENDS];
	int			num_backends;	/* highest defined N + 1 */

	/* pcp */
	int			pcp_port;
	char	   *pcp_socket_dir;
	char	   *pcp_listen_addresses;
	int			pcp_timeout;

	/* every other parameter of the table follows */

	/* connections (more) */
	char	   *unix_socket_group;
	int			unix_socket_permissions;
	char	   *backend_socket_dir; /* 3.x only */

	/* authentication */
	bool		enable_pool_hba;
	char	   *pool_passwd;
	bool		allow_clear_text_frontend_auth;

	/* ssl */
	bool		ssl;
	char	   *ssl_key;
	char	   *ssl_cert;
	char	   *ssl_ca_cert;
	char	   *ssl_ca_cert_dir;
	char	   *ssl_crl_file;
	char	   *ssl_ciphers;
	bool		ssl_prefer_server_ciphers;
	char	   *ssl_ecdh_curve;
	char	   *ssl_dh_params_file;
	char	   *ssl_passphrase_command;

	/* process pool */
	int			process_management_mode;	/* ProcessManagementMode */
	int			process_management_strategy;	/* ProcessManagementStrategy */
	int			min_spare_children;
	int			max_spare_children;

	/* logging (more) */
	int			log_error_verbosity;	/* LogErrorVerbosity */
	int			client_min_messages;	/* PL_* level */
	bool		log_pcp_processes;
	bool		notice_per_node_statement;
	bool		log_client_messages;
	int			log_backend_messages;	/* LogBackendMessages */
	bool		logging_collector;
	char	   *log_directory;
	char	   *log_filename;
	int			log_file_mode;
	bool		log_truncate_on_rotation;
	int			log_rotation_age;	/* minutes */
	int			log_rotation_size;	/* kB */

	/* 3.x mode switches; after loading they decide backend_clustering_mode */
	bool		replication_mode;
	bool		master_slave_mode;
	int			master_slave_sub_mode;	/* MasterSlaveSubMode */
	bool		parallel_mode;

	/* native replication mode */
	bool		replication_stop_on_mismatch;
	bool		failover_if_affected_tuples_mismatch;
	bool		replicate_select;
	bool		insert_lock;
	char	   *lobj_lock_table;

	/* load balancing */
	bool		load_balance_mode;
	bool		ignore_leading_white_space;
	bool		allow_sql_comments;
	int			disable_load_balance_on_write;	/* DisableLbOnWrite */
	char	   *dml_adaptive_object_relationship_list;
	bool		statement_level_load_balance;
	int			read_your_writes;	/* ReadYourWrites */
	int			read_your_writes_timeout;	/* ms a read waits for a standby to catch up */
	char	   *read_only_function_list;
	char	   *write_function_list;
	char	   *primary_routing_query_pattern_list;
	char	   *user_redirect_preference_list;
	char	   *database_redirect_preference_list;
	char	   *app_name_redirect_preference_list;
	double		track_table_mutation_ttl_factor;
	int			track_table_mutation_max_staleness;
	int			track_table_mutation_cold_start_duration;
	int			track_table_mutation_table_buckets;
	int			track_table_mutation_table_size;

	/* streaming replication checks */
	int			sr_check_period;
	char	   *sr_check_user;
	char	   *sr_check_password;
	char	   *sr_check_database;
	int64_t		delay_threshold;
	int			delay_threshold_by_time;
	bool		prefer_lower_delay_standby;
	int			log_standby_delay;	/* LogStandbyDelay */
	char	   *replication_delay_source_cmd;
	int			replication_delay_source_timeout;

	/* health check (global values; BackendConfig may override per node) */
	int			health_check_period;
	int			health_check_timeout;
	char	   *health_check_user;
	char	   *health_check_password;
	char	   *health_check_database;
	int			health_check_max_retries;
	int			health_check_retry_delay;
	int			connect_timeout;
	bool		health_check_test;

	/* failover and failback */
	char	   *failover_command;
	char	   *failback_command;
	bool		failover_on_backend_error;
	bool		failover_on_backend_shutdown;
	bool		detach_false_primary;
	int			search_primary_node_timeout;
	char	   *follow_primary_command;
	bool		auto_failback;
	int			auto_failback_interval;

	/* online recovery */
	char	   *recovery_user;
	char	   *recovery_password;
	char	   *recovery_database;
	char	   *recovery_1st_stage_command;
	char	   *recovery_2nd_stage_command;
	int			recovery_timeout;
	int			client_idle_limit_in_recovery;

	/* watchdog */
	bool		use_watchdog;
	char	   *trusted_servers;
	char	   *trusted_server_command;
	char	   *ping_path;
	WdNodeConfig wd_nodes[MAX_WD_NODES];	/* hostnameN, wd_portN, pgpool_portN */
	int			num_wd_nodes;
	int			wd_priority;
	char	   *wd_authkey;
	char	   *wd_ipc_socket_dir;
	char	   *delegate_ip;
	char	   *if_cmd_path;
	char	   *if_up_cmd;
	char	   *if_down_cmd;
	char	   *arping_path;
	char	   *arping_cmd;
	bool		clear_memqcache_on_escalation;
	char	   *wd_escalation_command;
	char	   *wd_de_escalation_command;
	bool		failover_when_quorum_exists;
	bool		failover_require_consensus;
	bool		allow_multiple_failover_requests_from_node;
	bool		enable_consensus_with_half_votes;
	bool		wd_remove_shutdown_nodes;
	int			wd_lost_node_removal_timeout;
	int			wd_no_show_node_removal_timeout;
	int			wd_initial_node_showup_time;
	char	   *wd_monitoring_interfaces_list;
	int			wd_lifecheck_method;	/* WdLifecheckMethod */
	int			wd_interval;
	HeartbeatConfig heartbeats[MAX_WD_NODES];	/* heartbeat_*N */
	int			num_heartbeats;
	int			wd_heartbeat_keepalive;
	int			wd_heartbeat_deadtime;
	int			wd_life_point;
	char	   *wd_lifecheck_query;
	char	   *wd_lifecheck_dbname;
	char	   *wd_lifecheck_user;
	char	   *wd_lifecheck_password;
	char	   *wd_listen_address;
	int			wd_listen_port;
	char	   *wd_heartbeat_listen_addresses;
	int			wd_heartbeat_listen_port;
	/* 3.x watchdog spellings */
	char	   *wd_hostname;
	int			wd_port;
	int			wd_heartbeat_port;
	OtherPgpoolConfig other_pgpool[MAX_WD_NODES];
	int			num_other_pgpool;
	HeartbeatDestConfig heartbeat_destinations[MAX_WD_NODES];
	int			num_heartbeat_destinations;

	/* in memory query cache */
	bool		memory_cache_enabled;
	int			memqcache_method;	/* MemqcacheMethod */
	char	   *memqcache_memcached_host;
	int			memqcache_memcached_port;
	int64_t		memqcache_total_size;	/* bytes */
	int			memqcache_max_num_cache;
	int			memqcache_expire;
	bool		memqcache_auto_cache_invalidation;
	int			memqcache_maxcache; /* bytes */
	int			memqcache_cache_block_size; /* bytes */
	char	   *memqcache_oiddir;
	char	   *cache_safe_memqcache_table_list;
	char	   *cache_unsafe_memqcache_table_list;
	int			memqcache_invalidation_source;	/* MemqcacheInvalidationSource */
	char	   *memqcache_wal_slot_name;
	bool		enable_query_cache; /* 3.x on-disk query cache */

	/* others */
	int64_t		relcache_expire;
	int			relcache_size;
	int			check_temp_table;	/* CheckTempTable */
	bool		check_unlogged_table;
	bool		enable_shared_relcache;
	int			relcache_query_target;	/* RelcacheQueryTarget */

	/* 3.x parallel mode: System DB */
	char	   *system_db_hostname;
	int			system_db_port;
	char	   *system_db_dbname;
	char	   *system_db_schema;
	char	   *system_db_user;
	char	   *system_db_password;

	/*
	 * Where each setting of the loaded file came from (config_load), so that
	 * config_report_unsupported() can name file and line.  Owned like the
	 * strings; NULL when nothing was loaded.
	 */
	struct ConfigSources *sources;
} PoolConfig;

/* ---------------------------------------------------------------------------
 * The parameter table
 * ------------------------------------------------------------------------- */

typedef enum ConfigType
{
	CONFIG_BOOL = 0,
	CONFIG_INT,					/* int */
	CONFIG_INT64,				/* int64_t */
	CONFIG_DOUBLE,
	CONFIG_STRING,				/* char *, malloc'd */
	CONFIG_ENUM,				/* int, one of enum_values */
	CONFIG_BACKEND_FLAG			/* int, BACKEND_FLAG_* bits joined by '|' */
} ConfigType;

typedef enum ConfigContext
{
	CONFIG_RESTART = 0,			/* read at start only (INIT) */
	CONFIG_RELOAD				/* taken on reload (RELOAD, SESSION) */
} ConfigContext;

typedef enum ConfigGroup
{
	CONFIG_GROUP_CONNECTION = 0,
	CONFIG_GROUP_AUTH,
	CONFIG_GROUP_SSL,
	CONFIG_GROUP_BACKEND,
	CONFIG_GROUP_POOL,
	CONFIG_GROUP_LOGGING,
	CONFIG_GROUP_FILES,
	CONFIG_GROUP_CONNECTION_POOL,
	CONFIG_GROUP_CLUSTERING,
	CONFIG_GROUP_REPLICATION,
	CONFIG_GROUP_LOAD_BALANCE,
	CONFIG_GROUP_STREAMING,
	CONFIG_GROUP_HEALTH_CHECK,
	CONFIG_GROUP_FAILOVER,
	CONFIG_GROUP_RECOVERY,
	CONFIG_GROUP_WATCHDOG,
	CONFIG_GROUP_CACHE,
	CONFIG_GROUP_MISC,
	CONFIG_GROUP_PARALLEL,
	CONFIG_GROUP_COUNT
} ConfigGroup;

/* ConfigParam.flags */
#define CONFIG_FLAG_OBSOLETE	0x0001	/* 3.x name only: not in the 4.x sample */
#define CONFIG_FLAG_OCTAL		0x0002	/* integer read with C prefixes, shown in octal */
#define CONFIG_FLAG_DEFINES		0x0004	/* setting it defines array element N */
#define CONFIG_FLAG_ADD_ONLY	0x0008	/* restart-only, but reload may add element N */
#define CONFIG_FLAG_NODE_UNSET	0x0010	/* per-node override: -1 / NULL when unset */
#define CONFIG_FLAG_SAMPLE_SET	0x0020	/* the sample file sets it (not commented out) */
#define CONFIG_FLAG_SESSION		0x0040	/* PGPOOL SET may change it for one session */

/*
 * Does this build honour the parameter?  Every row is CONFIG_SUPPORTED unless
 * marked: a marked parameter is accepted (old files keep loading) but its
 * value changes nothing, and config_report_unsupported() warns when a file
 * sets it to something other than its default.
 */
typedef enum ConfigSupport
{
	CONFIG_SUPPORTED = 0,		/* some code reads it and acts on it */
	CONFIG_NOT_IMPLEMENTED,		/* a feature this version of pgpool lacks */
	CONFIG_NO_EFFECT			/* obsolete: the manual retires it, nothing honours it */
} ConfigSupport;

/* Units an integer may be written with (value stored in the base unit). */
typedef enum ConfigUnit
{
	CONFIG_UNIT_NONE = 0,
	CONFIG_UNIT_BYTES,			/* B, kB, MB, GB, TB */
	CONFIG_UNIT_KB,				/* stored in kB; same suffixes */
	CONFIG_UNIT_MIN				/* stored in minutes; s, min, h, d */
} ConfigUnit;

typedef struct ConfigEnumEntry
{
	const char *name;
	int			value;
	bool		hidden;			/* accepted, never shown (3.x spellings) */
} ConfigEnumEntry;

/* A numbered parameter family's storage: an array of element structs. */
typedef struct ConfigArray
{
	const char *what;			/* "backend", "watchdog node", ... */
	int			length;			/* number of elements */
	size_t		offset;			/* of element 0 in PoolConfig */
	size_t		stride;			/* sizeof one element */
	size_t		defined_offset; /* of the element's "defined" flag */
	size_t		count_offset;	/* of the int "highest defined + 1" in PoolConfig */
} ConfigArray;

typedef struct ConfigParam
{
	const char *name;			/* canonical name; numbered ones without N */
	ConfigType	type;
	ConfigContext context;
	ConfigGroup group;
	int			flags;			/* CONFIG_FLAG_* */
	size_t		offset;			/* in PoolConfig, or in the element if array */
	const ConfigArray *array;	/* NULL unless the name takes a number N */
	const char *default_value;	/* as written in pgpool.conf (NULL: unset) */
	int64_t		min;			/* numeric bounds */
	int64_t		max;
	const ConfigEnumEntry *enum_values; /* CONFIG_ENUM: {NULL}-terminated */
	ConfigUnit	unit;
	const char *const *synonyms;	/* older spellings, NULL-terminated */
	const char *description;	/* one line, English */
	bool		(*check) (const char *value);	/* extra test of a string, or NULL */
	const char *accepted;		/* what check accepts, for error messages */
	ConfigSupport support;		/* CONFIG_SUPPORTED unless the row says otherwise */
} ConfigParam;

/* The configuration of this process (defined in the config module). */
extern PoolConfig *pool_config;

/* Fill cfg with every parameter's default. */
void		config_init_defaults(PoolConfig *cfg);

/*
 * Parse the file at path into cfg, which must hold defaults (or a previous
 * configuration to overlay).  Unknown parameters: a WARNING naming file and
 * line, then ignored.  Bad values: an ERROR naming file, line, parameter and
 * the accepted values.  Returns false if any error was found; cfg is then
 * partially updated and should be discarded.  After parsing, if the file did
 * not set backend_clustering_mode, it is derived from the 3.x switches
 * (replication_mode, master_slave_mode, master_slave_sub_mode).  The line of
 * each setting is kept in cfg->sources for config_report_unsupported().
 */
bool		config_load(const char *path, PoolConfig *cfg);

/*
 * Set one parameter by name ("port", "backend_hostname1", a 3.x synonym) from
 * its text form, as a pgpool.conf line would.  Errors are logged with the
 * accepted values; returns false on an unknown name or a bad value.
 */
bool		config_set_option(PoolConfig *cfg, const char *name, const char *value);

/* Free every string the configuration owns (not cfg itself). */
void		config_free(PoolConfig *cfg);

/* Deep copy src into dst (dst is overwritten, not freed first). */
void		config_copy(PoolConfig *dst, const PoolConfig *src);

/*
 * Take a freshly loaded configuration for a reload: reloadable parameters are
 * copied from newcfg into cur; for each restart-only parameter whose value
 * differs, a LOG line says it needs a restart and the old value stays.
 * Backends: new ones may be added; hostname and port of an existing one (and
 * its removal) need a restart; weight, flag and the rest are reloadable.
 */
void		config_apply_reload(PoolConfig *cur, const PoolConfig *newcfg);

/*
 * For each parameter this build accepts but does not honour (support !=
 * CONFIG_SUPPORTED) that the file loaded into cfg sets to a value other than
 * its default: one WARNING naming it, with file and line in the DETAIL.
 * The parent calls it after loading at start and on every reload.  Returns
 * the number of warnings.
 */
int			config_report_unsupported(const PoolConfig *cfg);

/* ---- introspection ---- */

/* Number of rows of the table; rows are in sample/document order. */
int			config_param_count(void);

/* Row i (0 <= i < config_param_count()), or NULL. */
const ConfigParam *config_param_at(int i);

/*
 * Look a name up as a pgpool.conf line would: case-insensitive, synonyms
 * accepted, "backend_port3" finds backend_port with *index = 3.  *index is
 * -1 for a plain parameter.  NULL if unknown (or N out of range: then *index
 * is set to the out-of-range number and NULL is returned).
 */
const ConfigParam *config_param_find(const char *name, int *index);

/*
 * Render a plain parameter's current value as pgpool.conf would spell it
 * (without quotes): "on", "9999", "streaming_replication", "/tmp".  For a
 * numbered parameter this renders element 0.  Returns buf.
 */
const char *config_value_to_string(const PoolConfig *cfg, const ConfigParam *p,
								   char *buf, size_t len);

/* As config_value_to_string, but secrets (passwords, wd_authkey) print as ********. */
const char *config_value_for_display(const PoolConfig *cfg, const ConfigParam *p,
									 char *buf, size_t len);

/* Element index of a numbered parameter (renders "" when a per-node override is unset). */
const char *config_element_to_string(const PoolConfig *cfg, const ConfigParam *p,
									 int index, char *buf, size_t len);
const char *config_element_for_display(const PoolConfig *cfg, const ConfigParam *p,
									   int index, char *buf, size_t len);

/* How many elements of p's array are in use (num_backends, ...); 0 for a plain parameter. */
int			config_element_count(const PoolConfig *cfg, const ConfigParam *p);

/* "not implemented", "obsolete, no effect"; NULL for a supported parameter. */
const char *config_support_label(const ConfigParam *p);

/* Is element index of p's array defined (backend N configured, ...)? */
bool		config_element_defined(const PoolConfig *cfg, const ConfigParam *p, int index);

/* Must this parameter's value never be shown (name ends in "password", wd_authkey)? */
bool		config_param_is_secret(const ConfigParam *p);

/* Text of the values p accepts, as in error DETAILs: "an integer from 1 to 10000". */
const char *config_accepted_values(const ConfigParam *p, char *buf, size_t len);

const char *config_type_name(ConfigType type);	/* "bool", "integer", ... */
const char *config_context_name(ConfigContext ctx); /* "restart", "reload" */
const char *config_group_title(ConfigGroup group);	/* "CONNECTIONS", ... */
const char *config_group_comment(ConfigGroup group);	/* one line */

/* "streaming_replication", "raw", ... for a ClusteringMode value. */
const char *config_clustering_mode_name(int mode);

/* ---- use by other modules ---- */

struct LogSettings;

/*
 * Fill the logger's settings (utils/log.h) from cfg: log_min_messages (3.x
 * debug_level N > 0 lowers it to DEBUGN), log_destination, syslog_facility,
 * syslog_ident, log_line_prefix, print_timestamp.  Strings point into cfg.
 */
void		config_log_settings(const PoolConfig *cfg, struct LogSettings *out);

/* ---- PGPOOL SET / RESET (config_session.c, run by a child) ---- */

typedef enum ConfigSessionResult
{
	CONFIG_SESSION_OK = 0,
	CONFIG_SESSION_UNKNOWN,		/* no such parameter */
	CONFIG_SESSION_NOT_SETTABLE,	/* not in the SESSION context */
	CONFIG_SESSION_INVALID		/* value rejected */
} ConfigSessionResult;

/*
 * Change pool_config's parameter name for the current session; value NULL
 * (PGPOOL SET name TO DEFAULT) means the value it had before the session
 * changed it.  The first change saves that value; config_session_restore()
 * puts every saved value back.  On CONFIG_SESSION_INVALID, accepted (if not
 * NULL) receives the text of the accepted values.
 */
ConfigSessionResult config_session_set(const char *name, const char *value,
									   char *accepted, size_t accepted_len);

/* PGPOOL RESET name (NULL: ALL): the saved value back. */
ConfigSessionResult config_session_reset(const char *name);

/* At session end: every saved value back.  Returns true if anything changed. */
bool		config_session_restore(void);

/* ---- generated text ---- */

/* Write the commented-out sample pgpool.conf (every 4.x parameter, default value). */
void		config_write_sample(FILE *out);

/* Write the Markdown parameter reference (name, type, default, context, description). */
void		config_write_reference(FILE *out);

#endif
