/*
 * admin_conf_edit.c: pgpool.conf as lines of text, changed one setting at
 * a time without disturbing anything else: comments, blank lines, unknown
 * parameters and the order of lines stay as they were.
 *
 * Setting a parameter replaces the value of its last active line (the one
 * pgpool obeys), keeping a trailing comment; a parameter not set yet goes
 * right after its commented-out line of the sample file ("#port = 9999"),
 * or at the end.  Resetting (value NULL) comments out every active line of
 * it, so the default applies.  Names are matched as pgpool matches them:
 * case-insensitive, synonyms included, numbered ones by index.
 *
 * Pure text functions (no I/O); used by admin_api_config.c.
 */
#include "admin_int.h"
#include "admin_conf_edit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

void
conf_lines_split(ConfLines *cl, const char *text)
{
	const char *p = text;

	cl->n = 0;
	cl->lines = NULL;
	while (*p)
	{
		const char *nl = strchr(p, '\n');
		size_t		len = nl ? (size_t) (nl - p) : strlen(p);

		cl->lines = realloc(cl->lines, sizeof(char *) * (size_t) (cl->n + 1));
		cl->lines[cl->n++] = strndup(p, len);
		p += len + (nl ? 1 : 0);
	}
}

char *
conf_lines_join(const ConfLines *cl, size_t *len)
{
	size_t		total = 1;
	char	   *out, *q;

	for (int i = 0; i < cl->n; i++)
		total += strlen(cl->lines[i]) + 1;
	out = q = malloc(total);
	for (int i = 0; i < cl->n; i++)
		q += sprintf(q, "%s\n", cl->lines[i]);
	*q = '\0';
	*len = (size_t) (q - out);
	return out;
}

void
conf_lines_free(ConfLines *cl)
{
	for (int i = 0; i < cl->n; i++)
		free(cl->lines[i]);
	free(cl->lines);
	cl->lines = NULL;
	cl->n = 0;
}

/*
 * Parse an active "name [=] value [# comment]" line: name and unquoted
 * value into the buffers, *rest at what follows the value.  false for a
 * comment, a blank line or something that is not a setting.
 */
bool
conf_parse_setting(const char *line, char *name, size_t nlen, char *value, size_t vlen,
				   const char **rest)
{
	const char *p = line;
	size_t		n = 0, v = 0;

	while (isspace((unsigned char) *p))
		p++;
	if (!isalpha((unsigned char) *p) && *p != '_')
		return false;
	while ((isalnum((unsigned char) *p) || *p == '_' || *p == '.') && n + 1 < nlen)
		name[n++] = *p++;
	name[n] = '\0';
	while (isspace((unsigned char) *p))
		p++;
	if (*p == '=')
		p++;
	while (isspace((unsigned char) *p))
		p++;
	if (*p == '\'')
	{
		for (p++; *p; p++)
		{
			if (*p == '\\' && p[1] == '\'')
				p++;
			else if (*p == '\'' && p[1] == '\'')
				p++;
			else if (*p == '\'')
			{
				p++;
				break;
			}
			if (v + 1 < vlen)
				value[v++] = *p;
		}
	}
	else
		while (*p && !isspace((unsigned char) *p) && *p != '#' && v + 1 < vlen)
			value[v++] = *p++;
	value[v] = '\0';
	*rest = p;
	return true;
}

/* Does this line set (param, index)? */
static bool
line_sets(const char *line, const ConfigParam *param, int index)
{
	char		name[128], value[8];
	const char *rest;
	int			idx;

	if (!conf_parse_setting(line, name, sizeof(name), value, sizeof(value), &rest))
		return false;
	return config_param_find(name, &idx) == param && idx == index;
}

/* Is this the sample's commented-out line of (param, index)? */
static bool
line_mentions(const char *line, const ConfigParam *param, int index)
{
	const char *p = line;

	while (isspace((unsigned char) *p))
		p++;
	if (*p != '#')
		return false;
	return line_sets(p + 1, param, index);
}

/* The setting as a line: strings quoted with '' doubled, numbers bare. */
static char *
format_setting(const char *name, const ConfigParam *p, const char *value, const char *comment)
{
	bool		quote = p->type == CONFIG_STRING || p->type == CONFIG_ENUM ||
		p->type == CONFIG_BACKEND_FLAG;
	size_t		len = strlen(name) + 2 * strlen(value) + strlen(comment) + 16;
	char	   *out = malloc(len);
	char	   *q = out;

	q += sprintf(q, "%s = ", name);
	if (quote)
		*q++ = '\'';
	for (const char *v = value; *v; v++)
	{
		if (quote && *v == '\'')
			*q++ = '\'';
		*q++ = *v;
	}
	if (quote)
		*q++ = '\'';
	sprintf(q, "%s%s", *comment ? " " : "", comment);
	return out;
}

static void
insert_line(ConfLines *cl, int at, char *line)
{
	cl->lines = realloc(cl->lines, sizeof(char *) * (size_t) (cl->n + 1));
	memmove(&cl->lines[at + 1], &cl->lines[at], sizeof(char *) * (size_t) (cl->n - at));
	cl->lines[at] = line;
	cl->n++;
}

bool
conf_lines_set(ConfLines *cl, const char *name, const char *value)
{
	int			index;
	const ConfigParam *p = config_param_find(name, &index);
	int			last = -1, mention = -1;

	if (p == NULL)
		return false;
	for (int i = 0; i < cl->n; i++)
	{
		if (line_sets(cl->lines[i], p, index))
			last = i;
		else if (line_mentions(cl->lines[i], p, index))
			mention = i;
	}
	if (value == NULL)
	{
		for (int i = 0; i < cl->n; i++)
			if (line_sets(cl->lines[i], p, index))
			{
				char	   *c = malloc(strlen(cl->lines[i]) + 2);

				sprintf(c, "#%s", cl->lines[i]);
				free(cl->lines[i]);
				cl->lines[i] = c;
			}
		return true;
	}
	if (last >= 0)
	{
		char		n[128], v[4096];
		const char *rest;
		const char *comment;

		conf_parse_setting(cl->lines[last], n, sizeof(n), v, sizeof(v), &rest);
		comment = strchr(rest, '#');
		comment = comment ? comment : "";
		{
			char	   *line = format_setting(name, p, value, comment);

			free(cl->lines[last]);
			cl->lines[last] = line;
		}
	}
	else
		insert_line(cl, mention >= 0 ? mention + 1 : cl->n, format_setting(name, p, value, ""));
	return true;
}

/*
 * Canonical name ("backend_port1") -> {value, line} of every active
 * setting; unknown names are kept as written, with "unknown": true.
 */
json_t *
conf_lines_values(const ConfLines *cl)
{
	json_t	   *o = json_object();

	for (int i = 0; i < cl->n; i++)
	{
		char		name[128], value[4096];
		const char *rest;

		if (!conf_parse_setting(cl->lines[i], name, sizeof(name), value, sizeof(value), &rest))
			continue;
		int			idx;
		const ConfigParam *p = config_param_find(name, &idx);
		json_t	   *v = json_pack("{s:s%,s:i}", "value", value, strlen(value), "line", i + 1);

		if (v == NULL)			/* not UTF-8 */
			continue;
		if (p == NULL)
			json_object_set_new(v, "unknown", json_true());
		else if (idx >= 0)
			snprintf(name, sizeof(name), "%s%d", p->name, idx);
		else
			snprintf(name, sizeof(name), "%s", p->name);
		json_object_set_new(o, name, v);
	}
	return o;
}
