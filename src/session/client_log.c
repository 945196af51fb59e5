/*
 * client_log.c: log_client_messages.
 *
 * Each frontend message becomes one LOG line in pgpool-II's wording, the
 * names it carries in DETAIL; CopyData lines count the messages of the
 * current COPY.  Strings the message truncates (a streamed body) print as
 * empty.  Runs in a child process.
 */
#include "session/client_log.h"

#include "protocol/pq_message.h"
#include "utils/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	copy_count;

/* The NUL-terminated string at *pos in body[0..len), or "" if it does not end there. */
static const char *
next_string(const char *body, size_t len, size_t *pos)
{
	const char *s;
	size_t		n;

	if (body == NULL || *pos >= len)
		return "";
	s = body + *pos;
	n = strnlen(s, len - *pos);
	if (*pos + n >= len)
	{
		*pos = len;
		return "";
	}
	*pos += n + 1;
	return s;
}

/* LOG message with a DETAIL of any length (queries are not cut). */
static void __attribute__((format(printf, 2, 3)))
log_detail(const char *message, const char *fmt,...)
{
	va_list		ap;
	char	   *detail = NULL;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	plog_ex(PL_LOG, detail, NULL, "%s", message);
	free(detail);
}

static void
log_described(const char *what, const char *body, size_t len)
{
	size_t		pos = 1;
	const char *kind = len > 0 && body[0] == 'S' ? "statement" : "portal";
	const char *name = next_string(body, len, &pos);
	char		message[64];

	snprintf(message, sizeof(message), "%s message from frontend.", what);
	log_detail(message, "%s: \"%s\"", kind, name);
}

void
client_log_message_at(char type, const char *body, size_t len)
{
	size_t		pos = 0;
	const char *a, *b;

	switch (type)
	{
		case PQ_FE_QUERY:
			a = next_string(body, len, &pos);
			log_detail("Query message from frontend.", "query: \"%s\"", a);
			break;
		case PQ_FE_PARSE:
			a = next_string(body, len, &pos);
			b = next_string(body, len, &pos);
			log_detail("Parse message from frontend.", "statement: \"%s\", query: \"%s\"", a, b);
			break;
		case PQ_FE_BIND:
			a = next_string(body, len, &pos);
			b = next_string(body, len, &pos);
			log_detail("Bind message from frontend.", "portal: \"%s\", statement: \"%s\"", a, b);
			break;
		case PQ_FE_DESCRIBE:
			log_described("Describe", body, len);
			break;
		case PQ_FE_CLOSE:
			log_described("Close", body, len);
			break;
		case PQ_FE_EXECUTE:
			a = next_string(body, len, &pos);
			log_detail("Execute message from frontend.", "portal: \"%s\"", a);
			break;
		case PQ_FE_SYNC:
			plog(PL_LOG, "Sync message from frontend.");
			break;
		case PQ_FE_FLUSH:
			plog(PL_LOG, "Flush message from frontend.");
			break;
		case PQ_FE_TERMINATE:
			plog(PL_LOG, "Terminate message from frontend.");
			break;
		case PQ_FE_FUNCTION_CALL:
			plog(PL_LOG, "FunctionCall message from frontend.");
			break;
		case PQ_FE_COPY_DATA:
			log_detail("CopyData message from frontend.", "count: %d", ++copy_count);
			break;
		case PQ_FE_COPY_DONE:
			copy_count = 0;
			plog(PL_LOG, "CopyDone message from frontend.");
			break;
		case PQ_FE_COPY_FAIL:
			copy_count = 0;
			plog(PL_LOG, "CopyFail message from frontend.");
			break;
		default:
			break;
	}
}

void
client_log_cancel(int32_t pid)
{
	log_detail("Cancel message from frontend.", "process id: %d", (int) pid);
}
