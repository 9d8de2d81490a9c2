/*
 * protocol_ballot.c -- open ballot bodies (spec §8): build, exact parse,
 * validation against the manifest, hash and signature.  Parsing and
 * validation are separate so that the verifier can still count a ballot
 * whose only fault is, say, its signature, and report V4 alone.
 */
#include "protocol_ballot.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *text;
} ballot_errors[] = {
    [PROTOCOL_BALLOT_OK] = {"OK", "ballot is valid"},
    [PROTOCOL_BALLOT_MALFORMED] = {"MALFORMED", "ballot body does not parse"},
    [PROTOCOL_BALLOT_TRAILING_BYTES] = {"TRAILING_BYTES", "ballot body has trailing bytes"},
    [PROTOCOL_BALLOT_CONTEST_COUNT] = {"CONTEST_COUNT",
                                       "ballot #contests differs from the manifest"},
    [PROTOCOL_BALLOT_WRONG_ELECTION] = {"WRONG_ELECTION",
                                        "ballot is for another election (election_hash)"},
    [PROTOCOL_BALLOT_NOT_ON_ROLL] = {"NOT_ON_ROLL", "voter_pk is not on the roll"},
    [PROTOCOL_BALLOT_SEQ_ZERO] = {"SEQ_ZERO", "ballot seq is 0"},
    [PROTOCOL_BALLOT_COUNT_RANGE] = {"COUNT_RANGE", "number of selections outside [min, max]"},
    [PROTOCOL_BALLOT_INDEX_ORDER] = {"INDEX_ORDER", "selections not strictly increasing"},
    [PROTOCOL_BALLOT_INDEX_RANGE] = {"INDEX_RANGE", "selection index beyond the candidates"},
    [PROTOCOL_BALLOT_BAD_SIGNATURE] = {"BAD_SIGNATURE", "ballot signature does not verify"},
    [PROTOCOL_BALLOT_NO_MEMORY] = {"NO_MEMORY", "out of memory"},
    [PROTOCOL_BALLOT_SHAPE] = {"SHAPE", "candidates or proof branches differ from the manifest"},
    [PROTOCOL_BALLOT_NONCANONICAL] = {"NONCANONICAL", "a point or scalar is not canonical"},
    [PROTOCOL_BALLOT_IDENTITY] = {"IDENTITY", "a ciphertext component is the identity"},
    [PROTOCOL_BALLOT_BAD_PROOF] = {"BAD_PROOF", "a selection or contest proof does not verify"},
    [PROTOCOL_BALLOT_ALPHA_REUSED] = {"ALPHA_REUSED",
                                      "a ciphertext was already cast by another voter"},
};

const char *
protocol_ballot_error_name(enum protocol_ballot_error e)
{
	if ((size_t)e >= sizeof(ballot_errors) / sizeof(ballot_errors[0]))
		return "UNKNOWN";
	return ballot_errors[e].name;
}

const char *
protocol_ballot_error_text(enum protocol_ballot_error e)
{
	if ((size_t)e >= sizeof(ballot_errors) / sizeof(ballot_errors[0]))
		return "unknown ballot error";
	return ballot_errors[e].text;
}

void
protocol_ballot_build(const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                      const uint8_t voter_pk[PCRYPTO_PK_BYTES], uint32_t seq, uint32_t n_contests,
                      const uint32_t *counts, const uint32_t *const *indices,
                      struct encoding_buf *out)
{
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_append(out, voter_pk, PCRYPTO_PK_BYTES);
	encoding_buf_le32(out, seq);
	encoding_buf_le32(out, n_contests);
	for (uint32_t c = 0; c < n_contests; c++) {
		encoding_buf_le32(out, counts[c]);
		for (uint32_t k = 0; k < counts[c]; k++)
			encoding_buf_le32(out, indices[c][k]);
	}
}

void
protocol_ballot_clear(struct protocol_ballot *b)
{
	free(b->storage_);
	memset(b, 0, sizeof(*b));
}

enum protocol_ballot_error
protocol_ballot_parse(const struct protocol_manifest *m, const uint8_t *body, size_t len,
                      struct protocol_ballot *out)
{
	struct encoding_reader r;
	size_t total, n_idx, off;
	uint8_t *mem;
	uint32_t *idx;

	memset(out, 0, sizeof(*out));
	if (len < PROTOCOL_BALLOT_HEADER_BYTES)
		return PROTOCOL_BALLOT_MALFORMED;
	encoding_reader_init(&r, body, len);
	memcpy(out->election_hash, encoding_read_bytes(&r, PCRYPTO_HASH_BYTES), PCRYPTO_HASH_BYTES);
	memcpy(out->voter_pk, encoding_read_bytes(&r, PCRYPTO_PK_BYTES), PCRYPTO_PK_BYTES);
	out->seq = encoding_read_le32(&r);
	out->n_contests = encoding_read_le32(&r);
	if (out->n_contests != m->n_contests)
		return PROTOCOL_BALLOT_CONTEST_COUNT;
	/* Each contest takes 4 bytes for its count plus 4 per index; every index
	 * takes 4 bytes of the body, which bounds the allocation. */
	if ((len - r.off) / 4 < out->n_contests)
		return PROTOCOL_BALLOT_MALFORMED;
	n_idx = (len - r.off) / 4 - out->n_contests;
	total =
	    out->n_contests * (sizeof(uint32_t) + sizeof(uint32_t *)) + n_idx * sizeof(uint32_t);
	mem = malloc(total + 1);
	if (mem == NULL)
		return PROTOCOL_BALLOT_NO_MEMORY;
	out->storage_ = mem;
	out->index = (uint32_t **)(void *)mem;
	out->count = (uint32_t *)(void *)(mem + out->n_contests * sizeof(uint32_t *));
	idx = out->count + out->n_contests;
	off = 0;
	for (uint32_t c = 0; c < out->n_contests; c++) {
		uint32_t k = encoding_read_le32(&r);

		if (r.failed || k > n_idx - off) { /* room left for indices, not counts */
			protocol_ballot_clear(out);
			return PROTOCOL_BALLOT_MALFORMED;
		}
		out->count[c] = k;
		out->index[c] = idx + off;
		for (uint32_t i = 0; i < k; i++)
			idx[off + i] = encoding_read_le32(&r);
		off += k;
	}
	if (r.failed) {
		protocol_ballot_clear(out);
		return PROTOCOL_BALLOT_MALFORMED;
	}
	if (!encoding_reader_done(&r)) {
		protocol_ballot_clear(out);
		return PROTOCOL_BALLOT_TRAILING_BYTES;
	}
	return PROTOCOL_BALLOT_OK;
}

enum protocol_ballot_error
protocol_ballot_validate(const struct protocol_manifest *m,
                         const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                         const struct protocol_ballot *b, int64_t *voter)
{
	int64_t v;

	if (voter != NULL)
		*voter = -1;
	if (b->n_contests != m->n_contests)
		return PROTOCOL_BALLOT_CONTEST_COUNT;
	if (sodium_memcmp(b->election_hash, election_hash, PCRYPTO_HASH_BYTES) != 0)
		return PROTOCOL_BALLOT_WRONG_ELECTION;
	v = protocol_manifest_voter_find(m, b->voter_pk);
	if (v < 0)
		return PROTOCOL_BALLOT_NOT_ON_ROLL;
	if (voter != NULL)
		*voter = v;
	if (b->seq == 0)
		return PROTOCOL_BALLOT_SEQ_ZERO;
	for (uint32_t c = 0; c < b->n_contests; c++) {
		const struct protocol_contest *k = &m->contests[c];

		if (b->count[c] < k->min || b->count[c] > k->max)
			return PROTOCOL_BALLOT_COUNT_RANGE;
		for (uint32_t i = 0; i < b->count[c]; i++) {
			if (i > 0 && b->index[c][i] <= b->index[c][i - 1])
				return PROTOCOL_BALLOT_INDEX_ORDER;
			if (b->index[c][i] >= k->n_candidates)
				return PROTOCOL_BALLOT_INDEX_RANGE;
		}
	}
	return PROTOCOL_BALLOT_OK;
}

void
protocol_ballot_hash(const uint8_t *body, size_t len, uint8_t out[PCRYPTO_HASH_BYTES])
{
	pcrypto_h64("ballot", body, len, out);
}

bool
protocol_ballot_sign(const uint8_t sk[PCRYPTO_SK_BYTES],
                     const uint8_t ballot_hash[PCRYPTO_HASH_BYTES], uint8_t sig[PCRYPTO_SIG_BYTES])
{
	return pcrypto_sign_digest(sk, "ballot", ballot_hash, sig);
}

bool
protocol_ballot_verify_sig(const uint8_t voter_pk[PCRYPTO_PK_BYTES],
                           const uint8_t ballot_hash[PCRYPTO_HASH_BYTES],
                           const uint8_t sig[PCRYPTO_SIG_BYTES])
{
	return pcrypto_verify_digest(voter_pk, "ballot", ballot_hash, sig);
}

enum protocol_ballot_error
protocol_ballot_check(const struct protocol_manifest *m,
                      const uint8_t election_hash[PCRYPTO_HASH_BYTES], const uint8_t *body,
                      size_t len, const uint8_t sig[PCRYPTO_SIG_BYTES], struct protocol_ballot *out,
                      uint8_t hash_out[PCRYPTO_HASH_BYTES], int64_t *voter)
{
	enum protocol_ballot_error e;

	e = protocol_ballot_parse(m, body, len, out);
	if (e != PROTOCOL_BALLOT_OK)
		return e;
	e = protocol_ballot_validate(m, election_hash, out, voter);
	if (e != PROTOCOL_BALLOT_OK)
		goto out;
	protocol_ballot_hash(body, len, hash_out);
	if (!protocol_ballot_verify_sig(out->voter_pk, hash_out, sig))
		e = PROTOCOL_BALLOT_BAD_SIGNATURE;
out:
	if (e != PROTOCOL_BALLOT_OK)
		protocol_ballot_clear(out);
	return e;
}
