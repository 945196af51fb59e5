/*
 * qc_wal_slots.c: dropping the WAL invalidation worker's slots and
 * publication for pgpool -c (the parent, at start, before forking).
 */
#include "cache/qc_wal.h"
#include "qc_wal_int.h"

#include "pool/node_table.h"
#include "replication/node_query.h"
#include "replication/strategy.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define QCW_NAME_MAX 63
#define QCW_RELEASE_WAIT_MS 5000

/* Run sql on conn; false (logged as a WARNING naming what) on error. */
static bool
run_command(PGconn *conn, const char *sql, const char *what)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
	{
		char		why[256];

		str_copy(why, PQresultErrorMessage(res), sizeof(why));
		why[strcspn(why, "\n")] = '\0';
		plog_ex(PL_WARNING, why, NULL, "could not drop the query cache's %s", what);
	}
	PQclear(res);
	return ok;
}

/*
 * The publication is dropped only when this user is a superuser: one who
 * is not could not create it again (FOR ALL TABLES needs a superuser), and
 * an administrator's publication must then stay.
 */
static void
drop_publications(const PoolConfig *cfg, int node, PGconn *ctl)
{
	char		pub[QCW_NAME_MAX + 1], sql[256], why[256];
	PGresult   *res;

	qc_wal_publication_name(cfg, pub, sizeof(pub));
	res = PQexec(ctl, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn "
				 "AND datname NOT IN ('template0', 'template1') "
				 "AND (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)");
	snprintf(sql, sizeof(sql), "DROP PUBLICATION IF EXISTS %s", pub);
	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
	{
		NodeConnOptions opt = {PQgetvalue(res, i, 0), NULL, false};
		PGconn	   *conn = node_query_connect_db(cfg, node, &opt, why, sizeof(why));

		if (conn == NULL)
		{
			plog_ex(PL_WARNING, why, NULL, "could not connect to database \"%s\" to drop the query cache's publication",
					opt.dbname);
			continue;
		}
		run_command(conn, sql, "publication");
		PQfinish(conn);
	}
	PQclear(res);
}

/*
 * A walsender of the previous pgpool's worker may still hold a slot for a
 * moment after that pgpool stopped: wait up to QCW_RELEASE_WAIT_MS for it.
 */
static void
wait_slots_released(PGconn *ctl, const char *pub)
{
	char		sql[256], value[32];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_catalog.pg_replication_slots "
			 "WHERE slot_name ~ '^%s_[0-9]+$' AND active_pid IS NOT NULL", pub);
	for (int waited = 0; waited < QCW_RELEASE_WAIT_MS; waited += 100)
	{
		if (!node_query_value(ctl, sql, value, sizeof(value)) || strcmp(value, "0") == 0)
			return;
		usleep(100 * 1000);
	}
	plog_ex(PL_WARNING, "Another process streams from them: is another pgpool using the same memqcache_wal_slot_name?",
			NULL, "some of the query cache's replication slots are in use and are not dropped");
}

void
qc_wal_drop_slots(const PoolConfig *cfg)
{
	const ModeStrategy *st = strategy_current();
	int			node = st->has_primary ? node_table->primary_node_id : node_table->main_node_id;
	char		pub[QCW_NAME_MAX + 1], sql[512], why[256];
	PGconn	   *ctl;

	if (qc_wal_count(cfg) == 0)
		return;
	if (!node_is_up(node))
	{
		plog_ex(PL_WARNING, "No primary node is up.", NULL,
				"could not drop the query cache's replication slots");
		return;
	}
	ctl = node_query_connect_db(cfg, node, NULL, why, sizeof(why));
	if (ctl == NULL)
	{
		plog_ex(PL_WARNING, why, NULL, "could not drop the query cache's replication slots on DB node %d", node);
		return;
	}
	qc_wal_publication_name(cfg, pub, sizeof(pub));
	wait_slots_released(ctl, pub);
	/* not active_pid: a slot some process still streams from cannot be dropped */
	snprintf(sql, sizeof(sql),
			 "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
			 "WHERE slot_type = 'logical' AND slot_name ~ '^%s_[0-9]+$' AND active_pid IS NULL", pub);
	if (run_command(ctl, sql, "replication slots"))
		plog(PL_LOG, "query cache: dropped the replication slots \"%s_*\" on DB node %d (pgpool -c)", pub, node);
	drop_publications(cfg, node, ctl);
	PQfinish(ctl);
}
