/*
 * wd_heartbeat.c: the heartbeat lifecheck's UDP processes.  One receiver
 * (this node's heartbeat port) stamps each peer's last heartbeat in shared
 * memory; one sender per peer sends a signed heartbeat frame every
 * wd_heartbeat_keepalive seconds (out of heartbeat_deviceN when set).  The
 * lifecheck process (wd_lifecheck.c) turns the stamps into verdicts.
 */
#include "wd_int.h"

#include "utils/clock.h"
#include "utils/log.h"
#include "utils/worker.h"
#include "utils/ps_status.h"
#include "utils/signals.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t got_shutdown;

static void
on_shutdown(int sig)
{
	(void) sig;
	got_shutdown = 1;
}

int
wd_count_hb_receiver(const PoolConfig *cfg)
{
	return cfg->use_watchdog && cfg->wd_lifecheck_method == WDLM_HEARTBEAT ? 1 : 0;
}

int
wd_count_hb_sender(const PoolConfig *cfg)
{
	if (!cfg->use_watchdog || cfg->wd_lifecheck_method != WDLM_HEARTBEAT || wd_cluster()->nnodes < 1)
		return 0;
	return wd_cluster()->nnodes - 1;
}

static void
setup(const char *name, sigset_t *wait_mask)
{
	static const SignalAction actions[] = {
		{SIGTERM, on_shutdown, true},
		{SIGINT, on_shutdown, true},
		{SIGQUIT, on_shutdown, true},
		{SIGHUP, SIG_IGN, false},
		{SIGUSR1, SIG_IGN, false},
		{SIGPIPE, SIG_IGN, false},
	};

	worker_become(name, SIGKILL);
	ps_status_set("%s", name);
	signals_install(actions, sizeof(actions) / sizeof(actions[0]), wait_mask);
}

static int
udp_socket(const char *host, int port, bool passive, struct sockaddr_storage *addr, socklen_t *len)
{
	struct addrinfo hints, *res = NULL;
	char		service[16];
	int			fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = passive ? AF_INET : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	snprintf(service, sizeof(service), "%d", port);
	if (host && (host[0] == '\0' || strcmp(host, "*") == 0))
		host = NULL;
	if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
		return -1;
	fd = socket(res->ai_family, SOCK_DGRAM, 0);
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return fd;
}

void
wd_hb_receiver_main(int index)
{
	const WdClusterConfig *c = wd_cluster();
	const PoolConfig *cfg = pool_config;
	const char *addr = cfg->wd_heartbeat_listen_addresses;
	int			port = cfg->wd_heartbeat_listen_port > 0 ? cfg->wd_heartbeat_listen_port : c->nodes[c->self].hb_port;
	struct sockaddr_storage sa;
	socklen_t	salen;
	sigset_t	wait_mask;
	int			fd, one = 1;

	(void) index;
	setup("heartbeat receiver", &wait_mask);
	fd = udp_socket(addr, port, true, &sa, &salen);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *) &sa, salen) < 0)
	{
		plog(PL_FATAL, "failed to create watchdog heartbeat receive socket on port %d: %m", port);
		exit(1);
	}
	plog(PL_LOG, "watchdog: heartbeat receiver is listening on port %d", port);
	while (!got_shutdown)
	{
		struct pollfd pfd = {fd, POLLIN, 0};
		struct timespec ts = {1, 0};
		uint8_t		buf[WD_MAX_FRAME];
		WdMessage	m;
		size_t		used;
		ssize_t		n;

		if (ppoll(&pfd, 1, &ts, &wait_mask) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) <= 0)
			continue;
		if (wd_msg_decode(buf, (size_t) n, cfg->wd_authkey, &m, &used) != WD_DECODE_OK ||
			m.type != WD_MSG_HEARTBEAT || m.sender < 0 || m.sender >= c->nnodes || m.sender == c->self)
		{
			plog(PL_DEBUG1, "watchdog: ignoring an invalid or unauthenticated heartbeat");
			continue;
		}
		wd_shared->nodes[m.sender].hb_last_ms = clock_monotonic_ms();
	}
	exit(0);
}

/* index counts the peers, skipping this node. */
void
wd_hb_sender_main(int index)
{
	const WdClusterConfig *c = wd_cluster();
	const PoolConfig *cfg = pool_config;
	int			peer = index < c->self ? index : index + 1;
	const WdNodeAddr *to = &c->nodes[peer];
	struct sockaddr_storage sa;
	socklen_t	salen;
	sigset_t	wait_mask;
	int			fd;
	char		title[64];

	snprintf(title, sizeof(title), "heartbeat sender %d", peer);
	setup(title, &wait_mask);
	if ((fd = udp_socket(to->hb_host, to->hb_port, false, &sa, &salen)) < 0)
	{
		plog(PL_FATAL, "failed to create watchdog heartbeat sender socket for \"%s\" port %d",
			 to->hb_host, to->hb_port);
		exit(1);
	}
	if (to->hb_device[0] &&
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, to->hb_device, (socklen_t) strlen(to->hb_device)) < 0)
		plog(PL_WARNING, "could not bind the heartbeat socket to device \"%s\": %m", to->hb_device);
	while (!got_shutdown)
	{
		WdMessage	m;
		uint8_t		buf[WD_MAX_FRAME];
		size_t		len;
		struct timespec ts = {cfg->wd_heartbeat_keepalive, 0};

		wd_msg_init(&m, WD_MSG_HEARTBEAT, c->self, 0, -1, cfg->wd_priority, 0);
		len = wd_msg_encode(&m, cfg->wd_authkey, buf, sizeof(buf));
		if (sendto(fd, buf, len, 0, (struct sockaddr *) &sa, salen) < 0 && errno != ECONNREFUSED)
			plog(PL_DEBUG1, "could not send a heartbeat to \"%s\" port %d: %m", to->hb_host, to->hb_port);
		ppoll(NULL, 0, &ts, &wait_mask);
	}
	exit(0);
}
