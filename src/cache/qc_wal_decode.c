/*
 * qc_wal_decode.c: the pgoutput stream as the WAL invalidation worker needs
 * it, without I/O.
 *
 * CopyData of START_REPLICATION ... LOGICAL is XLogData ('w': data start,
 * WAL end, send time, then one pgoutput message) or a primary keepalive
 * ('k': WAL end, send time, reply requested).  Of pgoutput's messages
 * (protocol version 1, PostgreSQL's "Logical Replication Message
 * Formats") only transaction boundaries and the relation oid of each
 * change matter: Begin opens a transaction, Insert/Update/Delete/Truncate
 * name the tables it changes, Commit closes it and reports them.  Relation,
 * Type, Origin and Message carry nothing to invalidate.
 */
#include "qc_wal_int.h"

#include "utils/str.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
#define QCW_PG_EPOCH_OFFSET 946684800LL

typedef struct Reader
{
	const unsigned char *p;
	size_t		left;
	bool		short_read;
} Reader;

static uint64_t
read_u(Reader *r, int bytes)
{
	uint64_t	v = 0;

	if (r->left < (size_t) bytes)
	{
		r->short_read = true;
		r->left = 0;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v = (v << 8) | r->p[i];
	r->p += bytes;
	r->left -= bytes;
	return v;
}

void
qc_wal_decoder_init(QcWalDecoder *d)
{
	memset(d, 0, sizeof(*d));
}

void
qc_wal_decoder_free(QcWalDecoder *d)
{
	free(d->relids);
	memset(d, 0, sizeof(*d));
}

/* Remember that the open transaction changed relid (once). */
static void
note_relid(QcWalDecoder *d, uint32_t relid)
{
	/* changes come in runs on one table: the last one first */
	for (int i = d->nrelids - 1; i >= 0; i--)
		if (d->relids[i] == relid)
			return;
	if (d->nrelids == d->cap)
	{
		d->cap = d->cap ? d->cap * 2 : 16;
		d->relids = mem_realloc(d->relids, sizeof(uint32_t) * d->cap);
	}
	d->relids[d->nrelids++] = relid;
}

static void
set_error(QcWalEvent *ev, const char *what)
{
	ev->kind = QCW_EV_ERROR;
	ev->error = what;
}

static void
decode_commit(QcWalDecoder *d, Reader *r, QcWalEvent *ev)
{
	(void) read_u(r, 1);		/* flags, unused */
	ev->commit_lsn = read_u(r, 8);
	ev->end_lsn = read_u(r, 8);
	ev->commit_time_us = (int64_t) read_u(r, 8);
	if (r->short_read)
	{
		set_error(ev, "short Commit message");
		return;
	}
	ev->kind = QCW_EV_COMMIT;
	ev->relids = d->relids;
	ev->nrelids = d->nrelids;
	/* the array stays valid for the caller; the next Begin empties it */
	d->in_transaction = false;
}

static void
decode_truncate(QcWalDecoder *d, Reader *r, QcWalEvent *ev)
{
	uint32_t	n = (uint32_t) read_u(r, 4);

	(void) read_u(r, 1);		/* options: CASCADE, RESTART IDENTITY */
	for (uint32_t i = 0; i < n && !r->short_read; i++)
		note_relid(d, (uint32_t) read_u(r, 4));
	if (r->short_read)
		set_error(ev, "short Truncate message");
}

/* One pgoutput message, the payload of an XLogData. */
static void
decode_pgoutput(QcWalDecoder *d, Reader *r, QcWalEvent *ev)
{
	int			type = (int) read_u(r, 1);

	switch (r->short_read ? 0 : type)
	{
		case 0:
			set_error(ev, "empty XLogData");
			break;
		case QCW_PGO_BEGIN:
			d->in_transaction = true;
			d->nrelids = 0;
			break;
		case QCW_PGO_COMMIT:
			decode_commit(d, r, ev);
			break;
		case QCW_PGO_INSERT:
		case QCW_PGO_UPDATE:
		case QCW_PGO_DELETE:
			note_relid(d, (uint32_t) read_u(r, 4));
			if (r->short_read)
				set_error(ev, "short Insert, Update or Delete message");
			break;
		case QCW_PGO_TRUNCATE:
			decode_truncate(d, r, ev);
			break;
		case QCW_PGO_RELATION:
		case QCW_PGO_TYPE:
		case QCW_PGO_ORIGIN:
		case QCW_PGO_MESSAGE:
			break;				/* nothing to invalidate */
		default:
			set_error(ev, "unknown pgoutput message type");
			break;
	}
}

void
qc_wal_decode(QcWalDecoder *d, const char *buf, size_t len, QcWalEvent *ev)
{
	Reader		r = {(const unsigned char *) buf, len, false};
	int			kind = (int) read_u(&r, 1);

	memset(ev, 0, sizeof(*ev));
	if (kind == QCW_COPY_XLOGDATA)
	{
		(void) read_u(&r, 8);	/* data start */
		ev->wal_end = read_u(&r, 8);
		(void) read_u(&r, 8);	/* send time */
		if (r.short_read)
			set_error(ev, "short XLogData header");
		else
			decode_pgoutput(d, &r, ev);
	}
	else if (kind == QCW_COPY_KEEPALIVE)
	{
		ev->wal_end = read_u(&r, 8);
		(void) read_u(&r, 8);	/* send time */
		ev->reply_requested = read_u(&r, 1) != 0;
		ev->kind = QCW_EV_KEEPALIVE;
		if (r.short_read)
			set_error(ev, "short keepalive message");
	}
	else
		set_error(ev, "unknown CopyData message");
}

static void
put_u64(char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (char) (v & 0xff);
}

void
qc_wal_encode_feedback(char out[QCW_FEEDBACK_LEN], uint64_t lsn, int64_t now_us,
					   bool reply_requested)
{
	out[0] = QCW_COPY_FEEDBACK;
	put_u64(out + 1, lsn);		/* written */
	put_u64(out + 9, lsn);		/* flushed: the slot's confirmed_flush_lsn */
	put_u64(out + 17, lsn);		/* applied */
	put_u64(out + 25, (uint64_t) now_us);
	out[33] = reply_requested ? 1 : 0;
}

int64_t
qc_wal_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return ((int64_t) tv.tv_sec - QCW_PG_EPOCH_OFFSET) * 1000000 + tv.tv_usec;
}
