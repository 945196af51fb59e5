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

/* The buffer now ends a run released by (seq, after_all); extend the last run if it is the same kind. */
static void
add_mark(DeferOut *d, uint64_t seq, bool after_all, bool follow)
{
	DeferMark  *last = d->nmarks > 0 ? &d->marks[d->nmarks - 1] : NULL;

	if (last && last->seq == seq && last->after_all == after_all && last->follow == follow)
	{
		last->end = d->buf.len;
		return;
	}
	if (d->nmarks == d->cap)
	{
		d->cap = d->cap ? d->cap * 2 : 8;
		d->marks = mem_realloc(d->marks, sizeof(DeferMark) * (size_t) d->cap);
	}
	d->marks[d->nmarks].seq = seq;
	d->marks[d->nmarks].after_all = after_all;
	d->marks[d->nmarks].follow = follow;
	d->marks[d->nmarks].end = d->buf.len;
	d->nmarks++;
}

void
defer_out_hold(DeferOut *d, uint64_t seq, bool after_all, const void *p, size_t n)
{
	pqbuf_put_bytes(&d->buf, p, n);
	add_mark(d, seq, after_all, false);
}

void
defer_out_follow(DeferOut *d, const void *p, size_t n)
{
	DeferMark  *last = &d->marks[d->nmarks - 1];

	pqbuf_put_bytes(&d->buf, p, n);
	add_mark(d, last->seq, last->after_all, true);
}

void
defer_out_replace(DeferOut *d, uint64_t seq, const void *p, size_t n)
{
	PqBuf		out;
	size_t		start, end;
	int			k;

	for (k = 0; k < d->nmarks; k++)
		if (d->marks[k].seq == seq && !d->marks[k].after_all && !d->marks[k].follow)
			break;
	if (k == d->nmarks)
		return;
	start = k > 0 ? d->marks[k - 1].end : d->head;
	end = d->marks[k].end;
	pqbuf_init(&out);
	pqbuf_put_bytes(&out, d->buf.data, start);
	pqbuf_put_bytes(&out, p, n);
	pqbuf_put_bytes(&out, d->buf.data + end, d->buf.len - end);
	for (int i = k; i < d->nmarks; i++)
		d->marks[i].end = d->marks[i].end - end + start + n;
	pqbuf_free(&d->buf);
	d->buf = out;
}

size_t
defer_out_release(DeferOut *d, uint64_t answered, uint64_t completed, PqBuf *out)
{
	int			k = 0;
	size_t		end, moved;

	while (k < d->nmarks && d->marks[k].seq <= (d->marks[k].after_all ? completed : answered))
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
