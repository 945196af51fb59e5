/*
 * show_detect.c: recognise "SHOW pool_*" in a client's statement text and
 * rewrite the Query or Parse message that carries it.
 *
 * PostgreSQL's parser (libpg_query) decides, so comments, case, quoting and
 * trailing semicolons are handled as the server would.  Parsing is kept
 * off the hot path by a text pre-filter: only texts containing both "show"
 * and "pool_" (any case) reach the parser.  Runs in a child process.
 */
#include "show/show.h"

#include "utils/log.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* A SHOW statement is short; longer texts are not worth parsing. */
#define SHOW_TEXT_MAX 16384

/* Case-insensitive search for a lower-case needle in text[0..len). */
static bool
text_contains(const char *text, size_t len, const char *needle)
{
	size_t		n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
	{
		size_t		k = 0;

		while (k < n && tolower((unsigned char) text[i + k]) == needle[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static bool
skip_literal(const char **p, const char *lit)
{
	size_t		n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool
skip_digits(const char **p)
{
	const char *start = *p;

	while (isdigit((unsigned char) **p))
		(*p)++;
	return *p > start;
}

/*
 * The parse tree of exactly one statement, "SHOW name", in libpg_query's
 * JSON: {"version":N,"stmts":[{"stmt":{"VariableShowStmt":{"name":"X"}}
 * [,"stmt_len":N]}]}.  Anything else (several statements, another
 * statement, a name needing JSON escapes) does not match.
 */
static bool
match_show_tree(const char *json, char *item, size_t cap)
{
	const char *p = json;
	size_t		n = 0;

	if (!skip_literal(&p, "{\"version\":") || !skip_digits(&p) ||
		!skip_literal(&p, ",\"stmts\":[{\"stmt\":{\"VariableShowStmt\":{\"name\":\""))
		return false;
	while (*p && *p != '"' && *p != '\\')
	{
		if (n + 1 >= cap)
			return false;
		item[n++] = (char) tolower((unsigned char) *p++);
	}
	item[n] = '\0';
	if (!skip_literal(&p, "\"}}"))
		return false;
	if (skip_literal(&p, ",\"stmt_len\":") && !skip_digits(&p))
		return false;
	return strcmp(p, "}]}") == 0 && strncmp(item, "pool_", 5) == 0;
}

bool
show_detect(const char *sql, size_t len, char *item, size_t cap)
{
	PgQueryParseResult r;
	char	   *text;
	bool		found;

	len = strnlen(sql, len);
	if (len > SHOW_TEXT_MAX || !text_contains(sql, len, "pool_") || !text_contains(sql, len, "show"))
		return false;
	text = malloc(len + 1);
	if (text == NULL)
		return false;
	memcpy(text, sql, len);
	text[len] = '\0';
	r = pg_query_parse(text);
	found = r.error == NULL && r.parse_tree != NULL && match_show_tree(r.parse_tree, item, cap);
	pg_query_free_parse_result(r);
	free(text);
	return found;
}

/* Query: the text, NUL-terminated. */
static bool
rewrite_query(const char *item, PqBuf *out)
{
	size_t		start = pq_begin_message(out, PQ_FE_QUERY);

	if (!show_build_query(item, out))
	{
		out->len = start - 1;	/* start is past the type byte */
		return false;
	}
	pqbuf_put_byte(out, 0);
	pq_end_message(out, start);
	return true;
}

/* Parse: statement name, text, then parameter types, kept as they came. */
static bool
rewrite_parse(const char *body, size_t len, size_t name_len, size_t text_len,
			  const char *item, PqBuf *out)
{
	size_t		start = pq_begin_message(out, PQ_FE_PARSE);
	size_t		rest = name_len + 1 + text_len + 1;

	pqbuf_put_bytes(out, body, name_len + 1);
	if (!show_build_query(item, out))
	{
		out->len = start - 1;	/* start is past the type byte */
		return false;
	}
	pqbuf_put_byte(out, 0);
	pqbuf_put_bytes(out, body + rest, len - rest);
	pq_end_message(out, start);
	return true;
}

bool
show_rewrite_message(char type, const char *body, size_t len, PqBuf *out)
{
	char		item[SHOW_ITEM_MAX];

	if (type == PQ_FE_QUERY)
	{
		if (strnlen(body, len) >= len || !show_detect(body, len, item, sizeof(item)))
			return false;
		plog(PL_DEBUG1, "answering SHOW %s (simple query)", item);
		return rewrite_query(item, out);
	}
	if (type == PQ_FE_PARSE)
	{
		size_t		name_len = strnlen(body, len);
		size_t		text_len;

		if (name_len >= len)
			return false;
		text_len = strnlen(body + name_len + 1, len - name_len - 1);
		if (name_len + 1 + text_len >= len ||
			!show_detect(body + name_len + 1, text_len, item, sizeof(item)))
			return false;
		plog(PL_DEBUG1, "answering SHOW %s (extended query)", item);
		return rewrite_parse(body, len, name_len, text_len, item, out);
	}
	return false;
}
