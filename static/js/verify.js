// verify.js -- how auditors verify an election (download the record, run
// ngo-vote-verify, what each check means), and a receipt checker for
// anyone holding a receipt file.
import { initPage, $, el, bi, clear, say, sayError, busy } from './ui.js';
import { get, post, seg } from './api.js';
import { isReceipt } from './protocol.js';

await initPage('elections');

const id = new URLSearchParams(location.search).get('election') || '';
let elections = [];

try {
	const r = await get('/api/elections');
	elections = Array.isArray(r.elections) ? r.elections : [];
} catch (e) {
	sayError($('#verify-msg'), e);
}

const shown = id ? elections.filter((e) => e.id === id) : elections;
const list = clear($('#v-records'));
for (const e of shown) {
	list.append(el('li', {}, el('a', { href: `/api/elections/${seg(e.id)}/record`, download: `record-${e.id}.jsonl`, attrs: { 'data-election': e.id } }, el('span', { i18n: 'verify.step1.download' }), ' ', bi('span', e.title || { en: e.id }))));
}
if (!shown.length) list.append(el('li', { i18n: 'verify.step1.none' }));
const example = shown[0] ? shown[0].id : 'ELECTION-ID';
$('#v-curl').textContent = `curl -fsS ${location.origin}/api/elections/${example}/record > record-${example}.jsonl`;
$('#v-run').textContent = `ngo-vote-verify record-${example}.jsonl --receipt receipt.json`;

const select = clear($('#receipt-election'));
for (const e of elections) {
	const o = el('option', { value: e.id, text: `${(e.title && e.title.en) || e.id} (${e.id})` });
	if (e.id === id) o.selected = true;
	select.append(o);
}

$('#receipt-form').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const form = ev.currentTarget;
	const out = $('#check-result');
	const file = form.elements.file.files[0];
	if (!file) {
		say(out, 'verify.receipt.choose', undefined, 'error');
		form.elements.file.focus();
		return;
	}
	let receipt;
	try {
		receipt = JSON.parse(await file.text());
	} catch {
		receipt = null;
	}
	if (!isReceipt(receipt)) {
		say(out, 'verify.receipt.not_receipt', undefined, 'error');
		return;
	}
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	try {
		const r = await post(`/api/elections/${seg(select.value)}/receipts/check`, receipt);
		const known = ['held', 'not_signed_by_server', 'other_election', 'missing', 'differs'].includes(r.verdict);
		say(out, known ? 'verdict.' + r.verdict : 'verdict.unknown', undefined, r.held ? 'ok' : 'error');
		out.setAttribute('data-verdict', r.verdict);
	} catch (e) {
		sayError(out, e);
	} finally {
		busy(button, false);
	}
});
