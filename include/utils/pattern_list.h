/*
 * pattern_list.h: a comma-separated list of POSIX extended regular
 * expressions from pgpool.conf (function lists, query cache table lists),
 * each matched against a whole name, ignoring case.  Compiled once per
 * configuration load; a bad pattern is reported (naming the parameter) and
 * skipped.
 */
#ifndef PGPOOL_UTILS_PATTERN_LIST_H
#define PGPOOL_UTILS_PATTERN_LIST_H

#include <regex.h>
#include <stdbool.h>

typedef struct PatternList
{
	regex_t    *re;
	int			n;
} PatternList;

/* Compile list (NULL or "" gives an empty list); param names it in warnings. */
void		pattern_list_compile(PatternList *pl, const char *list, const char *param);
/* The same with another separator; a backslash before it keeps it in the pattern. */
void		pattern_list_compile_sep(PatternList *pl, const char *list, char sep, const char *param);
void		pattern_list_free(PatternList *pl);

/* Does some pattern match the whole of name? */
bool		pattern_list_matches(const PatternList *pl, const char *name);

#endif
