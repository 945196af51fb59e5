/*
 * router_text.c: text-level facts the parse tree cannot show, because the
 * parser drops comments and white space: does the text start with white
 * space or a comment (ignore_leading_white_space, allow_sql_comments), and
 * does a comment carry a hint: NO LOAD BALANCE, INSERT LOCK or NO INSERT
 * LOCK (insert_lock in native replication), NO QUERY CACHE or FORCE QUERY
 * CACHE (the query cache).
 *
 * Runs in children on a cache miss.  The scanner knows just enough SQL
 * lexing (quoted strings, E'' strings, quoted identifiers, dollar quotes,
 * nested block comments) that a hint inside a string literal is not taken
 * for a comment.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "router_int.h"

/* Comment hints and the flags they set */
static const struct
{
	const char *text;
	uint32_t	flag;
}			hints[] = {
	{"NO LOAD BALANCE", ROUTER_F_NO_LOAD_BALANCE},
	{"INSERT LOCK", ROUTER_F_INSERT_LOCK_HINT},
	{"NO INSERT LOCK", ROUTER_F_NO_INSERT_LOCK_HINT},
	{"NO QUERY CACHE", ROUTER_F_NO_QUERY_CACHE},
	{"FORCE QUERY CACHE", ROUTER_F_FORCE_QUERY_CACHE},
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Characters that may continue an identifier (PostgreSQL's ident_cont). */
static bool
is_ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '$' || (unsigned char) c >= 0x80;
}

static bool
is_ident_start(char c)
{
	return isalpha((unsigned char) c) || c == '_' || (unsigned char) c >= 0x80;
}

/* The flag of the hint the comment body [s, s+n) is (any case, white space around), or 0. */
static uint32_t
body_hint(const char *s, size_t n)
{
	while (n > 0 && is_space(*s))
		s++, n--;
	while (n > 0 && is_space(s[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (n == strlen(hints[i].text) && strncasecmp(s, hints[i].text, n) == 0)
			return hints[i].flag;
	return 0;
}

/* Skip a block comment starting at p ("/\*"); nested like PostgreSQL's. */
static const char *
skip_block_comment(const char *p, const char *end, uint32_t *hint)
{
	const char *body = p + 2;
	int			depth = 1;

	p += 2;
	while (p < end && depth > 0)
	{
		if (p + 1 < end && p[0] == '/' && p[1] == '*')
			depth++, p += 2;
		else if (p + 1 < end && p[0] == '*' && p[1] == '/')
		{
			depth--;
			if (depth == 0)
				*hint |= body_hint(body, (size_t) (p - body));
			p += 2;
		}
		else
			p++;
	}
	return p;
}

/* Skip a quoted string or identifier; quote doubled inside, backslash if escapes. */
static const char *
skip_quoted(const char *p, const char *end, char quote, bool escapes)
{
	p++;
	while (p < end)
	{
		if (escapes && *p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == quote)
		{
			if (p + 1 < end && p[1] == quote)
				p += 2;
			else
				return p + 1;
		}
		else
			p++;
	}
	return end;
}

/*
 * At a '$' that starts a dollar quote ($$ or $tag$), skip to after the
 * closing delimiter; otherwise (a $1 parameter) step over the '$'.
 */
static const char *
skip_dollar(const char *p, const char *end)
{
	const char *t = p + 1;
	size_t		taglen;

	if (t < end && is_ident_start(*t))
	{
		while (t < end && is_ident_char(*t) && *t != '$')
			t++;
	}
	if (t >= end || *t != '$')
		return p + 1;
	taglen = (size_t) (t - p + 1);
	for (t = t + 1; t + taglen <= end; t++)
	{
		if (*t == '$' && memcmp(t, p, taglen) == 0)
			return t + taglen;
	}
	return end;
}

/* Scan the whole text for comments; the flags of the hints they carry. */
static uint32_t
scan_for_hints(const char *p, const char *end)
{
	uint32_t	hint = 0;

	while (p < end)
	{
		char		c = *p;

		if (c == '-' && p + 1 < end && p[1] == '-')
		{
			const char *nl = memchr(p, '\n', (size_t) (end - p));

			p = nl ? nl + 1 : end;
		}
		else if (c == '/' && p + 1 < end && p[1] == '*')
			p = skip_block_comment(p, end, &hint);
		else if (c == '\'')
			p = skip_quoted(p, end, '\'', false);
		else if (c == '"')
			p = skip_quoted(p, end, '"', false);
		else if ((c == 'e' || c == 'E') && p + 1 < end && p[1] == '\'')
			p = skip_quoted(p + 1, end, '\'', true);
		else if (c == '$')
			p = skip_dollar(p, end);
		else if (is_ident_char(c))
		{
			/* a whole word: a '$' or an E inside it starts nothing */
			while (p < end && is_ident_char(*p))
				p++;
		}
		else
			p++;
	}
	return hint;
}

uint32_t
router_text_flags(const char *text, size_t len)
{
	const char *p = text,
			   *end = text + len;
	uint32_t	flags = 0;

	if (p < end && is_space(*p))
	{
		flags |= ROUTER_F_LEADING_SPACE;
		while (p < end && is_space(*p))
			p++;
	}
	if (p + 1 < end && ((p[0] == '/' && p[1] == '*') || (p[0] == '-' && p[1] == '-')))
		flags |= ROUTER_F_LEADING_COMMENT;

	/* Most statements have no block comment at all: skip the scan. */
	if (memmem(text, len, "/*", 2) != NULL)
		flags |= scan_for_hints(text, end);
	return flags;
}
