/*
 * pq_message.c: encoding side of the PostgreSQL protocol 3.0 codec.
 *
 * Used by every process that speaks the wire protocol (children talking to
 * clients and backends, health checks, workers).  Nothing here touches a
 * socket or the logger: builders append to a caller-owned PqBuf, which owns
 * its memory until pqbuf_free.  Decoding lives in pq_decode.c.
 *
 * Interface routines:
 *	pqbuf_*				growable output buffer, big-endian integer writers
 *	pq_begin_message / pq_end_message	framing with a patched length word
 *	pq_put_*			one builder per message type pgpool sends itself
 */
#include "protocol/pq_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PQBUF_INITIAL_SIZE	256

/* Column attributes of the all-text result sets pgpool builds itself */
#define PQ_TEXT_TYPE_OID	25
#define PQ_FORMAT_TEXT		0

/* ---- output buffer -------------------------------------------------------- */

/* Start with no memory: the first write allocates. */
void
pqbuf_init(PqBuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Release the memory; the buffer is left empty and can be reused. */
void
pqbuf_free(PqBuf *b)
{
	free(b->data);
	pqbuf_init(b);
}

/* Empty the buffer but keep its memory for the next message. */
void
pqbuf_reset(PqBuf *b)
{
	b->len = 0;
}

/*
 * Make room for extra more bytes.  Growth doubles so that appending n bytes
 * one at a time costs O(n).  Running out of memory aborts: children are
 * crash-only and the parent respawns them, which is simpler and safer than
 * unwinding a half-built message.
 */
void
pqbuf_reserve(PqBuf *b, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *p;

	if (extra > SIZE_MAX - b->len)
	{
		fprintf(stderr, "pgpool: message buffer size overflow\n");
		abort();
	}
	need = b->len + extra;
	if (need <= b->cap)
		return;

	newcap = b->cap ? b->cap : PQBUF_INITIAL_SIZE;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
		{
			newcap = need;
			break;
		}
		newcap *= 2;
	}

	p = realloc(b->data, newcap);
	if (p == NULL)
	{
		fprintf(stderr, "pgpool: out of memory growing message buffer to %zu bytes\n",
				newcap);
		abort();
	}
	b->data = p;
	b->cap = newcap;
}

/* Append n raw bytes. */
void
pqbuf_put_bytes(PqBuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	pqbuf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Append one byte. */
void
pqbuf_put_byte(PqBuf *b, uint8_t v)
{
	pqbuf_reserve(b, 1);
	b->data[b->len++] = (char) v;
}

/* Append a big-endian int16. */
void
pqbuf_put_int16(PqBuf *b, int16_t v)
{
	uint16_t	u = (uint16_t) v;
	uint8_t		be[2];

	be[0] = (uint8_t) (u >> 8);
	be[1] = (uint8_t) u;
	pqbuf_put_bytes(b, be, sizeof(be));
}

/* Append a big-endian int32. */
void
pqbuf_put_int32(PqBuf *b, int32_t v)
{
	uint32_t	u = (uint32_t) v;
	uint8_t		be[4];

	be[0] = (uint8_t) (u >> 24);
	be[1] = (uint8_t) (u >> 16);
	be[2] = (uint8_t) (u >> 8);
	be[3] = (uint8_t) u;
	pqbuf_put_bytes(b, be, sizeof(be));
}

/* Append a string with its terminating NUL. */
void
pqbuf_put_string(PqBuf *b, const char *s)
{
	pqbuf_put_bytes(b, s, strlen(s) + 1);
}

/* ---- framing -------------------------------------------------------------- */

/*
 * Write the type byte and a placeholder length.  The returned offset is that
 * of the length word, which is also where the counted bytes start.
 */
size_t
pq_begin_message(PqBuf *b, char type)
{
	size_t		start;

	pqbuf_put_byte(b, (uint8_t) type);
	start = b->len;
	pqbuf_put_int32(b, 0);
	return start;
}

/* Patch the length word at start: everything from there to the end. */
void
pq_end_message(PqBuf *b, size_t start)
{
	uint32_t	n = (uint32_t) (b->len - start);
	uint8_t    *p = (uint8_t *) b->data + start;

	p[0] = (uint8_t) (n >> 24);
	p[1] = (uint8_t) (n >> 16);
	p[2] = (uint8_t) (n >> 8);
	p[3] = (uint8_t) n;
}

/* ---- whole messages ------------------------------------------------------- */

/* AuthenticationXXX: the request code, then code-specific bytes (salt, SASL data). */
void
pq_put_auth_request(PqBuf *b, int32_t code, const void *extra, size_t extra_len)
{
	size_t		start = pq_begin_message(b, PQ_BE_AUTHENTICATION);

	pqbuf_put_int32(b, code);
	if (extra_len > 0)
		pqbuf_put_bytes(b, extra, extra_len);
	pq_end_message(b, start);
}

/* ParameterStatus: name and value strings. */
void
pq_put_parameter_status(PqBuf *b, const char *name, const char *value)
{
	size_t		start = pq_begin_message(b, PQ_BE_PARAMETER_STATUS);

	pqbuf_put_string(b, name);
	pqbuf_put_string(b, value);
	pq_end_message(b, start);
}

/* BackendKeyData: the pid and secret key a client later cancels with. */
void
pq_put_backend_key_data(PqBuf *b, int32_t pid, int32_t key)
{
	size_t		start = pq_begin_message(b, PQ_BE_BACKEND_KEY_DATA);

	pqbuf_put_int32(b, pid);
	pqbuf_put_int32(b, key);
	pq_end_message(b, start);
}

/* ReadyForQuery: tx_status is 'I', 'T' or 'E'. */
void
pq_put_ready_for_query(PqBuf *b, char tx_status)
{
	size_t		start = pq_begin_message(b, PQ_BE_READY_FOR_QUERY);

	pqbuf_put_byte(b, (uint8_t) tx_status);
	pq_end_message(b, start);
}

/* CommandComplete with a tag such as "SELECT 3" or "SET". */
void
pq_put_command_complete(PqBuf *b, const char *tag)
{
	size_t		start = pq_begin_message(b, PQ_BE_COMMAND_COMPLETE);

	pqbuf_put_string(b, tag);
	pq_end_message(b, start);
}

/* Simple-protocol Query. */
void
pq_put_query(PqBuf *b, const char *sql)
{
	size_t		start = pq_begin_message(b, PQ_FE_QUERY);

	pqbuf_put_string(b, sql);
	pq_end_message(b, start);
}

/* Terminate: no body. */
void
pq_put_terminate(PqBuf *b)
{
	pq_end_message(b, pq_begin_message(b, PQ_FE_TERMINATE));
}

/*
 * ErrorResponse or NoticeResponse.  S and V carry the same text because
 * pgpool does not translate its messages.
 */
void
pq_put_error(PqBuf *b, char type, const char *severity, const char *sqlstate,
			 const char *message, const char *detail, const char *hint)
{
	size_t		start = pq_begin_message(b, type);

	pqbuf_put_byte(b, 'S');
	pqbuf_put_string(b, severity);
	pqbuf_put_byte(b, 'V');
	pqbuf_put_string(b, severity);
	pqbuf_put_byte(b, 'C');
	pqbuf_put_string(b, sqlstate);
	pqbuf_put_byte(b, 'M');
	pqbuf_put_string(b, message);
	if (detail != NULL)
	{
		pqbuf_put_byte(b, 'D');
		pqbuf_put_string(b, detail);
	}
	if (hint != NULL)
	{
		pqbuf_put_byte(b, 'H');
		pqbuf_put_string(b, hint);
	}
	pqbuf_put_byte(b, 0);
	pq_end_message(b, start);
}

/* StartupMessage: no type byte, so the length word opens the packet. */
void
pq_put_startup(PqBuf *b, int32_t protocol, const char *const *names,
			   const char *const *values, int count)
{
	size_t		start = b->len;
	int			i;

	pqbuf_put_int32(b, 0);
	pqbuf_put_int32(b, protocol);
	for (i = 0; i < count; i++)
	{
		pqbuf_put_string(b, names[i]);
		pqbuf_put_string(b, values[i]);
	}
	pqbuf_put_byte(b, 0);
	pq_end_message(b, start);
}

/* CancelRequest: a fixed 16-byte packet without a type byte. */
void
pq_put_cancel_request(PqBuf *b, int32_t pid, int32_t key)
{
	pqbuf_put_int32(b, 16);
	pqbuf_put_int32(b, PQ_CANCEL_REQUEST_CODE);
	pqbuf_put_int32(b, pid);
	pqbuf_put_int32(b, key);
}

/* PasswordMessage with a cleartext or md5-hashed password. */
void
pq_put_password(PqBuf *b, const char *password)
{
	size_t		start = pq_begin_message(b, PQ_FE_PASSWORD);

	pqbuf_put_string(b, password);
	pq_end_message(b, start);
}

/* RowDescription where every column is unnamed-table text in text format. */
void
pq_put_row_description(PqBuf *b, const char *const *names, int ncols)
{
	size_t		start = pq_begin_message(b, PQ_BE_ROW_DESCRIPTION);
	int			i;

	pqbuf_put_int16(b, (int16_t) ncols);
	for (i = 0; i < ncols; i++)
	{
		pqbuf_put_string(b, names[i]);
		pqbuf_put_int32(b, 0);	/* table oid */
		pqbuf_put_int16(b, 0);	/* column attnum */
		pqbuf_put_int32(b, PQ_TEXT_TYPE_OID);
		pqbuf_put_int16(b, -1); /* typlen: varlena */
		pqbuf_put_int32(b, -1); /* typmod */
		pqbuf_put_int16(b, PQ_FORMAT_TEXT);
	}
	pq_end_message(b, start);
}

/* DataRow of text values; a NULL pointer is sent as SQL NULL (length -1). */
void
pq_put_data_row(PqBuf *b, const char *const *values, int ncols)
{
	size_t		start = pq_begin_message(b, PQ_BE_DATA_ROW);
	int			i;

	pqbuf_put_int16(b, (int16_t) ncols);
	for (i = 0; i < ncols; i++)
	{
		size_t		n;

		if (values[i] == NULL)
		{
			pqbuf_put_int32(b, -1);
			continue;
		}
		n = strlen(values[i]);
		pqbuf_put_int32(b, (int32_t) n);
		pqbuf_put_bytes(b, values[i], n);
	}
	pq_end_message(b, start);
}
