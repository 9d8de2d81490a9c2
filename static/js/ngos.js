// ngos.js -- the public list of NGOs with enrolment status and key
// fingerprints, so an NGO can check that the key on the roll is its own.
import { initPage, $, el, clear, sayError } from './ui.js';
import { get } from './api.js';
import { groupFingerprint } from './protocol.js';

await initPage('ngos');

let ngos = [];
const filter = $('#ngos-filter');

function render() {
	const q = filter.value.trim().toLowerCase();
	const shown = ngos.filter((n) => !q || [n.id, n.name_en, n.name_km, n.fingerprint].some((v) => String(v || '').toLowerCase().includes(q)));
	const body = clear($('#ngos-table tbody'));
	for (const n of shown) {
		body.append(
			el(
				'tr',
				{ attrs: { 'data-ngo': n.id } },
				el('td', { class: 'mono', text: n.id }),
				el('td', {}, el('span', { lang: 'en', text: n.name_en || '' }), el('br'), el('span', { class: 'name-km', lang: 'km', text: n.name_km || '' })),
				el('td', {}, el('span', { class: n.active ? 'badge ok' : 'badge off', i18n: n.active ? 'ngo.active' : 'ngo.inactive' }), ' ', el('span', { i18n: n.enrolled ? 'ngo.enrolled' : 'ngo.not_enrolled' })),
				el('td', {}, n.fingerprint ? el('span', { class: 'fingerprint', text: groupFingerprint(n.fingerprint) }) : el('span', { i18n: 'common.none' })),
			),
		);
	}
	$('#ngos-empty').hidden = shown.length > 0;
	const count = clear($('#ngos-count'));
	count.append(el('span', { i18n: 'ngos.count', args: { shown: shown.length, total: ngos.length } }));
}

filter.addEventListener('input', render);

try {
	const r = await get('/api/ngos');
	ngos = Array.isArray(r.ngos) ? r.ngos : [];
	render();
} catch (e) {
	sayError($('#ngos-msg'), e);
}

