/*
 * router_rules.c: where a statement goes, as an ordered table of named
 * rules per clustering mode; the first rule that applies decides.
 *
 * Used by children for every statement (simple and extended protocol).
 * Pure: reads the facts, the compiled configuration and the session's
 * routing state; the only call out is ctx->rel_check, which answers
 * check_temp_table / check_unlogged_table questions from the relay's
 * catalog cache.  Whether the statement counts as a write (for
 * disable_load_balance_on_write) is decided apart from the target, so the
 * order of the rules never changes it.
 *
 * The rules follow the manual's load-balancing conditions: a statement is
 * load balanced only if it reads (SELECT, SHOW, EXPLAIN, COPY TO STDOUT),
 * has no FOR UPDATE/SHARE or INTO, no writable CTE, calls no writing
 * function, is not a multi-statement query, carries no NO LOAD BALANCE
 * hint nor (without allow_sql_comments) a leading comment, does not run
 * in a SERIALIZABLE transaction or after a write that
 * disable_load_balance_on_write says must keep reads on the primary, and
 * reads no system catalog, temporary or unlogged table.
 */
#include <stddef.h>
#include <string.h>

#include "config/config.h"
#include "router_int.h"

/* What the rules look at, prepared once per statement. */
typedef struct RouteIn
{
	const StmtFacts *facts;		/* the statement text's facts */
	const StmtFacts *q;			/* the query that runs: facts, or the PREPAREd
								 * statement's for EXECUTE */
	RouterStmtKind kind;		/* effective kind (EXECUTE: the prepared one) */
	uint32_t	flags;			/* effective flags */
	const RouterCtx *ctx;
	const RouterSettings *s;
	const RouterSession *sess;
	const char *write_func;		/* first function the lists say writes */
	const char *state_func;		/* first node-state function (txid_current, ...) */
	bool		state_func_writes;	/* ... one of them assigns a transaction id */
	bool		volatile_func;	/* lists empty and the catalog says volatile */
	const RouterRel *rel;		/* set by a rule that decides on a relation */
} RouteIn;

static bool
kind_in(RouterStmtKind k, const RouterStmtKind *set, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (set[i] == k)
			return true;
	return false;
}

#define KIND_IN(k, ...) \
	kind_in((k), (const RouterStmtKind[]){__VA_ARGS__}, \
			(int) (sizeof((const RouterStmtKind[]){__VA_ARGS__}) / sizeof(RouterStmtKind)))

/* ---- statement rules ------------------------------------------------------ */

static bool
r_always(RouteIn *in)
{
	(void) in;
	return true;
}

static bool
r_unparsable(RouteIn *in)
{
	return in->kind == ROUTER_STMT_UNPARSABLE;
}

static bool
r_show_pool(RouteIn *in)
{
	return in->facts->kind == ROUTER_STMT_SHOW_POOL && in->facts->nstmts == 1;
}

static bool
r_multi(RouteIn *in)
{
	return (in->flags & ROUTER_F_MULTI) != 0;
}

static bool
r_empty(RouteIn *in)
{
	return in->kind == ROUTER_STMT_EMPTY;
}

/*
 * BEGIN ... SERIALIZABLE / READ WRITE: a standby refuses it; the session
 * sends it as written to the primary and a plain BEGIN to the others.
 */
static bool
r_begin_primary_only_options(RouteIn *in)
{
	return in->kind == ROUTER_STMT_BEGIN &&
		(in->facts->isolation == ROUTER_ISO_SERIALIZABLE || (in->flags & ROUTER_F_READ_WRITE));
}

/* SQL PREPARE in the replicating modes: every node, as before. */
static bool
r_prepare_replicated(RouteIn *in)
{
	return in->facts->kind == ROUTER_STMT_PREPARE;
}

/*
 * After a write in the transaction, reads stay on the primary: session
 * state and savepoints go there only (the session replays session SETs
 * on the other nodes once the transaction commits).
 */
static bool
r_state_after_write(RouteIn *in)
{
	return in->sess->in_transaction && in->sess->write_in_transaction &&
		KIND_IN(in->kind, ROUTER_STMT_SET, ROUTER_STMT_RESET,
				ROUTER_STMT_SET_SESSION_CHARACTERISTICS, ROUTER_STMT_SAVEPOINT,
				ROUTER_STMT_RELEASE, ROUTER_STMT_ROLLBACK_TO);
}

static bool
r_begin(RouteIn *in)
{
	return in->kind == ROUTER_STMT_BEGIN;
}

static bool
r_transaction_control(RouteIn *in)
{
	return KIND_IN(in->kind, ROUTER_STMT_COMMIT, ROUTER_STMT_ROLLBACK,
				   ROUTER_STMT_SAVEPOINT, ROUTER_STMT_RELEASE, ROUTER_STMT_ROLLBACK_TO);
}

static bool
r_two_phase(RouteIn *in)
{
	return KIND_IN(in->kind, ROUTER_STMT_PREPARE_TRANSACTION,
				   ROUTER_STMT_COMMIT_PREPARED, ROUTER_STMT_ROLLBACK_PREPARED);
}

/* A standby refuses SET TRANSACTION ISOLATION LEVEL SERIALIZABLE and SNAPSHOT. */
static bool
r_set_transaction_primary(RouteIn *in)
{
	const StmtFacts *f = in->facts;

	return in->kind == ROUTER_STMT_SET_TRANSACTION &&
		(f->isolation == ROUTER_ISO_SERIALIZABLE || (in->flags & ROUTER_F_READ_WRITE) ||
		 (f->name != NULL && strcmp(f->name, "TRANSACTION SNAPSHOT") == 0));
}

static bool
r_session_state(RouteIn *in)
{
	return KIND_IN(in->kind, ROUTER_STMT_SET, ROUTER_STMT_SET_TRANSACTION,
				   ROUTER_STMT_SET_SESSION_CHARACTERISTICS, ROUTER_STMT_RESET,
				   ROUTER_STMT_DISCARD, ROUTER_STMT_DEALLOCATE,
				   ROUTER_STMT_LOAD);
}

static bool
r_notification(RouteIn *in)
{
	return KIND_IN(in->kind, ROUTER_STMT_LISTEN, ROUTER_STMT_UNLISTEN, ROUTER_STMT_NOTIFY);
}

static bool
r_execute_unknown(RouteIn *in)
{
	return in->kind == ROUTER_STMT_EXECUTE;	/* still EXECUTE: nothing prepared */
}

static bool
r_cursor(RouteIn *in)
{
	return KIND_IN(in->kind, ROUTER_STMT_DECLARE_CURSOR, ROUTER_STMT_FETCH,
				   ROUTER_STMT_CLOSE_CURSOR);
}

/* ---- write rules ----------------------------------------------------------- */

static bool
r_for_update(RouteIn *in)
{
	return (in->flags & ROUTER_F_FOR_UPDATE) != 0;
}

static bool
r_select_into(RouteIn *in)
{
	return (in->flags & ROUTER_F_SELECT_INTO) != 0;
}

static bool
r_writable_cte(RouteIn *in)
{
	return (in->flags & ROUTER_F_WRITABLE_CTE) != 0;
}

static bool
r_sequence_function(RouteIn *in)
{
	return (in->flags & ROUTER_F_SEQUENCE_FUNC) != 0;
}

static bool
r_write_function(RouteIn *in)
{
	return in->write_func != NULL;
}

/* txid_current(), pg_backend_pid(), currval() ...: the answer is the node's own */
static bool
r_state_function(RouteIn *in)
{
	return in->state_func != NULL;
}

/* Both lists empty: the catalog's volatility decides (pgpool-II's default). */
static bool
r_volatile_function(RouteIn *in)
{
	return in->volatile_func;
}

static bool
r_write(RouteIn *in)
{
	return (in->flags & ROUTER_F_WRITE) != 0;
}

static bool
r_not_read_only(RouteIn *in)
{
	if (in->kind == ROUTER_STMT_COPY_TO)
		return (in->flags & ROUTER_F_COPY_STDIO) == 0;	/* to a server file */
	return !KIND_IN(in->kind, ROUTER_STMT_SELECT, ROUTER_STMT_SHOW, ROUTER_STMT_EXPLAIN);
}

/*
 * SHOW of a value a standby reports differently: transaction_read_only is
 * always on there, in_hot_standby says which node answered.
 */
static bool
r_show_node_state(RouteIn *in)
{
	const char *name = in->facts->name;

	return in->kind == ROUTER_STMT_SHOW && in->facts->nstmts == 1 && name != NULL &&
		(strncmp(name, "transaction_", 12) == 0 || strcmp(name, "in_hot_standby") == 0 ||
		 strcmp(name, "default_transaction_read_only") == 0 || strcmp(name, "all") == 0);
}

/* primary_routing_query_pattern_list (4.0's black_query_pattern_list) */
static bool
r_primary_routing_pattern(RouteIn *in)
{
	return router_config_primary_routing(in->ctx->config, in->facts->text);
}

/* replicate_select: native replication runs reads on every node too */
static bool
r_replicate_select(RouteIn *in)
{
	return in->s->replicate_select;
}

/* ---- load-balancing conditions --------------------------------------------- */

static bool
r_load_balance_off(RouteIn *in)
{
	return !in->s->load_balance_mode;
}

static bool
r_no_load_balance_hint(RouteIn *in)
{
	return (in->flags & ROUTER_F_NO_LOAD_BALANCE) != 0;
}

static bool
r_leading_comment(RouteIn *in)
{
	return (in->flags & ROUTER_F_LEADING_COMMENT) && !in->s->allow_sql_comments;
}

static bool
r_leading_white_space(RouteIn *in)
{
	return (in->flags & ROUTER_F_LEADING_SPACE) && !in->s->ignore_leading_white_space;
}

/* SERIALIZABLE needs the primary: a standby cannot take such a snapshot. */
static bool
r_serializable(RouteIn *in)
{
	const RouterSession *s = in->sess;
	RouterIsolation iso = s->session_isolation;

	if (s->in_transaction && s->txn_isolation != ROUTER_ISO_DEFAULT)
		iso = s->txn_isolation;
	return iso == ROUTER_ISO_SERIALIZABLE;
}

/* After an error in the transaction, nothing is balanced until it ends. */
static bool
r_failed_in_transaction(RouteIn *in)
{
	return in->sess->in_transaction && in->sess->failed_in_transaction;
}

static bool
r_write_in_transaction(RouteIn *in)
{
	int			mode = in->s->disable_load_balance_on_write;

	if (!in->sess->in_transaction || !in->sess->write_in_transaction)
		return false;
	if (mode == DLBOW_DML_ADAPTIVE)
		return router_dml_reads_written(router_config_dml_relations(in->ctx->config), in->sess, in->q);
	return mode == DLBOW_TRANSACTION;
}

static bool
r_write_in_earlier_transaction(RouteIn *in)
{
	return in->s->disable_load_balance_on_write == DLBOW_TRANS_TRANSACTION &&
		in->sess->in_transaction &&
		(in->sess->write_in_transaction || in->sess->write_in_session);
}

static bool
r_write_in_session(RouteIn *in)
{
	return in->s->disable_load_balance_on_write == DLBOW_ALWAYS &&
		(in->sess->write_in_transaction || in->sess->write_in_session);
}

/* First relation with the given flag, else NULL. */
static const RouterRel *
rel_with(const StmtFacts *f, uint8_t flag)
{
	int			i;

	for (i = 0; i < f->nrels; i++)
		if (f->rels[i].flags & flag)
			return &f->rels[i];
	return NULL;
}

static bool
r_system_catalog(RouteIn *in)
{
	in->rel = rel_with(in->q, ROUTER_REL_SYSTEM);
	return in->rel != NULL;
}

/* Ask the relay about each user relation. */
static bool
ask_relations(RouteIn *in, RouterRelQuestion question)
{
	const StmtFacts *f = in->q;
	int			i;

	if (in->ctx->rel_check == NULL)
		return false;
	for (i = 0; i < f->nrels; i++)
	{
		if (f->rels[i].flags & ROUTER_REL_SYSTEM)
			continue;
		if (in->ctx->rel_check(in->ctx->rel_check_arg, &f->rels[i], question))
		{
			in->rel = &f->rels[i];
			return true;
		}
	}
	return false;
}

static bool
r_temp_table(RouteIn *in)
{
	/* pg_temp.x is temporary whatever check_temp_table says */
	if ((in->rel = rel_with(in->q, ROUTER_REL_TEMP)) != NULL)
		return true;
	return in->s->check_temp_table != CTT_NONE && ask_relations(in, ROUTER_REL_IS_TEMP);
}

static bool
r_session_temp_objects(RouteIn *in)
{
	return in->ctx->temp_objects && in->s->check_temp_table != CTT_NONE;
}

static bool
r_unlogged_table(RouteIn *in)
{
	return in->s->check_unlogged_table && ask_relations(in, ROUTER_REL_IS_UNLOGGED);
}

/* A sequence read shows the node's own state (a standby's runs ahead or behind). */
static bool
r_sequence_relation(RouteIn *in)
{
	return ask_relations(in, ROUTER_REL_IS_SEQUENCE);
}

/* ---- the rule tables ------------------------------------------------------- */

/*
 * One table for the modes with several nodes; each rule names its target
 * in the primary/standby modes (streaming, logical, slony) and in the
 * replicating modes (native replication, snapshot isolation), where a
 * write goes to every node and a read that may not be balanced to the main
 * node.  SKIP: the rule does not exist in that rule set.
 */
#define SKIP ((RouterTarget) -1)
#define PRIMARY ROUTER_TARGET_PRIMARY
#define ALL ROUTER_TARGET_ALL_NODES
#define ALL_IN_TX ROUTER_TARGET_ALL_NODES_IN_TRANSACTION
#define MAIN ROUTER_TARGET_MAIN_NODE
#define LB ROUTER_TARGET_LOAD_BALANCE_NODE
#define PGPOOL ROUTER_TARGET_PGPOOL

typedef struct RouterRuleRow
{
	const char *name;
	bool		(*applies) (RouteIn *in);
	RouterTarget target[2];		/* primary/standby, replicating */
	const char *reason;
} RouterRuleRow;

static const RouterRuleRow several_node_rules[] = {
	{"unparsable", r_unparsable, {PRIMARY, ALL}, "query not understood by the PostgreSQL 15 grammar"},
	{"pgpool_show", r_show_pool, {PGPOOL, PGPOOL}, "SHOW pool_* is answered by pgpool"},
	{"multi_statement", r_multi, {PRIMARY, ALL}, "multi-statement query"},
	{"empty", r_empty, {PRIMARY, MAIN}, "empty query"},
	{"prepare_replicated", r_prepare_replicated, {SKIP, ALL},
	"session state must be the same on every node of the session"},
	{"begin_primary_options", r_begin_primary_only_options, {ALL, SKIP},
	"a standby refuses SERIALIZABLE and READ WRITE: it gets a plain BEGIN"},
	{"state_after_write", r_state_after_write, {PRIMARY, SKIP},
	"after a write in the transaction, session state and savepoints go to the primary"},
	{"begin", r_begin, {ALL, ALL}, "a transaction starts on every node of the session"},
	{"transaction_control", r_transaction_control, {ALL_IN_TX, ALL_IN_TX},
	"transaction control goes to every node with an open transaction"},
	{"two_phase_commit", r_two_phase, {PRIMARY, ALL}, "two-phase commit runs where the writes ran"},
	{"set_transaction_primary", r_set_transaction_primary, {PRIMARY, SKIP},
	"a standby refuses SERIALIZABLE, READ WRITE and snapshot import"},
	{"session_state", r_session_state, {ALL, ALL},
	"session state must be the same on every node of the session"},
	{"notification", r_notification, {PRIMARY, MAIN}, "LISTEN/NOTIFY work on the node taking writes"},
	{"execute_unknown", r_execute_unknown, {PRIMARY, ALL}, "EXECUTE of a statement not known to be read-only"},
	{"cursor", r_cursor, {PRIMARY, MAIN}, "cursors are kept on the node taking writes"},
	{"for_update", r_for_update, {PRIMARY, ALL}, "SELECT ... FOR UPDATE/SHARE locks rows"},
	{"select_into", r_select_into, {PRIMARY, ALL}, "SELECT INTO creates a table"},
	{"writable_cte", r_writable_cte, {PRIMARY, ALL}, "a WITH query modifies data"},
	{"sequence_function", r_sequence_function, {PRIMARY, ALL}, "nextval()/setval() modify a sequence"},
	{"write_function", r_write_function, {PRIMARY, ALL}, "calls a function the function lists say writes"},
	{"backend_state_function", r_state_function, {PRIMARY, MAIN},
	"calls a function that assigns a transaction id or reports the node's own state"},
	{"volatile_function", r_volatile_function, {PRIMARY, ALL},
	"calls a function the catalog marks volatile"},
	{"write", r_write, {PRIMARY, ALL}, "statement writes"},
	{"not_read_only", r_not_read_only, {PRIMARY, ALL},
	"only SELECT, SHOW, EXPLAIN and COPY TO STDOUT are load balanced"},
	{"show_node_state", r_show_node_state, {PRIMARY, SKIP},
	"SHOW of a value that differs between the primary and a standby"},
	{"primary_routing_query_pattern", r_primary_routing_pattern, {PRIMARY, MAIN},
	"the query matches primary_routing_query_pattern_list"},
	{"replicate_select", r_replicate_select, {SKIP, ALL}, "replicate_select is on"},
	{"load_balance_mode_off", r_load_balance_off, {PRIMARY, MAIN}, "load_balance_mode is off"},
	{"no_load_balance_hint", r_no_load_balance_hint, {PRIMARY, MAIN}, "/*NO LOAD BALANCE*/ comment"},
	{"leading_comment", r_leading_comment, {PRIMARY, MAIN},
	"query starts with a comment and allow_sql_comments is off"},
	{"leading_white_space", r_leading_white_space, {PRIMARY, MAIN},
	"query starts with white space and ignore_leading_white_space is off"},
	{"serializable", r_serializable, {PRIMARY, MAIN}, "SERIALIZABLE isolation cannot run on a standby"},
	{"write_in_transaction", r_write_in_transaction, {PRIMARY, MAIN},
	"a write ran earlier in this transaction (disable_load_balance_on_write)"},
	{"write_in_earlier_transaction", r_write_in_earlier_transaction, {PRIMARY, MAIN},
	"a write ran earlier in this session's transactions (disable_load_balance_on_write)"},
	{"write_in_session", r_write_in_session, {PRIMARY, MAIN},
	"a write ran earlier in this session (disable_load_balance_on_write)"},
	{"failed_in_transaction", r_failed_in_transaction, {PRIMARY, MAIN},
	"an error occurred in this transaction: no load balancing until it ends"},
	{"system_catalog", r_system_catalog, {PRIMARY, MAIN}, "reads a system catalog"},
	{"temp_table", r_temp_table, {PRIMARY, MAIN}, "reads a temporary table"},
	{"session_temp_objects", r_session_temp_objects, {PRIMARY, MAIN},
	"the session created temporary objects (until DISCARD TEMP)"},
	{"unlogged_table", r_unlogged_table, {PRIMARY, MAIN}, "reads an unlogged table"},
	{"sequence_relation", r_sequence_relation, {PRIMARY, MAIN}, "reads a sequence"},
	{"load_balance", r_always, {LB, LB}, "read-only query"},
	{NULL}
};

static const RouterRuleRow raw_rules[] = {
	{"pgpool_show", r_show_pool, {PGPOOL, PGPOOL}, "SHOW pool_* is answered by pgpool"},
	{"raw_mode", r_always, {MAIN, MAIN}, "raw mode uses the main node"},
	{NULL}
};

/* ---- routing --------------------------------------------------------------- */

static bool
is_write(const RouteIn *in)
{
	/* PREPARE only stores its query; EXECUTE runs it and is judged by it */
	if (in->facts->kind == ROUTER_STMT_PREPARE && !(in->flags & ROUTER_F_MULTI))
		return false;
	return (in->flags & ROUTER_F_WRITE) || in->write_func != NULL || in->volatile_func ||
		in->state_func_writes;
}

static void
route_input(RouteIn *in, const StmtFacts *facts, const RouterCtx *ctx)
{
	static const RouterSession idle = {0};
	const RouterConfig *rc = ctx->config;

	in->facts = facts;
	in->q = facts;
	in->kind = facts->kind;
	in->flags = facts->flags;
	in->ctx = ctx;
	in->s = router_config_settings(rc);
	in->sess = ctx->session ? ctx->session : &idle;
	in->rel = NULL;
	if (facts->kind == ROUTER_STMT_EXECUTE && facts->nstmts == 1 && ctx->prepared != NULL &&
		ctx->prepared->kind == ROUTER_STMT_PREPARE)
	{
		in->q = ctx->prepared;
		in->kind = ctx->prepared->inner_kind;
		in->flags |= ctx->prepared->flags;
	}
	else if (facts->inner_kind == ROUTER_STMT_EXECUTE && facts->nstmts == 1 &&
			 ctx->prepared != NULL && ctx->prepared->kind == ROUTER_STMT_PREPARE)
	{
		/* EXPLAIN EXECUTE, CREATE TABLE AS EXECUTE: judged by the prepared query too */
		in->q = ctx->prepared;
		in->flags |= ctx->prepared->flags & ~ROUTER_F_MULTI;
	}
	else if (facts->kind == ROUTER_STMT_PREPARE && facts->nstmts == 1)
		in->kind = facts->inner_kind;	/* PREPARE goes where its query would go */
	in->write_func = router_config_first_write_func(rc, in->q);
	if (in->write_func == NULL && in->q != facts)
		in->write_func = router_config_first_write_func(rc, facts);
	in->state_func = router_state_func(in->q, &in->state_func_writes);
	if (in->state_func == NULL && in->q != facts)
		in->state_func = router_state_func(facts, &in->state_func_writes);
	in->volatile_func = ctx->volatility == 'v' && router_config_lists_empty(rc) &&
		(in->q->nfuncs > 0 || facts->nfuncs > 0);
}

/* Statements whose target may still be a load-balanced node. */
static bool
reads_only(const RouteIn *in)
{
	if (in->kind == ROUTER_STMT_COPY_TO)
		return (in->flags & ROUTER_F_COPY_STDIO) != 0;
	return KIND_IN(in->kind, ROUTER_STMT_SELECT, ROUTER_STMT_EXPLAIN);
}

const StmtFacts *
router_volatility_facts(const StmtFacts *facts, const RouterCtx *ctx)
{
	RouteIn		in;

	if (facts == NULL || ctx == NULL || ctx->config == NULL ||
		!router_config_lists_empty(ctx->config))
		return NULL;
	if (facts->nfuncs == 0 && (facts->kind != ROUTER_STMT_EXECUTE || ctx->prepared == NULL))
		return NULL;			/* the hot path: nothing to ask about */
	route_input(&in, facts, ctx);
	in.volatile_func = false;	/* the answer asked for, not yet known */
	if (in.s->rules == ROUTER_RULES_RAW || (in.q->nfuncs == 0 && facts->nfuncs == 0) ||
		!reads_only(&in) || is_write(&in) || in.state_func != NULL ||
		(in.flags & (ROUTER_F_MULTI | ROUTER_F_SEQUENCE_FUNC)))
		return NULL;
	return in.q->nfuncs > 0 ? in.q : facts;
}

RouterDecision
router_route(const StmtFacts *facts, const RouterCtx *ctx)
{
	RouterDecision d = {ROUTER_TARGET_PRIMARY, true, false, "no_config",
	"no routing configuration", NULL};
	const RouterRuleRow *r;
	RouteIn		in;
	int			set;

	if (facts == NULL || ctx == NULL || ctx->config == NULL)
		return d;
	route_input(&in, facts, ctx);
	/* column 0: primary/standby modes, column 1: replicating modes */
	set = in.s->rules == ROUTER_RULES_REPLICATION;
	for (r = in.s->rules == ROUTER_RULES_RAW ? raw_rules : several_node_rules; r->name != NULL; r++)
	{
		if (r->target[set] != SKIP && r->applies(&in))
			break;
	}
	d.target = r->target[set];
	d.rule = r->name;
	d.reason = r->reason;
	d.rel = in.rel;
	d.is_write = is_write(&in);
	d.new_node = d.target == ROUTER_TARGET_LOAD_BALANCE_NODE &&
		in.s->statement_level_load_balance;
	return d;
}
