/*
 * pq_extended.c: run one statement through the extended query protocol
 * (libpq's PQexecParams: Parse, Bind, Describe, Execute, Sync) and print
 * the result as psql -A would: the column names, then one line per row,
 * fields separated by '|'.  With -n NAME the statement is prepared under
 * that name first (PQprepare) and then executed (PQexecPrepared).
 *
 *   pq_extended [-n NAME] CONNINFO SQL
 *
 * Exit status: 0 on success, 1 if the statement failed (message on
 * stderr), 2 on a connection failure or bad arguments.  Run without
 * arguments (automake's harness runs every check program) it exits 77,
 * "skipped": it is a tool for the TAP tests, not a test itself.
 */
#include <libpq-fe.h>
#include <stdio.h>
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

static PGresult *
run(PGconn *conn, const char *name, const char *sql)
{
	PGresult   *res;

	if (name == NULL)
		return PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	res = PQprepare(conn, name, sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	return PQexecPrepared(conn, name, 0, NULL, NULL, NULL, 0);
}

int
main(int argc, char **argv)
{
	const char *name = NULL;
	PGconn	   *conn;
	PGresult   *res;
	int			rc = 0;
	int			i = 1;

	if (argc == 1)
		return 77;
	if (argc > 2 && strcmp(argv[1], "-n") == 0)
	{
		name = argv[2];
		i = 3;
	}
	if (argc - i != 2)
	{
		fprintf(stderr, "usage: %s [-n NAME] CONNINFO SQL\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[i]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 2;
	}
	res = run(conn, name, argv[i + 1]);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		print_result(res);
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		rc = 1;
	}
	PQclear(res);
	PQfinish(conn);
	return rc;
}
