/*
 * recovery_exec.c: fork/exec a recovery script or pg_ctl from a backend.
 *
 * Runs in a PostgreSQL backend executing pgpool_recovery() and friends.
 * system() would be wrong here: the child would inherit the backend's
 * signal handlers and ignored signals (SIGPIPE is ignored in backends, so
 * a script's pipelines would misbehave), and the backend could neither see
 * the script's error output nor notice a query cancel while it waits.  So
 * the child gets default signal dispositions and an empty signal mask, its
 * stderr is a pipe we read (and copy to the server log, as system() would
 * have), and the backend waits on its latch, checking for interrupts.
 */
#include "postgres.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/wait_event.h"

#include "recovery_exec.h"

#define TAIL_MAX_BYTES	2048
#define TAIL_MAX_LINES	20
#define WAIT_POLL_MS	100
#define KILL_GRACE_MS	5000

/* The last TAIL_MAX_BYTES bytes of the child's stderr. */
typedef struct StderrTail
{
	char		buf[TAIL_MAX_BYTES];
	size_t		len;
	bool		truncated;		/* earlier output was dropped */
} StderrTail;

static void exec_child(const char *path, char *const argv[], int errfd) pg_attribute_noreturn();

static void
tail_append(StderrTail *tail, const char *data, size_t n)
{
	if (n >= TAIL_MAX_BYTES)
	{
		memcpy(tail->buf, data + n - TAIL_MAX_BYTES, TAIL_MAX_BYTES);
		tail->truncated = tail->truncated || tail->len > 0 || n > TAIL_MAX_BYTES;
		tail->len = TAIL_MAX_BYTES;
		return;
	}
	if (tail->len + n > TAIL_MAX_BYTES)
	{
		size_t		drop = tail->len + n - TAIL_MAX_BYTES;

		memmove(tail->buf, tail->buf + drop, tail->len - drop);
		tail->len -= drop;
		tail->truncated = true;
	}
	memcpy(tail->buf + tail->len, data, n);
	tail->len += n;
}

/* The last TAIL_MAX_LINES lines, without the final newline. */
static char *
tail_text(const StderrTail *tail)
{
	size_t		end = tail->len;
	size_t		start;
	int			lines = 0;

	while (end > 0 && (tail->buf[end - 1] == '\n' || tail->buf[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0)
	{
		if (tail->buf[start - 1] == '\n' && ++lines == TAIL_MAX_LINES)
			break;
		start--;
	}
	return psprintf("%s%.*s", (start > 0 || tail->truncated) ? "...\n" : "",
					(int) (end - start), tail->buf + start);
}

/*
 * Read whatever the pipe holds now.  Every chunk also goes to our own
 * stderr, which is the server log.  Returns false at EOF.
 */
static bool
drain_pipe(int fd, StderrTail *tail)
{
	char		buf[4096];

	for (;;)
	{
		ssize_t		n = read(fd, buf, sizeof(buf));

		if (n > 0)
		{
			tail_append(tail, buf, (size_t) n);
			if (write(STDERR_FILENO, buf, (size_t) n) < 0)
			{
				/* the log is not ours to fix; the tail still has it */
			}
			continue;
		}
		if (n == 0)
			return false;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}
}

/*
 * In the child, between fork and exec: nothing here may touch backend
 * state (no palloc, no ereport).  Signals are still blocked, so none of the
 * backend's handlers can run in this process.
 */
static void
exec_child(const char *path, char *const argv[], int errfd)
{
	struct sigaction dfl;
	sigset_t	none;
	int			sig;
	int			devnull;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void) sigaction(sig, &dfl, NULL);	/* EINVAL for KILL, STOP, libc's own */

	/* own process group: a cancel can stop the script and what it started */
	(void) setpgid(0, 0);

	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != STDIN_FILENO)
	{
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	if (errfd != STDERR_FILENO)
	{
		dup2(errfd, STDERR_FILENO);
		close(errfd);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (chdir(DataDir) == 0)
		execv(path, argv);
	/* what a shell would say and return */
	dprintf(STDERR_FILENO, "could not execute \"%s\": %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Stop a child whose wait was interrupted: TERM, a grace period, KILL. */
static void
kill_child(pid_t pid)
{
	int			status;
	int			waited;

	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (waited = 0; waited < KILL_GRACE_MS; waited += 10)
	{
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		pg_usleep(10 * 1000L);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Wait for pid to exit while reading its stderr; returns its status. */
static int
wait_child(pid_t pid, int fd, StderrTail *tail)
{
	bool		open_pipe = true;
	int			status;

	for (;;)
	{
		int			events = WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH;
		pid_t		r;

		if (open_pipe)
			open_pipe = drain_pipe(fd, tail);
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			ereport(ERROR,
					(errmsg("could not wait for child process %d: %m", (int) pid)));
		if (open_pipe)
			events |= WL_SOCKET_READABLE;
		(void) WaitLatchOrSocket(MyLatch, events, open_pipe ? fd : PGINVALID_SOCKET,
								 WAIT_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	/*
	 * Take only what is there: a daemon the script started in the
	 * background may hold the pipe open for as long as it lives.
	 */
	if (open_pipe)
		(void) drain_pipe(fd, tail);
	return status;
}

void
recovery_exec_run(const char *path, char *const argv[], bool kill_on_cancel,
				  RecoveryExecResult *result)
{
	StderrTail *tail = palloc0(sizeof(StderrTail));
	int			fds[2];
	sigset_t	all;
	sigset_t	saved;
	pid_t		pid;
	int			fork_errno;
	volatile int status = 0;

	if (pipe(fds) < 0)
		ereport(ERROR, (errmsg("could not create pipe: %m")));
	(void) fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	(void) fcntl(fds[0], F_SETFL, O_NONBLOCK);
	(void) fcntl(fds[1], F_SETFD, FD_CLOEXEC);	/* dup2 clears it on fd 2 */

	fflush(NULL);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	pid = fork();
	if (pid == 0)
		exec_child(path, argv, fds[1]);
	fork_errno = errno;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(fds[1]);
	if (pid < 0)
	{
		close(fds[0]);
		errno = fork_errno;
		ereport(ERROR, (errmsg("could not fork to run \"%s\": %m", path)));
	}

	PG_TRY();
	{
		status = wait_child(pid, fds[0], tail);
	}
	PG_CATCH();
	{
		if (kill_on_cancel)
			kill_child(pid);
		close(fds[0]);
		PG_RE_THROW();
	}
	PG_END_TRY();
	close(fds[0]);

	result->status = status;
	result->stderr_tail = tail_text(tail);
	pfree(tail);
}

void
recovery_exec_check(const char *what, const char *name, const RecoveryExecResult *result,
					const char *missing_hint)
{
	int			status = result->status;
	const char *tail = result->stderr_tail;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("%s \"%s\" failed with exit code %d", what, name, WEXITSTATUS(status)),
				 tail[0] ? errdetail("Its standard error ended with:\n%s", tail) : 0,
				 (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126) && missing_hint
				 ? errhint("%s", missing_hint) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("%s \"%s\" was terminated by signal %d: %s", what, name,
					WTERMSIG(status), pg_strsignal(WTERMSIG(status))),
			 tail[0] ? errdetail("Its standard error ended with:\n%s", tail) : 0));
}
