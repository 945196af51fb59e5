/*
 * ps_status.h: the process title shown by ps ("pgpool: wait for connection
 * request", "pgpool: alice db 127.0.0.1(5432) idle").
 */
#ifndef PGPOOL_UTILS_PS_STATUS_H
#define PGPOOL_UTILS_PS_STATUS_H

/* Call first thing in main(): may move environ so argv's area can be reused. */
void		ps_status_init(int argc, char **argv);

/* Set the title to "pgpool: <formatted text>". */
void		ps_status_set(const char *fmt,...) __attribute__((format(printf, 1, 2)));

#endif
