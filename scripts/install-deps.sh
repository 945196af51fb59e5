#!/usr/bin/env bash
# Installs every Debian package pgpool needs to build, test and benchmark.
# Safe to run again: apt-get skips what is already there. Needs root or sudo.
set -euo pipefail

packages=(
	build-essential autoconf automake libtool pkg-config
	libpq-dev libssl-dev libmemcached-dev libpam0g-dev memcached
	libpg-query-dev libcmocka-dev
	postgresql-15 postgresql-client-15 postgresql-server-dev-15
	libipc-run-perl perl procps iproute2 netcat-openbsd
	openssl libpam-modules passwd util-linux
	libmicrohttpd-dev libjansson-dev curl
	# test/t/045_stream_failover_sessions.pl's JDBC client (it skips without them)
	openjdk-17-jdk-headless libpostgresql-jdbc-java
	# big, for test/t/081_admin_ui.pl only (it skips without them)
	chromium chromium-driver python3-selenium
)

SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
