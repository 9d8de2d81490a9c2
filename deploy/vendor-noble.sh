#!/bin/sh
# Builds static/vendor/noble.js, the browser's one third-party library: the
# parts of @noble/curves and @noble/hashes (the versions pinned in
# package.json, installed by `npm ci` into node_modules/) that the
# secret-ballot modules use, bundled by esbuild (pinned too) into one
# tree-shaken, minified ES module served from our own origin (CSP
# default-src 'self', no import maps):
#
#     import { ristretto255, ed25519, sha512, bytesToNumberLE, randomBytes } from '../vendor/noble.js';
#
# Why a bundle: @noble/curves/ed25519.js also builds FROST, OPRF, x25519
# and hash-to-curve at load time; copied file by file it weighed 351 KB,
# bundled with only what is exported below it weighs about 37 KB. The code
# is noble's own, minified; the banner names the versions and carries
# noble's MIT licence. The same file runs under node (tests/e2e/).
#
# Idempotent: the file is rewritten only when its content changes (an
# unchanged file keeps its mtime, hence its ETag). `--check` only tells
# (exit status 0) whether the file is present and was built from the
# pinned versions.
set -eu

cd "$(dirname "$0")/.."

OUT=static/vendor/noble.js

if ! command -v node >/dev/null 2>&1; then
	[ "${1:-}" = "--check" ] || echo "vendor-noble: node is missing (deploy/install-deps.sh installs it)" >&2
	exit 1
fi

# The banner's first line names the pinned versions: --check compares it.
want=$(node -e '
	const d = require("./package.json").dependencies || {};
	const names = ["@noble/curves", "@noble/hashes", "esbuild"];
	for (const n of names)
		if (!/^\d+\.\d+\.\d+$/.test(d[n] || "")) { console.error("vendor-noble: package.json must pin " + n + " to an exact version"); process.exit(1); }
	console.log("/*! " + names.map((n) => n + " " + d[n]).join(", ") + " (deploy/vendor-noble.sh)");')

if [ "${1:-}" = "--check" ]; then
	[ -f "$OUT" ] && [ "$(head -n 1 "$OUT")" = "$want" ]
	exit $?
fi

mkdir -p static/vendor
node - "$OUT" "$want" <<'EOF'
const fs = require('fs');
const [out, firstLine] = process.argv.slice(2);
const want = require('./package.json').dependencies;
for (const p of ['@noble/curves', '@noble/hashes', 'esbuild']) {
	const pj = `node_modules/${p}/package.json`;
	const have = fs.existsSync(pj) ? JSON.parse(fs.readFileSync(pj, 'utf8')).version : 'nothing';
	if (have !== want[p]) {
		console.error(`vendor-noble: node_modules has ${p} ${have}, package.json pins ${want[p]}: run npm ci (deploy/install-deps.sh does)`);
		process.exit(1);
	}
}
const esbuild = require('esbuild');
// Everything static/js/ takes from noble, and nothing else.
const ENTRY = `
export { ristretto255, ed25519 } from '@noble/curves/ed25519.js';
export { bytesToNumberLE } from '@noble/curves/utils.js';
export { sha512 } from '@noble/hashes/sha2.js';
export { randomBytes } from '@noble/hashes/utils.js';
`;
const licence = fs.readFileSync('node_modules/@noble/curves/LICENSE', 'utf8').trim();
if (licence !== fs.readFileSync('node_modules/@noble/hashes/LICENSE', 'utf8').trim()) {
	console.error('vendor-noble: @noble/curves and @noble/hashes no longer share one LICENSE: put both in the banner');
	process.exit(1);
}
const banner = [firstLine, ' * Exports: ristretto255, ed25519, sha512, bytesToNumberLE, randomBytes.', ' * Source: https://github.com/paulmillr/noble-curves, https://github.com/paulmillr/noble-hashes', ' *', ...licence.split('\n').map((l) => (' * ' + l).trimEnd()), ' */'].join('\n');
const r = esbuild.buildSync({
	stdin: { contents: ENTRY, resolveDir: process.cwd(), sourcefile: 'noble-entry.js', loader: 'js' },
	bundle: true,
	format: 'esm',
	platform: 'neutral',
	target: 'es2022',
	minify: true,
	legalComments: 'none',
	banner: { js: banner },
	write: false,
	logLevel: 'error',
});
const text = r.outputFiles[0].text;
if (/\bimport\s*\(|\brequire\s*\(|from\s*["']/.test(text)) {
	console.error('vendor-noble: the bundle still loads other modules');
	process.exit(1);
}
if (fs.existsSync(out) && fs.readFileSync(out, 'utf8') === text) {
	console.error(`vendor-noble: ${out} is up to date (${Buffer.byteLength(text)} bytes)`);
} else {
	fs.writeFileSync(out + '.tmp', text, { mode: 0o644 });
	fs.renameSync(out + '.tmp', out);
	console.error(`vendor-noble: ${out} written (${Buffer.byteLength(text)} bytes)`);
}
EOF
# The file-by-file copy of earlier versions is no longer served.
rm -rf static/vendor/noble
