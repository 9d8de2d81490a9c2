/*
 * protocol_dkg.h -- the trustees' t-of-n key ceremony (spec §6): the
 * messages R0-R3 (build and exact parse), the encrypted shares and the
 * Feldman check, and a ceremony checker that takes the signed messages in
 * board order and runs every check of V5 on them.  The server uses the
 * checker to accept or refuse a trustee's message, the trustee tool to
 * read the others', the verifier for V5: one implementation.
 *
 * Messages are exchanged as `body || signature` (the `data` of the
 * dkg-round<r> events, §10), signed with the trustee's manifest key under
 * T = "dkg-round<r>".
 */
#ifndef NGO_VOTE_PROTOCOL_DKG_H
#define NGO_VOTE_PROTOCOL_DKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_manifest.h"

#define DKG_ROUNDS 4
/* The largest threshold this implementation handles (recommended: 2-3). */
#define DKG_MAX_THRESHOLD 64

/* A trustee's round-1 secrets: kept by the trustee until round 3, then
 * wiped (protocol_dkg_secrets_wipe). */
struct protocol_dkg_secrets {
	uint32_t t;
	uint8_t a[DKG_MAX_THRESHOLD][PGROUP_BYTES]; /* a_{d,0..t-1} */
	uint8_t e[PGROUP_BYTES];                    /* transport key e_d */
};

void protocol_dkg_secrets_wipe(struct protocol_dkg_secrets *s);

/* "dkg-round0" .. "dkg-round3" (the event type and the signing type). */
const char *protocol_dkg_round_type(uint32_t round);

/* ---- building (trustee d, 1-based) ----
 * Each appends the signed message body || sig to out.  rng labels are
 * those of the vectors: dkg/T<d>/a<k>, /u<k>, /e, /uE, /to<j>/rho,
 * dkg/T<j>/share-u. */

/* Round 1 first (R0 commits to it): fresh a_{d,k}, e_d, the batched PoK. */
bool protocol_dkg_r1_build(const struct protocol_manifest *m,
                           const uint8_t manifest_hash[PCRYPTO_HASH_BYTES], uint32_t d,
                           const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                           struct protocol_dkg_secrets *secrets, struct encoding_buf *out);
/* R0_d = manifest_hash || LE32(d) || H64("dkg-round1", R1_d body). */
bool protocol_dkg_r0_build(const uint8_t manifest_hash[PCRYPTO_HASH_BYTES], uint32_t d,
                           const uint8_t *r1_signed, size_t r1_len,
                           const uint8_t sk[PCRYPTO_SK_BYTES], struct encoding_buf *out);

struct protocol_dkg; /* the ceremony checker, below */

/* Round 2: shares f_d(j) for every j != d, encrypted to E_j.  Needs every
 * R1 accepted by the checker. */
bool protocol_dkg_r2_build(const struct protocol_dkg *k, uint32_t d,
                           const struct protocol_dkg_secrets *secrets,
                           const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                           struct encoding_buf *out);

/* Recipient j: decrypts the share dealer d sent it and runs the Feldman
 * check.  Needs every R2 accepted.  false with *why on failure (then
 * dealer d is faulty: a complaint or a restart follows). */
bool protocol_dkg_share_open(const struct protocol_dkg *k, uint32_t d, uint32_t j,
                             const uint8_t e_j[PGROUP_BYTES], uint8_t s_out[PGROUP_BYTES],
                             const char **why);

/* Round 3: z_j = sum of the shares (its own f_j(j) included), checked
 * against Z_j from the commitments, and the share PoK.  z_out receives
 * z_j (the trustee's long-term secret). */
bool protocol_dkg_r3_build(const struct protocol_dkg *k, uint32_t j,
                           const struct protocol_dkg_secrets *secrets,
                           const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                           uint8_t z_out[PGROUP_BYTES], struct encoding_buf *out, const char **why);

/* ---- checking ---- */

/* The manifest must outlive the checker. */
struct protocol_dkg *protocol_dkg_new(const struct protocol_manifest *m,
                                      const uint8_t manifest_hash[PCRYPTO_HASH_BYTES]);
void protocol_dkg_free(struct protocol_dkg *k);

/* Offers the next message of round `round` (0..3).  Checks: exact
 * layout, manifest_hash, trustee index in 1..n and not yet seen in this
 * round, every earlier round complete, the trustee's signature; R1: its
 * R0 matches, every C and E canonical and not O, the PoK; R2: the
 * R1hashes, one share for every j != d in ascending order, R canonical;
 * R3: the R1hashes, Y and every Z_j equal to those recomputed, the share
 * PoK.  On success *trustee (may be NULL) is d; on failure nothing is
 * recorded, *why is a static sentence and *trustee the claimed index (0
 * if unknown). */
bool protocol_dkg_add(struct protocol_dkg *k, uint32_t round, const uint8_t *data, size_t len,
                      uint32_t *trustee, const char **why);

/* Messages accepted so far in a round; whether trustee d sent one. */
uint32_t protocol_dkg_count(const struct protocol_dkg *k, uint32_t round);
bool protocol_dkg_has(const struct protocol_dkg *k, uint32_t round, uint32_t d);
/* The round now expected (0..3), or 4 when the ceremony is complete. */
uint32_t protocol_dkg_round(const struct protocol_dkg *k);
bool protocol_dkg_complete(const struct protocol_dkg *k);

/* Public values once round 1 is complete (Y, Z_j, commitments) and
 * election_hash (§5) -- all false/NULL before. */
const uint8_t *protocol_dkg_y(const struct protocol_dkg *k);
const uint8_t *protocol_dkg_z(const struct protocol_dkg *k, uint32_t j);
const uint8_t *protocol_dkg_commitment(const struct protocol_dkg *k, uint32_t d, uint32_t kk);
const uint8_t *protocol_dkg_transport_key(const struct protocol_dkg *k, uint32_t d);
bool protocol_dkg_election_hash(const struct protocol_dkg *k, uint8_t out[PCRYPTO_HASH_BYTES]);

/* election_hash = H64("election", manifest_hash || u8(2) || PT(Y) || every
 * C_{d,k}), from arrays: commitments[(d-1)*t + k]. */
void protocol_election_hash_secret(const uint8_t manifest_hash[PCRYPTO_HASH_BYTES],
                                   const uint8_t y[PGROUP_BYTES], uint32_t n, uint32_t t,
                                   const uint8_t (*commitments)[PGROUP_BYTES],
                                   uint8_t out[PCRYPTO_HASH_BYTES]);

/* Z_j = sum_d sum_k (j^k mod L) * C_{d,k}. */
void protocol_dkg_verification_key(uint32_t j, uint32_t n, uint32_t t,
                                   const uint8_t (*commitments)[PGROUP_BYTES],
                                   uint8_t out[PGROUP_BYTES]);

#endif
