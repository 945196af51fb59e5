/*
 * pq_pipeline.c: send statements through libpq's pipeline mode, several
 * per Sync, the way JDBC sends BEGIN with the first statement of a
 * transaction.  Arguments after CONNINFO are statements; the word SYNC
 * ends a batch (a final Sync is added).  -l N repeats the whole list N
 * times on the same connection.
 *
 *   pq_pipeline [-l N] CONNINFO SQL... [SYNC SQL...]
 *
 * Prints one line per result ("ok: <command status>" or "error: [SQLSTATE] <msg>"),
 * then each row of a result as "P|..." lines: fields separated by '|', as
 * psql -A prints them.
 * Exit status: 0 if every statement succeeded, 1 if one failed, 2 on a
 * connection failure or bad arguments; run bare it exits 77 (skipped), as
 * it is a tool for the TAP tests.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read every result up to the batch's sync; returns the number of failures. */
static int
drain(PGconn *conn, int statements)
{
	int			failed = 0;

	for (int i = 0; i < statements; i++)
	{
		PGresult   *res = PQgetResult(conn);

		if (res == NULL)
		{
			i--;				/* end of one statement's results */
			continue;
		}
		if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			printf("ok: %s\n", PQcmdStatus(res));
			for (int r = 0; r < PQntuples(res); r++)
				for (int c = 0; c < PQnfields(res); c++)
					printf("%s%s", PQgetvalue(res, r, c), c + 1 < PQnfields(res) ? "|" : "\n");
		}
		else
		{
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

			printf("error: [%s] %s", state ? state : "", PQresultErrorMessage(res));
			failed++;
		}
		PQclear(res);
		while ((res = PQgetResult(conn)) != NULL)
			PQclear(res);
	}
	{
		PGresult   *res = PQgetResult(conn);	/* the PGRES_PIPELINE_SYNC */

		PQclear(res);
	}
	return failed;
}

int
main(int argc, char **argv)
{
	int			loops = 1, first = 1, failed = 0;
	PGconn	   *conn;

	if (argc > 2 && strcmp(argv[1], "-l") == 0)
	{
		loops = atoi(argv[2]);
		first = 3;
	}
	if (argc <= first + 1)
		return argc == 1 ? 77 : 2;
	conn = PQconnectdb(argv[first]);
	if (PQstatus(conn) != CONNECTION_OK || !PQenterPipelineMode(conn))
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		return 2;
	}
	for (int l = 0; l < loops; l++)
	{
		int			pending = 0;

		for (int i = first + 1; i <= argc; i++)
		{
			if (i == argc || strcmp(argv[i], "SYNC") == 0)
			{
				if (pending == 0)
					continue;
				PQpipelineSync(conn);
				failed += drain(conn, pending);
				pending = 0;
				continue;
			}
			if (!PQsendQueryParams(conn, argv[i], 0, NULL, NULL, NULL, NULL, 0))
			{
				fprintf(stderr, "%s", PQerrorMessage(conn));
				return 2;
			}
			pending++;
		}
	}
	PQfinish(conn);
	return failed ? 1 : 0;
}
