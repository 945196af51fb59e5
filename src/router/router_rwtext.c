/*
 * router_rwtext.c: the text side of the timestamp rewrite: a small SQL
 * lexer (to find where a token the parse tree points at ends, and the
 * parentheses of column lists and VALUES rows), edit lists, and splicing
 * edits into the original text.
 *
 * Runs in children, only for statements the rewrite changes.  Plain C, no
 * PostgreSQL headers.  The parse tree gives start locations only; the
 * lexer supplies the ends.  It only ever sees text libpg_query accepted,
 * so it needs no error handling: it follows PostgreSQL's scanner with
 * standard_conforming_strings on, as libpg_query does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "router_rw.h"
#include "utils/str.h"

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool
is_ident_start(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
}

static bool
is_ident_char(unsigned char ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9') || ch == '$';
}

/* Skip white space and comments (-- to end of line, nested slash-star) */
static size_t
skip_space(const char *s, size_t len, size_t i)
{
	while (i < len)
	{
		if (is_space(s[i]))
			i++;
		else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
		{
			while (i < len && s[i] != '\n')
				i++;
		}
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
		{
			int			depth = 0;

			do
			{
				if (s[i] == '/' && i + 1 < len && s[i + 1] == '*')
					depth++, i += 2;
				else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			} while (i < len && depth > 0);
		}
		else
			break;
	}
	return i;
}

/* From the opening quote q at i: past the closing one; doubled quotes stay inside */
static size_t
skip_quoted(const char *s, size_t len, size_t i, char q, bool backslash)
{
	for (i++; i < len; i++)
	{
		if (backslash && s[i] == '\\')
			i++;
		else if (s[i] == q)
		{
			if (i + 1 < len && s[i + 1] == q)
				i++;
			else
				return i + 1;
		}
	}
	return len;
}

/* $tag$...$tag$ from i (at '$'), or 0 if this '$' starts no dollar quote */
static size_t
skip_dollar(const char *s, size_t len, size_t i)
{
	size_t		j = i + 1,
				taglen;

	if (j < len && is_ident_start((unsigned char) s[j]))
		while (j < len && is_ident_char((unsigned char) s[j]) && s[j] != '$')
			j++;
	if (j >= len || s[j] != '$')
		return 0;
	taglen = j + 1 - i;
	for (j++; j + taglen <= len; j++)
		if (s[j] == '$' && memcmp(s + j, s + i, taglen) == 0)
			return j + taglen;
	return len;
}

static size_t
skip_number(const char *s, size_t len, size_t i)
{
	while (i < len)
	{
		char		ch = s[i];

		if ((ch == 'e' || ch == 'E') && i + 1 < len && (s[i + 1] == '+' || s[i + 1] == '-'))
			i += 2;
		else if (is_ident_char((unsigned char) ch) || ch == '.')
		{
			if (ch == '.' && i + 1 < len && s[i + 1] == '.')
				break;
			i++;
		}
		else
			break;
	}
	return i;
}

/* A word at i: a string or identifier with a prefix (E'', U&'', U&""), or a word */
static RwTok
lex_word(const char *s, size_t len, size_t i)
{
	RwTok		t = {RW_TOK_WORD, i, i};
	char		c0 = s[i];
	size_t		j = i;

	if (i + 1 < len && s[i + 1] == '\'' && strchr("eEbBxXnN", c0) != NULL)
	{
		t.kind = RW_TOK_STRING;
		t.end = skip_quoted(s, len, i + 1, '\'', c0 == 'e' || c0 == 'E');
		return t;
	}
	if ((c0 == 'u' || c0 == 'U') && i + 2 < len && s[i + 1] == '&' &&
		(s[i + 2] == '\'' || s[i + 2] == '"'))
	{
		t.kind = s[i + 2] == '"' ? RW_TOK_QIDENT : RW_TOK_STRING;
		t.end = skip_quoted(s, len, i + 2, s[i + 2], false);
		return t;
	}
	while (j < len && is_ident_char((unsigned char) s[j]))
		j++;
	t.end = j;
	return t;
}

RwTok
router_rw_lex(const char *s, size_t len, size_t pos)
{
	RwTok		t;
	size_t		i = skip_space(s, len, pos),
				e;

	t.start = t.end = i;
	t.kind = RW_TOK_EOF;
	if (i >= len)
		return t;
	if (is_ident_start((unsigned char) s[i]))
		return lex_word(s, len, i);
	switch (s[i])
	{
		case '\'':
			t.kind = RW_TOK_STRING;
			t.end = skip_quoted(s, len, i, '\'', false);
			return t;
		case '"':
			t.kind = RW_TOK_QIDENT;
			t.end = skip_quoted(s, len, i, '"', false);
			return t;
		case '$':
			if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
			{
				t.kind = RW_TOK_PARAM;
				t.end = skip_number(s, len, i + 1);
				return t;
			}
			if ((e = skip_dollar(s, len, i)) != 0)
			{
				t.kind = RW_TOK_STRING;
				t.end = e;
				return t;
			}
			break;
		default:
			if ((s[i] >= '0' && s[i] <= '9') ||
				(s[i] == '.' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9'))
			{
				t.kind = RW_TOK_NUMBER;
				t.end = skip_number(s, len, i);
				return t;
			}
			break;
	}
	t.kind = RW_TOK_CHAR;
	t.end = i + 1;
	return t;
}

bool
router_rw_is(const char *text, const RwTok *t, const char *word)
{
	size_t		n = strlen(word);

	if (t->kind == RW_TOK_CHAR)
		return n == 1 && text[t->start] == word[0];
	return t->kind == RW_TOK_WORD && t->end - t->start == n &&
		strncasecmp(text + t->start, word, n) == 0;
}

bool
router_rw_match_paren(const char *text, size_t len, const RwTok *open,
					  RwTok *close, size_t *inner_end)
{
	int			depth = 1;
	size_t		last = open->end;
	RwTok		t = *open;

	for (;;)
	{
		t = router_rw_lex(text, len, t.end);
		if (t.kind == RW_TOK_EOF)
			return false;
		if (t.kind == RW_TOK_CHAR && (text[t.start] == '(' || text[t.start] == '['))
			depth++;
		else if (t.kind == RW_TOK_CHAR && (text[t.start] == ')' || text[t.start] == ']'))
		{
			if (--depth == 0)
			{
				*close = t;
				*inner_end = last;
				return true;
			}
		}
		last = t.end;
	}
}

size_t
router_rw_string_end(const char *text, size_t len, const RwTok *t)
{
	size_t		end = t->end;

	/* 'a' <newline> 'b' is one literal: continuation needs a newline between */
	for (;;)
	{
		RwTok		n = router_rw_lex(text, len, end);

		if (n.kind != RW_TOK_STRING || text[n.start] != '\'' ||
			memchr(text + end, '\n', n.start - end) == NULL)
			return end;
		end = n.end;
	}
}

/* ---- edits --------------------------------------------------------------- */

void
router_rw_edits_init(RwEdits *e)
{
	memset(e, 0, sizeof(*e));
}

void
router_rw_edits_free(RwEdits *e)
{
	free(e->v);
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

void
router_rw_edit_add(RwEdits *e, size_t start, size_t end, bool lit)
{
	RwEdit	   *d;

	if (e->n == e->cap)
	{
		e->cap = e->cap ? e->cap * 2 : 8;
		e->v = mem_realloc(e->v, (size_t) e->cap * sizeof(RwEdit));
	}
	d = &e->v[e->n];
	d->start = start;
	d->end = end;
	d->lit = lit;
	d->off = e->buf_len;
	d->n = 0;
	d->seq = e->n++;
}

void
router_rw_edit_append(RwEdits *e, const char *s, size_t n)
{
	if (e->n == 0)
		return;
	if (e->buf_len + n > e->buf_cap)
	{
		size_t		cap = e->buf_cap ? e->buf_cap * 2 : 256;

		while (cap < e->buf_len + n)
			cap *= 2;
		e->buf = mem_realloc(e->buf, cap);
		e->buf_cap = cap;
	}
	memcpy(e->buf + e->buf_len, s, n);
	e->buf_len += n;
	e->v[e->n - 1].n += n;
}

void
router_rw_edit_appends(RwEdits *e, const char *s)
{
	router_rw_edit_append(e, s, strlen(s));
}

static int
edit_cmp(const void *a, const void *b)
{
	const RwEdit *x = a,
			   *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->seq - y->seq;
}

void
router_rw_edits_sort(RwEdits *e)
{
	if (e->n > 1)
		qsort(e->v, (size_t) e->n, sizeof(RwEdit), edit_cmp);
}

char *
router_rw_splice(const char *text, size_t len, const RwEdits *e, const char *lit,
				 size_t *out_len)
{
	size_t		litlen = lit ? strlen(lit) : 0,
				cap = len + 1,
				pos = 0,
				o = 0;
	char	   *out;
	int			i;

	for (i = 0; i < e->n; i++)
		cap += e->v[i].n + (e->v[i].lit ? litlen : 0);
	out = mem_alloc(cap);
	for (i = 0; i < e->n; i++)
	{
		const RwEdit *d = &e->v[i];

		if (d->start < pos || d->end > len)
			continue;			/* overlaps an edit already applied */
		memcpy(out + o, text + pos, d->start - pos);
		o += d->start - pos;
		if (d->lit)
		{
			memcpy(out + o, lit, litlen);
			o += litlen;
		}
		memcpy(out + o, e->buf + d->off, d->n);
		o += d->n;
		pos = d->end;
	}
	memcpy(out + o, text + pos, len - pos);
	o += len - pos;
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return out;
}

char *
router_rw_quote_literal(const char *s)
{
	size_t		n = strlen(s),
				o = 0;
	char	   *out = mem_alloc(2 * n + 3);

	out[o++] = '\'';
	for (; *s; s++)
	{
		if (*s == '\'')
			out[o++] = '\'';
		out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}
