/*
 * multi_si.c: a session's part in snapshot isolation (see
 * replication/si_order.h).  Right after a transaction begins, a hidden
 * "SELECT 1" on every node takes the transaction's snapshot everywhere
 * inside a snapshot window; a COMMIT reaches the nodes inside a commit
 * window.  A window is entered when its request's bytes leave for the
 * nodes (earlier requests of the session complete by then, so the session
 * holds at most one window) and left when the request is complete on every
 * node.  Runs in a child process, snapshot_isolation mode only: the
 * snapshot mode's hooks (multi_mode_replicating.c) call it.
 */
#include "session/multi.h"
#include "multi_mode.h"

#include "replication/si_order.h"

static void
pending_add(MultiState *m, const RelayEntry *e)
{
	for (int i = 0; i < m->si_npending; i++)
		if (m->si_pending[i] == e->seq)
			return;
	m->si_pending_kind[m->si_npending] = e->si_window;
	m->si_pending[m->si_npending++] = e->seq;
}

void
multi_si_on_send(Session *s, const RelayEntry *e, bool held)
{
	MultiState *m = s->multi;

	if (e->si_window == SI_WINDOW_NONE || m->si_active == e->seq)
		return;
	if (held)
		pending_add(m, e);
	else
	{
		si_order_enter((SiWindow) e->si_window);
		m->si_active = e->seq;
	}
}

void
multi_si_progress(Session *s, uint64_t completed)
{
	MultiState *m = s->multi;

	if (m->si_active && completed >= m->si_active)
	{
		si_order_leave();
		m->si_active = 0;
	}
	if (m->si_active == 0 && m->si_npending > 0 && completed + 1 >= m->si_pending[0])
	{
		si_order_enter((SiWindow) m->si_pending_kind[0]);
		m->si_active = m->si_pending[0];
		m->si_npending--;
		for (int i = 0; i < m->si_npending; i++)
		{
			m->si_pending[i] = m->si_pending[i + 1];
			m->si_pending_kind[i] = m->si_pending_kind[i + 1];
		}
	}
}

bool
multi_si_snapshot(Session *s)
{
	MultiState *m = s->multi;
	RelayEntry *e;
	PqBuf		q;

	/* (snapshot isolation's after_begin, multi_mode_replicating.c) */
	if (m->si_npending >= MULTI_SI_PENDING)
		return true;
	if ((e = relay_queue_push(&m->queue, &m->connected, -1)) == NULL)
		return false;
	e->si_window = SI_WINDOW_SNAPSHOT;
	/* while the session still holds a window, this one waits for it (barrier) */
	e->barrier = m->si_active != 0;
	pqbuf_init(&q);
	pq_put_query(&q, "SELECT 1");
	multi_send(s, &m->connected, q.data, q.len);
	pqbuf_free(&q);
	return true;
}

void
multi_si_end_session(Session *s)
{
	if (s->multi->si_active)
		si_order_leave();
	s->multi->si_active = 0;
	s->multi->si_npending = 0;
}
