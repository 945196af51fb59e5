/*
 * show_param.c: PGPOOL SHOW name | ALL, answered like SHOW pool_*: as a
 * query over literal values.  One parameter gives one column named after
 * it; ALL gives pool_status's item/value/description rows.  Runs in a
 * child process; reads the process's configuration (with the session's
 * PGPOOL SET changes).
 */
#include "show/show.h"
#include "show_int.h"

#include "config/config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PARAM_VALUE_MAX 8192

bool
show_build_param(const char *name, PqBuf *sql)
{
	static const char *const all_cols[] = {"item", "value", "description"};
	static char buf[PARAM_VALUE_MAX];
	const char *cols[1];
	const ConfigParam *p;
	ShowTable	t;
	int			index;

	if (strcasecmp(name, "all") == 0)
	{
		show_table_begin(&t, sql, all_cols, 3);
		show_rows_status(&t);
		show_table_end(&t);
		return true;
	}
	p = config_param_find(name, &index);
	if (p == NULL || pool_config == NULL || (p->array != NULL && index < 0))
		return false;
	cols[0] = name;
	show_table_begin(&t, sql, cols, 1);
	show_row_begin(&t);
	if (p->array)
		show_value(&t, config_element_for_display(pool_config, p, index, buf, sizeof(buf)));
	else
		show_value(&t, config_value_for_display(pool_config, p, buf, sizeof(buf)));
	show_row_end(&t);
	show_table_end(&t);
	return true;
}
