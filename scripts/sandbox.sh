#!/usr/bin/env bash
# A local playground: builds pgpool, creates a PostgreSQL 15 primary and one
# streaming standby on free loopback ports, and starts pgpool on port 9999
# in front of them in streaming replication mode (reads load balanced over
# both nodes, writes to the primary), with a PCP server for the pcp_* tools
# (user pgpool, password pgpool; its port is printed and kept in
# SANDBOX_DIR/pcp_port).
#
# Usage: scripts/sandbox.sh [start]   install deps, build, create/start all
#        scripts/sandbox.sh stop      stop pgpool and both nodes
#        scripts/sandbox.sh status    show what runs
#        scripts/sandbox.sh clean     stop, then delete the sandbox directory
# Environment: SANDBOX_DIR (default ./sandbox), PGPOOL_PORT (default 9999),
#              SKIP_DEPS=1 (skip package installation), SKIP_BUILD=1 (use
#              the pgpool already built, or PGPOOL_BIN).
# As root, PostgreSQL and pgpool run as the unprivileged user "pgpooltest".
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PGPOOL_PORT=${PGPOOL_PORT:-9999}
PGPOOL_BIN=${PGPOOL_BIN:-$root/pgpool}
RUN_USER=$(id -un)
[ "$(id -u)" = 0 ] && RUN_USER=pgpooltest

die() { echo "sandbox: $*" >&2; exit 1; }
say() { echo "==> $*"; }

# Run a command as the user that owns the servers.
as_user() {
	if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

# The sandbox directory; as root it must be reachable by pgpooltest, so a
# directory below an unreadable home falls back to /tmp/pgpool-sandbox.
pick_dir() {
	SB=${SANDBOX_DIR:-$root/sandbox}
	if [ "$(id -u)" = 0 ] && [ -z "${SANDBOX_DIR:-}" ] && id "$RUN_USER" >/dev/null 2>&1 &&
		! runuser -u "$RUN_USER" -- test -x "$(dirname "$SB")"; then
		SB=/tmp/pgpool-sandbox
	fi
	CONF=$SB/pgpool.conf
}

port_free() { [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

free_port_from() {
	local p=$1
	while ! port_free "$p" || grep -qx "$p" "$SB/ports" 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

install_and_build() {
	if [ "${SKIP_DEPS:-0}" != 1 ]; then
		say "installing dependencies"
		bash scripts/install-deps.sh # uses sudo itself when not root
	fi
	if [ "$(id -u)" = 0 ] && ! id "$RUN_USER" >/dev/null 2>&1; then
		useradd -r -m -s /bin/bash "$RUN_USER"
	fi
	[ "${SKIP_BUILD:-0}" = 1 ] && return 0
	say "building pgpool"
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure
	make -j2
}

pg_running() { [ -f "$1/postmaster.pid" ] && as_user "$PG_BINDIR/pg_ctl" -D "$1" status >/dev/null 2>&1; }

pgpool_pid() {
	local pid
	pid=$(head -n 1 "$SB/pgpool.pid" 2>/dev/null || true)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Settings appended to a node's postgresql.conf.
node_conf() {
	cat <<EOF

# added by scripts/sandbox.sh
port = $1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SB'
wal_level = replica
max_wal_senders = 10
wal_keep_size = 128MB
hot_standby = on
logging_collector = off
EOF
}

create_nodes() {
	local p0 p1
	p0=$(free_port_from 5433)
	echo "$p0" >"$SB/ports"
	p1=$(free_port_from $((p0 + 1)))
	echo "$p1" >>"$SB/ports"
	say "initdb primary (port $p0)"
	as_user "$PG_BINDIR/initdb" -D "$SB/primary" -A trust -E UTF8 --locale=C >"$SB/initdb.log"
	node_conf "$p0" | as_user tee -a "$SB/primary/postgresql.conf" >/dev/null
	as_user tee "$SB/primary/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
local replication all trust
host replication all 127.0.0.1/32 trust
EOF
	as_user "$PG_BINDIR/pg_ctl" -D "$SB/primary" -w -l "$SB/primary.log" start >/dev/null
	say "pg_basebackup standby (port $p1)"
	as_user "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$p0" -D "$SB/standby" -R -X stream -c fast
	# cluster_name names the standby in pg_stat_replication (backend_application_name1)
	printf "port = %s\ncluster_name = 'standby'\n" "$p1" | as_user tee -a "$SB/standby/postgresql.conf" >/dev/null
}

write_pgpool_files() {
	local p0 p1
	p0=$(sed -n 1p "$SB/ports")
	p1=$(sed -n 2p "$SB/ports")
	free_port_from 9898 | as_user tee "$SB/pcp_port" >/dev/null
	as_user tee "$CONF" >/dev/null <<EOF
# pgpool.conf written by scripts/sandbox.sh
listen_addresses = '127.0.0.1'
port = $PGPOOL_PORT
socket_dir = '$SB'
pcp_listen_addresses = '127.0.0.1'
pcp_port = $(cat "$SB/pcp_port")
pcp_socket_dir = '$SB'
pid_file_name = '$SB/pgpool.pid'
logdir = '$SB'
# streaming replication: reads load balanced over both nodes, writes to the primary
backend_clustering_mode = 'streaming_replication'
sr_check_user = '$RUN_USER'
sr_check_period = 10
health_check_user = '$RUN_USER'
health_check_period = 10
num_init_children = 8
max_pool = 4
connection_cache = on
log_min_messages = info
backend_hostname0 = '127.0.0.1'
backend_port0 = $p0
backend_weight0 = 1
backend_data_directory0 = '$SB/primary'
backend_hostname1 = '127.0.0.1'
backend_port1 = $p1
backend_weight1 = 1
backend_data_directory1 = '$SB/standby'
backend_application_name1 = 'standby'
EOF
	echo "pgpool:$(printf %s pgpool | md5sum | cut -d' ' -f1)" | as_user tee "$SB/pcp.conf" >/dev/null
	printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' |
		as_user tee "$SB/pool_hba.conf" >/dev/null
}

# The binary pgpooltest runs: the built one, or a copy if it cannot reach it.
pgpool_binary() {
	[ -x "$PGPOOL_BIN" ] || die "no pgpool binary at $PGPOOL_BIN"
	if as_user test -x "$PGPOOL_BIN"; then echo "$PGPOOL_BIN"; return; fi
	cp "$PGPOOL_BIN" "$SB/pgpool-bin"
	chown "$RUN_USER" "$SB/pgpool-bin"
	echo "$SB/pgpool-bin"
}

start_all() {
	install_and_build
	pick_dir
	if [ ! -d "$SB" ]; then
		mkdir -p "$SB"
		if [ "$(id -u)" = 0 ]; then chown "$RUN_USER" "$SB"; fi
	fi
	as_user test -w "$SB" || die "$SB is not writable by $RUN_USER (set SANDBOX_DIR)"
	if [ -z "$(pgpool_pid)" ] && ! port_free "$PGPOOL_PORT"; then
		die "port $PGPOOL_PORT is in use (set PGPOOL_PORT)"
	fi
	[ -d "$SB/primary" ] || create_nodes
	for n in primary standby; do
		pg_running "$SB/$n" || as_user "$PG_BINDIR/pg_ctl" -D "$SB/$n" -w -l "$SB/$n.log" start >/dev/null
	done
	for _ in $(seq 1 60); do
		[ "$(as_user "$PG_BINDIR/psql" -X -At -h "$SB" -p "$(sed -n 2p "$SB/ports")" -d postgres \
			-c 'select pg_is_in_recovery()' 2>/dev/null)" = t ] && break
		sleep 1
	done
	if [ -z "$(pgpool_pid)" ]; then
		write_pgpool_files
		local bin
		bin=$(pgpool_binary)
		say "starting pgpool on port $PGPOOL_PORT"
		as_user bash -c "cd '$SB' && exec setsid '$bin' -n -f '$CONF' -F '$SB/pcp.conf' \
			-a '$SB/pool_hba.conf' >>'$SB/pgpool.log' 2>&1 </dev/null &"
		local ok=0
		for _ in $(seq 1 40); do
			if as_user "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$PGPOOL_PORT" -U "$RUN_USER" \
				-d postgres -c 'select 1' >/dev/null 2>&1; then ok=1; break; fi
			sleep 0.5
		done
		[ $ok = 1 ] || { tail -n 30 "$SB/pgpool.log" >&2; die "pgpool did not start (log: $SB/pgpool.log)"; }
	fi
	local envs=""
	[ -n "${SANDBOX_DIR:-}" ] && envs="SANDBOX_DIR=$SANDBOX_DIR "
	cat <<EOF

Sandbox running in $SB
  primary : 127.0.0.1:$(sed -n 1p "$SB/ports")   standby : 127.0.0.1:$(sed -n 2p "$SB/ports")
  pgpool  : 127.0.0.1:$PGPOOL_PORT (log: $SB/pgpool.log)

Connect:  psql -h 127.0.0.1 -p $PGPOOL_PORT -U $RUN_USER postgres
          (as root: runuser -u $RUN_USER -- psql ...; SHOW pool_nodes lists the nodes)
PCP:      $root/pcp_node_info -h 127.0.0.1 -p $(cat "$SB/pcp_port" 2>/dev/null) -U pgpool -n 0
          (password: pgpool)
Programs: $root/pgpool, $root/pcp_*, $root/pg_md5, $root/pg_enc (built in place)
Stop:     ${envs}scripts/sandbox.sh stop
EOF
}

stop_all() {
	pick_dir
	[ -d "$SB" ] || { echo "no sandbox in $SB"; return 0; }
	if [ -n "$(pgpool_pid)" ]; then
		say "stopping pgpool"
		as_user "$(pgpool_binary)" -f "$CONF" -m fast stop || true
		for _ in $(seq 1 40); do [ -z "$(pgpool_pid)" ] && break; sleep 0.5; done
		local pid
		pid=$(pgpool_pid || true)
		[ -z "$pid" ] || kill -TERM "$pid"
	fi
	for n in standby primary; do
		if pg_running "$SB/$n"; then
			say "stopping $n"
			as_user "$PG_BINDIR/pg_ctl" -D "$SB/$n" -w -m fast stop >/dev/null
		fi
	done
}

status_all() {
	pick_dir
	echo "sandbox: $SB"
	echo "pgpool : $([ -n "$(pgpool_pid)" ] && echo "running (pid $(pgpool_pid))" || echo stopped)"
	for n in primary standby; do
		echo "$n: $(pg_running "$SB/$n" && echo running || echo stopped)"
	done
}

case "${1:-start}" in
	start) start_all ;;
	stop) stop_all ;;
	status) status_all ;;
	clean) stop_all; pick_dir; rm -rf "$SB" ;;
	*) die "usage: $0 [start|stop|status|clean]" ;;
esac
