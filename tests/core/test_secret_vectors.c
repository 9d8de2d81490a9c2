/*
 * test_secret_vectors.c -- every secret-mode line of tests/spec/vectors.txt
 * rebuilt byte for byte with the core (spec §6, §7, §11-13, §17), with the
 * test randomness rnd(label) of the vectors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "crypto_group.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"

Suite *secret_vectors_suite(void);

static struct protocol_manifest *
secret_manifest(void)
{
	struct protocol_manifest *m = NULL;
	const char *why = NULL;
	size_t l;
	uint8_t *b = th_vector_bytes("secret.manifest.bytes", &l);

	ck_assert_msg(protocol_manifest_decode(b, l, &m, &why), "%s", why);
	free(b);
	return m;
}

/* y = sum_d a_{d,0}: the joint secret, known only because the vectors
 * derive every trustee's randomness. */
static void
joint_secret(uint8_t y[32])
{
	uint8_t a[32];
	char label[32];

	memset(y, 0, 32);
	for (int d = 1; d <= 3; d++) {
		snprintf(label, sizeof(label), "dkg/T%d/a0", d);
		pgroup_test_scalar(label, a);
		crypto_core_ristretto255_scalar_add(y, y, a);
	}
}

/* m = log(beta - y*alpha), m in {0, 1}. */
static uint8_t
decrypt_bit(const uint8_t y[32], const uint8_t *alpha, const uint8_t *beta)
{
	uint8_t ya[32], mg[32], g[32];

	ck_assert(pgroup_mul(ya, y, alpha));
	pgroup_sub(mg, beta, ya);
	if (pgroup_is_identity(mg))
		return 0;
	pgroup_small_multiple(g, 1);
	ck_assert(pgroup_equal(mg, g));
	return 1;
}

static const struct {
	const char *voter;
	unsigned seq;
} secret_ballots[] = {{"ngo-a", 1}, {"ngo-b", 1}, {"ngo-c", 1}, {"ngo-a", 2}, {"ngo-d", 1}};

START_TEST(ballots_rebuilt)
{
	struct protocol_manifest *m = secret_manifest();
	uint8_t *eh, *ypt, y[32];
	size_t l;

	eh = th_vector_bytes("secret.election.hash", &l);
	ypt = th_vector_bytes("secret.dkg.Y", &l);
	joint_secret(y);
	for (size_t k = 0; k < sizeof(secret_ballots) / sizeof(secret_ballots[0]); k++) {
		char name[96], label[64];
		uint8_t *body, seed[32], pk[32], sk[64], hash[64], sig[64];
		uint8_t choice[8][8] = {{0}};
		const uint8_t *rows[8];
		struct protocol_sballot sb;
		struct encoding_buf out;
		int64_t voter = -1;

		snprintf(name, sizeof(name), "secret.ballot.%s.s%u.body", secret_ballots[k].voter,
		         secret_ballots[k].seq);
		body = th_vector_bytes(name, &l);
		ck_assert_int_eq(protocol_sballot_parse(m, body, l, &sb), PROTOCOL_BALLOT_OK);
		ck_assert_int_eq(protocol_sballot_validate(m, eh, ypt, &sb, &voter),
		                 PROTOCOL_BALLOT_OK);
		for (uint32_t c = 0; c < m->n_contests; c++) {
			for (uint32_t i = 0; i < m->contests[c].n_candidates; i++)
				choice[c][i] =
				    decrypt_bit(y, protocol_sballot_alpha(&sb.contests[c], i),
				                protocol_sballot_beta(&sb.contests[c], i));
			rows[c] = choice[c];
		}
		snprintf(label, sizeof(label), "voter/%s", secret_ballots[k].voter);
		pgroup_test_seed(label, seed);
		crypto_sign_seed_keypair(pk, sk, seed);
		snprintf(label, sizeof(label), "ballot/%s/s%u", secret_ballots[k].voter,
		         secret_ballots[k].seq);
		encoding_buf_init(&out);
		ck_assert(protocol_sballot_build(m, eh, ypt, pk, secret_ballots[k].seq, rows,
		                                 &pgroup_rng_test, label, &out));
		ck_assert_uint_eq(out.len, l);
		th_assert_vector(name, out.data, out.len);
		protocol_ballot_hash(out.data, out.len, hash);
		snprintf(name, sizeof(name), "secret.ballot.%s.s%u.hash", secret_ballots[k].voter,
		         secret_ballots[k].seq);
		th_assert_vector(name, hash, 64);
		ck_assert(protocol_ballot_sign(sk, hash, sig));
		snprintf(name, sizeof(name), "secret.ballot.%s.s%u.sig", secret_ballots[k].voter,
		         secret_ballots[k].seq);
		th_assert_vector(name, sig, 64);
		encoding_buf_free(&out);
		protocol_sballot_clear(&sb);
		free(body);
	}
	free(eh);
	free(ypt);
	protocol_manifest_free(m);
}
END_TEST

static void
trustee_key(uint32_t d, uint8_t pk[32], uint8_t sk[64])
{
	char label[32];
	uint8_t seed[32];

	snprintf(label, sizeof(label), "trustee/trustee-%u", d);
	pgroup_test_seed(label, seed);
	crypto_sign_seed_keypair(pk, sk, seed);
}

/* Splits "body || sig" and checks both halves against <name> and <name>.sig. */
static void
assert_signed(const char *name, const struct encoding_buf *b)
{
	char sig_name[96];

	ck_assert_uint_ge(b->len, 64);
	th_assert_vector(name, b->data, b->len - 64);
	snprintf(sig_name, sizeof(sig_name), "%s.sig", name);
	th_assert_vector(sig_name, b->data + b->len - 64, 64);
}

/* Runs the whole example ceremony with the test randomness: every value
 * of secret.dkg.* rebuilt, every message accepted by the checker. */
static struct protocol_dkg *
run_ceremony(const struct protocol_manifest *m, uint8_t z[3][32])
{
	uint8_t mh[64], pk[32], sk[64];
	size_t l;
	uint8_t *mb = th_vector_bytes("secret.manifest.bytes", &l);
	struct protocol_dkg_secrets sec[3];
	struct encoding_buf r1[3], msg;
	struct protocol_dkg *k;
	const char *why = NULL;
	char name[96];

	protocol_manifest_hash(mb, l, mh);
	free(mb);
	th_assert_vector("secret.manifest.hash", mh, 64);
	k = protocol_dkg_new(m, mh);
	ck_assert_ptr_nonnull(k);
	for (uint32_t d = 1; d <= 3; d++) {
		trustee_key(d, pk, sk);
		encoding_buf_init(&r1[d - 1]);
		ck_assert(
		    protocol_dkg_r1_build(m, mh, d, sk, &pgroup_rng_test, &sec[d - 1], &r1[d - 1]));
		encoding_buf_init(&msg);
		ck_assert(protocol_dkg_r0_build(mh, d, r1[d - 1].data, r1[d - 1].len, sk, &msg));
		snprintf(name, sizeof(name), "secret.dkg.T%u.R0", d);
		assert_signed(name, &msg);
		ck_assert_msg(protocol_dkg_add(k, 0, msg.data, msg.len, NULL, &why), "%s", why);
		encoding_buf_free(&msg);
	}
	for (uint32_t d = 1; d <= 3; d++) {
		const struct encoding_buf *b = &r1[d - 1];
		uint8_t h[64];

		snprintf(name, sizeof(name), "secret.dkg.T%u.R1", d);
		assert_signed(name, b);
		pcrypto_h64("dkg-round1", b->data, b->len - 64, h);
		snprintf(name, sizeof(name), "secret.dkg.T%u.R1.hash", d);
		th_assert_vector(name, h, 64);
		ck_assert_msg(protocol_dkg_add(k, 1, b->data, b->len, NULL, &why), "%s", why);
		snprintf(name, sizeof(name), "secret.dkg.T%u.C0", d);
		th_assert_vector(name, protocol_dkg_commitment(k, d, 0), 32);
		snprintf(name, sizeof(name), "secret.dkg.T%u.C1", d);
		th_assert_vector(name, protocol_dkg_commitment(k, d, 1), 32);
		snprintf(name, sizeof(name), "secret.dkg.T%u.E", d);
		th_assert_vector(name, protocol_dkg_transport_key(k, d), 32);
		/* PoK: c, z0, z1, zE follow C0, C1, E in the body. */
		snprintf(name, sizeof(name), "secret.dkg.T%u.pok.c", d);
		th_assert_vector(name, b->data + 64 + 12 + 3 * 32, 32);
		snprintf(name, sizeof(name), "secret.dkg.T%u.pok.z0", d);
		th_assert_vector(name, b->data + 64 + 12 + 4 * 32, 32);
		snprintf(name, sizeof(name), "secret.dkg.T%u.pok.z1", d);
		th_assert_vector(name, b->data + 64 + 12 + 5 * 32, 32);
		snprintf(name, sizeof(name), "secret.dkg.T%u.pok.zE", d);
		th_assert_vector(name, b->data + 64 + 12 + 6 * 32, 32);
		encoding_buf_free(&r1[d - 1]);
	}
	th_assert_vector("secret.dkg.Y", protocol_dkg_y(k), 32);
	for (uint32_t d = 1; d <= 3; d++) {
		trustee_key(d, pk, sk);
		encoding_buf_init(&msg);
		ck_assert(protocol_dkg_r2_build(k, d, &sec[d - 1], sk, &pgroup_rng_test, &msg));
		snprintf(name, sizeof(name), "secret.dkg.T%u.R2", d);
		assert_signed(name, &msg);
		if (d == 1) {
			/* the share to trustee 2 comes first: LE32(2) || R || ct */
			size_t off = 64 + 4 + 3 * 64 + 4;
			th_assert_vector("secret.dkg.share.T1toT2.R", msg.data + off, 32);
			th_assert_vector("secret.dkg.share.T1toT2.ct", msg.data + off + 32, 32);
		}
		ck_assert_msg(protocol_dkg_add(k, 2, msg.data, msg.len, NULL, &why), "%s", why);
		encoding_buf_free(&msg);
	}
	{
		uint8_t s[32];

		ck_assert_str_eq(th_vector("secret.dkg.share.T1toT2.feldman_ok"), "true");
		ck_assert_msg(protocol_dkg_share_open(k, 1, 2, sec[1].e, s, &why), "%s", why);
	}
	for (uint32_t j = 1; j <= 3; j++) {
		trustee_key(j, pk, sk);
		encoding_buf_init(&msg);
		ck_assert_msg(protocol_dkg_r3_build(k, j, &sec[j - 1], sk, &pgroup_rng_test,
		                                    z[j - 1], &msg, &why),
		              "%s", why);
		snprintf(name, sizeof(name), "secret.dkg.T%u.R3", j);
		assert_signed(name, &msg);
		snprintf(name, sizeof(name), "secret.dkg.Z%u", j);
		th_assert_vector(name, protocol_dkg_z(k, j), 32);
		snprintf(name, sizeof(name), "secret.dkg.Z%u.pok.c", j);
		th_assert_vector(name, msg.data + msg.len - 64 - 64, 32);
		snprintf(name, sizeof(name), "secret.dkg.Z%u.pok.z", j);
		th_assert_vector(name, msg.data + msg.len - 64 - 32, 32);
		ck_assert_msg(protocol_dkg_add(k, 3, msg.data, msg.len, NULL, &why), "%s", why);
		encoding_buf_free(&msg);
		protocol_dkg_secrets_wipe(&sec[j - 1]);
	}
	ck_assert(protocol_dkg_complete(k));
	return k;
}

START_TEST(ceremony_rebuilt)
{
	struct protocol_manifest *m = secret_manifest();
	uint8_t z[3][32], eh[64];
	struct protocol_dkg *k = run_ceremony(m, z);

	ck_assert(protocol_dkg_election_hash(k, eh));
	th_assert_vector("secret.election.hash", eh, 64);
	protocol_dkg_free(k);
	protocol_manifest_free(m);
}
END_TEST

/* The tally over the five vector ballots (ngo-a's second counts), the
 * partial decryptions of trustees 3 and 1, the combination and result. */
START_TEST(tally_and_decryption_rebuilt)
{
	struct protocol_manifest *m = secret_manifest();
	uint8_t z[3][32], eh[64], th[64], ab[10][32], lam[32], pk[32], sk[64];
	struct protocol_dkg *k = run_ceremony(m, z);
	struct protocol_tally *t = protocol_tally_new(m);
	struct protocol_result *res = NULL;
	struct encoding_buf body, pd[2];
	struct protocol_pdec p[2];
	uint32_t q[2] = {1, 3}, counts[5];
	const char *why = NULL;
	char name[96];
	size_t l;

	ck_assert(protocol_dkg_election_hash(k, eh));
	for (size_t n = 0; n < sizeof(secret_ballots) / sizeof(secret_ballots[0]); n++) {
		struct protocol_sballot sb;
		uint8_t *b, h[64];
		int64_t voter;

		snprintf(name, sizeof(name), "secret.ballot.%s.s%u.body", secret_ballots[n].voter,
		         secret_ballots[n].seq);
		b = th_vector_bytes(name, &l);
		ck_assert_int_eq(protocol_sballot_parse(m, b, l, &sb), PROTOCOL_BALLOT_OK);
		voter = protocol_manifest_voter_find(m, sb.voter_pk);
		protocol_ballot_hash(b, l, h);
		protocol_tally_add_secret(t, (uint32_t)voter, 14 + (uint32_t)n, &sb, h);
		protocol_sballot_clear(&sb);
		free(b);
	}
	ck_assert_uint_eq(protocol_tally_counted(t), 4);
	ck_assert(protocol_tally_aggregates(t, ab));
	for (uint32_t c = 0, kk = 0; c < m->n_contests; c++)
		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++, kk++) {
			snprintf(name, sizeof(name), "secret.tally.c%u.i%u.A", c, i);
			th_assert_vector(name, ab[2 * kk], 32);
			snprintf(name, sizeof(name), "secret.tally.c%u.i%u.B", c, i);
			th_assert_vector(name, ab[2 * kk + 1], 32);
		}
	encoding_buf_init(&body);
	ck_assert(protocol_tally_body(t, eh, &body));
	th_assert_vector("secret.tally.body", body.data, body.len);
	pcrypto_h64("tally", body.data, body.len, th);
	th_assert_vector("secret.tally.hash", th, 64);
	encoding_buf_free(&body);

	ck_assert(protocol_lagrange(q, 2, 1, lam));
	th_assert_vector("secret.lagrange.Q13.T1", lam, 32);
	ck_assert(protocol_lagrange(q, 2, 3, lam));
	th_assert_vector("secret.lagrange.Q13.T3", lam, 32);

	for (int s = 0; s < 2; s++) {
		uint32_t j = q[s];

		trustee_key(j, pk, sk);
		encoding_buf_init(&pd[s]);
		ck_assert(protocol_pdec_build(m, eh, j, z[j - 1], th, (const uint8_t(*)[32])ab, sk,
		                              &pgroup_rng_test, &pd[s]));
		snprintf(name, sizeof(name), "secret.pdec.T%u.body", j);
		th_assert_vector(name, pd[s].data, pd[s].len - 64);
		snprintf(name, sizeof(name), "secret.pdec.T%u.sig", j);
		th_assert_vector(name, pd[s].data + pd[s].len - 64, 64);
		ck_assert_msg(protocol_pdec_parse(m, pd[s].data, pd[s].len, &p[s], &why), "%s",
		              why);
		ck_assert_msg(protocol_pdec_verify(m, eh, th, protocol_dkg_z(k, j),
		                                   (const uint8_t(*)[32])ab, &p[s], &why),
		              "%s", why);
		for (uint32_t c = 0, kk = 0; c < m->n_contests; c++)
			for (uint32_t i = 0; i < m->contests[c].n_candidates; i++, kk++) {
				const uint8_t *it = p[s].items + kk * PDEC_ITEM_BYTES;

				snprintf(name, sizeof(name), "secret.pdec.T%u.c%u.i%u.D", j, c, i);
				th_assert_vector(name, it, 32);
				snprintf(name, sizeof(name), "secret.pdec.T%u.c%u.i%u.c", j, c, i);
				th_assert_vector(name, it + 32, 32);
				snprintf(name, sizeof(name), "secret.pdec.T%u.c%u.i%u.z", j, c, i);
				th_assert_vector(name, it + 64, 32);
			}
	}
	ck_assert_msg(protocol_decrypt_combine(5, (const uint8_t(*)[32])ab, p, 2, 4, counts, &why),
	              "%s", why);
	ck_assert_uint_eq(counts[0], 3);
	ck_assert_uint_eq(counts[1], 2);
	ck_assert_uint_eq(counts[2], 1);
	ck_assert_uint_eq(counts[3], 2);
	ck_assert_uint_eq(counts[4], 2);
	ck_assert(protocol_tally_finish_counts(t, eh, counts, q, 2, &res));
	th_assert_vector("secret.tiebreak.seed", res->seed, 64);
	th_assert_vector("secret.result.body", res->body, res->body_len);
	ck_assert_uint_eq(res->contests[1].lot, 1);

	protocol_result_free(res);
	encoding_buf_free(&pd[0]);
	encoding_buf_free(&pd[1]);
	protocol_tally_free(t);
	protocol_dkg_free(k);
	protocol_manifest_free(m);
}
END_TEST

/* edge.c0zero: the spec does not give this proof's statement (ctx), so
 * the test checks what it can of the vector -- c_0 = 0, z_0 = rnd(edge/z0)
 * and z_1 = rnd(edge/u) + c_1 rnd(edge/r) -- and that a proof of ours
 * with c_0 = 0 verifies: the commitment c_0*alpha is then O (P3). */
static void
zero_c0(void *ctx, const char *label, uint8_t out[32])
{
	(void)ctx;
	if (strstr(label, "/c0") != NULL)
		memset(out, 0, 32);
	else if (strstr(label, "/z0") != NULL)
		pgroup_test_scalar("edge/z0", out);
	else
		pgroup_test_scalar("edge/u", out);
}

START_TEST(edge_c0_zero)
{
	uint8_t *y, *c0, *z0, *c1, *z1, r[32], u[32], z0w[32], t[32], a[32], b[32], ry[32], g[32];
	uint8_t proof[128], ctx[8] = {0};
	const struct pgroup_rng rng = {zero_c0, NULL};
	size_t l;

	y = th_vector_bytes("secret.dkg.Y", &l);
	c0 = th_vector_bytes("edge.c0zero.c0", &l);
	z0 = th_vector_bytes("edge.c0zero.z0", &l);
	c1 = th_vector_bytes("edge.c0zero.c1", &l);
	z1 = th_vector_bytes("edge.c0zero.z1", &l);
	ck_assert_str_eq(th_vector("edge.c0zero.verify"), "true");
	ck_assert(sodium_is_zero(c0, 32));
	pgroup_test_scalar("edge/z0", z0w);
	ck_assert_mem_eq(z0, z0w, 32);
	pgroup_test_scalar("edge/r", r);
	pgroup_test_scalar("edge/u", u);
	crypto_core_ristretto255_scalar_mul(t, c1, r);
	crypto_core_ristretto255_scalar_add(t, t, u);
	ck_assert_mem_eq(t, z1, 32);

	pgroup_mul_base(a, r);
	ck_assert(pgroup_mul(ry, r, y));
	pgroup_small_multiple(g, 1);
	pgroup_add(b, ry, g);
	struct proof_or_statement st = {"ballot/selection", ctx, sizeof(ctx), y, a, b, 2, 0};
	proof_or_prove(&st, 1, r, &rng, "edge", proof);
	ck_assert(sodium_is_zero(proof, 32));
	ck_assert(proof_or_verify(&st, proof));
	proof[127] ^= 1;
	ck_assert(!proof_or_verify(&st, proof));
	free(y);
	free(c0);
	free(z0);
	free(c1);
	free(z1);
}
END_TEST

/* edge.idpdec: a decryption proof for A = B = O must verify (D = O, the
 * commitment u*A = O).  Built and checked with trustee 1's real share. */
START_TEST(edge_identity_decryption)
{
	struct protocol_manifest *m = secret_manifest();
	uint8_t z[3][32], eh[64], th[64] = {0}, pk[32], sk[64];
	uint8_t(*ab)[32] = calloc(10, 32);
	struct protocol_dkg *k = run_ceremony(m, z);
	struct encoding_buf pd;
	struct protocol_pdec p;
	const char *why = NULL;

	ck_assert_str_eq(th_vector("edge.idpdec.verify"), "true");
	ck_assert(protocol_dkg_election_hash(k, eh));
	trustee_key(1, pk, sk);
	encoding_buf_init(&pd);
	ck_assert(protocol_pdec_build(m, eh, 1, z[0], th, (const uint8_t(*)[32])ab, sk,
	                              &pgroup_rng_system, &pd));
	ck_assert_msg(protocol_pdec_parse(m, pd.data, pd.len, &p, &why), "%s", why);
	ck_assert(sodium_is_zero(p.items, 32));
	ck_assert_msg(protocol_pdec_verify(m, eh, th, protocol_dkg_z(k, 1),
	                                   (const uint8_t(*)[32])ab, &p, &why),
	              "%s", why);
	encoding_buf_free(&pd);
	free(ab);
	protocol_dkg_free(k);
	protocol_manifest_free(m);
}
END_TEST

Suite *
secret_vectors_suite(void)
{
	Suite *s = suite_create("secret_vectors");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, ballots_rebuilt);
	tcase_add_test(tc, ceremony_rebuilt);
	tcase_add_test(tc, tally_and_decryption_rebuilt);
	tcase_add_test(tc, edge_c0_zero);
	tcase_add_test(tc, edge_identity_decryption);
	suite_add_tcase(s, tc);
	return s;
}
