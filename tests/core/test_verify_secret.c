/*
 * test_verify_secret.c -- the verifier engine on secret-mode records (spec
 * §6-7, §9-13, §15): a tamper suite in the style of test_verify.c.  Each
 * case copies record-secret.jsonl, changes one thing, and re-creates with
 * the test keys of §17 every signature an attacker would need (voters,
 * trustees, the server's head), so that the tampering is caught by the
 * intended check -- V4 ballots, V5 key ceremony, V6 tally, V7 decryption,
 * V8 result -- and not merely by a signature or the chain.  Where a case
 * changes the counted ballots, the tally, the partial decryptions and the
 * result are recomputed from the trustees' shares (derivable from the test
 * randomness), so that the case isolates its check.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "crypto.h"
#include "crypto_group.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "verify.h"

Suite *verify_secret_suite(void);

#define SECRET TH_SPEC_DIR "record-secret.jsonl"

/* Events of the example record (vectors.txt: board-2009). */
enum {
	EV_R0 = 1,    /* dkg-round0 of trustees 1..3: 1, 2, 3 */
	EV_R1 = 4,    /* dkg-round1: 4, 5, 6 */
	EV_R2 = 7,    /* dkg-round2: 7, 8, 9 */
	EV_R3 = 10,   /* dkg-round3: 10, 11, 12 */
	EV_OPEN = 13, /* ballots 14..18: ngo-a s1, ngo-b, ngo-c, ngo-a s2, ngo-d */
	EV_NGO_A1 = 14,
	EV_NGO_B = 15,
	EV_NGO_D = 18,
	EV_CLOSE = 19,
	EV_TALLY = 20,
	EV_PD_T3 = 21, /* partial decryptions of trustees 3 and 1 */
	EV_PD_T1 = 22,
	EV_RESULT = 23,
};

/* Offsets in the bodies (§6.1, §7.4, §11, §12). */
#define MH         64
#define R1_C(k)    (MH + 12 + 32 * (k)) /* C_{d,k}, t = 2 */
#define R1_Z0      (MH + 12 + 4 * 32)   /* after C_0, C_1, E, c */
#define R2_HASHES  (MH + 4)
#define R3_Y       (MH + 4 + 3 * 64)
#define R3_Z(j)    (R3_Y + 32 * (j))         /* Z_j, j = 1..3 */
#define R3_RESP    (R3_Y + 32 + 3 * 32 + 32) /* z of the share PoK */
#define B_NCONT    100
#define B_C0       104                 /* LE32(n_c) of contest 0 */
#define B_SEL(i)   (108 + 192 * (i))   /* selection i of contest 0 */
#define B_RANGE0   (108 + 3 * 192 + 4) /* contest 0's range proof */
#define B_C1       (B_RANGE0 + 3 * 64) /* LE32(n_c) of contest 1 */
#define B_RANGE1   (B_C1 + 4 + 2 * 192 + 4)
#define PD_J       64
#define PD_TH      68
#define PD_ITEM(k) (PD_TH + 64 + 96 * (k))
#define T_HASHES   68                  /* first counted ballot_hash in the tally */
#define T_AB       (T_HASHES + 4 * 64) /* A_{0,0} */
#define RES_Q      128                 /* LE32(|Q|), then the indices */
#define RES_X      (RES_Q + 4 + 2 * 4) /* x_{0,0} */

/* L, little-endian (§1). */
/* clang-format off */
static const uint8_t L_LE[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};
/* clang-format on */

/*
 * Asserts that check `id` failed with a reason containing `needle` (and at
 * event `event` unless it is -1); with `only`, that no other check failed.
 * Does not free v.
 */
static void
check_fail(struct verify *v, enum verify_check_id id, const char *needle, long event, bool only)
{
	const struct verify_check *c = verify_get_check(v, id);

	if (c->status != VERIFY_FAIL || strstr(c->reason, needle) == NULL ||
	    (event >= 0 && (!c->has_event || c->event != (uint32_t)event)))
		th_verify_dump(v);
	ck_assert_msg(c->status == VERIFY_FAIL, "%s did not fail", verify_check_label(id));
	ck_assert_msg(strstr(c->reason, needle) != NULL, "%s: \"%s\" does not name \"%s\"",
	              verify_check_label(id), c->reason, needle);
	if (event >= 0) {
		ck_assert_msg(c->has_event, "%s names no event", verify_check_label(id));
		ck_assert_uint_eq(c->event, (uint32_t)event);
	}
	ck_assert(!verify_ok(v));
	for (int i = 0; only && i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *o = verify_get_check(v, (enum verify_check_id)i);

		if (i != (int)id && o->status == VERIFY_FAIL) {
			th_verify_dump(v);
			ck_abort_msg("%s failed too: %s",
			             verify_check_label((enum verify_check_id)i), o->reason);
		}
	}
}

/* Asserts that no check other than a and b failed. */
static void
no_other_failure(struct verify *v, enum verify_check_id a, enum verify_check_id b)
{
	for (int i = 0; i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *o = verify_get_check(v, (enum verify_check_id)i);

		if (i != (int)a && i != (int)b && o->status == VERIFY_FAIL) {
			th_verify_dump(v);
			ck_abort_msg("%s failed too: %s",
			             verify_check_label((enum verify_check_id)i), o->reason);
		}
	}
}

/* ---- keys and values of the example election -------------------------- */

static void
trustee_key(uint32_t j, uint8_t pk[32], uint8_t sk[64])
{
	char label[32];

	snprintf(label, sizeof(label), "trustee/trustee-%u", j);
	th_keypair(label, pk, sk);
}

static struct protocol_manifest *
manifest_of(const struct th_record *r, uint8_t mh[64])
{
	struct protocol_manifest *m = NULL;
	const char *why = NULL;

	ck_assert_msg(protocol_manifest_decode(r->ev[0].data, r->ev[0].len, &m, &why), "%s", why);
	ck_assert_int_eq(m->mode, PROTOCOL_MODE_SECRET);
	if (mh != NULL)
		protocol_manifest_hash(r->ev[0].data, r->ev[0].len, mh);
	return m;
}

/* election_hash and Y from the commitments published in round 1 (what the
 * verifier computes when every R1 is accepted). */
static void
election_key(const struct th_record *r, uint8_t eh[64], uint8_t y[32])
{
	uint8_t mh[64], yy[32];
	struct protocol_manifest *m = manifest_of(r, mh);
	uint8_t(*c)[32] = calloc((size_t)m->n * m->t, 32);

	ck_assert_ptr_nonnull(c);
	memset(yy, 0, 32);
	for (size_t i = 0; i < r->n_events; i++) {
		const struct th_event *e = &r->ev[i];
		uint32_t d;

		if (e->type != PROTOCOL_EVENT_DKG_ROUND1)
			continue;
		d = encoding_le32_get(e->data + MH);
		ck_assert(d >= 1 && d <= m->n);
		memcpy(c[(d - 1) * m->t], e->data + R1_C(0), (size_t)m->t * 32);
	}
	for (uint32_t d = 0; d < m->n; d++)
		pgroup_add(yy, yy, c[d * m->t]);
	protocol_election_hash_secret(mh, yy, m->n, m->t, (const uint8_t(*)[32])c, eh);
	if (y != NULL)
		memcpy(y, yy, 32);
	free(c);
	protocol_manifest_free(m);
}

/* z_j = sum_d f_d(j), f_d's coefficients a_{d,k} = rnd("dkg/T<d>/a<k>"). */
static void
trustee_share(const struct protocol_manifest *m, uint32_t j, uint8_t z[32])
{
	uint8_t js[32], a[32], f[32];
	char label[32];

	pgroup_scalar_from_u32(js, j);
	memset(z, 0, 32);
	for (uint32_t d = 1; d <= m->n; d++) {
		memset(f, 0, 32);
		for (uint32_t k = m->t; k-- > 0;) { /* Horner */
			snprintf(label, sizeof(label), "dkg/T%u/a%u", d, k);
			pgroup_test_scalar(label, a);
			crypto_core_ristretto255_scalar_mul(f, f, js);
			crypto_core_ristretto255_scalar_add(f, f, a);
		}
		crypto_core_ristretto255_scalar_add(z, z, f);
	}
}

/* ---- re-signing and re-computing -------------------------------------- */

/* Re-signs a trustee message (dkg-round<r>, partial-decryption) with the
 * key of trustee `j` (0: the index the message names). */
static void
resign_trustee(struct th_record *r, size_t i, uint32_t j)
{
	struct th_event *e = &r->ev[i];
	uint8_t pk[32], sk[64];

	if (j == 0)
		j = encoding_le32_get(e->data + MH);
	trustee_key(j, pk, sk);
	ck_assert(pcrypto_sign(sk, protocol_event_type_name(e->type), e->data, e->len - 64,
	                       e->data + e->len - 64));
}

/* R0 of trustee d (event i0) follows its R1 (event i1), re-signed. */
static void
update_r0(struct th_record *r, size_t i0, size_t i1)
{
	ck_assert_int_eq(r->ev[i0].type, PROTOCOL_EVENT_DKG_ROUND0);
	ck_assert_int_eq(r->ev[i1].type, PROTOCOL_EVENT_DKG_ROUND1);
	pcrypto_h64("dkg-round1", r->ev[i1].data, r->ev[i1].len - 64, r->ev[i0].data + MH + 4);
	resign_trustee(r, i0, 0);
}

static int
cmp_pdec_j(const void *a, const void *b)
{
	uint32_t x = ((const struct protocol_pdec *)a)->j, y = ((const struct protocol_pdec *)b)->j;

	return (x > y) - (x < y);
}

/*
 * What the server and honest trustees would publish after the ballots as
 * they now stand: close (the count of ballot events), the tally over the
 * ballots the verifier counts (those that parse, from voters on the roll,
 * between open and close), every partial decryption whose j is in 1..n
 * rebuilt over it, and the result from the t smallest indices.
 */
static void
recompute(struct th_record *r)
{
	struct protocol_manifest *m = manifest_of(r, NULL);
	uint32_t total = protocol_manifest_total_candidates(m);
	struct protocol_tally *t = protocol_tally_new(m);
	uint8_t eh[64], y[32], th[64];
	uint8_t(*ab)[32] = calloc((size_t)total * 2, 32);
	bool open = false, closed = false;
	uint32_t n_ballots = 0;

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(ab);
	election_key(r, eh, y);
	memset(th, 0, sizeof(th));
	for (size_t i = 0; i < r->n_events; i++) {
		struct th_event *e = &r->ev[i];
		struct encoding_buf b;

		encoding_buf_init(&b);
		switch (e->type) {
		case PROTOCOL_EVENT_OPEN:
			open = true;
			break;
		case PROTOCOL_EVENT_BALLOT: {
			struct protocol_sballot sb;
			uint8_t h[64];
			int64_t v;

			if (!open || closed)
				break;
			n_ballots++;
			if (protocol_sballot_parse(m, e->data, e->len - 64, &sb) !=
			    PROTOCOL_BALLOT_OK)
				break;
			v = protocol_manifest_voter_find(m, sb.voter_pk);
			protocol_ballot_hash(e->data, e->len - 64, h);
			if (v >= 0)
				protocol_tally_add_secret(t, (uint32_t)v, e->n, &sb, h);
			protocol_sballot_clear(&sb);
			break;
		}
		case PROTOCOL_EVENT_CLOSE:
			closed = true;
			protocol_board_close_data(eh, n_ballots, &b);
			break;
		case PROTOCOL_EVENT_TALLY:
			ck_assert(protocol_tally_body(t, eh, &b));
			ck_assert(protocol_tally_aggregates(t, ab));
			pcrypto_h64("tally", b.data, b.len, th);
			break;
		case PROTOCOL_EVENT_PARTIAL_DECRYPTION: {
			uint32_t j = encoding_le32_get(e->data + PD_J);
			uint8_t z[32], pk[32], sk[64];

			if (j < 1 || j > m->n)
				break;
			trustee_share(m, j, z);
			trustee_key(j, pk, sk);
			ck_assert(protocol_pdec_build(m, eh, j, z, th, (const uint8_t(*)[32])ab, sk,
			                              &pgroup_rng_test, &b));
			break;
		}
		case PROTOCOL_EVENT_RESULT: {
			struct protocol_pdec p[8];
			struct protocol_result *res = NULL;
			uint32_t n_p = 0, q[8], n_q = 0, *counts = calloc(total, sizeof(*counts));
			uint32_t n_counted = protocol_tally_counted(t);
			const char *why = NULL;

			ck_assert_ptr_nonnull(counts);
			for (size_t k = 0; k < i; k++)
				if (r->ev[k].type == PROTOCOL_EVENT_PARTIAL_DECRYPTION &&
				    protocol_pdec_parse(m, r->ev[k].data, r->ev[k].len, &p[n_p],
				                        &why) &&
				    p[n_p].j >= 1 && p[n_p].j <= m->n)
					n_p++;
			qsort(p, n_p, sizeof(p[0]), cmp_pdec_j);
			if (n_counted > 0) {
				ck_assert_uint_ge(n_p, m->t);
				n_q = m->t;
				for (uint32_t k = 0; k < n_q; k++)
					q[k] = p[k].j;
				ck_assert_msg(
				    protocol_decrypt_combine(total, (const uint8_t(*)[32])ab, p,
				                             n_q, n_counted, counts, &why),
				    "%s", why);
			}
			ck_assert(protocol_tally_finish_counts(t, eh, counts, q, n_q, &res));
			encoding_buf_append(&b, res->body, res->body_len);
			protocol_result_free(res);
			free(counts);
			break;
		}
		default:
			break;
		}
		if (b.len > 0)
			th_event_set_data(r, i, b.data, b.len);
		encoding_buf_free(&b);
	}
	free(ab);
	protocol_tally_free(t);
	protocol_manifest_free(m);
}

/* Re-chains and re-signs the head with the server key over the secret
 * election_hash (th_record_seal signs over the open-mode one). */
static void
seal(struct th_record *r)
{
	uint8_t pk[32], sk[64], eh[64];
	struct th_event *last;

	th_record_rechain(r);
	last = &r->ev[r->n_events - 1];
	th_keypair("server", pk, sk);
	election_key(r, eh, NULL);
	r->has_head = true;
	r->head_n = last->n;
	memcpy(r->head_hash, last->hash, 64);
	ck_assert(protocol_head_sign(sk, eh, r->head_n, r->head_hash, r->head_sig));
}

static void
load(struct th_record *r)
{
	th_record_load(SECRET, r);
	ck_assert_uint_eq(r->n_events, 24);
	ck_assert_int_eq(r->ev[EV_NGO_D].type, PROTOCOL_EVENT_BALLOT);
	ck_assert_int_eq(r->ev[EV_PD_T3].type, PROTOCOL_EVENT_PARTIAL_DECRYPTION);
	ck_assert_uint_eq(encoding_le32_get(r->ev[EV_PD_T3].data + PD_J), 3);
	ck_assert_uint_eq(encoding_le32_get(r->ev[EV_PD_T1].data + PD_J), 1);
}

/* Seals, runs, checks, frees. */
static void
expect(struct th_record *r, enum verify_check_id id, const char *needle, long event, bool only)
{
	struct verify *v;

	seal(r);
	v = th_verify_record(r, NULL);
	check_fail(v, id, needle, event, only);
	verify_free(v);
	th_record_free(r);
}

/* A fault of the decryption: V7 names it; V8 cannot recompute the result
 * and says why; nothing else fails (the tally is right). */
static void
expect_v7(struct th_record *r, const char *needle, long event)
{
	struct verify *v;
	uint32_t result_n = r->ev[r->n_events - 1].n;

	ck_assert_int_eq(r->ev[r->n_events - 1].type, PROTOCOL_EVENT_RESULT);
	seal(r);
	v = th_verify_record(r, NULL);
	check_fail(v, VERIFY_V7, needle, event, false);
	check_fail(v, VERIFY_V8, "the decryption failed (see V7)", result_n, false);
	no_other_failure(v, VERIFY_V7, VERIFY_V8);
	verify_free(v);
	th_record_free(r);
}

/* s += 1 mod L (still canonical). */
static void
scalar_inc(uint8_t *s)
{
	uint8_t one[32];

	pgroup_scalar_from_u32(one, 1);
	crypto_core_ristretto255_scalar_add(s, s, one);
}

/* P += G */
static void
point_inc(uint8_t *p)
{
	uint8_t g[32];

	pgroup_small_multiple(g, 1);
	pgroup_add(p, p, g);
}

/* ---- the helpers rebuild the record ------------------------------------ */

/* recompute() and seal() on the untouched record give it back byte for
 * byte: the shares, partial decryptions, result and head are right. */
START_TEST(helpers_rebuild_record)
{
	struct th_record r;
	size_t len, gl;
	char *good = th_read_file(SECRET, &gl);
	char *text;
	struct verify *v;

	load(&r);
	recompute(&r);
	seal(&r);
	text = th_record_emit(&r, &len);
	ck_assert_uint_eq(len, gl);
	ck_assert(memcmp(text, good, gl) == 0);
	v = th_verify_record(&r, NULL);
	if (!verify_ok(v))
		th_verify_dump(v);
	ck_assert(verify_ok(v));
	verify_free(v);
	free(text);
	free(good);
	th_record_free(&r);
}
END_TEST

/* A record published while the trustees decrypt: it ends after the
 * tally, or after one or both partial decryptions, before the result.
 * The tally is checked (V6), so are the partial decryptions so far (V7). */
START_TEST(ends_before_result)
{
	for (int cut = EV_TALLY; cut <= EV_PD_T1; cut++) {
		struct th_record r;
		struct verify *v;

		load(&r);
		while (r.n_events > (size_t)cut + 1)
			th_record_remove(&r, r.n_events - 1);
		seal(&r);
		v = th_verify_record(&r, NULL);
		if (!verify_ok(v))
			th_verify_dump(v);
		ck_assert_msg(verify_ok(v), "record cut after event %d", cut);
		ck_assert_int_eq(verify_get_check(v, VERIFY_V6)->status, VERIFY_PASS);
		ck_assert_int_eq(verify_get_check(v, VERIFY_V7)->status,
		                 cut == EV_TALLY ? VERIFY_NOT_APPLICABLE : VERIFY_PASS);
		ck_assert_int_eq(verify_get_check(v, VERIFY_V8)->status, VERIFY_NOT_APPLICABLE);
		verify_free(v);
		th_record_free(&r);
	}
}
END_TEST

/* The same unfinished record with a wrong partial decryption (D + G,
 * re-signed) or with the tally changed. */
START_TEST(t_before_result_tampered)
{
	struct th_record r;
	struct verify *v;

	load(&r);
	while (r.n_events > EV_PD_T3 + 1)
		th_record_remove(&r, r.n_events - 1);
	point_inc(r.ev[EV_PD_T3].data + PD_ITEM(2));
	resign_trustee(&r, EV_PD_T3, 0);
	seal(&r);
	v = th_verify_record(&r, NULL);
	check_fail(v, VERIFY_V7, "a decryption proof does not verify", EV_PD_T3, true);
	ck_assert_int_eq(verify_get_check(v, VERIFY_V8)->status, VERIFY_NOT_APPLICABLE);
	verify_free(v);
	th_record_free(&r);

	load(&r);
	while (r.n_events > EV_TALLY + 1)
		th_record_remove(&r, r.n_events - 1);
	point_inc(r.ev[EV_TALLY].data + T_AB + 32);
	expect(&r, VERIFY_V6, "an aggregate or ballot hash differs", EV_TALLY, true);
}
END_TEST

/* No ballot at all: N = 0, aggregates O, Q empty; keeps the last `keep`
 * partial decryptions (rebuilt over the N = 0 tally), normally none. */
static void
no_ballots(struct th_record *r, int keep)
{
	load(r);
	while (r->ev[EV_OPEN + 1].type == PROTOCOL_EVENT_BALLOT)
		th_record_remove(r, EV_OPEN + 1);
	for (int k = 2 - keep; k > 0; k--)
		th_record_remove(r, EV_OPEN + 3);
	th_record_renumber(r);
	recompute(r);
}

START_TEST(no_ballot_verifies)
{
	struct th_record r;
	struct verify *v;
	uint32_t n_q;

	no_ballots(&r, 0);
	ck_assert_int_eq(r.ev[EV_OPEN + 3].type, PROTOCOL_EVENT_RESULT);
	seal(&r);
	v = th_verify_record(&r, NULL);
	if (!verify_ok(v))
		th_verify_dump(v);
	ck_assert(verify_ok(v));
	verify_decrypting_trustees(v, &n_q);
	ck_assert_uint_eq(n_q, 0);
	verify_free(v);
	th_record_free(&r);
}
END_TEST

/* ---- V4: secret ballots ------------------------------------------------ */

/* ngo-b's ballot with ngo-d's voter_pk, re-signed by ngo-d (vector
 * replay.*): the signature verifies, the proofs bound to ngo-b's key do
 * not. */
START_TEST(t_replay_other_voter)
{
	struct th_record r;
	uint8_t pk[32], sk[64], h[64];
	size_t bl;

	load(&r);
	bl = r.ev[EV_NGO_B].len;
	th_event_set_data(&r, EV_NGO_D, r.ev[EV_NGO_B].data, bl);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, "voter/ngo-d");
	th_keypair("voter/ngo-d", pk, sk);
	ck_assert(memcmp(r.ev[EV_NGO_D].data + 64, pk, 32) == 0);
	protocol_ballot_hash(r.ev[EV_NGO_D].data, bl - 64, h);
	th_assert_vector("replay.ngo-b_as_ngo-d.hash", h, 64);
	th_assert_vector("replay.ngo-b_as_ngo-d.sig", r.ev[EV_NGO_D].data + bl - 64, 64);
	recompute(&r);
	expect(&r, VERIFY_V4, "BAD_PROOF", EV_NGO_D, true);
}
END_TEST

/* (alpha + r'G, beta + r'Y) with the same proof, re-signed by the voter:
 * the ciphertext still encrypts the same choice, the proof fails. */
START_TEST(t_rerandomised_ciphertext)
{
	struct th_record r;
	uint8_t y[32], eh[64], rr[32], t1[32];
	uint8_t *sel;

	load(&r);
	election_key(&r, eh, y);
	sel = r.ev[EV_NGO_D].data + B_SEL(1);
	pgroup_test_scalar("tamper/rerandomise", rr);
	pgroup_mul_base(t1, rr);
	pgroup_add(sel, sel, t1);
	ck_assert(pgroup_mul(t1, rr, y));
	pgroup_add(sel + 32, sel + 32, t1);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "BAD_PROOF", EV_NGO_D, true);
}
END_TEST

/* P1: alpha with bit 255 set is the same point to libsodium. */
START_TEST(t_alpha_bit255)
{
	struct th_record r;

	load(&r);
	r.ev[EV_NGO_D].data[B_SEL(0) + 31] |= 0x80;
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "NONCANONICAL", EV_NGO_D, true);
}
END_TEST

/* P4: a selection proof's z_0 + L (the same scalar mod L). */
START_TEST(t_proof_scalar_plus_l)
{
	struct th_record r;
	uint8_t *z;
	unsigned carry = 0;

	load(&r);
	z = r.ev[EV_NGO_D].data + B_SEL(2) + 64 + 32;
	for (int k = 0; k < 32; k++) {
		carry += (unsigned)z[k] + L_LE[k];
		z[k] = (uint8_t)carry;
		carry >>= 8;
	}
	ck_assert_uint_eq(carry, 0);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "NONCANONICAL", EV_NGO_D, true);
}
END_TEST

/* A contest (range) proof scalar set to L itself. */
START_TEST(t_range_scalar_is_l)
{
	struct th_record r;

	load(&r);
	ck_assert_uint_eq(encoding_le32_get(r.ev[EV_NGO_D].data + B_C1), 2);
	memcpy(r.ev[EV_NGO_D].data + B_RANGE1 + 32, L_LE, 32); /* z_0 */
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "NONCANONICAL", EV_NGO_D, true);
}
END_TEST

/* ngo-d's ballot built with the randomness of ngo-b's: every proof is
 * valid under ngo-d's key, but the alphas coincide with ngo-b's.  Weeding
 * is the only check that fires. */
START_TEST(t_alpha_reused_valid_proofs)
{
	struct th_record r;
	struct protocol_manifest *m;
	uint8_t eh[64], y[32], pk[32], sk[64];
	const uint8_t c0[3] = {0, 1, 1}, c1[2] = {1, 0};
	const uint8_t *rows[2] = {c0, c1};
	struct encoding_buf b;
	uint8_t sig[64] = {0};

	load(&r);
	m = manifest_of(&r, NULL);
	election_key(&r, eh, y);
	th_keypair("voter/ngo-d", pk, sk);
	encoding_buf_init(&b);
	ck_assert(
	    protocol_sballot_build(m, eh, y, pk, 1, rows, &pgroup_rng_test, "ballot/ngo-b/s1", &b));
	encoding_buf_append(&b, sig, 64);
	th_event_set_data(&r, EV_NGO_D, b.data, b.len);
	encoding_buf_free(&b);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	ck_assert(memcmp(r.ev[EV_NGO_D].data + B_SEL(0), r.ev[EV_NGO_B].data + B_SEL(0), 32) == 0);
	protocol_manifest_free(m);
	recompute(&r);
	expect(&r, VERIFY_V4, "already cast by voter ngo-b (weeding", EV_NGO_D, true);
}
END_TEST

START_TEST(t_alpha_identity)
{
	struct th_record r;

	load(&r);
	memset(r.ev[EV_NGO_D].data + B_SEL(1), 0, 32);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "IDENTITY", EV_NGO_D, true);
}
END_TEST

START_TEST(t_beta_identity)
{
	struct th_record r;

	load(&r);
	memset(r.ev[EV_NGO_D].data + B_SEL(1) + 32, 0, 32);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "IDENTITY", EV_NGO_D, true);
}
END_TEST

START_TEST(t_wrong_contest_count)
{
	struct th_record r;

	load(&r);
	encoding_le32_put(r.ev[EV_NGO_D].data + B_NCONT, 3);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "CONTEST_COUNT", EV_NGO_D, true);
}
END_TEST

START_TEST(t_wrong_candidate_count)
{
	struct th_record r;

	load(&r);
	encoding_le32_put(r.ev[EV_NGO_D].data + B_C0, 2);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "SHAPE", EV_NGO_D, true);
}
END_TEST

START_TEST(t_ballot_trailing_bytes)
{
	struct th_record r;
	uint8_t buf[2048];
	size_t bl;

	load(&r);
	bl = r.ev[EV_NGO_D].len - 64;
	ck_assert_uint_eq(bl, 1336);
	memcpy(buf, r.ev[EV_NGO_D].data, bl);
	memset(buf + bl, 0, 32 + 64);
	th_event_set_data(&r, EV_NGO_D, buf, bl + 32 + 64);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, NULL);
	recompute(&r);
	expect(&r, VERIFY_V4, "TRAILING_BYTES", EV_NGO_D, true);
}
END_TEST

/* A bit of ngo-d's signature flipped: the ballot still counts (as in open
 * mode, a faulty ballot's fault shows in V4 alone). */
START_TEST(t_ballot_bad_signature)
{
	struct th_record r;

	load(&r);
	r.ev[EV_NGO_D].data[r.ev[EV_NGO_D].len - 1] ^= 0x01;
	expect(&r, VERIFY_V4, "BAD_SIGNATURE", EV_NGO_D, true);
}
END_TEST

/* ngo-d's ballot under the key of a stranger, signed by it: the proofs
 * are bound to the stranger's key, the roll refuses it. */
START_TEST(t_ballot_not_on_roll)
{
	struct th_record r;

	load(&r);
	th_record_resign_ballot(&r, EV_NGO_D, NULL, "voter/stranger");
	recompute(&r);
	expect(&r, VERIFY_V4, "NOT_ON_ROLL", EV_NGO_D, true);
}
END_TEST

/* ---- V5: the key ceremony ----------------------------------------------- */

/* Trustee 2's round-1 PoK broken (z_0 + 1), R1 re-signed, R0 updated to
 * the new R1 and re-signed: only the PoK is wrong.  Without every R1 there
 * is no election key, so later checks cannot pass either. */
START_TEST(t_r1_bad_pok)
{
	struct th_record r;

	load(&r);
	scalar_inc(r.ev[EV_R1 + 1].data + R1_Z0);
	resign_trustee(&r, EV_R1 + 1, 0);
	update_r0(&r, EV_R0 + 1, EV_R1 + 1);
	expect(&r, VERIFY_V5, "proof of knowledge of the coefficients", EV_R1 + 1, false);
}
END_TEST

/* Trustee 3's C_{3,1} = O (R1 and R0 re-signed). */
START_TEST(t_r1_commitment_identity)
{
	struct th_record r;

	load(&r);
	memset(r.ev[EV_R1 + 2].data + R1_C(1), 0, 32);
	resign_trustee(&r, EV_R1 + 2, 0);
	update_r0(&r, EV_R0 + 2, EV_R1 + 2);
	expect(&r, VERIFY_V5, "identity", EV_R1 + 2, false);
}
END_TEST

/* Trustee 2's R0 commits to another R1 (re-signed). */
START_TEST(t_r0_mismatch)
{
	struct th_record r;

	load(&r);
	r.ev[EV_R0 + 1].data[MH + 4] ^= 0x01;
	resign_trustee(&r, EV_R0 + 1, 0);
	expect(&r, VERIFY_V5, "does not match the trustee's round-0 commitment", EV_R1 + 1, false);
}
END_TEST

/* Trustee 1's R2 over other R1hashes (re-signed). */
START_TEST(t_r2_other_r1hashes)
{
	struct th_record r;

	load(&r);
	r.ev[EV_R2].data[R2_HASHES + 64 + 7] ^= 0x10;
	resign_trustee(&r, EV_R2, 0);
	expect(&r, VERIFY_V5, "R1hashes", EV_R2, true);
}
END_TEST

/* Trustee 2's R2 signed with trustee 3's key. */
START_TEST(t_dkg_wrong_signer)
{
	struct th_record r;

	load(&r);
	resign_trustee(&r, EV_R2 + 1, 3);
	expect(&r, VERIFY_V5, "signature does not verify", EV_R2 + 1, true);
}
END_TEST

/* Trustee 1's R3 states Y + G (re-signed). */
START_TEST(t_r3_other_y)
{
	struct th_record r;

	load(&r);
	point_inc(r.ev[EV_R3].data + R3_Y);
	resign_trustee(&r, EV_R3, 0);
	expect(&r, VERIFY_V5, "another election key Y", EV_R3, true);
}
END_TEST

/* Trustee 2's R3 states Z_3 + G (re-signed). */
START_TEST(t_r3_other_z)
{
	struct th_record r;

	load(&r);
	point_inc(r.ev[EV_R3 + 1].data + R3_Z(3));
	resign_trustee(&r, EV_R3 + 1, 0);
	expect(&r, VERIFY_V5, "another verification key Z_j", EV_R3 + 1, true);
}
END_TEST

/* Trustee 3's share PoK broken (z + 1, re-signed). */
START_TEST(t_r3_bad_share_pok)
{
	struct th_record r;

	load(&r);
	ck_assert_uint_eq(r.ev[EV_R3 + 2].len - 64, R3_RESP + 32);
	scalar_inc(r.ev[EV_R3 + 2].data + R3_RESP);
	resign_trustee(&r, EV_R3 + 2, 0);
	expect(&r, VERIFY_V5, "proof of possession of the share", EV_R3 + 2, true);
}
END_TEST

/* Trustee 3's round-3 event is missing: the ceremony is incomplete (V5)
 * and `open` comes too early (V3). */
START_TEST(t_missing_round3)
{
	struct th_record r;
	struct verify *v;

	load(&r);
	th_record_remove(&r, EV_R3 + 2);
	th_record_renumber(&r);
	seal(&r);
	v = th_verify_record(&r, NULL);
	check_fail(v, VERIFY_V5, "key ceremony is incomplete", -1, false);
	check_fail(v, VERIFY_V3, "key ceremony incomplete", EV_OPEN - 1, false);
	verify_free(v);
	th_record_free(&r);
}
END_TEST

/* ---- V3: the open event ---------------------------------------------- */

/* `open` carries the open-mode election_hash H64("election", mh || 1). */
START_TEST(t_open_open_mode_hash)
{
	struct th_record r;
	uint8_t mh[64], eh[64];

	load(&r);
	protocol_manifest_hash(r.ev[0].data, r.ev[0].len, mh);
	protocol_election_hash_open(mh, eh);
	ck_assert_uint_eq(r.ev[EV_OPEN].len, 64);
	memcpy(r.ev[EV_OPEN].data, eh, 64);
	expect(&r, VERIFY_V3, "open data is not the election_hash", EV_OPEN, true);
}
END_TEST

/* ---- V6: the tally event ----------------------------------------------- */

START_TEST(t_tally_aggregate_changed)
{
	struct th_record r;

	load(&r);
	ck_assert_uint_eq(r.ev[EV_TALLY].len, T_AB + 5 * 64);
	point_inc(r.ev[EV_TALLY].data + T_AB);
	expect(&r, VERIFY_V6, "an aggregate or ballot hash differs", EV_TALLY, true);
}
END_TEST

/* The tally lists ngo-a's superseded first ballot instead of its second. */
START_TEST(t_tally_other_ballot_hash)
{
	struct th_record r;
	uint8_t h1[64], h2[64];
	int k;

	load(&r);
	protocol_ballot_hash(r.ev[EV_NGO_A1].data, r.ev[EV_NGO_A1].len - 64, h1);
	protocol_ballot_hash(r.ev[EV_NGO_A1 + 3].data, r.ev[EV_NGO_A1 + 3].len - 64, h2);
	for (k = 0; k < 4; k++)
		if (memcmp(r.ev[EV_TALLY].data + T_HASHES + 64 * k, h2, 64) == 0)
			break;
	ck_assert_int_lt(k, 4);
	memcpy(r.ev[EV_TALLY].data + T_HASHES + 64 * k, h1, 64);
	expect(&r, VERIFY_V6, "an aggregate or ballot hash differs", EV_TALLY, true);
}
END_TEST

/* ---- V7: partial decryptions and their combination --------------------- */

/* Trustee 3's D for (0, 0) replaced by D + G, re-signed. */
START_TEST(t_pd_wrong_d)
{
	struct th_record r;

	load(&r);
	point_inc(r.ev[EV_PD_T3].data + PD_ITEM(0));
	resign_trustee(&r, EV_PD_T3, 0);
	expect_v7(&r, "a decryption proof does not verify", EV_PD_T3);
}
END_TEST

/* Trustee 1's response z for (1, 1) + 1, re-signed. */
START_TEST(t_pd_wrong_z)
{
	struct th_record r;

	load(&r);
	scalar_inc(r.ev[EV_PD_T1].data + PD_ITEM(4) + 64);
	resign_trustee(&r, EV_PD_T1, 0);
	expect_v7(&r, "a decryption proof does not verify", EV_PD_T1);
}
END_TEST

/* One partial decryption dropped, the result kept: 1 < t = 2. */
START_TEST(t_too_few_pd)
{
	struct th_record r;

	load(&r);
	th_record_remove(&r, EV_PD_T3);
	th_record_renumber(&r);
	expect_v7(&r, "1 partial decryption, the threshold is t = 2", -1);
}
END_TEST

/* Trustee 1's partial decryption twice. */
START_TEST(t_pd_same_trustee_twice)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, EV_PD_T1 + 1, EV_PD_T1);
	th_record_renumber(&r);
	expect_v7(&r, "trustee 1 published two partial decryptions", EV_PD_T1 + 1);
}
END_TEST

/* Trustee 3's partial decryption claims j = 0 and j = 4 (n = 3). */
START_TEST(t_pd_index_out_of_range)
{
	static const uint32_t bad[] = {0, 4};

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct th_record r;

		load(&r);
		encoding_le32_put(r.ev[EV_PD_T3].data + PD_J, bad[k]);
		resign_trustee(&r, EV_PD_T3, 3);
		expect_v7(&r, "outside 1..n", EV_PD_T3);
	}
}
END_TEST

/* Trustee 3 decrypts (validly, re-signed) over another tally_hash. */
START_TEST(t_pd_other_tally_hash)
{
	struct th_record r;
	struct protocol_manifest *m;
	struct protocol_pdec p;
	const char *why = NULL;
	uint8_t eh[64], th[64], z[32], pk[32], sk[64], ab[10][32];
	struct encoding_buf b;

	load(&r);
	m = manifest_of(&r, NULL);
	election_key(&r, eh, NULL);
	ck_assert(protocol_pdec_parse(m, r.ev[EV_PD_T3].data, r.ev[EV_PD_T3].len, &p, &why));
	memcpy(th, p.tally_hash, 64);
	th[0] ^= 0x01;
	for (int k = 0; k < 5; k++) {
		memcpy(ab[2 * k], r.ev[EV_TALLY].data + T_AB + 64 * k, 32);
		memcpy(ab[2 * k + 1], r.ev[EV_TALLY].data + T_AB + 64 * k + 32, 32);
	}
	trustee_share(m, 3, z);
	trustee_key(3, pk, sk);
	encoding_buf_init(&b);
	ck_assert(protocol_pdec_build(m, eh, 3, z, th, (const uint8_t(*)[32])ab, sk,
	                              &pgroup_rng_test, &b));
	th_event_set_data(&r, EV_PD_T3, b.data, b.len);
	encoding_buf_free(&b);
	protocol_manifest_free(m);
	expect_v7(&r, "over another tally (tally_hash)", EV_PD_T3);
}
END_TEST

/* P1 in a partial decryption: trustee 1's D for (0, 1) with bit 255 set,
 * re-signed. */
START_TEST(t_pd_noncanonical_d)
{
	struct th_record r;

	load(&r);
	r.ev[EV_PD_T1].data[PD_ITEM(1) + 31] |= 0x80;
	resign_trustee(&r, EV_PD_T1, 0);
	expect_v7(&r, "not a canonical point", EV_PD_T1);
}
END_TEST

/* N = 0 and yet trustee 1 published a (valid) partial decryption. */
START_TEST(t_n0_spurious_pd)
{
	struct th_record r;

	no_ballots(&r, 1); /* trustee 1's, over A = B = O */
	ck_assert_int_eq(r.ev[EV_OPEN + 3].type, PROTOCOL_EVENT_PARTIAL_DECRYPTION);
	ck_assert_uint_eq(encoding_le32_get(r.ev[EV_OPEN + 3].data + PD_J), 1);
	expect_v7(&r, "no ballot was counted (N = 0)", EV_OPEN + 3);
}
END_TEST

/* ---- V7 / V8: the result ------------------------------------------------ */

/* Q = {1, 3} published as {1, 2}: trustee 2 did not decrypt. */
START_TEST(t_result_other_q)
{
	struct th_record r;

	load(&r);
	ck_assert_uint_eq(encoding_le32_get(r.ev[EV_RESULT].data + RES_Q), 2);
	ck_assert_uint_eq(encoding_le32_get(r.ev[EV_RESULT].data + RES_Q + 8), 3);
	encoding_le32_put(r.ev[EV_RESULT].data + RES_Q + 8, 2);
	expect(&r, VERIFY_V8, "another set Q", EV_RESULT, true);
}
END_TEST

/* The result names another tally_hash (another counted set). */
START_TEST(t_result_other_tally_hash)
{
	struct th_record r;
	struct verify *v;

	load(&r);
	r.ev[EV_RESULT].data[64 + 9] ^= 0x04;
	seal(&r);
	v = th_verify_record(&r, NULL);
	check_fail(v, VERIFY_V6, "tally_hash differs", EV_RESULT, false);
	check_fail(v, VERIFY_V8, "result_body differs", EV_RESULT, false);
	no_other_failure(v, VERIFY_V6, VERIFY_V8);
	verify_free(v);
	th_record_free(&r);
}
END_TEST

/* x_{0,0}: 3 -> 4, the winners unchanged.  The decrypted count differs
 * (V7) and so does result_body (V8). */
START_TEST(t_result_count_changed)
{
	struct th_record r;
	struct verify *v;

	load(&r);
	ck_assert_uint_eq(encoding_le32_get(r.ev[EV_RESULT].data + RES_X), 3);
	encoding_le32_put(r.ev[EV_RESULT].data + RES_X, 4);
	seal(&r);
	v = th_verify_record(&r, NULL);
	check_fail(v, VERIFY_V7, "candidate", EV_RESULT, false);
	check_fail(v, VERIFY_V7, "published 4, recounted 3", EV_RESULT, false);
	check_fail(v, VERIFY_V8, "contest board: the published counts differ from the decrypted",
	           EV_RESULT, false);
	no_other_failure(v, VERIFY_V7, VERIFY_V8);
	verify_free(v);
	th_record_free(&r);
}
END_TEST

Suite *
verify_secret_suite(void)
{
	Suite *s = suite_create("verify_secret");
	TCase *tg = tcase_create("good");
	TCase *tb = tcase_create("ballots");
	TCase *tk = tcase_create("ceremony");
	TCase *td = tcase_create("decryption");

	if (sodium_init() < 0)
		abort();
	tcase_add_test(tg, helpers_rebuild_record);
	tcase_add_test(tg, ends_before_result);
	tcase_add_test(tg, no_ballot_verifies);
	tcase_add_test(tg, t_before_result_tampered);
	suite_add_tcase(s, tg);

	tcase_add_test(tb, t_replay_other_voter);
	tcase_add_test(tb, t_rerandomised_ciphertext);
	tcase_add_test(tb, t_alpha_bit255);
	tcase_add_test(tb, t_proof_scalar_plus_l);
	tcase_add_test(tb, t_range_scalar_is_l);
	tcase_add_test(tb, t_alpha_reused_valid_proofs);
	tcase_add_test(tb, t_alpha_identity);
	tcase_add_test(tb, t_beta_identity);
	tcase_add_test(tb, t_wrong_contest_count);
	tcase_add_test(tb, t_wrong_candidate_count);
	tcase_add_test(tb, t_ballot_trailing_bytes);
	tcase_add_test(tb, t_ballot_bad_signature);
	tcase_add_test(tb, t_ballot_not_on_roll);
	suite_add_tcase(s, tb);

	tcase_add_test(tk, t_r1_bad_pok);
	tcase_add_test(tk, t_r1_commitment_identity);
	tcase_add_test(tk, t_r0_mismatch);
	tcase_add_test(tk, t_r2_other_r1hashes);
	tcase_add_test(tk, t_dkg_wrong_signer);
	tcase_add_test(tk, t_r3_other_y);
	tcase_add_test(tk, t_r3_other_z);
	tcase_add_test(tk, t_r3_bad_share_pok);
	tcase_add_test(tk, t_missing_round3);
	suite_add_tcase(s, tk);

	tcase_add_test(td, t_open_open_mode_hash);
	tcase_add_test(td, t_tally_aggregate_changed);
	tcase_add_test(td, t_tally_other_ballot_hash);
	tcase_add_test(td, t_pd_wrong_d);
	tcase_add_test(td, t_pd_wrong_z);
	tcase_add_test(td, t_too_few_pd);
	tcase_add_test(td, t_pd_same_trustee_twice);
	tcase_add_test(td, t_pd_index_out_of_range);
	tcase_add_test(td, t_pd_other_tally_hash);
	tcase_add_test(td, t_pd_noncanonical_d);
	tcase_add_test(td, t_n0_spurious_pd);
	tcase_add_test(td, t_result_other_q);
	tcase_add_test(td, t_result_other_tally_hash);
	tcase_add_test(td, t_result_count_changed);
	suite_add_tcase(s, td);
	return s;
}
