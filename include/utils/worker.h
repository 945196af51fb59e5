/*
 * worker.h: what every pgpool worker process (health check, sr check,
 * query cache WAL worker, watchdog processes) does the same way: become a
 * named process that dies with its parent, keep its signals blocked and
 * take them only while it sleeps, and reload the configuration on SIGHUP
 * through a callback the parent's layer sets (no worker includes main/).
 */
#ifndef PGPOOL_UTILS_WORKER_H
#define PGPOOL_UTILS_WORKER_H

#include <signal.h>
#include <stdbool.h>

/* What SIGHUP runs in a worker (set by the parent's layer before the worker starts). */
void		worker_set_reload(void (*reload) (void));

/* Run the reload callback (nothing if none was set). */
void		worker_reload(void);

/*
 * Become the worker called name: process name for log lines, exit when
 * the parent dies (pdeathsig, 0: stay) or is already gone.
 */
void		worker_become(const char *name, int pdeathsig);

/*
 * The usual worker dispositions: SIGTERM/SIGINT/SIGQUIT/SIGHUP/SIGUSR1
 * blocked (taken by worker_sleep / worker_take_signals), SIGPIPE ignored.
 */
void		worker_setup_signals(void);

/* Wait up to seconds (ms: milliseconds) taking signals: exit on shutdown, reload on SIGHUP. */
void		worker_sleep(int seconds);
void		worker_sleep_ms(int ms);

/* Take the signals already pending without waiting (same handling as worker_sleep). */
void		worker_take_signals(void);

#endif
