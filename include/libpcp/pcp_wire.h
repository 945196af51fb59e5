/*
 * pcp_wire.h: the PCP protocol as pure encode/decode functions (no I/O),
 * and the command table.  Shared by the server (pgpool's pcp processes)
 * and the client library; not part of the installed API.
 *
 * A packet is a type byte, an int32 length (big-endian, counting itself
 * but not the type byte), then NUL-terminated text fields.  A conversation:
 *
 *   server -> 'R' salt request   fields: protocol version, salt (32 hex digits)
 *   client -> 'A' authenticate   fields: user, md5hex(md5hex(password) + salt)
 *   server -> 'K' accepted, or 'E' error and close
 *   client -> 'Q' request        fields: command name, arguments...
 *   server -> 'D' row*           fields: one result row
 *             'C' complete       fields: command name
 *          or 'E' error          fields: error name ("BACKENDERR"), message, detail
 *   client -> 'X' goodbye
 *
 * Anything else, a malformed or oversized packet, or a request before
 * authentication makes the server close the connection.
 */
#ifndef PGPOOL_LIBPCP_PCP_WIRE_H
#define PGPOOL_LIBPCP_PCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpcp/pcp.h"

#define PCP_PROTOCOL_VERSION "1"

/* Packet types */
#define PCP_MSG_SALT		'R'		/* server: authenticate with this salt */
#define PCP_MSG_AUTH		'A'		/* client: user and salted hash */
#define PCP_MSG_AUTH_OK		'K'		/* server: authenticated */
#define PCP_MSG_REQUEST		'Q'		/* client: run a command */
#define PCP_MSG_ROW			'D'		/* server: one result row */
#define PCP_MSG_COMPLETE	'C'		/* server: command done */
#define PCP_MSG_ERROR		'E'		/* server: command or session failed */
#define PCP_MSG_TERMINATE	'X'		/* client: goodbye */

#define PCP_HEADER_LEN		5
#define PCP_MAX_FIELDS		64
#define PCP_MAX_REQUEST_BODY 8192	/* what the server accepts */
#define PCP_MAX_REPLY_BODY	(1024 * 1024)	/* what the client accepts */
#define PCP_SALT_LEN		32		/* hex digits */
#define PCP_MD5_HEX_LEN		32

/* ---- commands ------------------------------------------------------------ */

/* Option bits a tool accepts besides the common ones (see pcp_commands.def). */
#define PCP_TOOL_ALL		0x01	/* -a, --all */
#define PCP_TOOL_GRACEFUL	0x02	/* -g, --gracefully */
#define PCP_TOOL_SWITCHOVER	0x04	/* -s, --switchover */
#define PCP_TOOL_SCOPE		0x08	/* -s, --scope=c|l */

typedef enum PcpArgKind
{
	PCP_ARG_NONE = 0,
	PCP_ARG_NODE,				/* a backend node id */
	PCP_ARG_PID,				/* a child process id */
	PCP_ARG_MODE,				/* shutdown mode s|f|i */
	PCP_ARG_WD					/* optional watchdog node index (0: this pgpool) */
} PcpArgKind;

typedef enum PcpCommandId
{
#define PCP_COMMAND(id, name, tool, arg, flags) PCP_CMD_##id,
#include "libpcp/pcp_commands.def"
#undef PCP_COMMAND
	PCP_CMD_COUNT
} PcpCommandId;

typedef struct PcpCommandInfo
{
	PcpCommandId id;
	const char *name;			/* on the wire */
	const char *tool;			/* "pcp_node_info" */
	PcpArgKind	arg;
	int			tool_flags;		/* PCP_TOOL_* */
} PcpCommandInfo;

const PcpCommandInfo *pcp_command_info(PcpCommandId id);
/* By wire name or tool name; NULL if unknown. */
const PcpCommandInfo *pcp_command_by_name(const char *name);
const PcpCommandInfo *pcp_command_by_tool(const char *tool);

/*
 * Result rows, field by field.  node_count: one row (count); proc_count:
 * one row per child (pid); pool_status: one row per parameter (name, value,
 * description); the others below.  Times are seconds since the epoch, 0
 * when unknown.
 */
typedef enum PcpNodeInfoField
{
	PCP_NI_ID = 0, PCP_NI_HOST, PCP_NI_PORT, PCP_NI_STATUS, PCP_NI_WEIGHT,
	PCP_NI_STATUS_NAME, PCP_NI_PG_STATUS, PCP_NI_ROLE, PCP_NI_PG_ROLE, PCP_NI_DELAY,
	PCP_NI_REP_STATE, PCP_NI_SYNC_STATE, PCP_NI_LAST_CHANGE, PCP_NI_NFIELDS
} PcpNodeInfoField;

typedef enum PcpProcInfoField
{
	PCP_PI_DATABASE = 0, PCP_PI_USER, PCP_PI_START, PCP_PI_CLIENT_COUNT, PCP_PI_MAJOR,
	PCP_PI_MINOR, PCP_PI_BACKEND_TIME, PCP_PI_CLIENT_TIME, PCP_PI_IDLE, PCP_PI_DISCONNECT_TIME,
	PCP_PI_POOL_COUNTER, PCP_PI_BACKEND_PID, PCP_PI_CONNECTED, PCP_PI_PID, PCP_PI_BACKEND_ID,
	PCP_PI_STATUS, PCP_PI_NFIELDS
} PcpProcInfoField;

typedef enum PcpHealthField
{
	PCP_HC_ID = 0, PCP_HC_HOST, PCP_HC_PORT, PCP_HC_STATUS, PCP_HC_ROLE, PCP_HC_LAST_CHANGE,
	PCP_HC_TOTAL, PCP_HC_SUCCESS, PCP_HC_FAIL, PCP_HC_SKIP, PCP_HC_RETRY, PCP_HC_AVG_RETRY,
	PCP_HC_MAX_RETRY, PCP_HC_MAX_DURATION, PCP_HC_MIN_DURATION, PCP_HC_AVG_DURATION,
	PCP_HC_LAST_CHECK, PCP_HC_LAST_SUCCESS, PCP_HC_LAST_SKIP, PCP_HC_LAST_FAIL, PCP_HC_NFIELDS
} PcpHealthField;

/*
 * watchdog_info: one "cluster" row, then one "node" row per watchdog node
 * (this pgpool first).
 */
typedef enum PcpWdClusterField
{
	PCP_WDC_TAG = 0, PCP_WDC_TOTAL, PCP_WDC_MEMBERS, PCP_WDC_REMOTE, PCP_WDC_MEMBER_REMOTE,
	PCP_WDC_ALIVE_REMOTE, PCP_WDC_QUORUM_REQUIRED, PCP_WDC_QUORUM, PCP_WDC_ESCALATED,
	PCP_WDC_LEADER_NAME, PCP_WDC_LEADER_HOST, PCP_WDC_NFIELDS
} PcpWdClusterField;

typedef enum PcpWdNodeField
{
	PCP_WDN_TAG = 0, PCP_WDN_ID, PCP_WDN_NAME, PCP_WDN_HOST, PCP_WDN_PGPOOL_PORT, PCP_WDN_WD_PORT,
	PCP_WDN_PRIORITY, PCP_WDN_STATE, PCP_WDN_STATE_NAME, PCP_WDN_MEMBERSHIP,
	PCP_WDN_MEMBERSHIP_NAME, PCP_WDN_DELEGATE_IP, PCP_WDN_NFIELDS
} PcpWdNodeField;

/* ---- building packets -------------------------------------------------------- */

typedef struct PcpBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		oom;			/* an allocation failed: contents are incomplete */
} PcpBuf;

void		pcp_buf_init(PcpBuf *b);
void		pcp_buf_free(PcpBuf *b);
void		pcp_buf_reset(PcpBuf *b);

/* Start a packet; returns its offset for pcp_packet_end. */
size_t		pcp_packet_begin(PcpBuf *b, char type);
void		pcp_packet_add(PcpBuf *b, const char *field);
void		pcp_packet_addf(PcpBuf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));
/* Patch the length word of the packet begun at start. */
void		pcp_packet_end(PcpBuf *b, size_t start);

/* A whole packet of n fields in one call. */
void		pcp_packet_build(PcpBuf *b, char type, int n, const char *const *fields);

/* ---- reading packets -------------------------------------------------------- */

typedef struct PcpPacket
{
	char		type;
	int			nfields;
	const char *fields[PCP_MAX_FIELDS];	/* point into the body */
} PcpPacket;

typedef enum PcpWireStatus
{
	PCP_WIRE_OK = 0,
	PCP_WIRE_BAD_LENGTH,		/* announced length below 4 */
	PCP_WIRE_TOO_BIG,			/* announced body over the limit */
	PCP_WIRE_NO_TERMINATOR,		/* body does not end with NUL */
	PCP_WIRE_TOO_MANY_FIELDS
} PcpWireStatus;

/* Check a 5-byte header; sets the type and body length. */
PcpWireStatus pcp_header_parse(const char *hdr, size_t max_body, char *type, size_t *body_len);

/* Split a body into fields (pointers into body, which must stay alive). */
PcpWireStatus pcp_packet_parse(char type, const char *body, size_t len, PcpPacket *out);

const char *pcp_wire_status_text(PcpWireStatus st);

/* Field i of p, or "" when absent. */
const char *pcp_packet_field(const PcpPacket *p, int i);

/* ---- authentication ------------------------------------------------------------- */

/* out = md5hex(md5hex_password + salt); md5hex_password is pcp.conf's form. */
void		pcp_auth_response(const char *md5hex_password, const char *salt, char out[33]);

/* Constant-time comparison of two NUL-terminated strings. */
bool		pcp_secure_equal(const char *a, const char *b);

#endif
