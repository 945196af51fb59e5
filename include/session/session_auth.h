/*
 * session_auth.h: how a session authenticates its client and logs in to
 * its backends.
 *
 * Frontend and backend authentication are independent.  The client proves
 * its identity to pgpool by the method of its pool_hba.conf rule (or, with
 * enable_pool_hba off, by the method the main backend asks for, checked
 * against pool_passwd when the user has an entry, else relayed to that
 * backend).  pgpool then answers each backend's own request with pool_passwd
 * or with the clear-text password the client sent.
 *
 * A pooled backend connection goes only to a client that authenticated as
 * its user in its own session and, when the backends took the client's
 * clear-text password, sent the same one.  Everything here runs in a child,
 * once per session (never on the per-query path).
 */
#ifndef PGPOOL_SESSION_SESSION_AUTH_H
#define PGPOOL_SESSION_SESSION_AUTH_H

#include <stdbool.h>

#include "auth/auth_hba.h"
#include "auth/auth_passwd.h"
#include "auth/auth_scram.h"
#include "session/session.h"

/* What the client proved in this session, and what the backends may use. */
typedef struct SessionCreds
{
	const PasswdEntry *entry;	/* the user's pool_passwd entry, or NULL */
	char	   *cleartext;		/* password the client sent in clear text, or NULL */
	bool		verified;		/* pgpool itself established the client's identity */
	bool		used_cleartext; /* a backend was given the client's clear text */
	int			hba_line;		/* pool_hba.conf line that matched, 0 if none */
	/* after SCRAM against a SCRAM entry: the ClientKey the client proved */
	bool		have_scram_key;
	ScramSecret scram_secret;
	uint8_t		scram_client_key[SCRAM_KEY_LEN];
} SessionCreds;

/* Mark for "no frontend method of our own: relay the main backend's exchange". */
#define SESSION_AUTH_RELAY	(-1)

/* ---- auth_client.c: pgpool authenticates the client ---- */

/* Start a session's credentials (looks up pool_passwd). */
void		session_creds_init(SessionCreds *cr, const char *user);

/* Wipe and free what the credentials hold. */
void		session_creds_clear(SessionCreds *cr);

/* The first matching pool_hba rule; sends the client the refusal otherwise. */
SessionStatus session_auth_match_hba(Session *s, const HbaRule **rule);

/*
 * Run a frontend method (an HbaMethod) with the client.  pamservice: the
 * rule's PAM service or NULL.  On failure the client was told why.
 */
SessionStatus session_auth_client(Session *s, int method, const char *pamservice,
								  SessionCreds *cr);

/*
 * The md5 challenge of a pooled connection whose first client answered the
 * backend's own md5 challenge (relayed): the client must answer the same
 * salt with the same response.
 */
SessionStatus session_auth_client_md5_replay(Session *s, const PoolSlot *slot, SessionCreds *cr);

/* Log the failure and send PostgreSQL's message for the method; returns SESSION_AUTH_FAILED. */
SessionStatus session_auth_failed(Session *s, int method, const char *log_detail);

/* Read the client's next authentication message ('p'); what: "password", "SASL". */
SessionStatus session_auth_read_response(Session *s, PqMsg *msg, const char *what);

/* auth_scram.c: SCRAM-SHA-256 with the client. */
SessionStatus session_auth_client_scram(Session *s, SessionCreds *cr);

/* ---- auth_backend.c: pgpool logs in to a backend ---- */

/* Negotiate TLS with a freshly connected backend when ssl = on. */
SessionStatus session_backend_tls(Session *s, int node, PqConn *b);

/*
 * Send the startup packet (unless first is given: the backend's first
 * reply, already read) and log in, answering its requests with cr.  The
 * main node's ParameterStatus messages go into the slot; its errors and
 * notices go to the client.  On success the backend is connected.
 */
SessionStatus session_backend_login(Session *s, PoolSlot *slot, int node, SessionCreds *cr,
									const PqMsg *first);

/*
 * Log in to another node of the session (connected socket in
 * slot->backends[node].conn): TLS, startup, authentication with the user's
 * pool_passwd entry or the slot's clear-text password.  Nothing is sent to
 * the client; false with *why on failure.
 */
bool		session_backend_login_node(Session *s, int node, const char **why);

/* auth_relay.c: relay the main backend's exchange to the client (first: already read). */
SessionStatus session_relay_auth_from(Session *s, PoolSlot *slot, int node, const PqMsg *first);

/* attach.c: the credentials of the session being set up in this child, or NULL. */
SessionCreds *session_current_creds(void);

/* attach.c: what the main backend first asked of a slot (PQ_AUTH_*), for pooled reuse. */
int			session_slot_asked(const PoolSlot *slot);
void		session_slot_set_asked(const PoolSlot *slot, int code);

#endif
