/*
 * wd_ipc.c: the watchdog's local command socket, for wd_cli and any
 * external lifecheck: a UNIX socket "<wd_ipc_socket_dir>/.s.PGPOOLWD_CMD.<wd_port>"
 * served by the watchdog process between its loops (requests are tiny and
 * answered at once).
 *
 * Protocol (text lines): the client sends the wd_authkey (an empty line
 * when none is set), then one command:
 *   NODES                          every node, one line each:
 *                                  id TAB state TAB state name TAB name TAB host
 *                                  TAB wd port TAB pgpool port TAB lost (0/1)
 *                                  then "END"
 *   INFORM id DEAD|ALIVE message   an external lifecheck's verdict on a peer
 * Answers end with "END", "OK" or "ERROR text".
 */
#include "wd_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define WD_IPC_MAX_REQ 1024

static int	ipc_fd = -1;
static char ipc_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];

bool
wd_ipc_open(const PoolConfig *cfg, int wd_port)
{
	struct sockaddr_un addr;
	const char *dir = cfg->wd_ipc_socket_dir && cfg->wd_ipc_socket_dir[0] ? cfg->wd_ipc_socket_dir : "/tmp";

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (snprintf(ipc_path, sizeof(ipc_path), "%s/.s.PGPOOLWD_CMD.%d", dir, wd_port) >= (int) sizeof(ipc_path))
	{
		plog(PL_WARNING, "watchdog IPC socket path in \"%s\" is too long: wd_cli cannot reach this node", dir);
		ipc_path[0] = '\0';
		return false;
	}
	str_copy(addr.sun_path, ipc_path, sizeof(addr.sun_path));
	unlink(ipc_path);
	ipc_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ipc_fd < 0 || bind(ipc_fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(ipc_fd, 8) < 0)
	{
		plog(PL_WARNING, "could not open the watchdog IPC socket \"%s\": %m", ipc_path);
		if (ipc_fd >= 0)
			close(ipc_fd);
		ipc_fd = -1;
		return false;
	}
	chmod(ipc_path, 0700);
	return true;
}

void
wd_ipc_close(void)
{
	if (ipc_fd >= 0)
	{
		close(ipc_fd);
		unlink(ipc_path);
	}
	ipc_fd = -1;
}

/* Read the request (two lines) within half a second. */
static bool
read_request(int fd, char *buf, size_t cap)
{
	size_t		len = 0;
	int			lines = 0;

	while (lines < 2 && len + 1 < cap)
	{
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t		n;

		if (poll(&p, 1, 500) <= 0)
			return false;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return false;
		for (ssize_t i = 0; i < n; i++)
			if (buf[len + i] == '\n')
				lines++;
		len += (size_t) n;
	}
	buf[len] = '\0';
	return lines >= 2;
}

static void
reply(int fd, const char *text)
{
	size_t		off = 0, len = strlen(text);

	while (off < len)
	{
		ssize_t		n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		off += (size_t) n;
	}
}

static void
reply_nodes(int fd, const WdFsm *f)
{
	char		line[WD_NAME_LEN + WD_HOST_LEN + 128];

	for (int i = 0; i < wd_shared->nnodes; i++)
	{
		const WdNodeShared *n = &wd_shared->nodes[i];
		int			st = wd_fsm_node_state(f, i);

		snprintf(line, sizeof(line), "%d\t%d\t%s\t%s\t%s\t%d\t%d\t%d\n", i, st, wd_state_name(st), n->name,
				 n->host, n->wd_port, n->pgpool_port, n->lifecheck_lost ? 1 : 0);
		reply(fd, line);
	}
	reply(fd, "END\n");
}

static void
inform(int fd, const WdFsm *f, const char *args)
{
	int			id, used = 0;
	char		status[16];

	if (sscanf(args, "%d %15s %n", &id, status, &used) < 2 || id < 0 || id >= wd_shared->nnodes)
	{
		reply(fd, "ERROR invalid node\n");
		return;
	}
	if (id == f->self)
	{
		reply(fd, "ERROR the local node's status cannot be informed\n");
		return;
	}
	if (strcasecmp(status, "DEAD") != 0 && strcasecmp(status, "ALIVE") != 0)
	{
		reply(fd, "ERROR the status must be DEAD or ALIVE\n");
		return;
	}
	plog_ex(PL_LOG, used > 0 && args[used] ? log_fmt("message: %s", args + used) : NULL, NULL,
			"watchdog node %d is informed %s by the external lifecheck", id, status);
	wd_shared->nodes[id].lifecheck_lost = strcasecmp(status, "DEAD") == 0;
	reply(fd, "OK\n");
}

static void
serve(int fd, const WdFsm *f)
{
	char		buf[WD_IPC_MAX_REQ];
	const char *key = pool_config->wd_authkey ? pool_config->wd_authkey : "";
	char	   *cmd, *nl;

	if (!read_request(fd, buf, sizeof(buf)))
		return;
	nl = strchr(buf, '\n');
	*nl = '\0';
	cmd = nl + 1;
	if ((nl = strchr(cmd, '\n')) != NULL)
		*nl = '\0';
	if (strcmp(buf, key) != 0)
	{
		plog(PL_WARNING, "watchdog IPC: a client failed to authenticate");
		reply(fd, "ERROR authentication failed: the wd_authkey does not match\n");
		return;
	}
	if (strcmp(cmd, "NODES") == 0)
		reply_nodes(fd, f);
	else if (strncmp(cmd, "INFORM ", 7) == 0)
		inform(fd, f, cmd + 7);
	else
		reply(fd, "ERROR unknown command\n");
}

void
wd_ipc_poll(const WdFsm *f)
{
	int			fd;

	if (ipc_fd < 0)
		return;
	while ((fd = accept4(ipc_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
	{
		serve(fd, f);
		close(fd);
	}
}
