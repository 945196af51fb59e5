/*
 * router_bench.c: micro-benchmark of the router's hot path, in one process:
 * microseconds per router_analyze() on a cache miss (parse with
 * libpg_query, walk, freeze) and on a hit, and per router_route(), for
 * pgbench's SELECT and UPDATE and two of psql's \d catalog queries.  For
 * reference, pg_query_parse_protobuf() on the same texts (the API the
 * router does not use).
 *
 * Built and run with "make router-bench"; not installed.  Prints numbers,
 * asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pg_query.h>

#include "config/config.h"
#include "router/router.h"

typedef struct BenchQuery
{
	const char *label;
	const char *sql;
} BenchQuery;

static const BenchQuery queries[] = {
	{"pgbench SELECT", "SELECT abalance FROM pgbench_accounts WHERE aid = 4711;"},
	{"pgbench UPDATE", "UPDATE pgbench_accounts SET abalance = abalance + -4233 WHERE aid = 4711;"},
	{"psql \\d", "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n"
		"  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
		"WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN "
		"'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as \"Type\",\n"
		"  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n"
		"     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
		"     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\n"
		"WHERE c.relkind IN ('r','p','v','m','S','f','')\n      AND n.nspname <> 'pg_catalog'\n"
		"      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n"
	"  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 1,2;"},
	{"psql \\d table (publications)", "SELECT pubname\n     , NULL\n     , NULL\n"
		"FROM pg_catalog.pg_publication p\n"
		"     JOIN pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid\n"
		"     JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.pnnspid\n"
		"WHERE pc.oid ='16390' and pg_catalog.pg_relation_is_publishable('16390')\nUNION\n"
		"SELECT pubname\n     , pg_get_expr(pr.prqual, c.oid)\n"
		"     , (CASE WHEN pr.prattrs IS NOT NULL THEN\n"
		"         (SELECT string_agg(attname, ', ')\n"
		"           FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,\n"
		"                pg_catalog.pg_attribute\n"
		"          WHERE attrelid = pr.prrelid AND attnum = prattrs[s])\n"
		"        ELSE NULL END) FROM pg_catalog.pg_publication p\n"
		"     JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid\n"
		"     JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid\n"
		"WHERE pr.prrelid = '16390'\nUNION\nSELECT pubname\n     , NULL\n     , NULL\n"
		"FROM pg_catalog.pg_publication p\n"
	"WHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('16390')\nORDER BY 1;"},
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static volatile uintptr_t sink;

/* us per analysis with the cache bypassed (every call parses) */
static double
bench_cold(const char *sql, size_t len, int n)
{
	double		t0;

	router_cache_configure(0, 0, 1);	/* texts over 1 byte are never cached */
	t0 = now_us();
	for (int i = 0; i < n; i++)
		sink += (uintptr_t) router_analyze(sql, len)->nrels;
	return (now_us() - t0) / n;
}

static double
bench_cached(const char *sql, size_t len, int n)
{
	double		t0;

	router_cache_configure(0, 0, 1 << 20);
	router_analyze(sql, len);
	t0 = now_us();
	for (int i = 0; i < n; i++)
		sink += (uintptr_t) router_analyze(sql, len);
	return (now_us() - t0) / n;
}

static double
bench_route(const StmtFacts *f, const RouterCtx *ctx, int n)
{
	double		t0 = now_us();

	for (int i = 0; i < n; i++)
		sink += (uintptr_t) router_route(f, ctx).target;
	return (now_us() - t0) / n;
}

static double
bench_protobuf(const char *sql, int n)
{
	double		t0 = now_us();

	for (int i = 0; i < n; i++)
	{
		PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);

		sink += r.parse_tree.len;
		pg_query_free_protobuf_parse_result(r);
	}
	return (now_us() - t0) / n;
}

int
main(int argc, char **argv)
{
	double		scale = argc > 1 ? atof(argv[1]) : 1.0;
	PoolConfig	cfg;
	RouterConfig *rc;
	RouterSession sess;
	RouterCtx	ctx = {0};

	config_init_defaults(&cfg);
	rc = router_config_create(&cfg, ROUTER_RULES_PRIMARY_STANDBY);
	router_session_init(&sess);
	ctx.config = rc;
	ctx.session = &sess;

	printf("%-32s %6s %10s %10s %10s %10s %-16s\n", "query", "bytes", "cold us",
		   "cached us", "route us", "protobuf", "routed to");
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++)
	{
		const char *sql = queries[q].sql;
		size_t		len = strlen(sql);
		int			n_cold = (int) (20000 * scale),
					n_fast = (int) (2000000 * scale);
		double		cold = bench_cold(sql, len, n_cold);
		double		cached = bench_cached(sql, len, n_fast);
		const StmtFacts *f = router_analyze(sql, len);
		double		rt = bench_route(f, &ctx, n_fast);
		double		pb = bench_protobuf(sql, n_cold);
		RouterDecision d = router_route(f, &ctx);

		printf("%-32s %6zu %10.3f %10.3f %10.3f %10.3f %s (%s)\n", queries[q].label, len,
			   cold, cached, rt, pb, router_target_name(d.target), d.rule);
	}
	router_config_free(rc);
	config_free(&cfg);
	return 0;
}
