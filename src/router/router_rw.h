/*
 * router_rw.h: internals of the timestamp rewrite (router/rewrite.h) shared
 * by router_rwtext.c (tokens, edits, splicing: plain C) and the files that
 * walk parse trees (router_timestamp.c, router_ts_insert.c,
 * router_defaults.c).
 *
 * Plain C only, like router_int.h: parse-tree nodes travel as void *.
 *
 * A rewrite never re-deparses: it collects edits (replace text[start, end)
 * by a string, optionally preceded by the quoted timestamp literal) at the
 * parse tree's locations and splices them into the original text once.
 */
#ifndef PGPOOL_ROUTER_RW_H
#define PGPOOL_ROUTER_RW_H

#include "router/rewrite.h"

/* ---- tokens (router_rwtext.c) ---- */

typedef enum RwTokKind
{
	RW_TOK_EOF = 0,
	RW_TOK_WORD,				/* identifier or keyword */
	RW_TOK_QIDENT,				/* "quoted identifier", U&"..." */
	RW_TOK_STRING,				/* '...', E'...', U&'...', B'', X'', N'', $$...$$ */
	RW_TOK_NUMBER,
	RW_TOK_PARAM,				/* $1 */
	RW_TOK_CHAR					/* any other single character */
} RwTokKind;

typedef struct RwTok
{
	RwTokKind	kind;
	size_t		start;
	size_t		end;
} RwTok;

/*
 * The token at or after pos in text[0..len), skipping white space and
 * comments.  The lexer follows PostgreSQL's scanner with
 * standard_conforming_strings on (libpg_query's setting), for text the
 * parser accepted.
 */
RwTok		router_rw_lex(const char *text, size_t len, size_t pos);

/* Is t the keyword word (case-insensitive), or the single character word[0]? */
bool		router_rw_is(const char *text, const RwTok *t, const char *word);

/*
 * From the '(' token open, the matching ')' in *close and the end of the
 * last token inside in *inner_end (open->end if empty).  False if none.
 */
bool		router_rw_match_paren(const char *text, size_t len, const RwTok *open,
								  RwTok *close, size_t *inner_end);

/* End of the string token t, with any continuation ('a'<newline>'b') */
size_t		router_rw_string_end(const char *text, size_t len, const RwTok *t);

/* ---- edits (router_rwtext.c) ---- */

typedef struct RwEdit
{
	size_t		start;			/* replace text[start, end) ... */
	size_t		end;
	bool		lit;			/* ... by the quoted literal, then */
	size_t		off;			/* ... buf[off, off + n) */
	size_t		n;
	int			seq;			/* order of equal positions */
} RwEdit;

typedef struct RouterRwEdits
{
	RwEdit	   *v;
	int			n;
	int			cap;
	char	   *buf;
	size_t		buf_len;
	size_t		buf_cap;
} RwEdits;

void		router_rw_edits_init(RwEdits *e);
void		router_rw_edits_free(RwEdits *e);

/* Add an edit; its text is empty until router_rw_edit_append() */
void		router_rw_edit_add(RwEdits *e, size_t start, size_t end, bool lit);

/* Append to the text of the last edit added */
void		router_rw_edit_append(RwEdits *e, const char *s, size_t n);
void		router_rw_edit_appends(RwEdits *e, const char *s);

/* Sort edits by position (equal positions: in the order added) */
void		router_rw_edits_sort(RwEdits *e);

/*
 * Apply sorted edits to text[0..len): a malloc'd NUL-terminated result,
 * its length in *out_len.  lit is the quoted literal used where edits ask
 * for it.  An edit overlapping an earlier one is dropped.
 */
char	   *router_rw_splice(const char *text, size_t len, const RwEdits *e,
							 const char *lit, size_t *out_len);

/* SQL string literal for s: 'text', quotes doubled (malloc'd) */
char	   *router_rw_quote_literal(const char *s);

/* ---- walking parse trees (router_timestamp.c, router_ts_insert.c) ---- */

typedef struct RwCtx
{
	const char *text;			/* NUL-terminated */
	size_t		len;			/* of the whole text */
	size_t		stmt_end;		/* end of the current statement */
	RwEdits    *edits;
	const char *lit;			/* quoted literal; NULL for default templates */
	RouterDefaultsCb cb;
	void	   *cb_arg;
	RouterRewriteInfo *info;	/* never NULL */
	int			in_dml;			/* depth of INSERT/UPDATE/DELETE/MERGE nodes */
	int			depth;
	bool		too_deep;
	bool		serial;			/* saw nextval() (default templates) */
} RwCtx;

/* Collect the time edits of a tree (a statement, or an expression) */
void		router_rw_walk(RwCtx *c, void *node);

/* Is the node one of the time calls the rewrite replaces? (router_walk.c) */
bool		router_ts_is_time_node(const void *node);

/* Does an UPDATE's SET list (List of ResTarget) use DEFAULT? */
bool		router_ts_targets_use_default(const void *target_list);

/* INSERT: write out omitted time defaults, replace DEFAULT (router_ts_insert.c) */
void		router_ts_insert_defaults(RwCtx *c, void *insert_stmt);

/* UPDATE / ON CONFLICT DO UPDATE: SET c = DEFAULT of a time default */
void		router_ts_update_defaults(RwCtx *c, void *rangevar, void *target_list);

/* The default of col with its time calls replaced, appended to the last edit */
void		router_ts_append_default(RwCtx *c, const RouterColumn *col);

#endif
