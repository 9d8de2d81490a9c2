// secret_ballot.js -- secret ballots (docs/protocol.md §7): every selection
// m ∈ {0,1} encrypted as (α, β) = (r·G, m·G + r·Y) with a proof that it is
// 0 or 1, and per contest a proof that Σm lies in [min, max], all bound to
// the voter's key; the fixed body layout of §7.4, its hash, and the checks
// of §15 V4 on a received body. Byte for byte the C server's.
//
//   import { encryptBallot, ballotHash } from './secret_ballot.js';
//   const body = encryptBallot({ electionHash, Y, voterPk, seq, contests: ballotShape(manifest), choices });
//   // then sign signingMessage('ballot', body) with the voter's key (protocol.js, keystore.js)
//
// The randomness r_i and u never leave this module and are dropped after
// use (bigints cannot be overwritten; the random bytes behind them are).
// No DOM here: the module also runs under node for the vector tests.

import { Point, Fn, G, O, PT, h64, csprng, decodePoint, decodeScalar, DecodeError } from './group.js';
import { orProve, orVerify, branchBytes } from './or_proof.js';
import { le32, concat, toHex } from './protocol.js';

export { orProve, orVerify } from './or_proof.js';
export { testRng } from './group.js';

const SEL = 'ballot/selection';
const CON = 'ballot/contest';

// What the body's shape depends on, per contest in manifest order: the
// number of candidates n and the rule min..max (manifest.js decodeManifest).
export function ballotShape(manifest) {
	return manifest.contests.map((c) => ({ n: c.candidates.length, min: c.min, max: c.max }));
}

// Y is multiplied 2 + 2K times per selection: it gets wNAF tables
// (noble's precompute), kept for the last key seen.
let lastY = null;
function electionKey(Y) {
	if (Y instanceof Point) return Y;
	const hex = Y instanceof Uint8Array ? toHex(Y) : null;
	if (!lastY || lastY.hex !== hex) lastY = { hex, point: decodePoint(Y, { what: 'Y' }).precompute(6, false) };
	return lastY.point;
}

function checkShape(contests) {
	if (!Array.isArray(contests) || contests.length < 1) throw new RangeError('no contests');
	for (const k of contests) {
		if (!Number.isInteger(k.n) || !Number.isInteger(k.min) || !Number.isInteger(k.max) || k.n < 1 || k.min < 0 || k.min > k.max || k.max > k.n) throw new RangeError('bad contest rule');
	}
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const ctxSel = (eh, pk, c, i) => concat(eh, pk, le32(c), le32(i));
const ctxCon = (eh, pk, c, cts) => concat(eh, pk, le32(c), le32(cts.length), ...cts.flatMap(([a, b]) => [PT(a), PT(b)]));

// ballot_hash = H64("ballot", ballot_body), the voter's tracking code.
export function ballotHash(body) {
	return h64('ballot', body);
}

// Builds ballot_body (§7.4). choices[c] holds one 0 or 1 per candidate of
// contest c; each contest's count must lie in [min, max]. Y is the election
// key (a Point or its 32 bytes); electionHash 64 bytes, voterPk 32 bytes.
// rng(label) → scalar: the CSPRNG by default; tests pass testRng("ballot/<voter>/s<seq>").
export function encryptBallot({ electionHash, Y, voterPk, seq, contests, choices, rng = csprng }) {
	if (!(electionHash instanceof Uint8Array) || electionHash.length !== 64) throw new TypeError('election_hash must be 64 bytes');
	if (!(voterPk instanceof Uint8Array) || voterPk.length !== 32) throw new TypeError('voter_pk must be 32 bytes');
	if (!Number.isInteger(seq) || seq < 1 || seq > 0xffffffff) throw new RangeError('seq starts at 1');
	checkShape(contests);
	if (!Array.isArray(choices) || choices.length !== contests.length) throw new RangeError('one choice list per contest');
	const y = electionKey(Y);
	const parts = [electionHash, voterPk, le32(seq), le32(contests.length)];
	contests.forEach((k, c) => {
		const m = choices[c];
		if (!Array.isArray(m) || m.length !== k.n || m.some((x) => x !== 0 && x !== 1)) throw new RangeError(`contest ${c}: one 0 or 1 per candidate`);
		const M = m.reduce((s, x) => s + x, 0);
		if (M < k.min || M > k.max) throw new RangeError(`contest ${c}: ${M} selections, the rule is ${k.min}..${k.max}`);
	});
	contests.forEach((k, c) => {
		const cts = [];
		const sels = [];
		let R = 0n;
		for (let i = 0; i < k.n; i++) {
			const mi = choices[c][i];
			let r = rng(`c${c}/i${i}/r`);
			if (r === 0n) throw new RangeError('the rng gave r = 0');
			const alpha = G.multiply(r);
			const rY = y.multiply(r);
			const beta = mi ? rY.add(G) : rY;
			const proof = orProve(SEL, ctxSel(electionHash, voterPk, c, i), y, alpha, beta, [0, 1], mi, r, rng, `c${c}/i${i}`);
			R = Fn.add(R, r);
			r = 0n;
			cts.push([alpha, beta]);
			sels.push(PT(alpha), PT(beta), branchBytes(proof));
		}
		const A = cts.reduce((s, [a]) => s.add(a), O);
		const B = cts.reduce((s, [, b]) => s.add(b), O);
		const M = choices[c].reduce((s, x) => s + x, 0);
		const proof = orProve(CON, ctxCon(electionHash, voterPk, c, cts), y, A, B, range(k.min, k.max), M - k.min, R, rng, `c${c}/range`);
		R = 0n;
		parts.push(le32(k.n), ...sels, le32(k.max - k.min + 1), branchBytes(proof));
	});
	return concat(...parts);
}

class BallotError extends Error {
	constructor(name, message) {
		super(message || name);
		this.errorName = name;
	}
}

// The exact layout of §7.4 against the contests' shape: counts equal the
// manifest's, nothing trailing, every point canonical and not O, every
// scalar canonical. Throws BallotError (errorName as the C server's
// protocol_ballot_error_name: MALFORMED, CONTEST_COUNT, SHAPE,
// TRAILING_BYTES, NONCANONICAL, IDENTITY).
export function parseBallot(body, contests) {
	checkShape(contests);
	if (!(body instanceof Uint8Array)) throw new TypeError('body must be bytes');
	let o = 0;
	const take = (n) => {
		if (o + n > body.length) throw new BallotError('MALFORMED', 'the body is truncated');
		const v = body.subarray(o, o + n);
		o += n;
		return v;
	};
	const u32 = () => {
		const v = take(4);
		return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
	};
	const point = (what) => decodePoint(take(32), { what });
	const branches = (K) => Array.from({ length: K }, () => [decodeScalar(take(32), 'c'), decodeScalar(take(32), 'z')]);
	try {
		const b = { electionHash: take(64), voterPk: take(32), seq: u32(), contests: [] };
		const nc = u32();
		if (nc !== contests.length) throw new BallotError('CONTEST_COUNT', `${nc} contests, the election has ${contests.length}`);
		contests.forEach((k, c) => {
			const n = u32();
			if (n !== k.n) throw new BallotError('SHAPE', `contest ${c}: ${n} candidates, the election has ${k.n}`);
			const sel = [];
			for (let i = 0; i < n; i++) {
				const alphaBytes = body.subarray(o, o + 32);
				sel.push({ alphaBytes, alpha: point('alpha'), beta: point('beta'), proof: branches(2) });
			}
			const K = u32();
			if (K !== k.max - k.min + 1) throw new BallotError('SHAPE', `contest ${c}: ${K} range branches, the rule needs ${k.max - k.min + 1}`);
			b.contests.push({ selections: sel, range: branches(K) });
		});
		if (o !== body.length) throw new BallotError('TRAILING_BYTES', 'bytes after the last contest');
		return b;
	} catch (e) {
		if (e instanceof DecodeError) throw new BallotError(e.errorName, e.message);
		throw e;
	}
}

const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// §15 V4 on one body (the signature is the caller's: it needs the voter's
// key, which is only known once voter_pk is on the roll):
//   {electionHash, Y, contests, roll?} → {ok, error, ballotHash, voterPk, alphas}
// roll: the manifest's voter keys (hex strings or bytes); when given, voter_pk
// must be one of them. error is null or the name of the first failed check
// (the names above, WRONG_ELECTION, NOT_ON_ROLL, SEQ_ZERO, BAD_PROOF).
// alphas: hex of every α, for the weeding of §9.
export function verifyBallot({ electionHash, Y, contests, roll }, body) {
	const out = { ok: false, error: null, ballotHash: toHex(ballotHash(body)), voterPk: null, alphas: [] };
	let b;
	try {
		b = parseBallot(body, contests);
	} catch (e) {
		if (!(e instanceof BallotError)) throw e;
		out.error = e.errorName;
		return out;
	}
	out.voterPk = toHex(b.voterPk);
	out.alphas = b.contests.flatMap((c) => c.selections.map((s) => toHex(s.alphaBytes)));
	const fail = (name) => ((out.error = name), out);
	if (!eq(b.electionHash, electionHash)) return fail('WRONG_ELECTION');
	if (roll && !roll.some((pk) => (typeof pk === 'string' ? pk === out.voterPk : eq(pk, b.voterPk)))) return fail('NOT_ON_ROLL');
	if (b.seq < 1) return fail('SEQ_ZERO');
	const y = electionKey(Y);
	for (let c = 0; c < contests.length; c++) {
		const k = contests[c];
		const { selections, range: rangeProof } = b.contests[c];
		for (let i = 0; i < selections.length; i++) {
			const s = selections[i];
			if (!orVerify(SEL, ctxSel(b.electionHash, b.voterPk, c, i), y, s.alpha, s.beta, [0, 1], s.proof)) return fail('BAD_PROOF');
		}
		const cts = selections.map((s) => [s.alpha, s.beta]);
		const A = cts.reduce((acc, [a]) => acc.add(a), O);
		const B = cts.reduce((acc, [, bb]) => acc.add(bb), O);
		if (!orVerify(CON, ctxCon(b.electionHash, b.voterPk, c, cts), y, A, B, range(k.min, k.max), rangeProof)) return fail('BAD_PROOF');
	}
	out.ok = true;
	return out;
}
