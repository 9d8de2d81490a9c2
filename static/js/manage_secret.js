// manage_secret.js -- the secretariat console's part of a secret-ballot
// election (docs/secret-mode.md, docs/api.md), loaded with import() only
// for one: the draft's trustees (id, names, Ed25519 key and its
// fingerprint), the threshold t and whether a dry run is required; the key
// ceremony (what each trustee has sent in each round, start, restart
// without some trustees, cancel, the dry run), followed while it runs; once
// voting has opened, the trustees, and after closing which of them have
// decrypted and the result.
import { $, el, bi, clear, say, sayError, busy, i18n } from './ui.js';
import { get, post, seg, ApiError } from './api.js';
import { fromHex, fingerprintHex, groupFingerprint, trackingCode } from './protocol.js';

const ID_RE = /^[a-z0-9_-]{1,64}$/;
const PK_RE = /^[0-9a-f]{64}$/;
const POLL_MS = 3000;
const ROUNDS = [0, 1, 2, 3];
const ROUND_KEYS = ['manage.ceremony.round0', 'manage.ceremony.round1', 'manage.ceremony.round2', 'manage.ceremony.round3'];
const RUNNING = ['round0', 'round1', 'round2', 'round3'];

// What blocks opening a secret-ballot draft only (manage.js has the rest).
export const PROBLEMS = ['BALLOT_TOO_LARGE', 'NO_TRUSTEES', 'THRESHOLD_RANGE', 'TRUSTEE_KEY_INVALID', 'TRUSTEE_DUPLICATE', 'CEREMONY_NOT_STARTED', 'CEREMONY_STALE', 'CEREMONY_INCOMPLETE', 'DRY_RUN_PENDING'];

// Closing a secret-ballot vote: what the console says before and after.
export const CLOSE_TEXT = 'manage.trustees.close_text';
export const CLOSED = 'manage.trustees.closed';

let host; // what manage.js lends: {editable, ngoName, reload, problemsChanged}
let pollTimer = null;
let shownKey = ''; // what the panel shows, to redraw only on change
let gen = 0; // renderPanel's count: a tick of an earlier panel stops

export async function init(h) {
	host = h;
	await i18n.addBundles('manage-secret');
}

// A running or complete ceremony freezes the draft (its manifest is signed).
export function frozen(current) {
	return Boolean(current && current.ceremony && current.ceremony.state && current.ceremony.state !== 'not-started');
}

const lang = () => i18n.currentLang();
const nameOf = (x) => (x && x.name && (x.name[lang()] || x.name.en)) || (x && x.id) || '';
const command = (...lines) => el('pre', { class: 'cmd', text: lines.join('\n') });

// --- the draft: trustees, threshold, dry run -------------------------------------

const pkOf = (row) => row.querySelector('.t-pk').value.toLowerCase().replace(/\s+/g, '');

// The key's fingerprint as the trustee's tool prints it (or why there is none).
async function showFingerprint(row) {
	const pk = pkOf(row);
	let node;
	if (!pk) node = el('span', { class: 'badge off', i18n: 'manage.secret.no_key' });
	else if (!PK_RE.test(pk)) node = el('span', { class: 'badge off', i18n: 'manage.secret.bad_key' });
	else {
		const fp = groupFingerprint(await fingerprintHex(fromHex(pk, 32)));
		if (pkOf(row) !== pk) return; // typed on meanwhile: a later call shows it
		node = el('span', { class: 'fingerprint', text: fp });
	}
	clear(row.querySelector('.t-fp')).append(node);
}

function trusteeRow(tr, i) {
	const field = (cls, key, value, attrs = {}) => {
		const id = `tr-${i}-${cls}`;
		return el('div', { class: 'field' }, el('label', { htmlFor: id, i18n: key }), el('input', { id, value: value || '', class: 't-' + cls, attrs: { autocomplete: 'off', spellcheck: 'false', ...attrs } }));
	};
	const row = el(
		'fieldset',
		{ class: 'trustee-edit', id: 'tr-' + i, attrs: { 'data-trustee': tr.id || '' } },
		el('legend', { i18n: 'manage.secret.trustee_legend', args: { n: i + 1 } }),
		field('id', 'manage.secret.trustee_id', tr.id, { maxlength: 64, 'data-field': `trustees/${i}/id` }),
		field('name-en', 'manage.secret.name_en', tr.name && tr.name.en, { maxlength: 300, lang: 'en', 'data-field': `trustees/${i}/name` }),
		field('name-km', 'manage.secret.name_km', tr.name && tr.name.km, { maxlength: 300, lang: 'km', 'data-field': `trustees/${i}/name` }),
		field('pk', 'manage.secret.trustee_pk', tr.pk, { maxlength: 80, 'data-field': `trustees/${i}/pk`, 'aria-describedby': `tr-${i}-fp-l` }),
		el('p', { id: `tr-${i}-fp-l`, class: 'sub' }, el('span', { i18n: 'manage.secret.fingerprint' }), ' ', el('span', { class: 't-fp', attrs: { 'aria-live': 'polite' } })),
	);
	row.querySelector('.t-pk').classList.add('mono');
	row.querySelector('.t-pk').addEventListener('input', () => showFingerprint(row));
	if (host.editable()) row.append(el('p', {}, el('button', { type: 'button', class: 'small secondary', on: { click: () => removeTrustee(i) } }, el('span', { i18n: 'manage.secret.trustee_remove' }), el('span', { class: 'visually-hidden', text: ' ' + (tr.id || i + 1) }))));
	showFingerprint(row);
	return row;
}

function renderTrustees(list) {
	const box = clear($('#trustees-edit'));
	list.forEach((tr, i) => box.append(trusteeRow(tr, i)));
	$('#trustees-count').setAttribute('data-i18n-args', JSON.stringify({ n: list.length }));
	i18n.apply($('#trustees-count'));
}

// The trustees as the form has them (no checks).
function trusteesNow() {
	return [...$('#trustees-edit').querySelectorAll('fieldset.trustee-edit')].map((row) => {
		const v = (cls) => row.querySelector('.t-' + cls).value.trim();
		return { id: v('id'), name: { en: v('name-en'), km: v('name-km') }, pk: pkOf(row) };
	});
}

function removeTrustee(i) {
	const list = trusteesNow();
	list.splice(i, 1);
	renderTrustees(list);
	$('#trustee-add').focus();
	$('#draft-form').dispatchEvent(new Event('change'));
}

export function renderDraft(current) {
	const d = current.draft || {};
	const box = clear($('#secret-edit'));
	box.append(
		el('p', { id: 'secret-frozen', class: 'msg msg-info', hidden: !frozen(current), i18n: 'manage.secret.frozen' }),
		el(
			'fieldset',
			{ id: 'trustees-fs' },
			el('legend', { i18n: 'manage.secret.trustees' }),
			el('p', { class: 'help', i18n: 'manage.secret.trustees_help' }),
			command('ngo-vote-trustee keygen --key trustee.key'),
			el('p', { id: 'trustees-count', class: 'label', i18n: 'manage.secret.trustees_count', args: { n: 0 } }),
			el('div', { id: 'trustees-edit' }),
			host.editable() ? el('p', {}, el('button', { type: 'button', id: 'trustee-add', i18n: 'manage.secret.trustee_add' })) : null,
		),
		el(
			'div',
			{ class: 'numbers' },
			el('div', { class: 'field small-field' }, el('label', { htmlFor: 'd-threshold', i18n: 'manage.secret.threshold' }), el('input', { id: 'd-threshold', type: 'number', min: 1, max: 16, value: String(d.threshold ?? 2), attrs: { 'data-field': 'threshold', inputmode: 'numeric', 'aria-describedby': 'd-threshold-help' } })),
		),
		el('p', { id: 'd-threshold-help', class: 'help', i18n: 'manage.secret.threshold_help' }),
		el('div', { class: 'choice' }, el('input', { type: 'checkbox', id: 'd-dry-run', checked: d.dry_run !== false, attrs: { 'data-field': 'dry_run', 'aria-describedby': 'd-dry-run-help' } }), el('label', { htmlFor: 'd-dry-run', i18n: 'manage.secret.dry_run' })),
		el('p', { id: 'd-dry-run-help', class: 'help', i18n: 'manage.secret.dry_run_help' }),
	);
	renderTrustees(Array.isArray(d.trustees) ? d.trustees : []);
	const add = $('#trustee-add');
	if (add)
		add.addEventListener('click', () => {
			const list = trusteesNow();
			list.push({ id: 'trustee-' + (list.length + 1), name: { en: '', km: '' }, pk: '' });
			renderTrustees(list);
			$(`#tr-${list.length - 1}-name-en`).focus();
			$('#draft-form').dispatchEvent(new Event('change'));
		});
}

function bad(m, input, key, args) {
	say(m, key, args, 'error');
	for (const x of $('#draft-form').querySelectorAll('[aria-invalid]')) x.removeAttribute('aria-invalid');
	input.setAttribute('aria-invalid', 'true');
	input.focus();
	return null;
}

// {trustees, threshold, dry_run} for the PUT, or null with the reason shown.
export function collect(form, m) {
	const trustees = trusteesNow();
	for (let i = 0; i < trustees.length; i++) {
		const t = trustees[i];
		if (!ID_RE.test(t.id)) return bad(m, $(`#tr-${i}-id`), 'manage.secret.error.id', { n: i + 1 });
		if (!t.name.en || !t.name.km) return bad(m, $(`#tr-${i}-name-${t.name.en ? 'km' : 'en'}`), 'manage.secret.error.names', { n: i + 1 });
		if (t.pk && !PK_RE.test(t.pk)) return bad(m, $(`#tr-${i}-pk`), 'manage.secret.error.pk', { n: i + 1 });
	}
	const th = $('#d-threshold').value.trim();
	if (!/^\d+$/.test(th)) return bad(m, $('#d-threshold'), 'manage.secret.error.threshold');
	return { trustees, threshold: Number(th), dry_run: $('#d-dry-run').checked };
}

// What a secret draft's problem names and where it points.
export function problemArgs(p, d) {
	const m = /^trustees\/(\d+)/.exec(p.field || '');
	const list = Array.isArray(d.trustees) ? d.trustees : [];
	const tr = m ? list[Number(m[1])] : null;
	const target = m ? `#tr-${m[1]}` : { threshold: '#d-threshold', trustees: '#trustee-add', contests: '#contest-add' }[p.field] || '#ceremony';
	return { args: { trustee: tr ? nameOf(tr) : '', t: d.threshold ?? 0, n: list.length }, target };
}

// --- the panel: ceremony (draft), then trustees and decryption ---------------------------

function stopPolling() {
	if (pollTimer) clearTimeout(pollTimer);
	pollTimer = null;
}

function pollSoon(fn) {
	stopPolling();
	pollTimer = setTimeout(async () => {
		pollTimer = null;
		if (!document.hidden) await fn();
		else pollSoon(fn);
	}, POLL_MS);
}

export async function renderPanel(current) {
	stopPolling();
	shownKey = '';
	gen++;
	const box = clear($('#ceremony'));
	box.append(el('h3', { id: 'ceremony-h', i18n: current.status === 'draft' ? 'manage.ceremony.heading' : 'manage.trustees.heading' }), el('div', { id: 'ceremony-body' }), el('p', { id: 'ceremony-msg', class: 'msg', attrs: { role: 'alert' }, hidden: true }));
	if (current.status === 'draft') await ceremonyTick(current);
	else await trusteesTick(current);
}

async function action(button, path, body, current, done) {
	const m = $('#ceremony-msg');
	busy(button, true);
	try {
		await post(`/api/elections/${seg(current.id)}/${path}`, body);
		await host.reload();
		say($('#detail-msg'), done, undefined, 'ok');
		$('#ceremony-h').focus?.();
	} catch (e) {
		sayError(m, e);
		if (e instanceof ApiError && e.problems) host.problemsChanged({ problems: e.problems, ceremony: current.ceremony });
	} finally {
		busy(button, false);
	}
}

const cell = (key, cls) => el('td', {}, el('span', { class: cls, i18n: key }));

async function ceremonyTick(current) {
	const mine = gen;
	let cer;
	let dry = null;
	try {
		cer = await get(`/api/elections/${seg(current.id)}/ceremony`);
		if (cer.state === 'complete' && cer.dry_run && cer.dry_run.state !== 'not-started') dry = await get(`/api/elections/${seg(current.id)}/dry-run`);
	} catch (e) {
		if (mine === gen) sayError($('#ceremony-msg'), e);
		return;
	}
	if (mine !== gen) return;
	const drun = dry || cer.dry_run || { required: Boolean(current.draft.dry_run), state: 'not-started', verified: [] };
	const key = JSON.stringify([cer.state, cer.attempt, (cer.messages || []).length, drun.state, drun.verified, lang()]);
	if (key !== shownKey) {
		const changed = shownKey !== '';
		shownKey = key;
		drawCeremony(current, cer, drun);
		if (changed) {
			// A round or the dry run moved on: what blocks opening may have too.
			try {
				const next = await get('/api/admin/elections/' + seg(current.id));
				if (mine !== gen) return;
				if (next.status !== current.status) return host.reload();
				current.ceremony = next.ceremony;
				host.problemsChanged(next);
			} catch {
				/* the next tick tries again */
			}
		}
	}
	if (RUNNING.includes(cer.state) || (cer.state === 'complete' && drun.state === 'running')) pollSoon(() => ceremonyTick(current));
}

function drawCeremony(current, cer, drun) {
	const body = clear($('#ceremony-body'));
	const id = current.id;
	const draftTrustees = Array.isArray(current.draft.trustees) ? current.draft.trustees : [];
	const started = cer.state !== 'not-started';
	const n = started ? cer.n : draftTrustees.length;
	const received = (r, j) => (cer.messages || []).some((msg) => msg.round === r && msg.trustee === j);
	const inRound = (r) => (cer.messages || []).filter((msg) => msg.round === r).length;
	if (!started) {
		body.append(el('p', { id: 'ceremony-state', i18n: cer.attempt > 0 ? 'manage.ceremony.cancelled' : 'manage.ceremony.not_started', args: { attempt: cer.attempt || 0 } }));
	} else if (cer.state === 'complete') {
		body.append(el('p', { id: 'ceremony-state', class: 'msg msg-ok', i18n: 'manage.ceremony.complete', args: { attempt: cer.attempt, code: trackingCode(cer.election_hash || '') } }));
	} else {
		const r = Number(cer.state.slice(-1));
		body.append(el('p', { id: 'ceremony-state', class: 'msg msg-info', i18n: 'manage.ceremony.running', args: { attempt: cer.attempt, round: r, k: inRound(r), n } }));
	}
	body.firstChild.setAttribute('data-state', cer.state);
	if (started) {
		const trustees = cer.trustees || [];
		const now = RUNNING.indexOf(cer.state);
		const table = el(
			'table',
			{ id: 'ceremony-table' },
			el('caption', { class: 'visually-hidden', i18n: 'manage.ceremony.table' }),
			el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' }, i18n: 'manage.ceremony.trustee' }), ROUNDS.map((r) => el('th', { attrs: { scope: 'col' }, i18n: ROUND_KEYS[r] })), el('th', { attrs: { scope: 'col' }, i18n: 'manage.ceremony.dry_run_col' }))),
			el(
				'tbody',
				{},
				trustees.map((t) => {
					const tr = draftTrustees.find((x) => x.id === t.id) || t;
					return el(
						'tr',
						{ attrs: { 'data-trustee': t.id, 'data-index': t.index } },
						el('th', { attrs: { scope: 'row' } }, bi('span', tr.name || { en: t.id }), el('span', { class: 'mono sub', text: `${t.index} · ${t.id}` })),
						ROUNDS.map((r) => (received(r, t.index) ? cell('manage.ceremony.received', 'badge ok') : r === now || cer.state === 'complete' ? cell('manage.ceremony.waiting', 'badge') : cell('manage.ceremony.later', 'sub'))),
						(drun.verified || []).includes(t.index) ? cell('manage.ceremony.decrypted', 'badge ok') : drun.state === 'running' ? cell('manage.ceremony.waiting', 'badge') : cell('manage.ceremony.later', 'sub'),
					);
				}),
			),
		);
		body.append(el('div', { class: 'table-wrap', attrs: { role: 'region', tabindex: '0', 'aria-labelledby': 'ceremony-h' } }, table));
		body.append(el('p', { id: 'dry-run-state', attrs: { 'data-state': drun.state }, class: drun.state === 'succeeded' ? 'msg msg-ok' : drun.state === 'failed' ? 'msg msg-error' : 'msg msg-info', i18n: 'manage.dry_run.state.' + drun.state, args: { k: (drun.verified || []).length, n } }));
		if (drun.required && drun.state !== 'succeeded') body.append(el('p', { class: 'help', i18n: 'manage.dry_run.required' }));
	}
	// What the trustees run, on their own computers.
	const origin = location.origin;
	if (cer.state !== 'complete') body.append(el('p', { class: 'help', i18n: 'manage.ceremony.how' }), command(`ngo-vote-trustee ceremony --server ${origin} --election ${id} --key trustee.key --wait`));
	else if (drun.state === 'running') body.append(el('p', { class: 'help', i18n: 'manage.dry_run.how' }), command(`ngo-vote-trustee dry-run --server ${origin} --election ${id} --key trustee.key`));
	if (!host.editable()) return;
	const actions = el('div', { class: 'actions' });
	if (!started) {
		const b = el('button', { type: 'button', id: 'ceremony-start', class: 'primary', i18n: 'manage.ceremony.start' });
		b.addEventListener('click', () => action(b, 'ceremony/start', {}, current, 'manage.ceremony.started'));
		actions.append(b);
	} else {
		if (cer.state === 'complete' && drun.state === 'not-started') {
			const b = el('button', { type: 'button', id: 'dry-run-start', class: 'primary', i18n: 'manage.dry_run.start' });
			b.addEventListener('click', () => action(b, 'dry-run', {}, current, 'manage.dry_run.started'));
			actions.append(b);
		}
		const fs = el(
			'fieldset',
			{ id: 'restart-fs' },
			el('legend', { i18n: 'manage.ceremony.restart_legend' }),
			el('p', { class: 'help', i18n: 'manage.ceremony.restart_help' }),
			(cer.trustees || []).map((t) => {
				const tr = draftTrustees.find((x) => x.id === t.id) || t;
				return el('div', { class: 'choice' }, el('input', { type: 'checkbox', id: 'exclude-' + t.id, value: t.id, class: 'r-exclude' }), el('label', { htmlFor: 'exclude-' + t.id }, el('span', { i18n: 'manage.ceremony.exclude' }), ' ', bi('span', tr.name || { en: t.id })));
			}),
		);
		const restart = el('button', { type: 'button', id: 'ceremony-restart', i18n: 'manage.ceremony.restart' });
		restart.addEventListener('click', () => {
			const exclude = [...fs.querySelectorAll('.r-exclude:checked')].map((x) => x.value);
			action(restart, 'ceremony/restart', exclude.length ? { exclude } : {}, current, 'manage.ceremony.restarted');
		});
		const cancel = el('button', { type: 'button', id: 'ceremony-cancel', class: 'secondary', i18n: 'manage.ceremony.cancel' });
		cancel.addEventListener('click', () => action(cancel, 'ceremony/cancel', {}, current, 'manage.ceremony.cancelled_now'));
		fs.append(el('div', { class: 'actions' }, restart, cancel));
		body.append(actions, fs);
		return;
	}
	body.append(actions);
}

// --- after opening: the trustees; after closing, who has decrypted -------------------------

async function trusteesTick(current) {
	const mine = gen;
	let view;
	let result = null;
	const partial = new Set();
	try {
		view = await get('/api/elections/' + seg(current.id));
		if (view.status === 'closed') {
			const n = (view.trustees || []).length;
			const head = await get(`/api/elections/${seg(current.id)}/board?from=0&limit=1`);
			const tail = await get(`/api/elections/${seg(current.id)}/board?from=${Math.max(0, head.total - (n + 4))}&limit=${n + 4}`);
			for (const ev of tail.events || []) if (ev.type === 'partial-decryption') partial.add(ev.trustee);
			try {
				result = await get(`/api/elections/${seg(current.id)}/result`);
			} catch (e) {
				if (!(e instanceof ApiError && e.errorName === 'RESULT_PENDING')) throw e;
			}
		}
	} catch (e) {
		if (mine === gen) sayError($('#ceremony-msg'), e);
		return;
	}
	if (mine !== gen) return;
	const key = JSON.stringify([view.status, [...partial], Boolean(result), lang()]);
	if (key !== shownKey) {
		shownKey = key;
		drawTrustees(current, view, partial, result);
	}
	if (view.status === 'closed' && !result) pollSoon(() => trusteesTick(current));
}

function drawTrustees(current, view, partial, result) {
	const body = clear($('#ceremony-body'));
	const trustees = view.trustees || [];
	const t = view.t;
	const n = trustees.length;
	const did = (x) => partial.has(x.index) || partial.has(x.id);
	const q = new Set(((result && result.decrypted_by) || []).map((x) => x.index));
	body.append(el('p', { i18n: 'manage.trustees.text', args: { t, n } }));
	const closed = view.status === 'closed';
	body.append(
		el(
			'div',
			{ class: 'table-wrap', attrs: { role: 'region', tabindex: '0', 'aria-labelledby': 'ceremony-h' } },
			el(
				'table',
				{ id: 'trustees-table' },
				el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' }, i18n: 'manage.ceremony.trustee' }), el('th', { attrs: { scope: 'col' }, i18n: 'manage.secret.fingerprint' }), closed ? el('th', { attrs: { scope: 'col' }, i18n: 'manage.trustees.decryption' }) : null)),
				el(
					'tbody',
					{},
					trustees.map((x) =>
						el(
							'tr',
							{ attrs: { 'data-trustee': x.id, 'data-decrypted': did(x) ? 'yes' : 'no' } },
							el('th', { attrs: { scope: 'row' } }, bi('span', x.name || { en: x.id }), el('span', { class: 'mono sub', text: `${x.index} · ${x.id}` })),
							el('td', {}, el('span', { class: 'fingerprint', text: groupFingerprint(x.fingerprint || '') })),
							closed ? (q.has(x.index) ? cell('manage.trustees.in_result', 'badge ok') : did(x) ? cell('manage.ceremony.decrypted', 'badge ok') : cell(result ? 'manage.trustees.not_needed' : 'manage.ceremony.waiting', result ? 'sub' : 'badge')) : null,
						),
					),
				),
			),
		),
	);
	if (!closed) return;
	if (!result) {
		const k = trustees.filter(did).length;
		body.append(el('p', { id: 'decryption-state', class: 'msg msg-info', attrs: { 'data-state': 'pending' }, i18n: 'manage.trustees.pending', args: { k, t } }), el('p', { class: 'help', i18n: 'manage.trustees.how' }), command(`ngo-vote-trustee decrypt --server ${location.origin} --election ${current.id} --key trustee.key`));
		return;
	}
	const names = trustees.filter((x) => q.has(x.index));
	body.append(
		el('p', { id: 'decryption-state', class: 'msg msg-ok', attrs: { 'data-state': 'done' }, i18n: 'manage.trustees.done', args: { k: names.length } }),
		el('ul', { id: 'decrypted-by' }, names.map((x) => el('li', { attrs: { 'data-trustee': x.id } }, bi('span', x.name || { en: x.id })))),
		el('h4', { i18n: 'manage.trustees.result' }),
		el(
			'ul',
			{ id: 'result-summary' },
			(result.contests || []).map((c) => {
				const elected = (c.elected || []).map((cid) => (c.candidates || []).find((k) => k.id === cid)).filter(Boolean);
				return el('li', { attrs: { 'data-contest': c.id } }, bi('span', c.title, { class: 'review-title' }), elected.length ? el('ul', {}, elected.map((k) => el('li', {}, bi('span', k.name), ' ', el('span', { class: 'sub', i18n: k.votes === 1 ? 'manage.trustees.vote_one' : 'manage.trustees.votes', args: { n: k.votes } })))) : el('p', { class: 'empty', i18n: 'manage.trustees.none_elected' }));
			}),
		),
	);
}
