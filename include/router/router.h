/*
 * router.h: statement facts from PostgreSQL's own parser, and the rules that
 * turn those facts plus a session's state into the nodes a statement goes to.
 *
 * Used by children (the session relay).  Two calls on the hot path:
 *
 *   facts = router_analyze(sql, len);          cached per statement text
 *   d     = router_route(facts, &ctx);         target + reason, no I/O
 *
 * and, around them, router_session_note() / router_session_txn_status() to
 * keep the session's routing state (transaction, writes, isolation level),
 * router_choose_load_balance_node() to pick a node by backend_weight, and
 * router_config_create() once per configuration load (compiles the function
 * list regexes).
 *
 * Interface routines:
 *   router_analyze, router_facts_retain, router_facts_release   - facts (router_cache.c)
 *   router_cache_configure, router_cache_reset, router_cache_stats
 *   router_config_create, router_config_free                    - router_config.c
 *   router_route                                                - router_rules.c
 *   router_session_init, router_session_note,
 *   router_session_txn_status                                   - router_session.c
 *   router_choose_load_balance_node                             - router_session.c
 *   router_stmt_kind_name, router_target_name                   - router_facts.c
 */
#ifndef PGPOOL_ROUTER_ROUTER_H
#define PGPOOL_ROUTER_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct PoolConfig;

/* ---------------------------------------------------------------------------
 * Facts about one statement text
 * ------------------------------------------------------------------------- */

typedef enum RouterStmtKind
{
	ROUTER_STMT_UNPARSABLE = 0, /* syntax error in the PostgreSQL 15 grammar */
	ROUTER_STMT_EMPTY,			/* no statement: "", ";", comments only */
	ROUTER_STMT_SELECT,			/* SELECT, VALUES, TABLE, WITH ... SELECT */
	ROUTER_STMT_INSERT,
	ROUTER_STMT_UPDATE,
	ROUTER_STMT_DELETE,
	ROUTER_STMT_MERGE,
	ROUTER_STMT_TRUNCATE,
	ROUTER_STMT_DDL,			/* CREATE/ALTER/DROP/GRANT/COMMENT/REINDEX/... */
	ROUTER_STMT_BEGIN,			/* BEGIN, START TRANSACTION */
	ROUTER_STMT_COMMIT,			/* COMMIT, END */
	ROUTER_STMT_ROLLBACK,		/* ROLLBACK, ABORT */
	ROUTER_STMT_SAVEPOINT,
	ROUTER_STMT_RELEASE,
	ROUTER_STMT_ROLLBACK_TO,
	ROUTER_STMT_PREPARE_TRANSACTION,
	ROUTER_STMT_COMMIT_PREPARED,
	ROUTER_STMT_ROLLBACK_PREPARED,
	ROUTER_STMT_SET,			/* SET var, SET ROLE, ... */
	ROUTER_STMT_SET_TRANSACTION,	/* SET TRANSACTION ..., SET transaction_isolation */
	ROUTER_STMT_SET_SESSION_CHARACTERISTICS,	/* ... and SET default_transaction_isolation */
	ROUTER_STMT_RESET,			/* RESET var, RESET ALL */
	ROUTER_STMT_DISCARD,
	ROUTER_STMT_PREPARE,		/* SQL PREPARE name AS query */
	ROUTER_STMT_EXECUTE,
	ROUTER_STMT_DEALLOCATE,
	ROUTER_STMT_LISTEN,
	ROUTER_STMT_UNLISTEN,
	ROUTER_STMT_NOTIFY,
	ROUTER_STMT_SHOW,
	ROUTER_STMT_SHOW_POOL,		/* SHOW pool_*: answered by pgpool itself */
	ROUTER_STMT_COPY_FROM,
	ROUTER_STMT_COPY_TO,
	ROUTER_STMT_LOCK,
	ROUTER_STMT_VACUUM,
	ROUTER_STMT_ANALYZE,
	ROUTER_STMT_EXPLAIN,
	ROUTER_STMT_CALL,
	ROUTER_STMT_DO,
	ROUTER_STMT_DECLARE_CURSOR,
	ROUTER_STMT_FETCH,			/* FETCH, MOVE */
	ROUTER_STMT_CLOSE_CURSOR,
	ROUTER_STMT_CHECKPOINT,
	ROUTER_STMT_LOAD,
	ROUTER_STMT_KIND_COUNT
} RouterStmtKind;

/* SHOW pool_* items pgpool answers itself */
typedef enum RouterPoolShow
{
	ROUTER_SHOW_NONE = 0,
	ROUTER_SHOW_POOL_STATUS,
	ROUTER_SHOW_POOL_NODES,
	ROUTER_SHOW_POOL_PROCESSES,
	ROUTER_SHOW_POOL_POOLS,
	ROUTER_SHOW_POOL_VERSION,
	ROUTER_SHOW_POOL_CACHE,
	ROUTER_SHOW_POOL_HEALTH_CHECK_STATS,
	ROUTER_SHOW_POOL_BACKEND_STATS
} RouterPoolShow;

/* Isolation level named by BEGIN / SET TRANSACTION / SET SESSION CHARACTERISTICS */
typedef enum RouterIsolation
{
	ROUTER_ISO_DEFAULT = 0,		/* not named (or SET ... TO DEFAULT) */
	ROUTER_ISO_READ_UNCOMMITTED,
	ROUTER_ISO_READ_COMMITTED,
	ROUTER_ISO_REPEATABLE_READ,
	ROUTER_ISO_SERIALIZABLE
} RouterIsolation;

/* StmtFacts.flags: facts that do not depend on the configuration */
#define ROUTER_F_WRITE			0x00001 /* changes data or schema, or takes locks */
#define ROUTER_F_FOR_UPDATE		0x00002 /* FOR UPDATE/NO KEY UPDATE/SHARE/KEY SHARE */
#define ROUTER_F_SELECT_INTO	0x00004
#define ROUTER_F_WRITABLE_CTE	0x00008 /* WITH x AS (INSERT/UPDATE/DELETE ...) */
#define ROUTER_F_SEQUENCE_FUNC	0x00010 /* calls nextval() or setval() */
#define ROUTER_F_LEADING_SPACE	0x00020 /* text starts with white space */
#define ROUTER_F_LEADING_COMMENT 0x00040	/* first token is a comment */
#define ROUTER_F_NO_LOAD_BALANCE 0x00080	/* a comment says NO LOAD BALANCE */
#define ROUTER_F_MULTI			0x00100 /* more than one statement */
#define ROUTER_F_SYSTEM_CATALOG 0x00200 /* references pg_catalog/information_schema */
#define ROUTER_F_TEMP_OBJECT	0x00400 /* creates a temporary table/view/sequence */
#define ROUTER_F_UNLOGGED_OBJECT 0x00800	/* creates an unlogged table */
#define ROUTER_F_EXPLAIN_ANALYZE 0x01000	/* EXPLAIN ANALYZE: the query runs */
#define ROUTER_F_COPY_STDIO		0x02000 /* COPY to STDOUT / from STDIN */
#define ROUTER_F_TXN_CONTROL	0x04000 /* some statement is BEGIN/COMMIT/ROLLBACK/... */
#define ROUTER_F_ALL			0x08000 /* DISCARD ALL, DEALLOCATE ALL, RESET ALL, UNLISTEN * */
#define ROUTER_F_CHAIN			0x10000 /* COMMIT/ROLLBACK AND CHAIN */
#define ROUTER_F_TIME_FUNC		0x20000 /* INSERT/UPDATE/DELETE/MERGE reads the clock:
										 * now(), CURRENT_DATE, 'now'::timestamp, ...
										 * (see router/rewrite.h) */
#define ROUTER_F_INSERT_LOCK_HINT	0x40000 /* a comment says INSERT LOCK */
#define ROUTER_F_NO_INSERT_LOCK_HINT 0x80000	/* a comment says NO INSERT LOCK */
#define ROUTER_F_FUNC_DDL		0x100000	/* may change what a function name means:
											 * CREATE/ALTER/DROP FUNCTION, PROCEDURE,
											 * AGGREGATE, SCHEMA, EXTENSION, ... */
#define ROUTER_F_READS_CLOCK	0x800000	/* any statement reads the clock (query cache) */
#define ROUTER_F_NO_QUERY_CACHE 0x200000	/* a comment says NO QUERY CACHE */
#define ROUTER_F_FORCE_QUERY_CACHE 0x400000	/* a comment says FORCE QUERY CACHE */
#define ROUTER_F_READ_WRITE		0x1000000	/* BEGIN / SET TRANSACTION ... READ WRITE
											 * (a standby refuses it) */
#define ROUTER_F_SET_LOCAL		0x2000000	/* SET LOCAL: lasts until the transaction ends */

/* RouterRel.flags */
#define ROUTER_REL_WRITTEN		0x01	/* target of DML, TRUNCATE, COPY FROM, ALTER, LOCK */
#define ROUTER_REL_CREATED		0x02
#define ROUTER_REL_DROPPED		0x04
#define ROUTER_REL_TEMP			0x08	/* created TEMP, or in schema pg_temp */
#define ROUTER_REL_UNLOGGED		0x10	/* created UNLOGGED */
#define ROUTER_REL_SYSTEM		0x20	/* pg_catalog, information_schema, or unqualified pg_* */
#define ROUTER_REL_INSERTED		0x40	/* target of INSERT (insert_lock) */
#define ROUTER_REL_DEFAULTS		0x80	/* its column defaults may apply: INSERT target,
										 * UPDATE ... SET c = DEFAULT */

/* A relation named by the statement (CTE names are left out) */
typedef struct RouterRel
{
	const char *schema;			/* as written; NULL if unqualified */
	const char *name;
	uint8_t		flags;			/* ROUTER_REL_* */
} RouterRel;

/*
 * What the parser says about a statement text.  Strings are as the parser
 * returns them: unquoted identifiers folded to lower case.  For a
 * multi-statement text, kind and name are the first statement's, and flags,
 * functions and relations are the union over all statements.  For EXPLAIN,
 * PREPARE, DECLARE CURSOR, COPY (query) TO and CREATE TABLE AS, flags,
 * functions and relations describe the wrapped statement and inner_kind is
 * its kind.  Read-only; owned by the cache (see router_analyze).
 */
typedef struct StmtFacts
{
	RouterStmtKind kind;
	RouterStmtKind inner_kind;	/* == kind unless the statement wraps another */
	uint32_t	flags;			/* ROUTER_F_* */
	int			nstmts;			/* statements in the text (0: empty) */
	RouterIsolation isolation;	/* BEGIN/SET TRANSACTION/SET SESSION CHARACTERISTICS */
	RouterPoolShow pool_show;	/* ROUTER_STMT_SHOW_POOL: which item */
	const char *name;			/* prepared statement, cursor, savepoint, channel,
								 * SET/RESET/SHOW variable; NULL if none */
	int			nfuncs;
	const char *const *funcs;	/* functions called, as written: "f", "s.f" */
	int			nrels;
	const RouterRel *rels;
	int32_t		terminate_pid;	/* pg_terminate_backend(<integer constant>): the pid, else 0 */
	const char *error;			/* ROUTER_STMT_UNPARSABLE: the parser's message */
	int			error_pos;		/* 1-based position of the error, 0 if unknown */
	const char *text;			/* the statement text (NUL-terminated copy) */
	size_t		text_len;
} StmtFacts;

/*
 * Facts for the statement text sql[0..len).  Cached per text: a hit costs a
 * hash of the text and a memcmp.  Never NULL: a text the parser rejects
 * gives kind ROUTER_STMT_UNPARSABLE (routed to the primary).  The result
 * stays valid until the next router_analyze() call in this process; keep it
 * longer (e.g. for a named prepared statement) with router_facts_retain().
 */
const StmtFacts *router_analyze(const char *sql, size_t len);

/* Keep facts alive beyond the next router_analyze(); pair with release. */
const StmtFacts *router_facts_retain(const StmtFacts *facts);
void		router_facts_release(const StmtFacts *facts);

/*
 * Bound the per-process cache: at most max_entries texts and max_bytes of
 * memory; texts longer than max_text_len are analysed but not cached.
 * 0 keeps a bound's current value.  Shrinking evicts at once.
 */
void		router_cache_configure(int max_entries, size_t max_bytes, size_t max_text_len);

/* Drop every cached entry (retained facts stay valid until released). */
void		router_cache_reset(void);

/* Allocate the cache's fixed parts now (a child calls it at start). */
void		router_cache_prepare(void);

typedef struct RouterCacheStats
{
	uint64_t	hits;
	uint64_t	misses;
	uint64_t	evictions;
	int			entries;
	size_t		bytes;
} RouterCacheStats;

void		router_cache_stats(RouterCacheStats *out);

/* ---------------------------------------------------------------------------
 * Routing
 * ------------------------------------------------------------------------- */

typedef enum RouterTarget
{
	ROUTER_TARGET_PRIMARY = 0,	/* the primary only */
	ROUTER_TARGET_LOAD_BALANCE_NODE,	/* the session's load-balance node */
	ROUTER_TARGET_ALL_NODES,	/* every node this session uses */
	ROUTER_TARGET_ALL_NODES_IN_TRANSACTION, /* every node with an open transaction */
	ROUTER_TARGET_MAIN_NODE,	/* raw mode: the main node */
	ROUTER_TARGET_PGPOOL		/* pgpool answers (SHOW pool_*) */
} RouterTarget;

/* Configuration the rules read; built once per configuration load. */
typedef struct RouterConfig RouterConfig;

/*
 * The rule tables, one per kind of cluster; the clustering-mode strategy
 * says which its sessions use.
 */
typedef enum RouterRuleSet
{
	ROUTER_RULES_RAW = 0,		/* everything to the main node */
	ROUTER_RULES_PRIMARY_STANDBY,	/* writes to the primary, reads balanced */
	ROUTER_RULES_REPLICATION	/* writes to every node, reads balanced */
} RouterRuleSet;

/*
 * Compile the routing settings of cfg for the rule table rules:
 * load_balance_mode, replicate_select,
 * statement_level_load_balance, disable_load_balance_on_write,
 * allow_sql_comments, ignore_leading_white_space, check_temp_table,
 * check_unlogged_table, and the read_only_function_list /
 * write_function_list regexes (a bad pattern is reported and skipped).
 */
RouterConfig *router_config_create(const struct PoolConfig *cfg, RouterRuleSet rules);
void		router_config_free(RouterConfig *rc);

#define ROUTER_DML_MAX 16		/* objects dml_adaptive remembers per transaction */
#define ROUTER_DML_NAME_LEN 68

/* Routing state of one session, kept by router_session_* */
typedef struct RouterSession
{
	bool		in_transaction; /* explicit transaction block open */
	bool		write_in_transaction;	/* a write ran in this transaction */
	bool		write_in_session;	/* a write ran earlier in this session */
	bool		failed_in_transaction;	/* some node reported an error in this transaction */
	/* dml_adaptive: tables (and "f()" calls) written in this transaction */
	char		dml_written[ROUTER_DML_MAX][ROUTER_DML_NAME_LEN];
	int			ndml_written;
	bool		dml_write_unknown;	/* a write that names no object: everything counts */
	RouterIsolation txn_isolation;	/* named for the current transaction */
	RouterIsolation session_isolation;	/* default_transaction_isolation */
} RouterSession;

/* Questions the relay answers from the catalog (or its temp table trace) */
typedef enum RouterRelQuestion
{
	ROUTER_REL_IS_TEMP = 0,
	ROUTER_REL_IS_UNLOGGED,
	ROUTER_REL_IS_SEQUENCE		/* relkind 'S': reading one shows node-local state */
} RouterRelQuestion;

typedef bool (*RouterRelCheck) (void *arg, const RouterRel *rel, RouterRelQuestion q);

typedef struct RouterCtx
{
	const RouterConfig *config;
	const RouterSession *session;
	const StmtFacts *prepared;	/* EXECUTE: facts of the PREPAREd statement, or NULL */
	RouterRelCheck rel_check;	/* check_temp_table / check_unlogged_table /
								 * sequences; NULL: never */
	void	   *rel_check_arg;

	/*
	 * With both function lists empty: the worst volatility among the
	 * functions the statement calls, as the catalog says ('i' immutable,
	 * 's' stable, 'v' volatile: the statement goes to the primary and
	 * counts as a write).  0: not looked up (the rule does not apply); the
	 * caller looks it up when router_volatility_facts() says so and passes
	 * 'v' when the catalog cannot be asked now.
	 */
	char		volatility;

	/*
	 * The session created a temporary object (table, view, sequence, type,
	 * domain, pg_temp function) and has not run DISCARD TEMP/ALL since: its
	 * reads go to the primary (unless check_temp_table = none), as such
	 * objects hide in literals, casts and inheritance where no parser sees
	 * them.
	 */
	bool		temp_objects;
} RouterCtx;

typedef struct RouterDecision
{
	RouterTarget target;
	bool		is_write;		/* counts as a write (router_session_note) */
	bool		new_node;		/* statement_level_load_balance: choose a node now */
	const char *rule;			/* name of the deciding rule, e.g. "for_update" */
	const char *reason;			/* short explanation for logs */
	const RouterRel *rel;		/* relation behind a temp/unlogged/catalog decision */
} RouterDecision;

/*
 * Decide where the statement goes.  Pure: reads facts, configuration and
 * session state (and asks ctx->rel_check about relations when
 * check_temp_table / check_unlogged_table are on); changes nothing.
 */
RouterDecision router_route(const StmtFacts *facts, const RouterCtx *ctx);

/*
 * The facts whose functions' volatility the rules need (the statement's,
 * or the PREPAREd one's for EXECUTE), or NULL when routing does not depend
 * on it: a function list is set, the statement calls no function, or it is
 * routed to the primary as a write anyway.  ctx->volatility is not read.
 */
const StmtFacts *router_volatility_facts(const StmtFacts *facts, const RouterCtx *ctx);

/* ---------------------------------------------------------------------------
 * Session routing state
 * ------------------------------------------------------------------------- */

void		router_session_init(RouterSession *s);

/*
 * Record a statement as it is sent, with its decision: writes, transaction
 * boundaries (BEGIN, COMMIT/ROLLBACK [AND CHAIN], PREPARE TRANSACTION),
 * isolation levels named by BEGIN / SET TRANSACTION / SET SESSION
 * CHARACTERISTICS / SET default_transaction_isolation, and their RESET /
 * DISCARD ALL.  ReadyForQuery (router_session_txn_status) then confirms or
 * corrects the transaction state.
 */
void		router_session_note(RouterSession *s, const StmtFacts *facts,
								const RouterDecision *d);

/*
 * Transaction status from ReadyForQuery ('I' idle, 'T' in a transaction,
 * 'E' failed transaction); authoritative.  Idle forgets the transaction's
 * writes and isolation level (a write outside an explicit transaction
 * counts for statements pipelined after it until its ReadyForQuery).
 */
void		router_session_txn_status(RouterSession *s, char status);

/*
 * Pick a load-balance node by weight among the eligible ones (up, not over
 * delay_threshold, ...).  r is a random number in [0, 1).  Nodes with weight
 * 0 are never chosen.  Returns the node index, or -1 if no eligible node has
 * a positive weight (use the primary then).
 */
int			router_choose_load_balance_node(const double *weights, const bool *eligible,
											int n, double r);

const char *router_stmt_kind_name(RouterStmtKind kind);
const char *router_target_name(RouterTarget target);

#endif
