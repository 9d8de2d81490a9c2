/*
 * protocol_ballot.h -- open ballots (spec §8, §9, §15 V4): building a
 * ballot body from selections, parsing one exactly against the manifest,
 * validating it, its hash (the voter's tracking code) and signature.
 * Every rejection has its own code so that the HTTP layer can map it to
 * an API error and the verifier can say what was wrong.
 */
#ifndef NGO_VOTE_PROTOCOL_BALLOT_H
#define NGO_VOTE_PROTOCOL_BALLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "encoding.h"
#include "protocol_manifest.h"

/* Fixed prefix: election_hash || voter_pk || LE32(seq) || LE32(#contests). */
#define PROTOCOL_BALLOT_HEADER_BYTES (PCRYPTO_HASH_BYTES + PCRYPTO_PK_BYTES + 8)

enum protocol_ballot_error {
	PROTOCOL_BALLOT_OK = 0,
	PROTOCOL_BALLOT_MALFORMED,      /* too short / counts exceed the body */
	PROTOCOL_BALLOT_TRAILING_BYTES, /* bytes left after the last contest */
	PROTOCOL_BALLOT_CONTEST_COUNT,  /* #contests differs from the manifest */
	PROTOCOL_BALLOT_WRONG_ELECTION, /* election_hash differs */
	PROTOCOL_BALLOT_NOT_ON_ROLL,    /* voter_pk not in the manifest */
	PROTOCOL_BALLOT_SEQ_ZERO,       /* seq = 0 */
	PROTOCOL_BALLOT_COUNT_RANGE,    /* count_c outside [min, max] */
	PROTOCOL_BALLOT_INDEX_ORDER,    /* indices not strictly increasing */
	PROTOCOL_BALLOT_INDEX_RANGE,    /* an index >= n_c */
	PROTOCOL_BALLOT_BAD_SIGNATURE,  /* Ed25519 verification failed */
	PROTOCOL_BALLOT_NO_MEMORY,
	/* Secret ballots (§7) */
	PROTOCOL_BALLOT_SHAPE,        /* n_c or K_c differs from the manifest */
	PROTOCOL_BALLOT_NONCANONICAL, /* a point or scalar not canonical (P1, P4) */
	PROTOCOL_BALLOT_IDENTITY,     /* an alpha or beta is the identity */
	PROTOCOL_BALLOT_BAD_PROOF,    /* a selection or contest proof fails */
	PROTOCOL_BALLOT_ALPHA_REUSED, /* an alpha already cast by another voter (weeding) */
};

/* "MALFORMED", "WRONG_ELECTION", ... (static strings). */
const char *protocol_ballot_error_name(enum protocol_ballot_error e);
/* A short English sentence for reports. */
const char *protocol_ballot_error_text(enum protocol_ballot_error e);

/* A parsed open ballot.  `index` points into `storage_`. */
struct protocol_ballot {
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	uint8_t voter_pk[PCRYPTO_PK_BYTES];
	uint32_t seq;
	uint32_t n_contests;
	uint32_t *count;  /* [n_contests] */
	uint32_t **index; /* [n_contests][count[c]] */
	void *storage_;
};

/* Builds ballot_body (§8) from selections: counts[c] and indices[c][k].
 * Does not validate them (tests build invalid ballots on purpose). */
void protocol_ballot_build(const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                           const uint8_t voter_pk[PCRYPTO_PK_BYTES], uint32_t seq,
                           uint32_t n_contests, const uint32_t *counts,
                           const uint32_t *const *indices, struct encoding_buf *out);

/* Parses the layout exactly: no bytes may remain, #contests must equal the
 * manifest's.  On success the caller frees with protocol_ballot_clear(). */
enum protocol_ballot_error protocol_ballot_parse(const struct protocol_manifest *m,
                                                 const uint8_t *body, size_t len,
                                                 struct protocol_ballot *out);
void protocol_ballot_clear(struct protocol_ballot *b);

/* Checks the parsed ballot against the manifest: election_hash, roll
 * (returns the voter position in *voter, may be NULL), seq >= 1, counts in
 * [min, max], indices strictly increasing and < n_c.  Needs a decoded
 * manifest (voter index). */
enum protocol_ballot_error protocol_ballot_validate(const struct protocol_manifest *m,
                                                    const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                                                    const struct protocol_ballot *b,
                                                    int64_t *voter);

/* ballot_hash = H64("ballot", body). */
void protocol_ballot_hash(const uint8_t *body, size_t len, uint8_t out[PCRYPTO_HASH_BYTES]);
/* signature = Ed25519(sk, DS("sig") || STR("ballot") || ballot_hash). */
bool protocol_ballot_sign(const uint8_t sk[PCRYPTO_SK_BYTES],
                          const uint8_t ballot_hash[PCRYPTO_HASH_BYTES],
                          uint8_t sig[PCRYPTO_SIG_BYTES]);
bool protocol_ballot_verify_sig(const uint8_t voter_pk[PCRYPTO_PK_BYTES],
                                const uint8_t ballot_hash[PCRYPTO_HASH_BYTES],
                                const uint8_t sig[PCRYPTO_SIG_BYTES]);

/* Everything the server checks on a received ballot except the revote
 * rule and duplicates (which need the board): parse, validate, hash,
 * signature.  On PROTOCOL_BALLOT_OK, *out holds the ballot (clear it),
 * hash_out the ballot_hash, *voter the roll position.  On error *out is
 * cleared already. */
enum protocol_ballot_error
protocol_ballot_check(const struct protocol_manifest *m,
                      const uint8_t election_hash[PCRYPTO_HASH_BYTES], const uint8_t *body,
                      size_t len, const uint8_t sig[PCRYPTO_SIG_BYTES], struct protocol_ballot *out,
                      uint8_t hash_out[PCRYPTO_HASH_BYTES], int64_t *voter);

#endif
