/*
 * hba_rule.c: turning the fields of one pool_hba.conf line into an HbaRule:
 * connection type, database and user lists, address (CIDR, address and
 * mask, host name, keywords), method and its options.  Errors are logged
 * with file and line by the caller's hba_report.
 */
#include "hba_int.h"

#include "pgpool_config.h"
#include "utils/log.h"
#include "utils/str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 32

/* A single unquoted or quoted token of a field that may not be a list. */
static const HbaName *
single(const char *path, int line, const HbaField *f, const char *what)
{
	if (f->n != 1)
	{
		hba_report(path, line, NULL, "multiple values specified for %s", what);
		return NULL;
	}
	return &f->items[0];
}

static bool
parse_conn_type(const char *path, int line, const HbaField *f, HbaConnType *out)
{
	const HbaName *t = single(path, line, f, "connection type");

	if (t == NULL)
		return false;
	if (strcmp(t->name, "local") == 0)
		*out = HBA_CONN_LOCAL;
	else if (strcmp(t->name, "host") == 0)
		*out = HBA_CONN_HOST;
	else if (strcmp(t->name, "hostssl") == 0)
		*out = HBA_CONN_HOSTSSL;
	else if (strcmp(t->name, "hostnossl") == 0)
		*out = HBA_CONN_HOSTNOSSL;
	else
	{
		hba_report(path, line, NULL, "invalid connection type \"%s\"", t->name);
		return false;
	}
	return true;
}

/* Database and user keywords pgpool cannot honour are errors, not silent mismatches. */
static bool
check_names(const char *path, int line, const HbaName *names, int n, bool database)
{
	for (int i = 0; i < n; i++)
	{
		if (names[i].quoted)
			continue;
		if (!database && names[i].name[0] == '+')
		{
			hba_report(path, line, "pgpool does not know role memberships.",
					   "group membership \"%s\" is not supported in pool_hba.conf", names[i].name);
			return false;
		}
		if (database && (strcmp(names[i].name, "samerole") == 0 ||
						 strcmp(names[i].name, "samegroup") == 0))
		{
			hba_report(path, line, "pgpool does not know role memberships.",
					   "database keyword \"%s\" is not supported in pool_hba.conf", names[i].name);
			return false;
		}
	}
	return true;
}

static bool
numeric_addr(const char *text, struct sockaddr_storage *out)
{
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(text, NULL, &hints, &res) != 0 || res == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return true;
}

/* A netmask of the family with the first bits set. */
static bool
mask_from_bits(int family, long bits, struct sockaddr_storage *mask)
{
	uint8_t    *b;
	int			max = family == AF_INET ? 32 : 128;

	if (bits < 0 || bits > max)
		return false;
	memset(mask, 0, sizeof(*mask));
	mask->ss_family = (sa_family_t) family;
	b = family == AF_INET ? (uint8_t *) &((struct sockaddr_in *) mask)->sin_addr
		: (uint8_t *) &((struct sockaddr_in6 *) mask)->sin6_addr;
	for (long i = 0; i < bits; i++)
		b[i / 8] |= (uint8_t) (0x80 >> (i % 8));
	return true;
}

static bool
parse_cidr(const char *path, int line, const char *text, HbaRule *r)
{
	char		buf[256];
	char	   *slash, *end;
	long		bits;

	str_copy(buf, text, sizeof(buf));
	slash = strchr(buf, '/');
	*slash = '\0';
	if (!numeric_addr(buf, &r->addr))
	{
		hba_report(path, line, NULL, "invalid IP address \"%s\"", buf);
		return false;
	}
	bits = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end != '\0' || !mask_from_bits(r->addr.ss_family, bits, &r->mask))
	{
		hba_report(path, line, NULL, "invalid CIDR mask in address \"%s\"", text);
		return false;
	}
	r->addr_kind = HBA_ADDR_CIDR;
	return true;
}

/*
 * The ADDRESS field (and the mask field after a bare address).  Returns the
 * number of fields used (1 or 2), or 0 on error.
 */
static int
parse_address(const char *path, int line, const HbaField *f, const HbaField *next, HbaRule *r)
{
	const HbaName *t = single(path, line, f, "host address");

	if (t == NULL)
		return 0;
	if (!t->quoted && strcmp(t->name, "all") == 0)
		r->addr_kind = HBA_ADDR_ALL;
	else if (!t->quoted && strcmp(t->name, "samehost") == 0)
		r->addr_kind = HBA_ADDR_SAMEHOST;
	else if (!t->quoted && strcmp(t->name, "samenet") == 0)
		r->addr_kind = HBA_ADDR_SAMENET;
	else if (strchr(t->name, '/'))
		return parse_cidr(path, line, t->name, r) ? 1 : 0;
	else if (numeric_addr(t->name, &r->addr))
	{
		const HbaName *m = next ? single(path, line, next, "netmask") : NULL;

		if (next == NULL)
		{
			hba_report(path, line, "Specify an address range in CIDR notation, or provide a separate netmask.",
					   "end-of-line before netmask specification");
			return 0;
		}
		if (m == NULL || !numeric_addr(m->name, &r->mask))
		{
			hba_report(path, line, NULL, "invalid IP mask \"%s\"", m ? m->name : "");
			return 0;
		}
		if (r->mask.ss_family != r->addr.ss_family)
		{
			hba_report(path, line, NULL, "IP address and mask do not match");
			return 0;
		}
		r->addr_kind = HBA_ADDR_CIDR;
		return 2;
	}
	else
	{
		r->addr_kind = HBA_ADDR_HOSTNAME;
		r->hostname = str_dup(t->name);
		for (char *c = r->hostname; *c; c++)
			*c = (char) tolower((unsigned char) *c);
	}
	return 1;
}

static bool
parse_method(const char *path, int line, const HbaField *f, HbaRule *r)
{
	static const struct
	{
		const char *name;
		HbaMethod	method;
	}			methods[] = {
		{"trust", HBA_METHOD_TRUST}, {"reject", HBA_METHOD_REJECT},
		{"password", HBA_METHOD_PASSWORD}, {"md5", HBA_METHOD_MD5},
		{"scram-sha-256", HBA_METHOD_SCRAM}, {"pam", HBA_METHOD_PAM}, {"cert", HBA_METHOD_CERT},
	};
	const HbaName *t = single(path, line, f, "authentication type");

	if (t == NULL)
		return false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(t->name, methods[i].name) == 0)
		{
			r->method = methods[i].method;
#ifndef USE_PAM
			if (r->method == HBA_METHOD_PAM)
			{
				hba_report(path, line, "pgpool was built without PAM support (configure --with-pam).",
						   "invalid authentication method \"pam\": not supported by this build");
				return false;
			}
#endif
			if (r->method == HBA_METHOD_CERT && r->conn_type != HBA_CONN_HOSTSSL)
			{
				hba_report(path, line, NULL, "cert authentication is only supported on hostssl connections");
				return false;
			}
			return true;
		}
	hba_report(path, line, NULL, "invalid authentication method \"%s\"", t->name);
	return false;
}

static bool
parse_option(const char *path, int line, const HbaField *f, HbaRule *r)
{
	const HbaName *t = single(path, line, f, "authentication option");
	const char *eq;

	if (t == NULL)
		return false;
	eq = strchr(t->name, '=');
	if (eq == NULL)
	{
		hba_report(path, line, NULL, "authentication option not in name=value format: %s", t->name);
		return false;
	}
	if ((size_t) (eq - t->name) == strlen("pamservice") && strncmp(t->name, "pamservice", 10) == 0)
	{
		if (r->method != HBA_METHOD_PAM)
		{
			hba_report(path, line, NULL, "authentication option \"pamservice\" is only valid for authentication method pam");
			return false;
		}
		free(r->pamservice);
		r->pamservice = str_dup(eq + 1);
		return true;
	}
	hba_report(path, line, NULL, "unrecognized authentication option name: \"%.*s\"",
			   (int) (eq - t->name), t->name);
	return false;
}

/* Fields after the connection type: lists, address, method, options. */
static bool
parse_fields(const char *path, int line, HbaField *fields, int nf, HbaRule *r)
{
	int			i = 1;
	bool		local = r->conn_type == HBA_CONN_LOCAL;

	if (nf < (local ? 4 : 5))
	{
		hba_report(path, line, NULL, "end-of-line before %s specification",
				   nf < 2 ? "database" : nf < 3 ? "role" : !local && nf < 4 ? "IP address" :
				   "authentication method");
		return false;
	}
	if (!hba_expand_names(path, line, &fields[i++], &r->databases, &r->ndatabases) ||
		!check_names(path, line, r->databases, r->ndatabases, true) ||
		!hba_expand_names(path, line, &fields[i++], &r->users, &r->nusers) ||
		!check_names(path, line, r->users, r->nusers, false))
		return false;
	if (!local)
	{
		int			used = parse_address(path, line, &fields[i], i + 1 < nf ? &fields[i + 1] : NULL, r);

		if (used == 0)
			return false;
		i += used;
		if (i >= nf)
		{
			hba_report(path, line, NULL, "end-of-line before authentication method");
			return false;
		}
	}
	if (!parse_method(path, line, &fields[i++], r))
		return false;
	for (; i < nf; i++)
		if (!parse_option(path, line, &fields[i], r))
			return false;
	return true;
}

int
hba_parse_line(const char *path, int line, const char *text, HbaRule *rule)
{
	HbaField	fields[MAX_FIELDS];
	const char *err;
	int			nf = hba_tokenize(text, fields, MAX_FIELDS, &err);
	bool		ok;

	memset(rule, 0, sizeof(*rule));
	if (nf < 0)
	{
		hba_report(path, line, NULL, "%s", err);
		return -1;
	}
	if (nf == 0)
		return 0;
	rule->line = line;
	ok = parse_conn_type(path, line, &fields[0], &rule->conn_type) &&
		parse_fields(path, line, fields, nf, rule);
	for (int i = 0; i < nf; i++)
		hba_field_free(&fields[i]);
	if (!ok)
	{
		for (int i = 0; i < rule->ndatabases; i++)
			free(rule->databases[i].name);
		free(rule->databases);
		for (int i = 0; i < rule->nusers; i++)
			free(rule->users[i].name);
		free(rule->users);
		free(rule->hostname);
		free(rule->pamservice);
		memset(rule, 0, sizeof(*rule));
		return -1;
	}
	return 1;
}
