/*
 * lb_select.c: which node a session's (or, with statement_level_load_balance,
 * a statement's) load-balanced reads go to.
 *
 * By backend_weight among the connected nodes that are up and within
 * delay_threshold; app_name_redirect_preference_list,
 * database_redirect_preference_list and user_redirect_preference_list
 * (checked in that order, the first list with a matching entry decides)
 * name a node for a session's application, database or user:
 * "pattern:node[(weight)]", node a number, "primary" or "standby" (a
 * standby by backend_weight), pattern a regular expression matched against
 * the whole name, weight the share of sessions (or statements) redirected
 * (default 1); the others are balanced among the remaining nodes.  The
 * delay is checked again for every statement: a node that fell behind
 * delay_threshold since it was chosen gets no reads until it catches up
 * (they go to the primary, or with prefer_lower_delay_standby to the least
 * delayed standby); so does a standby the sr_check worker found not
 * streaming from the primary (stale).  Runs in children; the lists are
 * compiled once per configuration load.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDIRECT_PRIMARY (-1)
#define REDIRECT_STANDBY (-2)

typedef struct Redirect
{
	regex_t		re;
	int			node;			/* node id, REDIRECT_PRIMARY or REDIRECT_STANDBY */
	double		weight;			/* share of choices redirected */
} Redirect;

typedef struct RedirectList
{
	Redirect   *r;
	int			n;
} RedirectList;

enum
{
	LIST_APP, LIST_DATABASE, LIST_USER, NLISTS
};

static RedirectList lists[NLISTS];
static bool compiled;

static void
bad_entry(const char *param, const char *entry, const char *why)
{
	plog_ex(PL_WARNING, log_fmt("%s", why), "The entry is ignored; fix it and reload.",
			"invalid entry \"%s\" in %s", entry, param);
}

/* "node[(weight)]" into r; false if it is not one. */
static bool
parse_target(char *t, Redirect *r)
{
	char	   *open = strchr(t, '(');
	char	   *end;

	r->weight = 1.0;
	if (open)
	{
		*open++ = '\0';
		r->weight = strtod(open, &end);
		if (end == open || *end != ')' || r->weight < 0.0 || r->weight > 1.0)
			return false;
	}
	t = str_trim(t);
	if (strcasecmp(t, "primary") == 0)
		r->node = REDIRECT_PRIMARY;
	else if (strcasecmp(t, "standby") == 0)
		r->node = REDIRECT_STANDBY;
	else
	{
		long		v = strtol(t, &end, 10);

		if (end == t || *end != '\0' || v < 0 || v >= MAX_BACKENDS)
			return false;
		r->node = (int) v;
	}
	return true;
}

static void
compile_list(RedirectList *l, const char *list, const char *param)
{
	char	   *copy, **parts;
	int			n, cap;

	l->r = NULL;
	l->n = 0;
	if (list == NULL || *list == '\0')
		return;
	cap = (int) strlen(list) / 2 + 2;
	copy = str_dup(list);
	parts = mem_alloc(sizeof(char *) * (size_t) cap);
	n = str_split(copy, ',', parts, cap);
	l->r = mem_alloc0(sizeof(Redirect) * (size_t) (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		char	   *colon = strrchr(parts[i], ':');
		char		anchored[512];
		Redirect   *r = &l->r[l->n];

		if (colon == NULL)
		{
			bad_entry(param, parts[i], "expected pattern:node[(weight)]");
			continue;
		}
		*colon = '\0';
		if (!parse_target(colon + 1, r))
		{
			bad_entry(param, parts[i], "the node must be a number, primary or standby, "
					  "the weight between 0 and 1");
			continue;
		}
		snprintf(anchored, sizeof(anchored), "^(%s)$", str_trim(parts[i]));
		if (regcomp(&r->re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
		{
			bad_entry(param, parts[i], "invalid regular expression");
			continue;
		}
		l->n++;
	}
	free(parts);
	free(copy);
}

void
lb_select_reset(void)
{
	for (int k = 0; k < NLISTS; k++)
	{
		for (int i = 0; i < lists[k].n; i++)
			regfree(&lists[k].r[i].re);
		free(lists[k].r);
		lists[k].r = NULL;
		lists[k].n = 0;
	}
	compiled = false;
}

static void
compile_lists(void)
{
	compile_list(&lists[LIST_APP], pool_config->app_name_redirect_preference_list,
				 "app_name_redirect_preference_list");
	compile_list(&lists[LIST_DATABASE], pool_config->database_redirect_preference_list,
				 "database_redirect_preference_list");
	compile_list(&lists[LIST_USER], pool_config->user_redirect_preference_list,
				 "user_redirect_preference_list");
	compiled = true;
}

/* The first entry of the first list that matches the session, or NULL. */
static const Redirect *
session_redirect(const Session *s)
{
	const char *names[NLISTS] = {s->startup.application_name, s->startup.database, s->startup.user};

	if (!compiled)
		compile_lists();
	for (int k = 0; k < NLISTS; k++)
		for (int i = 0; names[k] && i < lists[k].n; i++)
			if (regexec(&lists[k].r[i].re, names[k], 0, NULL, 0) == 0)
				return &lists[k].r[i];
	return NULL;
}

/*
 * prefer_lower_delay_standby: when every standby is over delay_threshold,
 * read from the one least behind rather than loading the primary.
 */
static int
least_delayed_standby(const NodeMask *connected, int primary)
{
	int			best = -1;

	for (int i = 0; i < node_table->num_backends; i++)
	{
		const BackendNode *b = &node_table->nodes[i];

		if (i == primary || !node_mask_has(connected, i) || !node_is_up(i) || b->weight <= 0 ||
			b->stale)
			continue;
		if (best < 0 || b->replication_delay < node_table->nodes[best].replication_delay)
			best = i;
	}
	return best;
}

/* A standby over delay_threshold or not streaming from the primary (stale) reads nothing. */
static bool
readable(int primary, int i)
{
	return i == primary || (!node_table->nodes[i].delayed && !node_table->nodes[i].stale);
}

static bool
usable(const NodeMask *connected, int primary, int i)
{
	return node_mask_has(connected, i) && node_is_up(i) && readable(primary, i);
}

/* By backend_weight among the usable nodes not excluded; -1 if none has weight. */
static int
by_weight(const NodeMask *connected, int primary, const NodeMask *excluded)
{
	double		weights[MAX_BACKENDS];
	bool		eligible[MAX_BACKENDS];
	int			n = node_table->num_backends;

	for (int i = 0; i < n; i++)
	{
		weights[i] = node_table->nodes[i].weight;
		eligible[i] = usable(connected, primary, i) && !(excluded && node_mask_has(excluded, i));
	}
	return router_choose_load_balance_node(weights, eligible, n,
										   (double) random() / ((double) RAND_MAX + 1.0));
}

int
multi_choose_load_balance_node(const NodeMask *connected, int primary)
{
	int			chosen = by_weight(connected, primary, NULL);

	if (chosen < 0 && pool_config->prefer_lower_delay_standby)
		chosen = least_delayed_standby(connected, primary);
	return chosen >= 0 ? chosen : primary;
}

/* The node a redirect names, or -1 if it cannot be used now. */
static int
redirect_target(const MultiState *m, const Redirect *r, NodeMask *named)
{
	int			chosen = -1;

	node_mask_clear(named);
	if (r->node == REDIRECT_PRIMARY)
		chosen = m->primary;
	else if (r->node == REDIRECT_STANDBY)
	{
		NodeMask	primary = node_mask_single(m->primary);

		chosen = by_weight(&m->connected, m->primary, &primary);
		for (int i = 0; chosen < 0 && i < node_table->num_backends; i++)
			if (i != m->primary && usable(&m->connected, m->primary, i))
				chosen = i;		/* standbys of weight 0 are still standbys */
		for (int i = 0; i < node_table->num_backends; i++)
			if (i != m->primary)
				node_mask_add(named, i);
		return chosen;
	}
	else if (r->node < node_table->num_backends && usable(&m->connected, m->primary, r->node))
		chosen = r->node;
	if (r->node >= 0 || r->node == REDIRECT_PRIMARY)
		node_mask_add(named, chosen >= 0 ? chosen : r->node);
	return chosen;
}

int
multi_lb_choose(Session *s)
{
	MultiState *m = s->multi;
	const Redirect *r = session_redirect(s);
	int			chosen;

	if (r != NULL)
	{
		NodeMask	named;
		int			target = redirect_target(m, r, &named);
		double		dice = (double) random() / ((double) RAND_MAX + 1.0);

		if (target >= 0 && dice < r->weight)
			chosen = target;
		else if ((chosen = by_weight(&m->connected, m->primary, &named)) < 0)
			chosen = target >= 0 ? target : multi_choose_load_balance_node(&m->connected, m->primary);
	}
	else
		chosen = multi_choose_load_balance_node(&m->connected, m->primary);
	if (pool_config->statement_level_load_balance)
		plog_ex(PL_DEBUG1, log_fmt("selected backend id is %d", chosen), NULL,
				"selecting load balance node");
	return chosen;
}

int
multi_lb_node_now(Session *s)
{
	MultiState *m = s->multi;
	int			n = m->lb_node;

	/*
	 * delay_threshold and streaming from the primary are checked for every
	 * statement, not only when the node was chosen
	 */
	if (readable(m->primary, n))
		return n;
	n = multi_choose_load_balance_node(&m->connected, m->primary);
	plog(PL_DEBUG1, "load balance node %d is %s: the statement reads from node %d", m->lb_node,
		 node_table->nodes[m->lb_node].stale ? "not streaming from the primary" :
		 "over delay_threshold", n);
	return n;
}
