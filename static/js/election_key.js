// election_key.js -- the secret-mode election key as the record fixes it
// (docs/protocol.md §5, §6.1): each trustee's dkg-round1 event carries its
// commitments C_{d,0..t−1}, signed and proved (Schnorr PoK); the key is
// Y = Σ_d C_{d,0}, and
//   election_hash = H64("election", manifest_hash ‖ u8(2) ‖ PT(Y) ‖ PT(C_{1,0}) ‖ … ‖ PT(C_{n,t−1})).
// Each dkg-round3 event is a trustee's signed confirmation of the same
// round-1 messages and of Y. A voting page computes Y and election_hash
// from the record itself, not from a JSON view the server could vary.
// (The full key-ceremony check, V5, is the verifier's: round 0 and round 2,
// Z_j and the share PoKs are not looked at here.)
// No DOM here: the module also runs under node for the vector tests.

import { ed25519 } from '../vendor/noble.js';
import { G, O, PT, h64, hs, decodePoint, decodeScalar } from './group.js';
import { concat, le32, str, ds, fromHex } from './protocol.js';
import { decodeManifest } from './manifest.js';

const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function reader(bytes, what) {
	let o = 0;
	return {
		take(n) {
			if (o + n > bytes.length) throw new Error(`${what}: truncated`);
			return bytes.subarray(o, (o += n));
		},
		u32() {
			const v = this.take(4);
			return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
		},
		end() {
			if (o !== bytes.length) throw new Error(`${what}: trailing bytes`);
		},
	};
}

// Strict Ed25519 (RFC 8032, noble with zip215 off: P8) over the signing
// rule DS("sig") ‖ STR(T) ‖ H64(T, body).
function signedBy(type, body, sig, pk) {
	try {
		return ed25519.verify(sig, concat(ds('sig'), str(type), h64(type, body)), pk, { zip215: false });
	} catch {
		return false;
	}
}

// data = R1_d ‖ sig(64), R1_d = manifest_hash ‖ LE32(d) ‖ LE32(n) ‖ LE32(t)
//   ‖ PT(C_{d,0..t−1}) ‖ PT(E_d) ‖ SC(c) ‖ SC(z_0..z_{t−1}) ‖ SC(z_E).
// Checks the layout exactly, manifest_hash, n and t, and that every C and E
// is canonical and not O. → {d, C: [Point], E, c, z: [], zE, body, sig, hash}
export function parseRound1(data, { manifestHash, n, t }) {
	const r = reader(data, 'dkg-round1');
	const out = { body: data.subarray(0, data.length - 64), sig: data.subarray(data.length - 64) };
	if (!eq(r.take(64), manifestHash)) throw new Error('dkg-round1: another manifest');
	out.d = r.u32();
	if (r.u32() !== n || r.u32() !== t || out.d < 1 || out.d > n) throw new Error('dkg-round1: n, t or d differ from the manifest');
	out.C = Array.from({ length: t }, () => decodePoint(r.take(32), { what: 'C' }));
	out.E = decodePoint(r.take(32), { what: 'E' });
	out.c = decodeScalar(r.take(32));
	out.z = Array.from({ length: t }, () => decodeScalar(r.take(32)));
	out.zE = decodeScalar(r.take(32));
	r.take(64);
	r.end();
	out.hash = h64('dkg-round1', out.body);
	return out;
}

// The batched Schnorr PoK of round 1: h_k = z_k·G − c·C_k, h_E = z_E·G − c·E,
// c = Hs("dkg/pok", manifest_hash ‖ LE32(d) ‖ LE32(n) ‖ LE32(t) ‖ PT(C…) ‖ PT(E) ‖ PT(h…) ‖ PT(h_E)).
export function round1ProofValid(r1, { manifestHash, n, t }) {
	const h = r1.C.map((C, k) => G.multiplyUnsafe(r1.z[k]).subtract(C.multiplyUnsafe(r1.c)));
	const hE = G.multiplyUnsafe(r1.zE).subtract(r1.E.multiplyUnsafe(r1.c));
	const c = hs('dkg/pok', manifestHash, le32(r1.d), le32(n), le32(t), ...r1.C.map(PT), PT(r1.E), ...h.map(PT), PT(hE));
	return c === r1.c;
}

// §5, secret mode. commitments[d−1][k] = C_{d,k} (Points), trustees in index order.
export function secretElectionHash(manifestHash, Y, commitments) {
	return h64('election', manifestHash, Uint8Array.of(2), PT(Y), ...commitments.flatMap((Cs) => Cs.map(PT)));
}

// R3_j = manifest_hash ‖ LE32(j) ‖ R1hashes(64·n) ‖ PT(Y) ‖ PT(Z_1..Z_n) ‖ SC(c) ‖ SC(z), then sig(64).
function parseRound3(data, { manifestHash, n }) {
	const r = reader(data, 'dkg-round3');
	if (!eq(r.take(64), manifestHash)) throw new Error('dkg-round3: another manifest');
	const j = r.u32();
	const r1hashes = r.take(64 * n);
	const Y = r.take(32);
	r.take(32 * n + 64 + 64);
	r.end();
	return { j, r1hashes, Y, body: data.subarray(0, data.length - 64), sig: data.subarray(data.length - 64) };
}

const bytesOf = (x) => (typeof x === 'string' ? fromHex(x) : x);

// From manifest_bytes and the record's key-ceremony events ([{type, data}],
// data as bytes or hex, in record order; other types are ignored): exactly
// one signed dkg-round1 per trustee with a valid PoK; every dkg-round3
// present must be signed by its trustee and confirm these round-1 messages
// and this Y. Throws on any failure.
// → {manifest, manifestHash, Y (32 bytes), electionHash (64 bytes), commitments, confirmedBy: [j…]}
export function secretElection(manifestBytes, events) {
	const manifest = decodeManifest(manifestBytes, { allowSecret: true });
	if (manifest.mode !== 2) throw new Error('manifest: not a secret-ballot election');
	const n = manifest.trustees.length;
	const t = manifest.threshold;
	const manifestHash = h64('manifest', manifestBytes);
	const shape = { manifestHash, n, t };
	const r1 = new Array(n);
	for (const ev of events) {
		if (ev.type !== 'dkg-round1') continue;
		const m = parseRound1(bytesOf(ev.data), shape);
		if (r1[m.d - 1]) throw new Error(`dkg-round1: trustee ${m.d} twice`);
		if (!signedBy('dkg-round1', m.body, m.sig, fromHex(manifest.trustees[m.d - 1].pk, 32))) throw new Error(`dkg-round1: trustee ${m.d}'s signature does not verify`);
		if (!round1ProofValid(m, shape)) throw new Error(`dkg-round1: trustee ${m.d}'s proof does not verify`);
		r1[m.d - 1] = m;
	}
	for (let d = 1; d <= n; d++) if (!r1[d - 1]) throw new Error(`dkg-round1: trustee ${d} is missing`);
	const Y = r1.reduce((s, m) => s.add(m.C[0]), O);
	if (Y.equals(O)) throw new Error('election key: Y is the identity');
	const Ybytes = PT(Y);
	const r1hashes = concat(...r1.map((m) => m.hash));
	const confirmedBy = [];
	for (const ev of events) {
		if (ev.type !== 'dkg-round3') continue;
		const m = parseRound3(bytesOf(ev.data), shape);
		if (m.j < 1 || m.j > n || confirmedBy.includes(m.j)) throw new Error('dkg-round3: bad or repeated trustee index');
		if (!signedBy('dkg-round3', m.body, m.sig, fromHex(manifest.trustees[m.j - 1].pk, 32))) throw new Error(`dkg-round3: trustee ${m.j}'s signature does not verify`);
		if (!eq(m.r1hashes, r1hashes) || !eq(m.Y, Ybytes)) throw new Error(`dkg-round3: trustee ${m.j} confirmed other round-1 messages or another key`);
		confirmedBy.push(m.j);
	}
	const commitments = r1.map((m) => m.C);
	return { manifest, manifestHash, Y: Ybytes, electionHash: secretElectionHash(manifestHash, Y, commitments), commitments, confirmedBy: confirmedBy.sort((a, b) => a - b) };
}
