/*
 * worker.c: signal handling shared by pgpool's helper processes (health
 * check, sr check): signals stay blocked and are taken synchronously while
 * the worker sleeps, so a worker never stops in the middle of a check.
 */
#include "health/health.h"
#include "main/pgpool_main.h"
#include "utils/log.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>

static sigset_t worker_signals;

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

void
worker_sleep(int seconds)
{
	struct timespec ts = {seconds > 0 ? seconds : 0, 0};
	time_t		until = time(NULL) + seconds;

	for (;;)
	{
		int			sig = sigtimedwait(&worker_signals, NULL, &ts);

		if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
			exit(0);
		if (sig == SIGHUP)
			main_reload_config(true);
		if (sig < 0 || time(NULL) >= until)
			return;
		ts.tv_sec = until - time(NULL);
	}
}
