/*
 * node_query.c: libpq helpers for the node-watching processes.
 */
#include "replication/node_query.h"

#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdio.h>
#include <string.h>

PGconn *
node_query_connect_db(const PoolConfig *cfg, int n, const NodeConnOptions *opt, char *why,
					  size_t why_len)
{
	const BackendNode *node = &node_table->nodes[n];
	const char *keys[10], *values[10];
	char		port[16], timeout[16];
	PGconn	   *conn;
	int			k = 0;

	snprintf(port, sizeof(port), "%d", node->port);
	snprintf(timeout, sizeof(timeout), "%d", cfg->connect_timeout > 0 ? (cfg->connect_timeout + 999) / 1000 : 10);
	keys[k] = "host", values[k++] = node->hostname[0] ? node->hostname : "/tmp";
	keys[k] = "port", values[k++] = port;
	if (cfg->sr_check_user && cfg->sr_check_user[0])
		keys[k] = "user", values[k++] = cfg->sr_check_user;
	if (cfg->sr_check_password && cfg->sr_check_password[0])
		keys[k] = "password", values[k++] = cfg->sr_check_password;
	if (opt && opt->dbname)
		keys[k] = "dbname", values[k++] = opt->dbname;
	else
		keys[k] = "dbname", values[k++] = cfg->sr_check_database && cfg->sr_check_database[0] ?
			cfg->sr_check_database : "postgres";
	keys[k] = "connect_timeout", values[k++] = timeout;
	keys[k] = "application_name", values[k++] = opt && opt->application_name ? opt->application_name : "pgpool";
	if (opt && opt->replication_database)
		keys[k] = "replication", values[k++] = "database";
	keys[k] = NULL, values[k] = NULL;
	conn = PQconnectdbParams(keys, values, 0);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		str_copy(why, PQerrorMessage(conn), why_len);
		why[strcspn(why, "\n")] = '\0';
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

bool
node_query_accepting(int n, int timeout_s)
{
	const BackendNode *node = &node_table->nodes[n];
	const char *keys[5], *values[5];
	char		port[16], timeout[16];

	snprintf(port, sizeof(port), "%d", node->port);
	snprintf(timeout, sizeof(timeout), "%d", timeout_s > 0 ? timeout_s : 2);
	keys[0] = "host", values[0] = node->hostname[0] ? node->hostname : "/tmp";
	keys[1] = "port", values[1] = port;
	keys[2] = "connect_timeout", values[2] = timeout;
	keys[3] = "dbname", values[3] = "postgres";
	keys[4] = NULL, values[4] = NULL;
	return PQpingParams(keys, values, 0) == PQPING_OK;
}

PGconn *
node_query_connect(const PoolConfig *cfg, int n)
{
	char		why[256];
	PGconn	   *conn = node_query_connect_db(cfg, n, NULL, why, sizeof(why));

	if (conn == NULL)
		plog_ex(PL_LOG, why, NULL, "could not connect to DB node %d to check replication", n);
	return conn;
}

bool
node_query_value(PGconn *conn, const char *sql, char *buf, size_t len)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1 &&
		!PQgetisnull(res, 0, 0);

	if (ok)
		str_copy(buf, PQgetvalue(res, 0, 0), len);
	PQclear(res);
	return ok;
}
