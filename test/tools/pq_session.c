/*
 * pq_session.c: a long-lived libpq session driven line by line from stdin,
 * for TAP tests that act on a connection while it stays open (failover of
 * an idle session).  Commands, one per line:
 *
 *   exec SQL            PQexec
 *   prepare NAME SQL    PQprepare (a named statement: Parse with a name)
 *   execp NAME [VALUE]  PQexecPrepared with zero or one text parameter
 *   notifies SECONDS    wait up to SECONDS for notifications, print them
 *
 * After each command it prints the rows (fields separated by '|'), or
 * "ERROR sqlstate message" for a failure, or "NOTIFY channel payload" per
 * notification, then "STATUS x" (the transaction status: I, T, E, or ?
 * when the connection is bad) and "END", and flushes.
 *
 *   pq_session CONNINFO
 *
 * Exit status: 0 at the end of stdin, 2 on a connection failure.  Without
 * arguments it exits 77 ("skipped": automake's harness runs it).
 */
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
print_result(PGconn *conn, PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK)
		for (int r = 0; r < PQntuples(res); r++)
		{
			for (int c = 0; c < PQnfields(res); c++)
				printf("%s%s", c ? "|" : "", PQgetvalue(res, r, c));
			printf("\n");
		}
	else if (st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		char	   *text = strdup(msg ? msg : PQerrorMessage(conn));

		for (char *c = text; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf("ERROR %s %s\n", state ? state : "?????", text);
		free(text);
	}
	PQclear(res);
}

static void
wait_notifies(PGconn *conn, int seconds)
{
	time_t		end = time(NULL) + seconds;
	int			seen = 0;

	for (;;)
	{
		PGnotify   *n;
		struct pollfd p = {PQsocket(conn), POLLIN, 0};

		PQconsumeInput(conn);
		while ((n = PQnotifies(conn)) != NULL)
		{
			printf("NOTIFY %s %s\n", n->relname, n->extra);
			PQfreemem(n);
			seen++;
		}
		if (seen > 0 || time(NULL) >= end)
			return;
		(void) poll(&p, 1, 200);
	}
}

static char
status_char(PGconn *conn)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return '?';
	switch (PQtransactionStatus(conn))
	{
		case PQTRANS_IDLE:
			return 'I';
		case PQTRANS_INTRANS:
			return 'T';
		case PQTRANS_INERROR:
			return 'E';
		default:
			return '?';
	}
}

static void
run_command(PGconn *conn, char *line)
{
	char	   *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (strcmp(line, "exec") == 0)
		print_result(conn, PQexec(conn, arg));
	else if (strcmp(line, "prepare") == 0)
	{
		char	   *sql = strchr(arg, ' ');

		if (sql)
			*sql++ = '\0';
		print_result(conn, PQprepare(conn, arg, sql ? sql : "", 0, NULL));
	}
	else if (strcmp(line, "execp") == 0)
	{
		char	   *value = strchr(arg, ' ');
		const char *params[1];

		if (value)
			*value++ = '\0';
		params[0] = value;
		print_result(conn, PQexecPrepared(conn, arg, value ? 1 : 0, params, NULL, NULL, 0));
	}
	else if (strcmp(line, "notifies") == 0)
		wait_notifies(conn, atoi(arg));
	else
		printf("ERROR ????? unknown command %s\n", line);
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	char		line[8192];

	if (argc == 1)
		return 77;
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin))
	{
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		run_command(conn, line);
		printf("STATUS %c\nEND\n", status_char(conn));
		fflush(stdout);
	}
	PQfinish(conn);
	return 0;
}
