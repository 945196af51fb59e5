/*
 * pcp_tool_main.c: main() of every pcp_* program.  Makefile.am builds this
 * file once per program with PCP_TOOL_NAME set to the program's name; the
 * name picks the row of the command table.
 */
#include "pcp_tool.h"

#ifndef PCP_TOOL_NAME
#error "build with -DPCP_TOOL_NAME=\"pcp_...\""
#endif

int
main(int argc, char **argv)
{
	return pcp_tool_main(PCP_TOOL_NAME, argc, argv);
}
