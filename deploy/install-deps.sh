#!/bin/sh
# Installs the Debian packages that building, testing and running ngo-vote need,
# Node.js and npm when absent, the npm dependencies pinned in package-lock.json
# when node_modules lacks them (the browser's crypto, @noble/curves and
# @noble/hashes), and copies those into static/vendor/ (deploy/vendor-noble.sh).
# Idempotent: a package already present is left alone, apt is not touched at all
# when nothing is missing, npm only when a pinned version is missing.  Run as root
# on Debian 12 (the Makefile calls it for you) from anywhere in the repository.
set -eu

BUILD_PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev libcurl4-openssl-dev"
TEST_PKGS="check sqlite3 curl valgrind clang clang-format libclang-rt-14-dev"
ALL_PKGS="$BUILD_PKGS $TEST_PKGS"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	ALL_PKGS="$ALL_PKGS nodejs npm"
fi

cd "$(dirname "$0")/.."

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

# npm ci when node_modules lacks a pinned runtime dependency or holds another
# version (devDependencies, the browser tests' tools, are install-e2e.sh's).
if ! node -e '
	const fs = require("fs");
	const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
	for (const [name, version] of Object.entries(require("./package.json").dependencies || {})) {
		const p = "node_modules/" + name + "/package.json";
		if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p, "utf8")).version !== version) process.exit(1);
		if (lock.packages["node_modules/" + name]?.version !== version) process.exit(1);
	}' 2>/dev/null; then
	echo "install-deps: npm ci (package-lock.json)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
sh deploy/vendor-noble.sh
