/*
 * router_timestamp.c: native replication mode's timestamp rewrite:
 * router_rewrite_timestamps() and its cheap pre-check.
 *
 * Runs in children, for writes in native replication mode.  The text is
 * parsed again with libpg_query (pg_query_raw_parse, PostgreSQL 15's
 * grammar) and walked with raw_expression_tree_walker; each clock read
 * inside INSERT/UPDATE/DELETE/MERGE becomes an edit at the node's
 * location (router_rwtext.c finds where its tokens end), INSERT defaults
 * are written out by router_ts_insert.c, and the edits are spliced into
 * the original text: no re-deparse, so everything else keeps its bytes.
 *
 * Includes PostgreSQL's server headers: the rules of router_walk.c apply
 * (no PG_TRY, palloc or PostgreSQL globals here; parse between
 * pg_query_enter_memory_context() and pg_query_exit_memory_context()).
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "pg_query.h"
#include "pg_query/pg_query_internal.h"

#include "router_rw.h"
#include "utils/str.h"

/* As router_walk.c: libpg_query does not arm check_stack_depth() */
#define MAX_RW_DEPTH 10000

static const char *const datetime_types[] = {
	"timestamp", "timestamptz", "date", "time", "timetz", NULL
};
static const char *const text_types[] = {"text", "varchar", "bpchar", NULL};
static const char *const time_funcs[] = {
	"now", "transaction_timestamp", "statement_timestamp", NULL
};

static bool
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The String of a name list element, or "" */
static const char *
name_at(List *names, int i)
{
	Node	   *n = list_nth(names, i);

	return (n != NULL && IsA(n, String)) ? strVal(n) : "";
}

/* A name list [pg_catalog.]name with name in list */
static bool
catalog_name_in(List *names, const char *const *list)
{
	int			n = list_length(names);

	if (n < 1 || n > 2)
		return false;
	if (n == 2 && strcmp(name_at(names, 0), "pg_catalog") != 0)
		return false;
	return in_list(name_at(names, n - 1), list);
}

static bool
type_in(const TypeName *tn, const char *const *list)
{
	return tn != NULL && IsA(tn, TypeName) && !tn->setof && !tn->pct_type &&
		tn->arrayBounds == NIL && catalog_name_in(tn->names, list);
}

/* now(), pg_catalog.now(), transaction_timestamp(), statement_timestamp() */
static bool
is_time_call(const FuncCall *fc)
{
	return fc->args == NIL && fc->agg_order == NIL && fc->agg_filter == NULL &&
		fc->over == NULL && !fc->agg_star && !fc->agg_distinct && !fc->func_variadic &&
		catalog_name_in(fc->funcname, time_funcs);
}

static bool
is_time_svf(const SQLValueFunction *svf)
{
	return svf->op >= SVFOP_CURRENT_DATE && svf->op <= SVFOP_LOCALTIMESTAMP_N;
}

/* 'now', any case, white space around allowed (as the datetime input does) */
static bool
is_now(const char *s)
{
	size_t		n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n == 3 && strncasecmp(s, "now", 3) == 0;
}

/*
 * 'now' cast to a date/time type, directly or through text casts
 * ('now'::text::timestamptz is how pg_get_expr prints such defaults): the
 * constant, and in *holder the cast that holds it.
 */
static A_Const *
now_cast_const(TypeCast *tc, TypeCast **holder)
{
	Node	   *a = tc->arg;
	A_Const    *ac;

	if (!type_in(tc->typeName, datetime_types))
		return NULL;
	*holder = tc;
	while (a != NULL && IsA(a, TypeCast) && type_in(((TypeCast *) a)->typeName, text_types))
	{
		*holder = (TypeCast *) a;
		a = (*holder)->arg;
	}
	if (a == NULL || !IsA(a, A_Const))
		return NULL;
	ac = (A_Const *) a;
	if (ac->isnull || !IsA(&ac->val, String) || !is_now(ac->val.sval.sval))
		return NULL;
	return ac;
}

bool
router_ts_is_time_node(const void *node)
{
	const Node *n = node;
	TypeCast   *holder;

	if (n == NULL)
		return false;
	switch (nodeTag(n))
	{
		case T_FuncCall:
			return is_time_call((const FuncCall *) n);
		case T_SQLValueFunction:
			return is_time_svf((const SQLValueFunction *) n);
		case T_TypeCast:
			return now_cast_const((TypeCast *) n, &holder) != NULL;
		default:
			return false;
	}
}

/* ---- edits for one clock read ---------------------------------------------- */

static void
add_lit_edit(RwCtx *c, size_t start, size_t end, const char *suffix)
{
	router_rw_edit_add(c->edits, start, end, true);
	router_rw_edit_appends(c->edits, suffix);
	c->info->replaced++;
}

/* now() and friends: from the name to the closing parenthesis */
static void
edit_time_call(RwCtx *c, const FuncCall *fc)
{
	RwTok		t;

	if (fc->location < 0)
		return;
	t.end = (size_t) fc->location;
	do
		t = router_rw_lex(c->text, c->len, t.end);
	while (t.kind != RW_TOK_EOF && !router_rw_is(c->text, &t, ")"));
	if (t.kind != RW_TOK_EOF)
		add_lit_edit(c, (size_t) fc->location, t.end, "::timestamptz");
}

/* CURRENT_DATE, CURRENT_TIMESTAMP(3), ...: the keyword, and (p) if given */
static void
edit_time_svf(RwCtx *c, const SQLValueFunction *svf)
{
	static const char *const casts[] = {
		[SVFOP_CURRENT_DATE] = "::timestamptz::date",
		[SVFOP_CURRENT_TIME] = "::timestamptz::timetz",
		[SVFOP_CURRENT_TIME_N] = "::timestamptz::timetz",
		[SVFOP_CURRENT_TIMESTAMP] = "::timestamptz",
		[SVFOP_CURRENT_TIMESTAMP_N] = "::timestamptz",
		[SVFOP_LOCALTIME] = "::timestamptz::time",
		[SVFOP_LOCALTIME_N] = "::timestamptz::time",
		[SVFOP_LOCALTIMESTAMP] = "::timestamptz::timestamp",
		[SVFOP_LOCALTIMESTAMP_N] = "::timestamptz::timestamp",
	};
	char		suffix[64];
	RwTok		t,
				close;
	size_t		end,
				inner;
	bool		with_p = svf->op == SVFOP_CURRENT_TIME_N ||
		svf->op == SVFOP_CURRENT_TIMESTAMP_N || svf->op == SVFOP_LOCALTIME_N ||
		svf->op == SVFOP_LOCALTIMESTAMP_N;

	if (svf->location < 0)
		return;
	t = router_rw_lex(c->text, c->len, (size_t) svf->location);
	end = t.end;
	if (with_p)
	{
		t = router_rw_lex(c->text, c->len, end);
		if (!router_rw_is(c->text, &t, "(") ||
			!router_rw_match_paren(c->text, c->len, &t, &close, &inner))
			return;
		end = close.end;
		snprintf(suffix, sizeof(suffix), "%s(%d)", casts[svf->op], (int) svf->typmod);
	}
	else
		snprintf(suffix, sizeof(suffix), "%s", casts[svf->op]);
	add_lit_edit(c, (size_t) svf->location, end, suffix);
}

/*
 * 'now'::timestamp: the literal becomes 'lit'::timestamptz and the casts
 * stay.  The prefix form (timestamp 'now', whose cast has no location)
 * needs a literal after the type name, so it becomes
 * 'lit'::timestamptz::timestamp as a whole.
 */
static void
edit_now_cast(RwCtx *c, TypeCast *tc)
{
	TypeCast   *holder;
	A_Const    *ac = now_cast_const(tc, &holder);
	RwTok		t;
	size_t		end,
				tstart,
				tend;

	if (ac == NULL || ac->location < 0)
		return;
	t = router_rw_lex(c->text, c->len, (size_t) ac->location);
	if (t.kind != RW_TOK_STRING)
		return;
	end = router_rw_string_end(c->text, c->len, &t);
	if (holder->location >= 0 || holder->typeName->location < 0 ||
		holder->typeName->location >= ac->location)
	{
		add_lit_edit(c, t.start, end, "::timestamptz");
		return;
	}
	tstart = (size_t) holder->typeName->location;
	tend = (size_t) ac->location;
	while (tend > tstart && strchr(" \t\r\n\f\v", c->text[tend - 1]) != NULL)
		tend--;
	add_lit_edit(c, tstart, end, "::timestamptz::");
	router_rw_edit_append(c->edits, c->text + tstart, tend - tstart);
}

/* ---- the walk ---------------------------------------------------------------- */

static bool rw_walk_node(Node *node, RwCtx *c);

/* MERGE by hand, as in router_walk.c */
static bool
rw_walk_merge(MergeStmt *m, RwCtx *c)
{
	ListCell   *lc;
	bool		stop = false;

	c->in_dml++;
	stop = rw_walk_node((Node *) m->withClause, c) ||
		rw_walk_node(m->sourceRelation, c) ||
		rw_walk_node(m->joinCondition, c);
	foreach(lc, m->mergeWhenClauses)
	{
		MergeWhenClause *mw = (MergeWhenClause *) lfirst(lc);

		if (stop || !IsA(mw, MergeWhenClause))
			continue;
		stop = rw_walk_node(mw->condition, c) ||
			rw_walk_node((Node *) mw->targetList, c) ||
			rw_walk_node((Node *) mw->values, c);
	}
	c->in_dml--;
	return stop;
}

/* A node: replace it if it reads the clock (inside DML), else descend */
static bool
rw_walk_node(Node *node, RwCtx *c)
{
	bool		dml = false,
				result;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncCall:
			if (catalog_name_in(((FuncCall *) node)->funcname, (const char *const[]) {"nextval", NULL}))
				c->serial = true;
			if (c->in_dml > 0 && is_time_call((FuncCall *) node))
			{
				edit_time_call(c, (FuncCall *) node);
				return false;
			}
			break;
		case T_SQLValueFunction:
			if (c->in_dml > 0 && is_time_svf((SQLValueFunction *) node))
				edit_time_svf(c, (SQLValueFunction *) node);
			return false;
		case T_TypeCast:
			if (c->in_dml > 0 && router_ts_is_time_node(node))
			{
				edit_now_cast(c, (TypeCast *) node);
				return false;
			}
			break;
		case T_InsertStmt:
			dml = true;
			router_ts_insert_defaults(c, node);
			break;
		case T_UpdateStmt:
			dml = true;
			router_ts_update_defaults(c, ((UpdateStmt *) node)->relation,
									  ((UpdateStmt *) node)->targetList);
			break;
		case T_DeleteStmt:
			dml = true;
			break;
		case T_MergeStmt:
			return rw_walk_merge((MergeStmt *) node, c);
		default:
			break;
	}
	if (c->depth >= MAX_RW_DEPTH)
	{
		c->too_deep = true;
		return true;
	}
	c->depth++;
	c->in_dml += dml;
	result = raw_expression_tree_walker(node, rw_walk_node, c);
	c->in_dml -= dml;
	c->depth--;
	return result;
}

void
router_rw_walk(RwCtx *c, void *node)
{
	(void) rw_walk_node((Node *) node, c);
}

/* Statements whose clock reads the rewrite replaces (a SELECT: in writable CTEs) */
static bool
rewritable(Node *stmt)
{
	return stmt != NULL &&
		(IsA(stmt, InsertStmt) || IsA(stmt, UpdateStmt) || IsA(stmt, DeleteStmt) ||
		 IsA(stmt, MergeStmt) || IsA(stmt, SelectStmt));
}

/* Parse text and collect the edits of each rewritable statement */
static void
collect_edits(RwCtx *c)
{
	MemoryContext mcxt = pg_query_enter_memory_context();
	PgQueryInternalParsetreeAndError r = pg_query_raw_parse(c->text);
	ListCell   *lc;

	if (r.error != NULL)
		pg_query_free_error(r.error);
	else
	{
		foreach(lc, r.tree)
		{
			RawStmt    *rs = (RawStmt *) lfirst(lc);

			if (!rewritable(rs->stmt))
				continue;
			c->stmt_end = rs->stmt_len > 0 ?
				(size_t) (rs->stmt_location + rs->stmt_len) : c->len;
			c->in_dml = 0;
			c->depth = 0;
			router_rw_walk(c, rs->stmt);
		}
	}
	free(r.stderr_buffer);
	pg_query_exit_memory_context(mcxt);
}

char *
router_rewrite_timestamps(const char *sql, size_t len, const char *ts_literal,
						  RouterDefaultsCb defaults_cb, void *cb_arg,
						  RouterRewriteInfo *info)
{
	RouterRewriteInfo scratch;
	RwEdits		edits;
	RwCtx		c;
	char	   *text,
			   *out = NULL;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (sql == NULL || ts_literal == NULL)
		return NULL;
	text = mem_alloc(len + 1);
	memcpy(text, sql, len);
	text[len] = '\0';

	router_rw_edits_init(&edits);
	memset(&c, 0, sizeof(c));
	c.text = text;
	c.len = len;
	c.edits = &edits;
	c.lit = router_rw_quote_literal(ts_literal);
	c.cb = defaults_cb;
	c.cb_arg = cb_arg;
	c.info = info;
	collect_edits(&c);
	if (c.too_deep)
		info->reason = "statement nested too deeply";

	if (edits.n > 0)
	{
		router_rw_edits_sort(&edits);
		out = router_rw_splice(text, len, &edits, c.lit, &info->len);
	}
	router_rw_edits_free(&edits);
	free((char *) c.lit);
	free(text);
	return out;
}

bool
router_rewrite_timestamps_wanted(const StmtFacts *f, RouterDefaultsCb defaults_cb,
								 void *cb_arg)
{
	const TableDefaults *td;
	int			i;

	if (f == NULL)
		return false;
	switch (f->kind)
	{
		case ROUTER_STMT_INSERT:
		case ROUTER_STMT_UPDATE:
		case ROUTER_STMT_DELETE:
		case ROUTER_STMT_MERGE:
			break;
		case ROUTER_STMT_SELECT:
			if (f->flags & (ROUTER_F_WRITABLE_CTE | ROUTER_F_MULTI))
				break;
			return false;
		default:
			if (f->flags & ROUTER_F_MULTI)
				break;
			return false;
	}
	if (f->flags & ROUTER_F_TIME_FUNC)
		return true;
	if (defaults_cb == NULL)
		return false;
	for (i = 0; i < f->nrels; i++)
	{
		const RouterRel *r = &f->rels[i];

		if ((r->flags & ROUTER_REL_DEFAULTS) &&
			defaults_cb(cb_arg, r->schema, r->name, &td) && td != NULL &&
			(td->flags & ROUTER_COL_TIME_DEFAULT))
			return true;
	}
	return false;
}
