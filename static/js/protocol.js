// protocol.js -- the byte encodings of docs/protocol.md that the browser
// needs: strict lowercase hex, LE32, STR, DS, H64 (SHA-512 with a length-
// prefixed domain tag), the signing rule DS("sig") ‖ STR(T) ‖ H64(T, body),
// the delegate login body nonce ‖ STR(origin), and the key fingerprint.
// No DOM here: the module also runs under node for the vector tests.

const enc = new TextEncoder();

export function utf8(s) {
	return enc.encode(s);
}

export function concat(...parts) {
	let n = 0;
	for (const p of parts) n += p.length;
	const out = new Uint8Array(n);
	let off = 0;
	for (const p of parts) {
		out.set(p, off);
		off += p.length;
	}
	return out;
}

export function le32(x) {
	if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError('LE32 out of range');
	const b = new Uint8Array(4);
	new DataView(b.buffer).setUint32(0, x, true);
	return b;
}

// STR(s) = LE32(byte length of UTF-8 s) ‖ UTF-8 bytes
export function str(s) {
	const b = utf8(s);
	return concat(le32(b.length), b);
}

// DS(tag) = STR("ngo-vote/v1/" + tag)
export function ds(tag) {
	return str('ngo-vote/v1/' + tag);
}

export function toHex(bytes) {
	const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let s = '';
	for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
	return s;
}

// Strict: lowercase hex digits only, even length, and the exact byte length
// when one is given.
export function fromHex(hex, len) {
	if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(hex)) throw new TypeError('not lowercase hex');
	if (len !== undefined && hex.length !== 2 * len) throw new TypeError('hex has the wrong length');
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
	return out;
}

async function digest(alg, bytes) {
	return new Uint8Array(await crypto.subtle.digest(alg, bytes));
}

// H64(tag, m) = SHA-512(DS(tag) ‖ m)
export async function h64(tag, m) {
	return digest('SHA-512', concat(ds(tag), m));
}

// The message an Ed25519 key signs for an object of type T with body b.
export async function signingMessage(type, body) {
	return concat(ds('sig'), str(type), await h64(type, body));
}

// Delegate login: T = "login", body = nonce (32 raw bytes) ‖ STR(origin).
export function loginBody(nonce, origin) {
	if (!(nonce instanceof Uint8Array) || nonce.length !== 32) throw new TypeError('nonce must be 32 bytes');
	return concat(nonce, str(origin));
}

export async function loginMessage(nonceHex, origin) {
	return signingMessage('login', loginBody(fromHex(nonceHex, 32), origin));
}

// Fingerprint: first 16 bytes of SHA-256(raw public key), lowercase hex.
export async function fingerprintHex(publicKeyRaw) {
	return toHex((await digest('SHA-256', publicKeyRaw)).subarray(0, 16));
}

// "0123456789abcdef..." → "0123 4567 89ab cdef ..." (8 groups of 4).
export function groupFingerprint(hex) {
	if (typeof hex !== 'string') return '';
	const clean = hex.replace(/\s+/g, '').toLowerCase();
	return clean.replace(/(.{4})(?=.)/g, '$1 ');
}

export function sameFingerprint(a, b) {
	if (!a || !b) return false;
	return a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();
}

// --- open ballots (§8) and receipts (§10) ----------------------------------

// ballot_body = election_hash ‖ voter_pk ‖ LE32(seq) ‖ LE32(#contests)
//   ‖ per contest: LE32(count) ‖ LE32(idx)… with indices strictly increasing.
// choices: one array of 0-based candidate indices per contest, manifest order.
export function openBallotBody(electionHash, voterPk, seq, choices) {
	if (electionHash.length !== 64 || voterPk.length !== 32) throw new TypeError('bad hash or key length');
	if (!Number.isInteger(seq) || seq < 1) throw new RangeError('seq starts at 1');
	const parts = [electionHash, voterPk, le32(seq), le32(choices.length)];
	for (const list of choices) {
		const sorted = [...list].sort((a, b) => a - b);
		for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) throw new RangeError('a candidate is chosen twice');
		parts.push(le32(sorted.length), ...sorted.map(le32));
	}
	return concat(...parts);
}

// The short tracking code shown to voters: the first 16 hex digits of
// ballot_hash in 4 groups ("738c 98ba b16f eef7"); the full value is
// always shown beside it.
export function trackingCode(ballotHashHex) {
	return groupFingerprint(String(ballotHashHex).slice(0, 16));
}

// The message the server signs for a receipt (§10).
export async function receiptMessage(r) {
	const body = concat(fromHex(r.election_hash, 64), le32(r.n), fromHex(r.event_hash, 64), fromHex(r.ballot_hash, 64));
	return signingMessage('receipt', body);
}

// Does the receipt carry a valid signature by serverPk? (A courtesy check
// in the browser; auditors run ngo-vote-verify on the record.)
export async function receiptSignatureValid(serverPkHex, r) {
	try {
		const key = await crypto.subtle.importKey('raw', fromHex(serverPkHex, 32), { name: 'Ed25519' }, false, ['verify']);
		return await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(r.signature, 64), await receiptMessage(r));
	} catch {
		return false;
	}
}

// A receipt as the server issued it: exactly these five fields.
export function isReceipt(r) {
	if (!r || typeof r !== 'object' || Array.isArray(r)) return false;
	const keys = Object.keys(r).sort().join(',');
	if (keys !== 'ballot_hash,election_hash,event_hash,n,signature') return false;
	const hex = (v, n) => typeof v === 'string' && new RegExp(`^[0-9a-f]{${2 * n}}$`).test(v);
	return hex(r.election_hash, 64) && hex(r.event_hash, 64) && hex(r.ballot_hash, 64) && hex(r.signature, 64) && Number.isInteger(r.n) && r.n >= 0;
}
