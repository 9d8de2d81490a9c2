// manage.js -- the secretariat's elections: the list, a new election from
// the HLWG template or empty, the draft editor (titles, schedule, revote
// rule, contests with candidates from the registry, exclusions from the
// roll with a reason), what blocks opening in plain words, opening and
// closing with the id typed back, live turnout, and the exports. Auditors
// see the same read-only. A secret-ballot draft loads manage_secret.js
// (trustees, threshold, dry run, the key ceremony, then decryption).
import { initPage, $, el, bi, clear, say, sayError, busy, i18n } from './ui.js';
import { get, post, put, session, seg, ApiError } from './api.js';
import { groupFingerprint } from './protocol.js';
import { downloadResultJson, downloadResultCsv } from './export.js';

const ID_RE = /^[a-z0-9_-]{1,64}$/;
const KHMER = /[\u1780-\u17FF]/;
const POLL_MS = 4000;
const PROBLEMS = ['NO_CONTESTS', 'FEWER_CANDIDATES_THAN_SEATS', 'MIN_ABOVE_MAX', 'MAX_ABOVE_CANDIDATES', 'CANDIDATE_UNKNOWN', 'CANDIDATE_INACTIVE', 'EMPTY_ROLL', 'VOTER_WITHOUT_KEY', 'EXCLUDED_UNKNOWN'];

await initPage('console');

const msg = $('#manage-msg');
const electionId = new URLSearchParams(location.search).get('election');
let me = null;
let ngos = []; // the registry (GET /api/admin/ngos)
let current = null; // {id, status, draft, problems}
let pollTimer = null;
let dirty = false;
let secret = null; // manage_secret.js, once a secret-ballot draft needs it

async function loadSecret() {
	if (!secret) {
		secret = await import('./manage_secret.js');
		await secret.init({ editable, ngoName, reload: () => showDetail(current.id, { keepMessage: true }), problemsChanged });
	}
	return secret;
}

const isSecret = () => Boolean(current && current.draft && current.draft.mode === 'secret');

function editable() {
	return me && me.role === 'secretariat';
}

function ngoName(id) {
	const n = ngos.find((x) => x.id === id);
	return n ? { en: n.name_en, km: n.name_km } : { en: id };
}

// datetime-local (the browser's time zone) <-> the API's UTC "YYYY-MM-DDTHH:MM:SSZ".
function toUtc(local) {
	if (!local) return '';
	const d = new Date(local);
	return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toLocal(utc) {
	if (!utc) return '';
	const d = new Date(utc);
	if (Number.isNaN(d.getTime())) return '';
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function statusBadge(status) {
	return el('span', { class: status === 'open' ? 'badge ok' : 'badge', i18n: 'election.status.' + status });
}

// --- the list ---------------------------------------------------------------

async function showList() {
	$('#list').hidden = false;
	const m = $('#list-msg');
	try {
		const r = await get('/api/admin/elections');
		const list = Array.isArray(r.elections) ? r.elections : [];
		const body = clear($('#election-table tbody'));
		for (const e of list) {
			const schedule = el('td', {});
			if (e.opens_at) schedule.append(el('span', { class: 'sub' }, el('span', { i18n: e.auto_open ? 'manage.list.opens_auto' : 'manage.list.opens' }), ' ', el('span', { date: e.opens_at })));
			if (e.closes_at) schedule.append(el('span', { class: 'sub' }, el('span', { i18n: e.auto_close ? 'manage.list.closes_auto' : 'manage.list.closes' }), ' ', el('span', { date: e.closes_at })));
			if (!e.opens_at && !e.closes_at) schedule.append(el('span', { i18n: 'manage.list.by_hand' }));
			body.append(
				el(
					'tr',
					{ attrs: { 'data-election': e.id } },
					el('td', {}, el('a', { href: '/manage?election=' + encodeURIComponent(e.id) }, bi('span', e.title || { en: e.id })), el('span', { class: 'mono sub', text: e.id })),
					el('td', {}, statusBadge(e.status)),
					schedule,
					el('td', {}, e.status === 'draft' ? el('span', { i18n: 'common.none' }) : el('span', { i18n: 'manage.list.turnout_value', args: { voted: e.voted, voters: e.voters } })),
				),
			);
		}
		$('#list-empty').hidden = list.length > 0;
	} catch (e) {
		sayError(m, e);
	}
}

function setupCreate() {
	const form = $('#create-form');
	if (!form) return;
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const m = $('#create-msg');
		const id = form.elements.id.value.trim();
		const title = { en: form.elements.title_en.value.trim(), km: form.elements.title_km.value.trim() };
		invalid(form, null);
		if (!ID_RE.test(id)) return fail(form, m, 'manage.error.id', 'id');
		if (!title.en || !title.km) return fail(form, m, 'manage.error.titles', !title.en ? 'title_en' : 'title_km');
		if (!KHMER.test(title.km)) return fail(form, m, 'manage.error.khmer', 'title_km');
		const button = form.querySelector('button[type=submit]');
		busy(button, true);
		try {
			await post('/api/admin/elections', { id, title, template: form.elements.template.value });
			location.assign('/manage?election=' + encodeURIComponent(id) + '#created');
		} catch (e) {
			sayError(m, e);
			if (e.field) invalid(form, e.field === 'title' ? 'title_en' : e.field);
		} finally {
			busy(button, false);
		}
	});
}

function invalid(form, name) {
	for (const inp of form.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
	if (!name) return;
	const inp = form.querySelector(`[name="${CSS.escape(name)}"]`) || form.querySelector(`[data-field="${CSS.escape(name)}"]`);
	if (inp) {
		inp.setAttribute('aria-invalid', 'true');
		inp.focus();
	}
}

function fail(form, m, key, name) {
	say(m, key, undefined, 'error');
	invalid(form, name);
}

// --- one election -------------------------------------------------------------

async function showDetail(id, { keepMessage = false } = {}) {
	try {
		current = await get('/api/admin/elections/' + seg(id));
		if (isSecret()) await loadSecret();
	} catch (e) {
		sayError(msg, e);
		return;
	}
	if (!keepMessage) say($('#detail-msg'), null);
	$('#detail').hidden = false;
	renderHeader();
	$('#draft-form').hidden = current.status !== 'draft';
	$('#problems-box').hidden = current.status !== 'draft';
	if (current.status === 'draft') {
		renderDraft();
		renderProblems();
	}
	setupConfirm();
	$('#turnout').hidden = current.status === 'draft';
	$('#exports').hidden = current.status === 'draft';
	if (current.status !== 'draft') {
		renderExports();
		await refreshTurnout();
		if (current.status === 'open') startPolling();
	}
	$('#ceremony').hidden = !isSecret();
	if (secret) await secret.renderPanel(current);
	if (location.hash === '#created') {
		say($('#detail-msg'), 'manage.created', { id }, 'ok');
		history.replaceState(null, '', location.pathname + location.search);
	}
}

function renderHeader() {
	const d = current.draft || {};
	clear($('#detail-title')).append(...bi('span', d.title || { en: current.id }).childNodes);
	clear($('#detail-status')).append(statusBadge(current.status));
	$('#detail-id').textContent = current.id;
}

// --- the draft editor -------------------------------------------------------------

function renderDraft() {
	const d = current.draft;
	$('#d-title-en').value = d.title.en || '';
	$('#d-title-km').value = d.title.km || '';
	$('#d-revote').checked = Boolean(d.revote);
	$('#d-opens').value = toLocal(d.opens_at);
	$('#d-closes').value = toLocal(d.closes_at);
	$('#d-auto-open').checked = Boolean(d.auto_open);
	$('#d-auto-close').checked = Boolean(d.auto_close);
	const offset = -new Date().getTimezoneOffset() / 60;
	clear($('#tz-help')).append(el('span', { i18n: 'manage.field.tz', args: { tz: 'UTC' + (offset >= 0 ? '+' : '') + offset } }));
	$('#d-mode-open').checked = d.mode !== 'secret';
	$('#d-mode-secret').checked = d.mode === 'secret';
	renderContests(d.contests);
	renderRoll(d.excluded);
	$('#secret-edit').hidden = d.mode !== 'secret';
	if (secret) secret.renderDraft(current);
	// A key ceremony freezes the draft (the trustees sign its manifest).
	const frozen = secret ? secret.frozen(current) : false;
	if (!editable() || frozen) {
		for (const inp of $('#draft-form').querySelectorAll('input, select, textarea, button:not([type=submit])')) inp.disabled = true;
		// A scrolling list of disabled boxes must still take the keyboard.
		for (const pick of $('#draft-form').querySelectorAll('.cand-pick')) pick.tabIndex = 0;
	} else for (const inp of $('#draft-form').querySelectorAll(':scope > fieldset input')) inp.disabled = false;
	$('#draft-form button[type=submit]').hidden = !editable() || frozen;
	$('#contest-add').hidden = !editable() || frozen;
	setDirty(false);
}

for (const radio of [$('#d-mode-open'), $('#d-mode-secret')]) {
	radio.addEventListener('change', async () => {
		const on = $('#d-mode-secret').checked;
		if (on && !secret) {
			try {
				await loadSecret();
			} catch (e) {
				sayError($('#draft-msg'), e);
				return;
			}
			secret.renderDraft(current);
		}
		$('#secret-edit').hidden = !on;
	});
}

function numberField(ci, name, value, key) {
	const id = `ce-${ci}-${name}`;
	return el('div', { class: 'field small-field' }, el('label', { htmlFor: id, i18n: key }), el('input', { id, type: 'number', min: name === 'seats' ? 1 : 0, max: 10000, value: String(value), class: 'c-' + name, attrs: { 'data-field': `contests/${ci}/${name}`, inputmode: 'numeric' } }));
}

function renderContests(contests) {
	const box = clear($('#contests-edit'));
	contests.forEach((c, ci) => {
		const fs = el('fieldset', { class: 'contest-edit', id: 'ce-' + ci, attrs: { 'data-contest': c.id } }, el('legend', { i18n: 'manage.contest.legend', args: { n: ci + 1 } }));
		fs.prevCandidates = [...c.candidates];
		const text = (name, key, lang, value) => {
			const id = `ce-${ci}-${name}`;
			return el('div', { class: 'field' }, el('label', { htmlFor: id, i18n: key }), el('input', { id, value: value || '', class: 'c-' + name, lang, attrs: { 'data-field': `contests/${ci}/${name === 'id' ? 'id' : 'title'}`, autocomplete: 'off', maxlength: name === 'id' ? 64 : 300 } }));
		};
		fs.append(
			text('id', 'manage.contest.id', null, c.id),
			text('title-en', 'manage.field.title_en', 'en', c.title && c.title.en),
			text('title-km', 'manage.field.title_km', 'km', c.title && c.title.km),
			el('div', { class: 'numbers' }, numberField(ci, 'seats', c.seats, 'manage.contest.seats'), numberField(ci, 'min', c.min, 'manage.contest.min'), numberField(ci, 'max', c.max, 'manage.contest.max')),
		);
		// Candidates: every active NGO, and whatever the draft names besides.
		const ids = ngos.filter((n) => n.active).map((n) => n.id);
		for (const id of c.candidates) if (!ids.includes(id)) ids.push(id);
		const pick = el('div', { class: 'cand-pick', attrs: { role: 'group', 'aria-labelledby': `ce-${ci}-cands` } });
		ids.forEach((id, i) => {
			const cid = `ce-${ci}-cand-${i}`;
			const n = ngos.find((x) => x.id === id);
			pick.append(el('div', { class: 'choice' }, el('input', { type: 'checkbox', id: cid, value: id, checked: c.candidates.includes(id), class: 'c-cand' }), el('label', { htmlFor: cid }, bi('span', ngoName(id)), el('span', { class: 'mono sub', text: id }), !n ? el('span', { class: 'badge off', i18n: 'manage.contest.unknown' }) : !n.active ? el('span', { class: 'badge off', i18n: 'ngo.inactive' }) : null)));
		});
		fs.append(el('p', { id: `ce-${ci}-cands`, class: 'label' }, el('span', { i18n: 'manage.contest.candidates' }), ' ', el('span', { class: 'cand-count', i18n: 'manage.contest.chosen', args: { n: c.candidates.length } })));
		fs.append(pick);
		if (editable()) fs.append(el('p', {}, el('button', { type: 'button', class: 'small secondary', on: { click: () => removeContest(ci) } }, el('span', { i18n: 'manage.contest.remove' }), el('span', { class: 'visually-hidden', text: ' ' + (c.id || ci + 1) }))));
		pick.addEventListener('change', () => {
			const n = pick.querySelectorAll('input:checked').length;
			const count = fs.querySelector('.cand-count');
			count.setAttribute('data-i18n-args', JSON.stringify({ n }));
			i18n.apply(count);
		});
		box.append(fs);
	});
}

function renderRoll(excluded) {
	const body = clear($('#roll-table tbody'));
	const ex = new Map(excluded.map((x) => [x.ngo_id, x.reason]));
	const ids = ngos.map((n) => n.id);
	for (const x of excluded) if (!ids.includes(x.ngo_id)) ids.push(x.ngo_id);
	for (const id of ids) {
		const n = ngos.find((x) => x.id === id);
		const on = ex.has(id);
		const check = el('input', { type: 'checkbox', id: 'ex-' + id, class: 'r-ex', value: id, checked: on });
		const reason = el('input', { id: 'exr-' + id, class: 'r-reason', value: ex.get(id) || '', disabled: !on, attrs: { maxlength: 1024, autocomplete: 'off', 'data-field': 'excluded' } });
		check.addEventListener('change', () => {
			reason.disabled = !check.checked;
			if (check.checked) reason.focus();
		});
		let key;
		if (!n) key = el('span', { class: 'badge off', i18n: 'manage.contest.unknown' });
		else if (!n.active) key = el('span', { class: 'badge off', i18n: 'manage.roll.inactive' });
		else if (n.enrolled) key = el('span', { class: 'fingerprint', text: groupFingerprint(n.fingerprint || '') });
		else key = el('span', { class: 'badge off', i18n: 'manage.roll.no_key' });
		body.append(
			el(
				'tr',
				{ id: 'roll-' + id, attrs: { 'data-ngo': id } },
				el('td', {}, bi('span', ngoName(id)), el('span', { class: 'mono sub', text: id })),
				el('td', {}, key),
				el(
					'td',
					{},
					n && !n.active && !on
						? null
						: el('div', { class: 'choice' }, check, el('label', { htmlFor: 'ex-' + id }, el('span', { i18n: 'manage.roll.exclude_box' }), el('span', { class: 'visually-hidden', text: ' ' + id }))),
					n && !n.active && !on ? null : el('div', { class: 'field' }, el('label', { htmlFor: 'exr-' + id, class: 'sub' }, el('span', { i18n: 'manage.roll.reason' }), el('span', { class: 'visually-hidden', text: ' ' + id })), reason),
				),
			),
		);
	}
}

// The draft as the form says; null (with the message shown) when a value
// cannot be sent.
function collect() {
	const form = $('#draft-form');
	const m = $('#draft-msg');
	const d = {
		title: { en: $('#d-title-en').value.trim(), km: $('#d-title-km').value.trim() },
		opens_at: toUtc($('#d-opens').value),
		closes_at: toUtc($('#d-closes').value),
		auto_open: $('#d-auto-open').checked,
		auto_close: $('#d-auto-close').checked,
		revote: $('#d-revote').checked,
		contests: [],
		excluded: [],
	};
	if (d.opens_at === null || d.closes_at === null) {
		fail(form, m, 'manage.error.time', d.opens_at === null ? 'opens_at' : 'closes_at');
		return null;
	}
	for (const fs of $('#contests-edit').querySelectorAll('fieldset.contest-edit')) {
		const v = (cls) => fs.querySelector('.c-' + cls).value.trim();
		const c = { id: v('id'), title: { en: v('title-en'), km: v('title-km') }, seats: 0, min: 0, max: 0, candidates: [] };
		for (const k of ['seats', 'min', 'max']) {
			const inp = fs.querySelector('.c-' + k);
			if (!/^\d+$/.test(inp.value.trim())) {
				say(m, 'manage.error.number', undefined, 'error');
				invalid(form, null);
				inp.setAttribute('aria-invalid', 'true');
				inp.focus();
				return null;
			}
			c[k] = Number(inp.value.trim());
		}
		const checked = [...fs.querySelectorAll('.c-cand:checked')].map((x) => x.value);
		c.candidates = [...fs.prevCandidates.filter((id) => checked.includes(id)), ...checked.filter((id) => !fs.prevCandidates.includes(id))];
		d.contests.push(c);
	}
	for (const row of $('#roll-table tbody').rows) {
		const check = row.querySelector('.r-ex');
		if (!check || !check.checked) continue;
		const reason = row.querySelector('.r-reason');
		if (!reason.value.trim()) {
			say(m, 'manage.error.reason', { id: check.value }, 'error');
			invalid(form, null);
			reason.setAttribute('aria-invalid', 'true');
			reason.focus();
			return null;
		}
		d.excluded.push({ ngo_id: check.value, reason: reason.value.trim() });
	}
	// The secret-ballot fields go along once the page has them (an open
	// draft never touched by them is sent as before).
	if (secret) {
		const more = secret.collect(form, m);
		if (!more) return null;
		Object.assign(d, { mode: $('#d-mode-secret').checked ? 'secret' : 'open' }, more);
	}
	return d;
}

function removeContest(ci) {
	const d = collect();
	if (!d) return;
	d.contests.splice(ci, 1);
	renderContests(d.contests);
	setDirty(true);
	$('#contest-add').focus();
}

$('#contest-add').addEventListener('click', () => {
	const d = collect();
	if (!d) return;
	const n = d.contests.length + 1;
	d.contests.push({ id: 'contest-' + n, title: { en: '', km: '' }, seats: 1, min: 0, max: 1, candidates: [] });
	renderContests(d.contests);
	setDirty(true);
	$(`#ce-${n - 1}-id`).focus();
});

function setDirty(on) {
	dirty = on;
	$('#dirty-note').hidden = !on;
}

$('#draft-form').addEventListener('input', () => setDirty(true));
$('#draft-form').addEventListener('change', () => setDirty(true));

$('#draft-form').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const form = ev.currentTarget;
	const m = $('#draft-msg');
	invalid(form, null);
	say(m, null);
	const d = collect();
	if (!d) return;
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	try {
		current = await put('/api/admin/elections/' + seg(current.id), d);
		if (isSecret()) await loadSecret();
		renderHeader();
		renderDraft();
		renderProblems();
		$('#ceremony').hidden = !isSecret();
		if (secret) await secret.renderPanel(current);
		say($('#detail-msg'), 'manage.saved', undefined, 'ok');
		$('#problems-h').focus();
	} catch (e) {
		sayError(m, e);
		if (e.field) markServerField(e.field);
	} finally {
		busy(button, false);
	}
});

// ELECTION_FIELD_INVALID names a path such as "contests/2/title".
function markServerField(field) {
	const inp = $('#draft-form').querySelector(`[data-field="${CSS.escape(field)}"]`) || $('#draft-form').querySelector(`[data-field^="${CSS.escape(field.split('/').slice(0, 3).join('/'))}"]`);
	if (inp) {
		inp.setAttribute('aria-invalid', 'true');
		inp.focus();
	}
}

// --- what blocks opening -------------------------------------------------------------

function problemText(p, d) {
	const m = /^contests\/(\d+)/.exec(p.field || '');
	const c = m ? d.contests[Number(m[1])] : null;
	const lang = i18n.currentLang();
	const contest = c ? (c.title && (c.title[lang] || c.title.en)) || c.id : '';
	// A problem about one NGO names it (candidate, voter without a key, exclusion).
	const ngo = typeof p.ngo_id === 'string' ? p.ngo_id : '';
	const name = ngo ? ngoName(ngo)[lang] || ngo : '';
	const args = { contest, ngo: name, n: c ? c.candidates.length : 0, seats: c ? c.seats : 0, max: c ? c.max : 0 };
	const target = c ? `#ce-${m[1]}` : ngo ? '#roll-' + ngo : p.field === 'contests' ? '#contest-add' : '#roll-table';
	if (secret && secret.PROBLEMS.includes(p.problem)) return { key: 'problem.' + p.problem, ...secret.problemArgs(p, d) };
	return { key: PROBLEMS.includes(p.problem) ? 'problem.' + p.problem : null, args, target };
}

function renderProblems() {
	const list = clear($('#problems'));
	const problems = Array.isArray(current.problems) ? current.problems : [];
	for (const p of problems) {
		const t = problemText(p, current.draft);
		const text = t.key ? el('span', { i18n: t.key, args: t.args }) : el('span', { text: p.detail || p.problem });
		const link = el('a', { href: t.target, i18n: 'manage.problems.show' });
		link.addEventListener('click', (ev) => {
			const node = $(t.target);
			if (!node) return;
			ev.preventDefault();
			const inp = node.matches('input, button') ? node : node.querySelector('input:not([disabled]), button');
			(inp || node).focus();
		});
		list.append(el('li', { attrs: { 'data-problem': p.problem } }, text, ' ', link));
	}
	$('#problems-none').hidden = problems.length > 0;
}

document.addEventListener('langchange', () => {
	if (current && current.status === 'draft') renderProblems();
});

// The ceremony panel changed what blocks opening (a round completed, the
// dry run succeeded): show the server's new list.
function problemsChanged(next) {
	if (!current || current.status !== 'draft') return;
	current.problems = next.problems;
	current.ceremony = next.ceremony;
	renderProblems();
}

// --- open and close, with the id typed back ---------------------------------------------

function setupConfirm() {
	const form = $('#confirm-form');
	if (!form) return;
	const action = current.status === 'draft' ? 'open' : current.status === 'open' ? 'close' : null;
	form.hidden = !action;
	if (!action) return;
	// Closing a secret-ballot vote publishes no result yet: the trustees decrypt.
	const closeSecret = action === 'close' && secret && isSecret();
	for (const [sel, key] of [['#confirm-h', `manage.${action}.heading`], ['#confirm-text', closeSecret ? secret.CLOSE_TEXT : `manage.${action}.text`], ['#confirm-submit', `manage.${action}.submit`]]) {
		$(sel).setAttribute('data-i18n', key);
	}
	$('#confirm-label').setAttribute('data-i18n', 'manage.confirm.label');
	$('#confirm-label').setAttribute('data-i18n-args', JSON.stringify({ id: current.id }));
	i18n.apply(form);
	form.onsubmit = async (ev) => {
		ev.preventDefault();
		const m = $('#confirm-msg');
		const typed = form.elements.confirm.value.trim();
		if (typed !== current.id) {
			say(m, 'error.CONFIRMATION_MISMATCH', undefined, 'error');
			form.elements.confirm.setAttribute('aria-invalid', 'true');
			form.elements.confirm.focus();
			return;
		}
		if (action === 'open' && dirty) {
			say(m, 'manage.open.unsaved', undefined, 'error');
			return;
		}
		form.elements.confirm.removeAttribute('aria-invalid');
		const button = $('#confirm-submit');
		busy(button, true);
		try {
			await post(`/api/admin/elections/${seg(current.id)}/${action}`, { confirm: typed });
			form.reset();
			say(m, null);
			stopPolling();
			await showDetail(current.id);
			say($('#detail-msg'), action === 'open' ? 'manage.opened' : closeSecret ? secret.CLOSED : 'manage.closed', { id: current.id }, 'ok');
			$('#detail').focus();
		} catch (e) {
			sayError(m, e);
			if (e instanceof ApiError && e.problems) {
				current.problems = e.problems;
				renderProblems();
			}
		} finally {
			busy(button, false);
		}
	};
}

// --- turnout, refreshed without reloading -------------------------------------------------

function svg(tag, attrs) {
	const n = document.createElementNS('http://www.w3.org/2000/svg', tag);
	for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
	return n;
}

async function refreshTurnout() {
	let view;
	try {
		view = await get('/api/elections/' + seg(current.id));
	} catch (e) {
		sayError($('#detail-msg'), e);
		return;
	}
	const t = view.turnout || { voted: 0, eligible: 0, voters: [] };
	const count = clear($('#turnout-count'));
	count.setAttribute('data-voted', String(t.voted));
	count.append(el('span', { i18n: 'manage.turnout.count', args: { voted: t.voted, eligible: t.eligible, pct: t.eligible ? Math.round((100 * t.voted) / t.eligible) : 0 } }));
	const bar = clear($('#turnout-bar'));
	bar.append(svg('rect', { x: 0, y: 0, width: 100, height: 14, fill: '#e2e2e2' }), svg('rect', { x: 0, y: 0, width: t.eligible ? (100 * t.voted) / t.eligible : 0, height: 14, fill: '#0d5223' }));
	const names = new Map((view.roll || []).map((r) => [r.id, r.name]));
	const body = clear($('#turnout-table tbody'));
	for (const v of t.voters || []) {
		body.append(el('tr', { attrs: { 'data-ngo': v.id, 'data-voted': v.voted ? 'yes' : 'no' } }, el('td', {}, bi('span', names.get(v.id) || { en: v.id }), el('span', { class: 'mono sub', text: v.id })), el('td', {}, el('span', { class: v.voted ? 'badge ok' : 'badge', i18n: v.voted ? 'manage.turnout.yes' : 'manage.turnout.no' }))));
	}
	clear($('#turnout-updated')).append(el('span', { i18n: 'manage.turnout.updated' }), ' ', el('span', { date: new Date().toISOString() }));
	if (view.status !== current.status) {
		// Closed by the timer (or another secretariat): show the final state.
		stopPolling();
		await showDetail(current.id);
	}
}

function startPolling() {
	stopPolling();
	pollTimer = setInterval(() => {
		if (!document.hidden) refreshTurnout();
	}, POLL_MS);
}

function stopPolling() {
	if (pollTimer) clearInterval(pollTimer);
	pollTimer = null;
}

// --- exports -----------------------------------------------------------------------------------

function renderExports() {
	const id = current.id;
	const q = '?election=' + encodeURIComponent(id);
	const rec = $('#export-record');
	rec.href = `/api/elections/${seg(id)}/record`;
	rec.setAttribute('download', `record-${id}.jsonl`);
	$('#link-public').href = '/election' + q;
	$('#link-results').href = '/results' + q;
	$('#link-board').href = '/board' + q;
	const closed = current.status === 'closed';
	$('#export-json').hidden = !closed;
	$('#export-csv').hidden = !closed;
	$('#link-results').parentElement.hidden = !closed;
}

async function withResult(fn) {
	try {
		fn(current.id, await get(`/api/elections/${seg(current.id)}/result`));
	} catch (e) {
		sayError($('#exports-msg'), e);
	}
}

$('#export-json').addEventListener('click', () => withResult(downloadResultJson));
$('#export-csv').addEventListener('click', () => withResult(downloadResultCsv));

// --- start ------------------------------------------------------------------------------------------

try {
	me = await session();
} catch (e) {
	sayError(msg, e);
}
if (!me && !msg.classList.contains('msg-error')) {
	location.replace('/login');
} else if (me && me.kind !== 'account') {
	say(msg, 'manage.delegate_session', undefined, 'info');
} else if (me) {
	if (!editable()) {
		for (const n of document.querySelectorAll('.secretariat-only')) n.remove();
		$('#readonly-note').hidden = false;
	}
	$('#manage-body').hidden = false;
	try {
		const r = await get('/api/admin/ngos');
		ngos = Array.isArray(r.ngos) ? r.ngos : [];
	} catch (e) {
		sayError(msg, e);
	}
	setupCreate();
	if (electionId) await showDetail(electionId);
	else await showList();
}
