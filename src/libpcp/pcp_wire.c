/*
 * pcp_wire.c: PCP packets as pure encode/decode over memory buffers, the
 * command table, error names and the salted-hash computation.  Used by the
 * client library and by pgpool's PCP worker processes alike.
 */
#include "libpcp/pcp_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- command table --------------------------------------------------------- */

static const PcpCommandInfo commands[] = {
#define PCP_COMMAND(id, name, tool, arg, flags) {PCP_CMD_##id, #name, tool, PCP_ARG_##arg, flags},
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND
};

const PcpCommandInfo *
pcp_command_info(PcpCommandId id)
{
	if ((int) id < 0 || id >= PCP_CMD_COUNT)
		return NULL;
	return &commands[id];
}

const PcpCommandInfo *
pcp_command_by_name(const char *name)
{
	for (int i = 0; i < PCP_CMD_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

const PcpCommandInfo *
pcp_command_by_tool(const char *tool)
{
	for (int i = 0; i < PCP_CMD_COUNT; i++)
		if (strcmp(commands[i].tool, tool) == 0)
			return &commands[i];
	return NULL;
}

/* ---- error names ------------------------------------------------------------- */

static const struct
{
	const char *name;
	const char *cls;
} error_names[] = {
	[PCP_OK] = {"OK", "Success"},
	[PCP_ERR_UNKNOWN] = {"UNKNOWNERR", "UnknownError"},
	[PCP_ERR_EOF] = {"EOFERR", "EOFError"},
	[PCP_ERR_NOMEM] = {"NOMEMERR", "NoMemoryError"},
	[PCP_ERR_READ] = {"READERR", "ReadError"},
	[PCP_ERR_WRITE] = {"WRITEERR", "WriteError"},
	[PCP_ERR_TIMEOUT] = {"TIMEOUTERR", "TimeoutError"},
	[PCP_ERR_INVAL] = {"INVALERR", "InvalidArgumentError"},
	[PCP_ERR_CONN] = {"CONNERR", "ConnectionError"},
	[PCP_ERR_NOCONN] = {"NOCONNERR", "NoConnectionError"},
	[PCP_ERR_SOCK] = {"SOCKERR", "SocketError"},
	[PCP_ERR_HOST] = {"HOSTERR", "HostError"},
	[PCP_ERR_BACKEND] = {"BACKENDERR", "BackendError"},
	[PCP_ERR_AUTH] = {"AUTHERR", "AuthorizationError"},
};

const char *
pcp_error_name(PcpErrorCode code)
{
	if ((int) code < 0 || code > PCP_ERR_MAX)
		code = PCP_ERR_UNKNOWN;
	return error_names[code].name;
}

const char *
pcp_error_class(PcpErrorCode code)
{
	if ((int) code < 0 || code > PCP_ERR_MAX)
		code = PCP_ERR_UNKNOWN;
	return error_names[code].cls;
}

PcpErrorCode
pcp_error_from_name(const char *name)
{
	for (int i = PCP_ERR_UNKNOWN; i <= PCP_ERR_MAX; i++)
		if (name && strcmp(error_names[i].name, name) == 0)
			return (PcpErrorCode) i;
	return PCP_ERR_UNKNOWN;
}

/* ---- buffers ------------------------------------------------------------------ */

void
pcp_buf_init(PcpBuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
pcp_buf_free(PcpBuf *b)
{
	free(b->data);
	pcp_buf_init(b);
}

void
pcp_buf_reset(PcpBuf *b)
{
	b->len = 0;
	b->oom = false;
}

/* Make room for extra bytes; on failure mark the buffer and return false. */
static bool
buf_reserve(PcpBuf *b, size_t extra)
{
	size_t		cap;
	char	   *p;

	if (b->oom)
		return false;
	if (b->len + extra <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
	{
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void
buf_put(PcpBuf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

size_t
pcp_packet_begin(PcpBuf *b, char type)
{
	size_t		start = b->len;
	char		hdr[PCP_HEADER_LEN] = {type, 0, 0, 0, 0};

	buf_put(b, hdr, sizeof(hdr));
	return start;
}

void
pcp_packet_add(PcpBuf *b, const char *field)
{
	if (field == NULL)
		field = "";
	buf_put(b, field, strlen(field) + 1);
}

void
pcp_packet_addf(PcpBuf *b, const char *fmt,...)
{
	char		small[256];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t) n < sizeof(small))
	{
		buf_put(b, small, (size_t) n + 1);
		return;
	}
	if (!buf_reserve(b, (size_t) n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n + 1;
}

void
pcp_packet_end(PcpBuf *b, size_t start)
{
	uint32_t	len;

	if (b->oom || b->len < start + PCP_HEADER_LEN)
		return;
	len = (uint32_t) (b->len - start - 1);
	b->data[start + 1] = (char) (len >> 24);
	b->data[start + 2] = (char) (len >> 16);
	b->data[start + 3] = (char) (len >> 8);
	b->data[start + 4] = (char) len;
}

void
pcp_packet_build(PcpBuf *b, char type, int n, const char *const *fields)
{
	size_t		start = pcp_packet_begin(b, type);

	for (int i = 0; i < n; i++)
		pcp_packet_add(b, fields[i]);
	pcp_packet_end(b, start);
}

/* ---- parsing ------------------------------------------------------------------- */

PcpWireStatus
pcp_header_parse(const char *hdr, size_t max_body, char *type, size_t *body_len)
{
	const unsigned char *u = (const unsigned char *) hdr;
	uint32_t	len = ((uint32_t) u[1] << 24) | ((uint32_t) u[2] << 16) |
		((uint32_t) u[3] << 8) | (uint32_t) u[4];

	*type = hdr[0];
	if (len < 4)
		return PCP_WIRE_BAD_LENGTH;
	if (len - 4 > max_body)
		return PCP_WIRE_TOO_BIG;
	*body_len = len - 4;
	return PCP_WIRE_OK;
}

PcpWireStatus
pcp_packet_parse(char type, const char *body, size_t len, PcpPacket *out)
{
	size_t		pos = 0;

	out->type = type;
	out->nfields = 0;
	if (len == 0)
		return PCP_WIRE_OK;
	if (body[len - 1] != '\0')
		return PCP_WIRE_NO_TERMINATOR;
	while (pos < len)
	{
		if (out->nfields == PCP_MAX_FIELDS)
			return PCP_WIRE_TOO_MANY_FIELDS;
		out->fields[out->nfields++] = body + pos;
		pos += strlen(body + pos) + 1;
	}
	return PCP_WIRE_OK;
}

const char *
pcp_wire_status_text(PcpWireStatus st)
{
	switch (st)
	{
		case PCP_WIRE_OK:
			return "ok";
		case PCP_WIRE_BAD_LENGTH:
			return "invalid packet length";
		case PCP_WIRE_TOO_BIG:
			return "packet too large";
		case PCP_WIRE_NO_TERMINATOR:
			return "packet does not end with a terminator";
		case PCP_WIRE_TOO_MANY_FIELDS:
			return "too many fields in packet";
	}
	return "unknown";
}

const char *
pcp_packet_field(const PcpPacket *p, int i)
{
	return (i >= 0 && i < p->nfields) ? p->fields[i] : "";
}

/* ---- authentication ------------------------------------------------------------- */

void
pcp_auth_response(const char *md5hex_password, const char *salt, char out[33])
{
	char		buf[PCP_MD5_HEX_LEN + PCP_SALT_LEN + 1];

	snprintf(buf, sizeof(buf), "%.32s%.32s", md5hex_password, salt);
	pcp_md5_hex(buf, strlen(buf), out);
}

bool
pcp_secure_equal(const char *a, const char *b)
{
	size_t		la = strlen(a), lb = strlen(b);
	unsigned	diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned) (a[i] ^ b[i]);
	return diff == 0;
}
