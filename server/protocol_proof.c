/*
 * protocol_proof.c -- disjunctive Chaum-Pedersen proofs (spec §7.1).
 */
#include "protocol_proof.h"

#include <stdlib.h>
#include <string.h>

/* v_j*G for j = 0..k-1: v0*G once, then one addition per branch (a
 * selection proof, V = (0, 1), needs no multiplication at all). */
static void
value_points(const struct proof_or_statement *s, uint8_t *vg)
{
	uint8_t g[PGROUP_BYTES];

	pgroup_small_multiple(g, 1);
	if (s->v0 == 0)
		memset(vg, 0, PGROUP_BYTES);
	else
		pgroup_small_multiple(vg, s->v0);
	for (uint32_t j = 1; j < s->k; j++)
		pgroup_add(vg + (size_t)j * PGROUP_BYTES, vg + (size_t)(j - 1) * PGROUP_BYTES, g);
}

/* Commitments A_j = z_j*G - c_j*alpha, B_j = z_j*Y - c_j*(beta - v_j*G). */
static void
simulate(const struct proof_or_statement *s, const uint8_t vg[PGROUP_BYTES],
         const uint8_t c[PGROUP_BYTES], const uint8_t z[PGROUP_BYTES], uint8_t a_out[PGROUP_BYTES],
         uint8_t b_out[PGROUP_BYTES])
{
	uint8_t t1[PGROUP_BYTES], t2[PGROUP_BYTES], shifted[PGROUP_BYTES];

	pgroup_mul_base(t1, z);
	pgroup_mul(t2, c, s->alpha);
	pgroup_sub(a_out, t1, t2);

	pgroup_sub(shifted, s->beta, vg);
	pgroup_mul(t1, z, s->y);
	pgroup_mul(t2, c, shifted);
	pgroup_sub(b_out, t1, t2);
}

static void
challenge(const struct proof_or_statement *s, const uint8_t *commitments, uint8_t c[PGROUP_BYTES])
{
	struct pcrypto_h64 h;
	uint8_t d[PCRYPTO_HASH_BYTES];

	pcrypto_h64_init(&h, s->tag);
	pcrypto_h64_update(&h, s->ctx, s->ctx_len);
	pcrypto_h64_update(&h, s->y, PGROUP_BYTES);
	pcrypto_h64_update(&h, s->alpha, PGROUP_BYTES);
	pcrypto_h64_update(&h, s->beta, PGROUP_BYTES);
	pcrypto_h64_update_le32(&h, s->k);
	for (uint32_t j = 0; j < s->k; j++)
		pcrypto_h64_update_le32(&h, s->v0 + j);
	pcrypto_h64_update(&h, commitments, (size_t)s->k * 2 * PGROUP_BYTES);
	pcrypto_h64_final(&h, d);
	crypto_core_ristretto255_scalar_reduce(c, d);
}

void
proof_or_prove(const struct proof_or_statement *s, uint32_t ell, const uint8_t r[PGROUP_BYTES],
               const struct pgroup_rng *rng, const char *label, uint8_t *proof)
{
	uint8_t *commit = calloc(s->k, 3 * PGROUP_BYTES), *vg;
	uint8_t u[PGROUP_BYTES], c[PGROUP_BYTES], sum[PGROUP_BYTES] = {0}, t[PGROUP_BYTES];

	if (commit == NULL)
		abort(); /* k is bounded by a contest's candidates */
	vg = commit + (size_t)s->k * 2 * PGROUP_BYTES;
	value_points(s, vg);
	for (uint32_t j = 0; j < s->k; j++) {
		uint8_t *cj = proof + (size_t)j * PROOF_BRANCH_BYTES, *zj = cj + PGROUP_BYTES;

		if (j == ell)
			continue;
		pgroup_random(rng, cj, "%s/c%u", label, j);
		pgroup_random(rng, zj, "%s/z%u", label, j);
		simulate(s, vg + (size_t)j * PGROUP_BYTES, cj, zj,
		         commit + (size_t)j * 2 * PGROUP_BYTES,
		         commit + (size_t)j * 2 * PGROUP_BYTES + PGROUP_BYTES);
		crypto_core_ristretto255_scalar_add(sum, sum, cj);
	}
	pgroup_random(rng, u, "%s/u", label);
	pgroup_mul_base(commit + (size_t)ell * 2 * PGROUP_BYTES, u);
	pgroup_mul(commit + (size_t)ell * 2 * PGROUP_BYTES + PGROUP_BYTES, u, s->y);
	challenge(s, commit, c);
	/* c_ell = c - sum, z_ell = u + c_ell * r */
	crypto_core_ristretto255_scalar_sub(proof + (size_t)ell * PROOF_BRANCH_BYTES, c, sum);
	crypto_core_ristretto255_scalar_mul(t, proof + (size_t)ell * PROOF_BRANCH_BYTES, r);
	crypto_core_ristretto255_scalar_add(proof + (size_t)ell * PROOF_BRANCH_BYTES + PGROUP_BYTES,
	                                    u, t);
	sodium_memzero(u, sizeof(u));
	sodium_memzero(t, sizeof(t));
	free(commit);
}

bool
proof_or_verify(const struct proof_or_statement *s, const uint8_t *proof)
{
	uint8_t stack[8 * 3 * PGROUP_BYTES];
	uint8_t *commit = s->k <= 8 ? stack : calloc(s->k, 3 * PGROUP_BYTES), *vg;
	uint8_t c[PGROUP_BYTES], sum[PGROUP_BYTES] = {0};
	bool ok = false;

	if (commit == NULL)
		return false;
	vg = commit + (size_t)s->k * 2 * PGROUP_BYTES;
	value_points(s, vg);
	for (uint32_t j = 0; j < s->k; j++) {
		const uint8_t *cj = proof + (size_t)j * PROOF_BRANCH_BYTES, *zj = cj + PGROUP_BYTES;

		if (!pcrypto_scalar_decode(cj) || !pcrypto_scalar_decode(zj))
			goto out;
		simulate(s, vg + (size_t)j * PGROUP_BYTES, cj, zj,
		         commit + (size_t)j * 2 * PGROUP_BYTES,
		         commit + (size_t)j * 2 * PGROUP_BYTES + PGROUP_BYTES);
		crypto_core_ristretto255_scalar_add(sum, sum, cj);
	}
	challenge(s, commit, c);
	ok = sodium_memcmp(c, sum, PGROUP_BYTES) == 0;
out:
	if (commit != stack)
		free(commit);
	return ok;
}
