#!/usr/bin/env bash
# bench/recovery.sh - online recovery timing (issue 9).
#
# Three native replication nodes with a pgbench database (scale SCALE,
# default 50; nodes 1 and 2 are file copies of node 0), node 0 archiving its
# WAL; pgpool from this build tree in native_replication mode with the
# sample recovery scripts in node 0's data directory.  Node 2 is detached,
# stopped and deleted, then rebuilt with pcp_recovery_node while CLIENTS
# (default 4) pgbench clients write through pgpool.  Prints the duration of
# each stage (from pgpool's log), the whole recovery, how long clients were
# held, and the longest transaction latency clients saw while the recovery
# ran (their longest pause: the target is at most the 2nd stage's own
# duration + 1 s).  Prints numbers; asserts nothing.
#
# usage: bench/recovery.sh            (as root or as a user that may run PostgreSQL)
# environment: SCALE, CLIENTS, PGBIN (PostgreSQL's bin directory; default
# pg_config --bindir), PGPOOL_BUILDDIR (default: the tree this script is in),
# KEEP=1 keeps the work directory.
# The pgpool_recovery extension must be installed (make -C sql install).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

SCALE=${SCALE:-50}
CLIENTS=${CLIENTS:-4}
BUILD=${PGPOOL_BUILDDIR:-$top}
# shellcheck disable=SC2012  # version directories: plain names
PGBIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
[ -x "$BUILD/pgpool" ] || bench_die "no pgpool in $BUILD: build it first"
[ -f "$("$PGBIN/pg_config" --sharedir)/extension/pgpool_recovery.control" ] ||
	bench_die "the pgpool_recovery extension is not installed (make -C sql install)"

bench_setup_user
work=$(mktemp -d /tmp/pgpool-recovery-bench-XXXXXX)
chmod 755 "$work"
[ -n "${BENCH_DB_USER_SWITCH:-}" ] && chown "$BENCH_DB_USER" "$work"
arch=$work/archive
bench_as_db mkdir -p "$arch"
bench_free_port P0; bench_free_port P1; bench_free_port P2
bench_free_port PP; bench_free_port PCP
PORTS=("$P0" "$P1" "$P2")
PGPOOL_PID=

pg() { bench_as_db env ARCHIVE_DIR="$arch" REPL_USER="$BENCH_DB_USER" PGUSER="$BENCH_DB_USER" "$@"; }
pgctl() { pg "$PGBIN/pg_ctl" -D "$work/node$1/data" -l "$work/node$1/postgresql.log" -w -t 300 "${@:2}" >/dev/null; }
psql_at() { pg "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$1" -d "${2:-postgres}" -c "$3"; }

cleanup() {
	bench_stop_pid "$PGPOOL_PID" INT
	for i in 0 1 2; do
		[ -f "$work/node$i/data/postmaster.pid" ] && pgctl "$i" -m immediate stop
	done
	if [ -n "${KEEP:-}" ]; then bench_say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

bench_say "node 0: initdb, pgbench -i -s $SCALE"
bench_as_db mkdir -p "$work/node0"
pg "$PGBIN/initdb" -D "$work/node0/data" -A trust >/dev/null || bench_die "initdb failed"
cat >>"$work/node0/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
port = $P0
shared_buffers = 128MB
max_wal_size = 2GB
wal_level = replica
max_wal_senders = 10
archive_mode = on
archive_command = 'test ! -f $arch/%f && cp %p $arch/%f'
EOF
pgctl 0 start || bench_die "node 0 does not start"
psql_at "$P0" postgres "CREATE DATABASE bench" || bench_die "createdb"
pg "$PGBIN/pgbench" -i -q -s "$SCALE" -h 127.0.0.1 -p "$P0" bench >/dev/null 2>&1 || bench_die "pgbench -i"
psql_at "$P0" postgres "CREATE EXTENSION pgpool_recovery" || bench_die "CREATE EXTENSION"
for s in replication_mode_recovery_1st_stage replication_mode_recovery_2nd_stage pgpool_remote_start; do
	cp "$top/sample/$s" "$work/node0/data/$s"
	chmod 755 "$work/node0/data/$s"
	[ -n "${BENCH_DB_USER_SWITCH:-}" ] && chown "$BENCH_DB_USER" "$work/node0/data/$s"
done
pgctl 0 stop
for i in 1 2; do
	bench_as_db cp -a "$work/node0" "$work/node$i"
	printf 'port = %s\narchive_mode = off\n' "${PORTS[$i]}" | bench_as_db tee -a "$work/node$i/data/postgresql.conf" >/dev/null
	rm -f "$work/node$i/data/"replication_mode_recovery_* "$work/node$i/data/pgpool_remote_start"
done
for i in 0 1 2; do pgctl "$i" start || bench_die "node $i does not start"; done

cat >"$work/pgpool.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PP
socket_dir = '$work'
pcp_listen_addresses = '127.0.0.1'
pcp_port = $PCP
pcp_socket_dir = '$work'
pid_file_name = '$work/pgpool.pid'
logdir = '$work'
backend_clustering_mode = 'native_replication'
num_init_children = $((CLIENTS + 4))
max_pool = 1
recovery_user = '$BENCH_DB_USER'
recovery_1st_stage_command = 'replication_mode_recovery_1st_stage'
recovery_2nd_stage_command = 'replication_mode_recovery_2nd_stage'
recovery_timeout = 600
EOF
for i in 0 1 2; do
	printf "backend_hostname%d = '127.0.0.1'\nbackend_port%d = %s\nbackend_weight%d = 1\nbackend_data_directory%d = '%s'\n" \
		"$i" "$i" "${PORTS[$i]}" "$i" "$i" "$work/node$i/data" >>"$work/pgpool.conf"
done
echo "bench:$(printf bench | md5sum | cut -d' ' -f1)" >"$work/pcp.conf"
printf '*:*:bench:bench\n' >"$work/pcppass"
chmod 600 "$work/pcppass"
[ -n "${BENCH_DB_USER_SWITCH:-}" ] && chown "$BENCH_DB_USER" "$work"/pgpool.conf "$work"/pcp.conf "$work"/pcppass
bench_spawn "$work/pgpool.pidfile" "$work/pgpool.log" "$BUILD/pgpool" -n -f "$work/pgpool.conf" \
	-F "$work/pcp.conf" || bench_die "pgpool does not start"
PGPOOL_PID=$(cat "$work/pgpool.pidfile")
bench_wait_listen "$PP" "$PGPOOL_PID" || bench_die "pgpool does not listen"

pcp() { bench_as_db env PCPPASSFILE="$work/pcppass" "$BUILD/$1" -h 127.0.0.1 -p "$PCP" -U bench -w "${@:2}"; }
pcp pcp_detach_node -n 2 >/dev/null || bench_die "pcp_detach_node"
pgctl 2 -m fast stop
rm -rf "$work/node2/data"

# clients: successive 5-second pgbench runs (complete per-transaction logs)
# until the recovery is over
bench_as_db touch "$work/recovering"
(
	cd "$work" || exit 1
	n=0
	while [ -e "$work/recovering" ]; do
		n=$((n + 1))
		pg "$PGBIN/pgbench" -n -c "$CLIENTS" -T 5 -l --log-prefix="$work/txlog$n" \
			-h 127.0.0.1 -p "$PP" bench >>"$work/pgbench.out" 2>&1
	done
) &
clients=$!
sleep 5
bench_say "recovering node 2 while $CLIENTS clients write"
t0=$(date +%s.%N)
pcp pcp_recovery_node -n 2 || bench_say "pcp_recovery_node failed (see $work/pgpool.log; KEEP=1 keeps it)"
t1=$(date +%s.%N)
sleep 5
rm -f "$work/recovering"
wait "$clients"

log=$work/pgpool.log
ms() { grep -o "$1 (duration: [0-9.]* ms)" "$log" | tail -n 1 | grep -o '[0-9.]* ms' | cut -d' ' -f1; }
printf 'scale                          %s\n' "$SCALE"
printf 'clients                        %s\n' "$CLIENTS"
printf '1st stage (ms)                 %s\n' "$(ms '1st stage is done')"
printf 'wait for clients (ms)          %s\n' "$(ms 'new transactions wait')"
printf '2nd stage (ms)                 %s\n' "$(ms '2nd stage is done')"
printf 'remote start + wait (ms)       %s\n' "$(ms 'node restarted')"
printf 'whole recovery (ms)            %s\n' "$(ms 'is attached')"
printf 'pcp_recovery_node wall (s)     %.3f\n' "$(echo "$t1 - $t0" | bc)"
printf 'clients held at the gate (s)   %s\n' "$(grep -o 'they were held for [0-9.]* s' "$log" | tail -n 1 | grep -o '[0-9.]*')"
# pgbench -l lines: client, transaction, latency (us), script, epoch s, us
printf 'longest client latency (ms)    %s\n' "$(cat "$work"/txlog* 2>/dev/null | awk '$3 > m { m = $3 } END { printf "%.1f", m / 1000 }')"
printf 'transactions during the run    %s\n' "$(cat "$work"/txlog* 2>/dev/null | wc -l)"
printf 'client errors                  %s\n' "$(grep -c -i 'error' "$work/pgbench.out" 2>/dev/null || true)"
