// or_proof.js -- the generic disjunctive Chaum–Pedersen proof of
// docs/protocol.md §7.1, OR[tag, ctx](Y, α, β, V): (α, β) encrypts one of
// the values V = (v_0 < … < v_{K−1}). Only the challenges and responses
// (c_j, z_j) travel; the verifier recomputes every commitment
//   A_j = z_j·G − c_j·α,   B_j = z_j·Y − c_j·(β − v_j·G)
// and accepts iff Hs(tag, ctx ‖ PT(Y) ‖ PT(α) ‖ PT(β) ‖ LE32(K) ‖ LE32(v_j)…
// ‖ PT(A_j) ‖ PT(B_j)…) = Σ c_j. A c_j or z_j of 0 and a commitment O are
// legitimate (P3): public scalars go through multiplyUnsafe.

import { Fn, G, PT, hs, multiplesOfG } from './group.js';
import { le32, concat } from './protocol.js';

function statement(ctx, Y, alpha, beta, values) {
	return concat(ctx, PT(Y), PT(alpha), PT(beta), le32(values.length), ...values.map(le32));
}

function checkValues(values) {
	if (!Array.isArray(values) || values.length < 1) throw new RangeError('OR proof: no values');
	values.forEach((v, j) => {
		if (!Number.isInteger(v) || v < 0 || (j > 0 && v <= values[j - 1])) throw new RangeError('OR proof: values must be increasing small integers');
	});
}

// The simulated (or recomputed) commitments of branch j.
function commitments(Y, alpha, betaMinusVG, c, z) {
	return [G.multiplyUnsafe(z).subtract(alpha.multiplyUnsafe(c)), Y.multiplyUnsafe(z).subtract(betaMinusVG.multiplyUnsafe(c))];
}

// Proves that (alpha, beta) = (r·G, values[ell]·G + r·Y). rng(label) gives
// a scalar; the draws are `${label}/u` (the real branch's nonce) and
// `${label}/c<j>`, `${label}/z<j>` (simulated branch j), as in vectors.txt.
// Returns [[c_0, z_0], …, [c_{K−1}, z_{K−1}]] (bigints, all public); u and
// r never leave this function.
export function orProve(tag, ctx, Y, alpha, beta, values, ell, r, rng, label) {
	checkValues(values);
	if (!Number.isInteger(ell) || ell < 0 || ell >= values.length) throw new RangeError('OR proof: the true branch is out of range');
	const vG = multiplesOfG(values[values.length - 1]);
	const K = values.length;
	const branches = new Array(K);
	const AB = new Array(K);
	let others = 0n;
	for (let j = 0; j < K; j++) {
		if (j === ell) continue;
		const c = rng(`${label}/c${j}`);
		const z = rng(`${label}/z${j}`);
		branches[j] = [c, z];
		AB[j] = commitments(Y, alpha, beta.subtract(vG[values[j]]), c, z);
		others = Fn.add(others, c);
	}
	let u = rng(`${label}/u`);
	AB[ell] = [G.multiply(u), Y.multiply(u)];
	const c = hs(tag, statement(ctx, Y, alpha, beta, values), ...AB.flatMap(([A, B]) => [PT(A), PT(B)]));
	const cl = Fn.sub(c, others);
	branches[ell] = [cl, Fn.add(u, Fn.mul(cl, r))];
	u = 0n;
	return branches;
}

// branches: [[c_j, z_j]…] already decoded as canonical scalars (< L).
export function orVerify(tag, ctx, Y, alpha, beta, values, branches) {
	checkValues(values);
	if (!Array.isArray(branches) || branches.length !== values.length) return false;
	const vG = multiplesOfG(values[values.length - 1]);
	let sum = 0n;
	const parts = [];
	for (let j = 0; j < values.length; j++) {
		const [c, z] = branches[j];
		if (!Fn.isValid(c) || !Fn.isValid(z)) return false;
		const [A, B] = commitments(Y, alpha, beta.subtract(vG[values[j]]), c, z);
		parts.push(PT(A), PT(B));
		sum = Fn.add(sum, c);
	}
	return Fn.eql(hs(tag, statement(ctx, Y, alpha, beta, values), ...parts), sum);
}

// SC(c_0) ‖ SC(z_0) ‖ … as the ballot body carries them.
export function branchBytes(branches) {
	return concat(...branches.flatMap(([c, z]) => [Fn.toBytes(c), Fn.toBytes(z)]));
}
