/*
 * pgpool_recovery.h: what the files of the pgpool_recovery extension share.
 */
#ifndef PGPOOL_RECOVERY_H
#define PGPOOL_RECOVERY_H

/* ERROR (42501) "must be superuser to <what>" unless the caller is one. */
extern void recovery_require_superuser(const char *what);

/* _PG_init of switch_xlog.c: defines pgpool_recovery.switch_xlog_timeout. */
extern void switch_xlog_define_guc(void);

#endif
