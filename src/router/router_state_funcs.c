/*
 * router_state_funcs.c: built-in functions whose answer is the node's own
 * state rather than the data's, so a hot standby answers them differently
 * (or refuses): they assign or report the transaction id, report the
 * session's backend, its notifications, its temporary schema, its
 * sequence values, or the primary's WAL position.  Such a statement goes
 * to the primary whatever the function lists and the catalog say.
 *
 * Used by children through router_rules.c.  Only unqualified and
 * pg_catalog-qualified calls count: a user's own function of the same name
 * in another schema is left to the catalog's volatility.
 */
#include <stdbool.h>
#include <string.h>

#include "router_int.h"

typedef struct StateFunc
{
	const char *name;
	bool		assigns_xid;	/* a write: the transaction gets an id */
} StateFunc;

static const StateFunc state_funcs[] = {
	{"txid_current", true},
	{"pg_current_xact_id", true},
	{"txid_current_if_assigned", false},
	{"pg_current_xact_id_if_assigned", false},
	{"txid_current_snapshot", false},
	{"pg_current_snapshot", false},
	{"pg_export_snapshot", false},
	{"pg_listening_channels", false},
	{"pg_notification_queue_usage", false},
	{"pg_my_temp_schema", false},
	{"pg_backend_pid", false},
	{"currval", false},
	{"lastval", false},
	{"pg_current_wal_lsn", false},
	{"pg_current_wal_insert_lsn", false},
	{"pg_current_wal_flush_lsn", false},
	{NULL, false}
};

static const StateFunc *
state_func_find(const char *qualified)
{
	const char *name = qualified;

	if (strncmp(qualified, "pg_catalog.", 11) == 0)
		name = qualified + 11;
	else if (strchr(qualified, '.') != NULL)
		return NULL;
	for (const StateFunc *f = state_funcs; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const char *
router_state_func(const StmtFacts *f, bool *assigns_xid)
{
	const char *found = NULL;

	*assigns_xid = false;
	for (int i = 0; i < f->nfuncs; i++)
	{
		const StateFunc *sf = state_func_find(f->funcs[i]);

		if (sf == NULL)
			continue;
		if (found == NULL)
			found = f->funcs[i];
		*assigns_xid |= sf->assigns_xid;
	}
	return found;
}
