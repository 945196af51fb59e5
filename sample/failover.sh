#!/bin/sh
#
# failover.sh - failover_command for streaming replication mode.
#
# pgpool runs this once it has detached a failed backend node.  When the
# failed node was the primary, the node pgpool picked as the new main node
# is a standby: promote it with "pg_ctl promote", on this host or over ssh.
# When a standby failed there is nothing to promote; if replication slots
# are in use, the failed standby's slot is dropped on the primary so that
# the primary does not keep WAL for it forever.
#
# pgpool.conf:
#
#   failover_command = '/etc/pgpool/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S'
#
# Arguments, in that order (pgpool replaces the % escapes):
#
#   %d  id of the failed node         %h  its host name
#   %p  its port                      %D  its data directory
#   %m  id of the new main node       %H  its host name
#   %M  id of the old main node       %P  id of the old primary node
#   %r  port of the new main node     %R  its data directory
#   %N  host name of the old primary  %S  port of the old primary
#
# Environment (all optional; set them in pgpool's environment, or put
# "NAME=value" before the script's path in failover_command):
#
#   PGBIN             directory holding pg_ctl and psql on every host
#                     (default: pg_ctl from PATH, else the newest
#                     /usr/lib/postgresql/*/bin)
#   PGUSER            database user for the checks below (default: postgres)
#   SSH_USER          user to ssh as on other hosts (default: postgres)
#   SSH_OPTIONS       extra ssh options (default: no host key prompt, 10 s
#                     connect timeout, batch mode)
#   REPL_SLOT_PREFIX  replication slots are named <prefix><node id>; when
#                     set, a failed standby's slot is dropped
#
# The script runs as the user pgpool runs as.  For a remote node that user
# needs password-less ssh (a key) to SSH_USER@host, and SSH_USER must own
# the data directory there.  Output goes to pgpool's log.  Exit status 0
# means done (or nothing to do).

set -u

FAILED_NODE_ID=${1:-}
FAILED_HOST=${2:-}
FAILED_PORT=${3:-}
FAILED_PGDATA=${4:-}
NEW_MAIN_ID=${5:-}
NEW_MAIN_HOST=${6:-}
OLD_MAIN_ID=${7:-}
OLD_PRIMARY_ID=${8:-}
NEW_MAIN_PORT=${9:-}
NEW_MAIN_PGDATA=${10:-}
OLD_PRIMARY_HOST=${11:-}
OLD_PRIMARY_PORT=${12:-}

PGUSER=${PGUSER:-postgres}
SSH_USER=${SSH_USER:-postgres}
SSH_OPTIONS=${SSH_OPTIONS:--o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o BatchMode=yes}
REPL_SLOT_PREFIX=${REPL_SLOT_PREFIX:-}

log()
{
	echo "failover.sh: $*" >&2
}

if [ $# -lt 12 ]; then
	log "expected 12 arguments (%d %h %p %D %m %H %M %P %r %R %N %S), got $#"
	exit 1
fi

# Where pg_ctl and psql are: PGBIN, else PATH, else Debian's layout.
if [ -z "${PGBIN:-}" ]; then
	if command -v pg_ctl >/dev/null 2>&1; then
		PGBIN=$(dirname "$(command -v pg_ctl)")
	else
		# shellcheck disable=SC2012  # version directories: plain names
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
		PGBIN=${PGBIN:-/usr/local/pgsql/bin}
	fi
fi

# True if host name $1 is this machine (no ssh needed).
is_local()
{
	case "$1" in
		'' | localhost | localhost.* | 127.* | ::1) return 0 ;;
	esac
	[ "$1" = "$(hostname 2>/dev/null)" ] && return 0
	[ "$1" = "$(hostname -f 2>/dev/null)" ] && return 0
	return 1
}

# Quote one word for a POSIX shell (ssh hands the remote side a string).
quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# run_on HOST COMMAND [ARG...]: run a command on HOST, locally or by ssh.
run_on()
{
	host=$1
	shift
	if is_local "$host"; then
		"$@"
		return $?
	fi
	cmd=
	for word in "$@"; do
		cmd="$cmd $(quote "$word")"
	done
	# shellcheck disable=SC2086  # SSH_OPTIONS is a list of options
	ssh -T $SSH_OPTIONS "$SSH_USER@$host" "$cmd"
}

# psql_value HOST PORT SQL: one value from a node, empty on failure.
psql_value()
{
	"$PGBIN/psql" -X -A -t -w -h "$1" -p "$2" -U "$PGUSER" -d postgres -c "$3" 2>/dev/null
}

log "node $FAILED_NODE_ID ($FAILED_HOST:$FAILED_PORT, $FAILED_PGDATA) failed;" \
	"old primary: $OLD_PRIMARY_ID, old main: $OLD_MAIN_ID, new main: $NEW_MAIN_ID"

# Every node is down: there is nothing left to promote.
if [ "$NEW_MAIN_ID" -lt 0 ] 2>/dev/null; then
	log "no node is left up; nothing to promote"
	exit 0
fi

# A standby failed (the primary is known and is another node): nothing to
# promote.  Drop its replication slot so the primary does not keep WAL.
if [ "$OLD_PRIMARY_ID" != "-1" ] && [ "$FAILED_NODE_ID" != "$OLD_PRIMARY_ID" ]; then
	if [ -n "$REPL_SLOT_PREFIX" ]; then
		slot="$REPL_SLOT_PREFIX$FAILED_NODE_ID"
		psql_value "$OLD_PRIMARY_HOST" "$OLD_PRIMARY_PORT" \
			"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'" \
			>/dev/null || log "could not drop replication slot $slot on the primary"
	fi
	log "standby node $FAILED_NODE_ID is down; no promotion needed"
	exit 0
fi

# The primary failed (or no primary was known).  A new main node that is
# already out of recovery needs nothing; otherwise promote it.
state=$(psql_value "$NEW_MAIN_HOST" "$NEW_MAIN_PORT" "SELECT pg_is_in_recovery()")
if [ "$state" = "f" ]; then
	log "node $NEW_MAIN_ID is already a primary; nothing to promote"
	exit 0
fi

log "promoting node $NEW_MAIN_ID ($NEW_MAIN_HOST:$NEW_MAIN_PORT, $NEW_MAIN_PGDATA)"
if ! run_on "$NEW_MAIN_HOST" "$PGBIN/pg_ctl" -D "$NEW_MAIN_PGDATA" -w -t 60 promote; then
	log "pg_ctl promote of node $NEW_MAIN_ID failed"
	exit 1
fi
log "node $NEW_MAIN_ID promoted"
exit 0
