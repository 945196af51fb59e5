/*
 * pcp_int.h: the PCP server's internals: one worker's session, reply
 * helpers, the command handlers (one per row of pcp_commands.def) and
 * pcp.conf.
 */
#ifndef PGPOOL_PCP_PCP_INT_H
#define PGPOOL_PCP_PCP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "libpcp/pcp_wire.h"
#include "pcp/pcp_server.h"
#include "protocol/pq_conn.h"

typedef struct PcpSession
{
	PqConn		conn;
	PcpBuf		out;			/* the reply being built */
	const PcpServerEnv *env;
	char		user[64];		/* authenticated user */
	int			signal_parent;	/* send this to the parent once the reply is out */
} PcpSession;

/* A worker for one client connection (fd non-blocking); never returns. */
void		pcp_worker_main(int fd, const PcpServerEnv *env) __attribute__((noreturn));

/* Append a result row to the reply. */
void		pcp_reply_row(PcpSession *s, int n, const char *const *fields);

/*
 * Replace the reply with an error packet and log it; returns code so a
 * handler can "return pcp_reply_error(...)".  detail may be NULL.
 */
PcpErrorCode pcp_reply_error(PcpSession *s, PcpErrorCode code, const char *detail,
							 const char *fmt,...) __attribute__((format(printf, 4, 5)));

/* Parse a decimal integer argument; false if it is not one. */
bool		pcp_parse_int(const char *s, int *out);

/* A valid backend node id, or a BACKENDERR reply; returns PCP_OK or the error. */
PcpErrorCode pcp_check_node(PcpSession *s, const char *arg, int *node_id);

/* Handlers: argv are the request's arguments (argc of them, already bounded). */
typedef PcpErrorCode (*PcpHandler) (PcpSession *s, int argc, const char *const *argv);

#define PCP_COMMAND(id, name, tool, arg, flags) \
	PcpErrorCode pcp_do_##name(PcpSession *s, int argc, const char *const *argv);
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND

/* ---- pcp.conf ---------------------------------------------------------------- */

/*
 * Split a pcp.conf line "user:md5hex" in place.  Returns false for
 * comments, blank lines and malformed lines (*user is NULL then, except for
 * a malformed line, where *user is the line for the message).
 */
bool		pcp_conf_parse_line(char *line, char **user, char **md5hex);

/*
 * Find user's hash in the pcp.conf text (lower-cased into out).  Returns
 * false if the user is absent; a malformed line is reported in *bad_line.
 */
bool		pcp_conf_find(const char *text, const char *user, char out[33], int *bad_line);

/*
 * Check a client's answer to salt for user against the pcp.conf at path.
 * false with a reason in why (for the log, never the client).
 */
bool		pcp_auth_check(const char *path, const char *user, const char *salt,
						   const char *response, char *why, size_t whylen);

/* A fresh random salt of PCP_SALT_LEN hex digits. */
void		pcp_make_salt(char out[PCP_SALT_LEN + 1]);

#endif
