// election.js -- one election in public: its manifest (contests,
// candidates, the roll with key fingerprints), checked against the
// record's event 0 (in a secret-ballot election, also the election key
// from the key ceremony's events), who has voted (an open vote is a
// roll-call vote; a secret one hides only the choices) and the trustees.
import { initPage, $, el, bi, clear, say, sayError, i18n } from './ui.js';
import { get, seg } from './api.js';
import { trackingCode, groupFingerprint } from './protocol.js';
import { fetchRecordManifest, compareWithView } from './manifest.js';

await initPage('elections');

const msg = $('#election-msg');
const id = new URLSearchParams(location.search).get('election') || '';

function rule(c) {
	if (c.min === c.max) return el('span', { i18n: 'election.rule.exactly', args: { k: c.max, seats: c.seats } });
	if (c.min === 0) return el('span', { i18n: 'election.rule.up_to', args: { k: c.max, seats: c.seats } });
	return el('span', { i18n: 'election.rule.between', args: { min: c.min, max: c.max, seats: c.seats } });
}

function render(v) {
	clear($('#e-title')).append(...bi('span', v.title || { en: v.id }).childNodes);
	clear($('#e-status')).append(el('span', { class: v.status === 'open' ? 'badge ok' : 'badge', i18n: 'election.status.' + v.status }));
	const sched = clear($('#e-schedule'));
	if (v.opens_at) sched.append(el('span', {}, el('span', { i18n: 'elections.opens' }), ' ', el('span', { date: v.opens_at })), ' ');
	if (v.closes_at) sched.append(el('span', {}, el('span', { i18n: 'elections.closes' }), ' ', el('span', { date: v.closes_at })));
	if (!v.opens_at && !v.closes_at) sched.append(el('span', { i18n: 'election.f.by_hand' }));
	clear($('#e-revote')).append(el('span', { i18n: v.revote ? 'election.f.revote_yes' : 'election.f.revote_no' }));
	const trustees = v.trustees || [];
	if (v.mode === 'secret') {
		const args = { t: v.t, n: trustees.length };
		$('#e-mode').setAttribute('data-i18n', 'election.f.mode_secret');
		$('#e-mode').setAttribute('data-i18n-args', JSON.stringify(args));
		clear($('#trustees-help')).append(el('span', { i18n: 'election.trustees_help', args }));
		const tb = clear($('#trustees-table tbody'));
		for (const x of trustees) tb.append(el('tr', { attrs: { 'data-trustee': x.id } }, el('td', {}, bi('span', x.name || { en: x.id }), el('span', { class: 'mono sub', text: `${x.index} · ${x.id}` })), el('td', {}, el('span', { class: 'fingerprint', text: groupFingerprint(x.fingerprint) }))));
		$('#e-trustees').hidden = false;
		i18n.apply($('#election-body'));
	}
	$('#e-code').textContent = trackingCode(v.election_hash);
	$('#e-hash').textContent = v.election_hash;
	$('#e-server').textContent = v.server_pk;
	const q = '?election=' + encodeURIComponent(v.id);
	const actions = [
		v.status === 'open' ? el('a', { class: 'button primary', href: '/vote' + q, i18n: 'elections.vote' }) : null,
		v.status === 'closed' ? el('a', { class: 'button primary', href: '/results' + q, i18n: 'elections.results' }) : null,
		el('a', { class: 'button', href: '/board' + q, i18n: 'elections.board' }),
		el('a', { class: 'button', href: '/verify' + q, i18n: 'election.verify' }),
		el('a', { class: 'button', href: `/api/elections/${seg(v.id)}/record`, download: `record-${v.id}.jsonl`, i18n: 'election.record' }),
	];
	clear($('#e-actions')).append(...actions.filter(Boolean));
	const box = clear($('#e-contests'));
	for (const c of v.contests || []) {
		box.append(
			el(
				'section',
				{ class: 'contest-card', attrs: { 'data-contest': c.id, 'aria-labelledby': 'c-' + c.id } },
				bi('h3', c.title, { id: 'c-' + c.id }),
				el('p', { class: 'rule' }, rule(c)),
				el('ul', { class: 'cand-list' }, (c.candidates || []).map((k) => el('li', {}, bi('span', k.name), el('span', { class: 'mono sub', text: k.id })))),
			),
		);
	}
	const voted = new Map(((v.turnout && v.turnout.voters) || []).map((x) => [x.id, x.voted]));
	const body = clear($('#roll-table tbody'));
	for (const r of v.roll || []) {
		body.append(
			el(
				'tr',
				{ attrs: { 'data-ngo': r.id } },
				el('td', {}, bi('span', r.name), el('span', { class: 'mono sub', text: r.id })),
				el('td', {}, el('span', { class: 'fingerprint', text: groupFingerprint(r.fingerprint) })),
				el('td', {}, el('span', { class: voted.get(r.id) ? 'badge ok' : 'badge', i18n: voted.get(r.id) ? 'election.roll.yes' : 'election.roll.no' })),
			),
		);
	}
	const t = v.turnout || { voted: 0, eligible: 0 };
	clear($('#e-turnout')).append(el('span', { i18n: 'election.turnout', args: { voted: t.voted, eligible: t.eligible } }));
	$('#election-body').hidden = false;
}

if (!id) {
	location.replace('/elections');
} else {
	try {
		const v = await get('/api/elections/' + seg(id));
		render(v);
		try {
			const rec = await fetchRecordManifest(id);
			const diff = compareWithView(rec, v);
			say($('#e-verified'), diff.length ? 'election.mismatch' : 'election.matches', undefined, diff.length ? 'error' : 'ok');
		} catch {
			say($('#e-verified'), 'election.unchecked', undefined, 'warn');
		}
	} catch (e) {
		sayError(msg, e);
	}
}
