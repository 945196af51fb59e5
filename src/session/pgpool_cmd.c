/*
 * pgpool_cmd.c: PGPOOL SHOW / SET / RESET and PGPOOL SET CACHE DELETE.
 *
 * Grammar (pgpool-II's, keywords in any case, a trailing ';' allowed):
 *   PGPOOL SHOW name | ALL
 *   PGPOOL SET name { TO | = } { value | 'value' | DEFAULT }
 *   PGPOOL SET CACHE DELETE 'query text'
 *   PGPOOL RESET name | ALL
 *   PGPOOL EXPLAIN ROUTE statement
 * The command takes effect when its message arrives; the message is then
 * replaced by a stand-in the backend answers (see pgpool_cmd.h), so both
 * relays and both protocols need nothing else.  Runs in a child process.
 */
#include "session/pgpool_cmd.h"
#include "session/session.h"
#include "session/multi.h"
#include "session/query_cache.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "show/show.h"
#include "utils/log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 64

typedef enum PcmdKind
{
	PCMD_SHOW,
	PCMD_SET,
	PCMD_RESET,
	PCMD_CACHE_DELETE,
	PCMD_EXPLAIN_ROUTE
} PcmdKind;

typedef struct PgpoolCmd
{
	PcmdKind	kind;
	char		name[NAME_MAX_LEN]; /* lower case; "all" for ALL */
	bool		deflt;			/* SET ... TO DEFAULT */
	PqBuf		value;			/* SET value / CACHE DELETE text / EXPLAIN ROUTE
								 * statement, NUL-terminated */
} PgpoolCmd;

typedef struct Scan
{
	const char *p;
	const char *end;
} Scan;

/* Skip white space and comments (-- to end of line, nested C-style ones). */
static void
scan_skip(Scan *sc)
{
	while (sc->p < sc->end)
	{
		if (isspace((unsigned char) *sc->p))
			sc->p++;
		else if (sc->end - sc->p >= 2 && sc->p[0] == '-' && sc->p[1] == '-')
		{
			while (sc->p < sc->end && *sc->p != '\n')
				sc->p++;
		}
		else if (sc->end - sc->p >= 2 && sc->p[0] == '/' && sc->p[1] == '*')
		{
			int			depth = 0;

			do
			{
				if (sc->end - sc->p >= 2 && sc->p[0] == '/' && sc->p[1] == '*')
					depth++, sc->p += 2;
				else if (sc->end - sc->p >= 2 && sc->p[0] == '*' && sc->p[1] == '/')
					depth--, sc->p += 2;
				else
					sc->p++;
			} while (depth > 0 && sc->p < sc->end);
		}
		else
			break;
	}
}

/* An identifier (letters, digits, '_'), lower-cased into buf; false if none or too long. */
static bool
scan_word(Scan *sc, char *buf, size_t cap)
{
	size_t		n = 0;

	scan_skip(sc);
	while (sc->p < sc->end && (isalnum((unsigned char) *sc->p) || *sc->p == '_'))
	{
		if (n + 1 >= cap)
			return false;
		buf[n++] = (char) tolower((unsigned char) *sc->p++);
	}
	buf[n] = '\0';
	return n > 0;
}

static bool
scan_keyword(Scan *sc, const char *kw)
{
	Scan		save = *sc;
	char		w[NAME_MAX_LEN];

	if (scan_word(sc, w, sizeof(w)) && strcmp(w, kw) == 0)
		return true;
	*sc = save;
	return false;
}

/* A '…' literal ('' is a quote) into out; false if unterminated. */
static bool
scan_quoted(Scan *sc, PqBuf *out)
{
	sc->p++;
	while (sc->p < sc->end)
	{
		if (*sc->p == '\'')
		{
			if (sc->end - sc->p >= 2 && sc->p[1] == '\'')
			{
				pqbuf_put_byte(out, '\'');
				sc->p += 2;
				continue;
			}
			sc->p++;
			pqbuf_put_byte(out, 0);
			return true;
		}
		pqbuf_put_byte(out, *sc->p++);
	}
	return false;
}

/* A SET value: quoted, or a bare token up to white space or ';'. */
static bool
scan_value(Scan *sc, PgpoolCmd *cmd)
{
	const char *start;

	scan_skip(sc);
	if (sc->p < sc->end && *sc->p == '\'')
		return scan_quoted(sc, &cmd->value);
	start = sc->p;
	while (sc->p < sc->end && !isspace((unsigned char) *sc->p) && *sc->p != ';')
		sc->p++;
	if (sc->p == start)
		return false;
	if ((size_t) (sc->p - start) == 7 && strncasecmp(start, "default", 7) == 0)
		cmd->deflt = true;
	pqbuf_put_bytes(&cmd->value, start, (size_t) (sc->p - start));
	pqbuf_put_byte(&cmd->value, 0);
	return true;
}

/* Nothing but white space, comments and one optional ';' left. */
static bool
scan_at_end(Scan *sc)
{
	scan_skip(sc);
	if (sc->p < sc->end && *sc->p == ';')
	{
		sc->p++;
		scan_skip(sc);
	}
	return sc->p >= sc->end;
}

static bool
parse_set(Scan *sc, PgpoolCmd *cmd)
{
	if (scan_keyword(sc, "cache"))
	{
		cmd->kind = PCMD_CACHE_DELETE;
		if (!scan_keyword(sc, "delete"))
			return false;
		scan_skip(sc);
		return sc->p < sc->end && *sc->p == '\'' && scan_quoted(sc, &cmd->value);
	}
	cmd->kind = PCMD_SET;
	if (!scan_word(sc, cmd->name, sizeof(cmd->name)))
		return false;
	scan_skip(sc);
	if (sc->p < sc->end && *sc->p == '=')
		sc->p++;
	else if (!scan_keyword(sc, "to"))
		return false;
	return scan_value(sc, cmd);
}

/* EXPLAIN ROUTE: the rest of the text, as it is, is the statement explained. */
static bool
parse_explain(Scan *sc, PgpoolCmd *cmd)
{
	cmd->kind = PCMD_EXPLAIN_ROUTE;
	if (!scan_keyword(sc, "route"))
		return false;
	scan_skip(sc);
	if (sc->p >= sc->end)
		return false;
	pqbuf_put_bytes(&cmd->value, sc->p, (size_t) (sc->end - sc->p));
	pqbuf_put_byte(&cmd->value, 0);
	sc->p = sc->end;
	return true;
}

/* The text after PGPOOL: false on a syntax error. */
static bool
parse_command(Scan *sc, PgpoolCmd *cmd)
{
	char		verb[16];

	if (!scan_word(sc, verb, sizeof(verb)))
		return false;
	if (strcmp(verb, "set") == 0)
	{
		if (!parse_set(sc, cmd))
			return false;
	}
	else if (strcmp(verb, "explain") == 0)
	{
		if (!parse_explain(sc, cmd))
			return false;
	}
	else if (strcmp(verb, "show") == 0 || strcmp(verb, "reset") == 0)
	{
		cmd->kind = verb[0] == 's' ? PCMD_SHOW : PCMD_RESET;
		if (!scan_word(sc, cmd->name, sizeof(cmd->name)))
			return false;
	}
	else
		return false;
	return scan_at_end(sc);
}

bool
pgpool_cmd_detect(const char *sql, size_t len)
{
	Scan		sc = {sql, sql + strnlen(sql, len)};

	scan_skip(&sc);
	if (sc.end - sc.p < 7 || strncasecmp(sc.p, "pgpool", 6) != 0)
		return false;
	return !(isalnum((unsigned char) sc.p[6]) || sc.p[6] == '_');
}

/* ---- carrying the command out ---- */

static void
put_str(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s));
}

/* A DO block failing with pgpool's error: the backend reports it in either protocol. */
static void
error_statement(PqBuf *sql, const char *sqlstate, const char *message, const char *detail)
{
	put_str(sql, "DO $pgpool$BEGIN RAISE EXCEPTION USING ERRCODE = '");
	put_str(sql, sqlstate);
	put_str(sql, "', MESSAGE = '");
	for (const char *c = message; *c; c++)
	{
		if (*c == '\'')
			pqbuf_put_byte(sql, '\'');
		pqbuf_put_byte(sql, *c == '$' ? '?' : *c);	/* '$' could end the quoting */
	}
	pqbuf_put_byte(sql, '\'');
	if (detail)
	{
		put_str(sql, ", DETAIL = '");
		for (const char *c = detail; *c; c++)
		{
			if (*c == '\'')
				pqbuf_put_byte(sql, '\'');
			pqbuf_put_byte(sql, *c == '$' ? '?' : *c);
		}
		pqbuf_put_byte(sql, '\'');
	}
	put_str(sql, "; END$pgpool$");
	plog_ex(PL_LOG, detail, NULL, "PGPOOL command failed: %s", message);
}

/* Side effects of a changed parameter in this process. */
static void
apply_changes(void)
{
	if (session_hooks.settings_changed)
		session_hooks.settings_changed();
	multi_route_reset_config();
}

static void
report_set_error(ConfigSessionResult res, const PgpoolCmd *cmd, const char *accepted, PqBuf *sql)
{
	char		msg[512];

	if (res == CONFIG_SESSION_UNKNOWN)
	{
		snprintf(msg, sizeof(msg), "unrecognized configuration parameter \"%s\"", cmd->name);
		error_statement(sql, "42704", msg, NULL);
	}
	else if (res == CONFIG_SESSION_NOT_SETTABLE)
	{
		snprintf(msg, sizeof(msg), "parameter \"%s\" cannot be changed by PGPOOL SET", cmd->name);
		error_statement(sql, "55P02", msg,
						"only parameters that can be changed for a session are accepted");
	}
	else
	{
		char		detail[600];

		snprintf(msg, sizeof(msg), "invalid value for parameter \"%s\": \"%s\"", cmd->name,
				 cmd->value.data);
		snprintf(detail, sizeof(detail), "accepted values: %s", accepted);
		error_statement(sql, "22023", msg, detail);
	}
}

static void
run_cache_delete(Session *s, const PgpoolCmd *cmd, bool idle, PqBuf *sql)
{
	int			rc;

	if (!idle && s->multi && s->multi->qc)
	{
		error_statement(sql, "55000", "PGPOOL SET CACHE DELETE cannot run while other requests are in progress",
						"send it on its own, after a Sync");
		return;
	}
	rc = qc_session_delete(s, cmd->value.data, strlen(cmd->value.data));
	if (rc < 0)
	{
		error_statement(sql, "55000", "query cache is not enabled", NULL);
		return;
	}
	plog(PL_LOG, "PGPOOL SET CACHE DELETE: %s", rc > 0 ? "cache entry deleted" : "query was not cached");
	put_str(sql, "SET pgpool.command TO DEFAULT");
}

/*
 * PGPOOL EXPLAIN ROUTE: where the statement would go now, decided as the
 * session would decide it, without running it or changing the session.
 * Without multi-node state (raw mode) everything goes to the session's node.
 */
static void
run_explain_route(Session *s, const PgpoolCmd *cmd, PqBuf *sql)
{
	const char *text = cmd->value.data;
	size_t		len = strlen(text);
	bool		runs[MAX_BACKENDS] = {false};
	MultiRoute	r;
	RouterDecision d;

	if (pgpool_cmd_detect(text, len))
	{
		error_statement(sql, "0A000", "PGPOOL EXPLAIN ROUTE cannot explain a PGPOOL command",
						"pgpool carries out PGPOOL commands itself");
		return;
	}
	if (s->multi == NULL)
	{
		runs[s->node] = true;
		show_build_route(runs, s->node, "raw_mode",
						 "raw mode: every statement goes to the main node", sql);
		return;
	}
	multi_route_explain(s, text, len, &r, &d);
	for (int i = 0; i < node_table->num_backends && i < MAX_BACKENDS; i++)
		runs[i] = node_mask_has(&r.nodes, i);
	show_build_route(runs, r.lead, r.rule, r.reason, sql);
}

/* Carry cmd out; its stand-in statement goes to sql. */
static void
run_command(Session *s, const PgpoolCmd *cmd, bool idle, PqBuf *sql)
{
	char		accepted[512] = "";
	ConfigSessionResult res;

	switch (cmd->kind)
	{
		case PCMD_SHOW:
			if (!show_build_param(cmd->name, sql))
			{
				char		msg[128];

				snprintf(msg, sizeof(msg), "unrecognized configuration parameter \"%s\"", cmd->name);
				error_statement(sql, "42704", msg, NULL);
			}
			return;
		case PCMD_SET:
			res = config_session_set(cmd->name, cmd->deflt ? NULL : cmd->value.data,
									 accepted, sizeof(accepted));
			if (res != CONFIG_SESSION_OK)
			{
				report_set_error(res, cmd, accepted, sql);
				return;
			}
			apply_changes();
			/* a statement with PostgreSQL's own "SET" command tag and no effect */
			put_str(sql, "SET pgpool.command TO DEFAULT");
			return;
		case PCMD_RESET:
			res = config_session_reset(strcmp(cmd->name, "all") == 0 ? NULL : cmd->name);
			if (res != CONFIG_SESSION_OK)
			{
				report_set_error(res, cmd, accepted, sql);
				return;
			}
			apply_changes();
			put_str(sql, "RESET pgpool.command");
			return;
		case PCMD_CACHE_DELETE:
			run_cache_delete(s, cmd, idle, sql);
			return;
		case PCMD_EXPLAIN_ROUTE:
			run_explain_route(s, cmd, sql);
			return;
	}
}

/* The stand-in for text (text_off bytes into body, text_len long) as a message of the same type. */
static void
put_message(char type, const char *body, size_t len, size_t text_off, size_t text_len,
			const PqBuf *sql, PqBuf *out)
{
	size_t		start = pq_begin_message(out, type);
	size_t		rest = text_off + text_len + 1;

	pqbuf_put_bytes(out, body, text_off);	/* a Parse's statement name */
	pqbuf_put_bytes(out, sql->data, sql->len);
	pqbuf_put_byte(out, 0);
	if (rest < len)
		pqbuf_put_bytes(out, body + rest, len - rest);	/* a Parse's parameter types */
	pq_end_message(out, start);
}

/* Where the statement text of a Query or Parse is; false if neither or malformed. */
static bool
message_text(char type, const char *body, size_t len, size_t *off, size_t *text_len)
{
	*off = 0;
	if (type == PQ_FE_PARSE)
	{
		*off = strnlen(body, len) + 1;
		if (*off >= len)
			return false;
	}
	else if (type != PQ_FE_QUERY)
		return false;
	*text_len = strnlen(body + *off, len - *off);
	return *off + *text_len < len;
}

bool
pgpool_cmd_in_message(char type, const char *body, size_t len)
{
	size_t		off, text_len;

	return message_text(type, body, len, &off, &text_len) &&
		pgpool_cmd_detect(body + off, text_len);
}

bool
pgpool_cmd_rewrite_message(Session *s, char type, const char *body, size_t len, bool idle,
						   PqBuf *out)
{
	size_t		text_off, text_len;
	PgpoolCmd	cmd;
	PqBuf		sql;
	Scan		sc;

	if (!message_text(type, body, len, &text_off, &text_len) ||
		!pgpool_cmd_detect(body + text_off, text_len))
		return false;
	memset(&cmd, 0, sizeof(cmd));
	pqbuf_init(&cmd.value);
	pqbuf_init(&sql);
	sc.p = body + text_off;
	sc.end = sc.p + text_len;
	scan_skip(&sc);
	sc.p += 6;					/* PGPOOL */
	if (!parse_command(&sc, &cmd))
		error_statement(&sql, "42601", "syntax error in PGPOOL command",
						"expected PGPOOL SHOW name, PGPOOL SET name = value, PGPOOL RESET name, PGPOOL SET CACHE DELETE 'query' or PGPOOL EXPLAIN ROUTE statement");
	else
		run_command(s, &cmd, idle, &sql);
	plog(PL_DEBUG1, "PGPOOL command answered by: %.*s", (int) sql.len, sql.data);
	put_message(type, body, len, text_off, text_len, &sql, out);
	pqbuf_free(&sql);
	pqbuf_free(&cmd.value);
	return true;
}

void
pgpool_cmd_session_end(void)
{
	if (config_session_restore())
		apply_changes();
}
