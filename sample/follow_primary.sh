#!/bin/sh
#
# follow_primary.sh - follow_primary_command (follow_master_command) for
# streaming replication mode.
#
# After a failover promoted a new primary, pgpool runs this once for every
# other node (the failed old primary too): a standby still streams from the old primary's timeline
# and must be re-pointed at the new primary.  The script
#
#   1. checks that the new primary answers and is out of recovery, and
#      that the standby answers at all;
#   2. on the standby's host (locally, or over ssh): stops the standby,
#      rewinds it onto the new primary's timeline with pg_rewind (or, if
#      that fails, replaces it with a fresh pg_basebackup), keeps the
#      node's own postgresql.conf/pg_hba.conf/pg_ident.conf (both tools
#      copy the primary's), points primary_conninfo at the new primary,
#      creates standby.signal and starts it again;
#   3. attaches the node to pgpool again with pcp_attach_node (when PCP_PORT
#      is set), since pgpool detaches the standbys before it runs this.
#
# A standby whose server is not running (the failed old primary, a node
# already down) is left alone: bring it back with online recovery.
#
# pgpool.conf:
#
#   follow_primary_command = '/etc/pgpool/follow_primary.sh %d %h %p %D %m %H %M %P %r %R %N %S'
#
# Arguments, in that order (pgpool replaces the % escapes):
#
#   %d  id of the standby to re-point %h  its host name
#   %p  its port                      %D  its data directory
#   %m  id of the new primary         %H  its host name
#   %M  id of the old main node       %P  id of the old primary node
#   %r  port of the new primary       %R  its data directory
#   %N  host name of the old primary  %S  port of the old primary
#
# Environment (all optional; set them in pgpool's environment, or put
# "NAME=value" before the script's path in follow_primary_command):
#
#   PGBIN             directory of pg_ctl, pg_rewind, pg_basebackup, psql
#                     and pg_isready
#                     on every host (default: PATH, else the newest
#                     /usr/lib/postgresql/*/bin)
#   REPL_USER         user for replication, pg_rewind and checks; must be a
#                     superuser or have pg_rewind's grants (default: postgres)
#   REPL_SLOT_PREFIX  use replication slot <prefix><node id> on the new
#                     primary (created when missing)
#   PG_LOG            file for pg_ctl start's output (default: the file
#                     postgresql.log next to the data directory)
#   SSH_USER          user to ssh as on other hosts (default: postgres)
#   SSH_OPTIONS       extra ssh options
#   PCP_HOST, PCP_PORT, PCP_USER
#                     pgpool's PCP address and user for pcp_attach_node
#                     (nothing is attached unless PCP_PORT is set; the
#                     password comes from ~/.pcppass or PCPPASSFILE)
#   PGPOOL_BIN        directory of pcp_attach_node (default: PATH)
#
# Password-less access is assumed: ssh keys for SSH_USER, and trust or a
# .pgpass entry for REPL_USER on the new primary.  Exit status 0 means the
# standby follows the new primary (or there was nothing to do).

set -u

NODE_ID=${1:-}
NODE_HOST=${2:-}
NODE_PORT=${3:-}
NODE_PGDATA=${4:-}
NEW_PRIMARY_ID=${5:-}
NEW_PRIMARY_HOST=${6:-}
OLD_MAIN_ID=${7:-}
OLD_PRIMARY_ID=${8:-}
NEW_PRIMARY_PORT=${9:-}
NEW_PRIMARY_PGDATA=${10:-}
OLD_PRIMARY_HOST=${11:-}
OLD_PRIMARY_PORT=${12:-}

REPL_USER=${REPL_USER:-postgres}
REPL_SLOT_PREFIX=${REPL_SLOT_PREFIX:-}
PG_LOG=${PG_LOG:-$(dirname "$NODE_PGDATA")/postgresql.log}
SSH_USER=${SSH_USER:-postgres}
SSH_OPTIONS=${SSH_OPTIONS:--o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o BatchMode=yes}
PCP_HOST=${PCP_HOST:-localhost}
PCP_PORT=${PCP_PORT:-}
PCP_USER=${PCP_USER:-pgpool}

log()
{
	echo "follow_primary.sh: $*" >&2
}

if [ $# -lt 12 ]; then
	log "expected 12 arguments (%d %h %p %D %m %H %M %P %r %R %N %S), got $#"
	exit 1
fi

if [ -z "${PGBIN:-}" ]; then
	if command -v pg_ctl >/dev/null 2>&1; then
		PGBIN=$(dirname "$(command -v pg_ctl)")
	else
		# shellcheck disable=SC2012  # version directories: plain names
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
		PGBIN=${PGBIN:-/usr/local/pgsql/bin}
	fi
fi

is_local()
{
	case "$1" in
		'' | localhost | localhost.* | 127.* | ::1) return 0 ;;
	esac
	[ "$1" = "$(hostname 2>/dev/null)" ] && return 0
	[ "$1" = "$(hostname -f 2>/dev/null)" ] && return 0
	return 1
}

# Quote one word for a POSIX shell.
quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# run_script_on HOST: run the shell script read from stdin on HOST.
run_script_on()
{
	if is_local "$1"; then
		sh -s
	else
		# shellcheck disable=SC2086  # SSH_OPTIONS is a list of options
		ssh -T $SSH_OPTIONS "$SSH_USER@$1" sh -s
	fi
}

if [ "$NODE_ID" = "$NEW_PRIMARY_ID" ]; then
	log "node $NODE_ID is the new primary; nothing to do"
	exit 0
fi

log "re-pointing node $NODE_ID ($NODE_HOST:$NODE_PORT, $NODE_PGDATA) at the new primary" \
	"node $NEW_PRIMARY_ID ($NEW_PRIMARY_HOST:$NEW_PRIMARY_PORT, $NEW_PRIMARY_PGDATA);" \
	"old primary: node $OLD_PRIMARY_ID ($OLD_PRIMARY_HOST:$OLD_PRIMARY_PORT), old main: node $OLD_MAIN_ID"

# 1. The new primary must answer and be out of recovery.
state=$("$PGBIN/psql" -X -A -t -w -h "$NEW_PRIMARY_HOST" -p "$NEW_PRIMARY_PORT" -U "$REPL_USER" \
	-d postgres -c "SELECT pg_is_in_recovery()" 2>/dev/null)
if [ "$state" != "f" ]; then
	log "node $NEW_PRIMARY_ID does not answer as a primary (pg_is_in_recovery: '${state}')"
	exit 1
fi

# A standby that does not answer at all (the failed old primary, a node
# already down) is not ours to bring back: online recovery does that.
"$PGBIN/pg_isready" -q -h "$NODE_HOST" -p "$NODE_PORT" -t 10
if [ $? -ge 2 ]; then
	log "node $NODE_ID does not answer; not re-pointed, not attached"
	exit 0
fi

# pg_rewind reads the source's timeline from its control file, which a
# fresh promotion updates only at its first checkpoint.
"$PGBIN/psql" -X -q -w -h "$NEW_PRIMARY_HOST" -p "$NEW_PRIMARY_PORT" -U "$REPL_USER" -d postgres \
	-c "CHECKPOINT" >/dev/null 2>&1 || log "CHECKPOINT on the new primary failed"

SLOT=
if [ -n "$REPL_SLOT_PREFIX" ]; then
	SLOT="$REPL_SLOT_PREFIX$NODE_ID"
	"$PGBIN/psql" -X -q -w -h "$NEW_PRIMARY_HOST" -p "$NEW_PRIMARY_PORT" -U "$REPL_USER" -d postgres \
		-c "SELECT pg_create_physical_replication_slot('$SLOT') WHERE NOT EXISTS
			(SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')" >/dev/null 2>&1 ||
		log "could not create replication slot $SLOT on the new primary"
fi

CONNINFO="host=$NEW_PRIMARY_HOST port=$NEW_PRIMARY_PORT user=$REPL_USER dbname=postgres"

# 2. The steps on the standby's host, as one script (run by sh locally or
# through ssh): every value it needs is written into it, quoted.
{
	echo "PGBIN=$(quote "$PGBIN")"
	echo "PGDATA=$(quote "$NODE_PGDATA")"
	echo "PG_LOG=$(quote "$PG_LOG")"
	echo "CONNINFO=$(quote "$CONNINFO")"
	echo "PRIMARY_HOST=$(quote "$NEW_PRIMARY_HOST")"
	echo "PRIMARY_PORT=$(quote "$NEW_PRIMARY_PORT")"
	echo "REPL_USER=$(quote "$REPL_USER")"
	echo "SLOT=$(quote "$SLOT")"
	cat <<'EOF'
log() { echo "follow_primary.sh [$(hostname 2>/dev/null)]: $*" >&2; }

# A server that is not running is not ours to bring back (a failed node
# returns through online recovery): exit status 3 tells the caller.
if ! "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
	log "the server in $PGDATA is not running; skipped"
	exit 3
fi
if ! "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null; then
	log "could not stop the server in $PGDATA"
	exit 1
fi

# pg_rewind and pg_basebackup bring the primary's configuration files:
# keep this node's own (port, names, access rules).
SAVED=$(mktemp -d) || exit 1
for f in postgresql.conf pg_hba.conf pg_ident.conf; do
	[ -f "$PGDATA/$f" ] && cp -p "$PGDATA/$f" "$SAVED/"
done

# -R: standby.signal and primary_conninfo (the new primary) in
# postgresql.auto.conf.  A standby that never went past the point where
# the new primary left the old timeline needs no rewind; pg_rewind says so
# and changes nothing.
if "$PGBIN/pg_rewind" -D "$PGDATA" --source-server="$CONNINFO" -R; then
	log "pg_rewind done"
else
	log "pg_rewind failed; taking a new base backup"
	OLD="$PGDATA.follow_primary.$$"
	mv "$PGDATA" "$OLD" || exit 1
	if "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPL_USER" \
		-D "$PGDATA" -X stream -R -c fast ${SLOT:+-S "$SLOT"}; then
		rm -rf "$OLD"
	else
		log "pg_basebackup failed; the old data directory is kept"
		rm -rf "$PGDATA"
		mv "$OLD" "$PGDATA"
		exit 1
	fi
fi

cp -p "$SAVED"/* "$PGDATA"/ 2>/dev/null
rm -rf "$SAVED"
# the last setting in postgresql.auto.conf wins
if [ -n "$SLOT" ]; then
	echo "primary_slot_name = '$SLOT'" >> "$PGDATA/postgresql.auto.conf"
fi
touch "$PGDATA/standby.signal"

if ! "$PGBIN/pg_ctl" -D "$PGDATA" -w -t 120 -l "$PG_LOG" start >/dev/null; then
	log "the standby in $PGDATA did not start; see $PG_LOG"
	exit 1
fi
log "the standby in $PGDATA follows $PRIMARY_HOST:$PRIMARY_PORT"
exit 0
EOF
} | run_script_on "$NODE_HOST"
rc=$?
if [ $rc -eq 3 ]; then
	log "node $NODE_ID is not running; not re-pointed, not attached"
	exit 0
fi
if [ $rc -ne 0 ]; then
	log "node $NODE_ID could not be re-pointed (exit status $rc)"
	exit $rc
fi

# 3. Back into pgpool.
if [ -n "$PCP_PORT" ]; then
	pcp=pcp_attach_node
	[ -n "${PGPOOL_BIN:-}" ] && pcp="$PGPOOL_BIN/pcp_attach_node"
	if ! "$pcp" -h "$PCP_HOST" -p "$PCP_PORT" -U "$PCP_USER" -w -n "$NODE_ID"; then
		log "pcp_attach_node of node $NODE_ID failed"
		exit 1
	fi
fi
log "node $NODE_ID follows node $NEW_PRIMARY_ID"
exit 0
