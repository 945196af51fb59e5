/*
 * pam.c: the "pam" method of pool_hba.conf.  The client's clear-text
 * password is handed to PAM through a conversation function that answers
 * only password prompts; the service file (sample/pgpool.pam) decides which
 * modules check it.  Runs in children; built only with --with-pam.
 */
#include "auth/auth_pam.h"

#include "pgpool_config.h"
#include "utils/str.h"

#ifdef USE_PAM

#include "auth/auth_crypto.h"

#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

/* Answer PAM's prompts: the password for "echo off" ones, nothing else. */
static int
pam_conversation(int num_msg, const struct pam_message **msg, struct pam_response **resp,
				 void *appdata)
{
	const char *password = appdata;
	struct pam_response *r;

	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t) num_msg, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < num_msg; i++)
	{
		switch (msg[i]->msg_style)
		{
			case PAM_PROMPT_ECHO_OFF:
				r[i].resp = strdup(password);
				if (r[i].resp == NULL)
					goto fail;
				break;
			case PAM_ERROR_MSG:
			case PAM_TEXT_INFO:
				break;
			default:
				/* an interactive question we cannot answer */
				goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;

fail:
	for (int i = 0; i < num_msg; i++)
		if (r[i].resp)
		{
			auth_wipe(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
	return PAM_CONV_ERR;
}

bool
auth_pam_check(const char *service, const char *user, const char *password, const char *rhost,
			   const char **why)
{
	struct pam_conv conv = {pam_conversation, (void *) password};
	pam_handle_t *pamh = NULL;
	int			rc;

	rc = pam_start(service ? service : AUTH_PAM_DEFAULT_SERVICE, user, &conv, &pamh);
	if (rc != PAM_SUCCESS)
	{
		*why = "could not start PAM";
		return false;
	}
	if (rhost)
		(void) pam_set_item(pamh, PAM_RHOST, rhost);
	rc = pam_authenticate(pamh, PAM_SILENT);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(pamh, PAM_SILENT);
	if (rc != PAM_SUCCESS)
		*why = pam_strerror(pamh, rc);
	pam_end(pamh, rc);
	return rc == PAM_SUCCESS;
}

#else							/* !USE_PAM */

bool
auth_pam_check(const char *service, const char *user, const char *password, const char *rhost,
			   const char **why)
{
	(void) service;
	(void) user;
	(void) password;
	(void) rhost;
	*why = "pgpool was built without PAM support";
	return false;
}

#endif
