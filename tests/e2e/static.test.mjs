// static.test.mjs -- checks of static/ that need no browser: translation
// tables complete in both languages (every key the pages use, every error
// name in server/errors.def), Khmer strings in Khmer script, no inline
// script or style, no innerHTML/eval, landmarks on every page, page weight.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const STATIC = path.join(ROOT, 'static');
const read = (f) => fs.readFileSync(path.join(STATIC, f), 'utf8');
const en = JSON.parse(read('i18n/en.json'));
const km = JSON.parse(read('i18n/km.json'));
const pages = fs.readdirSync(STATIC).filter((f) => f.endsWith('.html'));
const scripts = fs.readdirSync(path.join(STATIC, 'js')).filter((f) => f.endsWith('.js'));

// Keys that the code builds at run time from server values.
const DYNAMIC = ['election.status.draft', 'election.status.open', 'election.status.closed', 'role.secretariat', 'role.auditor', 'code.none', 'code.issued', 'code.used', 'code.expired', 'code.revoked'];
// Client-side error names (keystore.js, api.js, page checks).
const CLIENT_ERRORS = ['UNKNOWN', 'UNEXPECTED', 'NETWORK_ERROR', 'RATE_LIMITED_WAIT', 'INSECURE_CONTEXT', 'NO_INDEXEDDB', 'NO_ED25519', 'BACKUP_INVALID', 'BACKUP_PASSPHRASE_WRONG', 'BACKUP_KEY_MISMATCH', 'KEYSTORE_UNAVAILABLE', 'KEY_EXTRACTABLE', 'ORIGIN_MISMATCH', 'NGO_ID_INVALID'];
// Error names the issue-4 API returns for user actions (the brief's list).
const API_ERRORS = ['SETUP_TOKEN_INVALID', 'PASSWORD_TOO_SHORT', 'BAD_CREDENTIALS', 'RATE_LIMITED', 'NOT_LOGGED_IN', 'FORBIDDEN', 'CSRF_FAILED', 'CSV_INVALID', 'ENROL_CODE_INVALID', 'ENROL_NOT_ALLOWED', 'KEY_INVALID', 'LOGIN_SIGNATURE_INVALID', 'NONCE_INVALID', 'INTERNAL_ERROR', 'DATABASE_UNAVAILABLE', 'NOT_FOUND'];
// Values that are the same in every language (names of languages, a CSV header).
const NOT_KHMER = new Set(['lang.en', 'console.import.header_line']);

function usedKeys() {
	const keys = new Set(DYNAMIC);
	for (const f of pages) {
		const html = read(f);
		for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) keys.add(m[1]);
		for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) keys.add(pair.split(':')[1].trim());
	}
	for (const f of scripts) {
		const js = read('js/' + f);
		for (const m of js.matchAll(/\b(?:i18n|key|t|say)\s*[:(]\s*(?:[a-zA-Z$#'"()-]+,\s*)?'([a-z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)+)'/g)) keys.add(m[1]);
		for (const m of js.matchAll(/'((?:[a-z]+\.)+[a-z_]+|error\.[A-Z_]+)'/g)) if (/^(common|console|enroll|delegate|restore|backup|letter|key|ngo|ngos|setup|login|account|audit|nav|lang|error|page|index|role|code|app)\./.test(m[1])) keys.add(m[1]);
	}
	return keys;
}

test('en and km have the same keys', () => {
	assert.deepEqual(Object.keys(km).sort(), Object.keys(en).sort());
});

test('every key the pages and modules use is in both tables', () => {
	const missing = [...usedKeys()].filter((k) => !(k in en) || !(k in km));
	assert.deepEqual(missing, []);
});

test('every error name of server/errors.def below 4000 and of the API contract has a message in both languages', () => {
	const def = fs.readFileSync(path.join(ROOT, 'server/errors.def'), 'utf8');
	// Codes below 4000: server, HTTP, JSON, store, accounts, registry and
	// enrolment (the errors these pages can meet); elections and ballots
	// belong to the voting pages.
	const names = [...def.matchAll(/^ERR\(\s*(\d+),\s*([A-Z0-9_]+)/gm)].filter((m) => Number(m[1]) < 4000).map((m) => m[2]);
	assert.ok(names.length > 20, 'errors.def parsed');
	const missing = [...new Set([...names, ...API_ERRORS, ...CLIENT_ERRORS])].filter((n) => !en['error.' + n] || !km['error.' + n]);
	assert.deepEqual(missing, []);
});

test('Khmer strings are written in Khmer script and differ from English', () => {
	const bad = Object.entries(km).filter(([k, v]) => !NOT_KHMER.has(k) && !/[\u1780-\u17FF]/.test(v));
	assert.deepEqual(bad, []);
	for (const [k, v] of Object.entries(en)) if (!NOT_KHMER.has(k) && k !== 'lang.km') assert.notEqual(km[k], v, k);
	// Same placeholders in both languages.
	for (const [k, v] of Object.entries(en)) {
		const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
		assert.equal(ph(km[k]), ph(v), `placeholders of ${k}`);
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
		assert.doesNotMatch(js, /\.style\.|setAttribute\('style'/, `${f}: inline style`);
		assert.doesNotMatch(js, /https?:\/\/(?!127\.0\.0\.1)/, `${f}: third-party origin`);
	}
});

test('every page: lang, viewport, header, main landmark and its own module', () => {
	for (const f of pages) {
		const html = read(f);
		const name = f.replace(/\.html$/, '');
		assert.match(html, /<html lang="en">/, f);
		assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, f);
		assert.match(html, /<title data-i18n="page\.[a-z]+\.title">/, f);
		assert.match(html, /<header><\/header>/, f);
		assert.match(html, /<main id="main"/, f);
		assert.match(html, new RegExp(`<script type="module" src="/js/${name}\\.js"></script>`), f);
		assert.ok(fs.existsSync(path.join(STATIC, 'js', name + '.js')), `js/${name}.js`);
	}
});

// Size of a page: its HTML, the CSS, one translation table and every module
// it imports (transitively).
function pageWeight(page) {
	const seen = new Set();
	const visit = (file) => {
		if (seen.has(file)) return;
		seen.add(file);
		const src = read(file);
		for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s*'\.\/([^']+)'/g)) visit('js/' + m[1]);
	};
	visit('js/' + page.replace(/\.html$/, '.js'));
	let bytes = fs.statSync(path.join(STATIC, page)).size + fs.statSync(path.join(STATIC, 'style.css')).size;
	bytes += Math.max(fs.statSync(path.join(STATIC, 'i18n/en.json')).size, fs.statSync(path.join(STATIC, 'i18n/km.json')).size);
	for (const f of seen) bytes += fs.statSync(path.join(STATIC, f)).size;
	return bytes;
}

test('page weight (uncompressed) stays well under 100 KB per page', (t) => {
	const weights = Object.fromEntries(pages.map((p) => [p, pageWeight(p)]));
	t.diagnostic(JSON.stringify(weights));
	for (const [p, w] of Object.entries(weights)) assert.ok(w < 100 * 1024, `${p}: ${w} bytes`);
});
