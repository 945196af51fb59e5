/*
 * admin_session.c: login sessions of the page.  A session is a random id
 * (the HttpOnly, SameSite=Strict cookie) with a second random value, the
 * CSRF token, that the page sends back in X-CSRF-Token on every change; a
 * forged cross-site form can carry the cookie but cannot know the token.
 * The session also holds the user's password in memory, because every
 * PCP connection pgpooladmin opens for the page logs in as that user.
 *
 * Sessions expire after ADMIN_SESSION_IDLE seconds without a request.
 * Runs in libmicrohttpd's connection threads; the table has a mutex.
 */
#include "admin_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define ADMIN_SESSIONS		64
#define ADMIN_SESSION_IDLE	(30 * 60)

typedef struct AdminSession
{
	bool		used;
	char		id[ADMIN_TOKEN_HEX + 1];
	char		csrf[ADMIN_TOKEN_HEX + 1];
	char		user[ADMIN_MAX_USER];
	char		password[ADMIN_MAX_PASSWORD];
	time_t		last_used;
} AdminSession;

static AdminSession sessions[ADMIN_SESSIONS];
static pthread_mutex_t session_lock = PTHREAD_MUTEX_INITIALIZER;

void
admin_session_init(void)
{
	memset(sessions, 0, sizeof(sessions));
}

/* nbytes random bytes as 2*nbytes hex digits plus NUL. */
void
admin_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	size_t		got = 0;

	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	while (got < nbytes)
	{
		ssize_t		n = getrandom(buf + got, nbytes - got, 0);

		if (n > 0)
			got += (size_t) n;
	}
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	explicit_bzero(buf, sizeof(buf));
}

static void
session_clear(AdminSession *s)
{
	explicit_bzero(s, sizeof(*s));
}

/* Constant-time comparison of two hex tokens. */
static bool
token_equal(const char *a, const char *b)
{
	unsigned	diff = 0;

	if (strlen(a) != ADMIN_TOKEN_HEX || strlen(b) != ADMIN_TOKEN_HEX)
		return false;
	for (int i = 0; i < ADMIN_TOKEN_HEX; i++)
		diff |= (unsigned) (a[i] ^ b[i]);
	return diff == 0;
}

bool
admin_session_create(const char *user, const char *password, char *id, char *csrf)
{
	AdminSession *slot = NULL;
	time_t		now = time(NULL);

	pthread_mutex_lock(&session_lock);
	for (int i = 0; i < ADMIN_SESSIONS; i++)
	{
		AdminSession *s = &sessions[i];

		if (s->used && now - s->last_used > ADMIN_SESSION_IDLE)
			session_clear(s);
		if (!s->used && slot == NULL)
			slot = s;
	}
	if (slot == NULL)			/* full: the least recently used one goes */
	{
		slot = &sessions[0];
		for (int i = 1; i < ADMIN_SESSIONS; i++)
			if (sessions[i].last_used < slot->last_used)
				slot = &sessions[i];
		session_clear(slot);
	}
	slot->used = true;
	admin_random_hex(slot->id, ADMIN_TOKEN_HEX / 2);
	admin_random_hex(slot->csrf, ADMIN_TOKEN_HEX / 2);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	snprintf(slot->password, sizeof(slot->password), "%s", password);
	slot->last_used = now;
	memcpy(id, slot->id, ADMIN_TOKEN_HEX + 1);
	memcpy(csrf, slot->csrf, ADMIN_TOKEN_HEX + 1);
	pthread_mutex_unlock(&session_lock);
	return true;
}

/* The session the cookie names, or NULL; call with the lock held. */
static AdminSession *
session_find(AdminRequest *r)
{
	const char *id = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, ADMIN_COOKIE_NAME);
	time_t		now = time(NULL);

	if (id == NULL)
		return NULL;
	for (int i = 0; i < ADMIN_SESSIONS; i++)
	{
		AdminSession *s = &sessions[i];

		if (!s->used || !token_equal(s->id, id))
			continue;
		if (now - s->last_used > ADMIN_SESSION_IDLE)
		{
			session_clear(s);
			return NULL;
		}
		return s;
	}
	return NULL;
}

bool
admin_session_lookup(AdminRequest *r)
{
	AdminSession *s;

	pthread_mutex_lock(&session_lock);
	if ((s = session_find(r)) != NULL)
	{
		s->last_used = time(NULL);
		snprintf(r->user, sizeof(r->user), "%s", s->user);
		snprintf(r->password, sizeof(r->password), "%s", s->password);
		memcpy(r->csrf, s->csrf, sizeof(r->csrf));
		r->authed = true;
		r->via_session = true;
	}
	pthread_mutex_unlock(&session_lock);
	/* the user may have been removed from pcp.conf since the login */
	if (s && !admin_auth_verify(r->user, r->password))
	{
		admin_session_destroy(r);
		r->authed = r->via_session = false;
		return false;
	}
	return s != NULL;
}

void
admin_session_destroy(AdminRequest *r)
{
	AdminSession *s;

	pthread_mutex_lock(&session_lock);
	if ((s = session_find(r)) != NULL)
		session_clear(s);
	pthread_mutex_unlock(&session_lock);
}

bool
admin_csrf_ok(AdminRequest *r)
{
	const char *token = admin_header(r, "X-CSRF-Token");

	return r->via_session && token != NULL && token_equal(token, r->csrf);
}
