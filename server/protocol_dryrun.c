/*
 * protocol_dryrun.c -- the dry run's test ciphertexts (see the header).
 */
#include "protocol_dryrun.h"

#include <string.h>

uint32_t
protocol_dryrun_count(uint32_t c, uint32_t i)
{
	return (c + i) % 3;
}

bool
protocol_dryrun_build(const struct protocol_manifest *m,
                      const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                      const uint8_t y[PGROUP_BYTES], const struct pgroup_rng *rng,
                      struct encoding_buf *out)
{
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_le32(out, 0);
	for (uint32_t c = 0; c < m->n_contests; c++)
		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++) {
			uint8_t r[PGROUP_BYTES], a[PGROUP_BYTES], b[PGROUP_BYTES];
			uint8_t ry[PGROUP_BYTES], xg[PGROUP_BYTES];
			bool ok;

			pgroup_random(rng, r, "dry-run/c%u/i%u/r", c, i);
			pgroup_mul_base(a, r);
			ok = pgroup_mul(ry, r, y);
			sodium_memzero(r, sizeof(r));
			if (!ok)
				return false;
			pgroup_small_multiple(xg, protocol_dryrun_count(c, i));
			pgroup_add(b, xg, ry);
			encoding_buf_append(out, a, PGROUP_BYTES);
			encoding_buf_append(out, b, PGROUP_BYTES);
		}
	return !out->failed;
}

bool
protocol_dryrun_parse(const struct protocol_manifest *m,
                      const uint8_t election_hash[PCRYPTO_HASH_BYTES], const uint8_t *data,
                      size_t len, uint8_t (*ab)[PGROUP_BYTES],
                      uint8_t tally_hash[PCRYPTO_HASH_BYTES], const char **why)
{
	uint32_t total = protocol_manifest_total_candidates(m);
	size_t want = PCRYPTO_HASH_BYTES + 4 + (size_t)total * 2 * PGROUP_BYTES;
	const uint8_t *p = data + PCRYPTO_HASH_BYTES + 4;

	if (len != want) {
		*why = "dry-run data is not one ciphertext per candidate";
		return false;
	}
	if (sodium_memcmp(data, election_hash, PCRYPTO_HASH_BYTES) != 0) {
		*why = "dry-run data is for another election (election_hash)";
		return false;
	}
	if (encoding_le32_get(data + PCRYPTO_HASH_BYTES) != 0) {
		*why = "dry-run data counts ballots";
		return false;
	}
	for (uint32_t k = 0; k < 2 * total; k++, p += PGROUP_BYTES) {
		if (!pcrypto_point_decode(p)) {
			*why = "a dry-run ciphertext is not a canonical point";
			return false;
		}
		memcpy(ab[k], p, PGROUP_BYTES);
	}
	pcrypto_h64("tally", data, len, tally_hash);
	return true;
}
