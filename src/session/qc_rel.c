/*
 * qc_rel.c: what the query cache must know about a relation a SELECT
 * reads — its oid (the store invalidates by oid), kind, persistence,
 * row-level security, whether it is a system catalog, and for a view the
 * same for every relation under it.  Asked of the primary over the
 * session's own connection (so search_path and temporary tables are the
 * session's), memoised per process for (database, user, name).  The memo
 * is emptied on DDL and on anything that may change name resolution
 * (qc_rel_forget).  Runs in children.
 */
#include "qc_int.h"
#include "multi_int.h"
#include "catalog_memo.h"
#include "session/func_volatility.h"

#include "config/config.h"
#include "utils/log.h"
#include "session/caches.h"
#include "utils/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QC_REL_MEMO_SIZE 512

static CatalogMemo memo;

/*
 * The relation, then (views only) every relation its rules depend on, to
 * a bounded depth; a view also reports whether its rules call a function
 * that is not immutable.
 */
static void
put_text(PqBuf *b, const char *text)
{
	pqbuf_put_bytes(b, text, strlen(text));
}

static void
build_query(PqBuf *sql, const char *schema, const char *name)
{
	put_text(sql, "WITH RECURSIVE r(oid, depth) AS (SELECT to_regclass(");
	if (schema)
	{
		put_text(sql, "quote_ident(");
		catalog_put_literal(sql, schema);
		put_text(sql, ") || '.' || ");
	}
	put_text(sql, "quote_ident(");
	catalog_put_literal(sql, name);
	put_text(sql, "))::oid, 0 UNION "
				  "SELECT d.refobjid, r.depth + 1 FROM r "
				  "JOIN pg_class vc ON vc.oid = r.oid AND vc.relkind = 'v' "
				  "JOIN pg_rewrite w ON w.ev_class = r.oid "
				  "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid "
				  "AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.oid "
				  "WHERE r.depth < 8) "
				  "SELECT c.oid, c.relkind, c.relpersistence, c.relrowsecurity, "
				  "n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast'), min(r.depth), "
				  "c.relkind = 'v' AND EXISTS (SELECT 1 FROM pg_rewrite w2 JOIN pg_depend d2 "
				  "ON d2.classid = 'pg_rewrite'::regclass AND d2.objid = w2.oid "
				  "AND d2.refclassid = 'pg_proc'::regclass "
				  "JOIN pg_proc p ON p.oid = d2.refobjid AND p.provolatile <> 'i' "
				  "WHERE w2.ev_class = c.oid), "
				  "CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END "
				  "FROM r JOIN pg_class c ON c.oid = r.oid "
				  "JOIN pg_namespace n ON n.oid = c.relnamespace "
				  "GROUP BY 1, 2, 3, 4, 5, 8 ORDER BY 6, 1");
}

static bool
cell_true(const char *v)
{
	return v && v[0] == 't';
}

/* Rows (depth order) into info; a view calling non-immutable functions counts as volatile. */
static QcRelInfo *
info_from_rows(const CatalogRows *rows)
{
	QcRelInfo  *ri = mem_alloc0(sizeof(QcRelInfo));

	for (int i = 0; i < rows->nrows && ri->nrels < QC_MAX_TABLES; i++)
	{
		char	  **c = &rows->cells[i * rows->ncols];
		QcRel	   *r = &ri->rels[ri->nrels++];

		if (c[0] == NULL)
			continue;
		r->oid = (uint32_t) strtoul(c[0], NULL, 10);
		r->relkind = c[1] ? c[1][0] : '?';
		r->persistence = c[2] ? c[2][0] : 'p';
		r->rls = cell_true(c[3]);
		r->catalog = cell_true(c[4]);
		if (cell_true(c[6]))
			r->relkind = 'V';	/* a view over functions that are not immutable */
	}
	ri->found = ri->nrels > 0;
	if (rows->nrows > QC_MAX_TABLES)
		ri->found = false;		/* too many relations under it to track */
	return ri;
}

/*
 * PostgreSQL records no dependency on built-in objects (system catalogs,
 * now(), random(), ...), so a view is also judged by its definition: one
 * reading the clock or a system catalog, or calling a function that is
 * not immutable, is marked 'V' (not cacheable).
 */
static void
judge_views(Session *s, QcRelInfo *ri, const CatalogRows *rows)
{
	for (int i = 0; i < rows->nrows && i < ri->nrels; i++)
	{
		const char *def = rows->cells[i * rows->ncols + 7];
		const StmtFacts *vf;

		if (def == NULL || ri->rels[i].relkind != 'v')
			continue;
		vf = router_analyze(def, strlen(def));
		if (vf->kind != ROUTER_STMT_SELECT ||
			(vf->flags & (ROUTER_F_READS_CLOCK | ROUTER_F_SYSTEM_CATALOG | ROUTER_F_SEQUENCE_FUNC)) ||
			(vf->nfuncs > 0 && func_volatility(s, vf) != 'i'))
			ri->rels[i].relkind = 'V';
	}
}

static void
make_key(char *key, size_t cap, const Session *s, const char *schema, const char *name)
{
	const char *options = pq_startup_get(&s->startup, "options");

	/* options may carry -c search_path */
	snprintf(key, cap, "%s\x1f%s\x1f%s\x1f%s\x1f%s", s->startup.database ? s->startup.database : "",
			 s->startup.user ? s->startup.user : "", options ? options : "", schema ? schema : "", name);
}

/* Allocate the memo at child start rather than on the first cached SELECT. */
void
qc_rel_prepare(void)
{
	if (memo.slots == NULL)
		catalog_memo_init(&memo, QC_REL_MEMO_SIZE, free);
}

const QcRelInfo *
qc_rel_lookup(Session *s, const char *schema, const char *name)
{
	char		key[1024];
	QcRelInfo  *ri;
	CatalogRows rows;
	PqBuf		sql;
	bool		ok;
	uint64_t	clock;

	if (memo.slots == NULL)
		catalog_memo_init(&memo, QC_REL_MEMO_SIZE, free);
	make_key(key, sizeof(key), s, schema, name);
	/* DDL through any pgpool process since it was asked may have moved the name */
	if ((ri = catalog_memo_get(&memo, key)) != NULL &&
		ri->resolved_at >= qc_database_stamp(qc_db_hash(s->startup.database ? s->startup.database : "")))
		return ri;
	if (!multi_node_idle(s, s->multi->primary) || s->multi->batch != NULL)
		return NULL;
	clock = qc_clock_now();
	pqbuf_init(&sql);
	build_query(&sql, schema, name);
	pqbuf_put_byte(&sql, '\0');
	ok = catalog_query(s, s->multi->primary, sql.data, 8, &rows);
	pqbuf_free(&sql);
	if (!ok)
	{
		catalog_rows_free(&rows);
		return NULL;
	}
	ri = info_from_rows(&rows);
	judge_views(s, ri, &rows);
	ri->resolved_at = clock;
	catalog_rows_free(&rows);
	catalog_memo_put(&memo, key, ri);
	return ri;
}

void
qc_rel_forget(void)
{
	if (memo.slots)
		catalog_memo_clear(&memo);
}

char
qc_func_volatility(Session *s, const StmtFacts *f)
{
	return f->nfuncs == 0 ? 'i' : func_volatility(s, f);
}
