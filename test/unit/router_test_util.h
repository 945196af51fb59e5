/*
 * router_test_util.h: fixture shared by the routing tests: a RouterConfig
 * built from pgpool.conf name/value pairs over the defaults, a session, a
 * context whose rel_check answers from a fake catalog, and helpers that
 * route a statement, check where it went, or play it as the relay would.
 */
#ifndef ROUTER_TEST_UTIL_H
#define ROUTER_TEST_UTIL_H

#include "router/router.h"

#define PGBENCH_SELECT "SELECT abalance FROM pgbench_accounts WHERE aid = 4711;"

/* psql 15's \d (list relations) */
#define PSQL_D_LIST \
	"SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n" \
	"  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' " \
	"WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN " \
	"'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as \"Type\",\n" \
	"  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n" \
	"     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n" \
	"     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\n" \
	"WHERE c.relkind IN ('r','p','v','m','S','f','')\n      AND n.nspname <> 'pg_catalog'\n" \
	"      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n" \
	"  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 1,2;"

#define LB ROUTER_TARGET_LOAD_BALANCE_NODE
#define PRIMARY ROUTER_TARGET_PRIMARY

extern RouterConfig *rt_config;
extern RouterSession rt_sess;
extern RouterCtx rt_ctx;

/* what the fake catalog says is temporary / unlogged; calls counted */
extern const char *rt_temp_tables[4];
extern const char *rt_unlogged_tables[4];
extern const char *rt_sequences[4];
extern int	rt_rel_checks;

/* The rule set of a clustering mode, as the mode strategies choose it. */
RouterRuleSet rt_rules_of_mode(int mode);

/* Replace the configuration: name/value pairs, NULL-terminated. */
void		rt_configure(const char *const *opts);

#define CONFIGURE(...) rt_configure((const char *const[]){__VA_ARGS__, NULL})

/* cmocka setup/teardown: default configuration, idle session, empty catalog */
int			rt_setup(void **state);
int			rt_teardown(void **state);

RouterDecision rt_route(const char *sql);

/* Route and fail unless target and rule are as given. */
RouterDecision rt_expect(const char *sql, RouterTarget target, const char *rule);

/* A statement that ran: router_session_note() as sent, then its ReadyForQuery status. */
void		rt_run(const char *sql, char status);

#endif
