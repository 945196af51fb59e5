/*
 * hba_parse.c: reading pool_hba.conf into an HbaList.
 *
 * Lines are split into fields (blanks separate fields, commas separate the
 * items of a field, double quotes protect blanks, commas and keywords, '#'
 * starts a comment).  @file items are replaced by the names in that file.
 * Every error is logged with its file and line; one error fails the whole
 * load so a half-understood file never replaces working rules.  Runs in the
 * parent at start and in every process on reload.
 */
#include "auth/auth_hba.h"
#include "hba_int.h"

#include "pgpool_config.h"
#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_INCLUDE_DEPTH 10

/* Log one error of the file, naming it and the line. */
void
hba_report(const char *path, int line, const char *detail, const char *fmt,...)
{
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (detail)
		plog_ex(PL_ERROR, log_fmt("%s (line %d of configuration file \"%s\")", detail, line, path),
				NULL, "%s", msg);
	else
		plog_ex(PL_ERROR, log_fmt("line %d of configuration file \"%s\"", line, path), NULL,
				"%s", msg);
}

static void
field_add(HbaField *f, const char *text, size_t len, bool quoted)
{
	f->items = mem_realloc(f->items, sizeof(HbaName) * (size_t) (f->n + 1));
	f->items[f->n].name = mem_alloc(len + 1);
	memcpy(f->items[f->n].name, text, len);
	f->items[f->n].name[len] = '\0';
	f->items[f->n].quoted = quoted;
	f->n++;
}

void
hba_field_free(HbaField *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->items[i].name);
	free(f->items);
	f->items = NULL;
	f->n = 0;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Read one token at *p into f; returns false on an unterminated quote.
 * A token ends at an unquoted blank, comma or '#'.
 */
static bool
read_token(const char **p, HbaField *f)
{
	char		buf[1024];
	size_t		n = 0;
	bool		quoted = false, in_quote = false;
	const char *s = *p;

	for (; *s; s++)
	{
		if (*s == '"')
		{
			in_quote = !in_quote;
			quoted = true;
			continue;
		}
		if (!in_quote && (is_blank(*s) || *s == ',' || *s == '#'))
			break;
		if (n < sizeof(buf) - 1)
			buf[n++] = *s;
	}
	*p = s;
	if (in_quote)
		return false;
	field_add(f, buf, n, quoted);
	return true;
}

int
hba_tokenize(const char *line, HbaField *fields, int max_fields, const char **err)
{
	const char *p = line;
	int			nf = 0;

	*err = NULL;
	for (;;)
	{
		while (is_blank(*p))
			p++;
		if (*p == '\0' || *p == '#')
			return nf;
		if (nf == max_fields)
		{
			*err = "too many fields";
			for (int i = 0; i < nf; i++)
				hba_field_free(&fields[i]);
			return -1;
		}
		memset(&fields[nf], 0, sizeof(HbaField));
		for (;;)
		{
			if (!read_token(&p, &fields[nf]))
			{
				*err = "unterminated quoted string";
				for (int i = 0; i <= nf; i++)
					hba_field_free(&fields[i]);
				return -1;
			}
			if (*p != ',')
				break;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		nf++;
	}
}

static char *
secondary_path(const char *hba_path, const char *name)
{
	const char *slash = strrchr(hba_path, '/');
	char		buf[4096];

	if (name[0] == '/' || slash == NULL)
		return str_dup(name);
	snprintf(buf, sizeof(buf), "%.*s/%s", (int) (slash - hba_path), hba_path, name);
	return str_dup(buf);
}

static bool expand_field(const char *path, int line, HbaField *in, HbaField *out, int depth);

/* Append the names of an @file to out. */
static bool
read_secondary(const char *path, int line, const char *name, HbaField *out, int depth)
{
	char	   *file = secondary_path(path, name);
	FILE	   *fp = fopen(file, "r");
	char		buf[4096];
	bool		ok = true;

	if (depth > MAX_INCLUDE_DEPTH)
	{
		hba_report(path, line, NULL, "could not open secondary authentication file \"@%s\": nested too deeply", name);
		free(file);
		return false;
	}
	if (fp == NULL)
	{
		hba_report(path, line, NULL, "could not open secondary authentication file \"@%s\" as \"%s\": %s",
				   name, file, strerror(errno));
		free(file);
		return false;
	}
	while (ok && fgets(buf, sizeof(buf), fp))
	{
		HbaField	fields[64];
		const char *err;
		int			nf = hba_tokenize(buf, fields, 64, &err);

		if (nf < 0)
		{
			hba_report(path, line, log_fmt("In file \"%s\".", file), "%s", err);
			ok = false;
			break;
		}
		for (int i = 0; i < nf; i++)
		{
			ok = ok && expand_field(path, line, &fields[i], out, depth + 1);
			hba_field_free(&fields[i]);
		}
	}
	fclose(fp);
	free(file);
	return ok;
}

/* Copy in to out, replacing unquoted @file items by the file's names. */
static bool
expand_field(const char *path, int line, HbaField *in, HbaField *out, int depth)
{
	for (int i = 0; i < in->n; i++)
	{
		HbaName    *it = &in->items[i];

		if (!it->quoted && it->name[0] == '@')
		{
			if (it->name[1] == '\0')
			{
				hba_report(path, line, NULL, "missing file name after \"@\"");
				return false;
			}
			if (!read_secondary(path, line, it->name + 1, out, depth))
				return false;
			continue;
		}
		if (it->name[0] == '\0' && !it->quoted)
		{
			hba_report(path, line, NULL, "empty name in a list");
			return false;
		}
		field_add(out, it->name, strlen(it->name), it->quoted);
	}
	return true;
}

bool
hba_expand_names(const char *path, int line, HbaField *in, HbaName **names, int *n)
{
	HbaField	out = {0};

	if (!expand_field(path, line, in, &out, 0))
	{
		hba_field_free(&out);
		return false;
	}
	*names = out.items;
	*n = out.n;
	return true;
}

static void
free_rule(HbaRule *r)
{
	for (int i = 0; i < r->ndatabases; i++)
		free(r->databases[i].name);
	free(r->databases);
	for (int i = 0; i < r->nusers; i++)
		free(r->users[i].name);
	free(r->users);
	free(r->hostname);
	free(r->pamservice);
}

void
auth_hba_free(HbaList *list)
{
	for (int i = 0; i < list->nrules; i++)
		free_rule(&list->rules[i]);
	free(list->rules);
	free(list->path);
	list->rules = NULL;
	list->nrules = 0;
	list->path = NULL;
}

bool
auth_hba_load(const char *path, HbaList *out)
{
	FILE	   *fp = fopen(path, "r");
	char		buf[8192];
	int			line = 0;
	bool		ok = true;
	HbaList		list = {0};

	memset(out, 0, sizeof(*out));
	if (fp == NULL)
	{
		plog(PL_ERROR, "could not open configuration file \"%s\": %s", path, strerror(errno));
		return false;
	}
	while (fgets(buf, sizeof(buf), fp))
	{
		HbaRule		rule;
		int			rc;

		line++;
		if (strchr(buf, '\n') == NULL && !feof(fp))
		{
			hba_report(path, line, NULL, "line too long");
			ok = false;
			/* skip the rest of the long line */
			while (fgets(buf, sizeof(buf), fp) && strchr(buf, '\n') == NULL)
				;
			continue;
		}
		rc = hba_parse_line(path, line, buf, &rule);
		if (rc < 0)
			ok = false;
		else if (rc > 0)
		{
			list.rules = mem_realloc(list.rules, sizeof(HbaRule) * (size_t) (list.nrules + 1));
			list.rules[list.nrules++] = rule;
		}
	}
	fclose(fp);
	if (!ok)
	{
		auth_hba_free(&list);
		return false;
	}
	list.path = str_dup(path);
	*out = list;
	return true;
}

const char *
auth_hba_method_name(HbaMethod method)
{
	switch (method)
	{
		case HBA_METHOD_TRUST:
			return "trust";
		case HBA_METHOD_REJECT:
			return "reject";
		case HBA_METHOD_PASSWORD:
			return "password";
		case HBA_METHOD_MD5:
			return "md5";
		case HBA_METHOD_SCRAM:
			return "scram-sha-256";
		case HBA_METHOD_PAM:
			return "pam";
		case HBA_METHOD_CERT:
			return "cert";
	}
	return "unknown";
}
