/*
 * qc_policy.c: which SELECTs the query cache may answer — pure verdicts
 * over the statement's facts, the catalog's description of the relations
 * it reads and the configured table lists.  Each verdict is a short reason
 * (for DEBUG logs and tests) or NULL for "may be cached".  Runs in children.
 *
 * /\*FORCE QUERY CACHE*\/ overrides what is only a guess about staleness
 * (functions, system catalogs, unlogged tables, views, the unsafe list) but
 * never what would be wrong or unsafe to share: writes, locks, SELECT INTO,
 * several statements, temporary tables, row-level security.
 */
#include "qc_int.h"

#include "config/config.h"

#include <stdio.h>
#include <string.h>

void
qc_lists_compile(QcLists *l, const PoolConfig *cfg)
{
	pattern_list_compile(&l->safe, cfg->cache_safe_memqcache_table_list, "cache_safe_memqcache_table_list");
	pattern_list_compile(&l->unsafe, cfg->cache_unsafe_memqcache_table_list, "cache_unsafe_memqcache_table_list");
}

void
qc_lists_free(QcLists *l)
{
	pattern_list_free(&l->safe);
	pattern_list_free(&l->unsafe);
}

const char *
qc_policy_statement(const StmtFacts *f)
{
	if (f->kind != ROUTER_STMT_SELECT)
		return "not a SELECT";
	if (f->nstmts != 1 || (f->flags & ROUTER_F_MULTI))
		return "several statements";
	if (f->flags & ROUTER_F_NO_QUERY_CACHE)
		return "NO QUERY CACHE comment";
	if (f->flags & (ROUTER_F_WRITE | ROUTER_F_WRITABLE_CTE))
		return "writes";
	if (f->flags & ROUTER_F_FOR_UPDATE)
		return "locks rows";
	if (f->flags & ROUTER_F_SELECT_INTO)
		return "SELECT INTO";
	if (f->flags & ROUTER_F_SEQUENCE_FUNC)
		return "sequence function";
	if (f->flags & ROUTER_F_TEMP_OBJECT)
		return "temporary object";
	if ((f->flags & (ROUTER_F_READS_CLOCK | ROUTER_F_SYSTEM_CATALOG)) && !(f->flags & ROUTER_F_FORCE_QUERY_CACHE))
		return (f->flags & ROUTER_F_READS_CLOCK) ? "reads the clock" : "system catalog";
	if (f->nrels > QC_MAX_TABLES)
		return "too many tables";
	return NULL;
}

/* The name as the lists see it: "schema.name" when written so, else "name". */
static void
list_name(const RouterRel *r, char *out, size_t cap)
{
	if (r->schema)
		snprintf(out, cap, "%s.%s", r->schema, r->name);
	else
		snprintf(out, cap, "%s", r->name);
}

/* Why one relation (the named one or one under a view) is not cacheable; NULL if it is. */
static const char *
rel_verdict(const QcRel *r, bool under_view, bool safe, bool force)
{
	if (r->rls)
		return "row-level security";
	if (r->persistence == 't')
		return "temporary table";
	if (safe || force)
		return NULL;
	if (r->catalog)
		return "system catalog";
	if (r->persistence == 'u')
		return "unlogged table";
	switch (r->relkind)
	{
		case 'r':
		case 'p':
		case 'm':
			return NULL;
		case 'v':
			return NULL;		/* cached through the relations under it */
		case 'f':
			return under_view ? "view over a foreign table" : "foreign table";
		case 'S':
			return "sequence";
		case 'V':
			return "view calling functions that are not immutable";
		default:
			return "not a table";
	}
}

const char *
qc_policy_relation(const QcLists *l, const RouterRel *named, const QcRelInfo *ri, bool force)
{
	char		name[256];
	bool		safe;

	if (ri == NULL || !ri->found || ri->nrels == 0)
		return "unknown relation";
	list_name(named, name, sizeof(name));
	safe = l && pattern_list_matches(&l->safe, name);
	if (!safe && !force && l && pattern_list_matches(&l->unsafe, name))
		return "in cache_unsafe_memqcache_table_list";
	for (int i = 0; i < ri->nrels; i++)
	{
		const char *why = rel_verdict(&ri->rels[i], i > 0, safe, force);

		if (why)
			return why;
	}
	return NULL;
}

const char *
qc_policy_functions(const StmtFacts *f, char volatility, bool force)
{
	if (f->nfuncs == 0 || force)
		return NULL;
	switch (volatility)
	{
		case 'i':
			return NULL;
		case 's':
			return "stable function";
		case 'v':
			return "volatile function";
		default:
			return "function volatility unknown";
	}
}
