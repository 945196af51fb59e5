/*
 * defer_out.c: per-node bytes held until the main node answers (see the
 * header).  Runs in a child process; owned by the session's MultiState.
 */
#include "session/defer_out.h"

#include "utils/str.h"

#include <stdlib.h>
#include <string.h>

void
defer_out_init(DeferOut *d)
{
	memset(d, 0, sizeof(*d));
	pqbuf_init(&d->buf);
}

void
defer_out_free(DeferOut *d)
{
	pqbuf_free(&d->buf);
	free(d->marks);
	memset(d, 0, sizeof(*d));
}

void
defer_out_hold(DeferOut *d, uint64_t seq, const void *p, size_t n)
{
	pqbuf_put_bytes(&d->buf, p, n);
	if (d->nmarks > 0 && d->marks[d->nmarks - 1].seq == seq)
	{
		d->marks[d->nmarks - 1].end = d->buf.len;
		return;
	}
	if (d->nmarks == d->cap)
	{
		d->cap = d->cap ? d->cap * 2 : 8;
		d->marks = mem_realloc(d->marks, sizeof(DeferMark) * (size_t) d->cap);
	}
	d->marks[d->nmarks].seq = seq;
	d->marks[d->nmarks].end = d->buf.len;
	d->nmarks++;
}

void
defer_out_follow(DeferOut *d, const void *p, size_t n)
{
	pqbuf_put_bytes(&d->buf, p, n);
	d->marks[d->nmarks - 1].end = d->buf.len;
}

size_t
defer_out_release(DeferOut *d, uint64_t seq, PqBuf *out)
{
	int			k = 0;
	size_t		end, moved;

	while (k < d->nmarks && d->marks[k].seq <= seq)
		k++;
	if (k == 0)
		return 0;
	end = d->marks[k - 1].end;
	moved = end - d->head;
	pqbuf_put_bytes(out, d->buf.data + d->head, moved);
	d->head = end;
	memmove(d->marks, d->marks + k, sizeof(DeferMark) * (size_t) (d->nmarks - k));
	d->nmarks -= k;
	if (d->nmarks == 0)
		defer_out_clear(d);
	return moved;
}

void
defer_out_clear(DeferOut *d)
{
	pqbuf_reset(&d->buf);
	d->head = 0;
	d->nmarks = 0;
}
