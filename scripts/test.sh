#!/usr/bin/env bash
# Builds pgpool from a clean checkout and runs every test: the cmocka unit
# tests and the TAP integration tests (real PostgreSQL 15 servers, run as
# the unprivileged user "pgpooltest" when this script runs as root).
#
# Usage: scripts/test.sh            (as root or as a user with sudo)
# Environment: SKIP_DEPS=1 skips the package installation step,
#              PROVE_JOBS (default 2) sets prove's parallelism.
#
# The last line printed is the summary "N passed, N failed".
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
logdir=$(mktemp -d /tmp/pgpool-test-run-XXXXXX)
check_log="$logdir/check.log"
trap 'rm -rf "$logdir"' EXIT

summary() {
	echo "$1 passed, $2 failed"
}

fail_step() {
	echo "scripts/test.sh: $1 failed" >&2
	summary 0 1
	exit 1
}

step() {
	echo "==> $*"
}

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	step "installing build and test dependencies"
	# It calls apt-get through sudo itself when not root, and only when a
	# package is missing.
	bash scripts/install-deps.sh || fail_step "scripts/install-deps.sh"
fi

step "autoreconf -fi"
autoreconf -fi >"$logdir/autoreconf.log" 2>&1 || { cat "$logdir/autoreconf.log"; fail_step "autoreconf"; }
step "./configure --enable-werror --with-pam --with-memcached"
./configure --enable-werror --with-pam --with-memcached >"$logdir/configure.log" 2>&1 || {
	tail -n 40 "$logdir/configure.log"
	fail_step "configure"
}
step "make -j2"
make -j2 || fail_step "make"

# The PostgreSQL extensions (sql/, PGXS) go into the test server's
# installation before the TAP tests that use them.
step "make -C sql && make -C sql install"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi
make -C sql || fail_step "make -C sql"
$SUDO make -C sql install || fail_step "make -C sql install"

step "make check (unit tests, then integration tests with prove -j${PROVE_JOBS:-2})"
# -k: run the integration tests even when a unit test fails.  The TAP
# files are *.pl, which prove only picks up from a directory with --ext.
make -k check PROVE_JOBS="${PROVE_JOBS:-2}" PROVE_FLAGS="--ext=.pl ${PROVE_FLAGS:-}" 2>&1 | tee "$check_log"
check_rc=${PIPESTATUS[0]}

# Unit tests: cmocka's own per-test counts from automake's .log files; a
# program that failed without reporting counts as one failure.
unit_pass=0
unit_fail=0
for log in "$root"/test/unit/*.log; do
	[ -f "$log" ] || continue
	read -r p f seen < <(awk '
		/^\[  PASSED  \] [0-9]+ test/ { p += $4; s = 1 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4; s = 1 }
		END { print p + 0, f + 0, s + 0 }' "$log")
	unit_pass=$((unit_pass + p))
	unit_fail=$((unit_fail + f))
	if [ "$seen" = 0 ] && ! grep -q ':test-result: PASS' "${log%.log}.trs" 2>/dev/null; then
		unit_fail=$((unit_fail + 1))
	fi
done

# Integration tests: the total from prove's "Files=N, Tests=N" line; the
# failures from its "Test Summary Report": each file's "Failed: M", or one
# for a file that failed without a failed subtest (died, bad plan).
tap_total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$check_log" | tail -n 1)
tap_total=${tap_total:-0}
read -r tap_fail tap_bad < <(awk '
	function flush() { if (file) { n += failed; if (!failed && bad) b++ } file = 0 }
	/^Test Summary Report/ { r = 1; next }
	!r { next }
	/^Files=/ { flush(); r = 0; next }
	/\(Wstat: / {
		flush(); file = 1; failed = 0; bad = 0
		if (match($0, /Failed: [0-9]+/)) failed = substr($0, RSTART + 8, RLENGTH - 8) + 0
		if ($0 !~ /Wstat: 0 /) bad = 1
		next
	}
	/Parse errors|No subtests run|Bad plan/ { bad = 1 }
	END { flush(); print n + 0, b + 0 }' "$check_log")
tap_pass=$((tap_total - tap_fail))
[ "$tap_pass" -lt 0 ] && tap_pass=0
tap_fail=$((tap_fail + tap_bad))
if [ "$tap_total" = 0 ] && ! grep -q '^Result: PASS' "$check_log"; then
	tap_fail=$((tap_fail + 1))
fi

passed=$((unit_pass + tap_pass))
failed=$((unit_fail + tap_fail))
if [ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
summary "$passed" "$failed"
[ "$check_rc" -eq 0 ] && [ "$failed" -eq 0 ]
