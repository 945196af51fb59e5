/*
 * pattern_list.c: comma-separated regular expression lists (see
 * pattern_list.h).  Used by the router (function lists) and the query
 * cache (table lists) in every process that loads the configuration.
 */
#include "utils/pattern_list.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Split copy in place at sep; a backslash before sep keeps it in the
 * pattern (primary_routing_query_pattern_list: "SELECT 1\\;;SELECT 2").
 * Blanks around each part are dropped; returns the number of parts.
 */
static int
split_escaped(char *copy, char sep, char **parts, int cap)
{
	int			n = 0;
	char	   *out = copy,
			   *start = copy;

	for (char *p = copy;; p++)
	{
		if (*p == '\\' && p[1] == sep)
		{
			*out++ = *++p;
			continue;
		}
		if (*p == sep || *p == '\0')
		{
			bool		end = *p == '\0';

			*out = '\0';
			parts[n] = str_trim(start);
			if (*parts[n] != '\0' && n + 1 < cap)
				n++;
			if (end)
				break;
			start = out = p + 1;
			continue;
		}
		*out++ = *p;
	}
	return n;
}

void
pattern_list_compile(PatternList *pl, const char *list, const char *param)
{
	pattern_list_compile_sep(pl, list, ',', param);
}

void
pattern_list_compile_sep(PatternList *pl, const char *list, char sep, const char *param)
{
	char	   *copy,
			  **parts;
	int			n,
				cap;

	pl->re = NULL;
	pl->n = 0;
	if (list == NULL || *list == '\0')
		return;
	cap = (int) (strlen(list) / 2 + 2);
	copy = str_dup(list);
	parts = mem_alloc(sizeof(char *) * (size_t) cap);
	n = split_escaped(copy, sep, parts, cap);
	pl->re = mem_alloc0(sizeof(regex_t) * (size_t) (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		size_t		len = strlen(parts[i]) + 5;
		char	   *anchored = mem_alloc(len);
		int			rc;

		/* the whole name must match, as "nextval" must not match "nextval2" */
		snprintf(anchored, len, "^(%s)$", parts[i]);
		rc = regcomp(&pl->re[pl->n], anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0)
		{
			char		msg[256];

			regerror(rc, &pl->re[pl->n], msg, sizeof(msg));
			plog_ex(PL_WARNING, log_fmt("%s", msg),
					"The pattern is ignored; fix it and reload.",
					"invalid regular expression \"%s\" in %s", parts[i], param);
		}
		else
			pl->n++;
		free(anchored);
	}
	free(parts);
	free(copy);
}

void
pattern_list_free(PatternList *pl)
{
	for (int i = 0; i < pl->n; i++)
		regfree(&pl->re[i]);
	free(pl->re);
	pl->re = NULL;
	pl->n = 0;
}

bool
pattern_list_matches(const PatternList *pl, const char *name)
{
	for (int i = 0; i < pl->n; i++)
		if (regexec(&pl->re[i], name, 0, NULL, 0) == 0)
			return true;
	return false;
}
