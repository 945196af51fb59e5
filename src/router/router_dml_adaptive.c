/*
 * router_dml_adaptive.c: disable_load_balance_on_write = 'dml_adaptive'.
 *
 * Inside an explicit transaction, a read goes to the primary only if it
 * reads an object the transaction wrote: a table it changed, or one that
 * dml_adaptive_object_relationship_list makes depend on a written table
 * or on a function the transaction called ("t1:t2" — a write to t1 makes
 * t2 read from the primary; "f():t3" — calling f() does the same for t3).
 * A write whose objects the parser cannot name (DO, CALL, EXECUTE, more
 * objects than the session keeps) counts as a write to everything, as
 * 'transaction' would; a function's writes are those the relationship
 * list gives it.  Names are compared without schema.
 * Used by children; pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "router_int.h"
#include "utils/str.h"

/* One "object:dependent" pair of dml_adaptive_object_relationship_list. */
typedef struct DmlPair
{
	char	   *object;			/* "t1" or "f()" */
	char	   *dependent;
} DmlPair;

struct DmlRelations
{
	DmlPair    *pairs;
	int			n;
};

static const char *
bare(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

DmlRelations *
router_dml_relations_parse(const char *list)
{
	DmlRelations *d = mem_alloc0(sizeof(DmlRelations));
	char	   *copy, **parts;
	int			n, cap;

	if (list == NULL || *list == '\0')
		return d;
	cap = (int) strlen(list) / 2 + 2;
	copy = str_dup(list);
	parts = mem_alloc(sizeof(char *) * (size_t) cap);
	n = str_split(copy, ',', parts, cap);
	d->pairs = mem_alloc0(sizeof(DmlPair) * (size_t) (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		char	   *colon = strchr(parts[i], ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		d->pairs[d->n].object = str_dup(bare(str_trim(parts[i])));
		d->pairs[d->n++].dependent = str_dup(bare(str_trim(colon + 1)));
	}
	free(parts);
	free(copy);
	return d;
}

void
router_dml_relations_free(DmlRelations *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < d->n; i++)
	{
		free(d->pairs[i].object);
		free(d->pairs[i].dependent);
	}
	free(d->pairs);
	free(d);
}

static bool
written(const RouterSession *s, const char *name)
{
	for (int i = 0; i < s->ndml_written; i++)
		if (strcasecmp(s->dml_written[i], name) == 0)
			return true;
	return false;
}

static void
add_written(RouterSession *s, const char *name, bool call)
{
	char		key[ROUTER_DML_NAME_LEN];

	if (call)
		snprintf(key, sizeof(key), "%s()", bare(name));
	else
		str_copy(key, bare(name), sizeof(key));
	if (written(s, key))
		return;
	if (s->ndml_written >= ROUTER_DML_MAX || strlen(bare(name)) + 3 > sizeof(key))
	{
		s->dml_write_unknown = true;
		return;
	}
	str_copy(s->dml_written[s->ndml_written++], key, sizeof(key));
}

void
router_dml_note_write(RouterSession *s, const StmtFacts *f)
{
	bool		named = false;

	for (int i = 0; i < f->nrels; i++)
		if (f->rels[i].flags & (ROUTER_REL_WRITTEN | ROUTER_REL_CREATED | ROUTER_REL_DROPPED))
		{
			add_written(s, f->rels[i].name, false);
			named = true;
		}
	for (int i = 0; i < f->nfuncs; i++)
	{
		add_written(s, f->funcs[i], true);
		named = true;			/* what it writes: dml_adaptive_object_relationship_list */
	}
	/* other writes the parser cannot name: DO, CALL, EXECUTE, ... */
	if (!named && f->kind != ROUTER_STMT_INSERT && f->kind != ROUTER_STMT_UPDATE &&
		f->kind != ROUTER_STMT_DELETE && f->kind != ROUTER_STMT_MERGE)
		s->dml_write_unknown = true;
}

void
router_dml_forget(RouterSession *s)
{
	s->ndml_written = 0;
	s->dml_write_unknown = false;
}

/* Was rel written, or does it depend on something written? */
static bool
rel_tainted(const DmlRelations *d, const RouterSession *s, const char *rel)
{
	if (written(s, rel))
		return true;
	for (int i = 0; d && i < d->n; i++)
		if (strcasecmp(d->pairs[i].dependent, rel) == 0 && written(s, d->pairs[i].object))
			return true;
	return false;
}

bool
router_dml_reads_written(const DmlRelations *d, const RouterSession *s, const StmtFacts *f)
{
	if (s->dml_write_unknown)
		return true;
	for (int i = 0; i < f->nrels; i++)
		if (rel_tainted(d, s, f->rels[i].name))
			return true;
	for (int i = 0; i < f->nfuncs; i++)
	{
		char		call[ROUTER_DML_NAME_LEN];

		snprintf(call, sizeof(call), "%s()", bare(f->funcs[i]));
		if (rel_tainted(d, s, call))
			return true;
	}
	return false;
}
