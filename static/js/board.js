// board.js -- the public board, a page at a time: every event with its
// number, time and chain hash; ballots with the NGO, its choices and the
// ballot's tracking code. The record is what auditors verify; this is a
// view of it.
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

function details(ev, view) {
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
	return el('p', { i18n: 'board.type_help.' + (['manifest', 'open', 'result'].includes(ev.type) ? ev.type : 'other') });
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
					el('p', { class: 'event-head' }, el('span', { class: 'event-n', i18n: 'board.n', args: { n: ev.n } }), ' ', el('span', { class: 'badge', i18n: 'board.type.' + (['manifest', 'open', 'ballot', 'close', 'result'].includes(ev.type) ? ev.type : 'other') }), ' ', el('span', { class: 'sub-inline', date: ev.at })),
					details(ev, view),
					el('p', { class: 'event-hash' }, el('span', { class: 'sub', i18n: 'board.hash' }), el('code', { class: 'hash', text: ev.hash })),
				),
			);
		}
	} catch (e) {
		sayError($('#board-msg'), e);
	}
}
