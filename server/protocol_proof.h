/*
 * protocol_proof.h -- the generic disjunctive Chaum-Pedersen proof
 * OR[tag, ctx](Y, alpha, beta, V) of spec §7.1: (alpha, beta) encrypts
 * some v in V = (v_0 < ... < v_{K-1}).  Only the K challenges and
 * responses travel (c_0 z_0 c_1 z_1 ...); the verifier recomputes every
 * commitment (the Belenios form).  Strong Fiat-Shamir: the challenge
 * hashes the tag, ctx, Y, the ciphertext, V and all commitments.
 */
#ifndef NGO_VOTE_PROTOCOL_PROOF_H
#define NGO_VOTE_PROTOCOL_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_group.h"

/* One branch on the wire: SC(c_j) || SC(z_j). */
#define PROOF_BRANCH_BYTES (2 * PGROUP_BYTES)

/* The statement; ctx binds the proof to its election, voter and position. */
struct proof_or_statement {
	const char *tag;
	const uint8_t *ctx;
	size_t ctx_len;
	const uint8_t *y;     /* PT(Y) */
	const uint8_t *alpha; /* PT(alpha) */
	const uint8_t *beta;  /* PT(beta) */
	uint32_t k;           /* |V| >= 1 */
	uint32_t v0;          /* V = (v0, v0 + 1, ..., v0 + k - 1): all the protocol uses */
};

/* Proves that the ciphertext encrypts v0 + ell with randomness r.
 * Simulated branch j draws "<label>/c<j>" and "<label>/z<j>", the real
 * branch "<label>/u".  Writes k branches to proof (k * 64 bytes). */
void proof_or_prove(const struct proof_or_statement *s, uint32_t ell, const uint8_t r[PGROUP_BYTES],
                    const struct pgroup_rng *rng, const char *label, uint8_t *proof);

/* Checks the k branches: every c_j and z_j canonical, then the challenge.
 * The points of the statement must already be decoded. */
bool proof_or_verify(const struct proof_or_statement *s, const uint8_t *proof);

#endif
