/*
 * switch_xlog.c: pgpool_switch_xlog(archive_dir), run by a 2nd stage
 * recovery script (replication mode, PITR) in a backend of the primary.
 *
 * pg_switch_wal() returns as soon as the switch is written; the recovery
 * target then asks for the finished segment before the archiver has copied
 * it.  This function switches and then waits until the segment is in
 * archive_dir, so the script continues only when the segment can be fetched.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "pgpool_recovery.h"

PG_FUNCTION_INFO_V1(pgpool_switch_xlog);

#define POLL_MS 100

/* seconds to wait for the archived segment */
static int	switch_xlog_timeout = 60;

void
switch_xlog_define_guc(void)
{
	DefineCustomIntVariable("pgpool_recovery.switch_xlog_timeout",
							"Seconds pgpool_switch_xlog() waits for the switched WAL segment "
							"to appear in the archive directory.",
							NULL, &switch_xlog_timeout, 60, 1, 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}

static void
check_archive_dir(const char *dir)
{
	struct stat st;

	if (!XLogArchivingActive())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("WAL archiving is not enabled"),
				 errhint("Set archive_mode and archive_command so that segments are copied to \"%s\".",
						 dir)));
	if (stat(dir, &st) < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not access archive directory \"%s\": %m", dir)));
	if (!S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a directory", dir)));
}

/* Wait until path exists; ERROR after switch_xlog_timeout seconds. */
static void
wait_for_file(const char *path, const char *dir)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   switch_xlog_timeout * 1000L);
	struct stat st;

	while (stat(path, &st) < 0)
	{
		if (errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat file \"%s\": %m", path)));
		if (GetCurrentTimestamp() >= deadline)
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("WAL segment \"%s\" did not appear in archive directory \"%s\" within %d seconds",
							last_dir_separator(path) + 1, dir, switch_xlog_timeout),
					 errhint("Check archive_command and the server log; "
							 "pgpool_recovery.switch_xlog_timeout sets the wait.")));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * pgpool_switch_xlog(archive_dir) returns the archived segment's path.
 * With no WAL written since the last switch nothing is switched and the
 * segment waited for is the last finished one, as pg_walfile_name() names
 * it for pg_switch_wal()'s result.
 */
Datum
pgpool_switch_xlog(PG_FUNCTION_ARGS)
{
	char	   *dir = text_to_cstring(PG_GETARG_TEXT_PP(0));
	XLogRecPtr	switchpoint;
	char	   *segment;
	char	   *path;

	recovery_require_superuser("switch WAL");
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("recovery is in progress"),
				 errhint("WAL control functions cannot be executed during recovery.")));
	check_archive_dir(dir);

	switchpoint = RequestXLogSwitch(false);
	segment = text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_walfile_name,
																 LSNGetDatum(switchpoint))));
	path = psprintf("%s/%s", dir, segment);
	elog(LOG, "pgpool_switch_xlog: waiting for \"%s\"", path);
	wait_for_file(path, dir);
	PG_RETURN_TEXT_P(cstring_to_text(path));
}
