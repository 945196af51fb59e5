/*
 * pg_enc.c: AES-256 encryption of database passwords for pool_passwd.
 *
 *   pg_enc [OPTIONS] PASSWORD        print the encrypted password
 *   pg_enc [OPTIONS] -p              ask for it
 *   pg_enc -m [-f pgpool.conf] [-u USER] PASSWORD   store "USER:AES..." in pool_passwd
 *   pg_enc -m [-f pgpool.conf] -i FILE              store every user:password of FILE
 *
 * The key comes from -K, -P (prompt), -k FILE, $PGPOOLKEYFILE or
 * ~/.pgpoolkey; pgpool needs the same key (its -k, $PGPOOLKEYFILE or
 * ~/.pgpoolkey) to decrypt.  The output equals
 * "openssl enc -aes-256-cbc -md sha256 -nosalt -a -A -pass pass:KEY".
 */
#include "passwd_tool.h"

#include "auth/auth_crypto.h"
#include "auth/auth_passwd.h"
#include "utils/str.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PROG "pg_enc"

typedef struct EncOptions
{
	const char *key_file;
	char	   *key;
	const char *config_file;
	const char *input_file;
	const char *user;
	bool		prompt;
	bool		prompt_key;
	bool		update;
} EncOptions;

static void
usage(FILE *out)
{
	fprintf(out, "%s - AES256 password encryption utility\n\n"
			"Usage:\n"
			"  %s [OPTIONS] PASSWORD\n"
			"  %s [OPTIONS] -p\n\n"
			"Options:\n"
			"  -k, --key-file=KEY_FILE  file holding the encryption key\n"
			"                           (default: $PGPOOLKEYFILE or ~/.pgpoolkey)\n"
			"  -K, --enc-key=KEY        the encryption key itself\n"
			"  -P, --prompt-for-key     ask for the encryption key\n"
			"  -p, --prompt             ask for the database password\n"
			"  -m, --update-pass        store the encrypted password in pool_passwd\n"
			"  -u, --username=USER      user of the pool_passwd entry (default: the OS user)\n"
			"  -f, --config-file=FILE   pgpool.conf naming pool_passwd\n"
			"                           (default: %s/pgpool.conf)\n"
			"  -i, --input-file=FILE    read user:password lines from FILE (with -m)\n"
			"  -h, --help               print this help\n", PROG, PROG, PROG, DEFAULT_CONFIGDIR);
}

/* Read one line from the terminal (or stdin) without echo; malloc'd or NULL. */
static char *
prompt_line(const char *prompt)
{
	struct termios saved, quiet;
	bool		echo_off = false;
	char		buf[1024];
	char	   *result = NULL;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0)
	{
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	if (fgets(buf, sizeof(buf), stdin))
	{
		buf[strcspn(buf, "\r\n")] = '\0';
		result = str_dup(buf);
		auth_wipe(buf, sizeof(buf));
	}
	if (echo_off)
	{
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	return result;
}

static bool
load_key(EncOptions *o)
{
	const char *used = NULL, *err = NULL;

	if (o->key)
		return true;
	if (o->prompt_key)
	{
		o->key = prompt_line("encryption key: ");
		if (o->key == NULL || o->key[0] == '\0')
		{
			fprintf(stderr, "%s: no encryption key given\n", PROG);
			return false;
		}
		return true;
	}
	o->key = auth_read_key(o->key_file, &used, &err);
	fprintf(stderr, "trying to read key from file %s\n", used);
	if (o->key == NULL)
	{
		fprintf(stderr, "%s: could not read the encryption key from \"%s\": %s\n", PROG, used, err);
		return false;
	}
	return true;
}

/* "AES" + base64; the PasswdToolEncoder of -i. */
static char *
encode_entry(const char *prog, const char *user, const char *password, void *arg)
{
	EncOptions *o = arg;
	char	   *b64 = auth_aes_encrypt(password, o->key);
	char	   *stored;

	(void) user;
	if (b64 == NULL)
	{
		fprintf(stderr, "%s: encryption failed\n", prog);
		return NULL;
	}
	stored = mem_alloc(strlen(b64) + 4);
	snprintf(stored, strlen(b64) + 4, "AES%s", b64);
	free(b64);
	return stored;
}

static int
parse_args(int argc, char **argv, EncOptions *o)
{
	static const struct option longopts[] = {
		{"key-file", required_argument, NULL, 'k'},
		{"enc-key", required_argument, NULL, 'K'},
		{"config-file", required_argument, NULL, 'f'},
		{"input-file", required_argument, NULL, 'i'},
		{"prompt", no_argument, NULL, 'p'},
		{"prompt-for-key", no_argument, NULL, 'P'},
		{"update-pass", no_argument, NULL, 'm'},
		{"username", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			opt;

	while ((opt = getopt_long(argc, argv, "k:K:f:i:pPmu:h", longopts, NULL)) != -1)
	{
		switch (opt)
		{
			case 'k': o->key_file = optarg; break;
			case 'K': o->key = str_dup(optarg); break;
			case 'f': o->config_file = optarg; break;
			case 'i': o->input_file = optarg; break;
			case 'p': o->prompt = true; break;
			case 'P': o->prompt_key = true; break;
			case 'm': o->update = true; break;
			case 'u': o->user = optarg; break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				fprintf(stderr, "Try \"%s --help\" for more information.\n", PROG);
				return -1;
		}
	}
	if (o->input_file && !o->update)
	{
		fprintf(stderr, "%s: -i needs -m (the entries go to pool_passwd)\n", PROG);
		return -1;
	}
	if ((o->prompt || o->input_file) ? optind != argc : optind != argc - 1)
	{
		fprintf(stderr, "%s: %s\nTry \"%s --help\" for more information.\n", PROG,
				optind < argc - 1 || ((o->prompt || o->input_file) && optind < argc) ?
				"too many arguments" : "no password given", PROG);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	EncOptions	o = {0};
	char	   *password, *stored, *path = NULL;
	int			rc = 1;

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	if (!load_key(&o))
		return 1;
	if (o.update && (path = passwd_tool_file(PROG, o.config_file)) == NULL)
		return 1;
	if (o.input_file)
		return passwd_tool_input_file(PROG, o.input_file, path, encode_entry, &o);
	password = o.prompt ? prompt_line("db password: ") : str_dup(argv[optind]);
	if (password == NULL)
	{
		fprintf(stderr, "%s: could not read the password\n", PROG);
		return 1;
	}
	stored = encode_entry(PROG, o.user, password, &o);
	auth_free_secret(password);
	if (stored == NULL)
		return 1;
	if (!o.update)
	{
		printf("%s\npool_passwd string: %s\n", stored + 3, stored);
		rc = 0;
	}
	else if (passwd_tool_store(PROG, path, o.user ? o.user : passwd_tool_os_user(), stored))
		rc = 0;
	auth_free_secret(stored);
	auth_free_secret(o.key);
	free(path);
	return rc;
}
