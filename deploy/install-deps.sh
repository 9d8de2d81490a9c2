#!/bin/sh
# Installs the Debian packages that building, testing and running ngo-vote need.
# Idempotent: a package already present is left alone, and apt is not touched at all
# when nothing is missing.  Run as root on Debian 12 (the Makefile calls it for you).
set -eu

BUILD_PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev libcurl4-openssl-dev"
TEST_PKGS="check sqlite3 curl valgrind clang clang-format libclang-rt-14-dev"
ALL_PKGS="$BUILD_PKGS $TEST_PKGS"

missing=""
for p in $ALL_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages:$missing" >&2
		echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
echo "install-deps: all packages present"
