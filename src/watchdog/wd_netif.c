/*
 * wd_netif.c: wd_monitoring_interfaces_list, in the watchdog process.
 * Once a second the link of every monitored interface is read (up and
 * running); when none of them is, the node is in network trouble: it
 * leaves the cluster (IN NETWORK TROUBLE) until one comes back.  "any"
 * means every interface but the loopback; an empty list monitors nothing.
 */
#include "wd_int.h"

#include "utils/log.h"

#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Flags of one interface, -1 if it does not exist. */
static int
if_flags(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	return ifr.ifr_flags;
}

static bool
link_ok(int flags)
{
	return flags >= 0 && (flags & IFF_UP) && (flags & IFF_RUNNING);
}

/* Any non-loopback interface up? */
static bool
any_up(int sock)
{
	struct if_nameindex *all = if_nameindex();
	bool		up = false;

	if (all == NULL)
		return true;			/* cannot tell: do not condemn the node */
	for (struct if_nameindex *i = all; i->if_name && !up; i++)
	{
		int			fl = if_flags(sock, i->if_name);

		if (fl >= 0 && !(fl & IFF_LOOPBACK) && link_ok(fl))
			up = true;
	}
	if_freenameindex(all);
	return up;
}

int
wd_netif_check(const char *list)
{
	char	   *copy, *save = NULL;
	int			sock;
	bool		up = false;

	if (list == NULL || strspn(list, " ,\t") == strlen(list))
		return -1;
	if ((sock = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	copy = strdup(list);
	for (char *tok = strtok_r(copy, ", \t", &save); tok && !up; tok = strtok_r(NULL, ", \t", &save))
	{
		if (strcmp(tok, "any") == 0)
			up = any_up(sock);
		else
			up = link_ok(if_flags(sock, tok));
	}
	free(copy);
	close(sock);
	return up ? 1 : 0;
}
