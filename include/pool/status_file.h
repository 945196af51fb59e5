/*
 * status_file.h: pgpool_status in logdir, so a node that went down stays
 * down across a restart of pgpool (until attached again, or pgpool -D).
 */
#ifndef PGPOOL_POOL_STATUS_FILE_H
#define PGPOOL_POOL_STATUS_FILE_H

#include <stdbool.h>

/* Parent, at start: apply <logdir>/pgpool_status to the node table (unless discard). */
void		status_file_load(const char *logdir, bool discard);

/* Write the node table's statuses to <logdir>/pgpool_status. */
void		status_file_save(const char *logdir);

#endif
