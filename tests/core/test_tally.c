/*
 * test_tally.c -- counted set under both revote rules, vacant seats, the
 * lot flag, N = 0, and result parsing (spec §11).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "protocol_tally.h"

Suite *tally_suite(void);

static struct protocol_manifest *m;
static uint8_t eh[64];

static void
setup(void)
{
	size_t l;
	uint8_t *b = th_vector_bytes("open.manifest.bytes", &l), mh[64];
	const char *why = NULL;

	ck_assert(protocol_manifest_decode(b, l, &m, &why));
	protocol_manifest_hash(b, l, mh);
	protocol_election_hash_open(mh, eh);
	free(b);
}

static void
teardown(void)
{
	protocol_manifest_free(m);
}

/* Offers a ballot of voter v choosing `board` (count k) in contest 0. */
static void
offer(struct protocol_tally *t, uint32_t v, uint32_t ev, uint32_t seq, uint32_t k,
      const uint32_t *board)
{
	uint32_t counts[3] = {k, 0, 1}, chair[1] = {0};
	const uint32_t *ix[3] = {board, NULL, chair};
	struct encoding_buf b;
	struct protocol_ballot bal;
	uint8_t h[64];

	encoding_buf_init(&b);
	protocol_ballot_build(eh, m->voters[v].pk, seq, 3, counts, ix, &b);
	ck_assert_int_eq(protocol_ballot_parse(m, b.data, b.len, &bal), PROTOCOL_BALLOT_OK);
	protocol_ballot_hash(b.data, b.len, h);
	protocol_tally_add(t, v, ev, &bal, h);
	protocol_ballot_clear(&bal);
	encoding_buf_free(&b);
}

START_TEST(counted_set)
{
	struct protocol_tally *t = protocol_tally_new(m);
	struct protocol_result *r = NULL, *p = NULL;
	uint32_t a[1] = {0}, b[2] = {1, 3}, c[1] = {2};
	const char *why = NULL;

	offer(t, 0, 2, 1, 1, a);
	offer(t, 0, 3, 3, 2, b); /* revote replaces */
	offer(t, 0, 4, 2, 1, c); /* a lower seq does not */
	offer(t, 1, 5, 1, 1, a);
	ck_assert_uint_eq(protocol_tally_counted(t), 2);
	ck_assert_uint_eq(protocol_tally_voter_seq(t, 0), 3);
	ck_assert_uint_eq(protocol_tally_voter_seq(t, 4), 0);
	ck_assert(protocol_tally_finish(t, eh, &r));
	ck_assert_uint_eq(r->contests[0].counts[0], 1);
	ck_assert_uint_eq(r->contests[0].counts[1], 1);
	ck_assert_uint_eq(r->contests[0].counts[2], 0);
	ck_assert_uint_eq(r->contests[0].counts[3], 1);
	/* three-way tie for 2 seats: decided by lot */
	ck_assert_uint_eq(r->contests[0].n_elected, 2);
	ck_assert_uint_eq(r->contests[0].lot, 1);
	/* forest-wg: nobody voted, every seat vacant */
	ck_assert_uint_eq(r->contests[1].n_elected, 0);
	ck_assert_uint_eq(r->contests[1].lot, 0);
	/* chair: 2:0, no lot */
	ck_assert_uint_eq(r->contests[2].n_elected, 1);
	ck_assert_uint_eq(r->contests[2].elected[0], 0);
	ck_assert_uint_eq(r->contests[2].lot, 0);
	ck_assert(protocol_result_parse(m, r->body, r->body_len, &p, &why));
	ck_assert_mem_eq(p->tally_hash, r->tally_hash, 64);
	ck_assert_uint_eq(p->contests[0].elected[1], r->contests[0].elected[1]);
	protocol_result_free(p);
	ck_assert(!protocol_result_parse(m, r->body, r->body_len - 1, &p, &why));
	protocol_result_free(r);
	protocol_tally_free(t);
}
END_TEST

START_TEST(empty_tally)
{
	struct protocol_tally *t = protocol_tally_new(m);
	struct protocol_result *r = NULL;
	struct encoding_buf b;

	ck_assert(protocol_tally_finish(t, eh, &r));
	ck_assert_uint_eq(r->n_counted, 0);
	for (uint32_t c = 0; c < 3; c++) {
		ck_assert_uint_eq(r->contests[c].n_elected, 0);
		ck_assert_uint_eq(r->contests[c].lot, 0);
	}
	encoding_buf_init(&b);
	ck_assert(protocol_tally_body(t, eh, &b));
	ck_assert_uint_eq(b.len, 68);
	encoding_buf_free(&b);
	protocol_result_free(r);
	protocol_tally_free(t);
}
END_TEST

Suite *
tally_suite(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = tcase_create("tally");

	if (sodium_init() < 0)
		abort();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, counted_set);
	tcase_add_test(tc, empty_tally);
	suite_add_tcase(s, tc);
	return s;
}
