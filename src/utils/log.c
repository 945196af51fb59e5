/*
 * log.c: the server log of every pgpool process.
 *
 * Each line is written with one write(2) so lines of concurrent processes
 * never interleave.  The prefix follows log_line_prefix; messages follow
 * PostgreSQL's layout ("LOG:  text", "DETAIL:  text").
 */
#include "utils/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static LogSettings settings = {
	.min_level = PL_WARNING,
	.destinations = PL_DEST_STDERR,
	.syslog_facility = LOG_LOCAL0,
	.syslog_ident = "pgpool",
	.line_prefix = "%m: %a pid %p: ",
	.print_timestamp = true,
};
static char process_name[32] = "main";
static char session_db[64];
static char session_user[64];
static long line_number;
static bool syslog_open;
static LogHook log_hook;

static const char *const level_names[] = {
	"DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "INFO", "NOTICE",
	"WARNING", "ERROR", "LOG", "FATAL", "PANIC"
};

void
log_configure(const LogSettings *s)
{
	bool		ident_changed = strcmp(settings.syslog_ident ? settings.syslog_ident : "",
									   s->syslog_ident ? s->syslog_ident : "") != 0;

	if (syslog_open && (ident_changed || s->syslog_facility != settings.syslog_facility))
	{
		closelog();
		syslog_open = false;
	}
	settings = *s;
}

void
log_set_process_name(const char *name)
{
	snprintf(process_name, sizeof(process_name), "%s", name);
}

void
log_set_session(const char *database, const char *user)
{
	snprintf(session_db, sizeof(session_db), "%s", database ? database : "");
	snprintf(session_user, sizeof(session_user), "%s", user ? user : "");
}

void
log_set_hook(LogHook hook)
{
	log_hook = hook;
}

bool
log_level_enabled(int level)
{
	/* FATAL and above always print; LOG ranks above ERROR as in PostgreSQL */
	return level >= settings.min_level || level >= PL_FATAL;
}

const char *
log_level_name(int level)
{
	if (level < PL_DEBUG5 || level > PL_PANIC)
		return "LOG";
	return level_names[level - PL_DEBUG5];
}

int
log_level_from_name(const char *name)
{
	for (int l = PL_DEBUG5; l <= PL_PANIC; l++)
		if (strcasecmp(name, level_names[l - PL_DEBUG5]) == 0)
			return l;
	return -1;
}

const char *
log_fmt(const char *fmt,...)
{
	static char bufs[4][1024];
	static int	next;
	char	   *b = bufs[next++ % 4];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* Append s to buf at *pos, truncating at cap. */
static void
append(char *buf, size_t cap, size_t *pos, const char *s)
{
	size_t		n = strlen(s);

	if (*pos + n >= cap)
		n = cap - *pos - 1;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

static void
format_time(char *out, size_t cap, bool millis)
{
	struct timeval tv;
	struct tm	tm;
	char		base[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	if (millis)
		snprintf(out, cap, "%s.%03d", base, (int) (tv.tv_usec / 1000));
	else
		snprintf(out, cap, "%s", base);
}

/* Expand log_line_prefix into buf. */
static void
format_prefix(char *buf, size_t cap, size_t *pos)
{
	const char *p = settings.line_prefix ? settings.line_prefix : "";
	char		tmp[64];

	for (; *p; p++)
	{
		if (*p != '%' || p[1] == '\0')
		{
			char		c[2] = {*p, '\0'};

			append(buf, cap, pos, c);
			continue;
		}
		p++;
		switch (*p)
		{
			case 'a':
				append(buf, cap, pos, process_name);
				break;
			case 'p':
				snprintf(tmp, sizeof(tmp), "%d", (int) getpid());
				append(buf, cap, pos, tmp);
				break;
			case 't':
			case 'm':
				if (settings.print_timestamp)
				{
					format_time(tmp, sizeof(tmp), *p == 'm');
					append(buf, cap, pos, tmp);
				}
				break;
			case 'd':
				append(buf, cap, pos, session_db);
				break;
			case 'u':
				append(buf, cap, pos, session_user);
				break;
			case 'l':
				snprintf(tmp, sizeof(tmp), "%ld", line_number);
				append(buf, cap, pos, tmp);
				break;
			case '%':
				append(buf, cap, pos, "%");
				break;
			default:
				break;
		}
	}
}

static int
syslog_priority(int level)
{
	if (level >= PL_FATAL)
		return LOG_CRIT;
	if (level == PL_LOG || level == PL_INFO)
		return LOG_INFO;
	if (level == PL_ERROR)
		return LOG_WARNING;
	if (level == PL_WARNING)
		return LOG_NOTICE;
	if (level == PL_NOTICE)
		return LOG_NOTICE;
	return LOG_DEBUG;
}

static void
emit(int level, const char *message, const char *detail, const char *hint)
{
	char		line[8192];
	size_t		pos = 0;
	const char *labels[3] = {log_level_name(level), "DETAIL", "HINT"};
	const char *texts[3] = {message, detail, hint};
	int			saved_errno = errno;

	line_number++;
	line[0] = '\0';
	for (int i = 0; i < 3; i++)
	{
		if (texts[i] == NULL)
			continue;
		format_prefix(line, sizeof(line), &pos);
		append(line, sizeof(line), &pos, labels[i]);
		append(line, sizeof(line), &pos, ":  ");
		append(line, sizeof(line), &pos, texts[i]);
		append(line, sizeof(line), &pos, "\n");
	}
	if (settings.destinations & PL_DEST_STDERR)
	{
		ssize_t		rc = write(STDERR_FILENO, line, pos);

		(void) rc;
	}
	if (settings.destinations & PL_DEST_SYSLOG)
	{
		if (!syslog_open)
		{
			openlog(settings.syslog_ident ? settings.syslog_ident : "pgpool",
					LOG_PID | LOG_NDELAY, settings.syslog_facility);
			syslog_open = true;
		}
		for (int i = 0; i < 3; i++)
			if (texts[i])
				syslog(syslog_priority(level), "[%s] %s:  %s", process_name, labels[i], texts[i]);
	}
	if (log_hook)
		log_hook(level, message, detail, hint);
	errno = saved_errno;
}

void
plog(int level, const char *fmt,...)
{
	char		msg[4096];
	va_list		ap;

	if (!log_level_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg, NULL, NULL);
}

void
plog_ex(int level, const char *detail, const char *hint, const char *fmt,...)
{
	char		msg[4096];
	va_list		ap;

	if (!log_level_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg, detail, hint);
}
