/*
 * pgpool_recovery.c: the SQL functions of the pgpool_recovery extension.
 *
 * Run in the backend that pgpool's online recovery (pcp_recovery_node)
 * opens on the primary as recovery_user:
 *   pgpool_recovery()      runs recovery_1st_stage_command / 2nd stage,
 *   pgpool_remote_start()  runs $PGDATA/pgpool_remote_start,
 *   pgpool_pgctl()         runs this server's pg_ctl on its data directory.
 * pgpool_switch_xlog() is in switch_xlog.c.  Scripts live in the data
 * directory, so only its owner (and superusers) decide what runs.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "port.h"
#include "utils/builtins.h"

#include "pgpool_recovery.h"
#include "recovery_exec.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgpool_recovery);
PG_FUNCTION_INFO_V1(pgpool_remote_start);
PG_FUNCTION_INFO_V1(pgpool_pgctl);

void		_PG_init(void);

void
_PG_init(void)
{
	switch_xlog_define_guc();
}

#define REMOTE_START_SCRIPT "pgpool_remote_start"
#define RECOVERY_MAX_ARGS	7

void
recovery_require_superuser(const char *what)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser to %s", what)));
}

/*
 * A script is named relative to the data directory and must stay in it:
 * whoever may call the function must not be able to run arbitrary files.
 */
static void
check_script_name(const char *script)
{
	if (script[0] == '\0' || strchr(script, '/') != NULL || strstr(script, "..") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid recovery script name \"%s\"", script),
				 errdetail("A recovery script is a file in the data directory; "
						   "its name must not contain \"/\" or \"..\".")));
}

/* Run DataDir/script with args; ERROR unless it exits 0. */
static void
run_script(const char *script, int nargs, char **args)
{
	char	   *path;
	char	  **argv = palloc0(sizeof(char *) * (nargs + 2));
	RecoveryExecResult result;
	int			i;

	check_script_name(script);
	path = psprintf("%s/%s", DataDir, script);
	argv[0] = path;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	elog(LOG, "pgpool_recovery: running \"%s\" with %d arguments", path, nargs);
	recovery_exec_run(path, argv, true, &result);
	recovery_exec_check("recovery script", script, &result,
						psprintf("A recovery script must be an executable file in the data directory \"%s\".",
								 DataDir));
}

/*
 * pgpool_recovery(script, remote_host, remote_data_directory
 *                 [, primary_port [, remote_node [, remote_port [, primary_host]]]])
 * The script gets this server's data directory, then the arguments given
 * after the script name, in order (the node id as a decimal number).
 */
Datum
pgpool_recovery(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *args[RECOVERY_MAX_ARGS];
	int			nargs = 0;
	int			i;

	recovery_require_superuser("run recovery scripts");
	if (PG_NARGS() < 3 || PG_NARGS() > RECOVERY_MAX_ARGS)
		elog(ERROR, "pgpool_recovery called with %d arguments", PG_NARGS());

	args[nargs++] = DataDir;
	for (i = 1; i < PG_NARGS(); i++)
	{
		/* argument 4 (remote_node) is an integer, the others text */
		if (i == 4)
			args[nargs++] = psprintf("%d", PG_GETARG_INT32(i));
		else
			args[nargs++] = text_to_cstring(PG_GETARG_TEXT_PP(i));
	}
	run_script(script, nargs, args);
	PG_RETURN_BOOL(true);
}

/* pgpool_remote_start(remote_host, remote_data_directory) */
Datum
pgpool_remote_start(PG_FUNCTION_ARGS)
{
	char	   *args[2];

	recovery_require_superuser("run recovery scripts");
	args[0] = text_to_cstring(PG_GETARG_TEXT_PP(0));
	args[1] = text_to_cstring(PG_GETARG_TEXT_PP(1));
	run_script(REMOTE_START_SCRIPT, 2, args);
	PG_RETURN_BOOL(true);
}

static bool
stop_mode_valid(const char *mode)
{
	static const char *const modes[] = {"smart", "fast", "immediate", "s", "f", "i"};
	int			i;

	for (i = 0; i < lengthof(modes); i++)
		if (strcmp(mode, modes[i]) == 0)
			return true;
	return false;
}

/*
 * pgpool_pgctl(action, stop_mode): pg_ctl <action> -m <stop_mode> -D DataDir.
 *
 * This server may stop under our feet.  For "stop" pg_ctl is told not to
 * wait (-W): a smart shutdown waits for this very session, which waits for
 * pg_ctl.  pg_ctl is never killed when this backend is terminated, so a
 * "restart" that ends this session still starts the server again.
 */
Datum
pgpool_pgctl(PG_FUNCTION_ARGS)
{
	char	   *action = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *mode = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		pgctl[MAXPGPATH];
	char	   *argv[8];
	int			n = 0;
	RecoveryExecResult result;

	recovery_require_superuser("run pg_ctl");
	if (!stop_mode_valid(mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid stop mode \"%s\"", mode),
				 errhint("Valid stop modes are \"smart\", \"fast\" and \"immediate\".")));

	/* pg_ctl from the same installation as the running postgres binary */
	strlcpy(pgctl, my_exec_path, sizeof(pgctl));
	get_parent_directory(pgctl);
	join_path_components(pgctl, pgctl, "pg_ctl");

	argv[n++] = pgctl;
	argv[n++] = action;
	if (strcmp(action, "stop") == 0)
		argv[n++] = "-W";
	argv[n++] = "-m";
	argv[n++] = mode;
	argv[n++] = "-D";
	argv[n++] = DataDir;
	argv[n] = NULL;
	elog(LOG, "pgpool_pgctl: running \"%s %s -m %s -D %s\"", pgctl, action, mode, DataDir);
	recovery_exec_run(pgctl, argv, false, &result);
	recovery_exec_check("pg_ctl", action, &result, NULL);
	PG_RETURN_BOOL(true);
}
