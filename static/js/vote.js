// vote.js -- the delegate votes: the ballot paper comes from the record's
// manifest (decoded and hashed here, compared with the JSON view), the
// NGO's key from IndexedDB; the browser builds the open ballot body of
// protocol §8, signs DS("sig") ‖ STR("ballot") ‖ H64("ballot", body) and
// keeps the server's receipt (localStorage, per election). No session is
// needed: the signature is the authentication. A secret-ballot election
// (manifest mode 2) loads vote_secret.js, which encrypts the choices in
// this browser (protocol §7) and says so before signing; the rest (sign,
// send, receipt, revote, check) is the same.
import { initPage, $, el, bi, clear, say, sayError, busy, downloadJson } from './ui.js';
import { get, post, session, seg, ApiError } from './api.js';
import { toHex, fromHex, h64, signingMessage, openBallotBody, trackingCode, receiptSignatureValid, isReceipt, fingerprintHex, groupFingerprint } from './protocol.js';
import { fetchRecordManifest, compareWithView } from './manifest.js';
import * as ks from './keystore.js';

await initPage('delegate');

const msg = $('#vote-msg');
const electionId = new URLSearchParams(location.search).get('election') || '';
const narrow = matchMedia('(max-width: 40rem)');
const STORE = 'ngo-vote.receipts';
let view; // GET /api/elections/{id}
let rec; // the record's manifest: {manifest, electionHash, ...}
let voter; // {id, name, pk, key}
let lastSeq = 0;
let choices = []; // per contest, a Set of candidate indices
let step = 0;
let shown = null; // the receipt entry on screen
let secret = null; // vote_secret.js, for a secret-ballot election
// Secret ballots: the choices behind a receipt are kept in this page's
// memory only (never in localStorage), by seq.
const sessionChoices = new Map();

function show(id) {
	for (const s of ['vote-list', 'vote-nokey', 'vote-pick', 'ballot', 'review', 'receipt']) $('#' + s).hidden = s !== id;
	const node = id && $('#' + id);
	if (node && node.hasAttribute('tabindex')) node.focus();
}

// --- receipts kept in this browser --------------------------------------------

function storedAll() {
	try {
		const v = JSON.parse(localStorage.getItem(STORE));
		return v && typeof v === 'object' ? v : {};
	} catch {
		return {};
	}
}

function storedFor(ngo) {
	const list = storedAll()[electionId];
	return (Array.isArray(list) ? list : []).filter((r) => r && r.ngo === ngo && isReceipt(r.receipt));
}

function latestStored(ngo) {
	return storedFor(ngo).sort((a, b) => b.seq - a.seq)[0] || null;
}

function store(entry) {
	const all = storedAll();
	const list = Array.isArray(all[electionId]) ? all[electionId] : [];
	list.push(entry);
	all[electionId] = list;
	try {
		localStorage.setItem(STORE, JSON.stringify(all));
	} catch {
		/* storage full or disabled: the download still works */
	}
}

// --- choosing the election and the key ----------------------------------------

async function showList() {
	const r = await get('/api/elections');
	const open = (r.elections || []).filter((e) => e.status === 'open');
	const ul = clear($('#vote-list-items'));
	for (const e of open) {
		ul.append(
			el(
				'li',
				{ class: 'election' },
				el('p', { class: 'ngo-name' }, el('a', { href: '/vote?election=' + encodeURIComponent(e.id) }, bi('span', e.title || { en: e.id }))),
				e.closes_at ? el('p', {}, el('span', { i18n: 'vote.closes' }), ': ', el('span', { date: e.closes_at })) : null,
			),
		);
	}
	$('#vote-list-empty').hidden = open.length > 0;
	show('vote-list');
}

function renderElection() {
	$('#vote-election').hidden = false;
	clear($('#el-title')).append(...bi('span', view.title || { en: view.id }).childNodes);
	clear($('#el-status')).append(el('span', { class: view.status === 'open' ? 'badge ok' : 'badge', i18n: 'election.status.' + view.status }));
	clear($('#el-closes')).append(view.closes_at ? el('span', { date: view.closes_at }) : el('span', { i18n: 'vote.closes_unset' }));
	clear($('#el-revote')).append(el('span', { i18n: view.revote ? 'vote.revote.yes' : 'vote.revote.no' }));
	clear($('#el-voter')).append(el('span', { i18n: 'common.none' }));
	$('#el-public').href = '/election?election=' + encodeURIComponent(electionId);
}

async function start() {
	const unsupported = await ks.support();
	view = await get('/api/elections/' + seg(electionId));
	renderElection();
	try {
		rec = await fetchRecordManifest(electionId);
	} catch (e) {
		// A secret election whose key ceremony does not check out is not
		// an unreadable record: say which.
		say(msg, /^(dkg-|election key|record: a trustee|record: the open)/.test(e.message) ? 'error.ELECTION_KEY_INVALID' : 'error.RECORD_UNAVAILABLE', undefined, 'error');
		return;
	}
	if (compareWithView(rec, view).length > 0 || (view.status !== 'draft' && !rec.opened)) {
		say(msg, 'error.MANIFEST_MISMATCH', undefined, 'error');
		return;
	}
	if (rec.manifest.mode === 2) {
		secret = await import('./vote_secret.js');
		await secret.render(rec, view);
	}
	say($('#el-verified'), 'vote.verified', { code: trackingCode(rec.electionHash) }, 'ok');
	if (unsupported) {
		say(msg, 'error.' + unsupported, undefined, 'error');
		return;
	}
	const keys = await ks.listKeys();
	const mine = [];
	for (const v of rec.manifest.voters) {
		const k = keys.find((x) => x.public_key === v.pk);
		if (k) mine.push({ ...v, key: k.private_key });
	}
	if (mine.length === 0) {
		show('vote-nokey');
		return;
	}
	if (mine.length === 1) return choose(mine[0]);
	let preferred = null;
	try {
		const s = await session();
		preferred = s && s.kind === 'delegate' ? s.ngo_id : null;
	} catch {
		/* not logged in: the delegate picks */
	}
	const list = clear($('#pick-list'));
	mine.forEach((v, i) => {
		const id = 'pick-' + i;
		list.append(el('div', { class: 'choice' }, el('input', { type: 'radio', name: 'pick', id, value: String(i), checked: v.id === preferred || (i === 0 && !preferred) }), el('label', { htmlFor: id }, bi('span', v.name), el('span', { class: 'mono sub', text: v.id }))));
	});
	$('#vote-pick').onsubmit = (ev) => {
		ev.preventDefault();
		const i = Number($('#vote-pick').elements.pick.value);
		choose(mine[i] || mine[0]);
	};
	show('vote-pick');
}

// The NGO's last accepted seq: the election's turnout gives it for each NGO
// on the roll (0 before it votes), found by id or by the key's roll entry;
// a receipt kept here may be newer than the page's copy of the turnout.
function turnoutSeq(v) {
	const voters = (v.turnout && v.turnout.voters) || [];
	const r = (v.roll || []).find((x) => x.public_key === voter.pk);
	const t = voters.find((x) => x.id === voter.id) || (r && voters.find((x) => x.id === r.id));
	return t && Number.isInteger(t.seq) && t.seq > 0 ? t.seq : 0;
}

function currentSeq() {
	return Math.max(turnoutSeq(view), ...storedFor(voter.id).map((r) => r.seq));
}

async function choose(v) {
	voter = v;
	const fp = groupFingerprint(await fingerprintHex(fromHex(v.pk, 32)));
	clear($('#el-voter')).append(bi('span', v.name), el('span', { class: 'fingerprint sub', text: fp }));
	lastSeq = currentSeq();
	const stored = latestStored(v.id);
	if (view.status !== 'open') {
		say(msg, view.status === 'closed' ? 'vote.closed' : 'vote.not_open', undefined, 'info');
		if (stored) showReceipt(stored);
		else show(null);
		return;
	}
	if (lastSeq > 0 && !view.revote) {
		say(msg, 'vote.voted_once', undefined, 'info');
		if (stored) showReceipt(stored);
		else show(null);
		return;
	}
	if (stored && stored.seq === lastSeq) {
		showReceipt(stored);
		return;
	}
	startBallot(null);
}

// --- the ballot -----------------------------------------------------------------

function ruleOf(c) {
	if (c.min === c.max) return el('span', { i18n: 'vote.rule.exactly', args: { k: c.max } });
	if (c.min === 0) return el('span', { i18n: c.max === 1 ? 'vote.rule.one_or_none' : 'vote.rule.up_to', args: { k: c.max } });
	return el('span', { i18n: 'vote.rule.between', args: { min: c.min, max: c.max } });
}

function startBallot(previous) {
	const contests = rec.manifest.contests;
	const before = previous && (previous.choices || sessionChoices.get(previous.seq));
	choices = contests.map((c) => {
		const ids = before ? before[c.id] || [] : [];
		return new Set(ids.map((id) => c.candidates.findIndex((k) => k.id === id)).filter((i) => i >= 0));
	});
	const box = clear($('#contests'));
	contests.forEach((c, ci) => {
		const single = c.max === 1;
		const fs = el('fieldset', { class: 'contest', id: 'contest-' + ci, attrs: { 'data-contest': c.id, 'aria-describedby': `rule-${ci} count-${ci}` } }, el('legend', {}, bi('span', c.title)));
		fs.append(el('p', { id: 'rule-' + ci, class: 'rule' }, ruleOf(c), ' ', el('span', { i18n: 'vote.rule.seats', args: { n: c.seats } })));
		const opts = c.candidates.map((k, i) => ({ i, name: k.name, id: k.id }));
		if (single && c.min === 0) opts.push({ i: -1 });
		for (const o of opts) {
			const id = `c${ci}-${o.i < 0 ? 'blank' : o.i}`;
			const input = el('input', { type: single ? 'radio' : 'checkbox', id, name: 'contest-' + ci, value: String(o.i), attrs: { 'data-candidate': o.id } });
			input.checked = o.i < 0 ? choices[ci].size === 0 : choices[ci].has(o.i);
			input.addEventListener('change', () => pick(ci, o.i, input.checked));
			const label = o.i < 0 ? el('label', { htmlFor: id, i18n: 'vote.blank' }) : el('label', { htmlFor: id }, bi('span', o.name, { class: 'cand' }));
			fs.append(el('div', { class: o.i < 0 ? 'choice blank' : 'choice' }, input, label));
		}
		fs.append(el('p', { id: 'count-' + ci, class: 'count' }));
		box.append(fs);
		counter(ci);
	});
	$('#ballot-revote').hidden = lastSeq === 0;
	say($('#ballot-revote'), lastSeq > 0 ? 'vote.revote_note' : null, undefined, 'info');
	say($('#ballot-msg'), null);
	step = 0;
	layout();
	show('ballot');
	$('#ballot-h').focus();
}

function pick(ci, i, on) {
	const c = rec.manifest.contests[ci];
	if (c.max === 1) choices[ci] = new Set(i < 0 || !on ? [] : [i]);
	else if (on) choices[ci].add(i);
	else choices[ci].delete(i);
	counter(ci);
}

// The count line, and no more boxes than max can be ticked.
function counter(ci) {
	const c = rec.manifest.contests[ci];
	const n = choices[ci].size;
	const line = clear($('#count-' + ci));
	line.append(el('span', { i18n: 'vote.count', args: { n, max: c.max } }));
	if (c.max > 1) {
		const full = n >= c.max;
		for (const inp of $('#contest-' + ci).querySelectorAll('input[type=checkbox]')) inp.disabled = full && !inp.checked;
		if (full) line.append(' ', el('span', { i18n: 'vote.count_full' }));
	}
}

function problemOf(ci) {
	const c = rec.manifest.contests[ci];
	const n = choices[ci].size;
	if (n < c.min) return { key: 'vote.error.too_few', args: { min: c.min } };
	if (n > c.max) return { key: 'vote.error.too_many', args: { max: c.max } };
	return null;
}

function stepwise() {
	return narrow.matches && rec && rec.manifest.contests.length > 1;
}

function layout() {
	if (!rec || !$('#contest-0')) return;
	const n = rec.manifest.contests.length;
	const sw = stepwise();
	rec.manifest.contests.forEach((_, i) => {
		$('#contest-' + i).hidden = sw && i !== step;
	});
	$('#step-prev').hidden = !sw || step === 0;
	$('#step-next').hidden = !sw || step === n - 1;
	$('#to-review').hidden = sw && step !== n - 1;
	const status = $('#step-status');
	status.hidden = !sw;
	clear(status);
	if (sw) status.append(el('span', { i18n: 'vote.step.status', args: { n: step + 1, total: n } }));
}

function showProblem(ci, p) {
	say($('#ballot-msg'), p.key, p.args, 'error');
	const first = $('#contest-' + ci).querySelector('input:not([disabled])');
	if (first) first.focus();
}

function go(delta) {
	if (delta > 0) {
		const p = problemOf(step);
		if (p) return showProblem(step, p);
	}
	say($('#ballot-msg'), null);
	step = Math.max(0, Math.min(rec.manifest.contests.length - 1, step + delta));
	layout();
	$('#contest-' + step).querySelector('input').focus();
}

$('#step-next').addEventListener('click', () => go(1));
$('#step-prev').addEventListener('click', () => go(-1));
narrow.addEventListener('change', layout);

function namesOf(ci, set) {
	const c = rec.manifest.contests[ci];
	return [...set].sort((a, b) => a - b).map((i) => c.candidates[i]);
}

function choiceList(target, chosen) {
	const ol = clear(target);
	rec.manifest.contests.forEach((c, ci) => {
		const names = chosen[ci];
		ol.append(el('li', {}, bi('span', c.title, { class: 'review-title' }), names.length ? el('ul', {}, names.map((k) => el('li', {}, bi('span', k.name)))) : el('p', { class: 'empty', i18n: 'vote.blank_choice' })));
	});
}

$('#ballot').addEventListener('submit', (ev) => {
	ev.preventDefault();
	for (let ci = 0; ci < rec.manifest.contests.length; ci++) {
		const p = problemOf(ci);
		if (p) {
			if (stepwise()) {
				step = ci;
				layout();
			}
			return showProblem(ci, p);
		}
	}
	choiceList($('#review-list'), rec.manifest.contests.map((_, ci) => namesOf(ci, choices[ci])));
	$('#review-revote').hidden = lastSeq === 0;
	say($('#sign-msg'), null);
	show('review');
});

$('#review-back').addEventListener('click', () => {
	show('ballot');
	layout();
	$('#ballot-h').focus();
});

// --- signing and sending -----------------------------------------------------------

async function cast(retried) {
	const seq = lastSeq + 1;
	const voterPk = fromHex(voter.pk, 32);
	const body = secret ? await secret.ballotBody(rec, voterPk, seq, choices) : openBallotBody(fromHex(rec.electionHash, 64), voterPk, seq, choices.map((s) => [...s]));
	const ballotHash = toHex(await h64('ballot', body));
	const signature = toHex(await ks.sign(voter.key, await signingMessage('ballot', body)));
	let r;
	let again = false;
	try {
		r = await post(`/api/elections/${seg(electionId)}/ballots`, { body: toHex(body), signature });
	} catch (e) {
		// Another device of this NGO voted meanwhile: take the next seq once.
		if (!retried && e instanceof ApiError && e.errorName === 'BALLOT_STALE_SEQ') {
			view.turnout = (await get('/api/elections/' + seg(electionId))).turnout;
			lastSeq = turnoutSeq(view);
			return cast(true);
		}
		// This very ballot was stored before, but its answer was lost (crash,
		// network): the refusal carries the stored copy's receipt.
		if (e instanceof ApiError && e.errorName === 'BALLOT_DUPLICATE' && isReceipt(e.receipt) && e.receipt.ballot_hash === ballotHash) {
			r = { receipt: e.receipt };
			again = true;
		} else throw e;
	}
	const receipt = r && r.receipt;
	const chosen = {};
	rec.manifest.contests.forEach((c, ci) => {
		chosen[c.id] = namesOf(ci, choices[ci]).map((k) => k.id);
	});
	// A secret ballot's choices are not written down in this browser.
	const entry = { ngo: voter.id, seq, at: new Date().toISOString(), receipt, ...(secret ? { secret: true } : { choices: chosen }) };
	if (!isReceipt(receipt)) throw new ApiError(r ? 201 : 0, { name: 'RECEIPT_MISMATCH' });
	if (secret) sessionChoices.set(seq, chosen);
	store(entry);
	lastSeq = seq;
	const matches = receipt.ballot_hash === ballotHash && receipt.election_hash === rec.electionHash;
	showReceipt(entry, matches, again);
}

$('#sign').addEventListener('click', async () => {
	const button = $('#sign');
	busy(button, true);
	say($('#sign-msg'), secret ? secret.SENDING : 'vote.sending', undefined, 'info');
	try {
		await cast(false);
		say(msg, null);
	} catch (e) {
		sayError($('#sign-msg'), e);
		// The vote may have closed meanwhile: say so everywhere.
		if (e instanceof ApiError && e.errorName === 'ELECTION_CLOSED') view.status = 'closed';
	} finally {
		busy(button, false);
	}
});

// --- the receipt --------------------------------------------------------------------

async function showReceipt(entry, matches = true, again = false) {
	shown = entry;
	const r = entry.receipt;
	$('#receipt-code').textContent = trackingCode(r.ballot_hash);
	$('#receipt-hash').textContent = r.ballot_hash;
	$('#receipt-event').textContent = r.event_hash;
	clear($('#receipt-voter')).append(bi('span', voter.name), el('span', { class: 'mono sub', text: voter.id }));
	clear($('#receipt-sent')).append(el('span', { date: entry.at }));
	clear($('#receipt-seq')).append(el('span', { number: entry.seq }));
	clear($('#receipt-n')).append(el('span', { number: r.n }));
	const kept = entry.choices || sessionChoices.get(entry.seq);
	const chosen = rec.manifest.contests.map((c) => (kept && kept[c.id] ? kept[c.id] : []).map((id) => c.candidates.find((k) => k.id === id)).filter(Boolean));
	choiceList($('#receipt-choices'), chosen);
	$('#receipt-choices').hidden = !kept;
	if (secret) secret.receiptNote(Boolean(kept));
	const fresh = entry.seq === lastSeq;
	say($('#receipt-status'), !matches ? 'error.RECEIPT_MISMATCH' : again ? 'receipt.already_recorded' : fresh ? (entry.seq > 1 ? 'receipt.accepted_revote' : 'receipt.accepted') : 'receipt.superseded', undefined, !matches ? 'error' : fresh ? 'ok' : 'warn');
	say($('#check-result'), null);
	$('#revote-box').hidden = !(view.status === 'open' && view.revote);
	show('receipt');
	const sig = clear($('#receipt-sig'));
	const ok = await receiptSignatureValid(rec.manifest.serverPk, r);
	sig.append(el('span', { class: ok ? 'badge ok' : 'badge off', i18n: ok ? 'receipt.sig_ok' : 'receipt.sig_bad' }));
}

$('#receipt-download').addEventListener('click', () => {
	if (shown) downloadJson(`receipt-${electionId}-${shown.ngo}-${shown.seq}.json`, shown.receipt);
});

$('#receipt-print').addEventListener('click', () => {
	document.body.classList.add('print-receipt');
	window.print();
});
window.addEventListener('afterprint', () => document.body.classList.remove('print-receipt'));

$('#receipt-check').addEventListener('click', async () => {
	const out = $('#check-result');
	const button = $('#receipt-check');
	busy(button, true);
	try {
		const r = await post(`/api/elections/${seg(electionId)}/receipts/check`, shown.receipt);
		const known = ['held', 'not_signed_by_server', 'other_election', 'missing', 'differs'].includes(r.verdict);
		say(out, known ? 'verdict.' + r.verdict : 'verdict.unknown', undefined, r.held ? 'ok' : 'error');
		out.setAttribute('data-verdict', r.verdict);
	} catch (e) {
		sayError(out, e);
	} finally {
		busy(button, false);
	}
});

$('#revote').addEventListener('click', () => startBallot(shown));

try {
	if (!electionId) await showList();
	else await start();
} catch (e) {
	sayError(msg, e);
}
