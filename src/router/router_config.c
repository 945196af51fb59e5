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
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "router_int.h"
#include "utils/log.h"
#include "utils/str.h"

#define MEMO_SIZE 256			/* power of two; emptied when half full */

typedef struct FuncList
{
	regex_t    *re;
	int			n;
} FuncList;

typedef struct MemoSlot
{
	char	   *name;			/* NULL: empty */
	uint32_t	hash;
	bool		writes;
} MemoSlot;

struct RouterConfig
{
	RouterSettings settings;
	FuncList	read_only;
	FuncList	write;
	/* memo of verdicts; mutable behind a const RouterConfig (a cache only) */
	MemoSlot   *memo;
	int			memo_used;
};

/* Compile one comma-separated list; bad patterns are reported and skipped. */
static void
funclist_compile(FuncList *fl, const char *list, const char *param)
{
	char	   *copy,
			  **parts;
	int			n,
				i;

	fl->re = NULL;
	fl->n = 0;
	if (list == NULL || *list == '\0')
		return;
	copy = str_dup(list);
	parts = mem_alloc(sizeof(char *) * (strlen(list) / 2 + 2));
	n = str_split(copy, ',', parts, (int) (strlen(list) / 2 + 2));
	fl->re = mem_alloc0(sizeof(regex_t) * (size_t) (n > 0 ? n : 1));
	for (i = 0; i < n; i++)
	{
		size_t		len = strlen(parts[i]) + 5;
		char	   *anchored = mem_alloc(len);
		int			rc;

		/* the whole name must match, as "nextval" must not match "nextval2" */
		snprintf(anchored, len, "^(%s)$", parts[i]);
		rc = regcomp(&fl->re[fl->n], anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0)
		{
			char		msg[256];

			regerror(rc, &fl->re[fl->n], msg, sizeof(msg));
			plog_ex(PL_WARNING, log_fmt("%s", msg),
					"The pattern is ignored; fix it and reload.",
					"invalid regular expression \"%s\" in %s", parts[i], param);
		}
		else
			fl->n++;
		free(anchored);
	}
	free(parts);
	free(copy);
}

static void
funclist_free(FuncList *fl)
{
	int			i;

	for (i = 0; i < fl->n; i++)
		regfree(&fl->re[i]);
	free(fl->re);
	fl->re = NULL;
	fl->n = 0;
}

static bool
funclist_matches(const FuncList *fl, const char *name)
{
	int			i;

	for (i = 0; i < fl->n; i++)
		if (regexec(&fl->re[i], name, 0, NULL, 0) == 0)
			return true;
	return false;
}

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

	funclist_compile(&rc->read_only, cfg->read_only_function_list, "read_only_function_list");
	funclist_compile(&rc->write, cfg->write_function_list, "write_function_list");
	if (rc->read_only.n > 0 && rc->write.n > 0)
		plog_ex(PL_WARNING, NULL,
				"Set only one of the two lists.",
				"both read_only_function_list and write_function_list are set; "
				"write_function_list is used");
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
	funclist_free(&rc->read_only);
	funclist_free(&rc->write);
	memo_clear(rc);
	free(rc->memo);
	free(rc);
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
		return funclist_matches(&rc->write, name);
	if (rc->read_only.n > 0)
		return !funclist_matches(&rc->read_only, name);
	return false;
}

static uint32_t
name_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t) *s++) * 16777619u;
	return h;
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
	h = name_hash(name);
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
