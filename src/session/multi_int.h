/*
 * multi_int.h: functions shared by the files of the multi-node session.
 */
#ifndef PGPOOL_SESSION_MULTI_INT_H
#define PGPOOL_SESSION_MULTI_INT_H

#include "session/multi.h"

/* Route one whole client message; false means "no room now, try again later". */
bool		multi_route_client_message(Session *s, char type, const char *msg, size_t len);

/* Consume what node n has buffered, as far as the reply queue allows. */
SessionStatus multi_process_node(Session *s, int n, bool *progress);

#endif
