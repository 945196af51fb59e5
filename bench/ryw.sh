#!/usr/bin/env bash
# bench/ryw.sh - what read_your_writes costs (issue 13): this project's
# pgpool in streaming-replication mode over a primary and one streaming
# standby on loopback, with read_your_writes = off, session and global
# side by side, with direct PostgreSQL (the primary alone: the ceiling on
# these 2 cores) and Debian's pgpool-II 4.3.5 in streaming mode (no such
# guarantee; skipped when not installed) for scale.  Workloads: pgbench's
# select-only (-S), TPC-B, and "writeread" (an UPDATE of one account, then
# a SELECT of it, autocommitted:
# the case read_your_writes exists for; with off its reads may be stale).
# 8 clients, simple protocol; every target warmed up first, then rounds
# that rotate the target order (medians reported).  Prints TPS,
# latency and the change against off per workload, and the targets of the
# issue (select-only at most 5% and TPC-B at most 10% below off).
# Asserts nothing.  See bench/README.md.  Everything started is stopped on
# exit or Ctrl-C.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=targets.sh
. "$BENCH_DIR/targets.sh"

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_WARMUP=${BENCH_WARMUP:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-8}
BENCH_JOBS=${BENCH_JOBS:-2}
BENCH_SCALE=${BENCH_SCALE:-10}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-select tpcb writeread}
BENCH_TARGETS=${BENCH_TARGETS:-direct pgpool-ryw-off pgpool-ryw-session pgpool-ryw-global pgpool2-stream}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
BENCH_CHILDREN=${BENCH_CHILDREN:-$((BENCH_CLIENTS + 4))}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PGPOOL_BIN=${PGPOOL_BIN:-$BENCH_DIR/../pgpool}

trap bench_cleanup EXIT
trap 'bench_say "interrupted"; exit 130' INT TERM HUP

bench_start_pgpool_ryw_off() { bench_start_ours pgpool-ryw-off stream "read_your_writes = off"; }
bench_start_pgpool_ryw_session() { bench_start_ours pgpool-ryw-session stream "read_your_writes = session"; }
bench_start_pgpool_ryw_global() { bench_start_ours pgpool-ryw-global stream "read_your_writes = global"; }

# pgbench arguments of WORKLOAD.
bench_ryw_args() {
	case $1 in
		select) echo "-S" ;;
		tpcb) echo "" ;;
		writeread) echo "-f $BENCH_TMP/writeread.sql" ;;
	esac
}

bench_make_scripts() {
	cat >"$BENCH_TMP/writeread.sql" <<-EOF
		\\set aid random(1, $((BENCH_SCALE * 100000)))
		UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;
		SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
	EOF
}

# "tps latency_ms transactions" of one run (SECS seconds, default
# BENCH_SECONDS), "fail - -" when pgbench failed.
bench_ryw_pgbench() {
	local t=$1 w=$2 log=$3 secs=${4:-$BENCH_SECONDS} rc tps lat txns
	# shellcheck disable=SC2046 # word list on purpose
	timeout --foreground $((secs + 60)) "$PG_BINDIR/pgbench" -n $(bench_ryw_args "$w") \
		-c "$BENCH_CLIENTS" -j "$BENCH_JOBS" -T "$secs" -h 127.0.0.1 \
		-p "${TARGET_PORT[$t]}" -U "$BENCH_DB_USER" "$BENCH_DB" >"$log" 2>&1
	rc=$?
	read -r tps lat txns <<<"$(bench_pgbench_numbers "$log")"
	[ $rc -eq 0 ] && [ "$tps" != - ] || tps=fail
	echo "$tps $lat $txns"
}

# Every target's children connected and the tables cached before the first
# measured run: a short run of every workload on every target.
bench_warm_all() {
	local t w
	for t in $ACTIVE_TARGETS; do
		for w in $BENCH_WORKLOADS; do
			bench_ryw_pgbench "$t" "$w" "$BENCH_TMP/warm-$t-$w.log" "$BENCH_WARMUP" >/dev/null
		done
	done
	bench_say "warmed up: $BENCH_WARMUP s per workload and target"
}

bench_run_rounds() {
	local round w t res tps lat txns log
	RAW=$BENCH_RESULTS/ryw-latest.csv
	echo "round,workload,target,tps,latency_ms,transactions" >"$RAW"
	for round in $(seq 1 "$BENCH_ROUNDS"); do
		for w in $BENCH_WORKLOADS; do
			# shellcheck disable=SC2086 # a word list
			for t in $(bench_rotate "$((round - 1))" $ACTIVE_TARGETS); do
				log=$BENCH_TMP/run-$round-$w-$t.log
				res=$(bench_ryw_pgbench "$t" "$w" "$log")
				read -r tps lat txns <<<"$res"
				bench_say "round $round $w $t: tps=$tps lat=${lat}ms"
				if [ "$tps" = fail ]; then
					tail -n 5 "$log" >&2
					[ -f "$BENCH_TMP/$t/pgpool.log" ] && tail -n 10 "$BENCH_TMP/$t/pgpool.log" >&2
				fi
				echo "$round,$w,$t,$tps,$lat,$txns" >>"$RAW"
			done
		done
	done
}

# Median over rounds of column C (4 tps, 5 latency) of WORKLOAD,TARGET.
bench_ryw_median() {
	awk -F, -v w="$1" -v t="$2" -v c="$3" \
		'$2 == w && $3 == t && $4 != "fail" { print $c }' "$RAW" | bench_median
}

# Percent change of A against B ("-" if either is missing).
bench_pct() {
	if [ "$1" != - ] && [ "$2" != - ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }'
	else
		echo -
	fi
}

bench_report() {
	local w t tps lat off pct goal line out=$BENCH_RESULTS/ryw-latest.txt
	local fmt='%-10s %-19s %9s %9s %9s\n'
	{
		echo "read_your_writes: streaming replication, primary + 1 standby (weights" \
			"$BENCH_WEIGHT0:$BENCH_WEIGHT1), pgbench -c $BENCH_CLIENTS -j $BENCH_JOBS" \
			"-T $BENCH_SECONDS, scale $BENCH_SCALE, $BENCH_ROUNDS round(s), median;" \
			"$(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
		# shellcheck disable=SC2059 # the format is ours
		printf "$fmt" workload target tps lat_ms vs_off
		for w in $BENCH_WORKLOADS; do
			off=$(bench_ryw_median "$w" pgpool-ryw-off 4)
			for t in $ACTIVE_TARGETS; do
				tps=$(bench_ryw_median "$w" "$t" 4)
				lat=$(bench_ryw_median "$w" "$t" 5)
				pct=$(bench_pct "$tps" "$off")
				[ "$tps" != - ] && tps=$(printf '%.0f' "$tps")
				[ "$lat" != - ] && lat=$(printf '%.3f' "$lat")
				# shellcheck disable=SC2059
				printf "$fmt" "$w" "$t" "$tps" "$lat" "$pct"
			done
		done
		goal=
		for line in "select 5" "tpcb 10"; do
			read -r w limit <<<"$line"
			[[ " $BENCH_WORKLOADS " == *" $w "* ]] || continue
			off=$(bench_ryw_median "$w" pgpool-ryw-off 4)
			for t in pgpool-ryw-session pgpool-ryw-global; do
				[[ " $ACTIVE_TARGETS " == *" $t "* ]] || continue
				goal="$goal $w/${t#pgpool-ryw-} $(bench_pct "$(bench_ryw_median "$w" "$t" 4)" "$off") (limit -$limit%),"
			done
		done
		[ -n "$goal" ] && echo "issue 13 targets vs off:${goal%,}"
	} | sed "s/[[:space:]]*$//" | tee "$out"
	bench_say "table: $out; every run: $RAW"
}

main() {
	bench_prepare
	bench_start_postgres
	bench_make_scripts
	bench_start_all
	[ -n "$ACTIVE_TARGETS" ] || bench_die "no target started"
	bench_say "targets: $ACTIVE_TARGETS; workloads: $BENCH_WORKLOADS"
	bench_warm_all
	bench_run_rounds
	bench_report
}

main "$@"
