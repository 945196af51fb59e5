#!/usr/bin/env bash
# bench/run.sh - pgbench through each pooler vs. PostgreSQL itself.
#
# Starts a throwaway PostgreSQL 15 primary and, on their own loopback ports,
# this project's pgpool, PgBouncer and Debian's pgpool-II; runs pgbench
# workloads interleaved over the targets; prints TPS, latency, ratio to
# direct TPS and the pooler's CPU per query.  Prints numbers, asserts nothing.
# See bench/README.md.  Everything started is stopped on exit or Ctrl-C.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=targets.sh
. "$BENCH_DIR/targets.sh"

BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
BENCH_CLIENTS=${BENCH_CLIENTS:-16}
BENCH_JOBS=${BENCH_JOBS:-2}
BENCH_SCALE=${BENCH_SCALE:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_TARGETS=${BENCH_TARGETS:-direct pgpool pgbouncer pgpool2}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-simple extended prepared tpcb connect}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
BENCH_CHILDREN=${BENCH_CHILDREN:-$((BENCH_CLIENTS + 4))}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ -z "${PGPOOL_BIN:-}" ]; then
	PGPOOL_BIN=/work/main/pgpool
	[ -x "$PGPOOL_BIN" ] || PGPOOL_BIN=$BENCH_DIR/../pgpool
fi

# pgbench options and statements per transaction of each workload.
declare -A WL_ARGS=(
	[simple]="-S -M simple"
	[extended]="-S -M extended"
	[prepared]="-S -M prepared"
	[tpcb]="-M simple"
	[connect]="-S -C -M simple"
)
# TPC-B-like: BEGIN, 3 UPDATEs, SELECT, INSERT, END.
declare -A WL_QUERIES=([simple]=1 [extended]=1 [prepared]=1 [tpcb]=7 [connect]=1)

BENCH_TMP=
bench_cleanup() {
	trap - EXIT INT TERM HUP
	bench_stop_targets
	bench_stop_postgres
	if [ -n "$BENCH_TMP" ] && [ -d "$BENCH_TMP" ]; then
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			bench_say "kept $BENCH_TMP"
		else
			rm -rf "$BENCH_TMP"
		fi
	fi
}
trap bench_cleanup EXIT
trap 'bench_say "interrupted"; exit 130' INT TERM HUP

# Can a client get through TARGET right now?  Retries for a few seconds.
bench_ready() {
	local port=$1
	for _ in $(seq 1 30); do
		"$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$BENCH_DB_USER" \
			-d "$BENCH_DB" -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
}

# Run pgbench once; print "tps latency_ms transactions cpu_ticks" ("fail ..."
# if pgbench failed).
bench_pgbench() {
	local target=$1 wl=$2 secs=$3 log=$4 before=0 after=0 pid
	pid=${TARGET_PID[$target]:-}
	[ -n "$pid" ] && before=$(bench_tree_ticks "$pid")
	# shellcheck disable=SC2086
	timeout --foreground $((secs + 60)) "$PG_BINDIR/pgbench" ${WL_ARGS[$wl]} \
		-c "$BENCH_CLIENTS" -j "$BENCH_JOBS" -T "$secs" -n \
		-h 127.0.0.1 -p "${TARGET_PORT[$target]}" -U "$BENCH_DB_USER" \
		"$BENCH_DB" >"$log" 2>&1
	local rc=$?
	[ -n "$pid" ] && after=$(bench_tree_ticks "$pid")
	local tps lat txns
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | head -n1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | head -n1)
	txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log" | head -n1)
	if [ $rc -ne 0 ] || [ -z "$tps" ] || [ -z "$txns" ]; then
		echo "fail - - -"
		return 1
	fi
	echo "$tps ${lat:--} $txns $((after - before))"
}

# Start the requested targets; those that fail to start are dropped.
bench_start_all() {
	local t try started=()
	for t in $BENCH_TARGETS; do
		if ! declare -F "bench_start_$t" >/dev/null; then
			bench_say "unknown target $t; skipped"
			continue
		fi
		# A port can still be taken by someone else between our check and
		# the server's bind: try again on fresh ports.
		for try in 1 2 3; do
			"bench_start_$t"
			case $? in 0) break ;; 2) break ;; esac
			[ -n "${TARGET_PID[$t]:-}" ] && bench_stop_pid "${TARGET_PID[$t]}" KILL
			unset "TARGET_PID[$t]" "TARGET_PORT[$t]"
			[ "$try" = 3 ] || bench_say "$t: trying again"
		done
		[ -n "${TARGET_PORT[$t]:-}" ] || continue
		if ! bench_ready "${TARGET_PORT[$t]}"; then
			bench_say "$t does not answer SELECT 1; skipped"
			[ -n "${TARGET_PID[$t]:-}" ] && bench_stop_pid "${TARGET_PID[$t]}" "${TARGET_STOPSIG[$t]:-TERM}"
			unset "TARGET_PID[$t]"
			continue
		fi
		started+=("$t")
	done
	ACTIVE_TARGETS="${started[*]}"
}

# Print the words after the first, rotated left by N: each round starts with
# a different target, so none always runs right after the same neighbour.
bench_rotate() {
	local n=$1
	shift
	local all=("$@")
	local i count=${#all[@]}
	for ((i = 0; i < count; i++)); do
		echo "${all[$(((i + n) % count))]}"
	done
}

# Interleaved runs: within each workload, each round visits every target once
# (starting one target further each round).
bench_run_all() {
	local wl round t res tps lat txns ticks
	RAW=$BENCH_RESULTS/latest.csv
	echo "workload,round,target,tps,latency_ms,transactions,pooler_cpu_ticks" >"$RAW"
	for wl in $BENCH_WORKLOADS; do
		[ -n "${WL_ARGS[$wl]:-}" ] || { bench_say "unknown workload $wl; skipped"; continue; }
		if [ "$BENCH_WARMUP" -gt 0 ]; then
			for t in $ACTIVE_TARGETS; do
				bench_pgbench "$t" "$wl" "$BENCH_WARMUP" "$BENCH_TMP/warmup.log" >/dev/null
			done
		fi
		for round in $(seq 1 "$BENCH_ROUNDS"); do
			# shellcheck disable=SC2086 # a word list
			for t in $(bench_rotate "$((round - 1))" $ACTIVE_TARGETS); do
				res=$(bench_pgbench "$t" "$wl" "$BENCH_DURATION" \
					"$BENCH_TMP/run-$wl-$round-$t.log")
				read -r tps lat txns ticks <<<"$res"
				bench_say "$wl round $round $t: tps=$tps lat=${lat}ms"
				if [ "$tps" = fail ]; then
					bench_say "pgbench failed; tail of its output:"
					tail -n 5 "$BENCH_TMP/run-$wl-$round-$t.log" >&2
				fi
				echo "$wl,$round,$t,$tps,$lat,$txns,$ticks" >>"$RAW"
			done
		done
	done
}

# Median over rounds of one column (4=tps, 5=latency) for WORKLOAD,TARGET.
bench_col_median() {
	awk -F, -v w="$1" -v t="$2" -v c="$3" \
		'$1 == w && $3 == t && $4 != "fail" { print $c }' "$RAW" | bench_median
}

# Median over rounds of pooler CPU µs per query.
bench_cpu_median() {
	local hz=$1 q=$2
	awk -F, -v w="$3" -v t="$4" -v hz="$hz" -v q="$q" \
		'$1 == w && $3 == t && $4 != "fail" && $6 > 0 {
			printf "%.3f\n", $7 * 1e6 / hz / ($6 * q) }' "$RAW" | bench_median
}

bench_report() {
	local hz wl t tps lat dtps ratio cpu out=$BENCH_RESULTS/latest.txt
	hz=$(getconf CLK_TCK)
	{
		echo "pgbench: $BENCH_CLIENTS clients, -j $BENCH_JOBS, -T $BENCH_DURATION," \
			"scale $BENCH_SCALE, $BENCH_ROUNDS round(s), median; $(nproc) cores;" \
			"$(date -u '+%Y-%m-%d %H:%M UTC')"
		printf '%-9s %-10s %10s %9s %8s %12s\n' workload target tps lat_ms x_direct cpu_us/query
		for wl in $BENCH_WORKLOADS; do
			[ -n "${WL_ARGS[$wl]:-}" ] || continue
			dtps=$(bench_col_median "$wl" direct 4)
			for t in $ACTIVE_TARGETS; do
				tps=$(bench_col_median "$wl" "$t" 4)
				lat=$(bench_col_median "$wl" "$t" 5)
				ratio=-
				if [ "$tps" != - ] && [ "$dtps" != - ]; then
					ratio=$(awk -v a="$tps" -v b="$dtps" 'BEGIN { printf "%.2f", a / b }')
				fi
				cpu=-
				[ "$t" != direct ] && cpu=$(bench_cpu_median "$hz" "${WL_QUERIES[$wl]}" "$wl" "$t")
				[ "$tps" != - ] && tps=$(printf '%.0f' "$tps")
				[ "$lat" != - ] && lat=$(printf '%.3f' "$lat")
				[ "$cpu" != - ] && cpu=$(printf '%.1f' "$cpu")
				printf '%-9s %-10s %10s %9s %8s %12s\n' "$wl" "$t" "$tps" "$lat" "$ratio" "$cpu"
			done
		done
	} | tee "$out"
	bench_say "table: $out; every run: $RAW"
}

main() {
	bench_install
	[ -x "$PG_BINDIR/pgbench" ] || bench_die "no PostgreSQL 15 at $PG_BINDIR"
	bench_setup_user
	mkdir -p "$BENCH_RESULTS" || bench_die "cannot create $BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/pgpool-bench.XXXXXX) || bench_die "mktemp failed"
	bench_chown "$BENCH_TMP"
	bench_start_postgres
	bench_start_all
	[ -n "$ACTIVE_TARGETS" ] || bench_die "no target started"
	bench_say "targets: $ACTIVE_TARGETS; workloads: $BENCH_WORKLOADS"
	bench_run_all
	bench_report
}

main "$@"
