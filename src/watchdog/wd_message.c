/*
 * wd_message.c: encode and decode watchdog frames (layout in
 * wd_message.h), HMAC-SHA256 over wd_authkey with OpenSSL.  Pure: no I/O,
 * no globals; used by the watchdog and heartbeat processes.
 */
#include "wd_message.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t) (v >> 16));
	put16(p + 2, (uint16_t) v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t) (v >> 32));
	put32(p + 4, (uint32_t) v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return ((uint64_t) get32(p) << 32) | get32(p + 4);
}

static void
frame_mac(const char *key, const uint8_t *data, size_t len, uint8_t mac[WD_MAC_LEN])
{
	unsigned int maclen = WD_MAC_LEN;

	HMAC(EVP_sha256(), key, (int) strlen(key), data, len, mac, &maclen);
}

void
wd_msg_init(WdMessage *m, char type, int sender, int state, int leader, int priority,
			int64_t start_us)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->sender = sender;
	m->state = state;
	m->leader = leader;
	m->priority = priority;
	m->start_us = start_us;
}

size_t
wd_msg_encode(const WdMessage *m, const char *key, uint8_t *buf, size_t cap)
{
	bool		sign = key && key[0];
	size_t		body = WD_BODY_FIXED + m->payload_len;
	size_t		total = WD_FRAME_HEADER + body + (sign ? WD_MAC_LEN : 0);
	uint8_t    *b = buf + WD_FRAME_HEADER;

	if (m->payload_len > WD_MAX_PAYLOAD || total > cap)
		return 0;
	buf[0] = 'W';
	buf[1] = 'D';
	buf[2] = WD_PROTO_VERSION;
	buf[3] = sign ? WD_FLAG_MAC : 0;
	put32(buf + 4, (uint32_t) (body + (sign ? WD_MAC_LEN : 0)));
	b[0] = (uint8_t) m->type;
	put16(b + 1, (uint16_t) m->sender);
	b[3] = (uint8_t) m->state;
	put16(b + 4, (uint16_t) (int16_t) m->leader);
	put32(b + 6, (uint32_t) m->priority);
	put64(b + 10, (uint64_t) m->start_us);
	put32(b + 18, m->seq);
	put16(b + 22, m->payload_len);
	memcpy(b + WD_BODY_FIXED, m->payload, m->payload_len);
	if (sign)
		frame_mac(key, buf, WD_FRAME_HEADER + body, buf + WD_FRAME_HEADER + body);
	return total;
}

static void
decode_body(const uint8_t *b, WdMessage *out)
{
	memset(out, 0, sizeof(*out));
	out->type = (char) b[0];
	out->sender = get16(b + 1);
	out->state = b[3];
	out->leader = (int16_t) get16(b + 4);
	out->priority = (int32_t) get32(b + 6);
	out->start_us = (int64_t) get64(b + 10);
	out->seq = get32(b + 18);
	out->payload_len = get16(b + 22);
}

WdDecodeStatus
wd_msg_decode(const uint8_t *buf, size_t len, const char *key, WdMessage *out, size_t *consumed)
{
	bool		want_mac = key && key[0];
	bool		has_mac;
	size_t		frame_len, body_len;
	uint8_t		mac[WD_MAC_LEN];

	*consumed = len;
	if (len < WD_FRAME_HEADER)
		return (len >= 1 && buf[0] != 'W') || (len >= 2 && buf[1] != 'D') ? WD_DECODE_BAD
			: WD_DECODE_NEED_MORE;
	if (buf[0] != 'W' || buf[1] != 'D' || buf[2] != WD_PROTO_VERSION)
		return WD_DECODE_BAD;
	has_mac = (buf[3] & WD_FLAG_MAC) != 0;
	frame_len = get32(buf + 4);
	body_len = frame_len - (has_mac ? WD_MAC_LEN : 0);
	if (frame_len < WD_BODY_FIXED + (has_mac ? WD_MAC_LEN : 0) ||
		frame_len > WD_MAX_FRAME - WD_FRAME_HEADER)
		return WD_DECODE_BAD;
	if (len < WD_FRAME_HEADER + frame_len)
		return WD_DECODE_NEED_MORE;
	*consumed = WD_FRAME_HEADER + frame_len;
	if (get16(buf + WD_FRAME_HEADER + 22) != body_len - WD_BODY_FIXED)
		return WD_DECODE_BAD;
	if (want_mac)
	{
		if (!has_mac)
			return WD_DECODE_AUTH_FAILED;
		frame_mac(key, buf, WD_FRAME_HEADER + body_len, mac);
		if (CRYPTO_memcmp(mac, buf + WD_FRAME_HEADER + body_len, WD_MAC_LEN) != 0)
			return WD_DECODE_AUTH_FAILED;
	}
	decode_body(buf + WD_FRAME_HEADER, out);
	memcpy(out->payload, buf + WD_FRAME_HEADER + WD_BODY_FIXED, out->payload_len);
	return WD_DECODE_OK;
}

const char *
wd_msg_type_name(char type)
{
	switch (type)
	{
		case WD_MSG_INFO:
			return "INFO";
		case WD_MSG_STAND:
			return "STAND FOR LEADER";
		case WD_MSG_ACCEPT:
			return "ACCEPT";
		case WD_MSG_REJECT:
			return "REJECT";
		case WD_MSG_DECLARE:
			return "DECLARE LEADER";
		case WD_MSG_QUIT:
			return "QUIT";
		case WD_MSG_FAILOVER_REQ:
			return "FAILOVER REQUEST";
		case WD_MSG_FAILOVER_DO:
			return "FAILOVER";
		case WD_MSG_HEARTBEAT:
			return "HEARTBEAT";
		case WD_MSG_COMMAND:
			return "COMMAND";
	}
	return "UNKNOWN";
}
