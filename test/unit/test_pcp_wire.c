/*
 * test_pcp_wire.c: unit tests for the PCP protocol codec (pcp_wire.c) and
 * MD5 (pcp_md5.c): RFC 1321 vectors, exact packet bytes, parse round trips,
 * every framing error, the salted hash, the command table, error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libpcp/pcp_wire.h"

/* ---- md5 ------------------------------------------------------------------------ */

static void
test_md5_rfc1321(void **state)
{
	static const struct
	{
		const char *in;
		const char *hex;
	}			v[] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		"d174ab98d277d9f5a5611c2c9f419d9f"},
		{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		"57edf4a22be3c955ac49da2e2107b67a"},
		{"foo", "acbd18db4cc2f85cedef654fccc4a4d8"},	/* the manual's pg_md5 example */
	};
	char		out[33];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		pcp_md5_hex(v[i].in, strlen(v[i].in), out);
		assert_string_equal(out, v[i].hex);
	}
}

static void
test_md5_block_boundaries(void **state)
{
	/* lengths around the 56-byte padding limit and the 64-byte block */
	static const struct
	{
		size_t		n;
		const char *hex;
	}			v[] = {
		{55, "04364420e25c512fd958a70738aa8f72"}, {56, "668a72d5ba17f08e62dabcafad6db14b"},
		{57, "693037871c4a9d3d8685018905cb530a"}, {63, "7dc2ca208106a2f703567bdff99d8981"},
		{64, "c1bb4f81d892b2d57947682aeb252456"}, {65, "1bc932052302d074bdec39795fe00cf6"},
		{119, "ab347a5f68c8a443cfcddc633f12c24f"}, {120, "fb98667f98096de92620b64f46e1c5b5"},
		{128, "d69cb61a6ee87200676eb0d4b90edbcb"},
	};
	char		buf[128];
	char		out[33];

	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		pcp_md5_hex(buf, v[i].n, out);
		assert_string_equal(out, v[i].hex);
	}
}

/* ---- building ------------------------------------------------------------------------ */

static void
test_packet_bytes(void **state)
{
	PcpBuf		b;
	const char *f[2] = {"ab", ""};
	static const char want[] = {'Q', 0, 0, 0, 8, 'a', 'b', 0, 0};

	pcp_buf_init(&b);
	pcp_packet_build(&b, 'Q', 2, f);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	pcp_buf_free(&b);
}

static void
test_packet_round_trip(void **state)
{
	PcpBuf		b;
	PcpPacket	p;
	char		type;
	size_t		len, start;
	char		longer[1000];

	memset(longer, 'y', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	pcp_buf_init(&b);
	start = pcp_packet_begin(&b, PCP_MSG_ROW);
	pcp_packet_add(&b, "host");
	pcp_packet_addf(&b, "%d", 5432);
	pcp_packet_add(&b, NULL);
	pcp_packet_addf(&b, "<%s>", longer);	/* longer than addf's stack buffer */
	pcp_packet_end(&b, start);
	assert_false(b.oom);
	assert_int_equal(pcp_header_parse(b.data, 2000, &type, &len), PCP_WIRE_OK);
	assert_int_equal(type, PCP_MSG_ROW);
	assert_int_equal(len, b.len - PCP_HEADER_LEN);
	assert_int_equal(pcp_packet_parse(type, b.data + PCP_HEADER_LEN, len, &p), PCP_WIRE_OK);
	assert_int_equal(p.nfields, 4);
	assert_string_equal(p.fields[0], "host");
	assert_string_equal(p.fields[1], "5432");
	assert_string_equal(p.fields[2], "");
	assert_int_equal(strlen(p.fields[3]), sizeof(longer) + 1);
	assert_int_equal(p.fields[3][0], '<');
	assert_string_equal(pcp_packet_field(&p, 9), "");
	pcp_buf_free(&b);
}

static void
test_two_packets_in_one_buffer(void **state)
{
	PcpBuf		b;
	const char *one[1] = {"x"};
	char		type;
	size_t		len;

	pcp_buf_init(&b);
	pcp_packet_build(&b, 'D', 1, one);
	pcp_packet_build(&b, 'C', 1, one);
	assert_int_equal(pcp_header_parse(b.data, 100, &type, &len), PCP_WIRE_OK);
	assert_int_equal(len, 2);
	assert_int_equal(pcp_header_parse(b.data + 7, 100, &type, &len), PCP_WIRE_OK);
	assert_int_equal(type, 'C');
	pcp_buf_reset(&b);
	assert_int_equal(b.len, 0);
	pcp_buf_free(&b);
}

/* ---- parsing errors ---------------------------------------------------------------------- */

static void
test_header_errors(void **state)
{
	char		type;
	size_t		len;
	static const char short_len[] = {'Q', 0, 0, 0, 3};
	static const char huge[] = {'G', 'E', 'T', ' ', '/'};
	static const char empty[] = {'X', 0, 0, 0, 4};

	assert_int_equal(pcp_header_parse(short_len, 100, &type, &len), PCP_WIRE_BAD_LENGTH);
	assert_int_equal(pcp_header_parse(huge, PCP_MAX_REQUEST_BODY, &type, &len), PCP_WIRE_TOO_BIG);
	assert_int_equal(pcp_header_parse(empty, 0, &type, &len), PCP_WIRE_OK);
	assert_int_equal(len, 0);
	assert_string_equal(pcp_wire_status_text(PCP_WIRE_TOO_BIG), "packet too large");
}

static void
test_body_errors(void **state)
{
	PcpPacket	p;
	char		many[PCP_MAX_FIELDS * 2 + 2];

	assert_int_equal(pcp_packet_parse('Q', "abc", 3, &p), PCP_WIRE_NO_TERMINATOR);
	assert_int_equal(pcp_packet_parse('Q', "", 0, &p), PCP_WIRE_OK);
	assert_int_equal(p.nfields, 0);
	memset(many, 0, sizeof(many));
	for (int i = 0; i < PCP_MAX_FIELDS + 1; i++)
		many[i * 2] = 'f';
	assert_int_equal(pcp_packet_parse('Q', many, (PCP_MAX_FIELDS + 1) * 2, &p),
					 PCP_WIRE_TOO_MANY_FIELDS);
	assert_int_equal(pcp_packet_parse('Q', many, PCP_MAX_FIELDS * 2, &p), PCP_WIRE_OK);
	assert_int_equal(p.nfields, PCP_MAX_FIELDS);
}

/* ---- authentication, tables ------------------------------------------------------------------ */

static void
test_auth_response(void **state)
{
	char		pw[33], resp[33], manual[33];
	const char *salt = "00112233445566778899aabbccddeeff";
	char		concat[65];

	pcp_md5_hex("pgpool", 6, pw);
	pcp_auth_response(pw, salt, resp);
	snprintf(concat, sizeof(concat), "%s%s", pw, salt);
	pcp_md5_hex(concat, 64, manual);
	assert_string_equal(resp, manual);
	assert_true(pcp_secure_equal(resp, manual));
	resp[5] ^= 1;
	assert_false(pcp_secure_equal(resp, manual));
	assert_false(pcp_secure_equal("abc", "abcd"));
	assert_true(pcp_secure_equal("", ""));
}

static void
test_command_table(void **state)
{
	const PcpCommandInfo *c = pcp_command_by_tool("pcp_node_info");

	assert_non_null(c);
	assert_int_equal(c->id, PCP_CMD_NODE_INFO);
	assert_string_equal(c->name, "node_info");
	assert_int_equal(c->arg, PCP_ARG_NODE);
	assert_ptr_equal(pcp_command_by_name("node_info"), c);
	assert_ptr_equal(pcp_command_info(PCP_CMD_NODE_INFO), c);
	assert_null(pcp_command_by_name("nope"));
	assert_null(pcp_command_info(PCP_CMD_COUNT));
	for (int i = 0; i < PCP_CMD_COUNT; i++)
	{
		const PcpCommandInfo *ci = pcp_command_info((PcpCommandId) i);

		assert_int_equal(ci->id, i);
		assert_ptr_equal(pcp_command_by_tool(ci->tool), ci);
		assert_true(strncmp(ci->tool, "pcp_", 4) == 0);
		assert_string_equal(ci->tool + 4, ci->name);
	}
	assert_int_equal(pcp_command_by_tool("pcp_stop_pgpool")->arg, PCP_ARG_MODE);
	assert_true(pcp_command_by_tool("pcp_detach_node")->tool_flags & PCP_TOOL_GRACEFUL);
}

static void
test_error_names(void **state)
{
	/* the manual's exit status table */
	static const char *const names[] = {"OK", "UNKNOWNERR", "EOFERR", "NOMEMERR", "READERR",
		"WRITEERR", "TIMEOUTERR", "INVALERR", "CONNERR", "NOCONNERR", "SOCKERR", "HOSTERR",
	"BACKENDERR", "AUTHERR"};

	for (int i = 1; i <= PCP_ERR_MAX; i++)
	{
		assert_string_equal(pcp_error_name((PcpErrorCode) i), names[i]);
		assert_int_equal(pcp_error_from_name(names[i]), i);
	}
	assert_int_equal(PCP_ERR_BACKEND, 12);
	assert_int_equal(PCP_ERR_AUTH, 13);
	assert_string_equal(pcp_error_class(PCP_ERR_BACKEND), "BackendError");
	assert_int_equal(pcp_error_from_name("whatever"), PCP_ERR_UNKNOWN);
	assert_int_equal(pcp_error_from_name(NULL), PCP_ERR_UNKNOWN);
	assert_string_equal(pcp_error_name((PcpErrorCode) 99), "UNKNOWNERR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_rfc1321),
		cmocka_unit_test(test_md5_block_boundaries),
		cmocka_unit_test(test_packet_bytes),
		cmocka_unit_test(test_packet_round_trip),
		cmocka_unit_test(test_two_packets_in_one_buffer),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_body_errors),
		cmocka_unit_test(test_auth_response),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
