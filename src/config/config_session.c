/*
 * config_session.c: PGPOOL SET and PGPOOL RESET on the process's own
 * configuration.
 *
 * A child's pool_config is its private copy, so a session may change the
 * parameters pgpool-II puts in its SESSION context (CONFIG_FLAG_SESSION)
 * directly in it.  The value each parameter had before its first change is
 * saved here, as text, in a fixed table (no allocation per session); RESET
 * and the end of the session put it back.  Reloads happen between sessions
 * only, so a saved value is never stale.  Runs in a child process.
 */
#include "config_int.h"

#include <string.h>

#define SAVED_MAX 32			/* more than the SESSION rows of the table */
#define SAVED_TEXT 256

typedef struct SavedValue
{
	int			row;			/* index in config_params */
	char		text[SAVED_TEXT];
} SavedValue;

static SavedValue saved[SAVED_MAX];
static int	nsaved;

static SavedValue *
saved_find(int row)
{
	for (int i = 0; i < nsaved; i++)
		if (saved[i].row == row)
			return &saved[i];
	return NULL;
}

static const ConfigParam *
session_param(const char *name, ConfigSessionResult *res)
{
	int			index;
	const ConfigParam *p = config_param_find(name, &index);

	if (p == NULL)
		*res = CONFIG_SESSION_UNKNOWN;
	else if (!(p->flags & CONFIG_FLAG_SESSION) || p->array != NULL)
		*res = CONFIG_SESSION_NOT_SETTABLE;
	else
		*res = CONFIG_SESSION_OK;
	return *res == CONFIG_SESSION_OK ? p : NULL;
}

/* Put the saved value of entry i back and forget it. */
static void
restore_entry(int i)
{
	const ConfigParam *p = &config_params[saved[i].row];

	if (!config_value_parse(pool_config, p, -1, saved[i].text))
		config_value_reset(pool_config, p, -1);
	saved[i] = saved[--nsaved];
}

ConfigSessionResult
config_session_set(const char *name, const char *value, char *accepted, size_t accepted_len)
{
	ConfigSessionResult res;
	const ConfigParam *p = session_param(name, &res);
	int			row;

	if (p == NULL)
		return res;
	if (value == NULL)
		return config_session_reset(name);
	row = config_param_index(p);
	if (saved_find(row) == NULL)
	{
		if (nsaved >= SAVED_MAX)
			return CONFIG_SESSION_NOT_SETTABLE;
		saved[nsaved].row = row;
		config_value_to_string(pool_config, p, saved[nsaved].text, SAVED_TEXT);
		nsaved++;
	}
	if (!config_value_parse(pool_config, p, -1, value))
	{
		if (accepted)
			config_accepted_values(p, accepted, accepted_len);
		return CONFIG_SESSION_INVALID;
	}
	return CONFIG_SESSION_OK;
}

ConfigSessionResult
config_session_reset(const char *name)
{
	ConfigSessionResult res = CONFIG_SESSION_OK;
	const ConfigParam *p;
	SavedValue *sv;

	if (name == NULL)
	{
		config_session_restore();
		return CONFIG_SESSION_OK;
	}
	p = session_param(name, &res);
	if (p == NULL)
		return res;
	sv = saved_find(config_param_index(p));
	if (sv)
		restore_entry((int) (sv - saved));
	return CONFIG_SESSION_OK;
}

bool
config_session_restore(void)
{
	bool		any = nsaved > 0;

	while (nsaved > 0)
		restore_entry(nsaved - 1);
	return any;
}
