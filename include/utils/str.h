/*
 * str.h: small string helpers (bounded copies, trimming, splitting).
 */
#ifndef PGPOOL_UTILS_STR_H
#define PGPOOL_UTILS_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy src into dst of size cap, always NUL-terminated; returns strlen(src). */
size_t		str_copy(char *dst, const char *src, size_t cap);

/* strdup that aborts the process on OOM (crash-only processes). */
char	   *str_dup(const char *s);

/* s[0..n) as a new NUL-terminated string (aborts on OOM). */
char	   *str_ndup(const char *s, size_t n);

/* malloc/calloc/realloc that abort the process on OOM. */
void	   *mem_alloc(size_t n);
void	   *mem_alloc0(size_t n);
void	   *mem_realloc(void *p, size_t n);

/*
 * Split s on sep into at most max trimmed, non-empty pieces written into
 * out (pointers into the modified s).  Returns the number of pieces.
 */
int			str_split(char *s, char sep, char **out, int max);

/* FNV-1a hash of a NUL-terminated string (in-process hash tables). */
uint32_t	str_hash(const char *s);

/* Trim leading and trailing white space in place; returns s (moved). */
char	   *str_trim(char *s);

#endif
