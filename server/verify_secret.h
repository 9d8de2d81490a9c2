/*
 * verify_secret.h -- the secret-mode half of the verifier engine (spec
 * §15 V4.4-5, V5, V6, V7): the key ceremony checker, weeding (no alpha
 * repeats across voters), the tally event against the recomputed
 * aggregates, and the partial decryptions, their combination and the
 * counts.  verify.c feeds it events and reports what it returns: each
 * function answers NULL when all is well, or the reason of a failure.
 */
#ifndef NGO_VOTE_VERIFY_SECRET_H
#define NGO_VOTE_VERIFY_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "protocol_manifest.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"

struct verify_secret;

struct verify_secret *verify_secret_new(const struct protocol_manifest *m,
                                        const uint8_t manifest_hash[PCRYPTO_HASH_BYTES]);
void verify_secret_free(struct verify_secret *s);

/* V5: a dkg-round<round> event, in board order. */
const char *verify_secret_dkg(struct verify_secret *s, uint32_t round, const uint8_t *data,
                              size_t len);
/* V5 at the end: every round complete. */
const char *verify_secret_dkg_finish(const struct verify_secret *s);
/* election_hash (§5) and Y, once every round-1 message is in. */
bool verify_secret_election_hash(const struct verify_secret *s, uint8_t out[PCRYPTO_HASH_BYTES]);
const uint8_t *verify_secret_y(const struct verify_secret *s);

/* V4.5 weeding: records the ballot's alphas for voter `voter`; the reason
 * when one was already cast by another voter. */
const char *verify_secret_weed(struct verify_secret *s, uint32_t voter,
                               const struct protocol_sballot *b);

/* V6: the tally event's data, compared at the end with the recomputed
 * tally_body. */
const char *verify_secret_tally_event(struct verify_secret *s, const uint8_t *data, size_t len);
/* V7: a partial-decryption event, kept for the end. */
const char *verify_secret_pdec_event(struct verify_secret *s, uint32_t n, const uint8_t *data,
                                     size_t len);

/* At the end, once the tally event was seen, with the tally of counted
 * ballots: V6 (tally event = recomputed body), V7 (every partial
 * decryption, Q, the combination, 0 <= x <= N, per-contest sums) and the
 * result the counts give (for V8).  Before the result (!result_seen) V7
 * covers only the partial decryptions published so far.  Reasons go to
 * *v6 / *v7 (NULL when passed, "" when not applicable), the event of the
 * partial decryption at fault to *v7_event (0 when the failure is not one
 * event's), the result to *out (NULL when none could be computed). */
void verify_secret_finish(struct verify_secret *s, const struct protocol_tally *t,
                          const uint8_t election_hash[PCRYPTO_HASH_BYTES], bool result_seen,
                          const char **v6, const char **v7, uint32_t *v7_event,
                          struct protocol_result **out);

/* The trustees whose partial decryptions were combined (Q), ascending. */
const uint32_t *verify_secret_q(const struct verify_secret *s, uint32_t *n_q);

#endif
