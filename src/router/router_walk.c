/*
 * router_walk.c: facts from the raw parse tree of a query (SELECT, INSERT,
 * UPDATE, DELETE, MERGE and whatever they nest): functions called,
 * relations named, FOR UPDATE/SHARE, SELECT INTO, writable CTEs, clock
 * reads inside DML (for the timestamp rewrite), INSERT targets.
 *
 * Runs in children on a cache miss, inside router_parse_text()'s libpg_query
 * memory context.  Descends with PostgreSQL's own raw_expression_tree_walker
 * so every expression node type of the PostgreSQL 15 grammar is covered;
 * MERGE is taken apart here because a MERGE nested in WITH (rejected later
 * by the server, not by the grammar) is not a node that walker expects.
 *
 * Only this file and router_parse.c include PostgreSQL's server headers.
 * Nothing here touches PostgreSQL's globals: libpg_query keeps them
 * thread-local, and these headers declare them as plain externs.
 */
#include "postgres.h"

#include <string.h>

#include "catalog/pg_class_d.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

#include "router_int.h"
#include "router_rw.h"

/*
 * libpg_query leaves PostgreSQL's stack depth check unarmed, so the walk
 * counts its own depth: "1+1+...+1" nests one level per term.  50,000
 * levels fit in a default 8 MB stack; past the limit the rest of the tree
 * is not looked at and the statement is taken for a write (primary).
 */
#define MAX_WALK_DEPTH 10000

typedef struct WalkCtx
{
	RouterBuild *b;
	Node	   *top;			/* the statement itself: its DML is no CTE */
	bool		executes;		/* false under EXPLAIN without ANALYZE, in views */
	int			depth;
	int			in_dml;			/* INSERT/UPDATE/DELETE/MERGE nodes above */
} WalkCtx;

static bool walk_node(Node *node, WalkCtx *w);

/* The String value of a name list element, or NULL. */
static const char *
name_str(Node *n)
{
	return (n != NULL && IsA(n, String)) ? strVal(n) : NULL;
}

static bool
is_system_schema(const char *schema)
{
	return strcmp(schema, "pg_catalog") == 0 ||
		strcmp(schema, "information_schema") == 0 ||
		strncmp(schema, "pg_toast", 8) == 0;
}

/*
 * Flags a relation name implies by itself.  An unqualified pg_* name
 * resolves to pg_catalog first on any search_path (pg_catalog is searched
 * first unless listed later explicitly), so it counts as a catalog.
 */
static uint8_t
name_flags(const char *schema, const char *name)
{
	if (schema != NULL)
	{
		if (is_system_schema(schema))
			return ROUTER_REL_SYSTEM;
		if (strncmp(schema, "pg_temp", 7) == 0)
			return ROUTER_REL_TEMP;
		return 0;
	}
	return strncmp(name, "pg_", 3) == 0 ? ROUTER_REL_SYSTEM : 0;
}

/* Record a relation given by schema and name (DROP lists, ...). */
static void
add_named_rel(RouterBuild *b, const char *schema, const char *name, uint8_t flags)
{
	if (name == NULL)
		return;
	flags |= name_flags(schema, name);
	if (flags & ROUTER_REL_SYSTEM)
		b->flags |= ROUTER_F_SYSTEM_CATALOG;
	if ((flags & ROUTER_REL_CREATED) && (flags & ROUTER_REL_TEMP))
		b->flags |= ROUTER_F_TEMP_OBJECT;
	if ((flags & ROUTER_REL_CREATED) && (flags & ROUTER_REL_UNLOGGED))
		b->flags |= ROUTER_F_UNLOGGED_OBJECT;
	router_build_add_rel(b, schema, name, flags);
}

void
router_walk_relation(RouterBuild *b, void *rangevar, uint8_t flags)
{
	RangeVar   *rv = (RangeVar *) rangevar;

	if (rv == NULL || !IsA(rv, RangeVar))
		return;
	if (flags & ROUTER_REL_CREATED)
	{
		if (rv->relpersistence == RELPERSISTENCE_TEMP)
			flags |= ROUTER_REL_TEMP;
		else if (rv->relpersistence == RELPERSISTENCE_UNLOGGED)
			flags |= ROUTER_REL_UNLOGGED;
	}
	add_named_rel(b, rv->schemaname, rv->relname, flags);
}

/*
 * Record a function call; SQL-syntax calls (EXTRACT, SUBSTRING ...) are not
 * user calls.  Under EXPLAIN without ANALYZE nothing runs, but the calls are
 * recorded all the same (pgpool-II routes such an EXPLAIN by them), without
 * the write flag.
 */
static void
note_func(WalkCtx *w, FuncCall *fc)
{
	const char *name = NULL,
			   *schema = NULL;
	int			n = list_length(fc->funcname);

	if ((!w->executes && !w->b->explain_only) || fc->funcformat == COERCE_SQL_SYNTAX || n == 0)
		return;
	name = name_str(llast(fc->funcname));
	if (n >= 2)
		schema = name_str(list_nth(fc->funcname, n - 2));
	if (name == NULL)
		return;
	router_build_add_func(w->b, schema, name);
	if ((schema == NULL || strcmp(schema, "pg_catalog") == 0) &&
		strcmp(name, "pg_terminate_backend") == 0 && list_length(fc->args) >= 1 &&
		IsA(linitial(fc->args), A_Const) && !((A_Const *) linitial(fc->args))->isnull &&
		IsA(&((A_Const *) linitial(fc->args))->val, Integer))
		w->b->terminate_pid = intVal(&((A_Const *) linitial(fc->args))->val);
	if ((schema == NULL || strcmp(schema, "pg_catalog") == 0) &&
		(strcmp(name, "nextval") == 0 || strcmp(name, "setval") == 0))
		w->b->flags |= ROUTER_F_SEQUENCE_FUNC | (w->executes ? ROUTER_F_WRITE : 0);
}

static void
note_select(WalkCtx *w, SelectStmt *s)
{
	if (s->lockingClause != NIL && w->executes)
		w->b->flags |= ROUTER_F_FOR_UPDATE | ROUTER_F_WRITE;
	if (s->intoClause != NULL)
	{
		if (w->executes)
			w->b->flags |= ROUTER_F_SELECT_INTO | ROUTER_F_WRITE;
		router_walk_relation(w->b, s->intoClause->rel, ROUTER_REL_CREATED);
	}
}

/* A data-modifying statement: the top one, or one nested in WITH. */
static void
note_dml(WalkCtx *w, Node *node, RangeVar *target, uint8_t flags)
{
	if (node != w->top && w->executes)
		w->b->flags |= ROUTER_F_WRITABLE_CTE | ROUTER_F_WRITE;
	router_walk_relation(w->b, target, ROUTER_REL_WRITTEN | flags);
}

/*
 * now(), CURRENT_DATE, 'now'::date ...: in DML the timestamp rewrite's
 * business; anywhere, a result the query cache must not keep.
 */
static void
note_time(WalkCtx *w, Node *node)
{
	if (!router_ts_is_time_node(node))
		return;
	w->b->flags |= ROUTER_F_READS_CLOCK;
	if (w->in_dml > 0 && w->executes)
		w->b->flags |= ROUTER_F_TIME_FUNC;
}

/* MERGE by hand: see the file header. */
static bool
walk_merge(MergeStmt *m, WalkCtx *w)
{
	ListCell   *lc;

	bool		stop;

	note_dml(w, (Node *) m, m->relation, 0);
	w->in_dml++;
	stop = walk_node((Node *) m->withClause, w) ||
		walk_node(m->sourceRelation, w) ||
		walk_node(m->joinCondition, w);
	foreach(lc, m->mergeWhenClauses)
	{
		MergeWhenClause *mw = (MergeWhenClause *) lfirst(lc);

		if (stop || !IsA(mw, MergeWhenClause))
			continue;
		stop = walk_node(mw->condition, w) ||
			walk_node((Node *) mw->targetList, w) ||
			walk_node((Node *) mw->values, w);
	}
	w->in_dml--;
	return stop;
}

/* The walker callback: note what matters, then let PostgreSQL descend. */
static bool
walk_node(Node *node, WalkCtx *w)
{
	bool		result,
				dml = false;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncCall:
			note_func(w, (FuncCall *) node);
			note_time(w, node);
			break;
		case T_SQLValueFunction:
		case T_TypeCast:
			note_time(w, node);
			break;
		case T_RangeVar:
			router_walk_relation(w->b, node, 0);
			return false;		/* only an alias below */
		case T_SelectStmt:
			note_select(w, (SelectStmt *) node);
			break;
		case T_InsertStmt:
			note_dml(w, node, ((InsertStmt *) node)->relation,
					 ROUTER_REL_INSERTED | ROUTER_REL_DEFAULTS);
			dml = true;
			break;
		case T_UpdateStmt:
			note_dml(w, node, ((UpdateStmt *) node)->relation,
					 router_ts_targets_use_default(((UpdateStmt *) node)->targetList) ?
					 ROUTER_REL_DEFAULTS : 0);
			dml = true;
			break;
		case T_DeleteStmt:
			note_dml(w, node, ((DeleteStmt *) node)->relation, 0);
			dml = true;
			break;
		case T_MergeStmt:
			return walk_merge((MergeStmt *) node, w);
		case T_CommonTableExpr:
			router_build_add_cte(w->b, ((CommonTableExpr *) node)->ctename);
			break;
		case T_LockingClause:
			return false;		/* names aliases, not relations */
		default:
			break;
	}
	if (w->depth >= MAX_WALK_DEPTH)
	{
		w->b->flags |= ROUTER_F_WRITE;
		return true;			/* stop the whole walk */
	}
	w->depth++;
	w->in_dml += dml;
	result = raw_expression_tree_walker(node, walk_node, w);
	w->in_dml -= dml;
	w->depth--;
	return result;
}

void
router_walk_query(RouterBuild *b, void *node, bool executes)
{
	WalkCtx		w;

	w.b = b;
	w.top = (Node *) node;
	w.executes = executes;
	w.depth = 0;
	w.in_dml = 0;
	(void) walk_node((Node *) node, &w);
}

/* DROP TABLE/VIEW/SEQUENCE a, s.b: objects are lists of String. */
void
router_walk_drop_names(RouterBuild *b, void *objects)
{
	ListCell   *lc;

	foreach(lc, (List *) objects)
	{
		List	   *names = (List *) lfirst(lc);
		int			n;

		if (names == NIL || !IsA(names, List))
			continue;
		n = list_length(names);
		add_named_rel(b, n >= 2 ? name_str(list_nth(names, n - 2)) : NULL,
					  name_str(llast(names)), ROUTER_REL_DROPPED);
	}
}
