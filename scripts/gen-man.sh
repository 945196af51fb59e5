#!/usr/bin/env bash
# Writes doc/man/*.1 from each program's --help text plus a short
# description here.  Run from a build tree after "make":
#   scripts/gen-man.sh [BUILDDIR] [SRCDIR]
# The pages are committed; "make install" installs them (man1_MANS).
set -euo pipefail
build=${1:-.}
src=${2:-.}
out="$src/doc/man"
mkdir -p "$out"
version=$(sed -n 's/^AC_INIT(\[pgpool\], \[\([^]]*\)\].*/\1/p' "$src/configure.ac")

# name|summary|description|see-also doc
pages=(
"pgpool|PostgreSQL middleware: connection pooling, load balancing, replication and failover|pgpool sits between PostgreSQL clients and one or more PostgreSQL servers. It keeps pooled backend connections, routes read queries to standbys, replicates writes in native replication mode, detects failed nodes and runs failover. Without a command it starts the server (as a daemon unless -n); stop and reload act on the running one through its pid file.|doc/configuration.md, doc/clustering.md"
"pgpooladmin|web administration, JSON API and Prometheus metrics for pgpool|pgpooladmin serves a web page (status, node actions, pgpool.conf, pool_hba.conf and pcp.conf editors, log tail), a JSON API under /api and Prometheus metrics under /metrics. Users log in with the users of pcp.conf; it reaches pgpool through PCP only, so it can start a stopped pgpool (--pgpool-bin). No password, md5 hash or key appears in its pages, answers or log.|doc/admin.md"
"pg_md5|make md5 password entries for pcp.conf and pool_passwd|pg_md5 prints the md5 hash of a password for a pcp.conf line (user:hash), or with -m stores an md5 entry for a database user in pool_passwd.|doc/authentication.md, doc/pcp.md"
"pg_enc|AES-256 encrypted password entries for pool_passwd|pg_enc encrypts a database password with AES-256 under the key of ~/.pgpoolkey (or the one given) and prints it, or with -m stores it in pool_passwd.|doc/authentication.md"
)
for tool in pcp_node_count pcp_node_info pcp_proc_count pcp_proc_info pcp_pool_status \
	pcp_systemdb_info pcp_detach_node pcp_attach_node pcp_promote_node pcp_stop_pgpool \
	pcp_recovery_node pcp_health_check_stats pcp_reload_config pcp_invalidate_query_cache \
	pcp_watchdog_info pcp_stats; do
	pages+=("$tool|PCP command of pgpool|$tool is one of the PCP tools: it connects to pgpool's PCP port (TCP, or the UNIX socket in a directory given as host), authenticates with a user of pcp.conf and runs one command. The exit status is 0 on success, else the PCP error code (2 EOFERR, 8 CONNERR, 12 BACKENDERR, 13 AUTHERR, ...).|doc/pcp.md")
done

esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"; }

for entry in "${pages[@]}"; do
	IFS='|' read -r name summary desc docs <<<"$entry"
	help=$("$build/$name" --help 2>&1 || true)
	{
		printf '.TH %s 1 "" "pgpool %s" "pgpool manual"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
		printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
		printf '.SH DESCRIPTION\n%s\n' "$desc"
		printf '.SH USAGE AND OPTIONS\n.nf\n'
		printf '%s\n' "$help" | esc
		printf '.fi\n.SH SEE ALSO\nThe project documentation: %s.\n' "$docs"
	} >"$out/$name.1"
done
