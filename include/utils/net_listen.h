/*
 * net_listen.h: listening sockets for pgpool's servers (clients, PCP).
 * Sockets are non-blocking and close-on-exec, opened by the parent before
 * it forks.  Errors are logged as FATAL with what names the setting.
 */
#ifndef PGPOOL_UTILS_NET_LISTEN_H
#define PGPOOL_UTILS_NET_LISTEN_H

/*
 * Listen on every address of a comma-separated list ('*': every address,
 * '': none) at port.  Appends at most room fds to fds; returns how many,
 * or -1 (nothing left open) on error.
 */
int			net_listen_tcp_list(const char *addresses, int port, int backlog, const char *what,
								int *fds, int room);

/*
 * Listen on the UNIX socket <dir>/.s.PGSQL.<port>, writing its path to
 * path (cap bytes).  A socket file nobody answers on is stale and replaced;
 * one that answers means another server runs: error.  Returns fd or -1.
 */
int			net_listen_unix(const char *dir, int port, int backlog, const char *what,
							char *path, int cap);

#endif
