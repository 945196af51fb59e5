/*
 * config_parse.c: reading pgpool.conf into a PoolConfig.
 *
 * The syntax is postgresql.conf's: one "name = value" (or "name value") per
 * line, '#' starts a comment, values bare or single-quoted ('' and backslash
 * escapes inside quotes), names case-insensitive, a later line overriding an
 * earlier one.  Errors are logged and parsing goes on, so one run reports
 * every mistake of the file.  The parent calls this at start and on reload.
 */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils/log.h"
#include "utils/str.h"

typedef enum LineKind
{
	LINE_EMPTY,
	LINE_SETTING,
	LINE_SYNTAX_ERROR
} LineKind;

/* One lexed line: pointers into the (modified) line buffer. */
typedef struct ConfLine
{
	char	   *name;
	char	   *value;
	char	   *bad_token;		/* syntax error near this; NULL: near end of line */
} ConfLine;

/* State of one config_load() run. */
typedef struct ParseRun
{
	const char *path;
	int			lineno;
	PoolConfig *cfg;
	bool	   *seen;			/* per table row: set by this file */
	bool		ok;
} ParseRun;

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

static char *
skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Cut the token at s (up to white space) for a syntax error message. */
static char *
cut_token(char *s)
{
	char	   *e = s;

	while (*e && !is_blank(*e))
		e++;
	*e = '\0';
	return s;
}

/*
 * Unquote the string starting after the opening quote at s, in place.
 * Returns the character after the closing quote, or NULL if unterminated.
 */
static char *
unquote(char *s)
{
	char	   *out = s;

	for (char *in = s; *in; in++)
	{
		if (*in == '\'' && in[1] == '\'')
			*out++ = *in++;
		else if (*in == '\'')
		{
			*out = '\0';
			return in + 1;
		}
		else if (*in == '\\' && in[1] != '\0')
		{
			static const char from[] = "bfnrt";
			static const char to[] = "\b\f\n\r\t";
			const char *k = strchr(from, *++in);

			if (k)
				*out++ = to[k - from];
			else if (*in >= '0' && *in <= '7')
			{
				int			v = 0;

				for (int n = 0; n < 3 && *in >= '0' && *in <= '7'; n++)
					v = v * 8 + (*in++ - '0');
				in--;
				*out++ = (char) v;
			}
			else
				*out++ = *in;
		}
		else
			*out++ = *in;
	}
	return NULL;
}

static LineKind
syntax_error(ConfLine *out, char *near)
{
	out->bad_token = near ? cut_token(near) : NULL;
	return LINE_SYNTAX_ERROR;
}

/* Split one line into name and value, or say where its syntax breaks. */
static LineKind
lex_line(char *s, ConfLine *out)
{
	char	   *p = skip_blanks(s);
	char	   *name_end;

	out->bad_token = NULL;
	if (*p == '\0' || *p == '#')
		return LINE_EMPTY;
	if (!isalpha((unsigned char) *p) && *p != '_')
		return syntax_error(out, p);
	out->name = p;
	while (isalnum((unsigned char) *p) || *p == '_' || *p == '.')
		p++;
	name_end = p;
	if (*p != '\0' && !is_blank(*p) && *p != '=')
		return syntax_error(out, p);
	p = skip_blanks(p);
	if (*p == '=')
		p = skip_blanks(p + 1);
	*name_end = '\0';
	if (*p == '\0' || *p == '#')
		return syntax_error(out, NULL);
	if (*p == '\'')
	{
		out->value = p + 1;
		if ((p = unquote(p + 1)) == NULL)
			return syntax_error(out, NULL);	/* unterminated: runs into the end */
	}
	else
	{
		out->value = p;
		p += strcspn(p, " \t\r\n\f\v#'");
		if (*p == '\'')
			return syntax_error(out, out->value);
		if (*p == '#')
			*p = '\0';
		else if (*p)
			*p++ = '\0';
	}
	p = skip_blanks(p);
	if (*p != '\0' && *p != '#')
		return syntax_error(out, p);
	return LINE_SETTING;
}

/* "in file "x" line n" for DETAIL lines. */
static const char *
where_text(const ParseRun *run)
{
	return log_fmt("in file \"%s\" line %d", run->path, run->lineno);
}

/*
 * Store one setting.  run is NULL for config_set_option(): an unknown name is
 * then an error rather than a warning.  Returns false on an error (logged).
 */
static bool
apply_setting(PoolConfig *cfg, bool *seen, const char *name, const char *value,
			  const ParseRun *run)
{
	int			index;
	const ConfigParam *p = config_param_find(name, &index);

	if (p == NULL && index >= 0)
	{
		/* every numbered family has MAX_BACKENDS == MAX_WD_NODES elements */
		plog_ex(PL_ERROR, run ? where_text(run) : NULL, NULL,
				"node number %d of parameter \"%s\" is out of range (0 to %d)",
				index, name, MAX_BACKENDS - 1);
		return false;
	}
	if (p == NULL)
	{
		if (run)
			plog(PL_WARNING, "unrecognized configuration parameter \"%s\" in file \"%s\" line %d",
				 name, run->path, run->lineno);
		else
			plog(PL_ERROR, "unrecognized configuration parameter \"%s\"", name);
		return run != NULL;
	}
	if (!config_value_parse(cfg, p, index, value))
	{
		config_report_invalid(p, name, value, run ? where_text(run) : NULL);
		return false;
	}
	if (seen)
		seen[config_param_index(p)] = true;
	if (run)
		config_sources_record(cfg, config_param_index(p), index, run->lineno);
	if (p->flags & CONFIG_FLAG_DEFINES)
	{
		config_element_set_defined(cfg, p, index, true);
		config_recount(cfg);
	}
	return true;
}

static void
parse_line(ParseRun *run, char *line)
{
	ConfLine	cl;

	switch (lex_line(line, &cl))
	{
		case LINE_EMPTY:
			return;
		case LINE_SYNTAX_ERROR:
			if (cl.bad_token)
				plog(PL_ERROR, "syntax error in file \"%s\" line %d, near token \"%s\"",
					 run->path, run->lineno, cl.bad_token);
			else
				plog(PL_ERROR, "syntax error in file \"%s\" line %d, near end of line",
					 run->path, run->lineno);
			run->ok = false;
			return;
		case LINE_SETTING:
			if (!apply_setting(run->cfg, run->seen, cl.name, cl.value, run))
				run->ok = false;
			return;
	}
}

/*
 * A file that does not name backend_clustering_mode is read the 3.x way:
 * replication_mode / master_slave_mode (+ sub mode) decide, and neither
 * means raw mode.
 */
static bool
derive_clustering_mode(ParseRun *run)
{
	int			index;
	const ConfigParam *mode = config_param_find("backend_clustering_mode", &index);
	PoolConfig *cfg = run->cfg;

	if (run->seen[config_param_index(mode)])
		return true;
	if (cfg->replication_mode && cfg->master_slave_mode)
	{
		plog_ex(PL_ERROR, log_fmt("in file \"%s\"", run->path),
				"Set backend_clustering_mode instead of the 3.x switches.",
				"replication_mode and master_slave_mode cannot both be enabled");
		return false;
	}
	if (cfg->replication_mode)
		cfg->backend_clustering_mode = CM_NATIVE_REPLICATION;
	else if (!cfg->master_slave_mode)
		cfg->backend_clustering_mode = CM_RAW;
	else if (cfg->master_slave_sub_mode == MSSM_STREAM)
		cfg->backend_clustering_mode = CM_STREAMING_REPLICATION;
	else if (cfg->master_slave_sub_mode == MSSM_LOGICAL)
		cfg->backend_clustering_mode = CM_LOGICAL_REPLICATION;
	else
		cfg->backend_clustering_mode = CM_SLONY;
	return true;
}

/* Parse the file at path into cfg (see config.h). */
bool
config_load(const char *path, PoolConfig *cfg)
{
	ParseRun	run = {.path = path, .cfg = cfg, .ok = true};
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;

	if (f == NULL)
	{
		plog(PL_ERROR, "could not open configuration file \"%s\": %m", path);
		return false;
	}
	run.seen = mem_alloc0((size_t) config_params_len * sizeof(bool));
	config_sources_begin(cfg, path);
	while (getline(&line, &cap, f) != -1)
	{
		run.lineno++;
		parse_line(&run, line);
	}
	if (ferror(f))
	{
		plog(PL_ERROR, "could not read configuration file \"%s\": %m", path);
		run.ok = false;
	}
	fclose(f);
	free(line);
	if (!derive_clustering_mode(&run))
		run.ok = false;
	config_recount(cfg);
	free(run.seen);
	return run.ok;
}

/* Set one parameter by name from its text form (see config.h). */
bool
config_set_option(PoolConfig *cfg, const char *name, const char *value)
{
	return apply_setting(cfg, NULL, name, value, NULL);
}
