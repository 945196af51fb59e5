/*
 * signals.c: install a process's signal table (see signals.h).
 */
#include "utils/signals.h"

#include <string.h>

void
signals_install(const SignalAction *actions, int n, sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t	block;

	sigemptyset(&block);
	for (int i = 0; i < n; i++)
	{
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = actions[i].handler;
		sigaction(actions[i].signo, &sa, NULL);
		if (actions[i].blocked)
			sigaddset(&block, actions[i].signo);
	}
	sigprocmask(SIG_SETMASK, &block, NULL);
	if (wait_mask)
		sigemptyset(wait_mask);
}
