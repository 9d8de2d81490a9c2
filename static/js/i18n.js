// i18n.js -- translation tables, t(key, args), the [data-i18n] markup,
// the persisted language choice and Intl formats.
//
// The tables are split in bundles, static/i18n/<lang>/<bundle>.json, so a
// page fetches only the strings it shows (the voting page has a weight
// budget). A page names its bundles in <meta name="i18n-bundles"
// content="base vote">; every key lives in exactly one bundle
// (tests/e2e/static.test.mjs checks that each page's bundles hold every
// key the page and its modules use).
//
// Markup understood by apply():
//   data-i18n="key"              textContent = t(key, args)
//   data-i18n-args='{"n": 3}'    named arguments for {n} in the string
//   data-i18n-fallback="text"    shown when no table has the key (server hints)
//   data-i18n-attr="placeholder:key;aria-label:key"
//   data-date="2009-04-20T09:00:00Z"   formatted date and time
//   data-number="1234"           formatted number
//   data-lang-fixed="km"         descendants use that language (letter page)
// Every rendering pass goes through apply(), so switching language
// re-translates dynamic content too.

export const LANGS = ['en', 'km'];
const STORAGE_KEY = 'ngo-vote.lang';
const LOCALES = { en: 'en-GB', km: 'km-KH' };
const tables = Object.create(null);
let lang = 'en';

export function currentLang() {
	return lang;
}

function storedLang() {
	try {
		const v = localStorage.getItem(STORAGE_KEY);
		if (LANGS.includes(v)) return v;
	} catch {
		/* storage disabled: fall through */
	}
	const nav = (navigator.languages || [navigator.language || 'en']).map((l) => String(l).toLowerCase());
	return nav.some((l) => l.startsWith('km')) ? 'km' : 'en';
}

export function bundles() {
	const meta = document.querySelector('meta[name="i18n-bundles"]');
	const list = meta ? meta.content.split(/\s+/).filter((b) => /^[a-z-]+$/.test(b)) : [];
	return list.length ? list : ['base'];
}

async function fetchBundle(l, b) {
	const r = await fetch(`/i18n/${l}/${b}.json`, { credentials: 'same-origin' });
	if (!r.ok) throw new Error(`cannot load /i18n/${l}/${b}.json: ${r.status}`);
	return r.json();
}

// Bundles a page adds as it runs (addBundles): a secret ballot's texts.
const added = [];

export async function loadTable(l) {
	if (!LANGS.includes(l)) throw new Error('unknown language ' + l);
	if (!tables[l]) {
		const parts = await Promise.all([...bundles(), ...added].map((b) => fetchBundle(l, b)));
		tables[l] ??= Object.assign(Object.create(null), ...parts);
	}
	return tables[l];
}

// Fetches more bundles into the tables loaded and to come, then
// re-translates. Name them as literals (static.test.mjs reads them).
export async function addBundles(...names) {
	const fresh = names.filter((b) => !added.includes(b) && !bundles().includes(b));
	added.push(...fresh);
	await Promise.all(Object.keys(tables).map(async (l) => Object.assign(tables[l], ...(await Promise.all(fresh.map((b) => fetchBundle(l, b)))))));
	apply(document);
}

export function has(key, l = lang) {
	return Boolean((tables[l] && key in tables[l]) || (tables.en && key in tables.en));
}

function interpolate(s, args) {
	if (!args) return s;
	return s.replace(/\{(\w+)\}/g, (m, name) => (name in args ? String(args[name]) : m));
}

// The string for key in language l; falls back to English (when loaded),
// then to the key itself.
export function t(key, args, l = lang) {
	const tab = tables[l];
	let s = tab && key in tab ? tab[key] : undefined;
	if (s === undefined && tables.en && key in tables.en) s = tables.en[key];
	if (s === undefined) return key;
	return interpolate(s, args);
}

// Khmer text uses Khmer digits (០-៩). Intl cannot be relied on for them
// (Debian's Chromium lacks the Khmer data), so they are mapped here.
function digits(s, l) {
	return l === 'km' ? String(s).replace(/[0-9]/g, (d) => String.fromCharCode(0x17e0 + Number(d))) : String(s);
}

export function formatNumber(n, l = lang) {
	return digits(new Intl.NumberFormat('en-GB').format(n), l);
}

// Dates arrive as RFC 3339 strings; Unix seconds are accepted too.
// opts.dateOnly drops the time.
export function formatDate(value, l = lang, opts = {}) {
	let v = value;
	if (typeof v === 'string' && /^\d{9,11}$/.test(v)) v = Number(v);
	if (typeof v === 'number' && v < 1e12) v *= 1000;
	const d = v instanceof Date ? v : new Date(v);
	if (value === '' || value === null || value === undefined || Number.isNaN(d.getTime())) return String(value ?? '');
	const locale = LOCALES[l] || l;
	if (Intl.DateTimeFormat.supportedLocalesOf([locale]).length === 0 && has('date.months', l)) {
		// Some builds (Debian's Chromium) ship no Khmer locale data: use the
		// table's month names rather than English ones.
		const months = t('date.months', undefined, l).split(',');
		const pad = (n) => String(n).padStart(2, '0');
		const time = opts.dateOnly ? '' : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
		return digits(t(opts.dateOnly ? 'date.pattern_day' : 'date.pattern', { d: d.getDate(), month: months[d.getMonth()], y: d.getFullYear(), time }, l), l);
	}
	const style = opts.dateOnly ? { dateStyle: 'long' } : { dateStyle: 'medium', timeStyle: 'short' };
	return digits(new Intl.DateTimeFormat(locale, style).format(d), l);
}

function langOf(el) {
	const fixed = el.closest('[data-lang-fixed]');
	return fixed ? fixed.getAttribute('data-lang-fixed') : lang;
}

function parseArgs(el) {
	const raw = el.getAttribute('data-i18n-args');
	if (!raw) return undefined;
	try {
		const args = JSON.parse(raw);
		// Numbers in arguments follow the language's number format.
		for (const k of Object.keys(args)) if (typeof args[k] === 'number') args[k] = formatNumber(args[k], langOf(el));
		return args;
	} catch {
		return undefined;
	}
}

export function apply(root = document) {
	const scope = root.querySelectorAll ? root : document;
	const all = (sel) => {
		const list = [...scope.querySelectorAll(sel)];
		if (scope.matches && scope.matches(sel)) list.unshift(scope);
		return list;
	};
	for (const el of all('[data-i18n]')) {
		const key = el.getAttribute('data-i18n');
		const l = langOf(el);
		const fb = el.getAttribute('data-i18n-fallback');
		el.textContent = fb !== null && !has(key, l) ? fb : t(key, parseArgs(el), l);
	}
	for (const el of all('[data-i18n-attr]')) {
		const l = langOf(el);
		for (const pair of el.getAttribute('data-i18n-attr').split(';')) {
			const [attr, key] = pair.split(':').map((s) => s.trim());
			if (attr && key) el.setAttribute(attr, t(key, undefined, l));
		}
	}
	for (const el of all('[data-date]')) el.textContent = formatDate(el.getAttribute('data-date'), langOf(el));
	for (const el of all('[data-number]')) el.textContent = formatNumber(Number(el.getAttribute('data-number')), langOf(el));
}

export async function setLang(l, { persist = true } = {}) {
	if (!LANGS.includes(l)) l = 'en';
	// Only the chosen table is fetched: tests/e2e/static.test.mjs keeps both
	// complete, so the English fallback in t() is for tables already loaded.
	await loadTable(l);
	lang = l;
	document.documentElement.lang = l;
	if (persist) {
		try {
			localStorage.setItem(STORAGE_KEY, l);
		} catch {
			/* private mode: the choice lasts for this page only */
		}
	}
	apply(document);
	document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: l } }));
}

export async function init() {
	await setLang(storedLang(), { persist: false });
	// Another tab switched language: follow it.
	window.addEventListener('storage', (e) => {
		if (e.key === STORAGE_KEY && LANGS.includes(e.newValue) && e.newValue !== lang) setLang(e.newValue, { persist: false });
	});
	return lang;
}
