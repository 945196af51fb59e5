/*
 * pq_extended.c: run one statement through the extended query protocol
 * (libpq's PQexecParams: Parse, Bind, Describe, Execute, Sync) and print
 * the result as psql -A would: the column names, then one line per row,
 * fields separated by '|'.  With -n NAME the statement is prepared under
 * that name first (PQprepare) and then executed (PQexecPrepared).  Each
 * -p VALUE is one text parameter ($1, $2, ...); -l N runs the statement N
 * times on the same connection (a named one is prepared once), printing
 * every result.
 *
 *   pq_extended [-n NAME] [-l N] [-p VALUE]... CONNINFO SQL
 *
 * Exit status: 0 on success, 1 if the statement failed (message on
 * stderr), 2 on a connection failure or bad arguments.  Run without
 * arguments (automake's harness runs every check program) it exits 77,
 * "skipped": it is a tool for the TAP tests, not a test itself.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_result(const PGresult *res)
{
	int			ncols = PQnfields(res);

	for (int c = 0; c < ncols; c++)
		printf("%s%s", c ? "|" : "", PQfname(res, c));
	printf("\n");
	for (int r = 0; r < PQntuples(res); r++)
	{
		for (int c = 0; c < ncols; c++)
			printf("%s%s", c ? "|" : "", PQgetvalue(res, r, c));
		printf("\n");
	}
}

#define MAX_PARAMS 16

static const char *params[MAX_PARAMS];
static int	nparams;

static PGresult *
run(PGconn *conn, const char *name, const char *sql, int round)
{
	PGresult   *res;

	if (name == NULL)
		return PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (round == 0)
	{
		res = PQprepare(conn, name, sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
	}
	return PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0);
}

int
main(int argc, char **argv)
{
	const char *name = NULL;
	PGconn	   *conn;
	int			rc = 0;
	int			loops = 1;
	int			i = 1;

	if (argc == 1)
		return 77;
	for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i += 2)
	{
		if (strcmp(argv[i], "-n") == 0)
			name = argv[i + 1];
		else if (strcmp(argv[i], "-l") == 0)
			loops = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-p") == 0 && nparams < MAX_PARAMS)
			params[nparams++] = argv[i + 1];
		else
			break;
	}
	if (argc - i != 2)
	{
		fprintf(stderr, "usage: %s [-n NAME] [-l N] [-p VALUE]... CONNINFO SQL\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[i]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 2;
	}
	for (int round = 0; round < loops && rc == 0; round++)
	{
		PGresult   *res = run(conn, name, argv[i + 1], round);

		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			print_result(res);
		else if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			fprintf(stderr, "%s", PQerrorMessage(conn));
			rc = 1;
		}
		PQclear(res);
	}
	PQfinish(conn);
	return rc;
}
