/*
 * admin_auth.c: who may use pgpooladmin.  The users are pcp.conf's (lines
 * "user:md5hex(password)"), read at every check so an edit applies at
 * once; the password a caller gives is also what pgpooladmin logs in to
 * PCP with, so both sides agree on who is who.
 *
 * Failed logins are slowed down per client address: each failure in a row
 * adds a second of delay (at most ADMIN_MAX_DELAY) before the 401, so
 * guessing costs time; a success forgets the address.
 *
 * Runs in libmicrohttpd's connection threads; the counters have a mutex.
 */
#include "admin_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utils/log.h"

#define ADMIN_FAIL_SLOTS	64
#define ADMIN_MAX_DELAY		4	/* seconds */
#define ADMIN_FAIL_FORGET	300 /* seconds without failure */

typedef struct FailSlot
{
	char		addr[INET6_ADDRSTRLEN];
	int			count;
	time_t		last;
} FailSlot;

static FailSlot fail_slots[ADMIN_FAIL_SLOTS];
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

/* Does user's line in pcp.conf hold md5hex(password)?  Constant time in the hash. */
bool
admin_auth_verify(const char *user, const char *password)
{
	char	   *text = admin_file_read(admin_opts.pcp_path, 1024 * 1024, NULL);
	char		want[33];
	char	   *save = NULL;
	bool		ok = false;

	if (text == NULL || *user == '\0')
	{
		free(text);
		return false;
	}
	pcp_md5_hex(password, strlen(password), want);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
	{
		char	   *colon = strchr(line, ':');
		char	   *hash;
		unsigned	diff = 0;

		if (line[0] == '#' || colon == NULL)
			continue;
		*colon = '\0';
		if (strcmp(line, user) != 0)
			continue;
		hash = colon + 1;
		hash[strcspn(hash, " \t\r")] = '\0';
		if (strlen(hash) != 32)
			break;
		for (int i = 0; i < 32; i++)
			diff |= (unsigned) (tolower((unsigned char) hash[i]) ^ want[i]);
		ok = (diff == 0);
		break;
	}
	explicit_bzero(want, sizeof(want));
	free(text);
	return ok;
}

/* Client address as text ("?" if unknown). */
static void
client_addr(AdminRequest *r, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, out, len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, out, len);
}

static FailSlot *
fail_slot(const char *addr, bool create)
{
	FailSlot   *oldest = &fail_slots[0];
	time_t		now = time(NULL);

	for (int i = 0; i < ADMIN_FAIL_SLOTS; i++)
	{
		FailSlot   *s = &fail_slots[i];

		if (s->count > 0 && now - s->last > ADMIN_FAIL_FORGET)
			s->count = 0;
		if (s->count > 0 && strcmp(s->addr, addr) == 0)
			return s;
		if (s->count == 0 || s->last < oldest->last)
			oldest = s;
	}
	if (!create)
		return NULL;
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->count = 0;
	return oldest;
}

void
admin_auth_penalize(AdminRequest *r)
{
	char		addr[INET6_ADDRSTRLEN];
	int			delay;
	FailSlot   *s;

	client_addr(r, addr, sizeof(addr));
	pthread_mutex_lock(&fail_lock);
	s = fail_slot(addr, true);
	s->count++;
	s->last = time(NULL);
	delay = s->count < ADMIN_MAX_DELAY ? s->count : ADMIN_MAX_DELAY;
	pthread_mutex_unlock(&fail_lock);
	plog(PL_LOG, "failed login for user \"%s\" from %s", r->user, addr);
	sleep((unsigned) delay);
}

void
admin_auth_forgive(AdminRequest *r)
{
	char		addr[INET6_ADDRSTRLEN];
	FailSlot   *s;

	client_addr(r, addr, sizeof(addr));
	pthread_mutex_lock(&fail_lock);
	if ((s = fail_slot(addr, false)) != NULL)
		s->count = 0;
	pthread_mutex_unlock(&fail_lock);
}

/* Check "Authorization: Basic ..." and fill r->user/password on success. */
bool
admin_auth_basic(AdminRequest *r)
{
	char	   *pass = NULL;
	char	   *user = MHD_basic_auth_get_username_password(r->conn, &pass);
	bool		ok = false;

	if (user && pass && strlen(user) < sizeof(r->user) && strlen(pass) < sizeof(r->password))
	{
		snprintf(r->user, sizeof(r->user), "%s", user);
		snprintf(r->password, sizeof(r->password), "%s", pass);
		ok = admin_auth_verify(user, pass);
		if (ok)
			admin_auth_forgive(r);
		else
		{
			admin_auth_penalize(r);
			r->password[0] = '\0';
		}
	}
	if (pass)
	{
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	r->authed = ok;
	return ok;
}

enum MHD_Result
admin_auth_unauthorized(AdminRequest *r)
{
	return admin_reply_error(r, 401, "authentication required",
							 "Log in with a user of pcp.conf (session or HTTP Basic).");
}
