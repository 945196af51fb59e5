/*
 * session.h: one client's life inside a child process.
 *
 * session_run() takes an accepted socket through startup, authentication,
 * the query relay and the release of its backend connections.  Every
 * failure ends in a typed SessionStatus returned up to session_run(),
 * which alone decides what the client is told, whether backend
 * connections go back to the pool, and what is logged.
 * Memory: process-local; everything is freed or pooled when the client leaves.
 */
#ifndef PGPOOL_SESSION_SESSION_H
#define PGPOOL_SESSION_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "pool/pool_slot.h"
#include "protocol/pq_conn.h"
#include "protocol/pq_message.h"

typedef enum SessionStatus
{
	SESSION_OK = 0,
	SESSION_DONE,				/* finished normally (Terminate, cancel request handled) */
	SESSION_CLIENT_EOF,			/* client went away without Terminate */
	SESSION_CLIENT_ERROR,		/* client broke the protocol; an error was sent */
	SESSION_CLIENT_TIMEOUT,		/* authentication_timeout or client_idle_limit */
	SESSION_BACKEND_ERROR,		/* a backend failed; the client was told */
	SESSION_AUTH_FAILED,		/* authentication refused; the client was told */
	SESSION_SHUTDOWN,			/* pgpool is shutting down */
	SESSION_NODES_DIVERGED		/* the nodes answered differently; the client was told */
} SessionStatus;

typedef struct Session
{
	PqConn		client;
	char		client_host[256];
	char		client_port[16];
	char	   *startup_packet; /* own copy of the startup body */
	size_t		startup_len;
	PqStartup	startup;
	char	   *pool_key;
	size_t		pool_key_len;
	bool		poolable;		/* connection_cache on and not a maintenance database */
	PoolSlot   *slot;
	int			node;			/* the backend node this session talks to */
	char		tx_status;		/* 'I', 'T', 'E' from the last ReadyForQuery */
	int			pending_sync;	/* ReadyForQuery messages still owed by the backend */
	bool		unsynced;		/* extended-protocol messages sent since the last Sync */
	int64_t		client_skip;	/* bytes of a large client message still to forward */
	int64_t		backend_skip;	/* bytes of a backend message still to forward */
	struct MultiState *multi;	/* set when the session uses several nodes */
} Session;

/* Serve one accepted client to the end; closes client_fd. */
SessionStatus session_run(int client_fd, const struct sockaddr *addr, socklen_t addrlen);

/*
 * A backend connection broke: with failover_on_backend_error, and if the
 * node no longer accepts connections, ask for it to be detached.
 */
void		session_backend_failed(int node);

/* Ask the parent to detach node (its answers differ from the other nodes'). */
void		session_degenerate_node(int node);

/*
 * Check the header of the client's next message (type byte, length).
 * SESSION_OK: relay it.  SESSION_DONE: it is Terminate (consumed).
 * SESSION_CLIENT_ERROR: malformed; the client was told and the session ends.
 */
SessionStatus session_check_client_header(Session *s, char type, int32_t len);

/*
 * The next message of a backend being logged into: *first if set (it is
 * then cleared), else flush what is queued for the backend and read one
 * message, within authentication_timeout.  Returns a PqIoStatus.
 */
int			session_next_login_message(BackendConn *b, const PqMsg **first, PqMsg *msg,
									   size_t max_len);

/* Send an ErrorResponse (and flush) to the client; best effort. */
void		session_send_error(Session *s, const char *severity, const char *sqlstate,
							   const char *message, const char *detail);

/* startup.c */
SessionStatus session_read_startup(Session *s);
SessionStatus session_attach_backend(Session *s);
/* Milliseconds left of authentication_timeout, -1 for none. */
int			session_auth_remaining(void);

/* auth_relay.c: relay the backend's authentication of a new connection. */
SessionStatus session_relay_auth(Session *s, PoolSlot *slot, int node);

/* relay.c */
SessionStatus session_relay(Session *s);

/*
 * Poll timeout for client_idle_limit: -1 while a request is in flight;
 * while idle, the time left until the limit, counted from when the session
 * became idle (*idle_since, ms; 0 = not idle), so signals do not restart it.
 */
int			idle_timeout_ms(bool idle, int64_t *idle_since);
/* True if the session's backend connections may go back to the pool. */
bool		session_can_pool(const Session *s);

/* reset.c: run reset_query_list on a slot's backends; false if it must be closed. */
bool		session_reset_backends(PoolSlot *slot, const char *reset_query_list);

/* cancel.c: forward a CancelRequest to the backends of the session owning the key. */
void		cancel_forward(int32_t pid, int32_t key);

/* The session being served (for signal handlers and the ps title), or NULL. */
extern Session *current_session;

/* Set by the child's signal handlers: fast shutdown. */
extern volatile int session_interrupt;

/* Set by SIGUSR1: the node table changed (failover, detach, attach). */
extern volatile int session_nodes_changed;

/*
 * What the session asks of higher layers, set by the child process at start
 * (so the session never includes them): the failover queue and online
 * recovery's gate.  NULL members mean "no such thing".
 */
typedef struct SessionHooks
{
	void		(*request_detach) (int node);	/* ask the parent to detach a node */
	bool		(*gate_closed) (void);	/* new transactions must wait */
	void		(*gate_wait) (void);	/* wait until they may start */
	int			(*idle_limit_ms) (int64_t idle_since_ms);	/* client_idle_limit_in_recovery: -1 none */
	void		(*settings_changed) (void);	/* PGPOOL SET changed a parameter: apply log settings */
} SessionHooks;

extern SessionHooks session_hooks;

/*
 * A client message is about to start a transaction (the session was idle):
 * publish the child as active and wait while online recovery holds new
 * transactions.  True if it waited (nodes may have joined meanwhile).
 */
bool		session_before_work(void);

/* Is the idle limit that ended a wait online recovery's? (for the message) */
bool		session_idle_limit_is_recovery(int64_t idle_since);

#endif
