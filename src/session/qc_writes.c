/*
 * qc_writes.c: what a routed statement means for the query cache — the
 * tables it writes (stamped when its transaction ends), DDL (the whole
 * database, and relation names may now resolve differently), the end of a
 * transaction, and what turns the cache off for the rest of a session:
 * SET ROLE / SET SESSION AUTHORIZATION (the key's user would no longer be
 * the one reading) and temporary objects (they can hide a table of the
 * same name).  Runs in children.
 */
#include "session/query_cache.h"
#include "qc_int.h"

#include "config/config.h"
#include "utils/log.h"

#include <string.h>

static void
mark_database(Session *s, QcSession *q)
{
	q->dirty_db = true;
	q->dirty_db_hash = qc_db_hash(s->startup.database ? s->startup.database : "");
}

static void
add_dirty(QcSession *q, uint32_t db_hash, uint32_t oid)
{
	for (int i = 0; i < q->ndirty; i++)
		if (q->dirty[i].oid == oid && q->dirty[i].db_hash == db_hash)
			return;
	if (q->ndirty < (int) (sizeof(q->dirty) / sizeof(q->dirty[0])))
		q->dirty[q->ndirty++] = (QcTable) {db_hash, oid};
	else
		q->dirty_db = true;		/* too many to list: the whole database */
}

/* Every relation the statement writes, by oid (asked before it runs: DROP removes the name). */
static void
note_written(Session *s, QcSession *q, const StmtFacts *f)
{
	uint32_t	db_hash = qc_db_hash(s->startup.database ? s->startup.database : "");

	for (int i = 0; i < f->nrels; i++)
	{
		const RouterRel *r = &f->rels[i];
		const QcRelInfo *ri;

		if (!(r->flags & (ROUTER_REL_WRITTEN | ROUTER_REL_DROPPED | ROUTER_REL_CREATED)))
			continue;
		if (r->flags & ROUTER_REL_TEMP)
			continue;			/* never cached */
		ri = qc_rel_lookup(s, r->schema, r->name);
		if (ri == NULL)
		{
			mark_database(s, q);	/* cannot ask now: be safe */
			return;
		}
		for (int k = 0; k < ri->nrels; k++)
			if (ri->found)
				add_dirty(q, db_hash, ri->rels[k].oid);
	}
}

/*
 * A SET may change how answers look (DateStyle, extra_float_digits,
 * bytea_output, ...): the session's keys change with it, so only sessions
 * that ran the same SETs share answers.
 */
static void
note_setting(QcSession *q, const StmtFacts *f)
{
	uint64_t	h = q->settings_salt ^ 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < f->text_len; i++)
		h = (h ^ (uint8_t) f->text[i]) * 0x100000001b3ULL;
	q->settings_salt = h;
}

static bool
names(const StmtFacts *f, const char *what)
{
	return f->name && strcmp(f->name, what) == 0;
}

void
qc_session_note(Session *s, const StmtFacts *f)
{
	QcSession  *q = s->multi ? s->multi->qc : NULL;

	if (q == NULL)
		return;
	if (s->tx_status == 'I' && relay_queue_empty(&s->multi->queue))
		q->tx_as_of = qc_clock_now();
	if (f->flags & ROUTER_F_TEMP_OBJECT)
		q->disabled = true;
	switch (f->kind)
	{
		case ROUTER_STMT_SET:
		case ROUTER_STMT_RESET:
			note_setting(q, f);
			if (names(f, "role") || names(f, "session_authorization"))
				q->disabled = true;
			if (names(f, "search_path") || (f->flags & ROUTER_F_ALL) || f->kind == ROUTER_STMT_RESET)
			{
				qc_rel_forget();
				q->forget_names = true;
			}
			return;
		case ROUTER_STMT_DISCARD:
			note_setting(q, f);
			qc_rel_forget();
			q->forget_names = true;
			return;
		case ROUTER_STMT_COMMIT:
		case ROUTER_STMT_ROLLBACK:
		case ROUTER_STMT_PREPARE_TRANSACTION:
			q->tx_end = f->kind;
			return;
		case ROUTER_STMT_COMMIT_PREPARED:
			mark_database(s, q);	/* its writes are not known here */
			return;
		case ROUTER_STMT_DDL:
			/* before the DDL runs, while its names still resolve to the old relations */
			note_written(s, q, f);
			mark_database(s, q);
			qc_rel_forget();
			return;
		default:
			break;
	}
	if (f->flags & ROUTER_F_WRITE)
		note_written(s, q, f);
}
