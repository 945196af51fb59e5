/*
 * hba_match.c: finding the pool_hba.conf rule of a connection.  The first
 * rule whose connection type, database, user and address match decides.
 *
 * Host names match as in PostgreSQL: the client address must resolve
 * (reverse lookup) to the name, or to a name ending in it when the rule
 * starts with '.', and that name must resolve back to the client address.
 * The lookups are done once per connection and only when a host-name rule
 * is reached.  Runs in children.
 */
#include "hba_int.h"

#include "utils/log.h"
#include "utils/str.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

/* Per-call cache of the client's reverse lookup. */
typedef struct HostCache
{
	bool		looked_up;
	bool		ok;				/* name resolved and the forward check passed */
	char		name[NI_MAXHOST];
} HostCache;

static bool
name_listed(const HbaName *names, int n, const char *value, const char *user, bool database)
{
	for (int i = 0; i < n; i++)
	{
		const HbaName *it = &names[i];

		if (!it->quoted && strcmp(it->name, "all") == 0)
			return true;
		if (database && !it->quoted && strcmp(it->name, "sameuser") == 0)
		{
			if (strcmp(value, user) == 0)
				return true;
			continue;
		}
		if (database && !it->quoted && strcmp(it->name, "replication") == 0)
			continue;			/* pgpool does not serve replication connections */
		if (strcmp(it->name, value) == 0)
			return true;
	}
	return false;
}

/* The address bytes of a socket address; IPv4-mapped IPv6 counts as IPv4. */
static const uint8_t *
addr_bytes(const struct sockaddr *sa, int *family, int *len)
{
	if (sa->sa_family == AF_INET)
	{
		*family = AF_INET;
		*len = 4;
		return (const uint8_t *) &((const struct sockaddr_in *) sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6)
	{
		const uint8_t *b = (const uint8_t *) &((const struct sockaddr_in6 *) sa)->sin6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (memcmp(b, mapped, 12) == 0)
		{
			*family = AF_INET;
			*len = 4;
			return b + 12;
		}
		*family = AF_INET6;
		*len = 16;
		return b;
	}
	*family = 0;
	*len = 0;
	return NULL;
}

static bool
addr_in_net(const struct sockaddr *client, const struct sockaddr *net, const struct sockaddr *mask)
{
	int			fc, fn, fm, lc, ln, lm;
	const uint8_t *c = addr_bytes(client, &fc, &lc);
	const uint8_t *n = addr_bytes(net, &fn, &ln);
	const uint8_t *m = addr_bytes(mask, &fm, &lm);

	if (c == NULL || n == NULL || m == NULL || fc != fn || lc != lm)
		return false;
	for (int i = 0; i < lc; i++)
		if ((c[i] & m[i]) != (n[i] & m[i]))
			return false;
	return true;
}

static bool
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	int			fa, fb, la, lb;
	const uint8_t *x = addr_bytes(a, &fa, &la);
	const uint8_t *y = addr_bytes(b, &fb, &lb);

	return x && y && fa == fb && la == lb && memcmp(x, y, (size_t) la) == 0;
}

/* samehost: one of this machine's addresses; samenet: in one of its networks. */
static bool
match_interfaces(const struct sockaddr *client, bool net)
{
	struct ifaddrs *ifs, *i;
	bool		found = false;

	if (getifaddrs(&ifs) != 0)
		return false;
	for (i = ifs; i && !found; i = i->ifa_next)
	{
		if (i->ifa_addr == NULL)
			continue;
		if (net && i->ifa_netmask)
			found = addr_in_net(client, i->ifa_addr, i->ifa_netmask);
		else if (!net)
			found = same_addr(client, i->ifa_addr);
	}
	freeifaddrs(ifs);
	return found;
}

/* Reverse-resolve the client and check the name resolves back to it. */
static void
lookup_client(const HbaClient *c, HostCache *hc)
{
	struct addrinfo hints, *res = NULL, *ai;

	hc->looked_up = true;
	if (getnameinfo(c->addr, c->addrlen, hc->name, sizeof(hc->name), NULL, 0, NI_NAMEREQD) != 0)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->addr->sa_family;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(hc->name, NULL, &hints, &res) != 0)
		return;
	for (ai = res; ai && !hc->ok; ai = ai->ai_next)
		hc->ok = same_addr(ai->ai_addr, c->addr);
	freeaddrinfo(res);
	if (!hc->ok)
		plog(PL_DEBUG1, "pool_hba: client address resolves to \"%s\", which does not resolve back to it",
			 hc->name);
}

static bool
match_hostname(const char *rule_name, const HbaClient *c, HostCache *hc)
{
	size_t		rl, nl;

	if (!hc->looked_up)
		lookup_client(c, hc);
	if (!hc->ok)
		return false;
	rl = strlen(rule_name);
	nl = strlen(hc->name);
	if (rule_name[0] == '.')
		return nl > rl && strcasecmp(hc->name + nl - rl, rule_name) == 0;
	return strcasecmp(hc->name, rule_name) == 0;
}

static bool
match_address(const HbaRule *r, const HbaClient *c, HostCache *hc)
{
	switch (r->addr_kind)
	{
		case HBA_ADDR_ALL:
			return true;
		case HBA_ADDR_CIDR:
			return addr_in_net(c->addr, (const struct sockaddr *) &r->addr,
							   (const struct sockaddr *) &r->mask);
		case HBA_ADDR_HOSTNAME:
			return match_hostname(r->hostname, c, hc);
		case HBA_ADDR_SAMEHOST:
			return match_interfaces(c->addr, false);
		case HBA_ADDR_SAMENET:
			return match_interfaces(c->addr, true);
		case HBA_ADDR_NONE:
			break;
	}
	return false;
}

static bool
match_conn_type(const HbaRule *r, const HbaClient *c)
{
	switch (r->conn_type)
	{
		case HBA_CONN_LOCAL:
			return c->local;
		case HBA_CONN_HOST:
			return !c->local;
		case HBA_CONN_HOSTSSL:
			return !c->local && c->ssl;
		case HBA_CONN_HOSTNOSSL:
			return !c->local && !c->ssl;
	}
	return false;
}

const HbaRule *
auth_hba_match(const HbaList *list, const HbaClient *client)
{
	HostCache	hc = {0};
	const char *db = client->database && client->database[0] ? client->database : client->user;

	for (int i = 0; i < list->nrules; i++)
	{
		const HbaRule *r = &list->rules[i];

		if (!match_conn_type(r, client))
			continue;
		if (!name_listed(r->databases, r->ndatabases, db, client->user, true))
			continue;
		if (!name_listed(r->users, r->nusers, client->user, client->user, false))
			continue;
		/* last: a host-name rule may need DNS lookups */
		if (!client->local && !match_address(r, client, &hc))
			continue;
		return r;
	}
	return NULL;
}
