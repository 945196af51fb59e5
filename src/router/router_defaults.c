/*
 * router_defaults.c: a table's columns and defaults for the timestamp
 * rewrite and insert_lock: the catalog query, and the TableDefaults built
 * from its rows.
 *
 * Pure text in, structures out (no I/O): the session layer runs the query
 * over its own backend connection and hands over the rows.  Each default
 * is parsed once here ("SELECT <default>", libpg_query) to find its time
 * calls, kept as edits against the default's text so that a rewrite only
 * splices the literal in, and its nextval() calls (serial columns).
 *
 * Runs in children.  Server headers: the rules of router_walk.c apply.
 */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "pg_query.h"
#include "pg_query/pg_query_internal.h"
#include "utils/builtins.h"

#include "router_rw.h"
#include "utils/str.h"

#define DEFAULT_PREFIX "SELECT "

enum
{
	COL_NAME = 0,
	COL_DEFAULT,
	COL_IDENTITY,
	COL_GENERATED
};

/* E'...' literal: works whatever standard_conforming_strings says */
static void
append_e_literal(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t		need = *len + 2 * strlen(s) + 4;

	if (need > *cap)
	{
		*cap = need * 2;
		*buf = mem_realloc(*buf, *cap);
	}
	(*buf)[(*len)++] = 'E';
	(*buf)[(*len)++] = '\'';
	for (; *s; s++)
	{
		if (*s == '\'' || *s == '\\')
			(*buf)[(*len)++] = *s;
		(*buf)[(*len)++] = *s;
	}
	(*buf)[(*len)++] = '\'';
	(*buf)[*len] = '\0';
}

static void
append_text(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t		n = strlen(s);

	if (*len + n + 1 > *cap)
	{
		*cap = (*len + n + 1) * 2;
		*buf = mem_realloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

char *
router_table_defaults_query(const char *schema, const char *table)
{
	char	   *buf = NULL;
	size_t		len = 0,
				cap = 0;

	append_text(&buf, &len, &cap,
				"SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid), "
				"a.attidentity, a.attgenerated "
				"FROM pg_catalog.pg_attribute a "
				"LEFT JOIN pg_catalog.pg_attrdef d "
				"ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
				"WHERE a.attrelid = pg_catalog.to_regclass(");
	if (schema != NULL)
	{
		append_text(&buf, &len, &cap, "pg_catalog.quote_ident(");
		append_e_literal(&buf, &len, &cap, schema);
		append_text(&buf, &len, &cap, ") || '.' || ");
	}
	append_text(&buf, &len, &cap, "pg_catalog.quote_ident(");
	append_e_literal(&buf, &len, &cap, table ? table : "");
	append_text(&buf, &len, &cap,
				")) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
	return buf;
}

/*
 * Parse one default: its time edits (offsets into the default's own text)
 * and whether it calls nextval().  A default the grammar rejects (never
 * from pg_get_expr) is taken as plain.
 */
static void
scan_default(RouterColumn *col)
{
	size_t		n = strlen(col->default_expr),
				plen = strlen(DEFAULT_PREFIX);
	char	   *text = mem_alloc(plen + n + 1);
	RouterRewriteInfo info;
	RwEdits    *edits = mem_alloc0(sizeof(RwEdits));
	RwCtx		c;
	MemoryContext mcxt;
	PgQueryInternalParsetreeAndError r;
	int			i;

	memcpy(text, DEFAULT_PREFIX, plen);
	memcpy(text + plen, col->default_expr, n + 1);
	memset(&c, 0, sizeof(c));
	memset(&info, 0, sizeof(info));
	c.text = text;
	c.len = c.stmt_end = plen + n;
	c.edits = edits;
	c.info = &info;
	c.in_dml = 1;				/* a default is evaluated by the INSERT */

	mcxt = pg_query_enter_memory_context();
	r = pg_query_raw_parse(text);
	if (r.error != NULL)
		pg_query_free_error(r.error);
	else if (list_length(r.tree) == 1)
		router_rw_walk(&c, ((RawStmt *) linitial(r.tree))->stmt);
	free(r.stderr_buffer);
	pg_query_exit_memory_context(mcxt);

	for (i = 0; i < edits->n; i++)
	{
		edits->v[i].start -= plen;
		edits->v[i].end -= plen;
	}
	router_rw_edits_sort(edits);
	if (c.serial)
		col->flags |= ROUTER_COL_SERIAL;
	if (edits->n > 0 && !c.too_deep)
		col->flags |= ROUTER_COL_TIME_DEFAULT;
	if (col->flags & ROUTER_COL_TIME_DEFAULT)
		col->time_edits = edits;
	else
	{
		router_rw_edits_free(edits);
		free(edits);
	}
	free(text);
}

/* attname as an SQL identifier, quoted where PostgreSQL would quote it */
static char *
ident_of(const char *name)
{
	MemoryContext mcxt = pg_query_enter_memory_context();
	char	   *s = str_dup(quote_identifier(name));

	pg_query_exit_memory_context(mcxt);
	return s;
}

TableDefaults *
router_table_defaults_from_rows(int nrows, const char *const *cells)
{
	TableDefaults *td = mem_alloc0(sizeof(TableDefaults));
	int			r;

	if (nrows <= 0 || cells == NULL)
		return td;
	td->columns = mem_alloc0(sizeof(RouterColumn) * (size_t) nrows);
	for (r = 0; r < nrows; r++)
	{
		const char *const *row = cells + (size_t) r * ROUTER_TABLE_DEFAULTS_NCOLS;
		RouterColumn *col = &td->columns[td->ncolumns];

		if (row[COL_NAME] == NULL)
			continue;
		col->name = str_dup(row[COL_NAME]);
		col->ident = ident_of(col->name);
		if (row[COL_IDENTITY] != NULL && row[COL_IDENTITY][0] != '\0')
			col->flags |= ROUTER_COL_IDENTITY | ROUTER_COL_SERIAL;
		if (row[COL_GENERATED] != NULL && row[COL_GENERATED][0] != '\0')
			col->flags |= ROUTER_COL_GENERATED;
		if (row[COL_DEFAULT] != NULL)
		{
			col->default_expr = str_dup(row[COL_DEFAULT]);
			if (!(col->flags & ROUTER_COL_GENERATED))
				scan_default(col);
		}
		td->flags |= col->flags;
		td->ncolumns++;
	}
	return td;
}

void
router_table_defaults_free(TableDefaults *td)
{
	int			i;

	if (td == NULL)
		return;
	for (i = 0; i < td->ncolumns; i++)
	{
		RouterColumn *col = &td->columns[i];

		free(col->name);
		free(col->ident);
		free(col->default_expr);
		if (col->time_edits != NULL)
		{
			router_rw_edits_free(col->time_edits);
			free(col->time_edits);
		}
	}
	free(td->columns);
	free(td);
}

bool
router_table_defaults_has_serial(const TableDefaults *td)
{
	return td != NULL && (td->flags & ROUTER_COL_SERIAL) != 0;
}

bool
router_table_defaults_has_time_default(const TableDefaults *td)
{
	return td != NULL && (td->flags & ROUTER_COL_TIME_DEFAULT) != 0;
}
