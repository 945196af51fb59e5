/*
 * worker.c: the signal handling and start-up pgpool's worker processes
 * share (see worker.h): signals stay blocked and are taken synchronously
 * while the worker sleeps, so a worker never stops in the middle of a check.
 */
#include "utils/worker.h"
#include "utils/log.h"
#include "utils/ps_status.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static sigset_t worker_signals;
static void (*reload_fn) (void);

void
worker_set_reload(void (*reload) (void))
{
	reload_fn = reload;
}

void
worker_reload(void)
{
	if (reload_fn)
		reload_fn();
}

void
worker_become(const char *name, int pdeathsig)
{
	if (pdeathsig != 0)
		prctl(PR_SET_PDEATHSIG, pdeathsig);
	if (getppid() == 1)
		exit(0);
	log_set_process_name(name);
}

void
worker_setup_signals(void)
{
	sigemptyset(&worker_signals);
	sigaddset(&worker_signals, SIGTERM);
	sigaddset(&worker_signals, SIGINT);
	sigaddset(&worker_signals, SIGQUIT);
	sigaddset(&worker_signals, SIGHUP);
	sigaddset(&worker_signals, SIGUSR1);
	sigprocmask(SIG_BLOCK, &worker_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Act on one signal taken; SIGUSR1 (node table changed) needs nothing: the table is read every round. */
static void
take(int sig)
{
	if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
		exit(0);
	if (sig == SIGHUP)
		worker_reload();
}

void
worker_sleep_ms(int ms)
{
	struct timespec now, until, left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	until.tv_sec = now.tv_sec + (ms > 0 ? ms : 0) / 1000;
	until.tv_nsec = now.tv_nsec + (long) ((ms > 0 ? ms : 0) % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
	{
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	for (;;)
	{
		int			sig;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = until.tv_sec - now.tv_sec;
		left.tv_nsec = until.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
		{
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return;
		sig = sigtimedwait(&worker_signals, NULL, &left);
		if (sig < 0 && errno == EAGAIN)
			return;
		if (sig > 0)
			take(sig);
	}
}

void
worker_sleep(int seconds)
{
	worker_sleep_ms(seconds > 0 ? seconds * 1000 : 0);
}

void
worker_take_signals(void)
{
	struct timespec zero = {0, 0};
	int			sig;

	while ((sig = sigtimedwait(&worker_signals, NULL, &zero)) > 0)
		take(sig);
}
