/*
 * qc_wal_int.h: inside the WAL invalidation worker: the pgoutput decoder
 * (no I/O), one database's replication stream, the status writer.
 */
#ifndef PGPOOL_CACHE_QC_WAL_INT_H
#define PGPOOL_CACHE_QC_WAL_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cache/qc_wal.h"

/* ---- decoder (qc_wal_decode.c) ---- */

/* CopyData message kinds of the streaming protocol and pgoutput's messages. */
#define QCW_COPY_XLOGDATA	'w'
#define QCW_COPY_KEEPALIVE	'k'
#define QCW_COPY_FEEDBACK	'r'
#define QCW_PGO_BEGIN		'B'
#define QCW_PGO_COMMIT		'C'
#define QCW_PGO_ORIGIN		'O'
#define QCW_PGO_RELATION	'R'
#define QCW_PGO_TYPE		'Y'
#define QCW_PGO_INSERT		'I'
#define QCW_PGO_UPDATE		'U'
#define QCW_PGO_DELETE		'D'
#define QCW_PGO_TRUNCATE	'T'
#define QCW_PGO_MESSAGE		'M'

typedef enum QcWalEventKind
{
	QCW_EV_NONE = 0,			/* consumed, nothing to do */
	QCW_EV_COMMIT,				/* a transaction ended: relids are what it changed */
	QCW_EV_KEEPALIVE,			/* the server's WAL end; maybe a reply is asked for */
	QCW_EV_ERROR				/* malformed message: the stream must be restarted */
} QcWalEventKind;

typedef struct QcWalEvent
{
	QcWalEventKind kind;
	uint64_t	commit_lsn;		/* COMMIT */
	uint64_t	end_lsn;		/* COMMIT: end of the commit record */
	int64_t		commit_time_us; /* COMMIT: microseconds since 2000-01-01 */
	const uint32_t *relids;		/* COMMIT: distinct, valid until the next call */
	int			nrelids;
	uint64_t	wal_end;		/* KEEPALIVE and XLogData: the server's WAL end */
	bool		reply_requested;	/* KEEPALIVE */
	const char *error;			/* ERROR: what was wrong */
} QcWalEvent;

/* State between messages: whether a transaction is open and what it changed. */
typedef struct QcWalDecoder
{
	bool		in_transaction;
	uint32_t   *relids;
	int			nrelids;
	int			cap;
} QcWalDecoder;

void		qc_wal_decoder_init(QcWalDecoder *d);
void		qc_wal_decoder_free(QcWalDecoder *d);

/* Decode one CopyData payload of a START_REPLICATION ... LOGICAL stream. */
void		qc_wal_decode(QcWalDecoder *d, const char *buf, size_t len, QcWalEvent *ev);

/* The standby status update ('r') reporting lsn as written, flushed and applied; 34 bytes. */
#define QCW_FEEDBACK_LEN 34
void		qc_wal_encode_feedback(char out[QCW_FEEDBACK_LEN], uint64_t lsn, int64_t now_us,
								   bool reply_requested);

/* Microseconds since 2000-01-01 (PostgreSQL's epoch) now. */
int64_t		qc_wal_now_us(void);

/* ---- one database's stream (qc_wal_stream.c) ---- */

typedef enum QcWalStreamState
{
	QCW_STREAM_IDLE = 0,		/* not connected; (re)try at retry_at_ms */
	QCW_STREAM_CREATING,		/* CREATE_REPLICATION_SLOT sent, waiting for the answer */
	QCW_STREAM_STREAMING
} QcWalStreamState;

typedef struct QcWalStream
{
	uint32_t	dboid;
	char		dbname[64];
	uint32_t	db_hash;		/* qc_db_hash(dbname) */
	PGconn	   *conn;
	QcWalStreamState state;
	QcWalDecoder dec;
	uint64_t	processed_lsn;	/* confirmed to the server: every commit before is done */
	int64_t		retry_at_ms;	/* monotonic ms */
	int64_t		feedback_at_ms;
	char		last_error[256];	/* logged once until it changes */
	bool		seen;			/* still listed in pg_database */
} QcWalStream;

/*
 * Connect to node, make the publication if missing, and start streaming
 * from the slot, or ask for the slot (state CREATING) when it is missing.
 * false: logged, closed, retry at retry_at_ms.
 */
bool		qc_wal_stream_start(const PoolConfig *cfg, int node, QcWalStream *s);

/*
 * Read what arrived (the socket is readable).  *created: the slot was
 * created just now and streaming started from it; the cache must be
 * cleared, since changes before the slot were never seen.  false when the
 * stream failed (closed and logged).
 */
bool		qc_wal_stream_read(const PoolConfig *cfg, int node, QcWalStream *s, bool *created);

/* Send the standby status update (processed_lsn); false when the stream failed. */
bool		qc_wal_stream_feedback(QcWalStream *s);

void		qc_wal_stream_close(QcWalStream *s);

/* ---- status (qc_wal_shmem.c) ---- */

/* The worker's writes: begin/end bracket an update of the shared copy. */
QcWalStatus *qc_wal_status_begin(void);
void		qc_wal_status_end(void);

/* Note a commit's invalidation in the status. */
void		qc_wal_status_note_commit(uint64_t commit_lsn, int ntables);

#endif
