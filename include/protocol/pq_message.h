/*
 * pq_message.h: PostgreSQL protocol 3.0 messages as pure encode/decode
 * functions over memory buffers.  No I/O here: callers own the sockets.
 *
 * Integers on the wire are big-endian.  A regular message is a type byte,
 * an int32 length that counts itself but not the type byte, then the body.
 * The startup packet has no type byte.
 */
#ifndef PGPOOL_PROTOCOL_PQ_MESSAGE_H
#define PGPOOL_PROTOCOL_PQ_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frontend (client -> server) message types */
#define PQ_FE_BIND			'B'
#define PQ_FE_CLOSE			'C'
#define PQ_FE_COPY_DATA		'd'
#define PQ_FE_COPY_DONE		'c'
#define PQ_FE_COPY_FAIL		'f'
#define PQ_FE_DESCRIBE		'D'
#define PQ_FE_EXECUTE		'E'
#define PQ_FE_FLUSH			'H'
#define PQ_FE_FUNCTION_CALL	'F'
#define PQ_FE_PARSE			'P'
#define PQ_FE_PASSWORD		'p'	/* also SASLInitialResponse, SASLResponse, GSSResponse */
#define PQ_FE_QUERY			'Q'
#define PQ_FE_SYNC			'S'
#define PQ_FE_TERMINATE		'X'

/* Backend (server -> client) message types */
#define PQ_BE_AUTHENTICATION	'R'
#define PQ_BE_BACKEND_KEY_DATA	'K'
#define PQ_BE_BIND_COMPLETE		'2'
#define PQ_BE_CLOSE_COMPLETE	'3'
#define PQ_BE_COMMAND_COMPLETE	'C'
#define PQ_BE_COPY_DATA			'd'
#define PQ_BE_COPY_DONE			'c'
#define PQ_BE_COPY_IN_RESPONSE	'G'
#define PQ_BE_COPY_OUT_RESPONSE	'H'
#define PQ_BE_COPY_BOTH_RESPONSE 'W'
#define PQ_BE_DATA_ROW			'D'
#define PQ_BE_EMPTY_QUERY		'I'
#define PQ_BE_ERROR_RESPONSE	'E'
#define PQ_BE_FUNCTION_RESULT	'V'
#define PQ_BE_NEGOTIATE_VERSION	'v'
#define PQ_BE_NO_DATA			'n'
#define PQ_BE_NOTICE_RESPONSE	'N'
#define PQ_BE_NOTIFICATION		'A'
#define PQ_BE_PARAMETER_DESCRIPTION 't'
#define PQ_BE_PARAMETER_STATUS	'S'
#define PQ_BE_PARSE_COMPLETE	'1'
#define PQ_BE_PORTAL_SUSPENDED	's'
#define PQ_BE_READY_FOR_QUERY	'Z'
#define PQ_BE_ROW_DESCRIPTION	'T'

/* Authentication request codes (int32 after 'R') */
#define PQ_AUTH_OK				0
#define PQ_AUTH_KERBEROS_V5		2
#define PQ_AUTH_CLEARTEXT		3
#define PQ_AUTH_MD5				5
#define PQ_AUTH_GSS				7
#define PQ_AUTH_GSS_CONTINUE	8
#define PQ_AUTH_SSPI			9
#define PQ_AUTH_SASL			10
#define PQ_AUTH_SASL_CONTINUE	11
#define PQ_AUTH_SASL_FINAL		12

/* Startup packet codes */
#define PQ_PROTOCOL(major, minor)	(((major) << 16) | (minor))
#define PQ_PROTOCOL_MAJOR(v)		((v) >> 16)
#define PQ_PROTOCOL_MINOR(v)		((v) & 0xffff)
#define PQ_PROTOCOL_3_0				PQ_PROTOCOL(3, 0)
#define PQ_CANCEL_REQUEST_CODE		PQ_PROTOCOL(1234, 5678)
#define PQ_SSL_REQUEST_CODE			PQ_PROTOCOL(1234, 5679)
#define PQ_GSSENC_REQUEST_CODE		PQ_PROTOCOL(1234, 5680)

/* Limits pgpool enforces on what clients send */
#define PQ_MAX_STARTUP_PACKET	10000		/* as PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
#define PQ_MAX_MESSAGE_LENGTH	0x3fffffff	/* 1 GB - 1, PostgreSQL's MaxAllocSize */
#define PQ_MAX_STARTUP_PARAMS	64

/* ---- output: a growable byte buffer ----------------------------------- */

typedef struct PqBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} PqBuf;

void		pqbuf_init(PqBuf *b);
void		pqbuf_free(PqBuf *b);
void		pqbuf_reset(PqBuf *b);		/* len = 0, keeps the memory */
void		pqbuf_reserve(PqBuf *b, size_t extra);	/* aborts the process on OOM */
void		pqbuf_put_bytes(PqBuf *b, const void *p, size_t n);
void		pqbuf_put_byte(PqBuf *b, uint8_t v);
void		pqbuf_put_int16(PqBuf *b, int16_t v);
void		pqbuf_put_int32(PqBuf *b, int32_t v);
void		pqbuf_put_string(PqBuf *b, const char *s);	/* with its NUL */

/* Start a message of the given type; returns the offset to pass to pq_end_message. */
size_t		pq_begin_message(PqBuf *b, char type);
/* Patch the length word of the message begun at offset start. */
void		pq_end_message(PqBuf *b, size_t start);

/* Whole messages */
void		pq_put_auth_request(PqBuf *b, int32_t code, const void *extra, size_t extra_len);
void		pq_put_parameter_status(PqBuf *b, const char *name, const char *value);
void		pq_put_backend_key_data(PqBuf *b, int32_t pid, int32_t key);
void		pq_put_ready_for_query(PqBuf *b, char tx_status);
void		pq_put_command_complete(PqBuf *b, const char *tag);
void		pq_put_query(PqBuf *b, const char *sql);
void		pq_put_terminate(PqBuf *b);

/*
 * ErrorResponse ('E') or NoticeResponse ('N').  severity is "ERROR", "FATAL",
 * "NOTICE"...; sqlstate is five characters; detail and hint may be NULL.
 * Both the localized (S) and non-localized (V) severity fields are written.
 */
void		pq_put_error(PqBuf *b, char type, const char *severity, const char *sqlstate,
						 const char *message, const char *detail, const char *hint);

/* Startup packet (no type byte): protocol version then name/value pairs. */
void		pq_put_startup(PqBuf *b, int32_t protocol, const char *const *names,
						   const char *const *values, int count);
void		pq_put_cancel_request(PqBuf *b, int32_t pid, int32_t key);

/* Password message: 'p' with a NUL-terminated string. */
void		pq_put_password(PqBuf *b, const char *password);

/* Row description / data row helpers for answers pgpool makes itself:
 * every column is text (type oid 25) and format 0. */
void		pq_put_row_description(PqBuf *b, const char *const *names, int ncols);
/* values[i] == NULL sends SQL NULL */
void		pq_put_data_row(PqBuf *b, const char *const *values, int ncols);

/* ---- input: a bounds-checked reader over one message body ------------- */

typedef struct PqReader
{
	const char *data;
	size_t		len;
	size_t		pos;
	bool		error;			/* set by any read past the end */
} PqReader;

void		pq_reader_init(PqReader *r, const void *data, size_t len);
uint8_t		pq_get_byte(PqReader *r);
int16_t		pq_get_int16(PqReader *r);
int32_t		pq_get_int32(PqReader *r);
/* Pointer to a NUL-terminated string inside the buffer; NULL and error if
 * no NUL before the end. */
const char *pq_get_string(PqReader *r);
/* Pointer to n bytes inside the buffer; NULL and error if fewer remain. */
const void *pq_get_bytes(PqReader *r, size_t n);
size_t		pq_reader_remaining(const PqReader *r);

/* Read a big-endian int32 at p (no bounds check). */
int32_t		pq_peek_int32(const void *p);

/* ---- startup packet ---------------------------------------------------- */

typedef struct PqStartup
{
	int32_t		code;			/* protocol version or one of the *_REQUEST_CODEs */
	/* CancelRequest */
	int32_t		cancel_pid;
	int32_t		cancel_key;
	/* protocol 3.0: parameters point into the packet body given to pq_parse_startup */
	int			nparams;
	const char *names[PQ_MAX_STARTUP_PARAMS];
	const char *values[PQ_MAX_STARTUP_PARAMS];
	const char *user;			/* NULL if absent */
	const char *database;		/* defaults to user when absent or empty */
	const char *application_name;	/* NULL if absent */
} PqStartup;

/*
 * Parse a startup packet body (everything after the int32 length; len is
 * that length minus 4).  Returns true on success.  On failure *errmsg is a
 * static string in PostgreSQL's wording ("invalid startup packet layout:
 * expected terminator as last byte", "unsupported frontend protocol ...").
 * Protocol versions other than 3.x and the special request codes are not
 * errors here: the caller decides by code.
 */
bool		pq_parse_startup(const char *body, size_t len, PqStartup *out, const char **errmsg);

/* Value of a startup parameter or NULL. */
const char *pq_startup_get(const PqStartup *s, const char *name);

/* ---- ErrorResponse / NoticeResponse fields ------------------------------ */

typedef struct PqErrorFields
{
	const char *severity;		/* V, else S */
	const char *sqlstate;		/* C */
	const char *message;		/* M */
	const char *detail;			/* D */
	const char *hint;			/* H */
} PqErrorFields;

/* Parse an 'E'/'N' body; missing fields are NULL.  false if malformed. */
bool		pq_parse_error(const char *body, size_t len, PqErrorFields *out);

/* ---- validation --------------------------------------------------------- */

/* True if type is a message type a client may send in protocol 3.0 after
 * startup (B C d c f D E H F P p Q S X). */
bool		pq_is_frontend_type(char type);

/* Name of a frontend/backend message type for log lines ("Query", "Parse"...). */
const char *pq_frontend_type_name(char type);
const char *pq_backend_type_name(char type);

#endif
