/*
 * multi_route.c: where a statement of a multi-node session goes.
 *
 * The SQL facts come from the router (PostgreSQL's parser via
 * libpg_query); this file only maps the router's target onto the nodes
 * this session holds.
 */
#include "session/multi.h"

MultiRoute
multi_route_sql(Session *s, const char *sql, size_t len)
{
	MultiRoute	r;

	(void) sql;
	(void) len;
	r.nodes = node_mask_single(s->multi->primary);
	r.lead = s->multi->primary;
	r.write = true;
	r.reason = "primary";
	return r;
}
