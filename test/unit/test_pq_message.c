/*
 * test_pq_message.c: unit tests for the protocol codec (pq_message.c,
 * pq_decode.c): exact bytes of a few messages, every builder read back
 * through the reader, startup packet parsing and reader bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/pq_frame.h"
#include "protocol/pq_message.h"

#define LAYOUT_ERROR "invalid startup packet layout: expected terminator as last byte"

/* ---- helpers -------------------------------------------------------------- */

/*
 * Check the framing of the single message in b and open a reader on its
 * body: type byte, then a length that covers the rest of the buffer.
 */
static void
open_message(const PqBuf *b, char type, PqReader *r)
{
	assert_true(b->len >= 5);
	assert_int_equal((uint8_t) b->data[0], (uint8_t) type);
	assert_int_equal(pq_peek_int32(b->data + 1), (int32_t) (b->len - 1));
	pq_reader_init(r, b->data + 5, b->len - 5);
}

/* Build a startup packet body (everything after the length word). */
static void
build_startup_body(PqBuf *b, int32_t protocol, const char *const *names,
				   const char *const *values, int count)
{
	PqBuf		full;

	pqbuf_init(&full);
	pq_put_startup(&full, protocol, names, values, count);
	assert_int_equal(pq_peek_int32(full.data), (int32_t) full.len);
	pqbuf_reset(b);
	pqbuf_put_bytes(b, full.data + 4, full.len - 4);
	pqbuf_free(&full);
}

/* ---- buffer --------------------------------------------------------------- */

static void
test_buffer_growth(void **state)
{
	PqBuf		b;
	int			i;

	pqbuf_init(&b);
	assert_int_equal(b.len, 0);
	for (i = 0; i < 10000; i++)
		pqbuf_put_byte(&b, (uint8_t) i);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap >= 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal((uint8_t) b.data[i], (uint8_t) i);

	pqbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= 10000);
	pqbuf_put_bytes(&b, "", 0);
	assert_int_equal(b.len, 0);

	pqbuf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	pqbuf_put_string(&b, "again");
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "again", 6);
	pqbuf_free(&b);
}

static void
test_buffer_integers(void **state)
{
	static const uint8_t expect[] = {
		0x12, 0x34, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff,
		0x80, 0x00, 0x00, 0x00, 0xab, 'h', 'i', 0x00
	};
	PqBuf		b;
	PqReader	r;

	pqbuf_init(&b);
	pqbuf_put_int16(&b, 0x1234);
	pqbuf_put_int16(&b, -2);
	pqbuf_put_int32(&b, 0x01020304);
	pqbuf_put_int32(&b, -1);
	pqbuf_put_int32(&b, INT32_MIN);
	pqbuf_put_byte(&b, 0xab);
	pqbuf_put_string(&b, "hi");
	assert_int_equal(b.len, sizeof(expect));
	assert_memory_equal(b.data, expect, sizeof(expect));

	pq_reader_init(&r, b.data, b.len);
	assert_int_equal(pq_get_int16(&r), 0x1234);
	assert_int_equal(pq_get_int16(&r), -2);
	assert_int_equal(pq_get_int32(&r), 0x01020304);
	assert_int_equal(pq_get_int32(&r), -1);
	assert_int_equal(pq_get_int32(&r), INT32_MIN);
	assert_int_equal(pq_get_byte(&r), 0xab);
	assert_string_equal(pq_get_string(&r), "hi");
	assert_int_equal(pq_reader_remaining(&r), 0);
	assert_false(r.error);
	pqbuf_free(&b);
}

/* ---- exact bytes ---------------------------------------------------------- */

static void
test_bytes_ready_for_query(void **state)
{
	static const uint8_t expect[] = {0x5a, 0x00, 0x00, 0x00, 0x05, 0x49};
	PqBuf		b;

	pqbuf_init(&b);
	pq_put_ready_for_query(&b, 'I');
	assert_int_equal(b.len, sizeof(expect));
	assert_memory_equal(b.data, expect, sizeof(expect));
	pqbuf_free(&b);
}

static void
test_bytes_small_messages(void **state)
{
	static const uint8_t terminate[] = {'X', 0, 0, 0, 4};
	static const uint8_t auth_ok[] = {'R', 0, 0, 0, 8, 0, 0, 0, 0};
	static const uint8_t query[] = {'Q', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0};
	static const uint8_t cancel[] = {
		0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0x30, 0x39, 0xde, 0xad, 0xbe, 0xef
	};
	PqBuf		b;

	pqbuf_init(&b);
	pq_put_terminate(&b);
	assert_int_equal(b.len, sizeof(terminate));
	assert_memory_equal(b.data, terminate, sizeof(terminate));

	pqbuf_reset(&b);
	pq_put_auth_request(&b, PQ_AUTH_OK, NULL, 0);
	assert_int_equal(b.len, sizeof(auth_ok));
	assert_memory_equal(b.data, auth_ok, sizeof(auth_ok));

	pqbuf_reset(&b);
	pq_put_query(&b, "SELECT 1");
	assert_int_equal(b.len, sizeof(query));
	assert_memory_equal(b.data, query, sizeof(query));

	pqbuf_reset(&b);
	pq_put_cancel_request(&b, 12345, (int32_t) 0xdeadbeef);
	assert_int_equal(b.len, sizeof(cancel));
	assert_memory_equal(b.data, cancel, sizeof(cancel));
	pqbuf_free(&b);
}

static void
test_bytes_startup(void **state)
{
	static const char *const names[] = {"user", "database"};
	static const char *const values[] = {"bob", "db"};
	static const uint8_t expect[] = {
		0, 0, 0, 30, 0, 3, 0, 0,
		'u', 's', 'e', 'r', 0, 'b', 'o', 'b', 0,
		'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'd', 'b', 0,
		0
	};
	PqBuf		b;

	pqbuf_init(&b);
	pq_put_startup(&b, PQ_PROTOCOL_3_0, names, values, 2);
	assert_int_equal(b.len, sizeof(expect));
	assert_memory_equal(b.data, expect, sizeof(expect));
	pqbuf_free(&b);
}

/* Messages appended one after another keep their own lengths. */
static void
test_bytes_two_messages(void **state)
{
	PqBuf		b;

	pqbuf_init(&b);
	pq_put_command_complete(&b, "SET");
	pq_put_ready_for_query(&b, 'T');
	assert_int_equal(b.len, 9 + 6);
	assert_int_equal(b.data[0], PQ_BE_COMMAND_COMPLETE);
	assert_int_equal(pq_peek_int32(b.data + 1), 8);
	assert_int_equal(b.data[9], PQ_BE_READY_FOR_QUERY);
	assert_int_equal(pq_peek_int32(b.data + 10), 5);
	assert_int_equal(b.data[14], 'T');
	pqbuf_free(&b);
}

/* ---- round trips ---------------------------------------------------------- */

static void
test_roundtrip_simple_builders(void **state)
{
	static const char salt[4] = {1, 2, 3, 4};
	PqBuf		b;
	PqReader	r;

	pqbuf_init(&b);
	pq_put_auth_request(&b, PQ_AUTH_MD5, salt, sizeof(salt));
	open_message(&b, PQ_BE_AUTHENTICATION, &r);
	assert_int_equal(pq_get_int32(&r), PQ_AUTH_MD5);
	assert_memory_equal(pq_get_bytes(&r, 4), salt, 4);
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_parameter_status(&b, "server_version", "15.4");
	open_message(&b, PQ_BE_PARAMETER_STATUS, &r);
	assert_string_equal(pq_get_string(&r), "server_version");
	assert_string_equal(pq_get_string(&r), "15.4");
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_backend_key_data(&b, 4242, -7);
	open_message(&b, PQ_BE_BACKEND_KEY_DATA, &r);
	assert_int_equal(pq_get_int32(&r), 4242);
	assert_int_equal(pq_get_int32(&r), -7);
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_ready_for_query(&b, 'E');
	open_message(&b, PQ_BE_READY_FOR_QUERY, &r);
	assert_int_equal(pq_get_byte(&r), 'E');
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_command_complete(&b, "SELECT 3");
	open_message(&b, PQ_BE_COMMAND_COMPLETE, &r);
	assert_string_equal(pq_get_string(&r), "SELECT 3");
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_query(&b, "");
	open_message(&b, PQ_FE_QUERY, &r);
	assert_string_equal(pq_get_string(&r), "");
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_password(&b, "md5abc");
	open_message(&b, PQ_FE_PASSWORD, &r);
	assert_string_equal(pq_get_string(&r), "md5abc");
	assert_int_equal(pq_reader_remaining(&r), 0);

	pqbuf_reset(&b);
	pq_put_terminate(&b);
	open_message(&b, PQ_FE_TERMINATE, &r);
	assert_int_equal(pq_reader_remaining(&r), 0);
	assert_false(r.error);
	pqbuf_free(&b);
}

static void
test_roundtrip_row_description(void **state)
{
	static const char *const names[] = {"node_id", "hostname", ""};
	PqBuf		b;
	PqReader	r;
	int			i;

	pqbuf_init(&b);
	pq_put_row_description(&b, names, 3);
	open_message(&b, PQ_BE_ROW_DESCRIPTION, &r);
	assert_int_equal(pq_get_int16(&r), 3);
	for (i = 0; i < 3; i++)
	{
		assert_string_equal(pq_get_string(&r), names[i]);
		assert_int_equal(pq_get_int32(&r), 0);	/* table oid */
		assert_int_equal(pq_get_int16(&r), 0);	/* attnum */
		assert_int_equal(pq_get_int32(&r), 25); /* text */
		assert_int_equal(pq_get_int16(&r), -1); /* typlen */
		assert_int_equal(pq_get_int32(&r), -1); /* typmod */
		assert_int_equal(pq_get_int16(&r), 0);	/* format */
	}
	assert_int_equal(pq_reader_remaining(&r), 0);
	assert_false(r.error);
	pqbuf_free(&b);
}

static void
test_roundtrip_data_row(void **state)
{
	static const char *const values[] = {"0", NULL, "", "127.0.0.1"};
	PqBuf		b;
	PqReader	r;
	int			i;

	pqbuf_init(&b);
	pq_put_data_row(&b, values, 4);
	open_message(&b, PQ_BE_DATA_ROW, &r);
	assert_int_equal(pq_get_int16(&r), 4);
	for (i = 0; i < 4; i++)
	{
		int32_t		n = pq_get_int32(&r);

		if (values[i] == NULL)
		{
			assert_int_equal(n, -1);
			continue;
		}
		assert_int_equal(n, (int32_t) strlen(values[i]));
		assert_memory_equal(pq_get_bytes(&r, (size_t) n), values[i], (size_t) n);
	}
	assert_int_equal(pq_reader_remaining(&r), 0);
	assert_false(r.error);
	pqbuf_free(&b);
}

static void
test_roundtrip_error_full(void **state)
{
	PqBuf		b;
	PqErrorFields f;

	pqbuf_init(&b);
	pq_put_error(&b, PQ_BE_ERROR_RESPONSE, "FATAL", "57P01", "terminating connection",
				 "node 1 went down", "Reconnect.");
	assert_int_equal(b.data[0], PQ_BE_ERROR_RESPONSE);
	assert_int_equal(pq_peek_int32(b.data + 1), (int32_t) (b.len - 1));
	assert_int_equal(b.data[b.len - 1], 0);
	assert_true(pq_parse_error(b.data + 5, b.len - 5, &f));
	assert_string_equal(f.severity, "FATAL");
	assert_string_equal(f.sqlstate, "57P01");
	assert_string_equal(f.message, "terminating connection");
	assert_string_equal(f.detail, "node 1 went down");
	assert_string_equal(f.hint, "Reconnect.");
	pqbuf_free(&b);
}

static void
test_roundtrip_error_minimal(void **state)
{
	static const uint8_t expect[] = {
		'N', 0, 0, 0, 32,
		'S', 'N', 'O', 'T', 'I', 'C', 'E', 0,
		'V', 'N', 'O', 'T', 'I', 'C', 'E', 0,
		'C', '0', '0', '0', '0', '0', 0,
		'M', 'h', 'i', 0,
		0
	};
	PqBuf		b;
	PqErrorFields f;

	pqbuf_init(&b);
	pq_put_error(&b, PQ_BE_NOTICE_RESPONSE, "NOTICE", "00000", "hi", NULL, NULL);
	assert_int_equal(b.len, sizeof(expect));
	assert_memory_equal(b.data, expect, sizeof(expect));
	assert_true(pq_parse_error(b.data + 5, b.len - 5, &f));
	assert_string_equal(f.severity, "NOTICE");
	assert_string_equal(f.sqlstate, "00000");
	assert_string_equal(f.message, "hi");
	assert_null(f.detail);
	assert_null(f.hint);
	pqbuf_free(&b);
}

/* ---- error parsing of bodies pgpool did not build ------------------------- */

static void
test_parse_error_severity_choice(void **state)
{
	/* localized S only (pre-9.6 servers), then S and V in reverse order */
	static const char s_only[] = "SFEHLER\0C42601\0Mboom\0\0";
	static const char v_first[] = "VERROR\0SFEHLER\0Xunknown field\0Mboom\0\0";
	PqErrorFields f;

	assert_true(pq_parse_error(s_only, sizeof(s_only) - 1, &f));
	assert_string_equal(f.severity, "FEHLER");
	assert_string_equal(f.sqlstate, "42601");
	assert_null(f.detail);

	assert_true(pq_parse_error(v_first, sizeof(v_first) - 1, &f));
	assert_string_equal(f.severity, "ERROR");
	assert_null(f.sqlstate);
	assert_string_equal(f.message, "boom");
}

static void
test_parse_error_malformed(void **state)
{
	static const char no_nul[] = "SERROR\0Mbo";
	static const char no_end[] = "SERROR\0Mboom\0";
	static const char trailing[] = "SERROR\0\0junk";
	PqErrorFields f;

	assert_false(pq_parse_error(no_nul, sizeof(no_nul) - 1, &f));
	assert_false(pq_parse_error(no_end, sizeof(no_end) - 1, &f));
	assert_false(pq_parse_error(trailing, sizeof(trailing) - 1, &f));
	assert_false(pq_parse_error("", 0, &f));
	/* an empty field list is well-formed */
	assert_true(pq_parse_error("", 1, &f));
	assert_null(f.severity);
	assert_null(f.message);
}

/* ---- startup packets ------------------------------------------------------ */

static void
test_startup_normal(void **state)
{
	static const char *const names[] = {"user", "database", "application_name", "options"};
	static const char *const values[] = {"alice", "sales", "psql", "-c geqo=off"};
	PqBuf		b;
	PqStartup	s;
	const char *err = "unset";

	pqbuf_init(&b);
	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, 4);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_null(err);
	assert_int_equal(s.code, PQ_PROTOCOL_3_0);
	assert_int_equal(s.nparams, 4);
	assert_string_equal(s.user, "alice");
	assert_string_equal(s.database, "sales");
	assert_string_equal(s.application_name, "psql");
	assert_string_equal(pq_startup_get(&s, "options"), "-c geqo=off");
	assert_null(pq_startup_get(&s, "client_encoding"));
	/* strings point into the caller's body */
	assert_true(s.user > b.data && s.user < b.data + b.len);
	pqbuf_free(&b);
}

static void
test_startup_missing_database(void **state)
{
	static const char *const names[] = {"user", "database"};
	static const char *const values[] = {"alice", ""};
	PqBuf		b;
	PqStartup	s;
	const char *err;

	pqbuf_init(&b);
	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, 1);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(s.database, "alice");
	assert_null(s.application_name);

	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, 2);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(s.database, "alice");

	/* no user at all: the caller reports it */
	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, 0);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_int_equal(s.nparams, 0);
	assert_null(s.user);
	assert_null(s.database);
	pqbuf_free(&b);
}

static void
test_startup_missing_terminator(void **state)
{
	static const char *const names[] = {"user"};
	static const char *const values[] = {"alice"};
	PqBuf		b;
	PqStartup	s;
	const char *err;

	pqbuf_init(&b);
	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, 1);
	assert_true(pq_parse_startup(b.data, b.len - 1, &s, &err) == false);
	assert_string_equal(err, LAYOUT_ERROR);

	/* only the protocol word */
	assert_false(pq_parse_startup(b.data, 4, &s, &err));
	assert_string_equal(err, LAYOUT_ERROR);

	/* bytes after the terminator */
	pqbuf_put_byte(&b, 'x');
	assert_false(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(err, LAYOUT_ERROR);

	/* last byte is not a NUL: the value string runs off the end */
	b.len -= 3;
	assert_false(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(err, LAYOUT_ERROR);
	pqbuf_free(&b);
}

static void
test_startup_odd_count(void **state)
{
	PqBuf		b;
	PqStartup	s;
	const char *err;

	/* "user\0alice\0database\0" then the final NUL: database's value is the empty name */
	pqbuf_init(&b);
	pqbuf_put_int32(&b, PQ_PROTOCOL_3_0);
	pqbuf_put_string(&b, "user");
	pqbuf_put_string(&b, "alice");
	pqbuf_put_string(&b, "database");
	pqbuf_put_byte(&b, 0);
	assert_false(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(err, LAYOUT_ERROR);

	/* a lone name with no terminator at all */
	pqbuf_reset(&b);
	pqbuf_put_int32(&b, PQ_PROTOCOL_3_0);
	pqbuf_put_string(&b, "user");
	assert_false(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(err, LAYOUT_ERROR);
	pqbuf_free(&b);
}

static void
test_startup_too_many_params(void **state)
{
	const char *names[PQ_MAX_STARTUP_PARAMS + 1];
	const char *values[PQ_MAX_STARTUP_PARAMS + 1];
	char		namebuf[PQ_MAX_STARTUP_PARAMS + 1][16];
	PqBuf		b;
	PqStartup	s;
	const char *err;
	int			i;

	for (i = 0; i <= PQ_MAX_STARTUP_PARAMS; i++)
	{
		snprintf(namebuf[i], sizeof(namebuf[i]), "p%d", i);
		names[i] = namebuf[i];
		values[i] = "v";
	}
	pqbuf_init(&b);
	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, PQ_MAX_STARTUP_PARAMS);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_int_equal(s.nparams, PQ_MAX_STARTUP_PARAMS);

	build_startup_body(&b, PQ_PROTOCOL_3_0, names, values, PQ_MAX_STARTUP_PARAMS + 1);
	assert_false(pq_parse_startup(b.data, b.len, &s, &err));
	assert_string_equal(err, "too many parameters in startup packet");
	pqbuf_free(&b);
}

static void
test_startup_cancel_request(void **state)
{
	PqBuf		b;
	PqStartup	s;
	const char *err;

	pqbuf_init(&b);
	pq_put_cancel_request(&b, 777, -12345);
	assert_int_equal(pq_peek_int32(b.data), 16);
	assert_true(pq_parse_startup(b.data + 4, b.len - 4, &s, &err));
	assert_int_equal(s.code, PQ_CANCEL_REQUEST_CODE);
	assert_int_equal(s.cancel_pid, 777);
	assert_int_equal(s.cancel_key, -12345);

	/* one byte short, one byte long */
	assert_false(pq_parse_startup(b.data + 4, b.len - 5, &s, &err));
	assert_string_equal(err, "invalid length of startup packet");
	pqbuf_put_byte(&b, 0);
	assert_false(pq_parse_startup(b.data + 4, b.len - 4, &s, &err));
	assert_string_equal(err, "invalid length of startup packet");
	pqbuf_free(&b);
}

static void
test_startup_request_codes(void **state)
{
	PqBuf		b;
	PqStartup	s;
	const char *err;

	pqbuf_init(&b);
	pqbuf_put_int32(&b, PQ_SSL_REQUEST_CODE);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_int_equal(s.code, PQ_SSL_REQUEST_CODE);
	assert_int_equal(s.nparams, 0);

	pqbuf_reset(&b);
	pqbuf_put_int32(&b, PQ_GSSENC_REQUEST_CODE);
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_int_equal(s.code, PQ_GSSENC_REQUEST_CODE);

	/* protocol 2.0: no error here, the caller refuses it by code */
	pqbuf_reset(&b);
	pqbuf_put_int32(&b, PQ_PROTOCOL(2, 0));
	pqbuf_put_string(&b, "garbage without terminator");
	assert_true(pq_parse_startup(b.data, b.len, &s, &err));
	assert_int_equal(s.code, PQ_PROTOCOL(2, 0));
	assert_int_equal(PQ_PROTOCOL_MAJOR(s.code), 2);
	assert_int_equal(PQ_PROTOCOL_MINOR(s.code), 0);
	assert_null(s.user);
	pqbuf_free(&b);
}

static void
test_startup_bad_length(void **state)
{
	static const char body[4] = {0, 3, 0, 0};
	PqStartup	s;
	const char *err;

	assert_false(pq_parse_startup(body, 3, &s, &err));
	assert_string_equal(err, "invalid length of startup packet");
	assert_false(pq_parse_startup(body, 0, &s, &err));
	assert_string_equal(err, "invalid length of startup packet");
	assert_false(pq_parse_startup(body, PQ_MAX_STARTUP_PACKET + 1, &s, &err));
	assert_string_equal(err, "invalid length of startup packet");
}

/* ---- reader bounds -------------------------------------------------------- */

static void
test_reader_past_end(void **state)
{
	static const char data[] = {0x00, 0x01, 0x02};
	PqReader	r;

	pq_reader_init(&r, data, sizeof(data));
	assert_int_equal(pq_get_int32(&r), 0);
	assert_true(r.error);
	/* the error is sticky: even a read that would fit now fails */
	assert_int_equal(pq_get_byte(&r), 0);
	assert_int_equal(pq_reader_remaining(&r), 0);

	pq_reader_init(&r, data, sizeof(data));
	assert_int_equal(pq_get_int16(&r), 1);
	assert_int_equal(pq_get_byte(&r), 2);
	assert_false(r.error);
	assert_int_equal(pq_get_byte(&r), 0);
	assert_true(r.error);

	pq_reader_init(&r, data, sizeof(data));
	assert_int_equal(pq_get_byte(&r), 0);
	assert_int_equal(pq_get_int16(&r), 0x0102);
	assert_int_equal(pq_get_int16(&r), 0);
	assert_true(r.error);

	pq_reader_init(&r, data, sizeof(data));
	assert_non_null(pq_get_bytes(&r, 3));
	assert_non_null(pq_get_bytes(&r, 0));
	assert_null(pq_get_bytes(&r, 1));
	assert_true(r.error);

	pq_reader_init(&r, data, sizeof(data));
	assert_null(pq_get_bytes(&r, SIZE_MAX));
	assert_true(r.error);

	pq_reader_init(&r, NULL, 0);
	assert_null(pq_get_string(&r));
	assert_true(r.error);
}

static void
test_reader_strings(void **state)
{
	static const char data[] = {'a', 'b', 0, 0, 'c', 'd'};
	PqReader	r;

	pq_reader_init(&r, data, sizeof(data));
	assert_string_equal(pq_get_string(&r), "ab");
	assert_string_equal(pq_get_string(&r), "");
	assert_int_equal(pq_reader_remaining(&r), 2);
	/* "cd" has no NUL inside the body: rejected, never read beyond it */
	assert_null(pq_get_string(&r));
	assert_true(r.error);
	assert_int_equal(pq_reader_remaining(&r), 0);

	/* a NUL just past the given length does not count */
	pq_reader_init(&r, data, 2);
	assert_null(pq_get_string(&r));
	assert_true(r.error);
}

/* ---- type names ----------------------------------------------------------- */

static void
test_type_names(void **state)
{
	static const char frontend[] = "BCdcfDEHFPpQSX";
	const char *p;

	for (p = frontend; *p; p++)
	{
		assert_true(pq_is_frontend_type(*p));
		assert_string_not_equal(pq_frontend_type_name(*p), "unknown");
	}
	assert_false(pq_is_frontend_type('Z'));
	assert_false(pq_is_frontend_type('\0'));
	assert_false(pq_is_frontend_type('R'));

	assert_string_equal(pq_frontend_type_name(PQ_FE_QUERY), "Query");
	assert_string_equal(pq_frontend_type_name(PQ_FE_PASSWORD), "PasswordMessage");
	assert_string_equal(pq_frontend_type_name(PQ_FE_FUNCTION_CALL), "FunctionCall");
	assert_string_equal(pq_frontend_type_name('z'), "unknown");

	assert_string_equal(pq_backend_type_name(PQ_BE_AUTHENTICATION), "Authentication");
	assert_string_equal(pq_backend_type_name(PQ_BE_READY_FOR_QUERY), "ReadyForQuery");
	assert_string_equal(pq_backend_type_name(PQ_BE_ERROR_RESPONSE), "ErrorResponse");
	assert_string_equal(pq_backend_type_name(PQ_BE_DATA_ROW), "DataRow");
	assert_string_equal(pq_backend_type_name(PQ_BE_PARSE_COMPLETE), "ParseComplete");
	assert_string_equal(pq_backend_type_name('p'), "unknown");
}

/* The frame scanner over "C...Z..." with a large message passed through in pieces. */
static void
test_frame_scanner(void **state)
{
	static const char two[] = {'C', 0, 0, 0, 9, 'S', 'E', 'L', ' ', '1', 'Z', 0, 0, 0, 5, 'I'};
	static const char big[] = {'D', 0, 0, 0, 20, 'a', 'b', 'c'};
	static const char bad[] = {'X', 0, 0, 0, 3};
	int64_t		skip = 0;
	PqFrame		f;
	size_t		pos = 0;

	(void) state;
	f = pq_frame_peek(two, 4, 0);
	assert_int_equal(f.status, PQ_FRAME_NONE);
	f = pq_frame_peek(two, sizeof(two), 0);
	assert_int_equal(f.status, PQ_FRAME_WHOLE);
	assert_int_equal(f.type, 'C');
	assert_int_equal(f.size, 10);
	assert_int_equal(f.body_avail, 5);
	assert_memory_equal(f.body, "SEL 1", 5);
	pos += pq_frame_take(&f, &skip);
	f = pq_frame_peek(two + pos, 5, 0);
	assert_int_equal(f.status, PQ_FRAME_PART);	/* a ReadyForQuery without its status byte */
	assert_int_equal(f.body_avail, 0);
	f = pq_frame_peek(two + pos, sizeof(two) - pos, 0);
	assert_int_equal(f.status, PQ_FRAME_WHOLE);
	assert_int_equal(f.body[0], 'I');
	assert_int_equal(pos + pq_frame_take(&f, &skip), sizeof(two));

	/* 21 bytes announced, 8 buffered: the rest is owed, then passed in pieces */
	f = pq_frame_peek(big, sizeof(big), 0);
	assert_int_equal(f.status, PQ_FRAME_PART);
	assert_int_equal(pq_frame_take(&f, &skip), 8);
	assert_int_equal(skip, 13);
	f = pq_frame_peek("0123456789", 10, skip);
	assert_int_equal(f.status, PQ_FRAME_SKIP);
	assert_int_equal(pq_frame_take(&f, &skip), 10);
	assert_int_equal(skip, 3);
	f = pq_frame_peek("012Z", 4, skip);
	assert_int_equal(f.size, 3);
	pq_frame_take(&f, &skip);
	assert_int_equal(skip, 0);
	f = pq_frame_peek("", 0, 0);
	assert_int_equal(f.status, PQ_FRAME_NONE);

	f = pq_frame_peek(bad, sizeof(bad), 0);
	assert_int_equal(f.status, PQ_FRAME_BAD);
	assert_int_equal(f.len, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffer_growth),
		cmocka_unit_test(test_buffer_integers),
		cmocka_unit_test(test_bytes_ready_for_query),
		cmocka_unit_test(test_bytes_small_messages),
		cmocka_unit_test(test_bytes_startup),
		cmocka_unit_test(test_bytes_two_messages),
		cmocka_unit_test(test_roundtrip_simple_builders),
		cmocka_unit_test(test_roundtrip_row_description),
		cmocka_unit_test(test_roundtrip_data_row),
		cmocka_unit_test(test_roundtrip_error_full),
		cmocka_unit_test(test_roundtrip_error_minimal),
		cmocka_unit_test(test_parse_error_severity_choice),
		cmocka_unit_test(test_parse_error_malformed),
		cmocka_unit_test(test_startup_normal),
		cmocka_unit_test(test_startup_missing_database),
		cmocka_unit_test(test_startup_missing_terminator),
		cmocka_unit_test(test_startup_odd_count),
		cmocka_unit_test(test_startup_too_many_params),
		cmocka_unit_test(test_startup_cancel_request),
		cmocka_unit_test(test_startup_request_codes),
		cmocka_unit_test(test_startup_bad_length),
		cmocka_unit_test(test_reader_past_end),
		cmocka_unit_test(test_reader_strings),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_frame_scanner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
