/*
 * show_ping.c: the backend's actual state for SHOW pool_nodes' pg_status.
 *
 * Asks the server itself with libpq's PQpingParams, which needs no valid
 * user or password: an authentication request already proves the server
 * accepts connections.  Runs in a child process, only for SHOW pool_nodes.
 */
#include "show_int.h"

#include "config/config.h"

#include <libpq-fe.h>
#include <stdio.h>

ShowPingFunc show_ping_hook = show_ping_backend;

bool
show_ping_backend(const char *host, int port)
{
	const char *keys[6];
	const char *values[6];
	char		port_text[16];
	char		timeout[16];
	int			n = 0;
	int			secs = pool_config ? (pool_config->connect_timeout + 999) / 1000 : 2;

	/* libpq rounds anything below 2 s up to 2 s; a SHOW should not wait long */
	if (secs < 2 || secs > 10)
		secs = secs < 2 ? 2 : 10;
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
	keys[n] = "sslmode";		/* one round trip is enough to know */
	values[n++] = "disable";
	keys[n] = NULL;
	values[n] = NULL;
	return PQpingParams(keys, values, 0) == PQPING_OK;
}
