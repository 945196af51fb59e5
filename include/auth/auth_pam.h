/*
 * auth_pam.h: checking a user's clear-text password with PAM (pgpool built
 * --with-pam; otherwise the check always fails).  Runs in children.
 */
#ifndef PGPOOL_AUTH_AUTH_PAM_H
#define PGPOOL_AUTH_AUTH_PAM_H

#include <stdbool.h>

#define AUTH_PAM_DEFAULT_SERVICE "pgpool"

/*
 * Authenticate user with password through the PAM service (NULL: "pgpool"),
 * then check the account (expiry).  rhost is the client's host for
 * PAM_RHOST (may be NULL).  On failure *why is a static description for
 * the server log.
 */
bool		auth_pam_check(const char *service, const char *user, const char *password,
						   const char *rhost, const char **why);

#endif
