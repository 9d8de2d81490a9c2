// manifest.js -- the election as the record fixes it: decodes
// manifest_bytes (docs/protocol.md §5) from event 0 of the record and
// recomputes election_hash, so that the ballot the browser signs indexes
// the candidates of the signed-into-the-board manifest, not of a JSON view
// that could differ; in secret mode also the election key (Y) from the
// key ceremony's events. No DOM here: the module also runs under node.

import { fromHex, toHex, h64, concat } from './protocol.js';

const dec = new TextDecoder('utf-8', { fatal: true });

class Reader {
	constructor(b) {
		this.b = b;
		this.o = 0;
	}

	need(n) {
		if (this.o + n > this.b.length) throw new Error('manifest: truncated');
	}

	u8() {
		this.need(1);
		return this.b[this.o++];
	}

	le32() {
		this.need(4);
		const v = new DataView(this.b.buffer, this.b.byteOffset + this.o, 4).getUint32(0, true);
		this.o += 4;
		return v;
	}

	bytes(n) {
		this.need(n);
		const v = this.b.subarray(this.o, this.o + n);
		this.o += n;
		return v;
	}

	str() {
		const n = this.le32();
		if (n > 1024) throw new Error('manifest: string too long');
		return dec.decode(this.bytes(n));
	}

	// TEXT(x) = LE32(k) ‖ (STR(lang) ‖ STR(value))…
	text() {
		const k = this.le32();
		if (k < 1 || k > 16) throw new Error('manifest: bad TEXT');
		const t = {};
		for (let i = 0; i < k; i++) {
			const lang = this.str();
			t[lang] = this.str();
		}
		return t;
	}

	count(max) {
		const n = this.le32();
		if (n > max) throw new Error('manifest: count too large');
		return n;
	}
}

// manifest_bytes → {id, title, mode, serverPk, revote, opensAt, closesAt,
// contests: [{id, title, method, seats, min, max, candidates: [{id, name}]}],
// voters: [{id, name, pk}], threshold, trustees: [{id, name, pk}]}. Throws
// on anything malformed, and on a secret-mode manifest (mode 2, 1 ≤ t ≤ n)
// unless allowSecret.
export function decodeManifest(bytes, { allowSecret = false } = {}) {
	const r = new Reader(bytes);
	const m = { id: r.str(), title: r.text(), mode: r.u8(), serverPk: toHex(r.bytes(32)), revote: r.u8(), opensAt: r.str(), closesAt: r.str(), contests: [], voters: [] };
	const nc = r.count(1000);
	for (let c = 0; c < nc; c++) {
		const contest = { id: r.str(), title: r.text(), method: r.u8(), seats: r.le32(), min: r.le32(), max: r.le32(), candidates: [] };
		const n = r.count(10000);
		for (let i = 0; i < n; i++) contest.candidates.push({ id: r.str(), name: r.text() });
		m.contests.push(contest);
	}
	const nv = r.count(1000000);
	for (let v = 0; v < nv; v++) m.voters.push({ id: r.str(), name: r.text(), pk: toHex(r.bytes(32)) });
	const n = r.le32();
	m.threshold = r.le32();
	m.trustees = [];
	for (let j = 0; j < n && j < 1000; j++) m.trustees.push({ id: r.str(), name: r.text(), pk: toHex(r.bytes(32)) });
	if (r.o !== bytes.length) throw new Error('manifest: trailing bytes');
	if (m.mode === 2 && allowSecret) {
		if (m.threshold < 1 || m.threshold > n || m.trustees.length !== n) throw new Error('manifest: bad trustee threshold');
	} else if (m.mode !== 1 || n !== 0 || m.threshold !== 0) throw new Error('manifest: not an open-mode election');
	return m;
}

// Open mode: election_hash = H64("election", H64("manifest", bytes) ‖ u8(1)).
export async function openElectionHash(manifestBytes) {
	return h64('election', concat(await h64('manifest', manifestBytes), Uint8Array.of(1)));
}

// Reads the record from its start up to the `open` event (the header,
// the manifest, in secret mode the key ceremony's dkg-round<r> events, then
// open) and stops the download there. → {header, manifest, manifestBytes,
// electionHash (hex), opened (the record has its open event), secret}.
// Open mode: election_hash = H64("election", manifest_hash ‖ u8(1)).
// Secret mode (manifest mode 2): election_key.js, loaded only then, checks
// the round-1 and round-3 events and computes Y and election_hash from
// them; secret = {Y (hex), confirmedBy}. Throws when the record is not what
// it should be, e.g. when the open event carries another election_hash.
export async function fetchRecordManifest(electionId) {
	const res = await fetch(`/api/elections/${encodeURIComponent(electionId)}/record`, { credentials: 'same-origin', cache: 'no-store' });
	if (!res.ok || !res.body) throw new Error('record: HTTP ' + res.status);
	const reader = res.body.getReader();
	const td = new TextDecoder();
	const lines = [];
	let text = '';
	try {
		for (let done = false; !done; ) {
			const chunk = await reader.read();
			done = chunk.done;
			if (chunk.value) text += td.decode(chunk.value, { stream: true });
			let nl;
			while ((nl = text.indexOf('\n')) >= 0) {
				lines.push(JSON.parse(text.slice(0, nl)));
				text = text.slice(nl + 1);
				const last = lines[lines.length - 1];
				if (last.type === 'open' || last.head) done = true;
				if (done) break;
			}
		}
	} finally {
		reader.cancel().catch(() => {});
	}
	const [header, ev0] = lines;
	if (!header || header.format !== 'ngo-vote/record/v1' || !ev0 || ev0.n !== 0 || ev0.type !== 'manifest') throw new Error('record: unexpected start');
	const events = lines.slice(2).filter((e) => !e.head);
	const manifestBytes = fromHex(ev0.data);
	const manifest = decodeManifest(manifestBytes, { allowSecret: true });
	if (manifest.id !== header.election_id || manifest.serverPk !== header.server_pk) throw new Error('record: header and manifest differ');
	const open = events.find((e) => e.type === 'open');
	let electionHash;
	let secret = null;
	if (manifest.mode === 2) {
		const { secretElection } = await import('./election_key.js');
		const s = secretElection(manifestBytes, events);
		if (open && s.confirmedBy.length !== manifest.trustees.length) throw new Error('record: a trustee did not confirm the election key');
		electionHash = toHex(s.electionHash);
		secret = { Y: toHex(s.Y), confirmedBy: s.confirmedBy };
	} else {
		electionHash = toHex(await openElectionHash(manifestBytes));
	}
	if (open && open.data !== electionHash) throw new Error('record: the open event names another election');
	return { header, manifest, manifestBytes, electionHash, opened: Boolean(open), secret };
}

// Does the public JSON view (GET /api/elections/{id}) say what the record's
// manifest says? Returns the list of differences (empty when they agree).
export function compareWithView(rec, view) {
	const diff = [];
	const m = rec.manifest;
	if (view.election_hash !== rec.electionHash) diff.push('election_hash');
	if (view.id !== m.id) diff.push('id');
	if (view.server_pk !== m.serverPk) diff.push('server_pk');
	if (Boolean(view.revote) !== (m.revote === 1)) diff.push('revote');
	const vc = Array.isArray(view.contests) ? view.contests : [];
	if (vc.length !== m.contests.length) diff.push('contests');
	m.contests.forEach((c, i) => {
		const v = vc[i] || {};
		if (v.id !== c.id || v.seats !== c.seats || v.min !== c.min || v.max !== c.max) diff.push('contests/' + i);
		const vcand = Array.isArray(v.candidates) ? v.candidates : [];
		if (vcand.length !== c.candidates.length || c.candidates.some((k, j) => vcand[j].id !== k.id)) diff.push('contests/' + i + '/candidates');
	});
	const roll = Array.isArray(view.roll) ? view.roll : [];
	if (roll.length !== m.voters.length || m.voters.some((v, i) => roll[i].id !== v.id || roll[i].public_key !== v.pk)) diff.push('roll');
	// Secret mode: the key voters encrypt to and who holds its shares.
	if ((view.mode === 'secret') !== (m.mode === 2)) diff.push('mode');
	if (m.mode === 2) {
		if (!rec.secret || view.y !== rec.secret.Y) diff.push('y');
		if (view.t !== m.threshold || view.n !== m.trustees.length) diff.push('t');
		const tv = Array.isArray(view.trustees) ? view.trustees : [];
		if (tv.length !== m.trustees.length || m.trustees.some((x, i) => tv[i].id !== x.id || tv[i].public_key !== x.pk || tv[i].index !== i + 1)) diff.push('trustees');
	}
	return diff;
}
