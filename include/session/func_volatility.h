/*
 * func_volatility.h: how volatile the functions a statement calls are, as
 * the catalog (pg_proc.provolatile) says; with both function lists empty a
 * SELECT calling a volatile function goes to the primary and counts as a
 * write (pgpool-II's default).
 *
 * Children only.  Asked of the session's primary (main) node over the
 * session's own connection while it is idle, so functions created earlier
 * in the session's open transaction count; cached per process (see
 * func_volatility.c for what is kept across sessions).
 *
 * Interface routines:
 *   func_volatility            - the worst volatility of a statement's calls
 *   func_volatility_forget     - forget every cached answer
 *   func_volatility_note       - a statement was routed: DDL, SET search_path, ...
 *   func_volatility_end_session - the session ended
 */
#ifndef PGPOOL_SESSION_FUNC_VOLATILITY_H
#define PGPOOL_SESSION_FUNC_VOLATILITY_H

#include "router/router.h"

struct Session;

/*
 * Worst volatility among the functions facts calls: 'i' immutable, 's'
 * stable, 'v' volatile; 'i' when it calls none; 0 when it cannot be known
 * now (no idle node to ask).  Unknown function names count as 'v'.
 * Overloads: the worst of them.  Schema-qualified names respected.
 */
char		func_volatility(struct Session *s, const StmtFacts *f);

/* Forget every cached answer (after CREATE/ALTER/DROP FUNCTION or PROCEDURE). */
void		func_volatility_forget(void);

/*
 * A statement of the session was routed: function DDL forgets every
 * answer (and again when its transaction ends, as a rollback undoes it);
 * a change of search_path or role forgets the answers that depend on it.
 */
void		func_volatility_note(struct Session *s, const StmtFacts *f);

/* The session ended: forget what held only for it. */
void		func_volatility_end_session(void);

#endif
