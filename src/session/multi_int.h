/*
 * multi_int.h: functions shared by the files of the multi-node session.
 */
#ifndef PGPOOL_SESSION_MULTI_INT_H
#define PGPOOL_SESSION_MULTI_INT_H

#include "session/multi.h"

/* Route one whole client message; false means "no room now, try again later". */
bool		multi_route_client_message(Session *s, char type, const char *msg, size_t len);

/* What to do with the lead's reply once every node has answered. */
typedef enum ReplyAction
{
	REPLY_FORWARD = 0,			/* the answers agree (or only a warning was due): forward it */
	REPLY_REPLACED,				/* an error went to the client instead */
	REPLY_END_SESSION,			/* the client was told; the session ends */
	REPLY_CLIENT_GONE			/* the client could not be written to */
} ReplyAction;

/* Compare the answers of every node that ran e (multi_verify.c). */
ReplyAction multi_check_replies(Session *s, RelayEntry *e, const char *reply, size_t end);

/* Consume what node n has buffered, as far as the reply queue allows. */
SessionStatus multi_process_node(Session *s, int n, bool *progress);

#endif
