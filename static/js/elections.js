// elections.js -- the public list of elections (drafts are not public):
// status, schedule, turnout, and the way to each election's pages.
import { initPage, $, el, bi, clear, sayError } from './ui.js';
import { get } from './api.js';

await initPage('elections');

try {
	const r = await get('/api/elections');
	const list = Array.isArray(r.elections) ? r.elections : [];
	const ul = clear($('#elections-list'));
	for (const e of list) {
		const q = '?election=' + encodeURIComponent(e.id);
		const open = e.status === 'open';
		ul.append(
			el(
				'li',
				{ class: 'election', attrs: { 'data-election': e.id } },
				el('h2', { class: 'ngo-name' }, el('a', { href: '/election' + q }, bi('span', e.title || { en: e.id }))),
				el('p', {}, el('span', { class: open ? 'badge ok' : 'badge', i18n: 'election.status.' + e.status }), ' ', el('span', { i18n: 'elections.turnout', args: { voted: e.voted, voters: e.voters } })),
				e.opens_at || e.closes_at
					? el('p', { class: 'sub' }, e.opens_at ? el('span', {}, el('span', { i18n: 'elections.opens' }), ' ', el('span', { date: e.opens_at }), ' ') : null, e.closes_at ? el('span', {}, el('span', { i18n: 'elections.closes' }), ' ', el('span', { date: e.closes_at })) : null)
					: null,
				el(
					'p',
					{ class: 'actions' },
					open ? el('a', { class: 'button primary', href: '/vote' + q, i18n: 'elections.vote' }) : null,
					e.status === 'closed' ? el('a', { class: 'button primary', href: '/results' + q, i18n: 'elections.results' }) : null,
					el('a', { class: 'button', href: '/election' + q, i18n: 'elections.details' }),
					el('a', { class: 'button', href: '/board' + q, i18n: 'elections.board' }),
				),
			),
		);
	}
	$('#elections-empty').hidden = list.length > 0;
} catch (e) {
	sayError($('#elections-msg'), e);
}
