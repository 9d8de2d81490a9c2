// letter.js -- the printable enrolment letter, English and Khmer side by
// side. The code arrives in the URL fragment (#ngo=ID&code=...&expires=...)
// so it never reaches the server or its logs.
import { initPage, $, el, say, sayError, fragmentParams, i18n } from './ui.js';
import { get, session } from './api.js';

await initPage('console');
await Promise.all([i18n.loadTable('en'), i18n.loadTable('km')]);

const msg = $('#letter-msg');
const p = fragmentParams();
const ngoId = p.get('ngo') || '';
const code = p.get('code') || '';
const expires = p.get('expires') || '';
let enrolUrl = location.origin + '/enroll';
try {
	const u = new URL(p.get('url') || enrolUrl);
	if (u.protocol === 'https:' || u.protocol === 'http:') enrolUrl = u.origin + u.pathname;
} catch {
	/* keep the default */
}

$('#letter-print').addEventListener('click', () => window.print());

async function findNgo(id) {
	try {
		const r = await get('/api/ngos');
		const n = (r.ngos || []).find((x) => x.id === id);
		if (n) return n;
	} catch {
		/* try the console's list */
	}
	if (await session()) {
		const r = await get('/api/admin/ngos');
		return (r.ngos || []).find((x) => x.id === id) || null;
	}
	return null;
}

function column(lang, ngo) {
	const name = lang === 'km' ? ngo.name_km || ngo.name_en : ngo.name_en || ngo.name_km;
	return el(
		'section',
		{ class: 'letter-col', attrs: { lang, 'data-lang-fixed': lang, 'aria-labelledby': 'l-h-' + lang } },
		el('h2', { id: 'l-h-' + lang, i18n: 'letter.heading' }),
		el('p', { i18n: 'letter.dear', args: { name: name || ngo.id } }),
		el('p', { i18n: 'letter.p1' }),
		el('ol', {}, ['letter.step1', 'letter.step2', 'letter.step3', 'letter.step4', 'letter.step5'].map((k) => el('li', { i18n: k }))),
		expires ? el('p', { class: 'expiry' }, el('span', { i18n: 'letter.valid_until' }), ' ', el('strong', { date: expires })) : null,
		el('p', { i18n: 'letter.confidential' }),
		el('p', { i18n: 'letter.help' }),
	);
}

if (!ngoId || !code) {
	say(msg, 'letter.missing', undefined, 'error');
	$('#letter-print').hidden = true;
} else {
	let ngo = null;
	try {
		ngo = await findNgo(ngoId);
	} catch (e) {
		sayError(msg, e);
	}
	ngo = ngo || { id: ngoId, name_en: '', name_km: '' };
	$('#l-name-en').textContent = ngo.name_en || '';
	$('#l-name-km').textContent = ngo.name_km || '';
	$('#l-id').textContent = ngo.id;
	$('#l-code').textContent = code;
	$('#l-url').textContent = enrolUrl;
	const cols = $('#l-columns');
	cols.append(column('en', ngo), column('km', ngo));
	i18n.apply(document);
	$('#letter').hidden = false;
}
