// board.js -- the public board, a page at a time: every event with its
// number, time and chain hash; ballots with the NGO, its choices (or, in
// a secret-ballot election, that they are encrypted) and the ballot's
// tracking code; the key ceremony's, tally and partial-decryption events
// with their trustee. The record is what auditors verify; this is a view.
import { initPage, $, el, bi, clear, sayError } from './ui.js';
import { get, seg } from './api.js';
import { trackingCode } from './protocol.js';

await initPage('elections');

const PAGE = 50;
const params = new URLSearchParams(location.search);
const id = params.get('election') || '';
const from = Math.max(0, Number.parseInt(params.get('from') || '0', 10) || 0);

function link(n, key, current) {
	const href = `/board?election=${encodeURIComponent(id)}&from=${n}`;
	return el('a', { href, class: 'button small-link', i18n: key, attrs: { 'aria-current': current ? 'page' : null } });
}

function pager(total) {
	const nav = clear($('#pager-top'));
	const pages = Math.max(1, Math.ceil(total / PAGE));
	const page = Math.floor(from / PAGE) + 1;
	const parts = [
		from > 0 ? link(0, 'board.first') : null,
		from > 0 ? link(Math.max(0, from - PAGE), 'board.prev') : null,
		el('span', { class: 'page-no', i18n: 'board.page', args: { page, pages, total } }),
		from + PAGE < total ? link(from + PAGE, 'board.next') : null,
		from + PAGE < total ? link((pages - 1) * PAGE, 'board.last') : null,
	];
	nav.append(...parts.filter(Boolean));
}

// dkg-round0..3 → dkg; a type this page does not know → other.
function kind(type) {
	if (/^dkg-round[0-3]$/.test(type)) return 'dkg';
	return ['manifest', 'open', 'ballot', 'close', 'tally', 'partial-decryption', 'result'].includes(type) ? type : 'other';
}

// A trustee named by its index (or id) in the election view.
function trustee(view, who) {
	const t = (view.trustees || []).find((x) => x.index === who || x.id === who);
	return el('p', {}, el('span', { i18n: 'board.trustee' }), ' ', t ? bi('span', t.name || { en: t.id }) : el('span', { class: 'mono', text: String(who ?? '?') }));
}

function details(ev, view) {
	if (ev.type === 'ballot' && ev.ballot && ev.ballot.encrypted) {
		const b = ev.ballot;
		const voter = (view.roll || []).find((r) => r.id === b.voter);
		return el(
			'div',
			{ class: 'ballot-view' },
			el('p', {}, voter ? bi('span', voter.name) : el('span', { class: 'mono', text: b.voter || '?' }), ' ', el('span', { class: 'sub', i18n: 'board.seq', args: { seq: b.seq } })),
			el('p', {}, el('span', { i18n: 'board.tracking' }), ' ', el('span', { class: 'code', text: trackingCode(b.ballot_hash) })),
			el('p', { class: 'encrypted', i18n: 'board.encrypted' }),
		);
	}
	const k = kind(ev.type);
	if (k === 'dkg' || k === 'partial-decryption') return el('div', {}, trustee(view, ev.trustee), el('p', { class: 'sub', i18n: 'board.type_help.' + k }));
	if (k === 'tally') return el('div', {}, el('p', { i18n: 'board.tally_detail', args: { n: ev.counted ?? 0 } }), el('p', { class: 'sub', i18n: 'board.type_help.tally' }));
	if (ev.type === 'ballot' && ev.ballot) {
		const b = ev.ballot;
		const voter = (view.roll || []).find((r) => r.id === b.voter);
		const contests = new Map((view.contests || []).map((c) => [c.id, c]));
		return el(
			'div',
			{ class: 'ballot-view' },
			el('p', {}, voter ? bi('span', voter.name) : el('span', { class: 'mono', text: b.voter || '?' }), ' ', el('span', { class: 'sub', i18n: 'board.seq', args: { seq: b.seq } })),
			el('p', {}, el('span', { i18n: 'board.tracking' }), ' ', el('span', { class: 'code', text: trackingCode(b.ballot_hash) })),
			el(
				'ul',
				{ class: 'choices' },
				(b.choices || []).map((ch) => {
					const c = contests.get(ch.contest);
					const names = (ch.candidates || []).map((cid) => {
						const k = c && (c.candidates || []).find((x) => x.id === cid);
						return k ? bi('span', k.name) : el('span', { class: 'mono', text: cid });
					});
					return el('li', {}, c ? bi('span', c.title, { class: 'review-title' }) : el('span', { text: ch.contest }), names.length ? el('ul', {}, names.map((n) => el('li', {}, n))) : el('p', { class: 'empty', i18n: 'board.blank' }));
				}),
			),
		);
	}
	if (ev.type === 'close') return el('p', { i18n: 'board.close_detail', args: { n: ev.ballots ?? 0 } });
	return el('p', { i18n: 'board.type_help.' + (['manifest', 'open', 'result'].includes(k) ? k : 'other') });
}

if (!id) {
	location.replace('/elections');
} else {
	try {
		const [view, page] = await Promise.all([get('/api/elections/' + seg(id)), get(`/api/elections/${seg(id)}/board?from=${from}&limit=${PAGE}`)]);
		clear($('#b-title')).append(...bi('span', view.title || { en: id }).childNodes);
		const q = '?election=' + encodeURIComponent(id);
		$('#b-election').href = '/election' + q;
		$('#b-verify').href = '/verify' + q;
		pager(page.total);
		clear($('#board-caption')).append(el('span', { i18n: 'board.caption', args: { first: page.events.length ? page.events[0].n : 0, last: page.events.length ? page.events[page.events.length - 1].n : 0, total: page.total } }));
		const list = clear($('#events'));
		list.start = from + 1;
		for (const ev of page.events || []) {
			list.append(
				el(
					'li',
					{ class: 'event', attrs: { 'data-n': ev.n, 'data-type': ev.type } },
					el('p', { class: 'event-head' }, el('span', { class: 'event-n', i18n: 'board.n', args: { n: ev.n } }), ' ', el('span', { class: 'badge', i18n: 'board.type.' + kind(ev.type), args: kind(ev.type) === 'dkg' ? { r: Number(ev.type.slice(-1)) } : undefined }), ' ', el('span', { class: 'sub-inline', date: ev.at })),
					details(ev, view),
					el('p', { class: 'event-hash' }, el('span', { class: 'sub', i18n: 'board.hash' }), el('code', { class: 'hash', text: ev.hash })),
				),
			);
		}
	} catch (e) {
		sayError($('#board-msg'), e);
	}
}
