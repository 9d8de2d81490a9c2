/*
 * protocol_dryrun.h -- the dry run of a secret election's decryption
 * (spec §6.1 "Dry run"; docs/secret-mode.md): before voting opens, the
 * server encrypts known counts x_{c,i} = (c + i) mod 3 under Y and every
 * trustee decrypts them with proof (§12), which catches a lost or
 * corrupted z_j while the ceremony can still be restarted.
 *
 * The published bytes are laid out like a secret-mode tally_body with
 * N = 0 and the test ciphertexts as aggregates:
 *   data = election_hash || LE32(0) || for each (c, i): PT(A) || PT(B)
 *   tally_hash = H64("tally", data)
 * A real tally with N = 0 has every aggregate O (§11) and is never
 * decrypted, so a trustee can tell the two apart; its partial
 * decryption over these bytes names this tally_hash, never a real one.
 * Pure: the server builds, the trustee tool parses, both with this code.
 */
#ifndef NGO_VOTE_PROTOCOL_DRYRUN_H
#define NGO_VOTE_PROTOCOL_DRYRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_manifest.h"

/* Counts lie in [0, PROTOCOL_DRYRUN_MAX_COUNT]: the dlog table's N. */
#define PROTOCOL_DRYRUN_MAX_COUNT 2

/* The known count of (c, i). */
uint32_t protocol_dryrun_count(uint32_t c, uint32_t i);

/* Appends the dry-run data: A = r*G, B = x*G + r*Y with a fresh r for
 * each (c, i) (rng label "dry-run/c<c>/i<i>/r"), every r wiped. */
bool protocol_dryrun_build(const struct protocol_manifest *m,
                           const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                           const uint8_t y[PGROUP_BYTES], const struct pgroup_rng *rng,
                           struct encoding_buf *out);

/* Parses dry-run data exactly against the manifest and election_hash:
 * the aggregates into ab (2 x total candidates entries, A then B, each a
 * canonical point) and tally_hash.  false with *why otherwise. */
bool protocol_dryrun_parse(const struct protocol_manifest *m,
                           const uint8_t election_hash[PCRYPTO_HASH_BYTES], const uint8_t *data,
                           size_t len, uint8_t (*ab)[PGROUP_BYTES],
                           uint8_t tally_hash[PCRYPTO_HASH_BYTES], const char **why);

#endif
