/*
 * recovery_conn.c: online recovery's libpq side, in the PCP worker running
 * pcp_recovery_node: log in to a node as recovery_user, run CHECKPOINT and
 * the pgpool_recovery extension's functions (pgpool_recovery for a stage,
 * pgpool_remote_start), and wait for the recovered node to accept
 * connections.  Results are PostgreSQL-style messages in a RecoveryError.
 */
#include "recovery_int.h"
#include "utils/clock.h"

#include "auth/auth.h"
#include "auth/auth_passwd.h"
#include "pool/node_table.h"
#include "utils/log.h"
#include "utils/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
recovery_set_error(RecoveryError *err, const char *detail, const char *hint, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	snprintf(err->detail, sizeof(err->detail), "%s", detail ? detail : "");
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
}

/* libpq's message without its "ERROR:  " prefix and trailing newline. */
static void
copy_pq_message(char *out, size_t outlen, const char *msg)
{
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	snprintf(out, outlen, "%s", msg);
	while (*out && out[strlen(out) - 1] == '\n')
		out[strlen(out) - 1] = '\0';
}

char *
recovery_password(const PoolConfig *cfg, const char **why)
{
	const char *pw = cfg->recovery_password ? cfg->recovery_password : "";
	const PasswdFile *pf;
	const PasswdEntry *e;
	PasswdEntry tmp;
	const char *body;

	*why = NULL;
	if (pw[0] != '\0')
	{
		tmp.user = cfg->recovery_user;
		tmp.type = auth_passwd_classify(pw, &body);
		tmp.secret = (char *) body;
		if (tmp.type == PASSWD_PLAIN || tmp.type == PASSWD_AES)
		{
			char	   *plain = auth_passwd_plaintext(&tmp, auth_aes_key());

			if (plain == NULL)
				*why = "recovery_password is AES-encrypted and could not be decrypted";
			return plain;
		}
		*why = "recovery_password is a hash, not a password: give it in clear text or as an AES entry (pg_enc)";
		return NULL;
	}
	/* empty: recovery_user's pool_passwd entry, if it is one we can log in with */
	pf = auth_pool_passwd();
	e = pf && cfg->recovery_user ? auth_passwd_find(pf, cfg->recovery_user) : NULL;
	if (e && (e->type == PASSWD_PLAIN || e->type == PASSWD_AES))
	{
		char	   *plain = auth_passwd_plaintext(e, auth_aes_key());

		if (plain)
			return plain;
	}
	return str_dup("");
}

PGconn *
recovery_connect(int node_id, const char *database, const char *password, RecoveryError *err)
{
	const BackendNode *n = &node_table->nodes[node_id];
	const char *keys[9], *values[9];
	char		port[16], timeout[16];
	int			k = 0;
	PGconn	   *conn;

	snprintf(port, sizeof(port), "%d", n->port);
	snprintf(timeout, sizeof(timeout), "%d", 10);
	keys[k] = "host", values[k++] = n->hostname[0] ? n->hostname : "/tmp";
	keys[k] = "port", values[k++] = port;
	keys[k] = "user", values[k++] = pool_config->recovery_user;
	if (password && password[0])
		keys[k] = "password", values[k++] = password;
	keys[k] = "dbname", values[k++] = database;
	keys[k] = "connect_timeout", values[k++] = timeout;
	keys[k] = "application_name", values[k++] = "pgpool online recovery";
	keys[k] = NULL, values[k] = NULL;
	conn = PQconnectdbParams(keys, values, 0);
	if (PQstatus(conn) == CONNECTION_OK)
		return conn;
	{
		char		why[512];

		copy_pq_message(why, sizeof(why), PQerrorMessage(conn));
		recovery_set_error(err, why, "Check recovery_user, recovery_password and recovery_database.",
						   "could not connect to node %d (%s:%d) as recovery_user \"%s\" to database \"%s\"",
						   node_id, n->hostname, n->port, pool_config->recovery_user, database);
	}
	PQfinish(conn);
	return NULL;
}

bool
recovery_exec(PGconn *conn, const char *sql, char **value, RecoveryError *err)
{
	PGresult   *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool		ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (ok && value)
		*value = str_dup(PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
	if (!ok)
	{
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		if (primary)
			recovery_set_error(err, detail, hint, "%s", primary);
		else
		{
			char		why[512];

			copy_pq_message(why, sizeof(why), PQerrorMessage(conn));
			recovery_set_error(err, NULL, NULL, "%s", why[0] ? why : "query failed");
		}
	}
	PQclear(res);
	return ok;
}

/* A SQL literal of s (malloc'd). */
static char *
literal(PGconn *conn, const char *s)
{
	char	   *q = PQescapeLiteral(conn, s ? s : "", strlen(s ? s : ""));
	char	   *r = str_dup(q ? q : "''");

	PQfreemem(q);
	return r;
}

int
recovery_function_args(PGconn *conn, RecoveryError *err)
{
	char	   *v = NULL;
	int			n;

	if (!recovery_exec(conn, "SELECT max(pronargs) FROM pg_catalog.pg_proc WHERE proname = 'pgpool_recovery'",
					   &v, err))
		return -1;
	n = v[0] ? atoi(v) : 0;
	free(v);
	return n;
}

char *
recovery_stage_sql(PGconn *conn, const char *script, const RecoveryTarget *t, int nargs)
{
	char	   *a[7];
	char		node[16];
	char	   *sql;
	size_t		len = 64;

	snprintf(node, sizeof(node), "%d", t->node_id);
	a[0] = literal(conn, script);
	a[1] = literal(conn, t->host);
	a[2] = literal(conn, t->data_dir);
	a[3] = literal(conn, t->source_port);
	a[4] = str_dup(node);
	a[5] = literal(conn, t->port);
	a[6] = literal(conn, t->source_host);
	if (nargs > 7)
		nargs = 7;
	for (int i = 0; i < nargs; i++)
		len += strlen(a[i]) + 2;
	sql = mem_alloc0(len);
	strcat(sql, "SELECT pgpool_recovery(");
	for (int i = 0; i < nargs; i++)
	{
		if (i > 0)
			strcat(sql, ", ");
		strcat(sql, a[i]);
	}
	strcat(sql, ")");
	for (int i = 0; i < 7; i++)
		free(a[i]);
	return sql;
}

char *
recovery_remote_start_sql(PGconn *conn, const RecoveryTarget *t)
{
	char	   *h = literal(conn, t->host);
	char	   *d = literal(conn, t->data_dir);
	char	   *sql = str_dup(log_fmt("SELECT pgpool_remote_start(%s, %s)", h, d));

	free(h);
	free(d);
	return sql;
}

/* One libpq ping of the node; the database as the manual says: postgres, else template1. */
static PGPing
ping_node(const BackendNode *n, const char *password)
{
	const char *keys[8], *values[8];
	char		port[16];
	int			k = 0;

	snprintf(port, sizeof(port), "%d", n->port);
	keys[k] = "host", values[k++] = n->hostname[0] ? n->hostname : "/tmp";
	keys[k] = "port", values[k++] = port;
	keys[k] = "user", values[k++] = pool_config->recovery_user;
	if (password && password[0])
		keys[k] = "password", values[k++] = password;
	keys[k] = "dbname", values[k++] = "postgres";
	keys[k] = "connect_timeout", values[k++] = "5";
	keys[k] = NULL, values[k] = NULL;
	return PQpingParams(keys, values, 0);
}

/* Has the node finished recovery (a node of its own, not a standby)? */
static bool
out_of_recovery(int node_id, const char *password)
{
	RecoveryError ignored;
	PGconn	   *conn = recovery_connect(node_id, "postgres", password, &ignored);
	char	   *v = NULL;
	bool		done;

	if (conn == NULL)
		return false;
	done = recovery_exec(conn, "SELECT pg_is_in_recovery()", &v, &ignored) && strcmp(v, "f") == 0;
	free(v);
	PQfinish(conn);
	return done;
}

bool
recovery_wait_node(int node_id, int timeout_s, bool need_primary, const char *password,
				   RecoveryError *err)
{
	const BackendNode *n = &node_table->nodes[node_id];
	int64_t		deadline = clock_monotonic_ms() + (int64_t) timeout_s * 1000;
	PGPing		last;
	bool		replaying = false;

	for (;;)
	{
		last = ping_node(n, password);
		/* a node that replays archived WAL accepts read-only connections already */
		if (last == PQPING_OK && (!need_primary || !(replaying = !out_of_recovery(node_id, password))))
			return true;
		if (clock_monotonic_ms() >= deadline)
			break;
		usleep(200 * 1000);
	}
	recovery_set_error(err,
					   log_fmt("The last attempt said: %s.",
							   replaying ? "it accepts connections but is still in recovery" :
							   last == PQPING_OK ? "it accepts connections" :
							   last == PQPING_REJECT ? "the server rejects connections (still starting?)" :
							   last == PQPING_NO_RESPONSE ? "no server answered" : "invalid connection parameters"),
					   "Look at the node's server log; raise recovery_timeout if it needs longer to start.",
					   "node %d (%s:%d) did not %s within recovery_timeout (%d seconds)",
					   node_id, n->hostname, n->port,
					   need_primary ? "finish recovery and accept connections" : "accept connections",
					   timeout_s);
	return false;
}
