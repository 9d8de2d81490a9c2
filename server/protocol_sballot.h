/*
 * protocol_sballot.h -- secret ballots (spec §7, §9, §15 V4): exponential
 * ElGamal ciphertexts under the election key Y, a proof per selection that
 * it encrypts 0 or 1 and a proof per contest that the sum lies in
 * [min, max], all bound to the voter's key.  Build (browser-compatible,
 * for tests, tools and benchmarks), exact parse, proof verification.
 * Hash and signature are those of open ballots (protocol_ballot.h).
 */
#ifndef NGO_VOTE_PROTOCOL_SBALLOT_H
#define NGO_VOTE_PROTOCOL_SBALLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_manifest.h"
#include "protocol_proof.h"

/* One ciphertext on the wire: PT(alpha) || PT(beta). */
#define SBALLOT_CT_BYTES (2 * PGROUP_BYTES)
/* A selection: ciphertext and its two-branch proof. */
#define SBALLOT_SELECTION_BYTES (SBALLOT_CT_BYTES + 2 * PROOF_BRANCH_BYTES)

/* Pointers into the body; nothing is copied. */
struct protocol_sballot_contest {
	uint32_t n_candidates;
	const uint8_t *selections; /* n_candidates x SBALLOT_SELECTION_BYTES */
	uint32_t k;                /* range branches = max - min + 1 */
	const uint8_t *range;      /* k x PROOF_BRANCH_BYTES */
};

struct protocol_sballot {
	const uint8_t *election_hash;
	const uint8_t *voter_pk;
	uint32_t seq;
	uint32_t n_contests;
	struct protocol_sballot_contest *contests; /* [n_contests] */
};

/* alpha and beta of selection i of a parsed contest. */
const uint8_t *protocol_sballot_alpha(const struct protocol_sballot_contest *c, uint32_t i);
const uint8_t *protocol_sballot_beta(const struct protocol_sballot_contest *c, uint32_t i);

/* Parses the layout of §7.4 exactly against the manifest (n_c and K_c),
 * and decodes every point and scalar: canonical (bit 255 clear, < L) and
 * alpha, beta not O.  Proofs are not checked.  The body must outlive out;
 * free with protocol_sballot_clear(). */
enum protocol_ballot_error protocol_sballot_parse(const struct protocol_manifest *m,
                                                  const uint8_t *body, size_t len,
                                                  struct protocol_sballot *out);
void protocol_sballot_clear(struct protocol_sballot *b);

/* election_hash, roll (voter position in *voter), seq >= 1, then every
 * selection and contest proof with ctx from this ballot's own voter_pk. */
enum protocol_ballot_error protocol_sballot_validate(
    const struct protocol_manifest *m, const uint8_t election_hash[PCRYPTO_HASH_BYTES],
    const uint8_t y[PGROUP_BYTES], const struct protocol_sballot *b, int64_t *voter);

/* Only the proofs (the verifier reports them apart from the roll). */
bool protocol_sballot_proofs_verify(const struct protocol_manifest *m,
                                    const uint8_t y[PGROUP_BYTES],
                                    const struct protocol_sballot *b);

/* parse + validate + hash + signature: what the server runs on a received
 * ballot before the board-dependent checks (revote rule, weeding). */
enum protocol_ballot_error
protocol_sballot_check(const struct protocol_manifest *m,
                       const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                       const uint8_t y[PGROUP_BYTES], const uint8_t *body, size_t len,
                       const uint8_t sig[PCRYPTO_SIG_BYTES], struct protocol_sballot *out,
                       uint8_t hash_out[PCRYPTO_HASH_BYTES], int64_t *voter);

/* Encrypts choices[c][i] in {0,1} (the count per contest must lie in
 * [min, max]; false otherwise) and appends ballot_body.  Randomness is
 * drawn under "<label>/c<c>/i<i>/r", ".../c<c>/i<i>/{u,c<j>,z<j>}" and
 * ".../c<c>/range/{u,c<j>,z<j>}" (the labels of the vectors), label being
 * e.g. "ballot/ngo-a/s1".  Every r is wiped before return. */
bool protocol_sballot_build(const struct protocol_manifest *m,
                            const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                            const uint8_t y[PGROUP_BYTES], const uint8_t voter_pk[PCRYPTO_PK_BYTES],
                            uint32_t seq, const uint8_t *const *choices,
                            const struct pgroup_rng *rng, const char *label,
                            struct encoding_buf *out);

#endif
