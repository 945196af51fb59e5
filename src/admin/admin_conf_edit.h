/*
 * admin_conf_edit.h: pgpool.conf as editable lines (admin_conf_edit.c).
 */
#ifndef PGPOOL_ADMIN_CONF_EDIT_H
#define PGPOOL_ADMIN_CONF_EDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ConfLines
{
	char	  **lines;			/* malloc'd, without the newline */
	int			n;
} ConfLines;

void		conf_lines_split(ConfLines *cl, const char *text);
char	   *conf_lines_join(const ConfLines *cl, size_t *len);
void		conf_lines_free(ConfLines *cl);

/* Set name to value (NULL: comment it out); false if the name is unknown. */
bool		conf_lines_set(ConfLines *cl, const char *name, const char *value);

/* Active settings: {"name": {"value": ..., "line": N}} (names lower-cased). */
json_t	   *conf_lines_values(const ConfLines *cl);

bool		conf_parse_setting(const char *line, char *name, size_t nlen,
							   char *value, size_t vlen, const char **rest);

#endif
