/*
 * show_ping.c: the backend's actual state for SHOW pool_nodes' pg_status.
 *
 * Asks the server itself with libpq's PQpingParams: an authentication
 * request already proves the server accepts connections, so no password is
 * needed.  The user and database are always given (sr_check_user and
 * sr_check_database, else the health check's): libpq's defaults, the OS
 * user's name, would make each SHOW write "database ... does not exist"
 * into the server's log.  With neither user set, only a connection is
 * opened, and closed before any startup packet.  Runs in a child process, only for SHOW
 * pool_nodes.
 */
#include "show_int.h"

#include "config/config.h"
#include "pool/backend_connect.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <unistd.h>

ShowPingFunc show_ping_hook = show_ping_backend;

/*
 * No user to ask with: a bare connection that sends nothing and is closed
 * at once, so the server sees no login (and logs nothing).
 */
static bool
show_ping_fallback(const char *host, int port)
{
	const char *why;
	int			fd = backend_connect(host, port, 2000, &why);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool
show_ping_backend(const char *host, int port)
{
	const char *keys[8];
	const char *values[8];
	const char *user = NULL, *dbname = "postgres";
	char		port_text[16];
	char		timeout[16];
	int			n = 0;
	int			secs = pool_config ? (pool_config->connect_timeout + 999) / 1000 : 2;

	/* libpq rounds anything below 2 s up to 2 s; a SHOW should not wait long */
	if (secs < 2 || secs > 10)
		secs = secs < 2 ? 2 : 10;
	if (pool_config && pool_config->sr_check_user && pool_config->sr_check_user[0])
	{
		user = pool_config->sr_check_user;
		if (pool_config->sr_check_database && pool_config->sr_check_database[0])
			dbname = pool_config->sr_check_database;
	}
	else if (pool_config && pool_config->health_check_user && pool_config->health_check_user[0])
	{
		user = pool_config->health_check_user;
		if (pool_config->health_check_database && pool_config->health_check_database[0])
			dbname = pool_config->health_check_database;
	}
	if (user == NULL)
		return show_ping_fallback(host, port);
	snprintf(port_text, sizeof(port_text), "%d", port);
	snprintf(timeout, sizeof(timeout), "%d", secs);
	if (host && host[0])
	{
		keys[n] = "host";
		values[n++] = host;
	}
	keys[n] = "port";
	values[n++] = port_text;
	keys[n] = "connect_timeout";
	values[n++] = timeout;
	keys[n] = "user";
	values[n++] = user;
	keys[n] = "dbname";
	values[n++] = dbname;
	keys[n] = "sslmode";		/* one round trip is enough to know */
	values[n++] = "disable";
	keys[n] = NULL;
	values[n] = NULL;
	return PQpingParams(keys, values, 0) == PQPING_OK;
}
