#!/usr/bin/env bash
# bench/run.sh - pgbench through each pooler vs. PostgreSQL itself.
#
# Starts a throwaway PostgreSQL 15 primary and, on their own loopback ports,
# this project's pgpool, PgBouncer and Debian's pgpool-II; with
# BENCH_MODE=stream also a streaming standby and both pgpools in
# streaming-replication mode with load balancing; with BENCH_MODE=native a
# second, independent PostgreSQL and both pgpools in native replication mode
# (TPC-B, simple and extended protocol, the nodes' tables compared by md5
# after every run).  Runs pgbench workloads interleaved over the targets;
# prints TPS, latency, ratio to direct TPS (to raw mode, to pgpool-II), the
# pooler's CPU per query and how reads spread over nodes.
# Prints numbers, asserts nothing.  See bench/README.md.  Everything started
# is stopped on exit or Ctrl-C.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=targets.sh
. "$BENCH_DIR/targets.sh"

BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
BENCH_JOBS=${BENCH_JOBS:-2}
BENCH_SCALE=${BENCH_SCALE:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
# BENCH_MODE picks the default target list: raw poolers only, or both pgpools
# in raw and streaming-replication mode side by side (stream), or everything;
# native: both pgpools in native replication mode, TPC-B only, 8 clients.
BENCH_MODE=${BENCH_MODE:-raw}
bench_default_workloads="simple extended prepared tpcb connect"
bench_default_clients=16
case $BENCH_MODE in
raw) bench_default_targets="direct pgpool pgbouncer pgpool2" ;;
stream) bench_default_targets="direct pgpool pgpool-stream pgpool2 pgpool2-stream" ;;
all) bench_default_targets="direct pgpool pgpool-stream pgbouncer pgpool2 pgpool2-stream" ;;
native)
	bench_default_targets="pgpool-native pgpool2-native"
	bench_default_workloads="tpcb tpcb-ext"
	bench_default_clients=8
	;;
*) bench_die "BENCH_MODE must be raw, stream, native or all, not '$BENCH_MODE'" ;;
esac
BENCH_CLIENTS=${BENCH_CLIENTS:-$bench_default_clients}
BENCH_TARGETS=${BENCH_TARGETS:-$bench_default_targets}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-$bench_default_workloads}
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
	[tpcb-ext]="-M extended"
	[connect]="-S -C -M simple"
)
# TPC-B-like: BEGIN, 3 UPDATEs, SELECT, INSERT, END; 4 of them write.
declare -A WL_QUERIES=([simple]=1 [extended]=1 [prepared]=1 [tpcb]=7 [tpcb-ext]=7 [connect]=1)
declare -A WL_WRITES=([simple]=0 [extended]=0 [prepared]=0 [tpcb]=4 [tpcb-ext]=4 [connect]=0)

trap bench_cleanup EXIT
trap 'bench_say "interrupted"; exit 130' INT TERM HUP

# select_cnt per node ("n0/n1") of a stream target, "-" for other targets.
bench_target_selects() {
	local target=$1 v=
	[ "${TARGET_MODE[$target]:-}" = stream ] && v=$(bench_node_selects "${TARGET_PORT[$target]}")
	echo "${v:--}"
}

# Reads per node of one run: the difference of two bench_target_selects.
bench_selects_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, x, "/"); nb = split(b, y, "/")
		if (a == "-" || b == "-" || na != nb) { print "-"; exit }
		for (i = 1; i <= na; i++) s = s (i > 1 ? "/" : "") (y[i] - x[i])
		print s
	}'
}

# Native targets: compare the two nodes' tables after a run (outside the CPU
# window); print "consistent", "DIVERGED-mtime" or "DIVERGED" ("-" for
# other targets), the
# tables that differ and the pooler's last log lines go to stderr.
bench_target_consistency() {
	local target=$1 res
	if [ "${TARGET_MODE[$target]:-}" != native ]; then
		echo -
		return 0
	fi
	res=$(bench_nodes_consistency)
	if [ "$res" != consistent ]; then
		bench_say "$target: $res"
		bench_say "$target: last lines of its log ($BENCH_TMP/$target/pgpool.log):"
		tail -n 20 "$BENCH_TMP/$target/pgpool.log" >&2
		[ -s "$BENCH_TMP/$target/pgpool.log" ] || bench_say "(the log is empty)"
		res=${res%%:*}
	fi
	echo "$res"
}

# Run pgbench once; print "tps latency_ms transactions cpu_ticks
# selects_per_node consistency" ("fail ..." if pgbench failed); a fifth
# argument "check" resets native nodes before and compares them afterwards.  SHOW pool_nodes and the
# consistency check run outside the CPU window.
bench_pgbench() {
	local target=$1 wl=$2 secs=$3 log=$4 before=0 after=0 pid sel0 sel1 cons=-
	pid=${TARGET_PID[$target]:-}
	# Native: every counted run starts from identical nodes.
	[ "${5:-}" = check ] && [ "${TARGET_MODE[$target]:-}" = native ] && bench_nodes_reset
	sel0=$(bench_target_selects "$target")
	[ -n "$pid" ] && before=$(bench_tree_ticks "$pid")
	# shellcheck disable=SC2086
	timeout --foreground $((secs + 60)) "$PG_BINDIR/pgbench" ${WL_ARGS[$wl]} \
		-c "$BENCH_CLIENTS" -j "$BENCH_JOBS" -T "$secs" -n \
		-h 127.0.0.1 -p "${TARGET_PORT[$target]}" -U "$BENCH_DB_USER" \
		"$BENCH_DB" >"$log" 2>&1
	local rc=$?
	[ -n "$pid" ] && after=$(bench_tree_ticks "$pid")
	sel1=$(bench_target_selects "$target")
	[ "${5:-}" = check ] && cons=$(bench_target_consistency "$target")
	local tps lat txns
	read -r tps lat txns <<<"$(bench_pgbench_numbers "$log")"
	if [ $rc -ne 0 ] || [ "$tps" = - ] || [ "$txns" = - ]; then
		echo "fail - - - - ${cons:--}"
		return 1
	fi
	echo "$tps $lat $txns $((after - before)) $(bench_selects_delta "$sel0" "$sel1") ${cons:--}"
}

# Interleaved runs: within each workload, each round visits every target once
# (starting one target further each round).
bench_run_all() {
	local wl round t res tps lat txns ticks sel cons msg
	RAW=$BENCH_RESULTS/latest.csv
	echo "workload,round,target,tps,latency_ms,transactions,pooler_cpu_ticks,selects_per_node,consistency" >"$RAW"
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
					"$BENCH_TMP/run-$wl-$round-$t.log" check)
				read -r tps lat txns ticks sel cons <<<"$res"
				msg="$wl round $round $t: tps=$tps lat=${lat}ms"
				[ "${sel:--}" != - ] && msg="$msg selects per node=$sel"
				[ "${cons:--}" != - ] && msg="$msg nodes: $cons"
				bench_say "$msg"
				if [ "$tps" = fail ]; then
					bench_say "pgbench failed; tail of its output:"
					tail -n 5 "$BENCH_TMP/run-$wl-$round-$t.log" >&2
					if [ -f "$BENCH_TMP/$t/pgpool.log" ]; then
						bench_say "tail of $t's log:"
						tail -n 20 "$BENCH_TMP/$t/pgpool.log" >&2
					fi
				fi
				echo "$wl,$round,$t,$tps,$lat,$txns,$ticks,${sel:--},${cons:--}" >>"$RAW"
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

# Reads per node of WORKLOAD,TARGET summed over rounds, as percentages
# "p0%/p1%" (with the total), "-" when not known.
bench_reads_share() {
	awk -F, -v w="$1" -v t="$2" '
	$1 == w && $3 == t && $4 != "fail" && $8 != "-" && $8 != "" {
		n = split($8, v, "/")
		for (i = 1; i <= n; i++) sum[i] += v[i]
		if (n > nodes) nodes = n
	}
	END {
		for (i = 1; i <= nodes; i++) total += sum[i]
		if (total <= 0) { print "-"; exit }
		for (i = 1; i <= nodes; i++)
			s = s (i > 1 ? "/" : "") sprintf("%.0f%%", 100 * sum[i] / total)
		print s " of " total
	}' "$RAW"
}

# What the stream targets ran against, for the table's header.
bench_report_stream_setup() {
	local t any=0
	for t in $ACTIVE_TARGETS; do
		[ "${TARGET_MODE[$t]:-}" = stream ] && any=1
	done
	[ $any = 1 ] || return 0
	echo "stream targets: backend_clustering_mode = 'streaming_replication'," \
		"node 0 = primary 127.0.0.1:$PG_PORT (backend_weight0 = $BENCH_WEIGHT0)," \
		"node 1 = streaming standby 127.0.0.1:$STANDBY_PORT (backend_weight1 = $BENCH_WEIGHT1),"
	echo "  load_balance_mode = on (node chosen per session), sr_check_period = 10," \
		"health_check_period = 0, connection_cache = on; the standby ran during the whole run"
	for t in $ACTIVE_TARGETS; do
		[ "${TARGET_MODE[$t]:-}" = stream ] && echo "  $t saw: ${TARGET_NODES[$t]:-?}"
	done
	echo "x_raw: TPS / the same pgpool's raw-mode TPS;" \
		"reads n0/n1: SELECTs per node (SHOW pool_nodes select_cnt, summed over rounds)"
}

# The consistency column of WORKLOAD,TARGET: "consistent n/n" when the
# nodes matched after every run, else "DIVERGED k/n", with "(mtime only)"
# when only pgbench_history's timestamps ever differed.
bench_consistency_summary() {
	awk -F, -v w="$1" -v t="$2" '
	$1 == w && $3 == t && $9 != "" && $9 != "-" {
		n++
		if ($9 == "DIVERGED-mtime") { bad++; mtime++ }
		else if ($9 != "consistent") bad++
	}
	END {
		if (!n) print "-"
		else if (!bad) print "consistent " n "/" n
		else print "DIVERGED " bad "/" n (mtime == bad ? " (mtime only)" : "")
	}' "$RAW"
}

# Native-replication targets: TPS, ours / pgpool-II, pooler CPU per
# transaction, per write statement (3 UPDATE + 1 INSERT) and per statement,
# and whether the nodes were still identical after each run.
bench_report_native() {
	local hz=$1 wl t tps lat x2 tps2 cpu_t cpu_w cpu_q cons
	local fmt='%-9s %-15s %7s %8s %9s %10s %12s %12s  %s\n'
	echo "native targets: backend_clustering_mode = 'native_replication'," \
		"node 0 = 127.0.0.1:$PG_PORT, node 1 = independent 127.0.0.1:${NODE1_PORT:-?};"
	echo "  load_balance_mode = on (node chosen per session, weights" \
		"$BENCH_WEIGHT0:$BENCH_WEIGHT1), insert_lock = off, replicate_select = off," \
		"connection_cache = on; pgbench -i on each node directly"
	for t in $ACTIVE_TARGETS; do
		[ "${TARGET_MODE[$t]:-}" = native ] && echo "  $t saw: ${TARGET_NODES[$t]:-?}"
	done
	echo "  nodes before the first run: ${NODES_AT_START:-?}"
	echo "x_pgpool2: TPS / pgpool2-native TPS; nodes: md5 of the ordered rows of every" \
		"pgbench table, node 0 vs node 1, after each run (each run starts from identical nodes)"
	# shellcheck disable=SC2059 # the format is ours
	printf "$fmt" workload target tps lat_ms x_pgpool2 cpu_us/txn cpu_us/write cpu_us/query nodes
	for wl in $BENCH_WORKLOADS; do
		[ -n "${WL_ARGS[$wl]:-}" ] || continue
		tps2=$(bench_col_median "$wl" pgpool2-native 4)
		for t in $ACTIVE_TARGETS; do
			[ "${TARGET_MODE[$t]:-}" = native ] || continue
			tps=$(bench_col_median "$wl" "$t" 4)
			lat=$(bench_col_median "$wl" "$t" 5)
			x2=$(bench_ratio "$tps" "$tps2")
			cpu_t=$(bench_cpu_median "$hz" 1 "$wl" "$t")
			cpu_w=-
			[ "${WL_WRITES[$wl]:-0}" -gt 0 ] &&
				cpu_w=$(bench_cpu_median "$hz" "${WL_WRITES[$wl]}" "$wl" "$t")
			cpu_q=$(bench_cpu_median "$hz" "${WL_QUERIES[$wl]}" "$wl" "$t")
			cons=$(bench_consistency_summary "$wl" "$t")
			[ "$tps" != - ] && tps=$(printf '%.0f' "$tps")
			[ "$lat" != - ] && lat=$(printf '%.3f' "$lat")
			[ "$cpu_t" != - ] && cpu_t=$(printf '%.1f' "$cpu_t")
			[ "$cpu_w" != - ] && cpu_w=$(printf '%.1f' "$cpu_w")
			[ "$cpu_q" != - ] && cpu_q=$(printf '%.1f' "$cpu_q")
			# shellcheck disable=SC2059
			printf "$fmt" "$wl" "$t" "$tps" "$lat" "$x2" "$cpu_t" "$cpu_w" "$cpu_q" "$cons"
		done
	done
	return 0
}

bench_report() {
	local hz wl t tps lat dtps rtps ratio xraw cpu reads out=$BENCH_RESULTS/latest.txt
	local fmt='%-9s %-14s %8s %8s %8s %6s %12s  %s\n' others=0 natives=0
	hz=$(getconf CLK_TCK)
	for t in $ACTIVE_TARGETS; do
		if [ "${TARGET_MODE[$t]:-}" = native ]; then natives=1; else others=1; fi
	done
	{
		echo "pgbench: $BENCH_CLIENTS clients, -j $BENCH_JOBS, -T $BENCH_DURATION," \
			"scale $BENCH_SCALE, $BENCH_ROUNDS round(s), median; $(nproc) cores;" \
			"$(date -u '+%Y-%m-%d %H:%M UTC')"
		[ $natives = 1 ] && bench_report_native "$hz"
		[ $others = 1 ] || exit 0
		bench_report_stream_setup
		# shellcheck disable=SC2059 # the format is ours
		printf "$fmt" workload target tps lat_ms x_direct x_raw cpu_us/query "reads n0/n1"
		for wl in $BENCH_WORKLOADS; do
			[ -n "${WL_ARGS[$wl]:-}" ] || continue
			dtps=$(bench_col_median "$wl" direct 4)
			for t in $ACTIVE_TARGETS; do
				[ "${TARGET_MODE[$t]:-}" = native ] && continue
				tps=$(bench_col_median "$wl" "$t" 4)
				lat=$(bench_col_median "$wl" "$t" 5)
				ratio=$(bench_ratio "$tps" "$dtps")
				xraw=-
				reads=
				if [ "${TARGET_MODE[$t]:-}" = stream ]; then
					rtps=-
					[[ " $ACTIVE_TARGETS " == *" ${t%-stream} "* ]] &&
						rtps=$(bench_col_median "$wl" "${t%-stream}" 4)
					xraw=$(bench_ratio "$tps" "$rtps")
					reads=$(bench_reads_share "$wl" "$t")
				fi
				cpu=-
				[ "$t" != direct ] && cpu=$(bench_cpu_median "$hz" "${WL_QUERIES[$wl]}" "$wl" "$t")
				[ "$tps" != - ] && tps=$(printf '%.0f' "$tps")
				[ "$lat" != - ] && lat=$(printf '%.3f' "$lat")
				[ "$cpu" != - ] && cpu=$(printf '%.1f' "$cpu")
				# shellcheck disable=SC2059
				printf "$fmt" "$wl" "$t" "$tps" "$lat" "$ratio" "$xraw" "$cpu" "$reads"
			done
		done
	} | sed "s/[[:space:]]*$//" | tee "$out"
	bench_say "table: $out; every run: $RAW"
}

main() {
	# shellcheck disable=SC2119 # no optional packages beyond the defaults
	bench_prepare
	bench_start_postgres
	bench_start_all
	[ -n "$ACTIVE_TARGETS" ] || bench_die "no target started"
	bench_say "mode: $BENCH_MODE; targets: $ACTIVE_TARGETS; workloads: $BENCH_WORKLOADS"
	bench_run_all
	bench_report
}

main "$@"

