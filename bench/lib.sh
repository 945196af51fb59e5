# bench/lib.sh - helpers sourced by the bench scripts (run.sh, cache.sh,
# recovery.sh): messages, running commands as the unprivileged server user,
# free ports, process-tree CPU accounting, medians and ratios, reading
# pgbench's output, and installing the packages the bench wants.
# shellcheck shell=bash

bench_say() { printf '[bench] %s\n' "$*" >&2; }
bench_die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# Run a command as the user that owns the servers (PostgreSQL refuses root).
bench_as_db() {
	if [ -n "${BENCH_DB_USER_SWITCH:-}" ]; then
		runuser -u "$BENCH_DB_USER" -- "$@"
	else
		"$@"
	fi
}

# Start a foreground daemon in the background as the server user and record
# its own pid (the shell execs the daemon, so $$ is the daemon's pid).
# usage: bench_spawn PIDFILE LOGFILE CMD ARGS...
bench_spawn() { bench_spawn_via bench_as_db "$@"; }

# The same as the user running the bench (for a daemon that drops root
# itself, such as memcached -u).
bench_spawn_self() { bench_spawn_via env "$@"; }

# usage: bench_spawn_via RUNNER PIDFILE LOGFILE CMD ARGS...
bench_spawn_via() {
	local runner=$1 pidfile=$2 logfile=$3
	shift 3
	# shellcheck disable=SC2016
	"$runner" sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" \
		>"$logfile" 2>&1 </dev/null &
	local i
	for i in $(seq 1 50); do
		[ -s "$pidfile" ] && return 0
		sleep 0.1
	done
	return 1
}

# Is anything listening on 127.0.0.1:PORT?
bench_port_busy() {
	local port=$1
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "( sport = :$port )" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
	fi
}

BENCH_PORTS_TAKEN=" "
# Set variable VAR to a free loopback TCP port not handed out before by this
# run (a variable, not output: a $(...) subshell would lose the record).  Ports
# come from below the kernel's ephemeral range, so the many client sockets
# of a run (pgbench -C) cannot take a port between our check and the bind.
bench_free_port() {
	# Locals carry a prefix so they cannot shadow the caller's VAR.
	local _fp_var=$1 _fp_low=32768 _fp_try _fp_port
	read -r _fp_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "${_fp_low:-0}" -gt 12000 ] 2>/dev/null || _fp_low=32768
	for _fp_try in $(seq 1 500); do
		_fp_port=$((10000 + RANDOM % (_fp_low - 10000)))
		if [[ $BENCH_PORTS_TAKEN != *" $_fp_port "* ]] && ! bench_port_busy "$_fp_port"; then
			BENCH_PORTS_TAKEN="$BENCH_PORTS_TAKEN$_fp_port "
			printf -v "$_fp_var" '%s' "$_fp_port"
			return 0
		fi
	done
	return 1
}

# Wait until something listens on PORT (or PID dies / ~10 s pass).
bench_wait_listen() {
	local port=$1 pid=$2 i
	for i in $(seq 1 100); do
		bench_port_busy "$port" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# CPU clock ticks (user+system) used so far by PID and all its descendants,
# plus the ticks of children it has already reaped (cutime+cstime), so a
# child that exits during a run is still counted.
bench_tree_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
	{
		pid = $1; rest = $0
		sub(/^.*\) /, "", rest)   # drop "pid (comm) "; comm may hold spaces
		n = split(rest, f, " ")
		if (n < 15) next
		ppid[pid] = f[2]; ticks[pid] = f[12] + f[13]
		if (pid == root) reaped = f[14] + f[15]
	}
	END {
		if (!(root in ppid)) { print 0; exit }
		in_tree[root] = 1
		do {
			grown = 0
			for (p in ppid)
				if (!(p in in_tree) && (ppid[p] in in_tree)) { in_tree[p] = 1; grown = 1 }
		} while (grown)
		sum = reaped
		for (p in in_tree) sum += ticks[p]
		print sum
	}'
}

# Median of the numbers on stdin ("-" when there are none).
bench_median() {
	sort -g | awk '{ v[NR] = $1 }
	END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# Stop a process we started: SIGNAL first, then SIGKILL for it and its
# descendants if it has not exited within ~15 s.
bench_stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	local kids
	kids=$(bench_descendants "$pid")
	kill "-$sig" "$pid" 2>/dev/null || true
	for i in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		bench_say "pid $pid did not stop on SIG$sig; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# Children left behind by a crashed or killed parent.
	for i in $kids; do
		kill -KILL "$i" 2>/dev/null || true
	done
}

# Pids of all descendants of PID, one per line.
bench_descendants() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
	{ pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); ppid[pid] = f[2] }
	END {
		in_tree[root] = 1
		do {
			grown = 0
			for (p in ppid)
				if (!(p in in_tree) && (ppid[p] in in_tree)) { in_tree[p] = 1; grown = 1; print p }
		} while (grown)
	}'
}

bench_pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Install missing Debian packages without letting their maintainer scripts
# start system services (a temporary policy-rc.d denies it), then stop any
# service that started anyway.  Optional packages may fail to install; the
# arguments are more optional packages.
bench_install() {
	local required=(postgresql-15 postgresql-client-15 procps iproute2)
	local optional=(pgbouncer pgpool2 "$@")
	local missing=() p
	for p in "${required[@]}" "${optional[@]}"; do
		bench_pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "${BENCH_NO_INSTALL:-0}" = 1 ]; then
		bench_say "not installing (BENCH_NO_INSTALL=1): ${missing[*]}"
		return 0
	fi
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			bench_say "not root and no sudo: cannot install ${missing[*]}"
			return 0
		fi
	fi
	bench_say "installing: ${missing[*]}"
	local policy=/usr/sbin/policy-rc.d made_policy=0
	if ! $sudo test -e "$policy"; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod 755 "$policy"
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq || true
	for p in "${missing[@]}"; do
		$sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
			bench_say "could not install $p"
	done
	[ $made_policy = 1 ] && $sudo rm -f "$policy"
	bench_stop_services $sudo
}

# The packages' own services use the system config and default ports; the
# bench starts its own copies, so make sure the system ones are not running.
bench_stop_services() {
	local sudo=${1:-} svc
	for svc in pgpool2 pgbouncer memcached; do
		if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
			if systemctl is-active --quiet "$svc" 2>/dev/null; then
				bench_say "stopping system service $svc"
				$sudo systemctl stop "$svc" || true
			fi
		elif [ -x "/etc/init.d/$svc" ]; then
			if $sudo "/etc/init.d/$svc" status >/dev/null 2>&1; then
				bench_say "stopping system service $svc"
				$sudo "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
			fi
		fi
	done
}

# When root, make sure the unprivileged server user exists.
bench_setup_user() {
	if [ "$(id -u)" = 0 ]; then
		BENCH_DB_USER=${BENCH_DB_USER:-pgpoolbench}
		if ! id "$BENCH_DB_USER" >/dev/null 2>&1; then
			bench_say "creating system user $BENCH_DB_USER"
			useradd --system --no-create-home --shell /usr/sbin/nologin \
				"$BENCH_DB_USER" || bench_die "cannot create user $BENCH_DB_USER"
		fi
		BENCH_DB_USER_SWITCH=1
	else
		BENCH_DB_USER=$(id -un)
		BENCH_DB_USER_SWITCH=
	fi
}

# Can a client get through the server on PORT right now?  Retries for a
# few seconds.
bench_ready() {
	local port=$1
	for _ in $(seq 1 30); do
		"$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$BENCH_DB_USER" \
			-d "$BENCH_DB" -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
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

# Ratio of two medians ("-" if either is missing).
bench_ratio() {
	if [ "$1" != - ] && [ "$2" != - ] && [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		echo -
	fi
}

# "tps latency_ms transactions" from a pgbench output file; empty fields
# are "-".
bench_pgbench_numbers() {
	local tps lat txns
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$1" | head -n1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$1" | head -n1)
	txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1" | head -n1)
	echo "${tps:--} ${lat:--} ${txns:--}"
}
