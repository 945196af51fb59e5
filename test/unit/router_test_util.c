/*
 * router_test_util.c: the routing tests' fixture (see router_test_util.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "router_test_util.h"

RouterConfig *rt_config;
RouterSession rt_sess;
RouterCtx	rt_ctx;

const char *rt_temp_tables[4];
const char *rt_unlogged_tables[4];
const char *rt_sequences[4];
int			rt_rel_checks;

static bool
fake_rel_check(void *arg, const RouterRel *rel, RouterRelQuestion q)
{
	const char **names = q == ROUTER_REL_IS_TEMP ? rt_temp_tables :
		q == ROUTER_REL_IS_SEQUENCE ? rt_sequences : rt_unlogged_tables;

	(void) arg;
	if (q != ROUTER_REL_IS_SEQUENCE)
		rt_rel_checks++;		/* check_temp_table / check_unlogged_table questions */
	/* catalogs are decided without asking */
	assert_false(rel->flags & ROUTER_REL_SYSTEM);
	for (int i = 0; i < 4 && names[i] != NULL; i++)
		if (strcmp(names[i], rel->name) == 0)
			return true;
	return false;
}

/* The rule set each mode's strategy chooses (src/replication/strategy.c). */
RouterRuleSet
rt_rules_of_mode(int mode)
{
	switch (mode)
	{
		case CM_RAW:
			return ROUTER_RULES_RAW;
		case CM_NATIVE_REPLICATION:
		case CM_SNAPSHOT_ISOLATION:
			return ROUTER_RULES_REPLICATION;
		default:
			return ROUTER_RULES_PRIMARY_STANDBY;
	}
}

void
rt_configure(const char *const *opts)
{
	PoolConfig	cfg;

	config_init_defaults(&cfg);
	for (int i = 0; opts != NULL && opts[i] != NULL; i += 2)
		assert_true(config_set_option(&cfg, opts[i], opts[i + 1]));
	router_config_free(rt_config);
	rt_config = router_config_create(&cfg, rt_rules_of_mode(cfg.backend_clustering_mode));
	config_free(&cfg);
	rt_ctx.config = rt_config;
}

int
rt_setup(void **state)
{
	(void) state;
	rt_configure(NULL);
	router_session_init(&rt_sess);
	memset(&rt_ctx, 0, sizeof(rt_ctx));
	rt_ctx.config = rt_config;
	rt_ctx.session = &rt_sess;
	rt_ctx.rel_check = fake_rel_check;
	memset(rt_temp_tables, 0, sizeof(rt_temp_tables));
	memset(rt_unlogged_tables, 0, sizeof(rt_unlogged_tables));
	memset(rt_sequences, 0, sizeof(rt_sequences));
	rt_rel_checks = 0;
	return 0;
}

int
rt_teardown(void **state)
{
	(void) state;
	router_config_free(rt_config);
	rt_config = NULL;
	return 0;
}

RouterDecision
rt_route(const char *sql)
{
	return router_route(router_analyze(sql, strlen(sql)), &rt_ctx);
}

RouterDecision
rt_expect(const char *sql, RouterTarget target, const char *rule)
{
	RouterDecision d = rt_route(sql);

	if (d.target != target || strcmp(d.rule, rule) != 0)
		fail_msg("\"%s\": %s by rule %s (%s); expected %s by rule %s", sql,
				 router_target_name(d.target), d.rule, d.reason,
				 router_target_name(target), rule);
	return d;
}

void
rt_run(const char *sql, char status)
{
	const StmtFacts *f = router_analyze(sql, strlen(sql));
	RouterDecision d = router_route(f, &rt_ctx);

	router_session_note(&rt_sess, f, &d);
	router_session_txn_status(&rt_sess, status);
}
