#!/bin/sh
# Copies the ES modules of @noble/curves and @noble/hashes (the versions
# pinned in package.json, installed by `npm ci` into node_modules/) into
# static/vendor/noble/{curves,hashes}/, so that the browser loads them from
# our own origin (CSP default-src 'self', no import maps):
#
#     import { ristretto255 } from '/vendor/noble/curves/ed25519.js';
#
# Only the files reachable from curves/ed25519.js, curves/utils.js,
# hashes/sha2.js and hashes/utils.js are kept, each byte for byte as npm
# ships it except that bare specifiers ('@noble/hashes/sha2.js') become
# relative paths ('../hashes/sha2.js'). The packages' LICENSE files come
# along, and versions.txt names what was copied.
#
# Idempotent: the tree is built aside and replaces static/vendor/noble only
# when something differs (unchanged files keep their mtime, hence their
# ETag). `--check` only tells (exit status 0) whether the tree is present
# and matches the pinned versions.
set -eu

cd "$(dirname "$0")/.."

OUT=static/vendor/noble

if ! command -v node >/dev/null 2>&1; then
	[ "${1:-}" = "--check" ] || echo "vendor-noble: node is missing (deploy/install-deps.sh installs it)" >&2
	exit 1
fi

# The pinned versions, as versions.txt lists them.
want=$(node -e '
	const d = require("./package.json").dependencies || {};
	for (const n of ["@noble/curves", "@noble/hashes"]) {
		if (!/^\d+\.\d+\.\d+$/.test(d[n] || "")) { console.error("vendor-noble: package.json must pin " + n + " to an exact version"); process.exit(1); }
		console.log(n + " " + d[n]);
	}')

if [ "${1:-}" = "--check" ]; then
	[ -f "$OUT/curves/ed25519.js" ] && [ -f "$OUT/versions.txt" ] && [ "$(cat "$OUT/versions.txt")" = "$want" ]
	exit $?
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vendor-noble.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

node - "$tmp" <<'EOF'
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const want = require('./package.json').dependencies;
const PKGS = ['curves', 'hashes'];
for (const p of PKGS) {
	const pj = `node_modules/@noble/${p}/package.json`;
	const have = fs.existsSync(pj) ? JSON.parse(fs.readFileSync(pj, 'utf8')).version : 'nothing';
	if (have !== want['@noble/' + p]) {
		console.error(`vendor-noble: node_modules has @noble/${p} ${have}, package.json pins ${want['@noble/' + p]}: run npm ci (deploy/install-deps.sh does)`);
		process.exit(1);
	}
}

// Module graph from the entry points. Imports are the compiler's one-line
// statements at the start of a line; examples inside /** */ comments start
// with " * " and are left alone.
const IMPORT = /^(\s*(?:import|export)\b[^;'"\n]*?\bfrom\s*|\s*import\s*)(['"])([^'"\n]+)\2/gm;
const ENTRIES = ['curves/ed25519.js', 'curves/utils.js', 'hashes/sha2.js', 'hashes/utils.js'];
const files = new Map(); // "curves/abstract/edwards.js" → rewritten source
function target(from, spec) {
	let m;
	if ((m = /^@noble\/(curves|hashes)\/([a-z0-9_/-]+\.js)$/.exec(spec))) return m[1] + '/' + m[2];
	if (spec.startsWith('./') || spec.startsWith('../')) {
		const t = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
		if (/^(curves|hashes)\//.test(t)) return t;
	}
	throw new Error(`vendor-noble: ${from} imports ${spec}, which is neither a noble module nor relative`);
}
function visit(rel) {
	if (files.has(rel)) return;
	files.set(rel, null);
	const src = fs.readFileSync('node_modules/@noble/' + rel, 'utf8');
	const deps = [];
	const text = src.replace(IMPORT, (all, head, q, spec) => {
		const t = target(rel, spec);
		deps.push(t);
		let r = path.posix.relative(path.posix.dirname(rel), t);
		if (!r.startsWith('.')) r = './' + r;
		return head + q + r + q;
	});
	// Anything else that loads code (a multi-line import, import(), require,
	// a bare specifier left over) would break in the browser: refuse it.
	const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
	if (/^\s*}\s*from\s/m.test(code) || /['"]@noble\/|\bimport\s*\(|\brequire\s*\(/.test(code))
		throw new Error(`vendor-noble: ${rel}: an import this script does not understand`);
	files.set(rel, text);
	for (const d of deps) visit(d);
}
for (const e of ENTRIES) visit(e);
for (const [rel, text] of files) {
	fs.mkdirSync(path.join(out, path.dirname(rel)), { recursive: true });
	fs.writeFileSync(path.join(out, rel), text);
}
for (const p of PKGS) fs.copyFileSync(`node_modules/@noble/${p}/LICENSE`, path.join(out, p, 'LICENSE'));
fs.writeFileSync(path.join(out, 'versions.txt'), PKGS.map((p) => `@noble/${p} ${want['@noble/' + p]}\n`).join(''));
console.error(`vendor-noble: ${files.size} modules, ${[...files.values()].reduce((n, t) => n + Buffer.byteLength(t), 0)} bytes`);
EOF

if [ -d "$OUT" ] && diff -r "$tmp" "$OUT" >/dev/null 2>&1; then
	echo "vendor-noble: $OUT is up to date"
	exit 0
fi
mkdir -p static/vendor
rm -rf "$OUT.old"
if [ -d "$OUT" ]; then mv "$OUT" "$OUT.old"; fi
cp -R "$tmp" "$OUT"
chmod -R a+rX "$OUT"
rm -rf "$OUT.old"
echo "vendor-noble: $OUT holds $(cat "$OUT/versions.txt" | tr '\n' ' ')"
