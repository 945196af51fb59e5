/*
 * pq_decode.c: decoding side of the PostgreSQL protocol 3.0 codec.
 *
 * Used by every process that reads the wire protocol.  No I/O and no
 * allocation: the caller hands in one message body it already received,
 * and every string returned points into that body, so results live exactly
 * as long as the caller's buffer.  Encoding lives in pq_message.c.
 *
 * Interface routines:
 *	pq_reader_init / pq_get_*	bounds-checked reader over one message body
 *	pq_parse_startup	startup, cancel, SSL and GSSENC request packets
 *	pq_parse_error		fields of ErrorResponse / NoticeResponse
 *	pq_*_type_name		message type names for log lines
 */
#include "protocol/pq_message.h"

#include <string.h>

static const char *const pq_err_bad_length = "invalid length of startup packet";
static const char *const pq_err_layout =
	"invalid startup packet layout: expected terminator as last byte";
static const char *const pq_err_too_many = "too many parameters in startup packet";

/* Shared by both name tables so pq_is_frontend_type can compare pointers */
static const char pq_unknown_type[] = "unknown";

/* ---- reader --------------------------------------------------------------- */

/* Read the body data[0..len); the reader never looks outside it. */
void
pq_reader_init(PqReader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->error = false;
}

/*
 * Claim n bytes at the current position, or flag the error.  The error is
 * sticky, so a caller may do a series of reads and check once at the end
 * without later reads returning fields from the wrong offset.
 */
static const uint8_t *
pq_reader_take(PqReader *r, size_t n)
{
	const uint8_t *p;

	if (r->error || n > r->len - r->pos)
	{
		r->error = true;
		return NULL;
	}
	p = (const uint8_t *) r->data + r->pos;
	r->pos += n;
	return p;
}

/* One byte, or 0 and error. */
uint8_t
pq_get_byte(PqReader *r)
{
	const uint8_t *p = pq_reader_take(r, 1);

	return p ? p[0] : 0;
}

/* A big-endian int16, or 0 and error. */
int16_t
pq_get_int16(PqReader *r)
{
	const uint8_t *p = pq_reader_take(r, 2);

	if (p == NULL)
		return 0;
	return (int16_t) (uint16_t) (((uint16_t) p[0] << 8) | p[1]);
}

/* A big-endian int32, or 0 and error. */
int32_t
pq_get_int32(PqReader *r)
{
	const uint8_t *p = pq_reader_take(r, 4);

	return p ? pq_peek_int32(p) : 0;
}

/* A NUL-terminated string inside the body, or NULL and error. */
const char *
pq_get_string(PqReader *r)
{
	const char *s;
	const char *nul;

	if (r->error || r->pos == r->len)
	{
		r->error = true;
		return NULL;
	}
	s = r->data + r->pos;
	nul = memchr(s, '\0', r->len - r->pos);
	if (nul == NULL)
	{
		r->error = true;
		return NULL;
	}
	r->pos += (size_t) (nul - s) + 1;
	return s;
}

/* n bytes inside the body, or NULL and error. */
const void *
pq_get_bytes(PqReader *r, size_t n)
{
	return pq_reader_take(r, n);
}

/* Bytes not read yet; 0 once an error happened. */
size_t
pq_reader_remaining(const PqReader *r)
{
	return r->error ? 0 : r->len - r->pos;
}

/* Big-endian int32 at p; the caller has checked the bounds. */
int32_t
pq_peek_int32(const void *p)
{
	const uint8_t *u = p;

	return (int32_t) (((uint32_t) u[0] << 24) | ((uint32_t) u[1] << 16) |
					  ((uint32_t) u[2] << 8) | (uint32_t) u[3]);
}

/* ---- startup packet ------------------------------------------------------- */

/*
 * Name/value pairs of a 3.x startup packet, starting after the protocol
 * word.  The list ends with an empty name that must be the packet's last
 * byte; a name whose value is missing cannot end that way, so it gets the
 * same error, as in PostgreSQL.
 */
static bool
pq_parse_startup_params(PqReader *r, PqStartup *out, const char **errmsg)
{
	for (;;)
	{
		const char *name = pq_get_string(r);
		const char *value;

		if (name == NULL)
			break;
		if (name[0] == '\0')
		{
			if (pq_reader_remaining(r) != 0)
				break;
			return true;
		}
		value = pq_get_string(r);
		if (value == NULL)
			break;
		if (out->nparams >= PQ_MAX_STARTUP_PARAMS)
		{
			*errmsg = pq_err_too_many;
			return false;
		}
		out->names[out->nparams] = name;
		out->values[out->nparams] = value;
		out->nparams++;
	}
	*errmsg = pq_err_layout;
	return false;
}

/*
 * Parse a startup packet body.  Only the framing is judged here; whether a
 * code or protocol version is acceptable is the caller's decision.
 */
bool
pq_parse_startup(const char *body, size_t len, PqStartup *out, const char **errmsg)
{
	PqReader	r;

	memset(out, 0, sizeof(*out));
	*errmsg = NULL;
	if (len < 4 || len > PQ_MAX_STARTUP_PACKET)
	{
		*errmsg = pq_err_bad_length;
		return false;
	}
	pq_reader_init(&r, body, len);
	out->code = pq_get_int32(&r);

	if (out->code == PQ_CANCEL_REQUEST_CODE)
	{
		if (len != 12)
		{
			*errmsg = pq_err_bad_length;
			return false;
		}
		out->cancel_pid = pq_get_int32(&r);
		out->cancel_key = pq_get_int32(&r);
		return true;
	}
	if (out->code == PQ_SSL_REQUEST_CODE || out->code == PQ_GSSENC_REQUEST_CODE)
		return true;
	if (PQ_PROTOCOL_MAJOR((uint32_t) out->code) != 3)
		return true;

	if (!pq_parse_startup_params(&r, out, errmsg))
		return false;

	out->user = pq_startup_get(out, "user");
	out->database = pq_startup_get(out, "database");
	if (out->database == NULL || out->database[0] == '\0')
		out->database = out->user;
	out->application_name = pq_startup_get(out, "application_name");
	return true;
}

/* Value of a startup parameter; the last one wins if a name repeats. */
const char *
pq_startup_get(const PqStartup *s, const char *name)
{
	int			i;

	for (i = s->nparams - 1; i >= 0; i--)
	{
		if (strcmp(s->names[i], name) == 0)
			return s->values[i];
	}
	return NULL;
}

/* ---- ErrorResponse / NoticeResponse --------------------------------------- */

/*
 * Collect the fields pgpool reports or relays.  Unknown field codes are
 * skipped, as the protocol asks; the body must end right after the 0 byte.
 */
bool
pq_parse_error(const char *body, size_t len, PqErrorFields *out)
{
	PqReader	r;
	const char *localized = NULL;

	memset(out, 0, sizeof(*out));
	pq_reader_init(&r, body, len);
	for (;;)
	{
		uint8_t		code = pq_get_byte(&r);
		const char *value;

		if (r.error)
			return false;
		if (code == 0)
			break;
		value = pq_get_string(&r);
		if (value == NULL)
			return false;
		switch (code)
		{
			case 'S':
				localized = value;
				break;
			case 'V':
				out->severity = value;
				break;
			case 'C':
				out->sqlstate = value;
				break;
			case 'M':
				out->message = value;
				break;
			case 'D':
				out->detail = value;
				break;
			case 'H':
				out->hint = value;
				break;
			default:
				break;
		}
	}
	if (out->severity == NULL)
		out->severity = localized;
	return pq_reader_remaining(&r) == 0;
}

/* ---- message type names --------------------------------------------------- */

/* True for the message types a client may send after startup. */
bool
pq_is_frontend_type(char type)
{
	return pq_frontend_type_name(type) != pq_unknown_type;
}

/* Frontend message names, as the protocol documentation spells them. */
const char *
pq_frontend_type_name(char type)
{
	switch (type)
	{
		case PQ_FE_BIND:			return "Bind";
		case PQ_FE_CLOSE:			return "Close";
		case PQ_FE_COPY_DATA:		return "CopyData";
		case PQ_FE_COPY_DONE:		return "CopyDone";
		case PQ_FE_COPY_FAIL:		return "CopyFail";
		case PQ_FE_DESCRIBE:		return "Describe";
		case PQ_FE_EXECUTE:			return "Execute";
		case PQ_FE_FLUSH:			return "Flush";
		case PQ_FE_FUNCTION_CALL:	return "FunctionCall";
		case PQ_FE_PARSE:			return "Parse";
		case PQ_FE_PASSWORD:		return "PasswordMessage";
		case PQ_FE_QUERY:			return "Query";
		case PQ_FE_SYNC:			return "Sync";
		case PQ_FE_TERMINATE:		return "Terminate";
		default:					return pq_unknown_type;
	}
}

/* Backend message names, as the protocol documentation spells them. */
const char *
pq_backend_type_name(char type)
{
	switch (type)
	{
		case PQ_BE_AUTHENTICATION:		return "Authentication";
		case PQ_BE_BACKEND_KEY_DATA:	return "BackendKeyData";
		case PQ_BE_BIND_COMPLETE:		return "BindComplete";
		case PQ_BE_CLOSE_COMPLETE:		return "CloseComplete";
		case PQ_BE_COMMAND_COMPLETE:	return "CommandComplete";
		case PQ_BE_COPY_DATA:			return "CopyData";
		case PQ_BE_COPY_DONE:			return "CopyDone";
		case PQ_BE_COPY_IN_RESPONSE:	return "CopyInResponse";
		case PQ_BE_COPY_OUT_RESPONSE:	return "CopyOutResponse";
		case PQ_BE_COPY_BOTH_RESPONSE:	return "CopyBothResponse";
		case PQ_BE_DATA_ROW:			return "DataRow";
		case PQ_BE_EMPTY_QUERY:			return "EmptyQueryResponse";
		case PQ_BE_ERROR_RESPONSE:		return "ErrorResponse";
		case PQ_BE_FUNCTION_RESULT:		return "FunctionCallResponse";
		case PQ_BE_NEGOTIATE_VERSION:	return "NegotiateProtocolVersion";
		case PQ_BE_NO_DATA:				return "NoData";
		case PQ_BE_NOTICE_RESPONSE:		return "NoticeResponse";
		case PQ_BE_NOTIFICATION:		return "NotificationResponse";
		case PQ_BE_PARAMETER_DESCRIPTION: return "ParameterDescription";
		case PQ_BE_PARAMETER_STATUS:	return "ParameterStatus";
		case PQ_BE_PARSE_COMPLETE:		return "ParseComplete";
		case PQ_BE_PORTAL_SUSPENDED:	return "PortalSuspended";
		case PQ_BE_READY_FOR_QUERY:		return "ReadyForQuery";
		case PQ_BE_ROW_DESCRIPTION:		return "RowDescription";
		default:						return pq_unknown_type;
	}
}
