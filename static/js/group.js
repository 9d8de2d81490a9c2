// group.js -- ristretto255 and its scalars as docs/protocol.md §2–§4 use
// them: the canonical decoders with the identity policy, PT and SC, the
// synchronous H64/Hs (SHA-512 over DS(tag) ‖ m, reduced mod L), random
// scalars (a CSPRNG, or the derived test randomness of vectors.txt) and
// wiping. @noble/curves and @noble/hashes come from our own origin, as
// the one bundle static/vendor/noble.js (deploy/vendor-noble.sh); the
// relative path works in the browser (/js/../vendor/) and under node alike.
// No DOM here: the module also runs under node for the vector tests.

import { ristretto255, sha512, bytesToNumberLE, randomBytes } from '../vendor/noble.js';
import { ds, str } from './protocol.js';

export const Point = ristretto255.Point;
export const Fn = Point.Fn;
export const G = Point.BASE;
export const O = Point.ZERO;

export class DecodeError extends Error {
	// name: 'NONCANONICAL' (not 32 bytes, not a canonical encoding, a
	// scalar ≥ L) or 'IDENTITY' (O where the identity policy refuses it).
	constructor(name, what) {
		super(`${what}: ${name === 'IDENTITY' ? 'the identity is not allowed here' : 'not a canonical encoding'}`);
		this.errorName = name;
	}
}

// §2.1 and §2.3: exactly 32 bytes of a canonical ristretto255 encoding
// (noble refuses bit 255 and every other non-canonical form); O is refused
// unless allowIdentity (only for values the verifier recomputes itself).
export function decodePoint(bytes, { allowIdentity = false, what = 'point' } = {}) {
	if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new DecodeError('NONCANONICAL', what);
	let p;
	try {
		p = Point.fromBytes(bytes);
	} catch {
		throw new DecodeError('NONCANONICAL', what);
	}
	if (!allowIdentity && p.equals(O)) throw new DecodeError('IDENTITY', what);
	return p;
}

// §2.2: exactly 32 bytes, little-endian, < L (0 is a valid scalar).
export function decodeScalar(bytes, what = 'scalar') {
	if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new DecodeError('NONCANONICAL', what);
	try {
		return Fn.fromBytes(bytes);
	} catch {
		throw new DecodeError('NONCANONICAL', what);
	}
}

// PT(P): 32 bytes, O as 32 zero bytes. SC(x): 32 bytes little-endian.
export const PT = (p) => p.toBytes();
export const SC = (x) => Fn.toBytes(x);

// H64(tag, m) = SHA-512(DS(tag) ‖ m); parts are hashed in order, so
// callers need not concatenate. (protocol.js has the WebCrypto twin.)
export function h64(tag, ...parts) {
	const h = sha512.create().update(ds(tag));
	for (const p of parts) h.update(p);
	return h.digest();
}

// Hs(tag, m) = int_LE(H64(tag, m)) mod L.
export function hs(tag, ...parts) {
	const h = h64(tag, ...parts);
	const x = Fn.create(bytesToNumberLE(h));
	h.fill(0);
	return x;
}

// A uniformly random scalar in ]0, L[ from 64 CSPRNG bytes (crypto.getRandomValues).
export function randomScalar() {
	for (;;) {
		const b = randomBytes(64);
		const x = Fn.create(bytesToNumberLE(b));
		b.fill(0);
		if (x !== 0n) return x;
	}
}

// The default rng of the ballot code: rng(label) → a fresh random scalar;
// the label only names the use.
export const csprng = () => randomScalar();

// TEST ONLY (vectors.txt): rnd(label) = Hs("test-rng", STR(label)), with
// every label under prefix ("ballot/ngo-a/s1" → "ballot/ngo-a/s1/c0/i0/r").
export function testRng(prefix) {
	return (label) => hs('test-rng', str(prefix ? prefix + '/' + label : label));
}

// TEST ONLY: seed32(label) = first 32 bytes of H64("test-rng", STR(label)).
export function testSeed(label) {
	const h = h64('test-rng', str(label));
	const seed = h.slice(0, 32);
	h.fill(0);
	return seed;
}

// Overwrites byte arrays holding secrets (bigints cannot be wiped: drop them).
export function wipe(...arrays) {
	for (const a of arrays) if (a instanceof Uint8Array) a.fill(0);
}

// [0·G, 1·G, …, max·G] by repeated addition from O (§7.1).
export function multiplesOfG(max) {
	const t = [O];
	for (let v = 1; v <= max; v++) t.push(t[v - 1].add(G));
	return t;
}
