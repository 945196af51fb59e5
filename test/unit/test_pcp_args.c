/*
 * test_pcp_args.c: unit tests for the pcp_* tools' command lines
 * (src/tools/pcp_tool_args.c): the manual's positional form, pgpool-II 4.x
 * options, and the mistakes that must give INVALERR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/tools/pcp_tool.h"

#define MAX_ARGS 20

/* Parse a NULL-terminated list of words as tool's command line. */
static PcpErrorCode
parse(const char *tool, PcpToolArgs *out, ...)
{
	static char *argv[MAX_ARGS + 2];
	static char words[MAX_ARGS + 2][64];
	char		err[256];
	int			argc = 0;
	va_list		ap;
	const char *w;

	strcpy(words[argc], tool);
	argv[argc] = words[argc];
	argc++;
	va_start(ap, out);
	while ((w = va_arg(ap, const char *)) != NULL && argc < MAX_ARGS)
	{
		strcpy(words[argc], w);
		argv[argc] = words[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	return pcp_tool_parse_args(pcp_command_by_tool(tool), argc, argv, out, err, sizeof(err));
}

static void
test_legacy_form(void **state)
{
	PcpToolArgs a;

	assert_int_equal(parse("pcp_node_info", &a, "10", "localhost", "9898", "postgres", "hogehoge", "0", NULL),
					 PCP_OK);
	assert_int_equal(a.syntax, PCP_SYNTAX_LEGACY);
	assert_int_equal(a.timeout, 10);
	assert_string_equal(a.host, "localhost");
	assert_int_equal(a.port, 9898);
	assert_string_equal(a.user, "postgres");
	assert_string_equal(a.password, "hogehoge");
	assert_true(a.have_target);
	assert_int_equal(a.node_id, 0);
	assert_false(a.verbose);

	assert_int_equal(parse("pcp_node_info", &a, "--verbose", "10", "h", "1", "u", "p", "3", NULL), PCP_OK);
	assert_true(a.verbose);
	assert_int_equal(a.node_id, 3);

	assert_int_equal(parse("pcp_node_count", &a, "5", "", "9898", "u", "p", NULL), PCP_OK);
	assert_int_equal(a.syntax, PCP_SYNTAX_LEGACY);
	assert_string_equal(a.host, "");

	assert_int_equal(parse("pcp_detach_node", &a, "-g", "10", "h", "9898", "u", "p", "1", NULL), PCP_OK);
	assert_true(a.graceful);
	assert_int_equal(a.node_id, 1);

	assert_int_equal(parse("pcp_stop_pgpool", &a, "10", "h", "9898", "u", "p", "f", NULL), PCP_OK);
	assert_int_equal(a.mode, 'f');
	assert_int_equal(parse("pcp_stop_pgpool", &a, "10", "h", "9898", "u", "p", "immediate", NULL), PCP_OK);
	assert_int_equal(a.mode, 'i');

	assert_int_equal(parse("pcp_proc_info", &a, "10", "h", "9898", "u", "p", "3815", NULL), PCP_OK);
	assert_int_equal(a.pid, 3815);
}

static void
test_option_form(void **state)
{
	PcpToolArgs a;

	assert_int_equal(parse("pcp_node_info", &a, "-h", "db", "-p", "11001", "-U", "admin", "-w", "-n", "1", "-v", NULL),
					 PCP_OK);
	assert_int_equal(a.syntax, PCP_SYNTAX_OPTIONS);
	assert_string_equal(a.host, "db");
	assert_int_equal(a.port, 11001);
	assert_string_equal(a.user, "admin");
	assert_true(a.no_password);
	assert_null(a.password);
	assert_int_equal(a.node_id, 1);
	assert_true(a.verbose);
	assert_int_equal(a.timeout, 0);

	assert_int_equal(parse("pcp_node_info", &a, "--host=db", "--port=9", "--username=x", "--node-id=2", "--verbose", NULL),
					 PCP_OK);
	assert_int_equal(a.port, 9);
	assert_int_equal(a.node_id, 2);

	/* defaults: UNIX socket, port 9898, the OS user */
	assert_int_equal(parse("pcp_node_count", &a, NULL), PCP_OK);
	assert_null(a.host);
	assert_int_equal(a.port, 9898);
	assert_non_null(a.user);

	/* the 4.x positional node id */
	assert_int_equal(parse("pcp_node_info", &a, "-U", "postgres", "1", NULL), PCP_OK);
	assert_int_equal(a.node_id, 1);
	assert_int_equal(parse("pcp_node_info", &a, "-a", NULL), PCP_OK);
	assert_true(a.all);
	assert_false(a.have_target);

	assert_int_equal(parse("pcp_stop_pgpool", &a, "-m", "fast", "-s", "c", NULL), PCP_OK);
	assert_int_equal(a.mode, 'f');
	assert_int_equal(a.scope, 'c');
	assert_int_equal(parse("pcp_stop_pgpool", &a, NULL), PCP_OK);
	assert_int_equal(a.mode, 's');

	assert_int_equal(parse("pcp_promote_node", &a, "-n", "1", "-g", "-s", NULL), PCP_OK);
	assert_true(a.graceful);
	assert_true(a.switchover);

	assert_int_equal(parse("pcp_proc_info", &a, "-P", "123", "-a", NULL), PCP_OK);
	assert_int_equal(a.pid, 123);
	assert_true(a.all);
	assert_int_equal(parse("pcp_proc_info", &a, NULL), PCP_OK);
	assert_false(a.have_target);

	assert_int_equal(parse("pcp_node_count", &a, "-d", "-W", NULL), PCP_OK);
	assert_true(a.debug);
	assert_true(a.force_prompt);
}

static void
test_help_and_version(void **state)
{
	PcpToolArgs a;

	assert_int_equal(parse("pcp_node_info", &a, "--help", NULL), PCP_OK);
	assert_true(a.help);
	assert_int_equal(parse("pcp_node_info", &a, "-?", NULL), PCP_OK);
	assert_true(a.help);
	assert_int_equal(parse("pcp_node_count", &a, "-V", NULL), PCP_OK);
	assert_true(a.version);
}

static void
test_invalid(void **state)
{
	PcpToolArgs a;

	/* wrong counts */
	assert_int_equal(parse("pcp_node_info", &a, "10", "h", "9898", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_count", &a, "10", "h", "9898", "u", "p", "x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_count", &a, "1", NULL), PCP_ERR_INVAL);
	/* bad values in the positional form */
	assert_int_equal(parse("pcp_node_info", &a, "ten", "h", "9898", "u", "p", "0", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_info", &a, "10", "h", "port", "u", "p", "0", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_info", &a, "10", "h", "70000", "u", "p", "0", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_info", &a, "10", "h", "9898", "u", "p", "x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_stop_pgpool", &a, "10", "h", "9898", "u", "p", "x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_proc_info", &a, "10", "h", "9898", "u", "p", "0", NULL), PCP_ERR_INVAL);
	/* bad options */
	assert_int_equal(parse("pcp_node_info", &a, "-n", "x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_info", &a, "-p", "0", "-n", "0", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_info", &a, NULL), PCP_ERR_INVAL);	/* no node id */
	assert_int_equal(parse("pcp_node_count", &a, "-n", "1", NULL), PCP_ERR_INVAL);	/* not its option */
	assert_int_equal(parse("pcp_node_count", &a, "--bogus", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_count", &a, "-x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_node_count", &a, "-h", NULL), PCP_ERR_INVAL);	/* missing argument */
	assert_int_equal(parse("pcp_stop_pgpool", &a, "-m", "slow", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_stop_pgpool", &a, "-s", "x", NULL), PCP_ERR_INVAL);
	assert_int_equal(parse("pcp_attach_node", &a, "-g", "-n", "1", NULL), PCP_ERR_INVAL);
	/* both syntaxes at once */
	assert_int_equal(parse("pcp_node_info", &a, "-h", "x", "10", "h", "9898", "u", "p", "0", NULL), PCP_ERR_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_form),
		cmocka_unit_test(test_option_form),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
