/*
 * hba_int.h: pool_hba.conf internals shared by the tokenizer, the rule
 * parser and the matcher (private to src/auth).
 */
#ifndef PGPOOL_AUTH_HBA_INT_H
#define PGPOOL_AUTH_HBA_INT_H

#include "auth/auth_hba.h"

/* The comma-separated items of one field. */
typedef struct HbaField
{
	HbaName    *items;
	int			n;
} HbaField;

/* Log an error of path:line (with an optional DETAIL prefix). */
void		hba_report(const char *path, int line, const char *detail, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

/* Split a line into at most max_fields fields; -1 and *err on a syntax error. */
int			hba_tokenize(const char *line, HbaField *fields, int max_fields, const char **err);

void		hba_field_free(HbaField *f);

/* Expand @file items of a DATABASE or USER field into a malloc'd name array. */
bool		hba_expand_names(const char *path, int line, HbaField *in, HbaName **names, int *n);

/*
 * Parse one line into *rule: 1 for a rule, 0 for a blank or comment line,
 * -1 after logging an error.
 */
int			hba_parse_line(const char *path, int line, const char *text, HbaRule *rule);

#endif
