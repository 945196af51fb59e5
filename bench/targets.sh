# bench/targets.sh - start and stop the bench targets, sourced by bench/run.sh
# and bench/cache.sh (which adds its own query-cache targets):
# the throwaway PostgreSQL primary ("direct"), this project's pgpool,
# PgBouncer (session mode) and Debian's pgpool-II ("pgpool2"), both pgpools
# in raw mode; and both pgpools in streaming-replication mode with load
# balancing over the primary and a streaming standby ("pgpool-stream",
# "pgpool2-stream"); and both pgpools in native replication mode over two
# independent nodes ("pgpool-native", "pgpool2-native").  The starter of target NAME is bench_start_NAME with
# '-' read as '_'.  Each starter fills TARGET_PORT[name] and, for poolers,
# TARGET_PID[name] (the process whose tree is charged for pooler CPU).  A
# starter returns 1 when the server did not come up (the caller tries again)
# and 2 when the target is unavailable.
# shellcheck shell=bash disable=SC2034

declare -A TARGET_PORT TARGET_PID TARGET_STOPSIG
# TARGET_MODE[name]: raw, stream or native, for the pgpool targets.
declare -A TARGET_MODE
# Helper daemons that are no target (memcached): name -> pid, stopped with
# the targets.
declare -A BENCH_HELPER_PID

# Load-balancing weights of the stream targets (node 0 primary, 1 standby).
BENCH_WEIGHT0=${BENCH_WEIGHT0:-1}
BENCH_WEIGHT1=${BENCH_WEIGHT1:-1}

BENCH_DB=bench

# initdb and start a throwaway PostgreSQL 15 in DIR on a free port, create
# the bench database and fill pgbench's tables (pgbench -i -s $BENCH_SCALE,
# straight on this server; BENCH_SCALE=0: no pgbench tables).  NAME names it in messages and file names; the
# port, postmaster pid and data directory go to ${PREFIX}_PORT, _PID, _DATA.
bench_make_node() {
	local name=$1 prefix=$2 data=$BENCH_TMP/$3 log=$BENCH_TMP/$1.log port pid
	bench_free_port port || bench_die "no free port"
	bench_say "initdb + $name on 127.0.0.1:$port"
	bench_as_db "$PG_BINDIR/initdb" -D "$data" -A trust -U "$BENCH_DB_USER" \
		--no-sync >"$BENCH_TMP/initdb-$name.log" 2>&1 ||
		{ cat "$BENCH_TMP/initdb-$name.log" >&2; bench_die "initdb failed"; }
	cat >>"$data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$BENCH_TMP'
		max_connections = 200
		shared_buffers = 256MB
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
		log_min_messages = warning
	EOF
	bench_as_db "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null ||
		{ cat "$log" >&2; bench_die "$name did not start"; }
	pid=$(head -n1 "$data/postmaster.pid")
	printf -v "${prefix}_PORT" '%s' "$port"
	printf -v "${prefix}_PID" '%s' "$pid"
	printf -v "${prefix}_DATA" '%s' "$data"
	"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$port" -U "$BENCH_DB_USER" \
		-d postgres -c "CREATE DATABASE $BENCH_DB" >/dev/null ||
		bench_die "cannot create database $BENCH_DB on $name"
	[ "${BENCH_SCALE:-0}" -gt 0 ] || return 0
	bench_say "pgbench -i -s $BENCH_SCALE on $name"
	"$PG_BINDIR/pgbench" -i -q -s "$BENCH_SCALE" -h 127.0.0.1 -p "$port" \
		-U "$BENCH_DB_USER" "$BENCH_DB" >"$BENCH_TMP/pgbench-init-$name.log" 2>&1 ||
		{ cat "$BENCH_TMP/pgbench-init-$name.log" >&2; bench_die "pgbench -i failed on $name"; }
	"$PG_BINDIR/psql" -X -q -h 127.0.0.1 -p "$port" -U "$BENCH_DB_USER" \
		-d "$BENCH_DB" -c "VACUUM ANALYZE; CHECKPOINT" >/dev/null 2>&1 || true
}

# The PostgreSQL primary every target talks to, with pgbench's tables.
bench_start_postgres() {
	bench_make_node postgres PG pgdata
	TARGET_PORT[direct]=$PG_PORT
}

# Native replication's second node: an independent PostgreSQL (no
# replication between the two), started once, on the first native target.
# pgbench -i runs on it directly with the same scale rather than through a
# pooler, which is faster (no pooler in between, and a native-replication
# pooler would run every statement of the load, COPY included, on node 0
# and then on node 1): pgbench's generated rows are fixed (sequential ids,
# zero balances, blank filler, empty history), so both nodes start
# identical, which bench_nodes_consistency confirms before the first run.
bench_start_node1() {
	[ -n "${NODE1_PORT:-}" ] && return 0
	bench_make_node node1 NODE1 node1data
}

bench_stop_postgres() {
	bench_stop_standby
	bench_stop_node1
	[ -n "${PG_DATA:-}" ] || return 0
	if [ -n "${PG_PID:-}" ] && kill -0 "$PG_PID" 2>/dev/null; then
		bench_as_db "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop \
			>/dev/null 2>&1 || bench_stop_pid "$PG_PID" KILL
	fi
	PG_DATA=
}

# A streaming standby of the primary, made with pg_basebackup -R as the
# server user; started once, on the first stream target.  Returns 1 if it
# could not be made (after trying three ports).
bench_start_standby() {
	[ -n "${STANDBY_PORT:-}" ] && return 0
	[ "${STANDBY_FAILED:-0}" = 1 ] && return 1
	local data=$BENCH_TMP/standby log=$BENCH_TMP/standby.log try lsn
	for try in 1 2 3; do
		rm -rf "$data"
		bench_free_port STANDBY_PORT || break
		bench_say "pg_basebackup -R + standby on 127.0.0.1:$STANDBY_PORT"
		if ! bench_as_db "$PG_BINDIR/pg_basebackup" -D "$data" -R -X stream -c fast \
			-h 127.0.0.1 -p "$PG_PORT" -U "$BENCH_DB_USER" \
			>"$BENCH_TMP/basebackup.log" 2>&1; then
			cat "$BENCH_TMP/basebackup.log" >&2
			break
		fi
		# The copied postgresql.conf holds the primary's port: the last
		# setting in the file wins.
		echo "port = $STANDBY_PORT" >>"$data/postgresql.conf"
		if bench_as_db "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
			>/dev/null 2>&1; then
			STANDBY_PID=$(head -n1 "$data/postmaster.pid")
			STANDBY_DATA=$data
			break
		fi
		tail -n 5 "$log" >&2
		# pg_ctl may have given up on a server that is still starting.
		[ -s "$data/postmaster.pid" ] && bench_stop_pid "$(head -n1 "$data/postmaster.pid")" KILL
		STANDBY_PORT=
	done
	if [ -z "${STANDBY_DATA:-}" ]; then
		STANDBY_PORT=
		STANDBY_FAILED=1
		bench_say "the standby did not start"
		return 1
	fi
	# Wait until it has replayed everything the primary wrote so far, so
	# the first reads on it find pgbench's tables.
	lsn=$(bench_psql_at "$PG_PORT" postgres "SELECT pg_current_wal_lsn()")
	for try in $(seq 1 100); do
		[ "$(bench_psql_at "$STANDBY_PORT" postgres \
			"SELECT pg_is_in_recovery() AND pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '$lsn') >= 0")" = t ] &&
			return 0
		sleep 0.3
	done
	bench_say "the standby has not caught up with the primary; using it anyway"
}

bench_stop_node1() {
	[ -n "${NODE1_DATA:-}" ] || return 0
	if [ -n "${NODE1_PID:-}" ] && kill -0 "$NODE1_PID" 2>/dev/null; then
		bench_as_db "$PG_BINDIR/pg_ctl" -D "$NODE1_DATA" -m fast -w -t 30 stop \
			>/dev/null 2>&1 || bench_stop_pid "$NODE1_PID" KILL
	fi
	NODE1_DATA=
}

bench_stop_standby() {
	[ -n "${STANDBY_DATA:-}" ] || return 0
	if [ -n "${STANDBY_PID:-}" ] && kill -0 "$STANDBY_PID" 2>/dev/null; then
		bench_as_db "$PG_BINDIR/pg_ctl" -D "$STANDBY_DATA" -m fast -w -t 30 stop \
			>/dev/null 2>&1 || bench_stop_pid "$STANDBY_PID" KILL
	fi
	STANDBY_DATA=
}

# One value from a query, unaligned; empty on failure.
bench_psql_at() {
	"$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$1" -U "$BENCH_DB_USER" \
		-d "$2" -c "$3" 2>/dev/null
}

# "SHOW pool_nodes" through a pgpool on PORT, one line per node:
# "node_id role select_cnt" (columns found by name in the header).
bench_pool_nodes() {
	"$PG_BINDIR/psql" -X -q -A -F '|' -P footer=off -h 127.0.0.1 -p "$1" \
		-U "$BENCH_DB_USER" -d "$BENCH_DB" -c "SHOW pool_nodes" 2>/dev/null |
		awk -F'|' '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		("node_id" in col) && ("select_cnt" in col) {
			print $col["node_id"], $col["role"], $col["select_cnt"] }'
}

# select_cnt of every node through PORT, joined with '/' in node order.
bench_node_selects() {
	bench_pool_nodes "$1" | sort -n | awk '{ s = s (NR > 1 ? "/" : "") $3 } END { print s }'
}

# md5 of every pgbench table's rows in a fixed order on the node at PORT,
# one "table md5" line per table.  Each row is hashed first and the hashes
# joined, which keeps the aggregate small (32 bytes a row).
bench_node_md5() {
	"$PG_BINDIR/psql" -X -q -At -F ' ' -h 127.0.0.1 -p "$1" -U "$BENCH_DB_USER" \
		-d "$BENCH_DB" 2>/dev/null <<-'EOF'
		SELECT 'pgbench_branches', md5(string_agg(md5(t::text), '' ORDER BY bid)) FROM pgbench_branches t;
		SELECT 'pgbench_tellers', md5(string_agg(md5(t::text), '' ORDER BY tid)) FROM pgbench_tellers t;
		SELECT 'pgbench_accounts', md5(string_agg(md5(t::text), '' ORDER BY aid)) FROM pgbench_accounts t;
		SELECT 'pgbench_history', count(*) || ':' || coalesce(md5(string_agg(md5(t::text), ''
		    ORDER BY tid, bid, aid, delta, mtime)), '-') FROM pgbench_history t;
		SELECT 'history-without-mtime', coalesce(md5(string_agg(md5((tid, bid, aid, delta)::text), ''
		    ORDER BY tid, bid, aid, delta)), '-') FROM pgbench_history;
	EOF
}

# Bring both native nodes back to pgbench's initial contents, straight on
# each node: empty history, zero balances (only the rows a run touched are
# rewritten).  Runs before every counted native run, so each run starts from
# identical nodes and its consistency check judges that run alone.
bench_nodes_reset() {
	local sql="TRUNCATE pgbench_history;
		UPDATE pgbench_branches SET bbalance = 0 WHERE bbalance <> 0;
		UPDATE pgbench_tellers SET tbalance = 0 WHERE tbalance <> 0;
		UPDATE pgbench_accounts SET abalance = 0 WHERE abalance <> 0;"
	local port rc=0
	for port in "$PG_PORT" "$NODE1_PORT"; do
		"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
			-U "$BENCH_DB_USER" -d "$BENCH_DB" -c "$sql" >/dev/null 2>"$BENCH_TMP/reset-$port.log" &
	done
	wait -n || rc=1
	wait -n || rc=1
	[ $rc = 0 ] || { bench_say "could not reset the native nodes:"; cat "$BENCH_TMP"/reset-*.log >&2; }
	return $rc
}

# Compare the pgbench tables of the two native-replication nodes (both read
# at the same time, one core each).  Prints "consistent", "DIVERGED-mtime"
# (the rows match except pgbench_history's timestamps) or "DIVERGED" and,
# for the log, the tables that differ with each node's hash (history: row
# count and md5; history-without-mtime tells whether only the timestamps
# differ).
bench_nodes_consistency() {
	local a=$BENCH_TMP/md5-node0 b=$BENCH_TMP/md5-node1 diff
	bench_node_md5 "$PG_PORT" >"$a" &
	bench_node_md5 "$NODE1_PORT" >"$b"
	wait $!
	if [ "$(wc -l <"$a")" -ne 5 ] || [ "$(wc -l <"$b")" -ne 5 ]; then
		echo "DIVERGED (could not read the tables of both nodes)"
		return 1
	fi
	diff=$(paste -d ' ' "$a" "$b" |
		awk '$1 != $3 || $2 != $4 { printf " %s node0=%s node1=%s;", $1, $2, $4 }')
	if [ -z "$diff" ]; then
		echo consistent
	elif [[ $diff != *history-without-mtime* && $diff != *_accounts* &&
		$diff != *_tellers* && $diff != *_branches* ]]; then
		echo "DIVERGED-mtime: only pgbench_history.mtime (CURRENT_TIMESTAMP) differs:$diff"
		return 1
	else
		echo "DIVERGED:$diff"
		return 1
	fi
}

bench_start_direct() { :; }

# pgpool.conf shared by this project's pgpool and pgpool-II 4.3: connection
# cache, one cached backend per child, quiet logging, no failover.  MODE raw:
# the primary only, no load balancing.  MODE stream: streaming replication,
# primary (node 0) + standby (node 1), SELECTs load balanced by weight, the
# replication check every 10 s, no periodic health check.  MODE native:
# native replication over two independent nodes (node 0 = the primary's
# server, node 1 = bench_start_node1), writes to both, SELECTs load
# balanced, insert_lock off (pgbench's tables have no serial columns).
# EXTRA, if given, is appended (settings of the query cache); without a
# memory_cache_enabled line of its own the cache is off.
bench_write_pgpool_conf() {
	local dir=$1 port=$2 pcp_port=$3 children=$4 mode=$5 extra=${6:-}
	local clustering=raw lb=off sr_period=0
	[ "$mode" = stream ] && { clustering=streaming_replication; lb=on; sr_period=10; }
	[ "$mode" = native ] && { clustering=native_replication; lb=on; }
	cat >"$dir/pgpool.conf" <<-EOF
		backend_clustering_mode = '$clustering'
		listen_addresses = '127.0.0.1'
		port = $port
		socket_dir = '$dir'
		pcp_listen_addresses = '127.0.0.1'
		pcp_port = $pcp_port
		pcp_socket_dir = '$dir'
		backend_hostname0 = '127.0.0.1'
		backend_port0 = $PG_PORT
		backend_weight0 = $BENCH_WEIGHT0
		backend_data_directory0 = '$PG_DATA'
		backend_flag0 = 'DISALLOW_TO_FAILOVER'
		num_init_children = $children
		max_pool = 1
		connection_cache = on
		reset_query_list = 'ABORT; DISCARD ALL'
		load_balance_mode = $lb
		enable_pool_hba = off
		pool_passwd = ''
		health_check_period = 0
		health_check_user = '$BENCH_DB_USER'
		sr_check_period = $sr_period
		sr_check_user = '$BENCH_DB_USER'
		sr_check_database = 'postgres'
		failover_on_backend_error = off
		use_watchdog = off
		log_destination = 'stderr'
		log_min_messages = warning
		log_connections = off
		log_hostname = off
		log_statement = off
		log_per_node_statement = off
		logdir = '$dir'
		pid_file_name = '$dir/pgpool.pid'
	EOF
	if [ "$mode" = stream ]; then
		cat >>"$dir/pgpool.conf" <<-EOF
			backend_hostname1 = '127.0.0.1'
			backend_port1 = $STANDBY_PORT
			backend_weight1 = $BENCH_WEIGHT1
			backend_data_directory1 = '$STANDBY_DATA'
			backend_flag1 = 'DISALLOW_TO_FAILOVER'
			statement_level_load_balance = off
			disable_load_balance_on_write = 'transaction'
		EOF
	fi
	if [ "$mode" = native ]; then
		cat >>"$dir/pgpool.conf" <<-EOF
			backend_hostname1 = '127.0.0.1'
			backend_port1 = $NODE1_PORT
			backend_weight1 = $BENCH_WEIGHT1
			backend_data_directory1 = '$NODE1_DATA'
			backend_flag1 = 'DISALLOW_TO_FAILOVER'
			statement_level_load_balance = off
			disable_load_balance_on_write = 'transaction'
			insert_lock = off
			replicate_select = off
			replication_stop_on_mismatch = off
			failover_if_affected_tuples_mismatch = off
		EOF
	fi
	if [[ $extra != *memory_cache_enabled* ]]; then
		echo "memory_cache_enabled = off" >>"$dir/pgpool.conf"
	fi
	[ -z "$extra" ] || printf '%s\n' "$extra" >>"$dir/pgpool.conf"
	# pcp.conf: user:md5(password); the bench never uses PCP.
	echo "$BENCH_DB_USER:$(printf '%s' bench | md5sum | cut -d' ' -f1)" >"$dir/pcp.conf"
	cat >"$dir/pool_hba.conf" <<-EOF
		local   all  all                trust
		host    all  all  127.0.0.1/32  trust
		host    all  all  ::1/128       trust
	EOF
}

# Start a pgpool binary (ours or Debian's) as target NAME in MODE (raw,
# stream or native), with EXTRA settings (see bench_write_pgpool_conf).
bench_start_pgpool_binary() {
	local name=$1 bin=$2 mode=$3 extra=${4:-} dir=$BENCH_TMP/$1 port pcp_port
	if [ "$mode" = stream ] && ! bench_start_standby; then
		bench_say "$name: no standby; skipped"
		return 2
	fi
	[ "$mode" = native ] && bench_start_node1
	mkdir -p "$dir"
	bench_free_port port && bench_free_port pcp_port || return 1
	bench_write_pgpool_conf "$dir" "$port" "$pcp_port" "$BENCH_CHILDREN" "$mode" "$extra"
	bench_chown "$dir"
	bench_say "$name ($bin, $mode) on 127.0.0.1:$port"
	TARGET_MODE[$name]=$mode
	bench_spawn "$dir/spawn.pid" "$dir/pgpool.log" "$bin" -n \
		-f "$dir/pgpool.conf" -F "$dir/pcp.conf" -a "$dir/pool_hba.conf" ||
		{ bench_say "$name did not start"; return 1; }
	TARGET_PID[$name]=$(cat "$dir/spawn.pid")
	TARGET_PORT[$name]=$port
	# pgpool: SIGINT is fast shutdown (SIGTERM would wait for clients).
	TARGET_STOPSIG[$name]=INT
	if ! bench_wait_listen "$port" "${TARGET_PID[$name]}"; then
		bench_say "$name is not listening; its log:"
		tail -n 20 "$dir/pgpool.log" >&2
		return 1
	fi
}

# This project's pgpool as target NAME in MODE [with EXTRA settings].
bench_start_ours() {
	local name=$1 mode=$2 extra=${3:-}
	if [ ! -x "$PGPOOL_BIN" ]; then
		bench_say "$name: no binary at $PGPOOL_BIN (build it: make); skipped"
		return 2
	fi
	local bin=$PGPOOL_BIN
	# The server user may not be able to reach a binary under /root etc.
	if ! bench_as_db test -x "$bin"; then
		[ -x "$BENCH_TMP/pgpool-bin" ] || cp "$bin" "$BENCH_TMP/pgpool-bin"
		bench_chown "$BENCH_TMP/pgpool-bin"
		bin=$BENCH_TMP/pgpool-bin
	fi
	bench_start_pgpool_binary "$name" "$bin" "$mode" "$extra"
}

# Debian's pgpool-II as target NAME in MODE [with EXTRA settings].
bench_start_theirs() {
	if [ ! -x /usr/sbin/pgpool ]; then
		bench_say "$1: Debian's pgpool2 is not installed; skipped"
		return 2
	fi
	bench_start_pgpool_binary "$1" /usr/sbin/pgpool "$2" "${3:-}"
}

bench_start_pgpool() { bench_start_ours pgpool raw; }
bench_start_pgpool_stream() { bench_start_ours pgpool-stream stream; }
bench_start_pgpool2() { bench_start_theirs pgpool2 raw; }
bench_start_pgpool2_stream() { bench_start_theirs pgpool2-stream stream; }
bench_start_pgpool_native() { bench_start_ours pgpool-native native; }
bench_start_pgpool2_native() { bench_start_theirs pgpool2-native native; }

bench_start_pgbouncer() {
	local bin dir=$BENCH_TMP/pgbouncer port
	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	if [ ! -x "$bin" ]; then
		bench_say "pgbouncer: not installed; skipped"
		return 2
	fi
	mkdir -p "$dir"
	bench_free_port port || return 1
	echo "\"$BENCH_DB_USER\" \"\"" >"$dir/userlist.txt"
	cat >"$dir/pgbouncer.ini" <<-EOF
		[databases]
		$BENCH_DB = host=127.0.0.1 port=$PG_PORT dbname=$BENCH_DB

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir = $dir
		auth_type = trust
		auth_file = $dir/userlist.txt
		pool_mode = session
		max_client_conn = 200
		default_pool_size = $BENCH_CHILDREN
		server_reset_query = DISCARD ALL
		ignore_startup_parameters = extra_float_digits
		log_connections = 0
		log_disconnections = 0
		log_pooler_errors = 1
		stats_period = 3600
		pidfile = $dir/pgbouncer.pid
		logfile = $dir/pgbouncer-file.log
	EOF
	bench_chown "$dir"
	bench_say "pgbouncer ($bin) on 127.0.0.1:$port"
	bench_spawn "$dir/spawn.pid" "$dir/pgbouncer.log" "$bin" "$dir/pgbouncer.ini" ||
		{ bench_say "pgbouncer did not start"; return 1; }
	TARGET_PID[pgbouncer]=$(cat "$dir/spawn.pid")
	TARGET_PORT[pgbouncer]=$port
	# pgbouncer: SIGINT waits for clients, SIGTERM shuts down at once.
	TARGET_STOPSIG[pgbouncer]=TERM
	if ! bench_wait_listen "$port" "${TARGET_PID[pgbouncer]}"; then
		bench_say "pgbouncer is not listening; its log:"
		tail -n 20 "$dir/pgbouncer.log" >&2
		return 1
	fi
}

bench_stop_targets() {
	local name
	for name in "${!TARGET_PID[@]}"; do
		bench_stop_pid "${TARGET_PID[$name]}" "${TARGET_STOPSIG[$name]:-TERM}"
		unset "TARGET_PID[$name]"
	done
	for name in "${!BENCH_HELPER_PID[@]}"; do
		bench_stop_pid "${BENCH_HELPER_PID[$name]}" TERM
		unset "BENCH_HELPER_PID[$name]"
	done
}

bench_chown() {
	if [ -n "${BENCH_DB_USER_SWITCH:-}" ]; then
		chown -R "$BENCH_DB_USER" "$@"
	fi
}

# Before anything starts: packages (the arguments are more optional
# ones), the server user, the results dir and the temp dir.
bench_prepare() {
	bench_install "$@"
	[ -x "$PG_BINDIR/pgbench" ] || bench_die "no PostgreSQL 15 at $PG_BINDIR"
	bench_setup_user
	mkdir -p "$BENCH_RESULTS" || bench_die "cannot create $BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/pgpool-bench.XXXXXX) || bench_die "mktemp failed"
	bench_chown "$BENCH_TMP"
}

# The EXIT trap of every bench script: stop everything it started and
# remove the temp dir (BENCH_KEEP=1 keeps it).
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

# Start the requested targets; those that fail to start are dropped.
bench_start_all() {
	local t try started=() native=0
	[[ " $BENCH_TARGETS " == *-native\ * ]] && native=1
	for t in $BENCH_TARGETS; do
		if [ "$t" = direct ] && [ $native = 1 ]; then
			bench_say "direct: would write to node 0 only and break the native" \
				"nodes' consistency; skipped"
			continue
		fi
		if ! declare -F "bench_start_${t//-/_}" >/dev/null; then
			bench_say "unknown target $t; skipped"
			continue
		fi
		# A port can still be taken by someone else between our check and
		# the server's bind: try again on fresh ports.
		for try in 1 2 3; do
			"bench_start_${t//-/_}"
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
		case ${TARGET_MODE[$t]:-} in stream | native) bench_check_nodes "$t" ;; esac
		started+=("$t")
	done
	ACTIVE_TARGETS="${started[*]}"
	if [ -n "${NODE1_PORT:-}" ]; then
		NODES_AT_START=$(bench_nodes_consistency)
		bench_say "native nodes before the first run: $NODES_AT_START"
	fi
}

# Log the nodes a stream target sees and remember them for the report:
# load balancing is only meaningful with a primary and a standby both up.
declare -A TARGET_NODES
bench_check_nodes() {
	local t=$1 id role nodes=
	while read -r id role _; do
		nodes="$nodes${nodes:+, }node $id $role"
	done < <(bench_pool_nodes "${TARGET_PORT[$t]}" | sort -n)
	[ -n "$nodes" ] || nodes="SHOW pool_nodes failed"
	TARGET_NODES[$t]=$nodes
	bench_say "$t: $nodes"
}
