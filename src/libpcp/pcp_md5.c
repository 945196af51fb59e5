/*
 * pcp_md5.c: MD5 (RFC 1321) for PCP authentication and pg_md5.
 *
 * libpcp is installed on its own, so it carries its own digest instead of
 * depending on OpenSSL or on pgpool's internal libraries.
 */
#include "libpcp/pcp.h"

#include <stdint.h>
#include <string.h>

typedef struct Md5State
{
	uint32_t	a, b, c, d;
	uint64_t	length;			/* bytes hashed so far */
	uint8_t		block[64];
	size_t		used;			/* bytes in block */
} Md5State;

/* Per-round shift amounts and the sine-derived constants. */
static const uint8_t shifts[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static const uint32_t sines[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};

static uint32_t
rotl(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
md5_block(Md5State *s, const uint8_t *p)
{
	uint32_t	m[16];
	uint32_t	a = s->a, b = s->b, c = s->c, d = s->d;

	for (int i = 0; i < 16; i++)
		m[i] = (uint32_t) p[i * 4] | ((uint32_t) p[i * 4 + 1] << 8) |
			((uint32_t) p[i * 4 + 2] << 16) | ((uint32_t) p[i * 4 + 3] << 24);
	for (int i = 0; i < 64; i++)
	{
		uint32_t	f;
		int			g;

		if (i < 16)
		{
			f = (b & c) | (~b & d);
			g = i;
		}
		else if (i < 32)
		{
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		}
		else if (i < 48)
		{
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		}
		else
		{
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		f += a + sines[i] + m[g];
		a = d;
		d = c;
		c = b;
		b += rotl(f, shifts[i]);
	}
	s->a += a;
	s->b += b;
	s->c += c;
	s->d += d;
}

static void
md5_init(Md5State *s)
{
	memset(s, 0, sizeof(*s));
	s->a = 0x67452301;
	s->b = 0xefcdab89;
	s->c = 0x98badcfe;
	s->d = 0x10325476;
}

static void
md5_update(Md5State *s, const uint8_t *p, size_t len)
{
	s->length += len;
	while (len > 0)
	{
		size_t		n = 64 - s->used;

		if (n > len)
			n = len;
		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == 64)
		{
			md5_block(s, s->block);
			s->used = 0;
		}
	}
}

static void
md5_final(Md5State *s, uint8_t digest[16])
{
	uint64_t	bits = s->length * 8;
	uint8_t		pad = 0x80;
	uint8_t		zero = 0;
	uint8_t		lenbytes[8];
	uint32_t	words[4] = {s->a, s->b, s->c, s->d};

	md5_update(s, &pad, 1);
	while (s->used != 56)
		md5_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenbytes[i] = (uint8_t) (bits >> (8 * i));
	md5_update(s, lenbytes, 8);
	words[0] = s->a;
	words[1] = s->b;
	words[2] = s->c;
	words[3] = s->d;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			digest[i * 4 + j] = (uint8_t) (words[i] >> (8 * j));
}

void
pcp_md5_hex(const void *data, size_t len, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	Md5State	s;
	uint8_t		digest[16];

	md5_init(&s);
	md5_update(&s, data, len);
	md5_final(&s, digest);
	for (int i = 0; i < 16; i++)
	{
		out[i * 2] = hex[digest[i] >> 4];
		out[i * 2 + 1] = hex[digest[i] & 0x0f];
	}
	out[32] = '\0';
}
