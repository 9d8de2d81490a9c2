/*
 * protocol_dkg.c -- the key ceremony (spec §6.1): message layouts, the
 * Schnorr proofs, the share encryption and the ceremony checker.
 */
#include "protocol_dkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MH PCRYPTO_HASH_BYTES
#define PB PGROUP_BYTES

static const char *const round_types[DKG_ROUNDS] = {"dkg-round0", "dkg-round1", "dkg-round2",
                                                    "dkg-round3"};

const char *
protocol_dkg_round_type(uint32_t round)
{
	return round < DKG_ROUNDS ? round_types[round] : NULL;
}

void
protocol_dkg_secrets_wipe(struct protocol_dkg_secrets *s)
{
	sodium_memzero(s, sizeof(*s));
}

/* Per trustee, what later rounds and the verifier need. */
struct dkg_trustee {
	bool seen[DKG_ROUNDS];
	uint8_t r1_hash_claimed[MH]; /* from R0 */
	uint8_t r1_hash[MH];         /* H64("dkg-round1", R1 body) */
	uint8_t *c;                  /* t commitments */
	uint8_t e[PB];
	uint8_t *r2; /* R2 body (shares), kept for recipients */
	size_t r2_len;
	uint8_t z[PB]; /* recomputed Z_j */
};

struct protocol_dkg {
	const struct protocol_manifest *m;
	uint8_t manifest_hash[MH];
	uint32_t n, t;
	uint32_t count[DKG_ROUNDS];
	struct dkg_trustee *tr; /* [n], index d-1 */
	uint8_t *r1hashes;      /* n x 64, once round 1 is complete */
	uint8_t y[PB];
	uint8_t *all_c; /* n x t commitments in trustee order */
};

struct protocol_dkg *
protocol_dkg_new(const struct protocol_manifest *m, const uint8_t manifest_hash[MH])
{
	struct protocol_dkg *k;

	if (m->mode != PROTOCOL_MODE_SECRET || m->n == 0 || m->t == 0 || m->t > m->n ||
	    m->t > DKG_MAX_THRESHOLD)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return NULL;
	k->m = m;
	memcpy(k->manifest_hash, manifest_hash, MH);
	k->n = m->n;
	k->t = m->t;
	k->tr = calloc(m->n, sizeof(*k->tr));
	k->r1hashes = calloc(m->n, MH);
	k->all_c = calloc((size_t)m->n * m->t, PB);
	if (k->tr == NULL || k->r1hashes == NULL || k->all_c == NULL) {
		protocol_dkg_free(k);
		return NULL;
	}
	return k;
}

void
protocol_dkg_free(struct protocol_dkg *k)
{
	if (k == NULL)
		return;
	if (k->tr != NULL)
		for (uint32_t d = 0; d < k->n; d++) {
			free(k->tr[d].c);
			free(k->tr[d].r2);
		}
	free(k->tr);
	free(k->r1hashes);
	free(k->all_c);
	free(k);
}

uint32_t
protocol_dkg_count(const struct protocol_dkg *k, uint32_t round)
{
	return round < DKG_ROUNDS ? k->count[round] : 0;
}

bool
protocol_dkg_has(const struct protocol_dkg *k, uint32_t round, uint32_t d)
{
	return round < DKG_ROUNDS && d >= 1 && d <= k->n && k->tr[d - 1].seen[round];
}

uint32_t
protocol_dkg_round(const struct protocol_dkg *k)
{
	for (uint32_t r = 0; r < DKG_ROUNDS; r++)
		if (k->count[r] < k->n)
			return r;
	return DKG_ROUNDS;
}

bool
protocol_dkg_complete(const struct protocol_dkg *k)
{
	return protocol_dkg_round(k) == DKG_ROUNDS;
}

const uint8_t *
protocol_dkg_y(const struct protocol_dkg *k)
{
	return k->count[1] == k->n ? k->y : NULL;
}

const uint8_t *
protocol_dkg_z(const struct protocol_dkg *k, uint32_t j)
{
	if (k->count[1] != k->n || j < 1 || j > k->n)
		return NULL;
	return k->tr[j - 1].z;
}

const uint8_t *
protocol_dkg_commitment(const struct protocol_dkg *k, uint32_t d, uint32_t kk)
{
	if (d < 1 || d > k->n || kk >= k->t || !k->tr[d - 1].seen[1])
		return NULL;
	return k->tr[d - 1].c + (size_t)kk * PB;
}

const uint8_t *
protocol_dkg_transport_key(const struct protocol_dkg *k, uint32_t d)
{
	if (d < 1 || d > k->n || !k->tr[d - 1].seen[1])
		return NULL;
	return k->tr[d - 1].e;
}

void
protocol_election_hash_secret(const uint8_t manifest_hash[MH], const uint8_t y[PB], uint32_t n,
                              uint32_t t, const uint8_t (*commitments)[PB], uint8_t out[MH])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, "election");
	pcrypto_h64_update(&h, manifest_hash, MH);
	pcrypto_h64_update_u8(&h, PROTOCOL_MODE_SECRET);
	pcrypto_h64_update(&h, y, PB);
	pcrypto_h64_update(&h, commitments, (size_t)n * t * PB);
	pcrypto_h64_final(&h, out);
}

bool
protocol_dkg_election_hash(const struct protocol_dkg *k, uint8_t out[MH])
{
	if (k->count[1] != k->n)
		return false;
	protocol_election_hash_secret(k->manifest_hash, k->y, k->n, k->t,
	                              (const uint8_t(*)[PB])k->all_c, out);
	return true;
}

/* sum_k (x^k mod L) * c_k over t commitments. */
static void
poly_eval_points(uint32_t x, uint32_t t, const uint8_t *c, uint8_t out[PB])
{
	uint8_t xs[PB], pw[PB], term[PB];

	pgroup_scalar_from_u32(xs, x);
	pgroup_scalar_from_u32(pw, 1);
	memset(out, 0, PB);
	for (uint32_t kk = 0; kk < t; kk++) {
		pgroup_mul(term, pw, c + (size_t)kk * PB);
		pgroup_add(out, out, term);
		crypto_core_ristretto255_scalar_mul(pw, pw, xs);
	}
}

void
protocol_dkg_verification_key(uint32_t j, uint32_t n, uint32_t t, const uint8_t (*commitments)[PB],
                              uint8_t out[PB])
{
	uint8_t part[PB];

	memset(out, 0, PB);
	for (uint32_t d = 0; d < n; d++) {
		poly_eval_points(j, t, commitments[(size_t)d * t], part);
		pgroup_add(out, out, part);
	}
}

/* f(x) = sum_k a_k x^k mod L. */
static void
poly_eval_scalar(uint32_t x, uint32_t t, const uint8_t (*a)[PB], uint8_t out[PB])
{
	uint8_t xs[PB], pw[PB], term[PB];

	pgroup_scalar_from_u32(xs, x);
	pgroup_scalar_from_u32(pw, 1);
	memset(out, 0, PB);
	for (uint32_t kk = 0; kk < t; kk++) {
		crypto_core_ristretto255_scalar_mul(term, pw, a[kk]);
		crypto_core_ristretto255_scalar_add(out, out, term);
		crypto_core_ristretto255_scalar_mul(pw, pw, xs);
	}
	sodium_memzero(term, sizeof(term));
}

static bool
append_signed(struct encoding_buf *out, size_t start, const char *type,
              const uint8_t sk[PCRYPTO_SK_BYTES])
{
	uint8_t sig[PCRYPTO_SIG_BYTES];

	if (out->failed || !pcrypto_sign(sk, type, out->data + start, out->len - start, sig))
		return false;
	encoding_buf_append(out, sig, sizeof(sig));
	return !out->failed;
}

/* ---- round 1 ---- */

static void
r1_challenge(const uint8_t mh[MH], uint32_t d, uint32_t n, uint32_t t, const uint8_t *c,
             const uint8_t e[PB], const uint8_t *h, const uint8_t h_e[PB], uint8_t out[PB])
{
	struct pcrypto_h64 st;
	uint8_t dig[MH];

	pcrypto_h64_init(&st, "dkg/pok");
	pcrypto_h64_update(&st, mh, MH);
	pcrypto_h64_update_le32(&st, d);
	pcrypto_h64_update_le32(&st, n);
	pcrypto_h64_update_le32(&st, t);
	pcrypto_h64_update(&st, c, (size_t)t * PB);
	pcrypto_h64_update(&st, e, PB);
	pcrypto_h64_update(&st, h, (size_t)t * PB);
	pcrypto_h64_update(&st, h_e, PB);
	pcrypto_h64_final(&st, dig);
	crypto_core_ristretto255_scalar_reduce(out, dig);
}

bool
protocol_dkg_r1_build(const struct protocol_manifest *m, const uint8_t manifest_hash[MH],
                      uint32_t d, const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                      struct protocol_dkg_secrets *secrets, struct encoding_buf *out)
{
	uint32_t t = m->t;
	uint8_t c[DKG_MAX_THRESHOLD][PB], h[DKG_MAX_THRESHOLD][PB], u[DKG_MAX_THRESHOLD][PB];
	uint8_t e_pt[PB], u_e[PB], h_e[PB], ch[PB], z[PB];
	size_t start = out->len;

	if (t == 0 || t > DKG_MAX_THRESHOLD || d < 1 || d > m->n)
		return false;
	memset(secrets, 0, sizeof(*secrets));
	secrets->t = t;
	for (uint32_t kk = 0; kk < t; kk++) {
		pgroup_random(rng, secrets->a[kk], "dkg/T%u/a%u", d, kk);
		pgroup_mul_base(c[kk], secrets->a[kk]);
		pgroup_random(rng, u[kk], "dkg/T%u/u%u", d, kk);
		pgroup_mul_base(h[kk], u[kk]);
	}
	pgroup_random(rng, secrets->e, "dkg/T%u/e", d);
	pgroup_mul_base(e_pt, secrets->e);
	pgroup_random(rng, u_e, "dkg/T%u/uE", d);
	pgroup_mul_base(h_e, u_e);
	r1_challenge(manifest_hash, d, m->n, t, c[0], e_pt, h[0], h_e, ch);

	encoding_buf_append(out, manifest_hash, MH);
	encoding_buf_le32(out, d);
	encoding_buf_le32(out, m->n);
	encoding_buf_le32(out, t);
	encoding_buf_append(out, c, (size_t)t * PB);
	encoding_buf_append(out, e_pt, PB);
	encoding_buf_append(out, ch, PB);
	for (uint32_t kk = 0; kk < t; kk++) {
		crypto_core_ristretto255_scalar_mul(z, ch, secrets->a[kk]);
		crypto_core_ristretto255_scalar_add(z, z, u[kk]);
		encoding_buf_append(out, z, PB);
	}
	crypto_core_ristretto255_scalar_mul(z, ch, secrets->e);
	crypto_core_ristretto255_scalar_add(z, z, u_e);
	encoding_buf_append(out, z, PB);
	sodium_memzero(u, sizeof(u));
	sodium_memzero(u_e, sizeof(u_e));
	sodium_memzero(z, sizeof(z));
	return append_signed(out, start, round_types[1], sk);
}

bool
protocol_dkg_r0_build(const uint8_t manifest_hash[MH], uint32_t d, const uint8_t *r1_signed,
                      size_t r1_len, const uint8_t sk[PCRYPTO_SK_BYTES], struct encoding_buf *out)
{
	uint8_t h[MH];
	size_t start = out->len;

	if (r1_len < PCRYPTO_SIG_BYTES)
		return false;
	pcrypto_h64(round_types[1], r1_signed, r1_len - PCRYPTO_SIG_BYTES, h);
	encoding_buf_append(out, manifest_hash, MH);
	encoding_buf_le32(out, d);
	encoding_buf_append(out, h, MH);
	return append_signed(out, start, round_types[0], sk);
}

/* ---- round 2 ---- */

static void
share_pad(const uint8_t mh[MH], uint32_t d, uint32_t j, const uint8_t e_j[PB], const uint8_t r[PB],
          const uint8_t key[PB], uint8_t pad[PB])
{
	struct pcrypto_h64 st;
	uint8_t dig[MH];

	pcrypto_h64_init(&st, "dkg/share-pad");
	pcrypto_h64_update(&st, mh, MH);
	pcrypto_h64_update_le32(&st, d);
	pcrypto_h64_update_le32(&st, j);
	pcrypto_h64_update(&st, e_j, PB);
	pcrypto_h64_update(&st, r, PB);
	pcrypto_h64_update(&st, key, PB);
	pcrypto_h64_final(&st, dig);
	memcpy(pad, dig, PB);
	sodium_memzero(dig, sizeof(dig));
}

bool
protocol_dkg_r2_build(const struct protocol_dkg *k, uint32_t d,
                      const struct protocol_dkg_secrets *secrets,
                      const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                      struct encoding_buf *out)
{
	size_t start = out->len;

	if (k->count[1] != k->n || d < 1 || d > k->n || secrets->t != k->t)
		return false;
	encoding_buf_append(out, k->manifest_hash, MH);
	encoding_buf_le32(out, d);
	encoding_buf_append(out, k->r1hashes, (size_t)k->n * MH);
	for (uint32_t j = 1; j <= k->n; j++) {
		uint8_t s[PB], rho[PB], r[PB], key[PB], pad[PB], ct[PB];

		if (j == d)
			continue;
		poly_eval_scalar(j, k->t, (const uint8_t(*)[PB])secrets->a, s);
		pgroup_random(rng, rho, "dkg/T%u/to%u/rho", d, j);
		pgroup_mul_base(r, rho);
		if (!pgroup_mul(key, rho, k->tr[j - 1].e))
			return false;
		share_pad(k->manifest_hash, d, j, k->tr[j - 1].e, r, key, pad);
		for (size_t b = 0; b < PB; b++)
			ct[b] = s[b] ^ pad[b];
		encoding_buf_le32(out, j);
		encoding_buf_append(out, r, PB);
		encoding_buf_append(out, ct, PB);
		sodium_memzero(s, sizeof(s));
		sodium_memzero(rho, sizeof(rho));
		sodium_memzero(key, sizeof(key));
		sodium_memzero(pad, sizeof(pad));
	}
	return append_signed(out, start, round_types[2], sk);
}

/* The (R, ct) dealer d sent to j, from its stored R2 body. */
static bool
share_entry(const struct protocol_dkg *k, uint32_t d, uint32_t j, const uint8_t **r,
            const uint8_t **ct)
{
	const struct dkg_trustee *tr = &k->tr[d - 1];
	size_t off = MH + 4 + (size_t)k->n * MH;

	if (!tr->seen[2] || j == d)
		return false;
	for (uint32_t x = 1; x <= k->n; x++) {
		if (x == d)
			continue;
		if (x == j) {
			*r = tr->r2 + off + 4;
			*ct = tr->r2 + off + 4 + PB;
			return true;
		}
		off += 4 + 2 * PB;
	}
	return false;
}

static bool
feldman_ok(const struct protocol_dkg *k, uint32_t d, uint32_t j, const uint8_t s[PB])
{
	uint8_t lhs[PB], rhs[PB];

	pgroup_mul_base(lhs, s);
	poly_eval_points(j, k->t, k->tr[d - 1].c, rhs);
	return pgroup_equal(lhs, rhs);
}

bool
protocol_dkg_share_open(const struct protocol_dkg *k, uint32_t d, uint32_t j, const uint8_t e_j[PB],
                        uint8_t s_out[PB], const char **why)
{
	const uint8_t *r, *ct;
	uint8_t key[PB], pad[PB];

	if (d < 1 || d > k->n || j < 1 || j > k->n || !share_entry(k, d, j, &r, &ct)) {
		*why = "no share from this dealer";
		return false;
	}
	if (!pgroup_mul(key, e_j, r)) {
		*why = "share carries an invalid point";
		return false;
	}
	share_pad(k->manifest_hash, d, j, k->tr[j - 1].e, r, key, pad);
	for (size_t b = 0; b < PB; b++)
		s_out[b] = ct[b] ^ pad[b];
	sodium_memzero(key, sizeof(key));
	sodium_memzero(pad, sizeof(pad));
	if (!pcrypto_scalar_decode(s_out)) {
		sodium_memzero(s_out, PB);
		*why = "decrypted share is not a canonical scalar";
		return false;
	}
	if (!feldman_ok(k, d, j, s_out)) {
		sodium_memzero(s_out, PB);
		*why = "share fails the Feldman check against the dealer's commitments";
		return false;
	}
	return true;
}

/* ---- round 3 ---- */

static void
r3_challenge(const uint8_t mh[MH], uint32_t j, const uint8_t y[PB], const uint8_t z[PB],
             const uint8_t h[PB], uint8_t out[PB])
{
	struct pcrypto_h64 st;
	uint8_t dig[MH];

	pcrypto_h64_init(&st, "dkg/share-pok");
	pcrypto_h64_update(&st, mh, MH);
	pcrypto_h64_update_le32(&st, j);
	pcrypto_h64_update(&st, y, PB);
	pcrypto_h64_update(&st, z, PB);
	pcrypto_h64_update(&st, h, PB);
	pcrypto_h64_final(&st, dig);
	crypto_core_ristretto255_scalar_reduce(out, dig);
}

bool
protocol_dkg_r3_build(const struct protocol_dkg *k, uint32_t j,
                      const struct protocol_dkg_secrets *secrets,
                      const uint8_t sk[PCRYPTO_SK_BYTES], const struct pgroup_rng *rng,
                      uint8_t z_out[PB], struct encoding_buf *out, const char **why)
{
	uint8_t zj[PB], s[PB], zpt[PB], u[PB], h[PB], ch[PB], resp[PB];
	size_t start = out->len;

	if (k->count[2] != k->n || j < 1 || j > k->n || secrets->t != k->t) {
		*why = "round 2 is not complete";
		return false;
	}
	poly_eval_scalar(j, k->t, (const uint8_t(*)[PB])secrets->a, zj);
	for (uint32_t d = 1; d <= k->n; d++) {
		if (d == j)
			continue;
		if (!protocol_dkg_share_open(k, d, j, secrets->e, s, why)) {
			sodium_memzero(zj, sizeof(zj));
			return false;
		}
		crypto_core_ristretto255_scalar_add(zj, zj, s);
	}
	sodium_memzero(s, sizeof(s));
	pgroup_mul_base(zpt, zj);
	if (!pgroup_equal(zpt, k->tr[j - 1].z)) {
		sodium_memzero(zj, sizeof(zj));
		*why = "the share does not match Z_j from the commitments";
		return false;
	}
	pgroup_random(rng, u, "dkg/T%u/share-u", j);
	pgroup_mul_base(h, u);
	r3_challenge(k->manifest_hash, j, k->y, zpt, h, ch);
	crypto_core_ristretto255_scalar_mul(resp, ch, zj);
	crypto_core_ristretto255_scalar_add(resp, resp, u);
	encoding_buf_append(out, k->manifest_hash, MH);
	encoding_buf_le32(out, j);
	encoding_buf_append(out, k->r1hashes, (size_t)k->n * MH);
	encoding_buf_append(out, k->y, PB);
	for (uint32_t x = 0; x < k->n; x++)
		encoding_buf_append(out, k->tr[x].z, PB);
	encoding_buf_append(out, ch, PB);
	encoding_buf_append(out, resp, PB);
	memcpy(z_out, zj, PB);
	sodium_memzero(zj, sizeof(zj));
	sodium_memzero(u, sizeof(u));
	sodium_memzero(resp, sizeof(resp));
	if (!append_signed(out, start, round_types[3], sk)) {
		sodium_memzero(z_out, PB);
		*why = "signing failed";
		return false;
	}
	return true;
}

/* ---- the checker ---- */

static bool
points_ok(const uint8_t *p, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (!pcrypto_point_decode_not_identity(p + i * PB))
			return false;
	return true;
}

/* Once every R1 is in: R1hashes, Y, every Z_j, the commitment table. */
static void
round1_complete(struct protocol_dkg *k)
{
	memset(k->y, 0, PB);
	for (uint32_t d = 0; d < k->n; d++) {
		memcpy(k->r1hashes + (size_t)d * MH, k->tr[d].r1_hash, MH);
		memcpy(k->all_c + (size_t)d * k->t * PB, k->tr[d].c, (size_t)k->t * PB);
		pgroup_add(k->y, k->y, k->tr[d].c);
	}
	for (uint32_t j = 1; j <= k->n; j++)
		protocol_dkg_verification_key(j, k->n, k->t, (const uint8_t(*)[PB])k->all_c,
		                              k->tr[j - 1].z);
}

static bool
check_r1(struct protocol_dkg *k, struct dkg_trustee *tr, uint32_t d, const uint8_t *b, size_t len,
         const char **why)
{
	uint32_t t = k->t;
	size_t want = MH + 12 + (size_t)t * PB + PB + PB + (size_t)t * PB + PB;
	const uint8_t *c = b + MH + 12, *e = c + (size_t)t * PB, *ch = e + PB, *z = ch + PB;
	const uint8_t *z_e = z + (size_t)t * PB;
	uint8_t h[DKG_MAX_THRESHOLD][PB], h_e[PB], t1[PB], t2[PB], ch2[PB], dig[MH];

	if (len != want || encoding_le32_get(b + MH + 4) != k->n ||
	    encoding_le32_get(b + MH + 8) != t) {
		*why = "round-1 message does not have the layout of this ceremony (n, t)";
		return false;
	}
	pcrypto_h64(round_types[1], b, len, dig);
	if (sodium_memcmp(dig, tr->r1_hash_claimed, MH) != 0) {
		*why = "round-1 message does not match the trustee's round-0 commitment";
		return false;
	}
	if (!points_ok(c, t) || !points_ok(e, 1)) {
		*why = "a commitment or transport key is not a canonical point, or is the identity";
		return false;
	}
	for (size_t i = 0; i <= t; i++)
		if (!pcrypto_scalar_decode(ch + i * PB)) {
			*why = "a proof scalar is not canonical";
			return false;
		}
	if (!pcrypto_scalar_decode(z_e)) {
		*why = "a proof scalar is not canonical";
		return false;
	}
	for (uint32_t kk = 0; kk < t; kk++) {
		pgroup_mul_base(t1, z + (size_t)kk * PB);
		pgroup_mul(t2, ch, c + (size_t)kk * PB);
		pgroup_sub(h[kk], t1, t2);
	}
	pgroup_mul_base(t1, z_e);
	pgroup_mul(t2, ch, e);
	pgroup_sub(h_e, t1, t2);
	r1_challenge(k->manifest_hash, d, k->n, t, c, e, h[0], h_e, ch2);
	if (sodium_memcmp(ch, ch2, PB) != 0) {
		*why = "the proof of knowledge of the coefficients does not verify";
		return false;
	}
	tr->c = malloc((size_t)t * PB);
	if (tr->c == NULL) {
		*why = "out of memory";
		return false;
	}
	memcpy(tr->c, c, (size_t)t * PB);
	memcpy(tr->e, e, PB);
	memcpy(tr->r1_hash, dig, MH);
	return true;
}

static bool
check_r2(struct protocol_dkg *k, struct dkg_trustee *tr, uint32_t d, const uint8_t *b, size_t len,
         const char **why)
{
	size_t off = MH + 4 + (size_t)k->n * MH;

	if (len != off + (size_t)(k->n - 1) * (4 + 2 * PB)) {
		*why = "round-2 message does not have one share for every other trustee";
		return false;
	}
	if (sodium_memcmp(b + MH + 4, k->r1hashes, (size_t)k->n * MH) != 0) {
		*why = "round-2 message is over other round-1 messages (R1hashes)";
		return false;
	}
	for (uint32_t j = 1; j <= k->n; j++) {
		if (j == d)
			continue;
		if (encoding_le32_get(b + off) != j) {
			*why = "round-2 shares are not addressed to every other trustee in order";
			return false;
		}
		if (!pcrypto_point_decode(b + off + 4)) {
			*why = "a share's R is not a canonical point";
			return false;
		}
		off += 4 + 2 * PB;
	}
	tr->r2 = malloc(len);
	if (tr->r2 == NULL) {
		*why = "out of memory";
		return false;
	}
	memcpy(tr->r2, b, len);
	tr->r2_len = len;
	return true;
}

static bool
check_r3(struct protocol_dkg *k, uint32_t j, const uint8_t *b, size_t len, const char **why)
{
	size_t want = MH + 4 + (size_t)k->n * MH + PB + (size_t)k->n * PB + 2 * PB;
	const uint8_t *y = b + MH + 4 + (size_t)k->n * MH, *zs = y + PB;
	const uint8_t *ch = zs + (size_t)k->n * PB, *resp = ch + PB;
	const uint8_t *zj = k->tr[j - 1].z;
	uint8_t t1[PB], t2[PB], h[PB], ch2[PB];

	if (len != want) {
		*why = "round-3 message does not have the layout of this ceremony";
		return false;
	}
	if (sodium_memcmp(b + MH + 4, k->r1hashes, (size_t)k->n * MH) != 0) {
		*why = "round-3 message is over other round-1 messages (R1hashes)";
		return false;
	}
	if (!pgroup_equal(y, k->y)) {
		*why = "round-3 message states another election key Y";
		return false;
	}
	for (uint32_t x = 0; x < k->n; x++)
		if (!pgroup_equal(zs + (size_t)x * PB, k->tr[x].z)) {
			*why = "round-3 message states another verification key Z_j";
			return false;
		}
	if (pgroup_is_identity(zj)) {
		*why = "verification key Z_j is the identity";
		return false;
	}
	if (!pcrypto_scalar_decode(ch) || !pcrypto_scalar_decode(resp)) {
		*why = "a proof scalar is not canonical";
		return false;
	}
	pgroup_mul_base(t1, resp);
	pgroup_mul(t2, ch, zj);
	pgroup_sub(h, t1, t2);
	r3_challenge(k->manifest_hash, j, k->y, zj, h, ch2);
	if (sodium_memcmp(ch, ch2, PB) != 0) {
		*why = "the proof of possession of the share does not verify";
		return false;
	}
	return true;
}

bool
protocol_dkg_add(struct protocol_dkg *k, uint32_t round, const uint8_t *data, size_t len,
                 uint32_t *trustee, const char **why)
{
	const uint8_t *b = data;
	size_t blen;
	uint32_t d;
	struct dkg_trustee *tr;
	bool ok = false;

	if (trustee != NULL)
		*trustee = 0;
	if (round >= DKG_ROUNDS) {
		*why = "no such round";
		return false;
	}
	if (len < MH + 4 + PCRYPTO_SIG_BYTES) {
		*why = "message is too short";
		return false;
	}
	blen = len - PCRYPTO_SIG_BYTES;
	d = encoding_le32_get(b + MH);
	if (trustee != NULL)
		*trustee = d;
	if (sodium_memcmp(b, k->manifest_hash, MH) != 0) {
		*why = "message is for another manifest (manifest_hash)";
		return false;
	}
	if (d < 1 || d > k->n) {
		*why = "trustee index outside 1..n";
		return false;
	}
	if (protocol_dkg_round(k) != round) {
		*why = round < protocol_dkg_round(k) ? "this round is already complete"
		                                     : "an earlier round is not complete";
		return false;
	}
	tr = &k->tr[d - 1];
	if (tr->seen[round]) {
		*why = "this trustee already sent its message for this round";
		return false;
	}
	if (!pcrypto_verify(k->m->trustees[d - 1].pk, round_types[round], b, blen, b + blen)) {
		*why = "the trustee's signature does not verify";
		return false;
	}
	switch (round) {
	case 0:
		ok = blen == MH + 4 + MH;
		if (ok)
			memcpy(tr->r1_hash_claimed, b + MH + 4, MH);
		else
			*why = "round-0 message has the wrong length";
		break;
	case 1:
		ok = check_r1(k, tr, d, b, blen, why);
		break;
	case 2:
		ok = check_r2(k, tr, d, b, blen, why);
		break;
	case 3:
		ok = check_r3(k, d, b, blen, why);
		break;
	}
	if (!ok)
		return false;
	tr->seen[round] = true;
	k->count[round]++;
	if (round == 1 && k->count[1] == k->n)
		round1_complete(k);
	return true;
}
