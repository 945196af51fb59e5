/*
 * signals.h: a process's signal dispositions as one table.
 *
 * pgpool's processes keep the signals they act on blocked and take them
 * only while waiting (ppoll/sigtimedwait with an empty mask), so a signal
 * is never lost between a check and a wait and no handler interrupts
 * half-done work.
 */
#ifndef PGPOOL_UTILS_SIGNALS_H
#define PGPOOL_UTILS_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

typedef struct SignalAction
{
	int			signo;
	void		(*handler) (int);	/* a function, SIG_IGN or SIG_DFL */
	bool		blocked;		/* delivered only while the process waits */
} SignalAction;

/*
 * Install every action of the table and set the signal mask to exactly the
 * blocked ones.  wait_mask (may be NULL) receives the mask to wait with: empty.
 */
void		signals_install(const SignalAction *actions, int n, sigset_t *wait_mask);

#endif
