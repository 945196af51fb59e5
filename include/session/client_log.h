/*
 * client_log.h: log_client_messages, one LOG line per message a client
 * sends, in pgpool-II's wording ("Parse message from frontend." with the
 * statement and query in DETAIL, ...).  Runs in a child process.
 */
#ifndef PGPOOL_SESSION_CLIENT_LOG_H
#define PGPOOL_SESSION_CLIENT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/*
 * A frontend message of type whose body's first avail bytes are at body
 * (avail may be less than the body when it is streamed).  Only logs if
 * log_client_messages is on.
 */
void		client_log_message_at(char type, const char *body, size_t avail);

static inline void
client_log_message(char type, const char *body, size_t avail)
{
	if (pool_config->log_client_messages)
		client_log_message_at(type, body, avail);
}

/* A CancelRequest for backend process pid. */
void		client_log_cancel(int32_t pid);

#endif
