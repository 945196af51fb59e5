/*
 * multi_route.c: where a statement of a multi-node session goes.
 *
 * The facts come from the router (PostgreSQL's parser via libpg_query,
 * cached per statement text); this file maps the router's target onto the
 * nodes this session holds, and keeps the session's routing state.  How
 * the nodes take the route (main node first, barriers, COMMIT ordering,
 * ending other nodes' transactions) is the mode's shape_route
 * (multi_mode.h).
 */
#include "session/multi.h"
#include "session/query_cache.h"
#include "multi_mode.h"
#include "session/func_volatility.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "router/router.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static RouterConfig *router_config;

void
multi_route_reset_config(void)
{
	if (router_config)
		router_config_free(router_config);
	router_config = NULL;
	lb_select_reset();
}

static const RouterConfig *
current_router_config(void)
{
	if (router_config == NULL)
		/* the rule table is the router's side of the strategy, not session behaviour */
		router_config = router_config_create(pool_config, strategy_current()->rules);
	return router_config;
}

/*
 * Temp/unlogged table trace: the session remembers the tables it created
 * TEMP or UNLOGGED, so a later SELECT naming one goes to the primary
 * without a catalog query.
 */
static int
trace_find(const MultiState *m, const char *name)
{
	for (int i = 0; i < m->ntemp; i++)
		if (strcmp(m->temp_tables[i], name) == 0)
			return i;
	return -1;
}

static void
trace_update(MultiState *m, const StmtFacts *facts)
{
	for (int i = 0; i < facts->nrels; i++)
	{
		const RouterRel *rel = &facts->rels[i];
		int			at = trace_find(m, rel->name);

		if ((rel->flags & ROUTER_REL_CREATED) &&
			(rel->flags & (ROUTER_REL_TEMP | ROUTER_REL_UNLOGGED)) && at < 0)
		{
			m->temp_tables = mem_realloc(m->temp_tables, sizeof(char *) * (m->ntemp + 1));
			m->temp_flags = mem_realloc(m->temp_flags, m->ntemp + 1);
			m->temp_tables[m->ntemp] = str_dup(rel->name);
			m->temp_flags[m->ntemp++] = rel->flags & (ROUTER_REL_TEMP | ROUTER_REL_UNLOGGED);
		}
		else if ((rel->flags & ROUTER_REL_DROPPED) && at >= 0)
		{
			free(m->temp_tables[at]);
			m->temp_tables[at] = m->temp_tables[--m->ntemp];
			m->temp_flags[at] = m->temp_flags[m->ntemp];
		}
	}
}

static bool
trace_check(void *arg, const RouterRel *rel, RouterRelQuestion q)
{
	Session    *s = arg;
	const MultiState *m = s->multi;
	int			at;

	if (q == ROUTER_REL_IS_SEQUENCE)
		return multi_relation_is_sequence(s, rel->schema, rel->name);
	at = trace_find(m, rel->name);

	if (at >= 0)
		return q == ROUTER_REL_IS_TEMP ? (m->temp_flags[at] & ROUTER_REL_TEMP) != 0 :
			(m->temp_flags[at] & ROUTER_REL_UNLOGGED) != 0;
	/* tables made UNLOGGED by other sessions: ask the catalog (cached per process) */
	if (q == ROUTER_REL_IS_UNLOGGED)
		return multi_relation_unlogged(s, rel->schema, rel->name);
	return false;
}

void
multi_route_free_trace(MultiState *m)
{
	func_volatility_end_session();
	multi_tx_free(m);
	multi_prepared_free(m);
	for (int i = 0; i < m->ntemp; i++)
		free(m->temp_tables[i]);
	free(m->temp_tables);
	free(m->temp_flags);
	m->temp_tables = NULL;
	m->temp_flags = NULL;
	m->ntemp = 0;
}

static void
count_select(int node)
{
	__atomic_fetch_add(&node_table->nodes[node].select_count, 1, __ATOMIC_RELAXED);
}

/*
 * Both function lists empty: the catalog's volatility of the functions the
 * statement calls (and, for EXECUTE, its arguments).  Unknown now (the
 * primary is busy): volatile, so the statement goes to the primary.
 */
static char
statement_volatility(Session *s, const StmtFacts *facts, const RouterCtx *ctx)
{
	const StmtFacts *f = router_volatility_facts(facts, ctx);
	char		vol,
				args;

	if (f == NULL)
		return 0;
	vol = func_volatility(s, f);
	if (vol != 0 && vol != 'v' && f != facts && facts->nfuncs > 0)
	{
		args = func_volatility(s, facts);
		vol = args == 0 || args > vol ? args : vol;
	}
	return vol == 0 ? 'v' : vol;
}

/*
 * pg_terminate_backend(pid): the node running that backend, if it is one
 * of pgpool's connections (a standby's backend is unknown to the primary).
 * Terminating it is no node failure (session_backend_failed checks).
 */
static void
terminate_target(Session *s, const StmtFacts *facts, MultiRoute *r, bool quiet)
{
	MultiState *m = s->multi;
	int			node;

	if (proc_table == NULL || facts->nstmts != 1)
		return;
	if (!proc_table_find_backend(facts->terminate_pid, &node))
	{
		if (!quiet)
			plog(PL_LOG, "found the pg_terminate_backend request for backend pid:%d, "
			 "but the backend does not belong to pgpool", facts->terminate_pid);
		return;
	}
	if (!quiet)
		plog(PL_LOG, "found the pg_terminate_backend request for backend pid:%d on backend node:%d",
			 facts->terminate_pid, node);
	if (!node_mask_has(&m->connected, node))
		return;
	r->nodes = node_mask_single(node);
	r->lead = node;
}

/*
 * The route of a statement: the router's decision mapped onto the nodes
 * this session holds.  explain: change nothing (no node choice stored, no
 * select counted, no log line); PGPOOL EXPLAIN ROUTE reports it as is.
 */
static void
route_compute(Session *s, const StmtFacts *facts, bool explain, MultiRoute *r, RouterDecision *d)
{
	MultiState *m = s->multi;
	RouterCtx	ctx = {0};

	ctx.config = current_router_config();
	ctx.session = &m->router_session;
	ctx.rel_check = trace_check;
	ctx.rel_check_arg = s;
	ctx.prepared = multi_prepared_facts(m, facts);
	ctx.temp_objects = m->temp_objects;
	ctx.volatility = statement_volatility(s, facts, &ctx);
	*d = router_route(facts, &ctx);
	r->write = d->is_write;
	r->reason = d->reason;
	r->rule = d->rule;
	r->show_pool = facts->kind == ROUTER_STMT_SHOW_POOL;
	r->end_others_tx = false;
	r->ordered = false;
	r->barrier = false;
	r->stream = false;
	r->facts = facts;
	switch (d->target)
	{
		case ROUTER_TARGET_LOAD_BALANCE_NODE:
			/* (the cache's decision belongs to the message being routed: not explained) */
			if (!explain && multi_mode()->cache_read_on_primary(s))
			{
				/* the cache keeps this answer: a lagging standby must not put old rows there */
				r->nodes = node_mask_single(m->primary);
				r->lead = m->primary;
				r->rule = "query_cache";
				r->reason = "the query cache keeps the answer: read from the primary";
				if (!explain)
					count_select(m->primary);
				break;
			}
			if (d->new_node && !explain)
				m->lb_node = multi_lb_choose(s);
			r->lead = multi_lb_node_now(s);
			ryw_route_read(s, facts, r, explain);
			r->nodes = node_mask_single(r->lead);
			if (facts->kind == ROUTER_STMT_SELECT && !explain)
				count_select(r->lead);
			break;
		case ROUTER_TARGET_ALL_NODES_IN_TRANSACTION:
			r->nodes = multi_tx_open_nodes(s);
			r->lead = m->primary;
			break;
		case ROUTER_TARGET_ALL_NODES:
			r->nodes = m->connected;
			r->lead = m->primary;
			break;
		case ROUTER_TARGET_MAIN_NODE:
		case ROUTER_TARGET_PRIMARY:
		case ROUTER_TARGET_PGPOOL:
		default:
			r->nodes = node_mask_single(m->primary);
			r->lead = m->primary;
			if (facts->kind == ROUTER_STMT_SELECT && !explain)
				count_select(m->primary);
			break;
	}
	/* ordering, barriers, other nodes' transactions: the mode's (multi_mode.h) */
	multi_mode()->shape_route(s, r, facts, d->target);
	if (facts->terminate_pid != 0)
		terminate_target(s, facts, r, explain);
}

void
multi_route_explain(Session *s, const char *sql, size_t len, MultiRoute *out, RouterDecision *d)
{
	route_compute(s, router_analyze(sql, len), true, out, d);
}

/* log_routing: the nodes and the rule, as PGPOOL EXPLAIN ROUTE shows them. */
static void
log_route(const MultiRoute *r, const char *sql)
{
	char		nodes[128] = "";
	size_t		used = 0;

	for (int i = 0; i < MAX_BACKENDS && used + 12 < sizeof(nodes); i++)
		if (node_mask_has(&r->nodes, i))
			used += (size_t) snprintf(nodes + used, sizeof(nodes) - used, "%s%d",
									  used > 0 ? "," : "", i);
	plog_ex(PL_LOG, log_fmt("statement: %s", sql), NULL,
			"statement routed to node(s) %s by rule \"%s\": %s", used > 0 ? nodes : "none",
			r->rule ? r->rule : "", r->reason ? r->reason : "");
}

MultiRoute
multi_route_sql(Session *s, const char *sql, size_t len)
{
	MultiState *m = s->multi;
	const StmtFacts *facts = router_analyze(sql, len);
	RouterDecision d;
	MultiRoute	r;

	route_compute(s, facts, false, &r, &d);
	router_session_note(&m->router_session, facts, &d);
	multi_tx_remember_set(s, facts, d.rule);
	func_volatility_note(s, facts);
	if (facts->flags & ROUTER_F_TEMP_OBJECT)
		m->temp_objects = true;
	else if (facts->kind == ROUTER_STMT_DISCARD && facts->name &&
			 (strcmp(facts->name, "TEMP") == 0 || strcmp(facts->name, "ALL") == 0))
		m->temp_objects = false;
	if (facts->kind == ROUTER_STMT_DDL)
		table_facts_invalidate();
	if (facts->nrels > 0)
		trace_update(m, facts);
	if (facts->kind == ROUTER_STMT_PREPARE || facts->kind == ROUTER_STMT_DEALLOCATE ||
		facts->kind == ROUTER_STMT_DISCARD)
		multi_prepared_route(s, facts, &r);
	if (pool_config->log_routing)
		log_route(&r, facts->text);
	plog(PL_DEBUG1, "route: %s -> %s (%s)", router_stmt_kind_name(facts->kind),
		 router_target_name(d.target), d.reason ? d.reason : "");
	return r;
}
