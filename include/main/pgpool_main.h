/*
 * pgpool_main.h: the pgpool program: options, the parent (supervisor) and
 * the process kinds it forks.
 */
#ifndef PGPOOL_MAIN_PGPOOL_MAIN_H
#define PGPOOL_MAIN_PGPOOL_MAIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config/config.h"
#include "utils/version.h"


typedef struct PgpoolOptions
{
	char	   *config_file;
	char	   *hba_file;
	char	   *pcp_file;
	char	   *key_file;
	bool		no_daemon;
	bool		discard_status;
	bool		clear_cache;
	bool		clear_oidmaps;
	int			debug;			/* -d given */
	char		stop_mode;		/* 's', 'f', 'i' */
} PgpoolOptions;

extern PgpoolOptions pgpool_options;

/* Push the logging parameters of cfg into the logger. */
void		main_apply_log_settings(const PoolConfig *cfg);

/*
 * Re-read pgpool.conf into a fresh configuration and take its reloadable
 * parameters; quiet suppresses the log lines (children repeat what the
 * parent already said).  Returns false, keeping the old configuration, if
 * the file has errors.
 */
bool		main_reload_config(bool quiet);

/* commands.c: "pgpool stop" and "pgpool reload" */
int			command_stop(const PoolConfig *cfg, char mode);
int			command_reload(const PoolConfig *cfg);

/* pidfile.c */
pid_t		pidfile_read(const char *path);
bool		pidfile_create(const char *path);
void		pidfile_remove(const char *path);

/* listen.c: listening sockets for clients */
int			listen_open(const PoolConfig *cfg, int *fds, int max_fds);
void		listen_close(int *fds, int nfds, const PoolConfig *cfg);

/* parent.c */
int			parent_main(void);

/* child.c */
void		child_main(int index, const int *listen_fds, int nlisten) __attribute__((noreturn));

/* proc_kinds.c: the table of process kinds the parent forks */
typedef struct ProcKind
{
	const char *name;
	int			(*count) (const PoolConfig *cfg);	/* how many of this kind */
	/* the process body; index is 0..count-1 (never returns) */
	void		(*main) (int index, const int *listen_fds, int nlisten);
	bool		restart;		/* respawn when one exits */
} ProcKind;

int			proc_kinds_count(void);
const ProcKind *proc_kind_at(int kind);
/* Fork process `index` of `kind`; returns its pid or -1. */
pid_t		proc_kinds_spawn(int kind, int index, const int *listen_fds, int nlisten);
/* Who was pid?  false if unknown. */
bool		proc_kinds_forget(pid_t pid, int *kind, int *index);
/* Send sig to every live process of every kind; returns how many live. */
int			proc_kinds_signal_all(int sig);
int			proc_kinds_live(void);

#endif
