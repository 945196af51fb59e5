/*
 * router_config.c: the routing settings of one configuration, and the
 * read_only_function_list / write_function_list (3.x: white_function_list /
 * black_function_list) regexes compiled once per configuration load.
 *
 * Used by children: router_config_create() after loading or reloading
 * pgpool.conf; the RouterConfig is owned by the caller.  Patterns are POSIX
 * extended regexes matched against the whole function name as the query
 * wrote it ("f", or "schema.f" when qualified: list both spellings if
 * queries use both), ignoring case.  Verdicts are memoised per name in a
 * small table, so a hit costs a hash and a strcmp instead of regexec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "router_int.h"
#include "utils/log.h"
#include "utils/pattern_list.h"
#include "utils/str.h"

#define MEMO_SIZE 256			/* power of two; emptied when half full */

typedef struct MemoSlot
{
	char	   *name;			/* NULL: empty */
	uint32_t	hash;
	bool		writes;
} MemoSlot;

struct RouterConfig
{
	RouterSettings settings;
	PatternList read_only;
	PatternList write;
	PatternList primary_routing;	/* primary_routing_query_pattern_list */
	DmlRelations *dml;			/* dml_adaptive_object_relationship_list */
	/* memo of verdicts; mutable behind a const RouterConfig (a cache only) */
	MemoSlot   *memo;
	int			memo_used;
};

RouterConfig *
router_config_create(const PoolConfig *cfg, RouterRuleSet rules)
{
	RouterConfig *rc = mem_alloc0(sizeof(RouterConfig));
	RouterSettings *s = &rc->settings;

	s->rules = rules;
	s->replicate_select = cfg->replicate_select;
	s->load_balance_mode = cfg->load_balance_mode;
	s->statement_level_load_balance = cfg->statement_level_load_balance;
	s->disable_load_balance_on_write = cfg->disable_load_balance_on_write;
	s->allow_sql_comments = cfg->allow_sql_comments;
	s->ignore_leading_white_space = cfg->ignore_leading_white_space;
	s->check_temp_table = cfg->check_temp_table;
	s->check_unlogged_table = cfg->check_unlogged_table;

	pattern_list_compile(&rc->read_only, cfg->read_only_function_list, "read_only_function_list");
	pattern_list_compile(&rc->write, cfg->write_function_list, "write_function_list");
	if (rc->read_only.n > 0 && rc->write.n > 0)
		plog_ex(PL_WARNING, NULL,
				"Set only one of the two lists.",
				"both read_only_function_list and write_function_list are set; "
				"write_function_list is used");
	pattern_list_compile_sep(&rc->primary_routing, cfg->primary_routing_query_pattern_list, ';',
							 "primary_routing_query_pattern_list");
	rc->dml = router_dml_relations_parse(cfg->dml_adaptive_object_relationship_list);
	rc->memo = mem_alloc0(sizeof(MemoSlot) * MEMO_SIZE);
	return rc;
}

static void
memo_clear(RouterConfig *rc)
{
	int			i;

	for (i = 0; i < MEMO_SIZE; i++)
	{
		free(rc->memo[i].name);
		rc->memo[i].name = NULL;
	}
	rc->memo_used = 0;
}

void
router_config_free(RouterConfig *rc)
{
	if (rc == NULL)
		return;
	pattern_list_free(&rc->read_only);
	pattern_list_free(&rc->write);
	pattern_list_free(&rc->primary_routing);
	router_dml_relations_free(rc->dml);
	memo_clear(rc);
	free(rc->memo);
	free(rc);
}

const DmlRelations *
router_config_dml_relations(const RouterConfig *rc)
{
	return rc->dml;
}

bool
router_config_primary_routing(const RouterConfig *rc, const char *text)
{
	return rc->primary_routing.n > 0 && text != NULL &&
		pattern_list_matches(&rc->primary_routing, text);
}

const RouterSettings *
router_config_settings(const RouterConfig *rc)
{
	return &rc->settings;
}

/* The verdict before memoisation. */
static bool
func_writes_uncached(const RouterConfig *rc, const char *name)
{
	const char *bare = strrchr(name, '.');

	bare = bare ? bare + 1 : name;
	if ((bare == name || strncmp(name, "pg_catalog.", 11) == 0) &&
		(strcmp(bare, "nextval") == 0 || strcmp(bare, "setval") == 0))
		return true;
	if (rc->write.n > 0)
		return pattern_list_matches(&rc->write, name);
	if (rc->read_only.n > 0)
		return !pattern_list_matches(&rc->read_only, name);
	return false;
}

bool
router_config_func_writes(const RouterConfig *rc, const char *name)
{
	RouterConfig *m = (RouterConfig *) rc;	/* the memo is a cache */
	uint32_t	h;
	int			i;
	bool		writes;

	if (rc->write.n == 0 && rc->read_only.n == 0)
		return func_writes_uncached(rc, name);
	h = str_hash(name);
	for (i = (int) (h & (MEMO_SIZE - 1));; i = (i + 1) & (MEMO_SIZE - 1))
	{
		MemoSlot   *slot = &m->memo[i];

		if (slot->name == NULL)
			break;
		if (slot->hash == h && strcmp(slot->name, name) == 0)
			return slot->writes;
	}
	writes = func_writes_uncached(rc, name);
	if (m->memo_used >= MEMO_SIZE / 2)
	{
		memo_clear(m);
		i = (int) (h & (MEMO_SIZE - 1));
	}
	m->memo[i].name = str_dup(name);
	m->memo[i].hash = h;
	m->memo[i].writes = writes;
	m->memo_used++;
	return writes;
}

const char *
router_config_first_write_func(const RouterConfig *rc, const StmtFacts *f)
{
	int			i;

	for (i = 0; i < f->nfuncs; i++)
		if (router_config_func_writes(rc, f->funcs[i]))
			return f->funcs[i];
	return NULL;
}

bool
router_config_lists_empty(const RouterConfig *rc)
{
	return rc->write.n == 0 && rc->read_only.n == 0;
}
