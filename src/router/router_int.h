/*
 * router_int.h: internals shared by the router's files.
 *
 * Plain C only: router_parse.c and router_walk.c include PostgreSQL's
 * server headers, whose macros (PACKAGE_*, printf, ...) clash with ours, so
 * this header uses nothing but the standard library and router.h.
 *
 * Facts are collected in a RouterBuild (growable arrays, strings kept as
 * offsets into one pool) while the parse tree is alive, then frozen into a
 * single malloc'd RouterEntry block that the cache owns.
 */
#ifndef PGPOOL_ROUTER_INT_H
#define PGPOOL_ROUTER_INT_H

#include "router/router.h"

/* A string in RouterBuild.pool, or none */
#define RB_NOSTR ((size_t) -1)

typedef struct RouterBuildRel
{
	size_t		schema;			/* offset in pool, or RB_NOSTR */
	size_t		name;
	uint8_t		flags;
} RouterBuildRel;

typedef struct RouterBuild
{
	RouterStmtKind kind;
	RouterStmtKind inner_kind;
	uint32_t	flags;
	int			nstmts;
	RouterIsolation isolation;
	RouterPoolShow pool_show;
	size_t		name;			/* offset, or RB_NOSTR */
	size_t		error;
	int			error_pos;
	bool		explain_only;	/* walking the query of an EXPLAIN without ANALYZE */
	int32_t		terminate_pid;	/* pg_terminate_backend(<constant>) */

	char	   *pool;			/* NUL-terminated strings, back to back */
	size_t		pool_len;
	size_t		pool_cap;

	RouterBuildRel *rels;
	int			nrels;
	int			rels_cap;

	size_t	   *funcs;			/* offsets of qualified function names */
	int			nfuncs;
	int			funcs_cap;

	size_t	   *ctes;			/* CTE names, removed from rels at freeze */
	int			nctes;
	int			ctes_cap;
} RouterBuild;

/* One cache entry: header, then (same block) text, arrays and strings. */
typedef struct RouterEntry
{
	struct RouterEntry *next;	/* hash chain */
	uint64_t	hash;
	uint32_t	refcount;		/* the cache's reference + retains */
	bool		referenced;		/* clock bit, set on every hit */
	bool		in_table;
	size_t		size;			/* bytes of the whole block */
	StmtFacts	facts;
} RouterEntry;

/* ---- router_facts.c ---- */
void		router_build_init(RouterBuild *b);
void		router_build_free(RouterBuild *b);
size_t		router_build_str(RouterBuild *b, const char *s);
size_t		router_build_strn(RouterBuild *b, const char *s, size_t n);
void		router_build_add_rel(RouterBuild *b, const char *schema, const char *name,
								 uint8_t flags);
void		router_build_add_func(RouterBuild *b, const char *schema, const char *name);
void		router_build_add_cte(RouterBuild *b, const char *name);

/* Freeze b and the text into one RouterEntry (refcount 1). */
RouterEntry *router_build_freeze(const RouterBuild *b, const char *text, size_t len);

/* ---- router_text.c ---- */

/* Text-level facts: leading white space or comment, NO LOAD BALANCE hint. */
uint32_t	router_text_flags(const char *text, size_t len);

/* ---- router_parse.c ---- */

/* Parse text (NUL-terminated) with libpg_query and fill b. */
void		router_parse_text(RouterBuild *b, const char *text);

/* ---- router_walk.c (parse-tree walks; takes PostgreSQL Node pointers) ---- */
void		router_walk_query(RouterBuild *b, void *node, bool executes);
void		router_walk_relation(RouterBuild *b, void *rangevar, uint8_t flags);
void		router_walk_drop_names(RouterBuild *b, void *objects);

/* ---- router_config.c ---- */

/*
 * Does a SELECT calling this function write?  From write_function_list
 * (match: writes) or, when that is empty, read_only_function_list (no
 * match: writes); nextval and setval always write.  Memoised per name.
 */
bool		router_config_func_writes(const RouterConfig *rc, const char *name);

/* Does the statement call a function the lists say writes?  Which one. */
const char *router_config_first_write_func(const RouterConfig *rc, const StmtFacts *f);

/* Are both read_only_function_list and write_function_list empty (the default)? */
bool		router_config_lists_empty(const RouterConfig *rc);

/* Does the statement text match primary_routing_query_pattern_list? */
bool		router_config_primary_routing(const RouterConfig *rc, const char *text);

/* ---- router_state_funcs.c ---- */

/*
 * The first built-in function f calls whose answer is node-local state
 * (txid_current, pg_backend_pid, currval, ...), or NULL; *assigns_xid
 * tells whether one of them gives the transaction an id (a write).
 */
const char *router_state_func(const StmtFacts *f, bool *assigns_xid);

/* The settings the rules read */
typedef struct RouterSettings
{
	RouterRuleSet rules;		/* the mode strategy's rule table */
	bool		replicate_select;
	bool		load_balance_mode;
	bool		statement_level_load_balance;
	int			disable_load_balance_on_write;	/* DisableLbOnWrite */
	bool		allow_sql_comments;
	bool		ignore_leading_white_space;
	int			check_temp_table;	/* CheckTempTable */
	bool		check_unlogged_table;
} RouterSettings;

const RouterSettings *router_config_settings(const RouterConfig *rc);

/* ---- router_dml_adaptive.c ---- */
typedef struct DmlRelations DmlRelations;

DmlRelations *router_dml_relations_parse(const char *list);
void		router_dml_relations_free(DmlRelations *d);
const DmlRelations *router_config_dml_relations(const RouterConfig *rc);

/* A write ran in the transaction: remember what it wrote. */
void		router_dml_note_write(RouterSession *s, const StmtFacts *f);
void		router_dml_forget(RouterSession *s);

/* Does the statement read something the transaction wrote (or depends on it)? */
bool		router_dml_reads_written(const DmlRelations *d, const RouterSession *s, const StmtFacts *f);

#endif
