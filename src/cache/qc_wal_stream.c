/*
 * qc_wal_stream.c: one database's logical replication stream in the WAL
 * invalidation worker.
 *
 * Start: a replication=database connection as sr_check_user; the
 * publication FOR ALL TABLES if missing; the slot if missing; then
 * START_REPLICATION from the slot's confirmed position.  Creating a
 * logical slot waits for every transaction running on the primary to end,
 * so it is sent asynchronously and the worker keeps serving the other
 * databases meanwhile (state CREATING).  Streaming: each decoded commit
 * invalidates the tables it changed, and the position confirmed to the
 * server (the slot's confirmed_flush_lsn) only ever covers commits already
 * invalidated.
 */
#include "qc_wal_int.h"

#include "cache/qcache.h"
#include "replication/node_query.h"
#include "utils/clock.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds between attempts to start a stream that failed. */
#define QCW_RETRY_MS 5000

#define LSN_ARGS(lsn) (unsigned int) ((lsn) >> 32), (unsigned int) (lsn)

static void
first_line(char *out, size_t len, const char *msg)
{
	str_copy(out, msg ? msg : "", len);
	out[strcspn(out, "\n")] = '\0';
}

/*
 * A failure: close the stream and retry later.  The same message is logged
 * at LOG once, then at DEBUG1, so a primary that refuses for hours does
 * not flood the log.
 */
static bool
stream_fail(QcWalStream *s, const char *detail, const char *hint, const char *fmt,...)
{
	char		msg[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	plog_ex(strcmp(msg, s->last_error) == 0 ? PL_DEBUG1 : PL_LOG, detail, hint, "%s", msg);
	str_copy(s->last_error, msg, sizeof(s->last_error));
	qc_wal_stream_close(s);
	s->retry_at_ms = clock_monotonic_ms() + QCW_RETRY_MS;
	return false;
}

void
qc_wal_stream_close(QcWalStream *s)
{
	if (s->conn)
		PQfinish(s->conn);
	s->conn = NULL;
	s->state = QCW_STREAM_IDLE;
	s->dec.in_transaction = false;
	s->dec.nrelids = 0;
}

/* Run sql; NULL result (and the first line of the error in why) on failure. */
static PGresult *
stream_exec(QcWalStream *s, const char *sql, ExecStatusType want, char *why, size_t why_len)
{
	PGresult   *res = PQexec(s->conn, sql);

	if (PQresultStatus(res) == want)
		return res;
	first_line(why, why_len, res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn));
	PQclear(res);
	return NULL;
}

/* The publication exists afterwards; *created: it was made just now. */
static bool
ensure_publication(const PoolConfig *cfg, QcWalStream *s, bool *created)
{
	char		pub[64], sql[256], why[256];
	PGresult   *res;
	bool		exists;

	qc_wal_publication_name(cfg, pub, sizeof(pub));
	snprintf(sql, sizeof(sql), "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = '%s'", pub);
	if ((res = stream_exec(s, sql, PGRES_TUPLES_OK, why, sizeof(why))) == NULL)
		return stream_fail(s, why, NULL, "could not look up publication \"%s\" in database \"%s\"", pub, s->dbname);
	exists = PQntuples(res) > 0;
	PQclear(res);
	*created = false;
	if (exists)
		return true;
	snprintf(sql, sizeof(sql), "CREATE PUBLICATION %s FOR ALL TABLES", pub);
	if ((res = stream_exec(s, sql, PGRES_COMMAND_OK, why, sizeof(why))) == NULL)
		return stream_fail(s, why,
						   log_fmt("Make sr_check_user a superuser, or have a superuser run \"CREATE PUBLICATION %s FOR ALL TABLES\" in database \"%s\".",
								   pub, s->dbname),
						   "could not create publication \"%s\" for query cache invalidation in database \"%s\"",
						   pub, s->dbname);
	PQclear(res);
	plog(PL_LOG, "query cache: created publication \"%s\" in database \"%s\"", pub, s->dbname);
	*created = true;
	return true;
}

/*
 * Look up the slot: *found and its confirmed position.  A slot older than
 * a publication made just now is dropped: its decoding would start before
 * the publication existed, which pgoutput refuses.
 */
static bool
find_slot(const PoolConfig *cfg, QcWalStream *s, bool pub_created, bool *found, uint64_t *lsn)
{
	char		slot[64], sql[256], why[256];
	PGresult   *res;

	qc_wal_slot_name(cfg, s->dboid, slot, sizeof(slot));
	snprintf(sql, sizeof(sql), "SELECT confirmed_flush_lsn FROM pg_catalog.pg_replication_slots "
			 "WHERE slot_name = '%s' AND slot_type = 'logical'", slot);
	if ((res = stream_exec(s, sql, PGRES_TUPLES_OK, why, sizeof(why))) == NULL)
		return stream_fail(s, why, NULL, "could not look up replication slot \"%s\"", slot);
	*found = PQntuples(res) > 0 && qc_wal_lsn_parse(PQgetvalue(res, 0, 0), lsn);
	PQclear(res);
	if (*found && pub_created)
	{
		snprintf(sql, sizeof(sql), "DROP_REPLICATION_SLOT %s", slot);
		if ((res = stream_exec(s, sql, PGRES_COMMAND_OK, why, sizeof(why))) == NULL)
			return stream_fail(s, why, NULL, "could not drop replication slot \"%s\" older than its publication", slot);
		PQclear(res);
		*found = false;
	}
	return true;
}

static bool
start_replication(const PoolConfig *cfg, QcWalStream *s, uint64_t lsn)
{
	char		slot[64], pub[64], sql[512], why[256];
	PGresult   *res;

	qc_wal_slot_name(cfg, s->dboid, slot, sizeof(slot));
	qc_wal_publication_name(cfg, pub, sizeof(pub));
	snprintf(sql, sizeof(sql), "START_REPLICATION SLOT %s LOGICAL %X/%X (proto_version '1', publication_names '%s')",
			 slot, LSN_ARGS(lsn), pub);
	if ((res = stream_exec(s, sql, PGRES_COPY_BOTH, why, sizeof(why))) == NULL)
		return stream_fail(s, why, NULL, "could not start streaming from replication slot \"%s\"", slot);
	PQclear(res);
	PQsetnonblocking(s->conn, 1);
	s->processed_lsn = lsn;
	s->state = QCW_STREAM_STREAMING;
	s->feedback_at_ms = 0;
	if (s->last_error[0])
		plog(PL_LOG, "query cache invalidation streams database \"%s\" again", s->dbname);
	else
		plog(PL_DEBUG1, "query cache invalidation streams database \"%s\" from %X/%X", s->dbname, LSN_ARGS(lsn));
	s->last_error[0] = '\0';
	return true;
}

bool
qc_wal_stream_start(const PoolConfig *cfg, int node, QcWalStream *s)
{
	NodeConnOptions opt = {s->dbname, "pgpool_query_cache", true};
	char		slot[64], sql[256], why[256];
	bool		pub_created, found;
	uint64_t	lsn = 0;

	qc_wal_stream_close(s);
	s->conn = node_query_connect_db(cfg, node, &opt, why, sizeof(why));
	if (s->conn == NULL)
		return stream_fail(s, why, NULL, "could not connect to database \"%s\" on DB node %d for query cache invalidation",
						   s->dbname, node);
	if (!ensure_publication(cfg, s, &pub_created) || !find_slot(cfg, s, pub_created, &found, &lsn))
		return false;
	if (found)
		return start_replication(cfg, s, lsn);
	qc_wal_slot_name(cfg, s->dboid, slot, sizeof(slot));
	snprintf(sql, sizeof(sql), "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput NOEXPORT_SNAPSHOT", slot);
	if (!PQsendQuery(s->conn, sql))
	{
		first_line(why, sizeof(why), PQerrorMessage(s->conn));
		return stream_fail(s, why, NULL, "could not create replication slot \"%s\"", slot);
	}
	s->state = QCW_STREAM_CREATING;
	return true;
}

/* CREATING and the server answered: start streaming from the new slot's consistent point. */
static bool
slot_created(const PoolConfig *cfg, int node, QcWalStream *s)
{
	char		slot[64], why[256];
	PGresult   *res = PQgetResult(s->conn);
	uint64_t	lsn = 0;
	bool		ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		qc_wal_lsn_parse(PQgetvalue(res, 0, 1), &lsn);

	first_line(why, sizeof(why), PQresultErrorMessage(res));
	PQclear(res);
	while ((res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	qc_wal_slot_name(cfg, s->dboid, slot, sizeof(slot));
	if (!ok)
		return stream_fail(s, why, NULL, "could not create replication slot \"%s\"", slot);
	plog(PL_LOG, "query cache: created replication slot \"%s\" on DB node %d", slot, node);
	return start_replication(cfg, s, lsn);
}

/* A decoded commit: invalidate what it changed. */
static void
handle_commit(QcWalStream *s, const QcWalEvent *ev)
{
	if (ev->nrelids > 0)
	{
		QcTable    *tables = mem_alloc(sizeof(QcTable) * ev->nrelids);

		for (int i = 0; i < ev->nrelids; i++)
		{
			tables[i].db_hash = s->db_hash;
			tables[i].oid = ev->relids[i];
		}
		qc_invalidate_tables(tables, ev->nrelids);
		free(tables);
		qc_wal_status_note_commit(ev->commit_lsn, ev->nrelids);
		plog_ex(PL_DEBUG1, log_fmt("database \"%s\"", s->dbname), NULL,
				"query cache: invalidated %d tables at %X/%X", ev->nrelids, LSN_ARGS(ev->commit_lsn));
	}
	if (ev->end_lsn > s->processed_lsn)
		s->processed_lsn = ev->end_lsn;
}

static bool
handle_message(QcWalStream *s, const char *buf, int len)
{
	QcWalEvent	ev;

	qc_wal_decode(&s->dec, buf, (size_t) len, &ev);
	switch (ev.kind)
	{
		case QCW_EV_COMMIT:
			handle_commit(s, &ev);
			break;
		case QCW_EV_KEEPALIVE:
			/* between transactions everything up to the server's WAL end is done */
			if (!s->dec.in_transaction && ev.wal_end > s->processed_lsn)
				s->processed_lsn = ev.wal_end;
			if (ev.reply_requested)
				return qc_wal_stream_feedback(s);
			break;
		case QCW_EV_ERROR:
			return stream_fail(s, ev.error, NULL, "could not decode the WAL stream of database \"%s\"", s->dbname);
		case QCW_EV_NONE:
			break;
	}
	return true;
}

static bool
read_copy_data(QcWalStream *s)
{
	for (;;)
	{
		char	   *buf = NULL;
		int			n = PQgetCopyData(s->conn, &buf, 1);
		bool		ok;
		char		why[256];

		if (n == 0)
			return true;
		if (n < 0)
		{
			PGresult   *res = PQgetResult(s->conn);

			first_line(why, sizeof(why), res && PQresultErrorMessage(res)[0] ?
					   PQresultErrorMessage(res) : PQerrorMessage(s->conn));
			PQclear(res);
			return stream_fail(s, why, NULL, "the WAL stream of database \"%s\" ended", s->dbname);
		}
		ok = handle_message(s, buf, n);
		PQfreemem(buf);
		if (!ok)
			return false;
	}
}

bool
qc_wal_stream_read(const PoolConfig *cfg, int node, QcWalStream *s, bool *created)
{
	char		why[256];

	*created = false;
	if (s->conn == NULL)
		return false;
	if (!PQconsumeInput(s->conn))
	{
		first_line(why, sizeof(why), PQerrorMessage(s->conn));
		return stream_fail(s, why, NULL, "lost the WAL stream of database \"%s\"", s->dbname);
	}
	if (s->state == QCW_STREAM_CREATING)
	{
		if (PQisBusy(s->conn))
			return true;
		*created = slot_created(cfg, node, s);
		return *created;
	}
	return read_copy_data(s);
}

bool
qc_wal_stream_feedback(QcWalStream *s)
{
	char		msg[QCW_FEEDBACK_LEN], why[256];

	if (s->state != QCW_STREAM_STREAMING)
		return true;
	qc_wal_encode_feedback(msg, s->processed_lsn, qc_wal_now_us(), false);
	if (PQputCopyData(s->conn, msg, sizeof(msg)) != 1 || PQflush(s->conn) < 0)
	{
		first_line(why, sizeof(why), PQerrorMessage(s->conn));
		return stream_fail(s, why, NULL, "could not send the position of the WAL stream of database \"%s\"", s->dbname);
	}
	s->feedback_at_ms = clock_monotonic_ms();
	return true;
}
