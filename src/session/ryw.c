/*
 * ryw.c: read_your_writes in streaming replication mode.
 *
 * A write routed to the primary makes the session's later reads stay on
 * the primary until the primary's ReadyForQuery with status 'I' for that
 * request (or a later one) arrives: then the write is committed (or rolled
 * back), and the session stamps the time, before the client hears of it.
 * A read load balancing would send to a standby goes there only if a
 * primary sample taken after that time exists and the standby replayed
 * its position (replication/wal_pos.h); otherwise it asks the wal_pos
 * worker for a fresh sample and reads from the primary, or with
 * read_your_writes_timeout waits for the standby that long first.  With
 * read_your_writes = global a commit also stamps the written tables' slots
 * in shared memory, and every session's reads of those tables wait for
 * them the same way.  Runs in a child process; the state is the session's
 * MultiState.ryw.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "config/config.h"
#include "pool/node_table.h"
#include "replication/wal_pos.h"
#include "utils/log.h"

#include <poll.h>

static bool
ryw_active(const Session *s)
{
	return pool_config->read_your_writes != RYW_OFF && s->multi != NULL &&
		multi_mode()->read_your_writes;
}

static const char *
database_of(const Session *s)
{
	return s->startup.database ? s->startup.database : "";
}

/* global: remember a slot the pending writes touched (too many: the database's slot). */
static void
note_slot(RywState *st, uint32_t slot)
{
	for (int i = 0; i < st->nslots; i++)
		if (st->slots[i] == slot)
			return;
	if (st->nslots < RYW_MAX_SLOTS)
		st->slots[st->nslots++] = slot;
	else
		st->all_tables = true;
}

static void
note_written_tables(Session *s, const StmtFacts *f)
{
	RywState   *st = &s->multi->ryw;
	bool		named = false;

	if (f == NULL || f->kind == ROUTER_STMT_DDL)
		st->all_tables = true;	/* DDL may change what any read sees (views, functions) */
	if (f == NULL)
		return;
	for (int i = 0; i < f->nrels; i++)
	{
		const RouterRel *rel = &f->rels[i];

		if (rel->flags & (ROUTER_REL_WRITTEN | ROUTER_REL_CREATED | ROUTER_REL_DROPPED))
		{
			note_slot(st, wal_pos_slot_of(database_of(s), rel->name));
			named = true;
		}
	}
	/* a write whose tables the parser cannot name (functions, DO): every table */
	if (!named)
		st->all_tables = true;
}

void
ryw_note_sent(Session *s, const RelayEntry *e, const StmtFacts *facts, bool write)
{
	RywState   *st;

	if (e == NULL || !ryw_active(s))
		return;
	if (!write && !(facts && (facts->flags & ROUTER_F_WRITE)))
		return;
	if (!node_mask_has(&e->nodes, s->multi->primary))
		return;
	st = &s->multi->ryw;
	if (e->seq > st->pending_seq)
		st->pending_seq = e->seq;
	if (pool_config->read_your_writes == RYW_GLOBAL)
		note_written_tables(s, facts);
}

void
ryw_ready(Session *s, const RelayEntry *e, int n, char status)
{
	RywState   *st = &s->multi->ryw;
	int64_t		now;

	if (status == 'I')
		st->tx_on_primary = false;
	if (st->pending_seq == 0 || e == NULL || n != s->multi->primary || status != 'I' ||
		e->seq < st->pending_seq)
		return;
	/* committed (or rolled back) now: a sample sent from here on covers it */
	now = wal_pos_now_us();
	st->commit_us = now;
	st->pending_seq = 0;
	if (st->all_tables)
		wal_pos_slot_stamp(wal_pos_slot_of_database(database_of(s)), now);
	for (int i = 0; i < st->nslots; i++)
		wal_pos_slot_stamp(st->slots[i], now);
	st->nslots = 0;
	st->all_tables = false;
}

/* The time the read must see commits up to: the session's, and in global the tables'. */
static int64_t
required_time(const Session *s, const StmtFacts *facts)
{
	int64_t		t = s->multi->ryw.commit_us;
	const char *db;

	if (pool_config->read_your_writes != RYW_GLOBAL)
		return t;
	db = database_of(s);
	t = t > wal_pos_slot_time(wal_pos_slot_of_database(db)) ? t :
		wal_pos_slot_time(wal_pos_slot_of_database(db));
	for (int i = 0; facts && i < facts->nrels; i++)
	{
		int64_t		r;

		if (facts->rels[i].flags & ROUTER_REL_SYSTEM)
			continue;
		r = wal_pos_slot_time(wal_pos_slot_of(db, facts->rels[i].name));
		if (r > t)
			t = r;
	}
	return t;
}

/* Can standby n take the read now?  keep: cache the sample's LSN in the session. */
static WalPosVerdict
verdict(Session *s, int n, int64_t required, bool keep)
{
	RywState   *st = &s->multi->ryw;
	WalPosSample now = wal_pos_sample();
	WalPosReadIn in = {0};

	in.write_pending = st->pending_seq != 0;
	in.required_us = required;
	if (st->lsn_sample_us > 0 && st->lsn_epoch == now.epoch && st->lsn_sample_us >= required)
	{
		/* the first sample after the commit: the lowest position that covers it */
		in.sample_us = st->lsn_sample_us;
		in.sample_lsn = st->lsn;
	}
	else
	{
		in.sample_us = now.sent_us;
		in.sample_lsn = now.lsn;
		if (keep && now.sent_us >= required && required > 0)
		{
			st->lsn_sample_us = now.sent_us;
			st->lsn = now.lsn;
			st->lsn_epoch = now.epoch;
		}
	}
	in.replay_known = wal_pos_replay(n, now.epoch, &in.replay_lsn);
	return wal_pos_decide(&in);
}

/* read_your_writes_timeout: wait for standby n to catch up; true if it did. */
static bool
wait_for_standby(Session *s, int n, int64_t required)
{
	int64_t		until = wal_pos_now_us() + (int64_t) pool_config->read_your_writes_timeout * 1000;
	WalPosVerdict v;

	do
	{
		if (session_interrupt)
			return false;
		(void) poll(NULL, 0, 1);
		v = verdict(s, n, required, true);
		if (v != WAL_POS_STANDBY && v != WAL_POS_PENDING)
			wal_pos_demand(wal_pos_now_us());
	} while (v != WAL_POS_STANDBY && v != WAL_POS_PENDING && wal_pos_now_us() < until);
	return v == WAL_POS_STANDBY;
}

void
ryw_route_read(Session *s, const StmtFacts *facts, MultiRoute *r, bool explain)
{
	MultiState *m = s->multi;
	int64_t		required;
	WalPosVerdict v;
	bool		sticky;

	if (r->lead == m->primary || r->lead < 0 || !ryw_active(s))
		return;
	required = required_time(s, facts);
	/* a transaction that read from the primary stays there: no older view later in it */
	sticky = m->ryw.tx_on_primary && m->router_session.in_transaction;
	/* the common read: nothing this read must see (no samples to look at) */
	if (required <= 0 && m->ryw.pending_seq == 0 && !sticky)
		return;
	v = verdict(s, r->lead, required, !explain);
	if (v == WAL_POS_STANDBY && !sticky)
		return;
	if (!explain && !sticky)
	{
		/* a sample after the commit, or the standby's newer position: the next round */
		if (v != WAL_POS_PENDING)
			wal_pos_demand(wal_pos_now_us());
		if (v != WAL_POS_PENDING && pool_config->read_your_writes_timeout > 0 &&
			wait_for_standby(s, r->lead, required))
			return;
	}
	plog(PL_DEBUG1, "read_your_writes: node %d %s: the read goes to the primary", r->lead,
		 v == WAL_POS_PENDING ? "(a write is not committed yet)" :
		 v == WAL_POS_NO_SAMPLE ? "(no WAL sample since the commit yet)" :
		 v == WAL_POS_BEHIND ? "has not replayed the commit" : "(the transaction reads from the primary)");
	r->reason = v == WAL_POS_PENDING ? "a write of this session is not committed yet: read from the primary" :
		v == WAL_POS_STANDBY ? "this transaction already read from the primary (read_your_writes)" :
		"the standby has not replayed a commit this read must see (read_your_writes): read from the primary";
	if (!explain && m->router_session.in_transaction)
		m->ryw.tx_on_primary = true;
	r->lead = m->primary;
	r->rule = "read_your_writes";
}
