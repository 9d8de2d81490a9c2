/*
 * test_ballot.c -- open ballots (spec §8): build, exact parse, each
 * rejection code, hash and signature, on the assembly-2009 manifest.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "protocol_ballot.h"

Suite *ballot_suite(void);

static struct protocol_manifest *m;
static uint8_t eh[64], pk[32], sk[64];

static void
setup(void)
{
	size_t l;
	uint8_t *b = th_vector_bytes("open.manifest.bytes", &l), mh[64];
	const char *why = NULL;

	ck_assert(protocol_manifest_decode(b, l, &m, &why));
	protocol_manifest_hash(b, l, mh);
	protocol_election_hash_open(mh, eh);
	th_keypair("voter/ngo-b", pk, sk);
	free(b);
}

static void
teardown(void)
{
	protocol_manifest_free(m);
	m = NULL;
}

/* Builds, signs and checks a ballot; returns the check's verdict. */
static enum protocol_ballot_error
check_ballot(const uint8_t *e, const uint8_t *p, const uint8_t *s, uint32_t seq,
             const uint32_t counts[3], const uint32_t *const ix[3], size_t extra, bool bad_sig)
{
	struct encoding_buf b;
	struct protocol_ballot bal;
	uint8_t h[64], sig[64];
	int64_t v;
	enum protocol_ballot_error r;

	encoding_buf_init(&b);
	protocol_ballot_build(e, p, seq, 3, counts, ix, &b);
	for (size_t k = 0; k < extra; k++)
		encoding_buf_u8(&b, 0);
	protocol_ballot_hash(b.data, b.len, h);
	ck_assert(protocol_ballot_sign(s, h, sig));
	if (bad_sig)
		sig[0] ^= 1;
	r = protocol_ballot_check(m, eh, b.data, b.len, sig, &bal, h, &v);
	if (r == PROTOCOL_BALLOT_OK) {
		ck_assert_uint_eq(bal.seq, seq);
		ck_assert_str_eq(m->voters[v].id, "ngo-b");
		protocol_ballot_clear(&bal);
	}
	encoding_buf_free(&b);
	return r;
}

START_TEST(codes)
{
	uint32_t c0[2] = {0, 2}, c1[1] = {3}, c2[1] = {1}, rev[2] = {2, 0}, big[2] = {0, 4};
	uint32_t three[3] = {0, 1, 2};
	uint32_t ok_counts[3] = {2, 1, 1};
	const uint32_t *ok_ix[3] = {c0, c1, c2};
	const uint32_t *rev_ix[3] = {rev, c1, c2};
	const uint32_t *big_ix[3] = {big, c1, c2};
	const uint32_t *three_ix[3] = {three, c1, c2};
	uint32_t over[3] = {3, 1, 1}, blank_chair[3] = {2, 1, 0};
	uint8_t other_eh[64], spk[32], ssk[64];

	memcpy(other_eh, eh, 64);
	other_eh[63] ^= 1;
	th_keypair("voter/stranger", spk, ssk);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, ok_ix, 0, false),
	                 PROTOCOL_BALLOT_OK);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, ok_ix, 4, false),
	                 PROTOCOL_BALLOT_TRAILING_BYTES);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, ok_ix, 3, false),
	                 PROTOCOL_BALLOT_TRAILING_BYTES);
	ck_assert_int_eq(check_ballot(other_eh, pk, sk, 1, ok_counts, ok_ix, 0, false),
	                 PROTOCOL_BALLOT_WRONG_ELECTION);
	ck_assert_int_eq(check_ballot(eh, spk, ssk, 1, ok_counts, ok_ix, 0, false),
	                 PROTOCOL_BALLOT_NOT_ON_ROLL);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 0, ok_counts, ok_ix, 0, false),
	                 PROTOCOL_BALLOT_SEQ_ZERO);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, over, three_ix, 0, false),
	                 PROTOCOL_BALLOT_COUNT_RANGE);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, blank_chair, ok_ix, 0, false),
	                 PROTOCOL_BALLOT_COUNT_RANGE); /* chair needs exactly 1 */
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, rev_ix, 0, false),
	                 PROTOCOL_BALLOT_INDEX_ORDER);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, big_ix, 0, false),
	                 PROTOCOL_BALLOT_INDEX_RANGE);
	ck_assert_int_eq(check_ballot(eh, pk, sk, 1, ok_counts, ok_ix, 0, true),
	                 PROTOCOL_BALLOT_BAD_SIGNATURE);
	ck_assert_str_eq(protocol_ballot_error_name(PROTOCOL_BALLOT_NOT_ON_ROLL), "NOT_ON_ROLL");
	ck_assert_str_eq(protocol_ballot_error_name(999), "UNKNOWN");
}
END_TEST

START_TEST(malformed)
{
	struct protocol_ballot bal;
	uint8_t body[200];

	memset(body, 0, sizeof(body));
	ck_assert_int_eq(protocol_ballot_parse(m, body, 50, &bal), PROTOCOL_BALLOT_MALFORMED);
	encoding_le32_put(body + 100, 2); /* #contests 2 != 3 */
	ck_assert_int_eq(protocol_ballot_parse(m, body, 116, &bal), PROTOCOL_BALLOT_CONTEST_COUNT);
	encoding_le32_put(body + 100, 3);
	encoding_le32_put(body + 104, 1000); /* count beyond the body */
	ck_assert_int_eq(protocol_ballot_parse(m, body, 116, &bal), PROTOCOL_BALLOT_MALFORMED);
	encoding_le32_put(body + 104, 0);
	ck_assert_int_eq(protocol_ballot_parse(m, body, 112, &bal), PROTOCOL_BALLOT_MALFORMED);
	ck_assert_int_eq(protocol_ballot_parse(m, body, 116, &bal), PROTOCOL_BALLOT_OK);
	ck_assert_uint_eq(bal.count[2], 0);
	protocol_ballot_clear(&bal);
}
END_TEST

/* A count that claims the words of the later contests' counts: the
 * index slots are fewer than the words left, and the parser must not
 * write past them (found by the HTTP suite; ASan catches a regression). */
START_TEST(count_overrun)
{
	struct protocol_ballot bal;
	uint8_t body[200];

	memset(body, 0, sizeof(body));
	encoding_le32_put(body + 100, 3);
	encoding_le32_put(body + 104, 2); /* two indices: the next two counts */
	ck_assert_int_eq(protocol_ballot_parse(m, body, 116, &bal), PROTOCOL_BALLOT_MALFORMED);
	encoding_le32_put(body + 104, 4); /* more indices than words left */
	ck_assert_int_eq(protocol_ballot_parse(m, body, 128, &bal), PROTOCOL_BALLOT_MALFORMED);
}
END_TEST

Suite *
ballot_suite(void)
{
	Suite *s = suite_create("ballot");
	TCase *tc = tcase_create("ballot");

	if (sodium_init() < 0)
		abort();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, codes);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, count_overrun);
	suite_add_tcase(s, tc);
	return s;
}
