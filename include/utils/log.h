/*
 * log.h: server log and error reporting for every pgpool process.
 *
 * Levels follow PostgreSQL's server-log ordering (LOG ranks above ERROR), so
 * log_min_messages = warning still prints LOG lines.  Lines look like
 * PostgreSQL's: "<prefix>LEVEL:  message" then "DETAIL:  ..." / "HINT:  ...".
 * Names carry a PL_ prefix because libpg_query exports PostgreSQL's own
 * DEBUG1/LOG/ERROR symbols.
 */
#ifndef PGPOOL_UTILS_LOG_H
#define PGPOOL_UTILS_LOG_H

#include <stdbool.h>
#include <stdarg.h>

typedef enum PlLevel
{
	PL_DEBUG5 = 10,
	PL_DEBUG4,
	PL_DEBUG3,
	PL_DEBUG2,
	PL_DEBUG1,
	PL_INFO,
	PL_NOTICE,
	PL_WARNING,
	PL_ERROR,
	PL_LOG,
	PL_FATAL,
	PL_PANIC
} PlLevel;

typedef enum PlDestination
{
	PL_DEST_STDERR = 1,
	PL_DEST_SYSLOG = 2
} PlDestination;

/* Settings the logger reads; set by log_configure() from pgpool.conf. */
typedef struct LogSettings
{
	int			min_level;		/* PL_* */
	int			destinations;	/* bitmask of PlDestination */
	int			syslog_facility;	/* LOG_LOCAL0 ... */
	const char *syslog_ident;
	const char *line_prefix;	/* log_line_prefix escapes: %a %p %t %m %d %u %l %% */
	bool		print_timestamp;	/* false: %t and %m print nothing */
} LogSettings;

void		log_configure(const LogSettings *settings);

/* Name shown by %a: "main", "child", "health_check", "pcp_main", ... */
void		log_set_process_name(const char *name);

/* Session facts shown by %d (database) and %u (user); NULL clears. */
void		log_set_session(const char *database, const char *user);

bool		log_level_enabled(int level);

/* Parse "debug1".."debug5", "info", "notice", "warning", "error", "log",
 * "fatal", "panic"; returns -1 if unknown. */
int			log_level_from_name(const char *name);
const char *log_level_name(int level);

void		plog(int level, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/*
 * plog_ex: a message with optional DETAIL and HINT lines (NULL to omit).
 * detail and hint are plain strings; format them with log_fmt() if needed.
 */
void		plog_ex(int level, const char *detail, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

/* A formatted string in one of a few rotating static buffers: for DETAIL/HINT. */
const char *log_fmt(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/*
 * Unit tests: when a hook is set, every emitted message (after level
 * filtering) is passed to it as well as written.  NULL removes it.
 */
typedef void (*LogHook) (int level, const char *message, const char *detail, const char *hint);
void		log_set_hook(LogHook hook);

#define plog_debug(n, ...) \
	do { if (log_level_enabled(PL_DEBUG1 + 1 - (n))) plog(PL_DEBUG1 + 1 - (n), __VA_ARGS__); } while (0)

#endif
