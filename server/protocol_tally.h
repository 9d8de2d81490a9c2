/*
 * protocol_tally.h -- the counted set, counts, winners and the tie-break
 * by lot (spec §11), for open mode.  Incremental: ballots are offered one
 * at a time in board order and memory grows with voters x candidates,
 * never with the number of ballots, so the verifier can stream a board of
 * any length and the server can compute the `result` event at close time
 * with the same code.
 */
#ifndef NGO_VOTE_PROTOCOL_TALLY_H
#define NGO_VOTE_PROTOCOL_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_manifest.h"
#include "protocol_sballot.h"

struct protocol_tally;

struct protocol_contest_result {
	uint32_t n_candidates;
	uint32_t *counts; /* x_{c,i} */
	uint32_t n_elected;
	uint32_t *elected; /* candidate indices, in elected order */
	uint8_t lot;
};

/* A result: computed by protocol_tally_finish() or parsed from a
 * `result` event by protocol_result_parse() (then `seed` is zero). */
struct protocol_result {
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	uint8_t tally_hash[PCRYPTO_HASH_BYTES];
	uint8_t seed[PCRYPTO_HASH_BYTES]; /* tie-break seed */
	uint32_t n_counted;               /* N */
	uint32_t n_q;                     /* |Q|, 0 in open mode */
	uint32_t *q;
	uint32_t n_contests;
	struct protocol_contest_result *contests;
	uint8_t *body; /* result_body */
	size_t body_len;
};

/* The manifest must outlive the tally. */
struct protocol_tally *protocol_tally_new(const struct protocol_manifest *m);
void protocol_tally_free(struct protocol_tally *t);

/* Offers the ballot of event `event_n` from roll position `voter`.  It
 * replaces the voter's counted ballot when its seq is higher (the counted
 * set of §11: the highest seq; with revote = 0 the only one).  Indices
 * >= n_c are ignored: the validity of a ballot is V4's business. */
void protocol_tally_add(struct protocol_tally *t, uint32_t voter, uint32_t event_n,
                        const struct protocol_ballot *b,
                        const uint8_t ballot_hash[PCRYPTO_HASH_BYTES]);
/* Secret mode: the same rule; the counted ballot's ciphertexts are kept
 * per voter (64 bytes x candidates) to aggregate them at the end. */
void protocol_tally_add_secret(struct protocol_tally *t, uint32_t voter, uint32_t event_n,
                               const struct protocol_sballot *b,
                               const uint8_t ballot_hash[PCRYPTO_HASH_BYTES]);
/* Secret mode: A_{c,i} = sum alpha, B_{c,i} = sum beta over the counted
 * ballots; ab[2k] = A, ab[2k+1] = B for (c, i) = k in manifest order
 * (2 x total candidates entries).  All O when N = 0. */
bool protocol_tally_aggregates(const struct protocol_tally *t, uint8_t (*ab)[PGROUP_BYTES]);
/* Highest seq offered for this voter so far, 0 if none. */
uint32_t protocol_tally_voter_seq(const struct protocol_tally *t, uint32_t voter);
/* N so far. */
uint32_t protocol_tally_counted(const struct protocol_tally *t);

/* tally_body = election_hash || LE32(N) || counted ballot hashes in event
 * order [secret mode: || PT(A_{c,i}) || PT(B_{c,i}) for each c, i]. */
bool protocol_tally_body(const struct protocol_tally *t,
                         const uint8_t election_hash[PCRYPTO_HASH_BYTES], struct encoding_buf *out);
/* Counts, tally_hash, tie-break, elected, lot and result_body. */
bool protocol_tally_finish(const struct protocol_tally *t,
                           const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                           struct protocol_result **out);

/* Secret mode: the result from decrypted counts (flattened per (c, i))
 * and the decrypting set Q (ascending). */
bool protocol_tally_finish_counts(const struct protocol_tally *t,
                                  const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                                  const uint32_t *counts, const uint32_t *q, uint32_t n_q,
                                  struct protocol_result **out);
/* key_{c,i} = H64("tiebreak", seed || LE32(c) || LE32(i)). */
void protocol_tiebreak_key(const uint8_t seed[PCRYPTO_HASH_BYTES], uint32_t c, uint32_t i,
                           uint8_t out[PCRYPTO_HASH_BYTES]);

/* Parses a result_body exactly against the manifest's contests. */
bool protocol_result_parse(const struct protocol_manifest *m, const uint8_t *data, size_t len,
                           struct protocol_result **out, const char **why);
void protocol_result_free(struct protocol_result *r);

#endif
