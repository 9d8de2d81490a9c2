/*
 * protocol_sballot.c -- secret ballot bodies (spec §7.2-7.4).
 */
#include "protocol_sballot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTX_SEL_BYTES (PCRYPTO_HASH_BYTES + PCRYPTO_PK_BYTES + 8)

const uint8_t *
protocol_sballot_alpha(const struct protocol_sballot_contest *c, uint32_t i)
{
	return c->selections + (size_t)i * SBALLOT_SELECTION_BYTES;
}

const uint8_t *
protocol_sballot_beta(const struct protocol_sballot_contest *c, uint32_t i)
{
	return c->selections + (size_t)i * SBALLOT_SELECTION_BYTES + PGROUP_BYTES;
}

void
protocol_sballot_clear(struct protocol_sballot *b)
{
	free(b->contests);
	memset(b, 0, sizeof(*b));
}

static bool
scalars_canonical(const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!pcrypto_scalar_decode(p + k * PGROUP_BYTES))
			return false;
	return true;
}

enum protocol_ballot_error
protocol_sballot_parse(const struct protocol_manifest *m, const uint8_t *body, size_t len,
                       struct protocol_sballot *out)
{
	struct encoding_reader r;
	enum protocol_ballot_error e = PROTOCOL_BALLOT_OK;

	memset(out, 0, sizeof(*out));
	encoding_reader_init(&r, body, len);
	out->election_hash = encoding_read_bytes(&r, PCRYPTO_HASH_BYTES);
	out->voter_pk = encoding_read_bytes(&r, PCRYPTO_PK_BYTES);
	out->seq = encoding_read_le32(&r);
	out->n_contests = encoding_read_le32(&r);
	if (r.failed)
		return PROTOCOL_BALLOT_MALFORMED;
	if (out->n_contests != m->n_contests)
		return PROTOCOL_BALLOT_CONTEST_COUNT;
	out->contests = calloc(m->n_contests, sizeof(*out->contests));
	if (out->contests == NULL)
		return PROTOCOL_BALLOT_NO_MEMORY;
	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *k = &m->contests[c];
		struct protocol_sballot_contest *sc = &out->contests[c];

		sc->n_candidates = encoding_read_le32(&r);
		if (r.failed) {
			e = PROTOCOL_BALLOT_MALFORMED;
			goto fail;
		}
		if (sc->n_candidates != k->n_candidates) {
			e = PROTOCOL_BALLOT_SHAPE;
			goto fail;
		}
		sc->selections =
		    encoding_read_bytes(&r, (size_t)sc->n_candidates * SBALLOT_SELECTION_BYTES);
		sc->k = encoding_read_le32(&r);
		if (r.failed) {
			e = PROTOCOL_BALLOT_MALFORMED;
			goto fail;
		}
		if (sc->k != k->max - k->min + 1) {
			e = PROTOCOL_BALLOT_SHAPE;
			goto fail;
		}
		sc->range = encoding_read_bytes(&r, (size_t)sc->k * PROOF_BRANCH_BYTES);
		if (r.failed) {
			e = PROTOCOL_BALLOT_MALFORMED;
			goto fail;
		}
	}
	if (!encoding_reader_done(&r)) {
		e = PROTOCOL_BALLOT_TRAILING_BYTES;
		goto fail;
	}
	/* Decoding rules of §2 on every value: identity policy for alpha and
	 * beta, canonical proof scalars. */
	for (uint32_t c = 0; c < out->n_contests; c++) {
		const struct protocol_sballot_contest *sc = &out->contests[c];

		for (uint32_t i = 0; i < sc->n_candidates; i++) {
			const uint8_t *s = sc->selections + (size_t)i * SBALLOT_SELECTION_BYTES;

			if (!pcrypto_point_decode(s) || !pcrypto_point_decode(s + PGROUP_BYTES) ||
			    !scalars_canonical(s + SBALLOT_CT_BYTES, 4)) {
				e = PROTOCOL_BALLOT_NONCANONICAL;
				goto fail;
			}
			if (pgroup_is_identity(s) || pgroup_is_identity(s + PGROUP_BYTES)) {
				e = PROTOCOL_BALLOT_IDENTITY;
				goto fail;
			}
		}
		if (!scalars_canonical(sc->range, (size_t)sc->k * 2)) {
			e = PROTOCOL_BALLOT_NONCANONICAL;
			goto fail;
		}
	}
	return PROTOCOL_BALLOT_OK;
fail:
	protocol_sballot_clear(out);
	return e;
}

static void
ctx_selection(uint8_t ctx[CTX_SEL_BYTES], const uint8_t *election_hash, const uint8_t *voter_pk,
              uint32_t c, uint32_t i)
{
	memcpy(ctx, election_hash, PCRYPTO_HASH_BYTES);
	memcpy(ctx + PCRYPTO_HASH_BYTES, voter_pk, PCRYPTO_PK_BYTES);
	encoding_le32_put(ctx + PCRYPTO_HASH_BYTES + PCRYPTO_PK_BYTES, c);
	encoding_le32_put(ctx + PCRYPTO_HASH_BYTES + PCRYPTO_PK_BYTES + 4, i);
}

/* ctx_con = election_hash || voter_pk || LE32(c) || LE32(n_c) || every
 * (alpha_i, beta_i); cts is n_c ciphertexts at a stride. */
static uint8_t *
ctx_contest(const uint8_t *election_hash, const uint8_t *voter_pk, uint32_t c, uint32_t n_c,
            const uint8_t *cts, size_t stride, size_t *len)
{
	uint8_t *ctx;

	*len = CTX_SEL_BYTES + (size_t)n_c * SBALLOT_CT_BYTES;
	ctx = malloc(*len);
	if (ctx == NULL)
		return NULL;
	ctx_selection(ctx, election_hash, voter_pk, c, n_c);
	for (uint32_t i = 0; i < n_c; i++)
		memcpy(ctx + CTX_SEL_BYTES + (size_t)i * SBALLOT_CT_BYTES, cts + (size_t)i * stride,
		       SBALLOT_CT_BYTES);
	return ctx;
}

/* OR["ballot/selection", ctx_sel](Y, alpha, beta, V = (0, 1)) of §7.2;
 * sel points at alpha || beta. */
static struct proof_or_statement
selection_statement(const uint8_t ctx[CTX_SEL_BYTES], const uint8_t *y, const uint8_t *sel)
{
	return (struct proof_or_statement){
	    .tag = "ballot/selection",
	    .ctx = ctx,
	    .ctx_len = CTX_SEL_BYTES,
	    .y = y,
	    .alpha = sel,
	    .beta = sel + PGROUP_BYTES,
	    .k = 2,
	    .v0 = 0,
	};
}

/* OR["ballot/contest", ctx_con](Y, A, B, V = (min..max)) of §7.3. */
static struct proof_or_statement
contest_statement(const uint8_t *ctx, size_t ctx_len, const uint8_t *y, const uint8_t *a,
                  const uint8_t *b, uint32_t k, uint32_t min)
{
	return (struct proof_or_statement){
	    .tag = "ballot/contest",
	    .ctx = ctx,
	    .ctx_len = ctx_len,
	    .y = y,
	    .alpha = a,
	    .beta = b,
	    .k = k,
	    .v0 = min,
	};
}

static void
contest_aggregate(const struct protocol_sballot_contest *sc, uint8_t a[PGROUP_BYTES],
                  uint8_t b[PGROUP_BYTES])
{
	memset(a, 0, PGROUP_BYTES);
	memset(b, 0, PGROUP_BYTES);
	for (uint32_t i = 0; i < sc->n_candidates; i++) {
		pgroup_add(a, a, protocol_sballot_alpha(sc, i));
		pgroup_add(b, b, protocol_sballot_beta(sc, i));
	}
}

bool
protocol_sballot_proofs_verify(const struct protocol_manifest *m, const uint8_t y[PGROUP_BYTES],
                               const struct protocol_sballot *b)
{
	uint8_t ctx[CTX_SEL_BYTES];

	for (uint32_t c = 0; c < b->n_contests; c++) {
		const struct protocol_sballot_contest *sc = &b->contests[c];
		const struct protocol_contest *k = &m->contests[c];
		uint8_t a[PGROUP_BYTES], bb[PGROUP_BYTES], *cctx;
		size_t cctx_len;
		bool ok;

		for (uint32_t i = 0; i < sc->n_candidates; i++) {
			const uint8_t *s = sc->selections + (size_t)i * SBALLOT_SELECTION_BYTES;
			struct proof_or_statement st = selection_statement(ctx, y, s);

			ctx_selection(ctx, b->election_hash, b->voter_pk, c, i);
			if (!proof_or_verify(&st, s + SBALLOT_CT_BYTES))
				return false;
		}
		contest_aggregate(sc, a, bb);
		cctx = ctx_contest(b->election_hash, b->voter_pk, c, sc->n_candidates,
		                   sc->selections, SBALLOT_SELECTION_BYTES, &cctx_len);
		if (cctx == NULL)
			return false;
		struct proof_or_statement st =
		    contest_statement(cctx, cctx_len, y, a, bb, sc->k, k->min);
		ok = proof_or_verify(&st, sc->range);
		free(cctx);
		if (!ok)
			return false;
	}
	return true;
}

enum protocol_ballot_error
protocol_sballot_validate(const struct protocol_manifest *m,
                          const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                          const uint8_t y[PGROUP_BYTES], const struct protocol_sballot *b,
                          int64_t *voter)
{
	int64_t pos;

	if (sodium_memcmp(b->election_hash, election_hash, PCRYPTO_HASH_BYTES) != 0)
		return PROTOCOL_BALLOT_WRONG_ELECTION;
	pos = protocol_manifest_voter_find(m, b->voter_pk);
	if (pos < 0)
		return PROTOCOL_BALLOT_NOT_ON_ROLL;
	if (voter != NULL)
		*voter = pos;
	if (b->seq == 0)
		return PROTOCOL_BALLOT_SEQ_ZERO;
	if (!protocol_sballot_proofs_verify(m, y, b))
		return PROTOCOL_BALLOT_BAD_PROOF;
	return PROTOCOL_BALLOT_OK;
}

enum protocol_ballot_error
protocol_sballot_check(const struct protocol_manifest *m,
                       const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                       const uint8_t y[PGROUP_BYTES], const uint8_t *body, size_t len,
                       const uint8_t sig[PCRYPTO_SIG_BYTES], struct protocol_sballot *out,
                       uint8_t hash_out[PCRYPTO_HASH_BYTES], int64_t *voter)
{
	enum protocol_ballot_error e;

	e = protocol_sballot_parse(m, body, len, out);
	if (e != PROTOCOL_BALLOT_OK)
		return e;
	/* The signature first: it is the cheapest check that names a culprit,
	 * and the proofs are the expensive part. */
	protocol_ballot_hash(body, len, hash_out);
	if (sodium_memcmp(out->election_hash, election_hash, PCRYPTO_HASH_BYTES) != 0) {
		e = PROTOCOL_BALLOT_WRONG_ELECTION;
		goto out;
	}
	if (protocol_manifest_voter_find(m, out->voter_pk) < 0) {
		e = PROTOCOL_BALLOT_NOT_ON_ROLL;
		goto out;
	}
	if (!protocol_ballot_verify_sig(out->voter_pk, hash_out, sig)) {
		e = PROTOCOL_BALLOT_BAD_SIGNATURE;
		goto out;
	}
	e = protocol_sballot_validate(m, election_hash, y, out, voter);
out:
	if (e != PROTOCOL_BALLOT_OK)
		protocol_sballot_clear(out);
	return e;
}

bool
protocol_sballot_build(const struct protocol_manifest *m,
                       const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                       const uint8_t y[PGROUP_BYTES], const uint8_t voter_pk[PCRYPTO_PK_BYTES],
                       uint32_t seq, const uint8_t *const *choices, const struct pgroup_rng *rng,
                       const char *label, struct encoding_buf *out)
{
	uint8_t ctx[CTX_SEL_BYTES];
	char sub[300];
	bool ok = true;

	for (uint32_t c = 0; c < m->n_contests; c++) {
		uint32_t count = 0;

		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++)
			count += choices[c][i] ? 1 : 0;
		if (count < m->contests[c].min || count > m->contests[c].max)
			return false;
	}
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_append(out, voter_pk, PCRYPTO_PK_BYTES);
	encoding_buf_le32(out, seq);
	encoding_buf_le32(out, m->n_contests);
	for (uint32_t c = 0; c < m->n_contests && ok; c++) {
		const struct protocol_contest *k = &m->contests[c];
		uint32_t n_c = k->n_candidates, count = 0;
		uint8_t *sel = calloc(n_c, SBALLOT_SELECTION_BYTES);
		uint8_t *range = calloc(k->max - k->min + 1, PROOF_BRANCH_BYTES);
		uint8_t r_sum[PGROUP_BYTES] = {0}, a[PGROUP_BYTES] = {0}, b[PGROUP_BYTES] = {0};
		uint8_t *cctx = NULL;
		size_t cctx_len = 0;

		if (sel == NULL || range == NULL) {
			free(sel);
			free(range);
			return false;
		}
		for (uint32_t i = 0; i < n_c; i++) {
			uint8_t *s = sel + (size_t)i * SBALLOT_SELECTION_BYTES;
			uint8_t r[PGROUP_BYTES], ry[PGROUP_BYTES], mg[PGROUP_BYTES];
			uint32_t mi = choices[c][i] ? 1 : 0;

			pgroup_random(rng, r, "%s/c%u/i%u/r", label, c, i);
			pgroup_mul_base(s, r);
			pgroup_mul(ry, r, y);
			pgroup_small_multiple(mg, mi);
			pgroup_add(s + PGROUP_BYTES, ry, mg);
			ctx_selection(ctx, election_hash, voter_pk, c, i);
			struct proof_or_statement st = selection_statement(ctx, y, s);
			snprintf(sub, sizeof(sub), "%s/c%u/i%u", label, c, i);
			proof_or_prove(&st, mi, r, rng, sub, s + SBALLOT_CT_BYTES);
			crypto_core_ristretto255_scalar_add(r_sum, r_sum, r);
			pgroup_add(a, a, s);
			pgroup_add(b, b, s + PGROUP_BYTES);
			count += mi;
			sodium_memzero(r, sizeof(r));
		}
		cctx = ctx_contest(election_hash, voter_pk, c, n_c, sel, SBALLOT_SELECTION_BYTES,
		                   &cctx_len);
		if (cctx == NULL) {
			ok = false;
		} else {
			struct proof_or_statement st =
			    contest_statement(cctx, cctx_len, y, a, b, k->max - k->min + 1, k->min);
			snprintf(sub, sizeof(sub), "%s/c%u/range", label, c);
			proof_or_prove(&st, count - k->min, r_sum, rng, sub, range);
			encoding_buf_le32(out, n_c);
			encoding_buf_append(out, sel, (size_t)n_c * SBALLOT_SELECTION_BYTES);
			encoding_buf_le32(out, st.k);
			encoding_buf_append(out, range, (size_t)st.k * PROOF_BRANCH_BYTES);
		}
		sodium_memzero(r_sum, sizeof(r_sum));
		free(cctx);
		free(sel);
		free(range);
	}
	return ok && !out->failed;
}
