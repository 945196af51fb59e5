/*
 * multi_rebind.c: a named prepared statement that reads the clock, in
 * native replication.
 *
 * The statement runs many times, so no single literal can be frozen into
 * it.  Each Bind of it instead binds a fresh unnamed copy whose clock reads
 * are the transaction's literal (multi_replicate_rewrite): pgpool sends
 * Parse("", rewritten text) and the client's Bind pointed at "", and drops
 * the ParseComplete the client did not ask for.  The client's own unnamed
 * statement, if it has one, is parsed again right after.  Runs in a child.
 */
#include "session/multi.h"
#include "protocol/pq_frame.h"
#include "multi_int.h"

#include "utils/log.h"

#include <stdlib.h>
#include <string.h>

/* Queue a Parse of the unnamed statement and count its ParseComplete as one to drop. */
static void
send_hidden_parse(Session *s, const NodeMask *nodes, const char *msg, size_t len)
{
	MultiState *m = s->multi;

	m->batch->drop_parse |= UINT64_C(1) << m->batch_nparse;
	m->batch_nparse++;
	multi_send(s, nodes, msg, len);
}

void
multi_resend_unnamed(Session *s, const NodeMask *nodes, const StmtInfo *st)
{
	send_hidden_parse(s, nodes, st->parse_msg.data, st->parse_msg.len);
}

bool
multi_rebind(Session *s, const StmtInfo *st, const NodeMask *nodes, const char *bind, size_t len)
{
	MultiState *m = s->multi;
	const char *portal = bind + 5;
	size_t		portal_len = strnlen(portal, len - 5);
	const char *rest = portal + portal_len + 1 + strlen(st->name) + 1;
	const StmtInfo *unnamed = stmt_map_find(&m->stmts, "");
	const char *types = st->query + st->query_len + 1;
	PqBuf		p = {0}, b = {0};
	char	   *text;
	size_t		start;

	if (m->batch == NULL || node_mask_count(nodes) < 2 || m->batch_nparse + 2 >= 64)
		return false;
	if ((text = multi_replicate_rewrite(s, router_analyze(st->query, st->query_len))) == NULL)
		return false;
	if (st->name[0] == '\0')
	{
		/* the unnamed statement's Parse could not be rewritten when it came: now it can */
		bool		again = strcmp(text, st->query) != 0;

		if (again)
		{
			start = pq_begin_message(&p, PQ_FE_PARSE);
			pqbuf_put_string(&p, "");
			pqbuf_put_string(&p, text);
			pqbuf_put_bytes(&p, types, (size_t) (st->parse_msg.data + st->parse_msg.len - types));
			pq_end_message(&p, start);
			send_hidden_parse(s, nodes, p.data, p.len);
			multi_send(s, nodes, bind, len);
			pqbuf_free(&p);
		}
		free(text);
		return again;
	}
	start = pq_begin_message(&p, PQ_FE_PARSE);
	pqbuf_put_string(&p, "");
	pqbuf_put_string(&p, text);
	pqbuf_put_bytes(&p, types, (size_t) (st->parse_msg.data + st->parse_msg.len - types));
	pq_end_message(&p, start);
	start = pq_begin_message(&b, PQ_FE_BIND);
	pqbuf_put_bytes(&b, portal, portal_len + 1);
	pqbuf_put_string(&b, "");
	pqbuf_put_bytes(&b, rest, (size_t) (bind + len - rest));
	pq_end_message(&b, start);
	send_hidden_parse(s, nodes, p.data, p.len);
	multi_send(s, nodes, b.data, b.len);
	if (unnamed)
		send_hidden_parse(s, nodes, unnamed->parse_msg.data, unnamed->parse_msg.len);
	plog(PL_DEBUG1, "prepared statement \"%s\" bound as a copy with one clock value: %s", st->name, text);
	pqbuf_free(&p);
	pqbuf_free(&b);
	free(text);
	return true;
}

void
multi_rebind_count_parse(Session *s)
{
	if (s->multi->batch)
		s->multi->batch_nparse++;
}

size_t
multi_drop_parse_completes(const RelayEntry *e, const char *reply, size_t len, PqBuf *out)
{
	int			ordinal = 0;
	int64_t		no_skip = 0;

	for (size_t pos = 0; pos < len;)
	{
		PqFrame		f = pq_frame_peek(reply + pos, len - pos, 0);
		bool		drop = false;

		if (f.type == PQ_BE_PARSE_COMPLETE)
			drop = ordinal < 64 && (e->drop_parse >> ordinal++) & 1;
		if (!drop)
			pqbuf_put_bytes(out, reply + pos, f.size);
		pos += pq_frame_take(&f, &no_skip);
	}
	return out->len;
}
