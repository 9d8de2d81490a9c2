// vote_secret.js -- what the voting page adds for a secret-ballot election
// (protocol §7), loaded with import() only for one: its texts (the
// vote-secret bundle), the notes that say before signing who can read
// what, and the ballot body: every choice encrypted in this browser under
// the election key Y, with proofs bound to the NGO's key. Y and
// election_hash come from the record's key ceremony (manifest.js, through
// election_key.js), never from the JSON view alone: vote.js refuses to go
// on when the two differ.
import { $, el, bi, clear, i18n } from './ui.js';
import { encryptBallot, ballotShape } from './secret_ballot.js';
import { fromHex } from './protocol.js';

// The status shown while the ballot is encrypted, signed and sent.
export const SENDING = 'vote.secret.sending';

// Replaces the open-vote warnings: the ballot is secret, encrypted here;
// only the totals are decrypted, by t of the n trustees named here; who
// voted stays public.
export async function render(rec) {
	await i18n.addBundles('vote-secret');
	const m = rec.manifest;
	const n = m.trustees.length;
	const t = m.threshold;
	$('#warn-short').hidden = true;
	$('#warn-public').hidden = true;
	if (!$('#secret-short')) {
		$('#warn-short').after(el('p', { id: 'secret-short', class: 'msg msg-info', i18n: 'vote.secret.short' }));
		$('#warn-public').after(
			el('p', { id: 'secret-encrypted', i18n: 'vote.secret.encrypted' }),
			el('p', { id: 'secret-trustees-text', i18n: t === n ? 'vote.secret.trustees_all' : 'vote.secret.trustees', args: { t, n } }),
			el('ul', { id: 'secret-trustees', class: 'trustee-names' }, m.trustees.map((x) => el('li', { attrs: { 'data-trustee': x.id } }, bi('span', x.name)))),
			el('p', { id: 'secret-turnout', i18n: 'vote.secret.turnout' }),
		);
		$('#receipt-choices').after(el('p', { id: 'secret-receipt', class: 'help', hidden: true }));
	}
	if (!$('#el-ballot')) $('#el-revote').after(el('dt', { i18n: 'vote.secret.ballot_label' }), el('dd', { id: 'el-ballot', i18n: 'vote.secret.ballot_value' }));
}

// Under the receipt: whether the choices shown were kept (this visit only).
export function receiptNote(kept) {
	const p = clear($('#secret-receipt'));
	p.hidden = false;
	p.append(el('span', { i18n: kept ? 'vote.secret.receipt_kept' : 'vote.secret.receipt_not_kept' }));
}

// ballot_body (§7.4) for choices (per contest, a Set of candidate indices).
// Waits a frame first so that the page can show that it is working.
export async function ballotBody(rec, voterPk, seq, choices) {
	await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
	const m = rec.manifest;
	return encryptBallot({
		electionHash: fromHex(rec.electionHash, 64),
		Y: fromHex(rec.secret.Y, 32),
		voterPk,
		seq,
		contests: ballotShape(m),
		choices: m.contests.map((c, ci) => c.candidates.map((_, i) => (choices[ci].has(i) ? 1 : 0))),
	});
}
