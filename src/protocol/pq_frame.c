/*
 * pq_frame.c: the frame scanner (see pq_frame.h).
 */
#include "protocol/pq_frame.h"

#include "protocol/pq_message.h"

PqFrame
pq_frame_peek(const char *p, size_t avail, int64_t skip)
{
	PqFrame		f = {0};

	if (skip > 0)
	{
		f.status = avail > 0 ? PQ_FRAME_SKIP : PQ_FRAME_NONE;
		f.size = avail < (size_t) skip ? avail : (size_t) skip;
		return f;
	}
	if (avail < 5)
		return f;
	f.type = p[0];
	f.len = pq_peek_int32(p + 1);
	if (f.len < 4)
	{
		f.status = PQ_FRAME_BAD;
		return f;
	}
	f.body = p + 5;
	if ((size_t) f.len + 1 <= avail)
	{
		f.status = PQ_FRAME_WHOLE;
		f.size = (size_t) f.len + 1;
	}
	else
	{
		f.status = PQ_FRAME_PART;
		f.size = avail;
	}
	f.body_avail = f.size - 5;
	return f;
}

size_t
pq_frame_take(const PqFrame *f, int64_t *skip)
{
	if (f->status == PQ_FRAME_SKIP)
		*skip -= (int64_t) f->size;
	else if (f->status == PQ_FRAME_PART)
		*skip = (int64_t) f->len + 1 - (int64_t) f->size;
	return f->size;
}
