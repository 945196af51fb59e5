/*
 * multi_sessionstate.c: what a streaming replication session has set up on
 * its primary, so that a new primary can be given the same state after a
 * failover (multi_failover.c).
 *
 * Kept: session-level SET / SET SESSION CHARACTERISTICS (by variable: the
 * newest wins, RESET forgets it, RESET ALL and DISCARD ALL forget them
 * all) and the LISTEN channels (UNLISTEN, UNLISTEN * and DISCARD ALL
 * forget them).  SET LOCAL and multi-statement texts are not kept.
 * Inside a transaction block the changes wait: they count once a COMMIT of
 * a healthy transaction was sent and the client's status is idle again; a
 * ROLLBACK (or a COMMIT of an aborted transaction) drops them, as
 * PostgreSQL does.  Prepared statements are kept elsewhere (stmt_map.h,
 * multi_prepared.c) and re-prepared on demand; here their "where does it
 * exist" masks forget a node whose connection went away.  Runs in a child
 * process.
 */
#include "session/multi.h"
#include "multi_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

/* One kept item: a SET (key = variable) or a LISTEN (key = channel). */
typedef struct StateItem
{
	bool		listen;
	bool		add;			/* staged changes: SET/LISTEN (true) or RESET/UNLISTEN */
	char	   *key;			/* staged changes: "" means every variable / channel */
	char	   *text;			/* SET: the statement; otherwise NULL */
} StateItem;

typedef struct StateList
{
	StateItem  *items;
	int			count;
} StateList;

struct MultiSessionRecord
{
	StateList	kept;			/* in effect outside any transaction */
	StateList	staged;			/* changes of the open transaction block, in order */
	bool		commit_sent;	/* a COMMIT of a healthy transaction was sent */
	bool		in_block;		/* staged changes belong to an open transaction block */
};

static void
list_remove(StateList *l, bool listen, const char *key)
{
	for (int i = 0; i < l->count; i++)
		if (l->items[i].listen == listen && (key == NULL || strcmp(l->items[i].key, key) == 0))
		{
			free(l->items[i].key);
			free(l->items[i].text);
			l->items[i--] = l->items[--l->count];
		}
}

static void
list_add(StateList *l, bool listen, bool add, const char *key, const char *text)
{
	StateItem  *it;

	l->items = mem_realloc(l->items, sizeof(StateItem) * (l->count + 1));
	it = &l->items[l->count++];
	it->listen = listen;
	it->add = add;
	it->key = str_dup(key);
	it->text = text ? str_dup(text) : NULL;
}

static void
list_free(StateList *l)
{
	list_remove(l, false, NULL);
	list_remove(l, true, NULL);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* Apply one change to the kept state: key NULL means "all" (RESET ALL, UNLISTEN *). */
static void
apply(StateList *kept, bool listen, bool add, const char *key, const char *text)
{
	list_remove(kept, listen, key);
	if (add && key)
		list_add(kept, listen, true, key, text);
}

static struct MultiSessionRecord *
record_of(MultiState *m)
{
	if (m->record == NULL)
		m->record = mem_alloc0(sizeof(struct MultiSessionRecord));
	return m->record;
}

/* The transaction block the staged changes belong to has ended: keep or drop them. */
static void
settle(struct MultiSessionRecord *r)
{
	if (r->commit_sent)
		for (int i = 0; i < r->staged.count; i++)
		{
			StateItem  *it = &r->staged.items[i];

			apply(&r->kept, it->listen, it->add, it->key[0] ? it->key : NULL, it->text);
		}
	list_free(&r->staged);
	r->commit_sent = false;
	r->in_block = false;
}

/* One change, to the kept state or staged for the open block; key NULL: all of them. */
static void
change(struct MultiSessionRecord *r, bool staged, bool listen, bool add, const char *key,
	   const char *text)
{
	if (staged)
		list_add(&r->staged, listen, add, key ? key : "", text);
	else
		apply(&r->kept, listen, add, key, text);
}

void
multi_state_note_sent(Session *s, const StmtFacts *f)
{
	MultiState *m = s->multi;
	struct MultiSessionRecord *r;
	bool		staged;
	bool		all = (f->flags & ROUTER_F_ALL) != 0;

	if (!multi_failover_applies())
		return;
	r = record_of(m);
	if (r->in_block && !m->router_session.in_transaction && s->tx_status == 'I')
		settle(r);
	staged = m->router_session.in_transaction || s->tx_status != 'I';
	if (f->kind == ROUTER_STMT_COMMIT && s->tx_status == 'T' && !(f->flags & ROUTER_F_CHAIN))
		r->commit_sent = true;
	if (f->nstmts != 1 || (f->flags & ROUTER_F_SET_LOCAL))
		return;
	if (staged)
		r->in_block = true;
	switch (f->kind)
	{
		case ROUTER_STMT_SET:
		case ROUTER_STMT_SET_SESSION_CHARACTERISTICS:
			change(r, staged, false, true, f->name ? f->name : f->text, f->text);
			break;
		case ROUTER_STMT_RESET:
			change(r, staged, false, false, all || f->name == NULL ? NULL : f->name, NULL);
			break;
		case ROUTER_STMT_LISTEN:
			if (f->name)
				change(r, staged, true, true, f->name, NULL);
			break;
		case ROUTER_STMT_UNLISTEN:
			change(r, staged, true, false, all || f->name == NULL ? NULL : f->name, NULL);
			break;
		case ROUTER_STMT_DISCARD:
			if (all)
			{
				change(r, staged, false, false, NULL, NULL);
				change(r, staged, true, false, NULL, NULL);
			}
			break;
		default:
			break;
	}
}

int
multi_state_replay(Session *s, int n, bool sets)
{
	struct MultiSessionRecord *r = record_of(s->multi);
	int			sent = 0;
	PqBuf		sql;

	if (!r->in_block || s->tx_status == 'I')
		settle(r);
	pqbuf_init(&sql);
	for (int i = 0; i < r->kept.count; i++)
	{
		StateItem  *it = &r->kept.items[i];

		if (it->listen)
		{
			/* the channel name as the parser returned it: quote it again */
			pqbuf_reset(&sql);
			pqbuf_put_bytes(&sql, "LISTEN \"", 8);
			for (const char *c = it->key; *c; c++)
				pqbuf_put_bytes(&sql, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
			pqbuf_put_bytes(&sql, "\"", 2);	/* the closing quote and the NUL */
		}
		else if (sets)
		{
			pqbuf_reset(&sql);
			pqbuf_put_bytes(&sql, it->text, strlen(it->text) + 1);
		}
		else
			continue;
		/* one request each: a statement that fails there does not stop the others */
		if (!multi_hidden_query(s, n, sql.data))
			break;
		plog(PL_DEBUG1, "session state replayed on DB node %d: %s", n, sql.data);
		sent++;
	}
	pqbuf_free(&sql);
	return sent;
}

void
multi_state_forget_node(MultiState *m, int n)
{
	for (int i = 0; i < m->stmts.count; i++)
		node_mask_remove(&m->stmts.items[i].parsed_on, n);
	for (int i = 0; i < m->nprepared; i++)
		node_mask_remove(&m->prepared[i].nodes, n);
}

void
multi_state_free(MultiState *m)
{
	if (m->record == NULL)
		return;
	list_free(&m->record->kept);
	list_free(&m->record->staged);
	free(m->record);
	m->record = NULL;
}
