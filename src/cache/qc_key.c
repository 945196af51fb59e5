/*
 * qc_key.c: the cache key, a 128-bit hash built incrementally from
 * length-prefixed parts (any process that caches: the children).
 *
 * Four 64-bit lanes each absorb one word of every 32-byte stripe with a
 * multiply by an odd constant, a rotation and a second odd multiply (each
 * step is a bijection of the lane, so two stripes that differ leave the
 * lane different); the remaining bytes are zero-padded into a last stripe
 * and the total length is mixed in, so padding cannot collide with real
 * zeros.  The lanes are folded into two 64-bit halves through a full
 * avalanche finalizer twice, each half depending on all four lanes.  It
 * is not a cryptographic hash: a client that wants two statements to share
 * a key needs 2^64 tries, which is enough for a cache whose entries are
 * verified against the same key bytes anyway.
 */
#include "cache/qcache.h"
#include "qc_int.h"

#include <string.h>

#define QC_STRIPE 32

static const uint64_t lane_seed[4] = {
	0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL
};
static const uint64_t lane_mul[4] = {
	0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL
};

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

uint64_t
qc_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
key_absorb(QcKeyBuilder *kb, const uint8_t *stripe)
{
	for (int i = 0; i < 4; i++)
	{
		uint64_t	lane = kb->state[i] ^ (load_le64(stripe + 8 * i) * lane_mul[i]);

		kb->state[i] = rotl64(lane, 29 + 6 * i) * lane_mul[(i + 1) & 3];
	}
}

static void
key_feed(QcKeyBuilder *kb, const uint8_t *p, size_t len)
{
	kb->total += len;
	while (len > 0)
	{
		size_t		n = QC_STRIPE - kb->buflen;

		if (n > len)
			n = len;
		memcpy(kb->buf + kb->buflen, p, n);
		kb->buflen += n;
		p += n;
		len -= n;
		if (kb->buflen == QC_STRIPE)
		{
			key_absorb(kb, kb->buf);
			kb->buflen = 0;
		}
	}
}

void
qc_key_begin(QcKeyBuilder *kb)
{
	memset(kb, 0, sizeof(*kb));
	memcpy(kb->state, lane_seed, sizeof(lane_seed));
}

/* A part: its length as 8 little-endian bytes, then its bytes. */
void
qc_key_add(QcKeyBuilder *kb, const void *data, size_t len)
{
	uint8_t		prefix[8];
	uint64_t	n = len;

	for (int i = 0; i < 8; i++)
		prefix[i] = (uint8_t) (n >> (8 * i));
	key_feed(kb, prefix, sizeof(prefix));
	if (len > 0)
		key_feed(kb, data, len);
}

void
qc_key_end(QcKeyBuilder *kb, QcKey *out)
{
	uint64_t	a, b, c, d, x, y;

	if (kb->buflen > 0)
	{
		memset(kb->buf + kb->buflen, 0, QC_STRIPE - kb->buflen);
		key_absorb(kb, kb->buf);
	}
	a = kb->state[0];
	b = kb->state[1];
	c = kb->state[2];
	d = kb->state[3];
	x = qc_mix64(a ^ rotl64(b, 21) ^ kb->total);
	y = qc_mix64(c ^ rotl64(d, 43) ^ (kb->total * lane_mul[2]));
	x = qc_mix64(x + rotl64(c, 11) + y);
	y = qc_mix64(y ^ rotl64(a, 37) ^ d ^ x);
	for (int i = 0; i < 8; i++)
	{
		out->b[i] = (uint8_t) (x >> (8 * i));
		out->b[8 + i] = (uint8_t) (y >> (8 * i));
	}
	memset(kb, 0, sizeof(*kb));
}

void
qc_key_hex(const QcKey *k, char out[33])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++)
	{
		out[2 * i] = digits[k->b[i] >> 4];
		out[2 * i + 1] = digits[k->b[i] & 15];
	}
	out[32] = '\0';
}

/* FNV-1a over the name, then the finalizer so nearby names spread. */
uint32_t
qc_db_hash(const char *dbname)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *) dbname; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h = qc_mix64(h);
	return (uint32_t) (h ^ (h >> 32));
}
