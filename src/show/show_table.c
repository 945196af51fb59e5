/*
 * show_table.c: write a SHOW result as a self-contained SQL query.
 *
 * Every value becomes a text literal, so the backend needs no table and no
 * function: "SELECT * FROM (VALUES ('a','b'),(...)) AS t("x","y")", or,
 * with no row, "SELECT NULL::text AS "x", ... WHERE false" (VALUES cannot
 * be empty).  Literals are quoted so that no value can end its literal
 * early whatever the session's standard_conforming_strings says.
 * Memory: appends to the caller's PqBuf.
 */
#include "show_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
show_table_begin(ShowTable *t, PqBuf *sql, const char *const *cols, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->sql = sql;
	t->cols = cols;
	t->ncols = ncols;
}

static void
put_text(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* A column name as a quoted identifier (names are ours, but quote anyway). */
static void
put_ident(PqBuf *b, const char *name)
{
	pqbuf_put_byte(b, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"')
			pqbuf_put_byte(b, '"');
		pqbuf_put_byte(b, (uint8_t) *p);
	}
	pqbuf_put_byte(b, '"');
}

void
show_row_begin(ShowTable *t)
{
	put_text(t->sql, t->nrows == 0 ? "SELECT * FROM (VALUES (" : ",(");
	t->col = 0;
}

/*
 * A plain '...' literal needs only doubled quotes when it holds no
 * backslash; with one, E'...' (backslashes doubled) reads the same whether
 * standard_conforming_strings is on or off.  Control characters are
 * written as escapes so the query text stays one clean line per value.
 */
void
show_quote_literal(PqBuf *sql, const char *value)
{
	bool		escape = false;

	for (const unsigned char *p = (const unsigned char *) value; *p; p++)
		if (*p == '\\' || *p < 0x20 || *p == 0x7f)
		{
			escape = true;
			break;
		}
	if (escape)
		pqbuf_put_byte(sql, 'E');
	pqbuf_put_byte(sql, '\'');
	for (const unsigned char *p = (const unsigned char *) value; *p; p++)
	{
		if (*p == '\'')
			put_text(sql, "''");
		else if (*p == '\\')
			put_text(sql, "\\\\");
		else if (*p < 0x20 || *p == 0x7f)
		{
			char		hex[8];

			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			put_text(sql, hex);
		}
		else
			pqbuf_put_byte(sql, *p);
	}
	pqbuf_put_byte(sql, '\'');
}

void
show_value(ShowTable *t, const char *value)
{
	if (t->col > 0)
		pqbuf_put_byte(t->sql, ',');
	if (value == NULL)
		put_text(t->sql, "NULL");
	else
		show_quote_literal(t->sql, value);
	t->col++;
}

void
show_valuef(ShowTable *t, const char *fmt,...)
{
	char		buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	show_value(t, buf);
}

void
show_row_end(ShowTable *t)
{
	/* a writer that forgot a column must not shift the others */
	while (t->col < t->ncols)
		show_value(t, NULL);
	pqbuf_put_byte(t->sql, ')');
	t->nrows++;
}

void
show_table_end(ShowTable *t)
{
	if (t->nrows > 0)
	{
		put_text(t->sql, ") AS t(");
		for (int i = 0; i < t->ncols; i++)
		{
			if (i > 0)
				pqbuf_put_byte(t->sql, ',');
			put_ident(t->sql, t->cols[i]);
		}
		pqbuf_put_byte(t->sql, ')');
		return;
	}
	put_text(t->sql, "SELECT ");
	for (int i = 0; i < t->ncols; i++)
	{
		if (i > 0)
			pqbuf_put_byte(t->sql, ',');
		put_text(t->sql, "NULL::text AS ");
		put_ident(t->sql, t->cols[i]);
	}
	put_text(t->sql, " WHERE false");
}

const char *
show_format_time(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
	{
		if (len > 0)
			buf[0] = '\0';
	}
	return buf;
}
