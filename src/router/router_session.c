/*
 * router_session.c: a session's routing state (explicit transaction,
 * writes so far, isolation levels) and the choice of a load-balance node
 * by backend_weight.
 *
 * Used by children; the RouterSession lives in the session's state and
 * is reset when the client leaves.  The relay feeds it two events: each
 * statement as it is sent (router_session_note), and ReadyForQuery's
 * transaction status (router_session_txn_status), which is authoritative.
 * Noting at send time keeps pipelined statements right: after "BEGIN;
 * INSERT" and before any ReadyForQuery, a SELECT already counts as in a
 * transaction that wrote.
 */
#include <string.h>

#include "router_int.h"

void
router_session_init(RouterSession *s)
{
	memset(s, 0, sizeof(*s));
}

void
router_session_txn_status(RouterSession *s, char status)
{
	bool		in = (status == 'T' || status == 'E');

	if (!in)
	{
		/* the transaction ended: its writes and isolation level go with it */
		s->write_in_transaction = false;
		s->failed_in_transaction = false;
		s->txn_isolation = ROUTER_ISO_DEFAULT;
		router_dml_forget(s);
	}
	else if (status == 'E')
		s->failed_in_transaction = true;
	s->in_transaction = in;
}

static bool
names_default_isolation(const StmtFacts *f)
{
	return f->name != NULL && strcmp(f->name, "default_transaction_isolation") == 0;
}

/* A transaction ends: forget what it wrote and the level it named. */
static void
end_transaction(RouterSession *s, bool chain)
{
	s->write_in_transaction = false;
	s->failed_in_transaction = false;
	router_dml_forget(s);
	if (!chain)
	{
		s->in_transaction = false;
		s->txn_isolation = ROUTER_ISO_DEFAULT;
	}
}

/*
 * Transaction boundaries and isolation levels the statement names (BEGIN,
 * COMMIT/ROLLBACK [AND CHAIN], SET, RESET, DISCARD ALL), ahead of the
 * ReadyForQuery that will confirm them.
 */
static void
note_statement(RouterSession *s, const StmtFacts *f)
{
	switch (f->kind)
	{
		case ROUTER_STMT_BEGIN:
			s->in_transaction = true;
			s->write_in_transaction = false;
			s->failed_in_transaction = false;
			router_dml_forget(s);
			s->txn_isolation = f->isolation;
			break;
		case ROUTER_STMT_COMMIT:
		case ROUTER_STMT_ROLLBACK:
			end_transaction(s, (f->flags & ROUTER_F_CHAIN) != 0);
			break;
		case ROUTER_STMT_PREPARE_TRANSACTION:
			end_transaction(s, false);
			break;
		case ROUTER_STMT_SET_TRANSACTION:
			/* SET TRANSACTION READ ONLY names no level: keep the one we have */
			if (f->isolation != ROUTER_ISO_DEFAULT)
				s->txn_isolation = f->isolation;
			break;
		case ROUTER_STMT_SET_SESSION_CHARACTERISTICS:
			if (f->isolation != ROUTER_ISO_DEFAULT || names_default_isolation(f))
				s->session_isolation = f->isolation;
			break;
		case ROUTER_STMT_RESET:
			if ((f->flags & ROUTER_F_ALL) || names_default_isolation(f))
				s->session_isolation = ROUTER_ISO_DEFAULT;
			break;
		case ROUTER_STMT_DISCARD:
			if (f->flags & ROUTER_F_ALL)
				s->session_isolation = ROUTER_ISO_DEFAULT;
			break;
		default:
			break;
	}
}

void
router_session_note(RouterSession *s, const StmtFacts *facts, const RouterDecision *d)
{
	if (facts != NULL)
		note_statement(s, facts);

	/*
	 * Outside an explicit transaction the flag lasts until the statement's
	 * ReadyForQuery says idle: until then, statements pipelined after it
	 * share its implicit transaction.
	 */
	if (d != NULL && d->is_write)
	{
		s->write_in_session = true;
		s->write_in_transaction = true;
		if (facts != NULL && s->in_transaction)
			router_dml_note_write(s, facts);
	}
}

int
router_choose_load_balance_node(const double *weights, const bool *eligible, int n, double r)
{
	double		total = 0.0,
				point,
				acc = 0.0;
	int			i,
				last = -1;

	for (i = 0; i < n; i++)
	{
		if ((eligible == NULL || eligible[i]) && weights[i] > 0.0)
		{
			total += weights[i];
			last = i;
		}
	}
	if (last < 0)
		return -1;
	if (r < 0.0)
		r = 0.0;
	point = r * total;
	for (i = 0; i < n; i++)
	{
		if ((eligible == NULL || eligible[i]) && weights[i] > 0.0)
		{
			acc += weights[i];
			if (point < acc)
				return i;
		}
	}
	return last;				/* r >= 1 or rounding at the top end */
}
