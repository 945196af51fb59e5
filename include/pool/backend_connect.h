/*
 * backend_connect.h: open sockets to PostgreSQL backends.
 */
#ifndef PGPOOL_POOL_BACKEND_CONNECT_H
#define PGPOOL_POOL_BACKEND_CONNECT_H

/*
 * Connect to host:port.  host "" or starting with '/' means the UNIX socket
 * <dir>/.s.PGSQL.<port> (dir defaults to /tmp).  timeout_ms <= 0 waits for
 * the kernel's own timeout.  Returns a non-blocking fd with TCP_NODELAY, or
 * -1 with *why set to a static description.
 */
int			backend_connect(const char *host, int port, int timeout_ms, const char **why);

#endif
