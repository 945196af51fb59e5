/*
 * passwd_tool.h: what pg_md5 -m and pg_enc -m share: finding pool_passwd
 * through pgpool.conf, the default user, reading user:password input files
 * and writing one entry.  Errors are printed to stderr with the program's
 * name.
 */
#ifndef PGPOOL_TOOLS_PASSWD_TOOL_H
#define PGPOOL_TOOLS_PASSWD_TOOL_H

#include <stdbool.h>

/*
 * The pool_passwd file named by pgpool.conf (config_file, or the default
 * one when NULL).  malloc'd, NULL after printing why.
 */
char	   *passwd_tool_file(const char *prog, const char *config_file);

/* The name of the operating-system user running the tool (static). */
const char *passwd_tool_os_user(void);

/* Add or replace user's entry; false after printing why. */
bool		passwd_tool_store(const char *prog, const char *path, const char *user,
							  const char *stored);

/* Make one stored secret from user and password; malloc'd, NULL after printing why. */
typedef char *(*PasswdToolEncoder) (const char *prog, const char *user, const char *password,
									void *arg);

/*
 * For each "user:password" line of input (comments '#' and blank lines
 * skipped), encode and store it.  Returns the exit status (0 or 1).
 */
int			passwd_tool_input_file(const char *prog, const char *input, const char *path,
								   PasswdToolEncoder encode, void *arg);

#endif
