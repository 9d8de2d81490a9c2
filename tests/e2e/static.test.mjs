// static.test.mjs -- checks of static/ that need no browser: the
// translation bundles (static/i18n/<lang>/<bundle>.json) complete in both
// languages, each key in one bundle, each page's bundles holding every key
// the page and its modules use and every API error its actions can meet;
// every error name of server/errors.def translated; Khmer strings in
// Khmer script; no inline script or style, no innerHTML/eval; landmarks
// on every page; the page-weight budgets.
//
// A page has two variants: what it loads for an open-ballot election (its
// modules' static imports, the bundles its <meta name="i18n-bundles">
// names) and what it loads for a secret-ballot one: also the modules it
// loads with import() and the bundles they add with i18n.addBundles('…').
// Keys used by the first must be in the first's bundles.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, BUDGET, SECRET_BUDGET } from './lib.mjs';

const STATIC = path.join(ROOT, 'static');
const read = (f) => fs.readFileSync(path.join(STATIC, f), 'utf8');
const LANGS = ['en', 'km'];
const pages = fs.readdirSync(STATIC).filter((f) => f.endsWith('.html'));
const scripts = fs.readdirSync(path.join(STATIC, 'js')).filter((f) => f.endsWith('.js'));
const bundleNames = fs
	.readdirSync(path.join(STATIC, 'i18n', 'en'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => f.replace(/\.json$/, ''));
// tables[lang][bundle] = {key: string}
const tables = Object.fromEntries(LANGS.map((l) => [l, Object.fromEntries(bundleNames.map((b) => [b, JSON.parse(read(`i18n/${l}/${b}.json`))]))]));
const all = Object.fromEntries(LANGS.map((l) => [l, Object.assign({}, ...Object.values(tables[l]))]));

const errorsDef = [...fs.readFileSync(path.join(ROOT, 'server/errors.def'), 'utf8').matchAll(/^ERR\(\s*(\d+),\s*([A-Z0-9_]+)/gm)].map((m) => ({ code: Number(m[1]), name: m[2] }));
const errorsIn = (lo, hi) => errorsDef.filter((e) => e.code >= lo && e.code <= hi).map((e) => e.name);

// Client-side error names (keystore.js, api.js, page checks).
const KEY_ERRORS = ['INSECURE_CONTEXT', 'NO_INDEXEDDB', 'NO_ED25519', 'BACKUP_INVALID', 'BACKUP_PASSPHRASE_WRONG', 'BACKUP_KEY_MISMATCH', 'KEYSTORE_UNAVAILABLE', 'KEY_EXTRACTABLE', 'ORIGIN_MISMATCH'];
const CLIENT_ERRORS = ['UNKNOWN', 'UNEXPECTED', 'NETWORK_ERROR', 'RATE_LIMITED_WAIT', 'NGO_ID_INVALID', 'ELECTION_KEY_INVALID', ...KEY_ERRORS];
// Errors only a secret-ballot election meets: their texts may wait in the
// bundles its code adds.
const SECRET_BALLOT_ERRORS = ['BALLOT_SHAPE', 'BALLOT_NONCANONICAL', 'BALLOT_IDENTITY', 'BALLOT_BAD_PROOF', 'BALLOT_ALPHA_REUSED'];
const SECRET_DRAFT_ERRORS = ['ELECTION_NOT_SECRET', 'DRAFT_FROZEN', 'TRUSTEE_UNKNOWN'];
const except = (list, out) => list.filter((e) => !out.includes(e));
// Errors any page can meet: server, HTTP framing, strict JSON, sessions.
const COMMON_ERRORS = [...errorsIn(1000, 1299), 'NOT_LOGGED_IN', 'FORBIDDEN', 'CSRF_FAILED', 'UNKNOWN', 'UNEXPECTED', 'NETWORK_ERROR', 'RATE_LIMITED_WAIT'];
// The API errors each page's actions can meet, beyond COMMON_ERRORS.
const PAGE_ERRORS = {
	'login.html': ['BAD_CREDENTIALS'],
	'setup.html': ['SETUP_TOKEN_INVALID', 'PASSWORD_TOO_SHORT'],
	'console.html': [...errorsIn(2006, 2010), ...errorsIn(3000, 3003), 'NO_CODE_OUTSTANDING', 'NGO_INACTIVE', 'NGO_ID_INVALID'],
	'enroll.html': [...errorsIn(3004, 3011), ...KEY_ERRORS],
	'restore.html': KEY_ERRORS,
	'delegate.html': [...errorsIn(3008, 3011), ...KEY_ERRORS],
	'vote.html': ['ELECTION_NOT_FOUND', 'ELECTION_NOT_PUBLISHED', 'ELECTION_NOT_OPEN', 'ELECTION_CLOSED', ...except(errorsIn(5000, 5999), SECRET_BALLOT_ERRORS), 'RECORD_UNAVAILABLE', 'MANIFEST_MISMATCH', 'RECEIPT_MISMATCH', 'ELECTION_KEY_INVALID', ...KEY_ERRORS],
	'manage.html': [...except(errorsIn(4000, 4999), SECRET_DRAFT_ERRORS), 'NGO_NOT_FOUND'],
	'elections.html': [],
	'election.html': ['ELECTION_NOT_FOUND'],
	'results.html': ['ELECTION_NOT_FOUND', 'ELECTION_NOT_PUBLISHED', 'ELECTION_NOT_CLOSED', 'RESULT_PENDING'],
	'board.html': ['ELECTION_NOT_FOUND', 'ELECTION_NOT_PUBLISHED'],
	'verify.html': ['ELECTION_NOT_FOUND', 'ELECTION_NOT_PUBLISHED'],
};
// What a secret-ballot election adds (its variant of the page).
const SECRET_PAGE_ERRORS = {
	'vote.html': SECRET_BALLOT_ERRORS,
	'manage.html': [...SECRET_DRAFT_ERRORS, ...errorsIn(7000, 8999)],
};
// Keys the code builds at run time from server values, per page.
const STATUS_KEYS = ['election.status.draft', 'election.status.open', 'election.status.closed'];
const VERDICTS = ['held', 'not_signed_by_server', 'other_election', 'missing', 'differs', 'unknown'].map((v) => 'verdict.' + v);
// What blocks opening a draft: every code server/election_draft.c reports;
// manage.js lists them as PROBLEMS, manage_secret.js those of secret drafts.
const PROBLEM_CODES = [...new Set([...fs.readFileSync(path.join(ROOT, 'server/election_draft.c'), 'utf8').matchAll(/problem(?:_ngo)?\(\s*list,\s*[^,]+,\s*"([A-Z_]+)"/g)].map((m) => m[1]))];
const codeList = (file) => [...(/const PROBLEMS = \[([^\]]+)\]/.exec(read(file)) || ['', ''])[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
const PROBLEMS = codeList('js/manage.js').map((p) => 'problem.' + p);
const SECRET_PROBLEMS = codeList('js/manage_secret.js').map((p) => 'problem.' + p);
const EVENT_TYPES = [...['manifest', 'open', 'ballot', 'close', 'result', 'dkg', 'tally', 'partial-decryption', 'other'].map((t) => 'board.type.' + t), ...['manifest', 'open', 'result', 'dkg', 'tally', 'partial-decryption', 'other'].map((t) => 'board.type_help.' + t)];
const PAGE_DYNAMIC = {
	'console.html': ['role.secretariat', 'role.auditor', 'code.none', 'code.issued', 'code.used', 'code.expired', 'code.revoked'],
	'delegate.html': STATUS_KEYS,
	'vote.html': [...STATUS_KEYS, ...VERDICTS],
	'manage.html': [...STATUS_KEYS, ...PROBLEMS, ...['open', 'close'].flatMap((a) => ['heading', 'text', 'submit'].map((k) => `manage.${a}.${k}`))],
	'elections.html': STATUS_KEYS,
	'election.html': STATUS_KEYS,
	'board.html': EVENT_TYPES,
	'verify.html': VERDICTS,
};
const SECRET_DYNAMIC = {
	'manage.html': [...SECRET_PROBLEMS, ...['not-started', 'running', 'succeeded', 'failed'].map((s) => 'manage.dry_run.state.' + s)],
};
// Values that are the same in every language (names of languages, a CSV header).
const NOT_KHMER = new Set(['lang.en', 'console.import.header_line']);

function pageBundles(page) {
	const m = /<meta name="i18n-bundles" content="([^"]+)">/.exec(read(page));
	return m ? m[1].split(/\s+/) : [];
}

// The modules a page loads (paths under static/): its own and every
// import, transitively, the vendored library included; with secret, also
// what they load with import('…') (a secret-ballot election's code).
function pageModules(page, { secret = false } = {}) {
	const seen = new Set();
	const visit = (file) => {
		if (seen.has(file)) return;
		seen.add(file);
		const src = read(file);
		const specs = [...src.matchAll(/(?:import|export)\s[^'"]*?from\s*'(\.\.?\/[^']+)'/g)];
		if (secret) specs.push(...src.matchAll(/\bimport\(\s*'(\.\.?\/[^']+)'\s*\)/g));
		for (const m of specs) visit(path.posix.join(path.posix.dirname(file), m[1]));
	};
	visit('js/' + page.replace(/\.html$/, '.js'));
	return [...seen];
}

// Bundles the page's code adds while it runs: i18n.addBundles('a', 'b').
function addedBundles(page) {
	const names = new Set();
	for (const f of pageModules(page, { secret: true })) for (const m of read(f).matchAll(/\baddBundles\(([^)]*)\)/g)) for (const b of m[1].matchAll(/'([a-z-]+)'/g)) names.add(b[1]);
	return [...names];
}

const hasSecretVariant = (page) => pageModules(page, { secret: true }).length > pageModules(page).length || addedBundles(page).length > 0;

const KEY_PREFIX = /^(app|lang|nav|page|date|common|error|election|index|setup|login|console|account|audit|role|code|ngo|key|letter|backup|enroll|restore|delegate|ngos|vote|receipt|verdict|manage|problem|elections|manifest|results|board|verify|minutes)\./;

function keysOfHtml(html) {
	const keys = new Set();
	for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) keys.add(m[1]);
	for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) keys.add(pair.split(':')[1].trim());
	return keys;
}

function keysOfJs(js) {
	const keys = new Set();
	for (const m of js.matchAll(/'((?:[a-z]+\.)+[a-zA-Z0-9_]+|error\.[A-Z0-9_]+)'/g)) if (KEY_PREFIX.test(m[1])) keys.add(m[1]);
	return keys;
}

function usedKeys(page, { secret = false } = {}) {
	const keys = keysOfHtml(read(page));
	for (const f of pageModules(page, { secret })) if (f.startsWith('js/')) for (const k of keysOfJs(read(f))) keys.add(k);
	for (const k of [...(PAGE_DYNAMIC[page] || []), ...(secret ? SECRET_DYNAMIC[page] || [] : [])]) keys.add(k);
	for (const e of [...COMMON_ERRORS, ...(PAGE_ERRORS[page] || []), ...(secret ? SECRET_PAGE_ERRORS[page] || [] : [])]) keys.add('error.' + e);
	return keys;
}

test('every bundle exists in en and km with the same keys, and each key is in one bundle', () => {
	assert.ok(bundleNames.includes('base'));
	assert.deepEqual(fs.readdirSync(path.join(STATIC, 'i18n', 'km')).sort(), fs.readdirSync(path.join(STATIC, 'i18n', 'en')).sort());
	for (const b of bundleNames) assert.deepEqual(Object.keys(tables.km[b]).sort(), Object.keys(tables.en[b]).sort(), b);
	const owner = {};
	for (const b of bundleNames)
		for (const k of Object.keys(tables.en[b])) {
			assert.equal(owner[k], undefined, `${k} is in ${owner[k]} and ${b}`);
			owner[k] = b;
		}
});

test('each page names its bundles, and they hold every key the page and its modules use', () => {
	const missing = [];
	for (const page of pages) {
		const bundles = pageBundles(page);
		assert.ok(bundles.includes('base'), `${page}: <meta name="i18n-bundles"> with base`);
		for (const b of bundles) assert.ok(bundleNames.includes(b), `${page}: no bundle ${b}`);
		for (const b of addedBundles(page)) assert.ok(bundleNames.includes(b), `${page}: no bundle ${b} (added by its code)`);
		for (const l of LANGS) {
			const table = Object.assign({}, ...bundles.map((b) => tables[l][b]));
			for (const k of usedKeys(page)) if (!(k in table)) missing.push(`${page} [${l}]: ${k}`);
			if (!hasSecretVariant(page)) continue;
			const more = Object.assign({}, table, ...addedBundles(page).map((b) => tables[l][b]));
			for (const k of usedKeys(page, { secret: true })) if (!(k in more)) missing.push(`${page}, secret ballot [${l}]: ${k}`);
		}
	}
	for (const [page, list] of Object.entries(SECRET_PAGE_ERRORS)) assert.ok(hasSecretVariant(page), `${page} has no secret-ballot code, yet SECRET_PAGE_ERRORS names it (${list.length} errors)`);
	assert.deepEqual(missing, []);
});

test('every problem code of a draft is known to the console and explained in both languages', () => {
	assert.ok(PROBLEM_CODES.length >= 8, 'election_draft.c parsed');
	assert.ok(PROBLEMS.length >= 8, 'manage.js lists the problem codes');
	for (const code of PROBLEM_CODES) {
		assert.ok(PROBLEMS.includes('problem.' + code) || SECRET_PROBLEMS.includes('problem.' + code), `manage.js knows ${code}`);
		assert.ok(all.en['problem.' + code] && all.km['problem.' + code], `problem.${code} in both languages`);
	}
});

test('every error name of server/errors.def has a message in both languages', () => {
	assert.ok(errorsDef.length > 60, 'errors.def parsed');
	const names = new Set([...errorsDef.map((e) => e.name), ...CLIENT_ERRORS]);
	const missing = [...names].filter((n) => !all.en['error.' + n] || !all.km['error.' + n]);
	assert.deepEqual(missing, []);
});

test('Khmer strings are written in Khmer script and differ from English', () => {
	const bad = Object.entries(all.km).filter(([k, v]) => !NOT_KHMER.has(k) && !/[\u1780-\u17FF]/.test(v));
	assert.deepEqual(bad, []);
	for (const [k, v] of Object.entries(all.en)) if (!NOT_KHMER.has(k) && k !== 'lang.km') assert.notEqual(all.km[k], v, k);
	// Same placeholders in both languages.
	for (const [k, v] of Object.entries(all.en)) {
		const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
		assert.equal(ph(all.km[k]), ph(v), `placeholders of ${k}`);
	}
});

test('no inline script, inline style or event-handler attributes (CSP default-src self)', () => {
	for (const f of pages) {
		const html = read(f);
		assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${f}: inline <script>`);
		assert.doesNotMatch(html, /<style[\s>]/i, `${f}: <style>`);
		assert.doesNotMatch(html, /\sstyle=/i, `${f}: style attribute`);
		assert.doesNotMatch(html, /\son[a-z]+=/i, `${f}: event handler attribute`);
		assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i, `${f}: third-party origin`);
	}
	for (const f of scripts) {
		const js = read('js/' + f);
		assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, `${f}: unsafe DOM/eval`);
		assert.doesNotMatch(js, /\.style\.|setAttribute\('style'|cssText/, `${f}: inline style`);
		assert.doesNotMatch(js, /https?:\/\/(?!127\.0\.0\.1|www\.w3\.org\/2000\/svg)/, `${f}: third-party origin`);
	}
	assert.doesNotMatch(read('style.css'), /@import|url\((?!["']?data:)/, 'style.css loads nothing else');
});

test('every page: lang, viewport, bundles, header, main landmark and its own module', () => {
	for (const f of pages) {
		const html = read(f);
		const name = f.replace(/\.html$/, '');
		assert.match(html, /<html lang="en">/, f);
		assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, f);
		assert.match(html, /<meta name="i18n-bundles" content="[a-z -]+">/, f);
		assert.match(html, /<title data-i18n="page\.[a-z]+\.title">/, f);
		assert.match(html, /<header><\/header>/, f);
		assert.match(html, /<main id="main"/, f);
		assert.match(html, new RegExp(`<script type="module" src="/js/${name}\\.js"></script>`), f);
		assert.ok(fs.existsSync(path.join(STATIC, 'js', name + '.js')), `js/${name}.js`);
	}
});

// What a page loads, fonts aside (they are the system's): its HTML, its
// stylesheets, the icon, every module it imports (transitively, the
// vendored noble.js included) and its translation bundles in the heavier
// language; with secret, what a secret-ballot election adds: the modules
// loaded with import() and the bundles they add.
export function pageWeight(page, { secret = false } = {}) {
	const size = (f) => fs.statSync(path.join(STATIC, f)).size;
	let bytes = size(page) + size('favicon.svg');
	for (const m of read(page).matchAll(/<link rel="stylesheet" href="\/([^"]+)">/g)) bytes += size(m[1]);
	for (const f of pageModules(page, { secret })) bytes += size(f);
	const bundles = [...pageBundles(page), ...(secret ? addedBundles(page) : [])];
	bytes += Math.max(...LANGS.map((l) => bundles.reduce((n, b) => n + size(`i18n/${l}/${b}.json`), 0)));
	return bytes;
}

// Budgets, uncompressed. An open-ballot election's pages: 100 KB each.
// A secret-ballot election's pages load more, and only for one: the
// voting page encrypts every choice in the delegate's browser, so that no
// one else ever sees it, with the ristretto255 and SHA-512 code of noble
// (static/vendor/noble.js, 37 KB minified: the one third-party code) and
// our ballot, proof and election-key modules (26 KB, left unminified so
// that anyone can read what runs), plus its texts (7 KB in Khmer); that
// makes about 171 KB. 180 KB leaves a little room; on a 256 kbit/s mobile
// link it is under 6 s, about 2 s gzipped (docs/performance.md). The
// numbers live in lib.mjs: the journeys weigh the pages as loaded too.

test('page weight (uncompressed, fonts aside): at most 100 KB per page, 180 KB for a secret-ballot election', (t) => {
	const weights = Object.fromEntries(pages.map((p) => [p, pageWeight(p)]));
	const secret = Object.fromEntries(pages.filter(hasSecretVariant).map((p) => [p, pageWeight(p, { secret: true })]));
	t.diagnostic('open ballots: ' + JSON.stringify(weights));
	t.diagnostic('secret ballots: ' + JSON.stringify(secret));
	for (const [p, w] of Object.entries(weights)) assert.ok(w <= BUDGET, `${p}: ${w} bytes`);
	for (const [p, w] of Object.entries(secret)) assert.ok(w <= SECRET_BUDGET, `${p}, secret ballot: ${w} bytes`);
	// What a secret-ballot vote loads: the ballot code and noble.
	for (const f of ['js/vote_secret.js', 'js/secret_ballot.js', 'js/election_key.js', 'vendor/noble.js']) assert.ok(pageModules('vote.html', { secret: true }).includes(f), `the secret vote page loads ${f}`);
	assert.ok(!pageModules('vote.html').includes('vendor/noble.js'), 'an open vote does not load noble');
});
