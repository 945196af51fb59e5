/*
 * auth_hba.h: pool_hba.conf, the client authentication rules.
 *
 * The format follows PostgreSQL's pg_hba.conf: one rule per line,
 *   local      DATABASE USER METHOD [OPTIONS]
 *   host       DATABASE USER ADDRESS METHOD [OPTIONS]    (also hostssl, hostnossl)
 * DATABASE and USER are comma lists of names, "all", "sameuser" (database),
 * or @file (names read from a file next to pool_hba.conf).  ADDRESS is a
 * CIDR, an address and a netmask, a host name (".suffix" for a domain),
 * "all", "samehost" or "samenet".  METHOD is trust, reject, password, md5,
 * scram-sha-256, pam (option pamservice=NAME) or cert.
 *
 * The parent loads the file at start (an error stops pgpool) and every
 * process reloads it on SIGHUP (an error keeps the old rules).  A loaded
 * HbaList is process-local and read-only until freed.
 */
#ifndef PGPOOL_AUTH_AUTH_HBA_H
#define PGPOOL_AUTH_AUTH_HBA_H

#include <stdbool.h>
#include <sys/socket.h>

typedef enum HbaConnType
{
	HBA_CONN_LOCAL,
	HBA_CONN_HOST,
	HBA_CONN_HOSTSSL,
	HBA_CONN_HOSTNOSSL
} HbaConnType;

typedef enum HbaMethod
{
	HBA_METHOD_TRUST,
	HBA_METHOD_REJECT,
	HBA_METHOD_PASSWORD,
	HBA_METHOD_MD5,
	HBA_METHOD_SCRAM,
	HBA_METHOD_PAM,
	HBA_METHOD_CERT
} HbaMethod;

typedef enum HbaAddrKind
{
	HBA_ADDR_NONE,				/* local rules */
	HBA_ADDR_ALL,
	HBA_ADDR_CIDR,				/* address + mask */
	HBA_ADDR_HOSTNAME,
	HBA_ADDR_SAMEHOST,
	HBA_ADDR_SAMENET
} HbaAddrKind;

/* One item of a DATABASE or USER list. */
typedef struct HbaName
{
	char	   *name;
	bool		quoted;			/* "all" in quotes is a name, not the keyword */
} HbaName;

typedef struct HbaRule
{
	int			line;
	HbaConnType conn_type;
	HbaName    *databases;
	int			ndatabases;
	HbaName    *users;
	int			nusers;
	HbaAddrKind addr_kind;
	struct sockaddr_storage addr;
	struct sockaddr_storage mask;
	char	   *hostname;		/* HBA_ADDR_HOSTNAME */
	HbaMethod	method;
	char	   *pamservice;		/* pam: service name, NULL for the default */
} HbaRule;

typedef struct HbaList
{
	HbaRule    *rules;
	int			nrules;
	char	   *path;
} HbaList;

/* What a rule is matched against. */
typedef struct HbaClient
{
	bool		local;			/* UNIX-domain socket */
	const struct sockaddr *addr;	/* TCP: the client's address */
	socklen_t	addrlen;
	bool		ssl;
	const char *user;
	const char *database;
} HbaClient;

/*
 * Parse a pool_hba.conf file into *out.  Every error is logged (ERROR level)
 * with its file and line; returns false if there was any, leaving *out
 * empty.
 */
bool		auth_hba_load(const char *path, HbaList *out);

void		auth_hba_free(HbaList *list);

/* The first rule that matches the client, or NULL (the connection is refused). */
const HbaRule *auth_hba_match(const HbaList *list, const HbaClient *client);

/* "trust", "md5", "scram-sha-256", ... */
const char *auth_hba_method_name(HbaMethod method);

#endif
