#!/bin/sh
# Installs what the browser tests (tests/e2e/) need, and nothing when it is
# all there: Debian's Chromium and the Noto fonts (Khmer script), Node.js and
# npm if absent, and the npm packages pinned in package-lock.json
# (playwright-core drives /usr/bin/chromium; it never downloads a browser;
# @noble/curves and @noble/hashes are copied into static/vendor/).
# Idempotent; run as root on Debian 12 from anywhere in the repository.
set -eu

cd "$(dirname "$0")/.."

PKGS="chromium fonts-noto-core"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-e2e: missing packages:$missing" >&2
		echo "install-e2e: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "install-e2e: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
	echo "install-e2e: playwright-core needs Node.js 20 or newer; this is $(node --version)" >&2
	exit 1
fi

# npm ci when node_modules lacks a pinned package (dependencies or
# devDependencies) or holds another version.
if ! node -e '
	const fs = require("fs");
	const lock = fs.existsSync("package-lock.json") && JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
	const pj = require("./package.json");
	const want = { ...pj.dependencies, ...pj.devDependencies };
	for (const [name, version] of Object.entries(want)) {
		const p = "node_modules/" + name + "/package.json";
		if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p, "utf8")).version !== version) process.exit(1);
		if (lock && lock.packages["node_modules/" + name]?.version !== version) process.exit(1);
	}' 2>/dev/null; then
	export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund
	else
		npm install --no-audit --no-fund
	fi
fi
# The browser's copy of @noble (static/vendor/, which the tests load too).
sh deploy/vendor-noble.sh
echo "install-e2e: chromium, fonts and npm packages present"
