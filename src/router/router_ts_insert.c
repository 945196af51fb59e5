/*
 * router_ts_insert.c: column defaults in the timestamp rewrite.  An INSERT
 * that leaves out a column whose default reads the clock (c2 timestamp
 * DEFAULT now()), or names DEFAULT for it, gets the default written out
 * with its time calls replaced, so every node stores the same value:
 *
 *   INSERT INTO rel1(c1) VALUES (1)
 *     -> INSERT INTO rel1(c1, c2) VALUES (1, 'lit'::timestamptz)
 *
 * Also multi-row VALUES, no column list (the table's columns in order),
 * INSERT ... SELECT (simple SELECTs), DEFAULT VALUES, and SET c = DEFAULT
 * in UPDATE and ON CONFLICT DO UPDATE.  Serial, identity and generated
 * columns are never touched.
 *
 * Runs in children inside router_rewrite_timestamps()'s walk (libpg_query
 * memory context; server headers, same rules as router_walk.c).  The
 * table's columns come from the caller's RouterDefaultsCb.  Positions come
 * from the lexer (router_rwtext.c) starting at locations of the tree.
 */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

#include "router_rw.h"
#include "utils/str.h"

typedef enum PlanResult
{
	PLAN_OK,
	PLAN_SKIP,					/* leave alone: the server will reject it anyway */
	PLAN_NOT_REWRITABLE			/* leave alone and say so */
} PlanResult;

typedef struct InsPlan
{
	RwCtx	   *c;
	InsertStmt *ins;
	SelectStmt *sel;			/* NULL: DEFAULT VALUES */
	const TableDefaults *td;
	int		   *tc;				/* column of each value position */
	int			ntc;
	int		   *miss;			/* time-default columns the INSERT leaves out */
	int			nmiss;
	const char *reason;
} InsPlan;

static RwTok
lex(RwCtx *c, size_t pos)
{
	RwTok		t = router_rw_lex(c->text, c->len, pos);

	if (t.start >= c->stmt_end)
		t.kind = RW_TOK_EOF;
	return t;
}

static int
col_index(const TableDefaults *td, const char *name)
{
	int			i;

	for (i = 0; name != NULL && i < td->ncolumns; i++)
		if (strcmp(td->columns[i].name, name) == 0)
			return i;
	return -1;
}

static bool
col_is_time(const TableDefaults *td, int i)
{
	uint8_t		f;

	if (i < 0 || i >= td->ncolumns)
		return false;
	f = td->columns[i].flags;
	return (f & ROUTER_COL_TIME_DEFAULT) &&
		!(f & (ROUTER_COL_SERIAL | ROUTER_COL_IDENTITY | ROUTER_COL_GENERATED));
}

void
router_ts_append_default(RwCtx *c, const RouterColumn *col)
{
	char	   *s;
	size_t		n;

	if (col->default_expr == NULL)
		return;
	if (col->time_edits == NULL || col->time_edits->n == 0 || c->lit == NULL)
	{
		router_rw_edit_appends(c->edits, col->default_expr);
		return;
	}
	s = router_rw_splice(col->default_expr, strlen(col->default_expr),
						 col->time_edits, c->lit, &n);
	router_rw_edit_append(c->edits, s, n);
	free(s);
}

/* Replace the DEFAULT keyword at loc by column i's rewritten default */
static void
replace_default(RwCtx *c, const TableDefaults *td, int i, int loc)
{
	RwTok		t;

	if (loc < 0)
		return;
	t = lex(c, (size_t) loc);
	if (!router_rw_is(c->text, &t, "DEFAULT"))
		return;
	router_rw_edit_add(c->edits, t.start, t.end, false);
	router_ts_append_default(c, &td->columns[i]);
	c->info->defaults++;
}

/* The value a SET target assigns: (a, b) = (DEFAULT, 1) included */
static Node *
set_value(ResTarget *rt)
{
	Node	   *v = rt->val;

	if (v != NULL && IsA(v, MultiAssignRef))
	{
		MultiAssignRef *m = (MultiAssignRef *) v;

		if (m->source == NULL || !IsA(m->source, RowExpr) ||
			m->colno < 1 || m->colno > list_length(((RowExpr *) m->source)->args))
			return NULL;
		v = list_nth(((RowExpr *) m->source)->args, m->colno - 1);
	}
	return v;
}

bool
router_ts_targets_use_default(const void *target_list)
{
	ListCell   *lc;

	foreach(lc, (List *) target_list)
	{
		ResTarget  *rt = (ResTarget *) lfirst(lc);
		Node	   *v;

		if (IsA(rt, ResTarget) && (v = set_value(rt)) != NULL && IsA(v, SetToDefault))
			return true;
	}
	return false;
}

static void
set_defaults(RwCtx *c, const TableDefaults *td, List *targets)
{
	ListCell   *lc;

	foreach(lc, targets)
	{
		ResTarget  *rt = (ResTarget *) lfirst(lc);
		Node	   *v;
		int			i;

		if (!IsA(rt, ResTarget) || (v = set_value(rt)) == NULL || !IsA(v, SetToDefault))
			continue;
		i = col_index(td, rt->name);
		if (col_is_time(td, i))
			replace_default(c, td, i, ((SetToDefault *) v)->location);
	}
}

/* The table's defaults if some of them read the clock, else NULL */
static const TableDefaults *
time_defaults(RwCtx *c, RangeVar *rv)
{
	const TableDefaults *td = NULL;

	if (c->cb == NULL || c->lit == NULL || rv == NULL || rv->relname == NULL)
		return NULL;
	if (!c->cb(c->cb_arg, rv->schemaname, rv->relname, &td) || td == NULL ||
		!(td->flags & ROUTER_COL_TIME_DEFAULT))
		return NULL;
	return td;
}

void
router_ts_update_defaults(RwCtx *c, void *rangevar, void *target_list)
{
	const TableDefaults *td;

	if (target_list == NIL || !router_ts_targets_use_default(target_list))
		return;
	if ((td = time_defaults(c, (RangeVar *) rangevar)) != NULL)
		set_defaults(c, td, (List *) target_list);
}

/* ---- which columns the INSERT names ------------------------------------------ */

static bool
has_star(List *targets)
{
	ListCell   *lc;

	foreach(lc, targets)
	{
		ResTarget  *rt = (ResTarget *) lfirst(lc);

		if (IsA(rt, ResTarget) && rt->val != NULL && IsA(rt->val, ColumnRef) &&
			IsA(llast(((ColumnRef *) rt->val)->fields), A_Star))
			return true;
	}
	return false;
}

/* Values per row without a column list, or -1 */
static int
source_width(InsPlan *p)
{
	SelectStmt *s = p->sel;
	ListCell   *lc;
	int			k;

	if (s == NULL)
		return 0;
	if (s->valuesLists != NIL)
	{
		k = list_length(linitial(s->valuesLists));
		foreach(lc, s->valuesLists)
			if (list_length(lfirst(lc)) != k)
				return -1;
		return k;
	}
	while (s->op != SETOP_NONE && s->larg != NULL)
		s = s->larg;
	if (has_star(s->targetList))
	{
		p->reason = "INSERT ... SELECT * without a column list";
		return -1;
	}
	return list_length(s->targetList);
}

static PlanResult
plan_columns(InsPlan *p)
{
	const TableDefaults *td = p->td;
	ListCell   *lc;
	int			i,
				j,
				k;

	p->tc = mem_alloc(sizeof(int) * (size_t) (td->ncolumns + list_length(p->ins->cols) + 1));
	p->miss = mem_alloc(sizeof(int) * (size_t) (td->ncolumns + 1));
	if (p->ins->cols != NIL)
	{
		foreach(lc, p->ins->cols)
			if ((p->tc[p->ntc++] = col_index(td, ((ResTarget *) lfirst(lc))->name)) < 0)
				return PLAN_SKIP;
	}
	else
	{
		if ((k = source_width(p)) < 0)
			return p->reason ? PLAN_NOT_REWRITABLE : PLAN_SKIP;
		if (k > td->ncolumns)
			return PLAN_SKIP;
		for (i = 0; i < k; i++)
			p->tc[p->ntc++] = i;
	}
	for (j = 0; j < td->ncolumns; j++)
	{
		if (!col_is_time(td, j))
			continue;
		for (i = 0; i < p->ntc && p->tc[i] != j; i++)
			;
		if (i == p->ntc)
			p->miss[p->nmiss++] = j;
	}
	return PLAN_OK;
}

/* DEFAULT in VALUES for a time-default column */
static void
plan_default_keywords(InsPlan *p)
{
	ListCell   *row,
			   *lc;

	if (p->sel == NULL)
		return;
	foreach(row, p->sel->valuesLists)
	{
		int			i = 0;

		foreach(lc, (List *) lfirst(row))
		{
			Node	   *v = lfirst(lc);

			if (v != NULL && IsA(v, SetToDefault) && i < p->ntc && col_is_time(p->td, p->tc[i]))
				replace_default(p->c, p->td, p->tc[i], ((SetToDefault *) v)->location);
			i++;
		}
	}
}

/* ---- where the text goes ------------------------------------------------------ */

/* End of the relation name and its alias (INSERT INTO s.t AS x) */
static bool
relation_end(RwCtx *c, RangeVar *rv, size_t *end)
{
	RwTok		t,
				n;

	if (rv->location < 0)
		return false;
	t = lex(c, (size_t) rv->location);
	if (t.kind != RW_TOK_WORD && t.kind != RW_TOK_QIDENT)
		return false;
	*end = t.end;
	for (;;)
	{
		n = lex(c, *end);
		if (!router_rw_is(c->text, &n, ".") && !router_rw_is(c->text, &n, "AS"))
			return true;
		t = lex(c, n.end);
		*end = t.end;
	}
}

static void
append_idents(RwCtx *c, const TableDefaults *td, const int *cols, int n, bool comma)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		if (comma || i > 0)
			router_rw_edit_appends(c->edits, ", ");
		router_rw_edit_appends(c->edits, td->columns[cols[i]].ident);
	}
}

static void
append_miss_values(InsPlan *p, bool comma)
{
	int			i;

	for (i = 0; i < p->nmiss; i++)
	{
		if (comma || i > 0)
			router_rw_edit_appends(p->c->edits, ", ");
		router_ts_append_default(p->c, &p->td->columns[p->miss[i]]);
		p->c->info->defaults++;
	}
}

/* The source's SELECT or VALUES keyword, past leading '(' and a WITH clause */
static bool
find_source_keyword(RwCtx *c, size_t pos, const char *kw, RwTok *out)
{
	int			depth = 0,
				base = 0;
	bool		leading = true;
	RwTok		t = {RW_TOK_EOF, pos, pos};

	for (;;)
	{
		t = lex(c, t.end);
		if (t.kind == RW_TOK_EOF)
			return false;
		if (router_rw_is(c->text, &t, "("))
		{
			depth++;
			if (leading)
				base = depth;
			continue;
		}
		leading = false;
		if (router_rw_is(c->text, &t, ")") && --depth < base)
			return false;
		if (depth == base && router_rw_is(c->text, &t, kw))
		{
			*out = t;
			return true;
		}
	}
}

/* Each VALUES row gets the missing defaults before its ')' */
static bool
plan_values_rows(InsPlan *p, const RwTok *values)
{
	RwCtx	   *c = p->c;
	RwTok		t = *values,
				close;
	size_t		inner;
	int			rows = 0;

	for (;;)
	{
		t = lex(c, t.end);
		if (!router_rw_is(c->text, &t, "(") ||
			!router_rw_match_paren(c->text, c->len, &t, &close, &inner))
			return false;
		router_rw_edit_add(c->edits, inner, inner, false);
		append_miss_values(p, true);
		rows++;
		t = lex(c, close.end);
		if (!router_rw_is(c->text, &t, ","))
			break;
	}
	return rows == list_length(p->sel->valuesLists);
}

/* Does the word t end a SELECT's target list?  prev: the token before it */
static bool
ends_targets(const char *text, const RwTok *t, const RwTok *prev)
{
	static const char *const words[] = {
		"FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET",
		"FETCH", "FOR", "ON", "RETURNING", "INTO", "UNION", "INTERSECT", "EXCEPT", NULL
	};
	int			i;

	if (router_rw_is(text, t, ";"))
		return true;
	if (t->kind != RW_TOK_WORD || router_rw_is(text, prev, "AS"))
		return false;			/* a column label may be any keyword */
	if (router_rw_is(text, t, "ON") && router_rw_is(text, prev, "DISTINCT"))
		return false;
	if (router_rw_is(text, t, "GROUP") && router_rw_is(text, prev, "WITHIN"))
		return false;
	for (i = 0; words[i]; i++)
		if (router_rw_is(text, t, words[i]))
			return true;
	return false;
}

/* INSERT ... SELECT: the missing defaults go after the last target */
static bool
plan_select_targets(InsPlan *p, const RwTok *select)
{
	RwCtx	   *c = p->c;
	RwTok		t = *select,
				prev = *select;
	size_t		last = select->end;
	int			depth = 0;

	if (p->sel->targetList == NIL)
		return false;
	for (;;)
	{
		t = lex(c, t.end);
		if (t.kind == RW_TOK_EOF)
			break;
		if (router_rw_is(c->text, &t, "(") || router_rw_is(c->text, &t, "["))
			depth++;
		else if (router_rw_is(c->text, &t, ")") || router_rw_is(c->text, &t, "]"))
		{
			if (depth-- == 0)
				break;
		}
		else if (depth == 0 && ends_targets(c->text, &t, &prev))
			break;
		last = t.end;
		prev = t;
	}
	router_rw_edit_add(c->edits, last, last, false);
	append_miss_values(p, true);
	return true;
}

/* The column list and the values for the missing columns */
static PlanResult
plan_text(InsPlan *p)
{
	RwCtx	   *c = p->c;
	RwTok		t,
				close,
				kw;
	size_t		relend,
				inner;

	if (!relation_end(c, p->ins->relation, &relend))
		return PLAN_SKIP;
	t = lex(c, relend);
	if (p->ins->cols != NIL)
	{
		if (!router_rw_is(c->text, &t, "(") ||
			!router_rw_match_paren(c->text, c->len, &t, &close, &inner))
			return PLAN_SKIP;
		router_rw_edit_add(c->edits, inner, inner, false);
		append_idents(c, p->td, p->miss, p->nmiss, true);
		t = lex(c, close.end);
	}
	if (p->sel == NULL)
	{
		kw = lex(c, t.end);
		if (!router_rw_is(c->text, &t, "DEFAULT") || !router_rw_is(c->text, &kw, "VALUES"))
			return PLAN_SKIP;
		router_rw_edit_add(c->edits, t.start, kw.end, false);
		router_rw_edit_appends(c->edits, "(");
		append_idents(c, p->td, p->miss, p->nmiss, false);
		router_rw_edit_appends(c->edits, ") VALUES (");
		append_miss_values(p, false);
		router_rw_edit_appends(c->edits, ")");
		return PLAN_OK;
	}
	if (p->ins->cols == NIL)
	{
		router_rw_edit_add(c->edits, relend, relend, false);
		router_rw_edit_appends(c->edits, " (");
		append_idents(c, p->td, p->tc, p->ntc, false);
		append_idents(c, p->td, p->miss, p->nmiss, p->ntc > 0);
		router_rw_edit_appends(c->edits, ")");
	}
	if (p->sel->valuesLists != NIL)
		return find_source_keyword(c, t.start, "VALUES", &kw) &&
			plan_values_rows(p, &kw) ? PLAN_OK : PLAN_SKIP;
	if (p->sel->op != SETOP_NONE)
	{
		p->reason = "INSERT ... SELECT with UNION, INTERSECT or EXCEPT";
		return PLAN_NOT_REWRITABLE;
	}
	if (!find_source_keyword(c, t.start, "SELECT", &kw) || !plan_select_targets(p, &kw))
	{
		p->reason = "INSERT source is not a simple SELECT";
		return PLAN_NOT_REWRITABLE;
	}
	return PLAN_OK;
}

void
router_ts_insert_defaults(RwCtx *c, void *insert_stmt)
{
	InsertStmt *ins = (InsertStmt *) insert_stmt;
	InsPlan		p;
	PlanResult	r;
	int			saved,
				saved_defaults;

	memset(&p, 0, sizeof(p));
	if ((p.td = time_defaults(c, ins->relation)) == NULL)
		return;
	if (ins->onConflictClause != NULL && ins->onConflictClause->action == ONCONFLICT_UPDATE)
		set_defaults(c, p.td, ins->onConflictClause->targetList);
	p.c = c;
	p.ins = ins;
	p.sel = (SelectStmt *) ins->selectStmt;
	if (p.sel != NULL && !IsA(p.sel, SelectStmt))
		return;
	saved = c->edits->n;
	saved_defaults = c->info->defaults;
	r = plan_columns(&p);
	if (r == PLAN_OK)
	{
		plan_default_keywords(&p);
		if (p.nmiss > 0)
			r = plan_text(&p);
	}
	if (r != PLAN_OK)
	{
		c->edits->n = saved;	/* all or nothing for this INSERT */
		c->info->defaults = saved_defaults;
		if (r == PLAN_NOT_REWRITABLE)
		{
			c->info->not_rewritable++;
			c->info->reason = p.reason;
		}
	}
	free(p.tc);
	free(p.miss);
}
