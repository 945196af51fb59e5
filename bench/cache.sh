#!/usr/bin/env bash
# bench/cache.sh - the in-memory query cache (issue 10): single-row SELECTs
# by random key over a 1,000-row table, 8 clients, simple and extended
# protocol, against PostgreSQL itself, this project's pgpool with the cache
# off, with memqcache_method = shmem and with memqcache_method = memcached,
# and Debian's pgpool-II 4.3.5 with its shmem cache.  The cache is warmed
# (one pass over all keys per protocol) before the measured runs; rounds
# alternate between targets.  Prints TPS, latency, the ratio to direct
# PostgreSQL, the pooler's CPU per query and the cache's hits per target
# (SHOW pool_cache before and after each run).  Asserts nothing.  See
# bench/README.md.  Everything started is stopped on exit or Ctrl-C.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=targets.sh
. "$BENCH_DIR/targets.sh"

BENCH_SECONDS=${BENCH_SECONDS:-20}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-8}
BENCH_JOBS=${BENCH_JOBS:-2}
BENCH_ROWS=${BENCH_ROWS:-1000}
BENCH_PROTOCOLS=${BENCH_PROTOCOLS:-simple extended}
BENCH_TARGETS=${BENCH_TARGETS:-direct pgpool-off pgpool-shmem pgpool-memcached pgpool2-shmem}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
BENCH_CHILDREN=${BENCH_CHILDREN:-$((BENCH_CLIENTS + 4))}
# No pgbench tables: the workload reads qc_bench only.
BENCH_SCALE=0
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PGPOOL_BIN=${PGPOOL_BIN:-$BENCH_DIR/../pgpool}
MEMCACHED_BIN=${MEMCACHED_BIN:-/usr/bin/memcached}
# The issue's goal for our shmem cache, as a multiple of direct TPS.
BENCH_GOAL=1.5

trap bench_cleanup EXIT
trap 'bench_say "interrupted"; exit 130' INT TERM HUP

# Query-cache settings shared by both pgpools (pgpool-II 4.3 syntax, which
# ours reads too): METHOD shmem or memcached, the oid directory in the
# target's own temp dir, nothing expires during the run.
bench_cache_conf() {
	local name=$1 method=$2
	mkdir -p "$BENCH_TMP/$name/oiddir"
	cat <<-EOF
		memory_cache_enabled = on
		memqcache_method = '$method'
		memqcache_total_size = 67108864
		memqcache_max_num_cache = 1000000
		memqcache_expire = 0
		memqcache_auto_cache_invalidation = on
		memqcache_maxcache = 409600
		memqcache_cache_block_size = 1048576
		memqcache_oiddir = '$BENCH_TMP/$name/oiddir'
	EOF
	if [ "$method" = memcached ]; then
		echo "memqcache_memcached_host = '127.0.0.1'"
		echo "memqcache_memcached_port = $MEMCACHED_PORT"
	fi
}

# One memcached for every memcached target, on a free loopback port, UDP
# off, 64 MB; as root it drops to nobody.  Returns 1 if it did not start.
bench_start_memcached() {
	[ -n "${BENCH_HELPER_PID[memcached]:-}" ] && return 0
	[ "${MEMCACHED_FAILED:-0}" = 1 ] && return 1
	if [ ! -x "$MEMCACHED_BIN" ]; then
		bench_say "memcached: not installed at $MEMCACHED_BIN"
		MEMCACHED_FAILED=1
		return 1
	fi
	local try pid user=() log=$BENCH_TMP/memcached.log
	[ "$(id -u)" = 0 ] && user=(-u nobody)
	for try in 1 2 3; do
		bench_free_port MEMCACHED_PORT || break
		bench_say "memcached on 127.0.0.1:$MEMCACHED_PORT"
		bench_spawn_self "$BENCH_TMP/memcached.pid" "$log" "$MEMCACHED_BIN" \
			-l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 64 "${user[@]}" || continue
		pid=$(cat "$BENCH_TMP/memcached.pid")
		BENCH_HELPER_PID[memcached]=$pid
		bench_wait_listen "$MEMCACHED_PORT" "$pid" && return 0
		tail -n 5 "$log" >&2
		bench_stop_pid "$pid" KILL
		unset "BENCH_HELPER_PID[memcached]"
	done
	bench_say "memcached did not start"
	MEMCACHED_FAILED=1
	return 1
}

# The targets (starter bench_start_NAME, '-' read as '_'; see targets.sh).
bench_start_pgpool_off() { bench_start_ours pgpool-off raw; }
bench_start_pgpool_shmem() {
	bench_start_ours pgpool-shmem raw "$(bench_cache_conf pgpool-shmem shmem)"
}
bench_start_pgpool_memcached() {
	bench_start_memcached || return 2
	bench_start_ours pgpool-memcached raw "$(bench_cache_conf pgpool-memcached memcached)"
}
bench_start_pgpool2_off() { bench_start_theirs pgpool2-off raw; }
bench_start_pgpool2_shmem() {
	bench_start_theirs pgpool2-shmem raw "$(bench_cache_conf pgpool2-shmem shmem)"
}
bench_start_pgpool2_memcached() {
	bench_start_memcached || return 2
	bench_start_theirs pgpool2-memcached raw "$(bench_cache_conf pgpool2-memcached memcached)"
}

# The table the workload reads, straight on PostgreSQL, and the pgbench
# scripts: the measured one (a random key per transaction) and the warm-up
# (every key once, in one transaction of autocommitted SELECTs, sent the
# way the measured script sends them, so the same cache entries result).
bench_make_workload() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
		-U "$BENCH_DB_USER" -d "$BENCH_DB" >/dev/null <<-EOF ||
			CREATE TABLE qc_bench (k int PRIMARY KEY, v text);
			INSERT INTO qc_bench SELECT k, md5(k::text) FROM generate_series(1, $BENCH_ROWS) k;
			VACUUM ANALYZE qc_bench;
		EOF
		bench_die "cannot create qc_bench"
	printf '\\set k random(1, %d)\nSELECT v FROM qc_bench WHERE k = :k;\n' \
		"$BENCH_ROWS" >"$BENCH_TMP/select.sql"
	local k
	for ((k = 1; k <= BENCH_ROWS; k++)); do
		printf '\\set k %d\nSELECT v FROM qc_bench WHERE k = :k;\n' "$k"
	done >"$BENCH_TMP/warm.sql"
}

# "num_cache_hits num_selects cache_hit_ratio" of SHOW pool_cache through
# the pgpool on PORT (columns found by name), "- - -" when it fails.
bench_cache_stats() {
	local out
	out=$("$PG_BINDIR/psql" -X -q -A -F '|' -P footer=off -h 127.0.0.1 -p "$1" \
		-U "$BENCH_DB_USER" -d "$BENCH_DB" -c "SHOW pool_cache" 2>/dev/null |
		awk -F'|' '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		NR == 2 && ("num_cache_hits" in col) && ("num_selects" in col) {
			r = ("cache_hit_ratio" in col) ? $col["cache_hit_ratio"] : "-"
			print $col["num_cache_hits"], $col["num_selects"], r }')
	echo "${out:-- - -}"
}

# SHOW pool_cache of TARGET ("- - -" for direct).
bench_target_cache_stats() {
	if [ "$1" = direct ]; then echo "- - -"; else bench_cache_stats "${TARGET_PORT[$1]}"; fi
}

# CPU ticks of TARGET's pooler, memcached included for memcached targets.
bench_target_ticks() {
	local t=$1 n=0
	[ -n "${TARGET_PID[$t]:-}" ] && n=$(bench_tree_ticks "${TARGET_PID[$t]}")
	if [[ $t == *memcached ]] && [ -n "${BENCH_HELPER_PID[memcached]:-}" ]; then
		n=$((n + $(bench_tree_ticks "${BENCH_HELPER_PID[memcached]}")))
	fi
	echo "$n"
}

# b - a of two counters, "-" if either is not a number.
bench_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9]+$/ || b !~ /^[0-9]+$/) print "-"; else print b - a }'
}

# pgbench through TARGET with PROTOCOL (simple or extended) and SCRIPT, for
# SECS seconds (or, with SECS "once", one transaction by one client); print
# "tps latency_ms transactions cpu_ticks cache_hits selects", the last two
# from SHOW pool_cache before and after, outside the measured window
# ("fail ..." when pgbench failed).
bench_cache_pgbench() {
	local t=$1 proto=$2 script=$3 secs=$4 log=$5 s0 s1 t0 t1 how rc
	local tps lat txns h0 n0 h1 n1
	if [ "$secs" = once ]; then
		how=(-c 1 -j 1 -t 1)
	else
		how=(-c "$BENCH_CLIENTS" -j "$BENCH_JOBS" -T "$secs")
	fi
	s0=$(bench_target_cache_stats "$t")
	t0=$(bench_target_ticks "$t")
	timeout --foreground $((${secs/once/60} + 60)) "$PG_BINDIR/pgbench" -n \
		-M "$proto" -f "$script" "${how[@]}" -h 127.0.0.1 -p "${TARGET_PORT[$t]}" \
		-U "$BENCH_DB_USER" "$BENCH_DB" >"$log" 2>&1
	rc=$?
	t1=$(bench_target_ticks "$t")
	s1=$(bench_target_cache_stats "$t")
	read -r tps lat txns <<<"$(bench_pgbench_numbers "$log")"
	read -r h0 n0 _ <<<"$s0"
	read -r h1 n1 _ <<<"$s1"
	[ $rc -eq 0 ] && [ "$tps" != - ] || tps=fail
	echo "$tps $lat $txns $((t1 - t0)) $(bench_delta "$h0" "$h1") $(bench_delta "$n0" "$n1")"
}

# Warm every cache: one pass over all keys per protocol, then one value
# read through each target is compared with PostgreSQL's.
bench_warm_all() {
	local t proto res want got hits sel
	want=$(bench_psql_at "$PG_PORT" "$BENCH_DB" "SELECT v FROM qc_bench WHERE k = 17")
	for t in $ACTIVE_TARGETS; do
		for proto in $BENCH_PROTOCOLS; do
			res=$(bench_cache_pgbench "$t" "$proto" "$BENCH_TMP/warm.sql" once \
				"$BENCH_TMP/warm-$t-$proto.log")
			read -r _ _ _ _ hits sel <<<"$res"
			if [ "${res%% *}" = fail ]; then
				bench_say "$t: warm-up ($proto) failed:"
				tail -n 5 "$BENCH_TMP/warm-$t-$proto.log" >&2
			elif [ "$t" = direct ]; then
				bench_say "$t: warm-up ($proto): $BENCH_ROWS SELECTs"
			else
				bench_say "$t: warm-up ($proto): $BENCH_ROWS SELECTs;" \
					"SHOW pool_cache: +$hits hits, +$sel num_selects"
			fi
		done
		got=$(bench_psql_at "${TARGET_PORT[$t]}" "$BENCH_DB" \
			"SELECT v FROM qc_bench WHERE k = 17")
		[ "$got" = "$want" ] || bench_say "$t: WRONG RESULT for k = 17: '$got', PostgreSQL has '$want'"
	done
}

# The measured runs: each round runs every protocol on every target, the
# target order rotated by one each round.
bench_run_rounds() {
	local round proto t res tps lat txns ticks hits sel log msg
	RAW=$BENCH_RESULTS/cache-latest.csv
	echo "round,protocol,target,tps,latency_ms,transactions,pooler_cpu_ticks,cache_hits,num_selects" >"$RAW"
	for round in $(seq 1 "$BENCH_ROUNDS"); do
		for proto in $BENCH_PROTOCOLS; do
			# shellcheck disable=SC2086 # a word list
			for t in $(bench_rotate "$((round - 1))" $ACTIVE_TARGETS); do
				log=$BENCH_TMP/run-$round-$proto-$t.log
				res=$(bench_cache_pgbench "$t" "$proto" "$BENCH_TMP/select.sql" \
					"$BENCH_SECONDS" "$log")
				read -r tps lat txns ticks hits sel <<<"$res"
				msg="round $round $proto $t: tps=$tps lat=${lat}ms"
				[ "$t" = direct ] || msg="$msg SHOW pool_cache: +$hits hits, +$sel num_selects"
				bench_say "$msg"
				if [ "$tps" = fail ]; then
					bench_say "pgbench failed; tail of its output:"
					tail -n 5 "$log" >&2
					[ -f "$BENCH_TMP/$t/pgpool.log" ] && tail -n 10 "$BENCH_TMP/$t/pgpool.log" >&2
				fi
				echo "$round,$proto,$t,$tps,$lat,$txns,$ticks,$hits,$sel" >>"$RAW"
			done
		done
	done
}

# Median over rounds of column C (4 tps, 5 latency) of PROTOCOL,TARGET.
bench_cache_median() {
	awk -F, -v p="$1" -v t="$2" -v c="$3" \
		'$2 == p && $3 == t && $4 != "fail" { print $c }' "$RAW" | bench_median
}

# Median pooler CPU µs per query of PROTOCOL,TARGET.
bench_cache_cpu() {
	awk -F, -v p="$1" -v t="$2" -v hz="$3" \
		'$2 == p && $3 == t && $4 != "fail" && $6 > 0 {
			printf "%.3f\n", $7 * 1e6 / hz / $6 }' "$RAW" | bench_median
}

# "hits misses hit_ratio hits_per_txn" of PROTOCOL,TARGET summed over the
# rounds.  SHOW pool_cache's num_selects counts the SELECTs the cache did
# not answer, so the ratio is hits / (hits + num_selects), as pgpool-II's
# cache_hit_ratio; hits per pgbench transaction (one SELECT each) shows
# whether every query was a hit and whether a query counts once.
bench_cache_hits() {
	awk -F, -v p="$1" -v t="$2" '
	$2 == p && $3 == t && $4 != "fail" && $8 != "-" && $9 != "-" {
		h += $8; s += $9; x += $6; n++
	}
	END {
		if (!n) { print "- - - -"; exit }
		r = (h + s > 0) ? sprintf("%.3f", h / (h + s)) : "-"
		q = (x > 0) ? sprintf("%.2f", h / x) : "-"
		print h, s, r, q
	}' "$RAW"
}

bench_report() {
	local hz proto t tps lat dtps ratio cpu hits miss hr hpt line goal=
	local fmt='%-9s %-17s %7s %7s %8s %12s %9s %11s %9s %8s\n' out=$BENCH_RESULTS/cache-latest.txt
	hz=$(getconf CLK_TCK)
	{
		echo "query cache: SELECT v FROM qc_bench WHERE k = random(1, $BENCH_ROWS)," \
			"pgbench -c $BENCH_CLIENTS -j $BENCH_JOBS -T $BENCH_SECONDS," \
			"$BENCH_ROUNDS round(s) interleaved, median; cache warmed; $(nproc) cores;" \
			"$(date -u '+%Y-%m-%d %H:%M UTC')"
		# shellcheck disable=SC2059 # the format is ours
		printf "$fmt" protocol target tps lat_ms x_direct cpu_us/query cache_hits num_selects \
			hit_ratio hits/txn
		for proto in $BENCH_PROTOCOLS; do
			dtps=$(bench_cache_median "$proto" direct 4)
			for t in $ACTIVE_TARGETS; do
				tps=$(bench_cache_median "$proto" "$t" 4)
				lat=$(bench_cache_median "$proto" "$t" 5)
				ratio=$(bench_ratio "$tps" "$dtps")
				cpu=-
				[ "$t" != direct ] && cpu=$(bench_cache_cpu "$proto" "$t" "$hz")
				read -r hits miss hr hpt <<<"$(bench_cache_hits "$proto" "$t")"
				[ "$t" = pgpool-shmem ] && goal="$goal $proto $ratio,"
				[ "$tps" != - ] && tps=$(printf '%.0f' "$tps")
				[ "$lat" != - ] && lat=$(printf '%.3f' "$lat")
				[ "$cpu" != - ] && cpu=$(printf '%.1f' "$cpu")
				# shellcheck disable=SC2059
				printf "$fmt" "$proto" "$t" "$tps" "$lat" "$ratio" "$cpu" "$hits" "$miss" "$hr" "$hpt"
			done
		done
		echo "SHOW pool_cache at the end (num_cache_hits num_selects cache_hit_ratio):"
		for t in $ACTIVE_TARGETS; do
			[ "$t" = direct ] && continue
			line=$(bench_target_cache_stats "$t")
			echo "  $t: $line"
		done
		[ -n "$goal" ] && echo "issue 10 goal: pgpool-shmem x_direct >= $BENCH_GOAL; measured:${goal%,}"
	} | sed "s/[[:space:]]*$//" | tee "$out"
	bench_say "table: $out; every run: $RAW"
}

main() {
	bench_prepare memcached
	bench_start_postgres
	bench_make_workload
	bench_start_all
	[ -n "$ACTIVE_TARGETS" ] || bench_die "no target started"
	bench_say "targets: $ACTIVE_TARGETS; protocols: $BENCH_PROTOCOLS"
	bench_warm_all
	bench_run_rounds
	bench_report
}

main "$@"
