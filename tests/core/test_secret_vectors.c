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
#include "protocol_sballot.h"

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
		ck_assert_int_eq(protocol_sballot_validate(m, eh, ypt, &sb, &voter), PROTOCOL_BALLOT_OK);
		for (uint32_t c = 0; c < m->n_contests; c++) {
			for (uint32_t i = 0; i < m->contests[c].n_candidates; i++)
				choice[c][i] = decrypt_bit(y, protocol_sballot_alpha(&sb.contests[c], i),
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

Suite *
secret_vectors_suite(void)
{
	Suite *s = suite_create("secret_vectors");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, ballots_rebuilt);
	suite_add_tcase(s, tc);
	return s;
}
