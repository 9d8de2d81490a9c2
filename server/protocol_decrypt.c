/*
 * protocol_decrypt.c -- partial decryptions with proof (spec §12),
 * Lagrange combination and the discrete log by table (§13).
 */
#include "protocol_decrypt.h"

#include <stdlib.h>
#include <string.h>

#define MH          PCRYPTO_HASH_BYTES
#define PB          PGROUP_BYTES
#define PDEC_HEADER (MH + 4 + MH)

static void
pdec_challenge(const uint8_t eh[MH], uint32_t j, const uint8_t z_j[PB], uint32_t c, uint32_t i,
               const uint8_t a_ct[PB], const uint8_t b_ct[PB], const uint8_t d[PB],
               const uint8_t a[PB], const uint8_t b[PB], uint8_t out[PB])
{
	struct pcrypto_h64 st;
	uint8_t dig[MH];

	pcrypto_h64_init(&st, "decrypt/partial");
	pcrypto_h64_update(&st, eh, MH);
	pcrypto_h64_update_le32(&st, j);
	pcrypto_h64_update(&st, z_j, PB);
	pcrypto_h64_update_le32(&st, c);
	pcrypto_h64_update_le32(&st, i);
	pcrypto_h64_update(&st, a_ct, PB);
	pcrypto_h64_update(&st, b_ct, PB);
	pcrypto_h64_update(&st, d, PB);
	pcrypto_h64_update(&st, a, PB);
	pcrypto_h64_update(&st, b, PB);
	pcrypto_h64_final(&st, dig);
	crypto_core_ristretto255_scalar_reduce(out, dig);
}

bool
protocol_pdec_build(const struct protocol_manifest *m, const uint8_t election_hash[MH], uint32_t j,
                    const uint8_t z_j[PB], const uint8_t tally_hash[MH], const uint8_t (*ab)[PB],
                    const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                    struct encoding_buf *out)
{
	size_t start = out->len, k = 0;
	uint8_t zpub[PB], sig[PCRYPTO_SIG_BYTES];

	pgroup_mul_base(zpub, z_j);
	encoding_buf_append(out, election_hash, MH);
	encoding_buf_le32(out, j);
	encoding_buf_append(out, tally_hash, MH);
	for (uint32_t c = 0; c < m->n_contests; c++)
		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++, k++) {
			const uint8_t *a_ct = ab[2 * k], *b_ct = ab[2 * k + 1];
			uint8_t d[PB], u[PB], a[PB], b[PB], ch[PB], z[PB];

			if (!pgroup_mul(d, z_j, a_ct))
				return false;
			pgroup_random(rng, u, "decrypt/T%u/c%u/i%u/u", j, c, i);
			pgroup_mul_base(a, u);
			pgroup_mul(b, u, a_ct);
			pdec_challenge(election_hash, j, zpub, c, i, a_ct, b_ct, d, a, b, ch);
			crypto_core_ristretto255_scalar_mul(z, ch, z_j);
			crypto_core_ristretto255_scalar_add(z, z, u);
			encoding_buf_append(out, d, PB);
			encoding_buf_append(out, ch, PB);
			encoding_buf_append(out, z, PB);
			sodium_memzero(u, sizeof(u));
			sodium_memzero(z, sizeof(z));
		}
	if (out->failed ||
	    !pcrypto_sign(sk, "partial-decryption", out->data + start, out->len - start, sig))
		return false;
	encoding_buf_append(out, sig, sizeof(sig));
	return !out->failed;
}

bool
protocol_pdec_parse(const struct protocol_manifest *m, const uint8_t *data, size_t len,
                    struct protocol_pdec *out, const char **why)
{
	uint32_t items = protocol_manifest_total_candidates(m);

	memset(out, 0, sizeof(*out));
	if (len != PDEC_HEADER + (size_t)items * PDEC_ITEM_BYTES + PCRYPTO_SIG_BYTES) {
		*why = "partial decryption does not have one entry per candidate";
		return false;
	}
	out->election_hash = data;
	out->j = encoding_le32_get(data + MH);
	out->tally_hash = data + MH + 4;
	out->n_items = items;
	out->items = data + PDEC_HEADER;
	out->sig = data + len - PCRYPTO_SIG_BYTES;
	for (uint32_t k = 0; k < items; k++) {
		const uint8_t *it = out->items + (size_t)k * PDEC_ITEM_BYTES;

		if (!pcrypto_point_decode(it)) {
			*why = "a partial decryption D is not a canonical point";
			return false;
		}
		if (!pcrypto_scalar_decode(it + PB) || !pcrypto_scalar_decode(it + 2 * PB)) {
			*why = "a proof scalar is not canonical";
			return false;
		}
	}
	return true;
}

bool
protocol_pdec_item_verify(const uint8_t election_hash[MH], uint32_t j, const uint8_t z_j[PB],
                          uint32_t c, uint32_t i, const uint8_t a_ct[PB], const uint8_t b_ct[PB],
                          const uint8_t *item)
{
	const uint8_t *d = item, *ch = item + PB, *z = item + 2 * PB;
	uint8_t t1[PB], t2[PB], a[PB], b[PB], ch2[PB];

	pgroup_mul_base(t1, z);
	pgroup_mul(t2, ch, z_j);
	pgroup_sub(a, t1, t2);
	if (!pgroup_mul(t1, z, a_ct) || !pgroup_mul(t2, ch, d))
		return false;
	pgroup_sub(b, t1, t2);
	pdec_challenge(election_hash, j, z_j, c, i, a_ct, b_ct, d, a, b, ch2);
	return sodium_memcmp(ch, ch2, PB) == 0;
}

bool
protocol_pdec_verify(const struct protocol_manifest *m, const uint8_t election_hash[MH],
                     const uint8_t tally_hash[MH], const uint8_t z_j[PB], const uint8_t (*ab)[PB],
                     const struct protocol_pdec *p, const char **why)
{
	size_t k = 0;

	if (sodium_memcmp(p->election_hash, election_hash, MH) != 0) {
		*why = "partial decryption is for another election (election_hash)";
		return false;
	}
	if (p->j < 1 || p->j > m->n) {
		*why = "trustee index outside 1..n";
		return false;
	}
	if (sodium_memcmp(p->tally_hash, tally_hash, MH) != 0) {
		*why = "partial decryption is over another tally (tally_hash)";
		return false;
	}
	if (!pcrypto_verify(m->trustees[p->j - 1].pk, "partial-decryption", p->election_hash,
	                    (size_t)(p->sig - p->election_hash), p->sig)) {
		*why = "the trustee's signature does not verify";
		return false;
	}
	for (uint32_t c = 0; c < m->n_contests; c++)
		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++, k++)
			if (!protocol_pdec_item_verify(election_hash, p->j, z_j, c, i, ab[2 * k],
			                               ab[2 * k + 1],
			                               p->items + k * PDEC_ITEM_BYTES)) {
				*why = "a decryption proof does not verify";
				return false;
			}
	return true;
}

bool
protocol_lagrange(const uint32_t *q, uint32_t n_q, uint32_t j, uint8_t out[PB])
{
	uint8_t js[PB], ms[PB], diff[PB], inv[PB];

	pgroup_scalar_from_u32(out, 1);
	pgroup_scalar_from_u32(js, j);
	for (uint32_t k = 0; k < n_q; k++) {
		if (q[k] == j)
			continue;
		pgroup_scalar_from_u32(ms, q[k]);
		crypto_core_ristretto255_scalar_sub(diff, ms, js);
		if (crypto_core_ristretto255_scalar_invert(inv, diff) != 0)
			return false; /* P7: indices not distinct */
		crypto_core_ristretto255_scalar_mul(out, out, ms);
		crypto_core_ristretto255_scalar_mul(out, out, inv);
	}
	return true;
}

struct dlog_entry {
	uint8_t p[PB];
	uint32_t x;
};

static int
cmp_dlog(const void *a, const void *b)
{
	return memcmp(((const struct dlog_entry *)a)->p, ((const struct dlog_entry *)b)->p, PB);
}

bool
protocol_decrypt_combine(uint32_t n_items, const uint8_t (*ab)[PB],
                         const struct protocol_pdec *pdecs, uint32_t n_q, uint32_t n_counted,
                         uint32_t *counts, const char **why)
{
	uint32_t q[DKG_Q_MAX];
	uint8_t lambda[DKG_Q_MAX][PB], g[PB];
	struct dlog_entry *table;
	bool ok = true;

	if (n_q == 0 || n_q > DKG_Q_MAX) {
		*why = "no partial decryptions to combine";
		return false;
	}
	for (uint32_t k = 0; k < n_q; k++)
		q[k] = pdecs[k].j;
	for (uint32_t k = 0; k < n_q; k++)
		if (!protocol_lagrange(q, n_q, q[k], lambda[k])) {
			*why = "trustee indices are not distinct";
			return false;
		}
	/* T[x] = x*G for x = 0..N by repeated addition, sorted for lookup. */
	table = calloc((size_t)n_counted + 1, sizeof(*table));
	if (table == NULL) {
		*why = "out of memory";
		return false;
	}
	pgroup_small_multiple(g, 1);
	for (uint32_t x = 0; x <= n_counted; x++) {
		if (x > 0)
			pgroup_add(table[x].p, table[x - 1].p, g);
		table[x].x = x;
	}
	qsort(table, (size_t)n_counted + 1, sizeof(*table), cmp_dlog);
	for (uint32_t k = 0; k < n_items && ok; k++) {
		struct dlog_entry key, *hit;
		uint8_t d[PB] = {0}, term[PB];

		for (uint32_t s = 0; s < n_q; s++) {
			pgroup_mul(term, lambda[s], pdecs[s].items + (size_t)k * PDEC_ITEM_BYTES);
			pgroup_add(d, d, term);
		}
		pgroup_sub(key.p, ab[2 * k + 1], d);
		hit = bsearch(&key, table, (size_t)n_counted + 1, sizeof(*table), cmp_dlog);
		if (hit == NULL) {
			*why = "a combined decryption is not a count between 0 and N";
			ok = false;
		} else {
			counts[k] = hit->x;
		}
	}
	free(table);
	return ok;
}
