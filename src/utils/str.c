/*
 * str.c: small string and allocation helpers shared by every process.
 */
#include "utils/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
str_copy(char *dst, const char *src, size_t cap)
{
	size_t		n = strlen(src);

	if (cap > 0)
	{
		size_t		k = n < cap - 1 ? n : cap - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

static void
out_of_memory(size_t n)
{
	fprintf(stderr, "FATAL:  out of memory\nDETAIL:  failed on request of size %zu\n", n);
	abort();
}

void *
mem_alloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
mem_alloc0(size_t n)
{
	void	   *p = calloc(1, n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
mem_realloc(void *p, size_t n)
{
	void	   *q = realloc(p, n ? n : 1);

	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *
str_dup(const char *s)
{
	size_t		n = strlen(s) + 1;
	char	   *d = mem_alloc(n);

	memcpy(d, s, n);
	return d;
}

char *
str_ndup(const char *s, size_t n)
{
	char	   *d = mem_alloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
str_trim(char *s)
{
	char	   *end;

	while (isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

int
str_split(char *s, char sep, char **out, int max)
{
	int			n = 0;
	char	   *p = s;

	while (p && n < max)
	{
		char	   *next = strchr(p, sep);
		char	   *piece;

		if (next)
			*next++ = '\0';
		piece = str_trim(p);
		if (*piece)
			out[n++] = piece;
		p = next;
	}
	return n;
}

uint32_t
str_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t) *s++) * 16777619u;
	return h;
}
