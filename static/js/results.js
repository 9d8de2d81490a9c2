// results.js -- the published result: per contest the elected NGOs and a
// bar per candidate (inline SVG made with DOM calls: geometry attributes
// only, nothing the CSP forbids), downloads, and minutes in English and
// Khmer for printing. A secret-ballot election's result names the trustees
// who decrypted its totals (Q), and waits for them (RESULT_PENDING).
import { initPage, $, el, bi, clear, say, sayError, i18n } from './ui.js';
import { get, seg, ApiError } from './api.js';
import { trackingCode } from './protocol.js';
import { downloadResultJson, downloadResultCsv } from './export.js';

await initPage('elections');

const msg = $('#results-msg');
const id = new URLSearchParams(location.search).get('election') || '';
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...kids) {
	const n = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
	n.append(...kids);
	return n;
}

// Elected first (in elected order), then by votes.
function ordered(c) {
	const rank = (k) => {
		const i = (c.elected || []).indexOf(k.id);
		return i < 0 ? Infinity : i;
	};
	return [...(c.candidates || [])].sort((a, b) => rank(a) - rank(b) || b.votes - a.votes);
}

function bar(votes, top, elected) {
	const w = top > 0 ? (100 * votes) / top : 0;
	return svg('svg', { class: 'bar', width: '100%', height: 18, viewBox: '0 0 100 18', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' }, svg('rect', { x: 0, y: 0, width: 100, height: 18, fill: '#eef0f3' }), svg('rect', { x: 0, y: 0, width: w.toFixed(2), height: 18, fill: elected ? '#0d5223' : '#0b57d0' }));
}

function notes(c) {
	const out = [];
	if (c.lot) out.push(el('p', { class: 'msg msg-warn', i18n: 'results.lot' }));
	if (c.vacant > 0) out.push(el('p', { class: 'msg msg-info', i18n: 'results.vacant', args: { n: c.vacant } }));
	return out;
}

function contestSection(c) {
	const top = Math.max(0, ...(c.candidates || []).map((k) => k.votes));
	return el(
		'section',
		{ class: 'contest-result', attrs: { 'data-contest': c.id, 'aria-labelledby': 'r-' + c.id } },
		bi('h2', c.title, { id: 'r-' + c.id }),
		el('p', { i18n: 'results.seats', args: { n: c.seats } }),
		el(
			'ol',
			{ class: 'bars' },
			ordered(c).map((k) =>
				el(
					'li',
					{ attrs: { 'data-candidate': k.id, 'data-elected': k.elected ? 'yes' : 'no' } },
					el('div', { class: 'bar-label' }, bi('span', k.name), k.elected ? el('span', { class: 'badge ok', i18n: 'results.elected' }) : null),
					el('div', { class: 'bar-row' }, bar(k.votes, top, k.elected), el('span', { class: 'votes', i18n: k.votes === 1 ? 'results.votes_one' : 'results.votes', args: { n: k.votes } })),
				),
			),
		),
		...notes(c),
	);
}

// The trustees whose partial decryptions made the result (Q).
function decryptedBy(view, result) {
	const q = new Set(((result && result.decrypted_by) || []).map((x) => x.index));
	return (view.trustees || []).filter((x) => q.has(x.index));
}

function minutes(lang, view, result, openAt, closeAt) {
	const t = (o) => (o && (o[lang] || o.en)) || '';
	const a = el('article', { class: 'minutes', attrs: { lang, 'data-lang-fixed': lang } });
	const tu = view.turnout || { voted: 0, eligible: 0 };
	const secret = view.mode === 'secret';
	a.append(
		el('h1', { i18n: 'minutes.title' }),
		el('p', { class: 'ngo-name', text: t(view.title) }),
		el(
			'dl',
			{ class: 'pairs' },
			el('dt', { i18n: 'minutes.opened' }),
			el('dd', { date: openAt || '' }),
			el('dt', { i18n: 'minutes.closed' }),
			el('dd', { date: closeAt || '' }),
			el('dt', { i18n: 'minutes.roll' }),
			el('dd', { number: tu.eligible }),
			el('dt', { i18n: 'minutes.counted' }),
			el('dd', { number: result.counted }),
			el('dt', { i18n: 'minutes.election_code' }),
			el('dd', { class: 'mono', text: trackingCode(view.election_hash) }),
			secret ? el('dt', { i18n: 'minutes.decrypted_by' }) : null,
			secret ? el('dd', { text: decryptedBy(view, result).map((x) => t(x.name) || x.id).join(', ') }) : null,
		),
	);
	for (const c of result.contests || []) {
		a.append(
			el('h2', { text: t(c.title) }),
			el(
				'table',
				{},
				el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' }, i18n: 'minutes.candidate' }), el('th', { attrs: { scope: 'col' }, i18n: 'minutes.votes' }), el('th', { attrs: { scope: 'col' }, i18n: 'minutes.outcome' }))),
				el(
					'tbody',
					{},
					ordered(c).map((k) => el('tr', {}, el('td', { text: t(k.name) }), el('td', { number: k.votes }), el('td', { i18n: k.elected ? 'minutes.elected' : 'minutes.not_elected' }))),
				),
			),
			...notes(c),
		);
	}
	a.append(el('p', { i18n: secret ? 'minutes.statement_secret' : 'minutes.statement' }), el('p', { class: 'mono hash', text: 'election_hash ' + view.election_hash }), el('p', { class: 'mono hash', text: 'tally_hash ' + result.tally_hash }));
	a.append(el('div', { class: 'signatures' }, ['minutes.sign_secretariat', 'minutes.sign_observer', 'minutes.sign_observer'].map((k) => el('p', {}, el('span', { i18n: k }), el('span', { class: 'sign-line' })))));
	return a;
}

// When voting opened and closed. In secret mode the key ceremony's 4n
// events come before open, and the tally and up to n partial decryptions
// between close and result.
async function eventTimes(total, n) {
	const first = await get(`/api/elections/${seg(id)}/board?from=0&limit=${2 + 4 * n}`);
	const last = await get(`/api/elections/${seg(id)}/board?from=${Math.max(0, total - 3 - n)}&limit=${3 + n}`);
	const find = (evs, type) => ((evs || []).find((e) => e.type === type) || {}).at;
	return [find(first.events, 'open'), find(last.events, 'close')];
}

if (!id) {
	location.replace('/elections');
} else {
	try {
		const view = await get('/api/elections/' + seg(id));
		const q = '?election=' + encodeURIComponent(id);
		$('#r-election').href = '/election' + q;
		$('#r-verify').href = '/verify' + q;
		clear($('#r-title')).append(...bi('span', view.title || { en: id }).childNodes);
		$('#results-body').hidden = false;
		if (view.status !== 'closed') {
			say(msg, 'results.not_closed', undefined, 'info');
			for (const b of ['#r-print', '#r-json', '#r-csv']) $(b).hidden = true;
		} else {
			let result = null;
			try {
				result = await get(`/api/elections/${seg(id)}/result`);
			} catch (e) {
				if (!(e instanceof ApiError && e.errorName === 'RESULT_PENDING')) throw e;
				say(msg, 'results.pending', { t: view.t, n: (view.trustees || []).length }, 'info');
				for (const b of ['#r-print', '#r-json', '#r-csv']) $(b).hidden = true;
			}
			if (result) await show(view, result);
		}
	} catch (e) {
		sayError(msg, e);
	}
}

async function show(view, result) {
	const t = view.turnout || { voted: 0, eligible: 0 };
	clear($('#r-summary')).append(el('span', { i18n: 'results.summary', args: { counted: result.counted, eligible: t.eligible } }));
	if (view.mode === 'secret') {
		const q = decryptedBy(view, result);
		clear($('#r-decrypted')).append(el('p', { i18n: 'results.decrypted_by', args: { k: q.length } }), el('ul', { class: 'trustee-names' }, q.map((x) => el('li', { attrs: { 'data-trustee': x.id } }, bi('span', x.name || { en: x.id })))));
		$('#r-decrypted').hidden = false;
		$('#r-how').setAttribute('data-i18n', 'results.how_secret');
		i18n.apply($('#r-how'));
	}
	clear($('#r-contests')).append(...(result.contests || []).map(contestSection));
	$('#r-json').addEventListener('click', () => downloadResultJson(id, result));
	$('#r-csv').addEventListener('click', () => downloadResultCsv(id, result));
	$('#r-print').addEventListener('click', () => window.print());
	// The minutes carry both languages whatever the page shows.
	await Promise.all([i18n.loadTable('en'), i18n.loadTable('km')]);
	let times = [null, null];
	try {
		const b = await get(`/api/elections/${seg(id)}/board?from=0&limit=1`);
		times = await eventTimes(b.total, (view.trustees || []).length);
	} catch {
		/* the minutes say nothing of the times */
	}
	const box = clear($('#minutes'));
	box.append(minutes('en', view, result, ...times), minutes('km', view, result, ...times));
	i18n.apply(box);
}
