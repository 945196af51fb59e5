/*
 * router_facts.c: collecting statement facts and freezing them into one
 * cache entry block; names of kinds and targets for logs.
 *
 * Runs in children, on a cache miss only.  A RouterBuild lives on the
 * caller's stack for one analysis; its arrays are malloc'd and freed by
 * router_build_free().  The frozen RouterEntry is a single malloc'd block
 * (header, StmtFacts, text, arrays, strings) so eviction is one free().
 */
#include <stdlib.h>
#include <string.h>

#include "router_int.h"
#include "utils/str.h"

/* Round up to pointer alignment inside the frozen block. */
#define ALIGN_PTR(n) (((n) + sizeof(void *) - 1) & ~(sizeof(void *) - 1))

void
router_build_init(RouterBuild *b)
{
	memset(b, 0, sizeof(*b));
	b->kind = ROUTER_STMT_EMPTY;
	b->inner_kind = ROUTER_STMT_EMPTY;
	b->name = RB_NOSTR;
	b->error = RB_NOSTR;
}

void
router_build_free(RouterBuild *b)
{
	free(b->pool);
	free(b->rels);
	free(b->funcs);
	free(b->ctes);
	memset(b, 0, sizeof(*b));
}

size_t
router_build_strn(RouterBuild *b, const char *s, size_t n)
{
	size_t		off = b->pool_len;

	if (b->pool_len + n + 1 > b->pool_cap)
	{
		size_t		cap = b->pool_cap ? b->pool_cap * 2 : 256;

		while (cap < b->pool_len + n + 1)
			cap *= 2;
		b->pool = mem_realloc(b->pool, cap);
		b->pool_cap = cap;
	}
	memcpy(b->pool + off, s, n);
	b->pool[off + n] = '\0';
	b->pool_len += n + 1;
	return off;
}

size_t
router_build_str(RouterBuild *b, const char *s)
{
	if (s == NULL)
		return RB_NOSTR;
	return router_build_strn(b, s, strlen(s));
}

static bool
pool_eq(const RouterBuild *b, size_t off, const char *s)
{
	if (off == RB_NOSTR || s == NULL)
		return off == RB_NOSTR && s == NULL;
	return strcmp(b->pool + off, s) == 0;
}

/* Grow an array of elem-sized items to hold one more. */
static void *
grow(void *arr, int n, int *cap, size_t elem)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 8;
	return mem_realloc(arr, (size_t) *cap * elem);
}

/*
 * Add a relation, or merge flags into the entry with the same schema and
 * name: a statement names the same table many times.
 */
void
router_build_add_rel(RouterBuild *b, const char *schema, const char *name, uint8_t flags)
{
	RouterBuildRel *r;
	int			i;

	if (name == NULL)
		return;
	for (i = 0; i < b->nrels; i++)
	{
		r = &b->rels[i];
		if (pool_eq(b, r->name, name) && pool_eq(b, r->schema, schema))
		{
			r->flags |= flags;
			return;
		}
	}
	b->rels = grow(b->rels, b->nrels, &b->rels_cap, sizeof(RouterBuildRel));
	r = &b->rels[b->nrels++];
	r->schema = router_build_str(b, schema);
	r->name = router_build_str(b, name);
	r->flags = flags;
}

/* Add a function as written ("f" or "schema.f"), once. */
void
router_build_add_func(RouterBuild *b, const char *schema, const char *name)
{
	size_t		off;
	int			i;

	if (schema != NULL)
	{
		size_t		ls = strlen(schema),
					ln = strlen(name);

		/* "schema" NUL becomes "schema." then "name" NUL follows */
		off = router_build_strn(b, schema, ls);
		b->pool[off + ls] = '.';
		router_build_strn(b, name, ln);
	}
	else
		off = router_build_str(b, name);

	for (i = 0; i < b->nfuncs; i++)
	{
		if (strcmp(b->pool + b->funcs[i], b->pool + off) == 0)
		{
			b->pool_len = off;	/* forget the duplicate */
			return;
		}
	}
	b->funcs = grow(b->funcs, b->nfuncs, &b->funcs_cap, sizeof(size_t));
	b->funcs[b->nfuncs++] = off;
}

void
router_build_add_cte(RouterBuild *b, const char *name)
{
	if (name == NULL)
		return;
	b->ctes = grow(b->ctes, b->nctes, &b->ctes_cap, sizeof(size_t));
	b->ctes[b->nctes++] = router_build_str(b, name);
}

/* Is r an unqualified reference to a WITH query rather than a table? */
static bool
rel_is_cte(const RouterBuild *b, const RouterBuildRel *r)
{
	int			i;

	if (r->schema != RB_NOSTR || (r->flags & ROUTER_REL_CREATED))
		return false;
	for (i = 0; i < b->nctes; i++)
		if (strcmp(b->pool + b->ctes[i], b->pool + r->name) == 0)
			return true;
	return false;
}

static const char *
frozen_str(char *pool, size_t off)
{
	return off == RB_NOSTR ? NULL : pool + off;
}

RouterEntry *
router_build_freeze(const RouterBuild *b, const char *text, size_t len)
{
	size_t		off_text,
				off_rels,
				off_funcs,
				off_pool,
				size;
	char	   *block;
	RouterEntry *e;
	RouterRel  *rels;
	const char **funcs;
	char	   *pool;
	int			i,
				nrels = 0;

	off_text = ALIGN_PTR(sizeof(RouterEntry));
	off_rels = ALIGN_PTR(off_text + len + 1);
	off_funcs = ALIGN_PTR(off_rels + (size_t) b->nrels * sizeof(RouterRel));
	off_pool = off_funcs + (size_t) b->nfuncs * sizeof(char *);
	size = off_pool + b->pool_len;

	block = mem_alloc(size);
	e = (RouterEntry *) block;
	memset(e, 0, sizeof(*e));
	e->refcount = 1;
	e->size = size;

	memcpy(block + off_text, text, len);
	block[off_text + len] = '\0';
	pool = block + off_pool;
	if (b->pool_len > 0)
		memcpy(pool, b->pool, b->pool_len);

	rels = (RouterRel *) (block + off_rels);
	for (i = 0; i < b->nrels; i++)
	{
		if (rel_is_cte(b, &b->rels[i]))
			continue;
		rels[nrels].schema = frozen_str(pool, b->rels[i].schema);
		rels[nrels].name = frozen_str(pool, b->rels[i].name);
		rels[nrels].flags = b->rels[i].flags;
		nrels++;
	}
	funcs = (const char **) (block + off_funcs);
	for (i = 0; i < b->nfuncs; i++)
		funcs[i] = pool + b->funcs[i];

	e->facts.kind = b->kind;
	e->facts.inner_kind = b->inner_kind;
	e->facts.flags = b->flags;
	e->facts.nstmts = b->nstmts;
	e->facts.isolation = b->isolation;
	e->facts.pool_show = b->pool_show;
	e->facts.terminate_pid = b->terminate_pid;
	e->facts.name = frozen_str(pool, b->name);
	e->facts.error = frozen_str(pool, b->error);
	e->facts.error_pos = b->error_pos;
	e->facts.nrels = nrels;
	e->facts.rels = nrels ? rels : NULL;
	e->facts.nfuncs = b->nfuncs;
	e->facts.funcs = b->nfuncs ? funcs : NULL;
	e->facts.text = block + off_text;
	e->facts.text_len = len;
	return e;
}

/* ---- names for logs and tests ------------------------------------------- */

static const char *const kind_names[ROUTER_STMT_KIND_COUNT] = {
	[ROUTER_STMT_UNPARSABLE] = "unparsable",
	[ROUTER_STMT_EMPTY] = "empty",
	[ROUTER_STMT_SELECT] = "SELECT",
	[ROUTER_STMT_INSERT] = "INSERT",
	[ROUTER_STMT_UPDATE] = "UPDATE",
	[ROUTER_STMT_DELETE] = "DELETE",
	[ROUTER_STMT_MERGE] = "MERGE",
	[ROUTER_STMT_TRUNCATE] = "TRUNCATE",
	[ROUTER_STMT_DDL] = "DDL",
	[ROUTER_STMT_BEGIN] = "BEGIN",
	[ROUTER_STMT_COMMIT] = "COMMIT",
	[ROUTER_STMT_ROLLBACK] = "ROLLBACK",
	[ROUTER_STMT_SAVEPOINT] = "SAVEPOINT",
	[ROUTER_STMT_RELEASE] = "RELEASE",
	[ROUTER_STMT_ROLLBACK_TO] = "ROLLBACK TO",
	[ROUTER_STMT_PREPARE_TRANSACTION] = "PREPARE TRANSACTION",
	[ROUTER_STMT_COMMIT_PREPARED] = "COMMIT PREPARED",
	[ROUTER_STMT_ROLLBACK_PREPARED] = "ROLLBACK PREPARED",
	[ROUTER_STMT_SET] = "SET",
	[ROUTER_STMT_SET_TRANSACTION] = "SET TRANSACTION",
	[ROUTER_STMT_SET_SESSION_CHARACTERISTICS] = "SET SESSION CHARACTERISTICS",
	[ROUTER_STMT_RESET] = "RESET",
	[ROUTER_STMT_DISCARD] = "DISCARD",
	[ROUTER_STMT_PREPARE] = "PREPARE",
	[ROUTER_STMT_EXECUTE] = "EXECUTE",
	[ROUTER_STMT_DEALLOCATE] = "DEALLOCATE",
	[ROUTER_STMT_LISTEN] = "LISTEN",
	[ROUTER_STMT_UNLISTEN] = "UNLISTEN",
	[ROUTER_STMT_NOTIFY] = "NOTIFY",
	[ROUTER_STMT_SHOW] = "SHOW",
	[ROUTER_STMT_SHOW_POOL] = "SHOW pool",
	[ROUTER_STMT_COPY_FROM] = "COPY FROM",
	[ROUTER_STMT_COPY_TO] = "COPY TO",
	[ROUTER_STMT_LOCK] = "LOCK",
	[ROUTER_STMT_VACUUM] = "VACUUM",
	[ROUTER_STMT_ANALYZE] = "ANALYZE",
	[ROUTER_STMT_EXPLAIN] = "EXPLAIN",
	[ROUTER_STMT_CALL] = "CALL",
	[ROUTER_STMT_DO] = "DO",
	[ROUTER_STMT_DECLARE_CURSOR] = "DECLARE CURSOR",
	[ROUTER_STMT_FETCH] = "FETCH",
	[ROUTER_STMT_CLOSE_CURSOR] = "CLOSE",
	[ROUTER_STMT_CHECKPOINT] = "CHECKPOINT",
	[ROUTER_STMT_LOAD] = "LOAD",
};

const char *
router_stmt_kind_name(RouterStmtKind kind)
{
	if ((int) kind < 0 || kind >= ROUTER_STMT_KIND_COUNT || kind_names[kind] == NULL)
		return "?";
	return kind_names[kind];
}

const char *
router_target_name(RouterTarget target)
{
	switch (target)
	{
		case ROUTER_TARGET_PRIMARY:
			return "primary";
		case ROUTER_TARGET_LOAD_BALANCE_NODE:
			return "load balance node";
		case ROUTER_TARGET_ALL_NODES:
			return "all nodes";
		case ROUTER_TARGET_ALL_NODES_IN_TRANSACTION:
			return "all nodes in transaction";
		case ROUTER_TARGET_MAIN_NODE:
			return "main node";
		case ROUTER_TARGET_PGPOOL:
			return "pgpool";
	}
	return "?";
}
