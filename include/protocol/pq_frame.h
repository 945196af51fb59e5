/*
 * pq_frame.h: the one frame scanner of every relay.  Both relays (one node,
 * several nodes) and both directions walk a read buffer message by
 * message; a message too large to buffer is passed through in pieces, the
 * bytes still owed counted in a "skip".  This says what the bytes at a
 * position are; the caller decides what to do with them.  Pure, no I/O.
 */
#ifndef PGPOOL_PROTOCOL_PQ_FRAME_H
#define PGPOOL_PROTOCOL_PQ_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum PqFrameStatus
{
	PQ_FRAME_NONE = 0,			/* not even a header: wait for more bytes */
	PQ_FRAME_SKIP,				/* more of a message being passed through */
	PQ_FRAME_WHOLE,				/* a whole message */
	PQ_FRAME_PART,				/* the start of a message longer than what is buffered */
	PQ_FRAME_BAD				/* a length word below 4: the stream is broken */
} PqFrameStatus;

typedef struct PqFrame
{
	PqFrameStatus status;
	char		type;			/* WHOLE, PART, BAD */
	int32_t		len;			/* the length word (WHOLE, PART, BAD) */
	const char *body;			/* after the length word (WHOLE, PART) */
	size_t		body_avail;		/* body bytes buffered */
	size_t		size;			/* buffered bytes the frame covers (SKIP, WHOLE, PART) */
} PqFrame;

/* The frame at p[0..avail), skip bytes of an earlier message still owed. */
PqFrame		pq_frame_peek(const char *p, size_t avail, int64_t skip);

/* Consume f: the bytes it covers; *skip becomes what a PART still owes, or shrinks for a SKIP. */
size_t		pq_frame_take(const PqFrame *f, int64_t *skip);

#endif
