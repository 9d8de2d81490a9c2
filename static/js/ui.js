// ui.js -- what every page shares: the header (brand, nav, language
// switch), a small element builder that never parses HTML, and the way
// errors and statuses are shown. Text from users or the server goes in
// with textContent only; our own strings go in through data-i18n so a
// language switch re-translates them.

import * as i18n from './i18n.js';

const NAV = [
	{ id: 'home', href: '/', key: 'nav.home' },
	{ id: 'elections', href: '/elections', key: 'nav.elections' },
	{ id: 'ngos', href: '/ngos', key: 'nav.ngos' },
	{ id: 'delegate', href: '/delegate', key: 'nav.delegate' },
	{ id: 'console', href: '/console', key: 'nav.console' },
];

// el('p', {i18n: 'key', args: {n: 1}, class: 'x', attrs: {...}, on: {click}}, ...children)
// {text: s} sets user/server text verbatim; children may be nodes or strings.
export function el(tag, props = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'class') e.className = v;
		else if (k === 'i18n') e.setAttribute('data-i18n', v);
		else if (k === 'args') e.setAttribute('data-i18n-args', JSON.stringify(v));
		else if (k === 'fallback') e.setAttribute('data-i18n-fallback', v);
		else if (k === 'i18nAttr') e.setAttribute('data-i18n-attr', v);
		else if (k === 'date') e.setAttribute('data-date', v);
		else if (k === 'number') e.setAttribute('data-number', String(v));
		else if (k === 'text') e.textContent = String(v);
		else if (k === 'hidden') e.hidden = true;
		else if (k === 'on') {
			for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
		} else if (k === 'attrs') {
			for (const [a, av] of Object.entries(v)) {
				if (av !== undefined && av !== null && av !== false) e.setAttribute(a, av === true ? '' : String(av));
			}
		} else e[k] = v;
	}
	for (const c of children.flat()) {
		if (c === null || c === undefined || c === false) continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	if (e.matches('[data-i18n],[data-i18n-attr],[data-date],[data-number]') || e.querySelector('[data-i18n],[data-i18n-attr],[data-date],[data-number]')) i18n.apply(e);
	return e;
}

// Text in both languages ({en, km}), each in a span with its lang; CSS
// (.bi) shows the page's language first and the other below.
export function bi(tag, text, props = {}) {
	const parts = ['en', 'km'].filter((l) => text && text[l]).map((l) => el('span', { lang: l, text: text[l] }));
	return el(tag, { ...props, class: ((props.class || '') + ' bi').trim() }, parts);
}

export function $(sel, root = document) {
	return root.querySelector(sel);
}

export function clear(node) {
	while (node.firstChild) node.firstChild.remove();
	return node;
}

// Replaces node's content with the translated message of key.
export function say(node, key, args, kind = 'info') {
	clear(node);
	node.classList.remove('msg-error', 'msg-ok', 'msg-info', 'msg-warn');
	if (!key) {
		node.hidden = true;
		return;
	}
	node.hidden = false;
	node.classList.add('msg-' + kind);
	node.append(el('span', { i18n: key, args }));
}

// Shows an error: ApiError / KeyError (translated, with the server's hint
// as fallback) or anything else as a generic failure.
export function sayError(node, err) {
	clear(node);
	node.hidden = false;
	node.classList.remove('msg-ok', 'msg-info', 'msg-warn');
	node.classList.add('msg-error');
	if (err && err.i18nKey) {
		const fallback = err.hint || i18n.t('error.UNKNOWN', { name: err.errorName });
		node.append(el('span', { i18n: err.i18nKey, args: err.i18nArgs, fallback }));
	} else {
		console.error(err);
		node.append(el('span', { i18n: 'error.UNEXPECTED' }));
	}
	if (node.getAttribute('role') !== 'alert') node.focus?.();
}

// Marks the input named by a server error's "field" as invalid and links
// the message to it; returns the input so the caller can focus it.
export function markField(form, err, msgNode) {
	for (const inp of form.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
	if (!err || !err.field) return null;
	const inp = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
	if (!inp) return null;
	inp.setAttribute('aria-invalid', 'true');
	if (msgNode && msgNode.id) inp.setAttribute('aria-describedby', msgNode.id);
	inp.focus();
	return inp;
}

export function busy(button, on) {
	button.disabled = on;
	button.setAttribute('aria-busy', on ? 'true' : 'false');
}

function renderHeader(active) {
	const header = document.querySelector('body > header');
	if (!header) return;
	clear(header);
	header.classList.add('site-header');
	const select = el(
		'select',
		{ id: 'lang-select', name: 'lang' },
		el('option', { value: 'en', attrs: { lang: 'en' }, i18n: 'lang.en' }),
		el('option', { value: 'km', attrs: { lang: 'km' }, i18n: 'lang.km' }),
	);
	select.value = i18n.currentLang();
	select.addEventListener('change', () => i18n.setLang(select.value));
	document.addEventListener('langchange', () => {
		select.value = i18n.currentLang();
	});
	header.append(
		el('a', { class: 'skip-link', href: '#main', i18n: 'nav.skip' }),
		el('div', { class: 'header-row' },
			el('a', { class: 'brand', href: '/', i18n: 'app.name' }),
			el('div', { class: 'lang-switch' }, el('label', { htmlFor: 'lang-select', i18n: 'lang.label' }), select),
		),
		el('nav', { i18nAttr: 'aria-label:nav.label' },
			el('ul', {}, NAV.map((n) => el('li', {}, el('a', { href: n.href, i18n: n.key, attrs: { 'aria-current': n.id === active ? 'page' : null } })))),
		),
	);
}

// Call first on every page: loads the language, renders the header and
// translates the static markup.
export async function initPage(active) {
	await i18n.init();
	renderHeader(active);
	i18n.apply(document);
	document.body.classList.add('ready');
}

// Fragment parameters (#a=1&b=2), used for secrets that must not reach
// the server's logs (setup tokens, enrolment codes).
export function fragmentParams() {
	return new URLSearchParams(location.hash.replace(/^#/, ''));
}

// Removes the fragment from the address bar and history entry.
export function dropFragment() {
	history.replaceState(null, '', location.pathname + location.search);
}

// Offers obj as a JSON file download (Blob + a.download).
export function downloadJson(filename, obj) {
	const blob = new Blob([JSON.stringify(obj, null, 2) + '\n'], { type: 'application/json' });
	const url = URL.createObjectURL(blob);
	const a = el('a', { href: url, download: filename, class: 'visually-hidden', text: filename });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export { i18n };
