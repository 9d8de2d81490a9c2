/*
 * protocol_decrypt.h -- secret-mode tally decryption (spec §12, §13):
 * a trustee's partial decryption D = z_j*A with its Chaum-Pedersen proof
 * (build, exact parse, verify), Lagrange coefficients at 0, combination
 * and the discrete log by table.
 *
 * Aggregates are passed as an array of (A, B) pairs, one per (c, i) in
 * manifest order: ab[2 * k] = A, ab[2 * k + 1] = B.
 */
#ifndef NGO_VOTE_PROTOCOL_DECRYPT_H
#define NGO_VOTE_PROTOCOL_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_manifest.h"

/* The largest decrypting set Q (t trustees) handled. */
#define DKG_Q_MAX 64

/* One (c, i) of a partial decryption: PT(D) || SC(ch) || SC(z). */
#define PDEC_ITEM_BYTES (3 * PGROUP_BYTES)

struct protocol_pdec {
	const uint8_t *election_hash;
	uint32_t j;
	const uint8_t *tally_hash;
	uint32_t n_items;     /* total candidates */
	const uint8_t *items; /* n_items x PDEC_ITEM_BYTES */
	const uint8_t *sig;
};

/* Builds PD_j over the aggregates and appends PD_j || sig (type
 * "partial-decryption").  rng label "decrypt/T<j>/c<c>/i<i>/u". */
bool protocol_pdec_build(const struct protocol_manifest *m,
                         const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t j,
                         const uint8_t z_j[PGROUP_BYTES],
                         const uint8_t tally_hash[PCRYPTO_HASH_BYTES],
                         const uint8_t (*ab)[PGROUP_BYTES], const uint8_t sk[PCRYPTO_SK_BYTES],
                         const struct pgroup_rng *rng, struct encoding_buf *out);

/* Parses PD_j || sig exactly against the manifest (every D canonical,
 * every ch and z < L).  Pointers into data. */
bool protocol_pdec_parse(const struct protocol_manifest *m, const uint8_t *data, size_t len,
                         struct protocol_pdec *out, const char **why);

/* election_hash, tally_hash, j in 1..n, the trustee's signature and every
 * proof against Z_j and the aggregates. */
bool protocol_pdec_verify(const struct protocol_manifest *m,
                          const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                          const uint8_t tally_hash[PCRYPTO_HASH_BYTES],
                          const uint8_t z_j[PGROUP_BYTES], const uint8_t (*ab)[PGROUP_BYTES],
                          const struct protocol_pdec *p, const char **why);

/* One proof (§12), exposed for the vectors' edge case A = B = O. */
bool protocol_pdec_item_verify(const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t j,
                               const uint8_t z_j_pub[PGROUP_BYTES], uint32_t c, uint32_t i,
                               const uint8_t a[PGROUP_BYTES], const uint8_t b[PGROUP_BYTES],
                               const uint8_t *item);

/* lambda_j for the set q (distinct indices; false if not). */
bool protocol_lagrange(const uint32_t *q, uint32_t n_q, uint32_t j, uint8_t out[PGROUP_BYTES]);

/* Combines the partial decryptions pdecs[0..n_q) (their j ascending, the
 * set Q) and finds every x in [0, n_counted]: counts[k] for (c, i) = k.
 * false with *why when a count is not found (decryption is wrong). */
bool protocol_decrypt_combine(uint32_t n_items, const uint8_t (*ab)[PGROUP_BYTES],
                              const struct protocol_pdec *pdecs, uint32_t n_q, uint32_t n_counted,
                              uint32_t *counts, const char **why);

#endif
