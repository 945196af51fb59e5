/*
 * qc_capture.c: collect a backend's answer to one cacheable SELECT while
 * it is relayed to the client.  Pure: fed frame by frame by the relay.
 *
 * Simple protocol: everything before ReadyForQuery must be RowDescription,
 * DataRows and CommandComplete; anything else (an error, a notice, an
 * empty query) spoils it.  Extended protocol: the answer of the k-th Bind
 * of the batch runs from its BindComplete to its CommandComplete; it is
 * kept only with a RowDescription (Describe of the portal), so that a later
 * hit can answer a Describe too.
 */
#include "qc_int.h"

#include "config/config.h"

#include <string.h>

void
qc_capture_init(QcCapture *c)
{
	memset(c, 0, sizeof(*c));
	pqbuf_init(&c->data);
}

void
qc_capture_free(QcCapture *c)
{
	pqbuf_free(&c->data);
}

static void
append(QcCapture *c, const char *frame, size_t size)
{
	size_t		max = pool_config ? (size_t) pool_config->memqcache_maxcache : SIZE_MAX;

	if (c->data.len + size > max)
	{
		c->failed = true;		/* too large: the store would refuse it */
		return;
	}
	pqbuf_put_bytes(&c->data, frame, size);
}

/* A message of the answer itself; false for one that spoils it. */
static bool
answer_frame(QcCapture *c, char type, const char *frame, size_t size)
{
	switch (type)
	{
		case PQ_BE_ROW_DESCRIPTION:
			c->has_desc = true;
			/* fall through */
		case PQ_BE_DATA_ROW:
			append(c, frame, size);
			return true;
		case PQ_BE_COMMAND_COMPLETE:
			if (c->complete)
				return false;	/* a second statement */
			c->complete = true;
			append(c, frame, size);
			return true;
		case PQ_BE_PARAMETER_STATUS:
		case PQ_BE_PARAMETER_DESCRIPTION:
		case PQ_BE_READY_FOR_QUERY:
			return true;
		default:
			return false;		/* an error, a notice, a suspended portal, NoData, ... */
	}
}

static void
extended_frame(QcCapture *c, char type, const char *frame, size_t size)
{
	if (type == PQ_BE_BIND_COMPLETE && ++c->binds_seen == c->bind_ordinal)
	{
		c->active = true;
		return;
	}
	if (!c->active)
		return;
	if (!answer_frame(c, type, frame, size))
		c->failed = true;
	if (c->complete || c->failed)
		c->active = false;
}

void
qc_capture_frame(QcCapture *c, char type, const char *frame, size_t size, bool whole)
{
	if (c->failed)
		return;
	if (!whole)
	{
		c->failed = true;
		return;
	}
	if (c->bind_ordinal == 0)
	{
		if (!answer_frame(c, type, frame, size))
			c->failed = true;
	}
	else
		extended_frame(c, type, frame, size);
}

bool
qc_capture_storable(const QcCapture *c)
{
	return !c->failed && c->complete && c->has_desc;
}
