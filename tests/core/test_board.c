/*
 * test_board.c -- event type names, the order state machine of §10 for
 * both modes, receipt JSON (exact form, strict parsing) and heads.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "protocol_board.h"

Suite *board_suite(void);

#define T "2009-05-04T08:00:00Z"

START_TEST(type_names)
{
	enum protocol_event_type t;

	for (int i = 0; i < PROTOCOL_EVENT_TYPE_COUNT; i++) {
		const char *n = protocol_event_type_name((enum protocol_event_type)i);

		ck_assert(protocol_event_type_parse(n, strlen(n), &t));
		ck_assert_int_eq(t, i);
	}
	ck_assert(!protocol_event_type_parse("ballots", 7, &t));
	ck_assert(!protocol_event_type_parse("ballot", 5, &t));
	ck_assert(protocol_event_type_parse("partial-decryption", 18, &t));
	ck_assert_ptr_null(protocol_event_type_name(PROTOCOL_EVENT_TYPE_COUNT));
}
END_TEST

START_TEST(order_open)
{
	struct protocol_board_order o;

	protocol_board_order_init(&o, 1, 0);
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_MANIFEST, T));
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_MANIFEST, T));
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_BALLOT, T));
	ck_assert(!protocol_board_order_voting(&o));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, T));
	ck_assert(protocol_board_order_voting(&o));
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, T));
	ck_assert_ptr_null(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_BALLOT, "2009-05-04T09:00:00Z"));
	ck_assert_str_eq(protocol_board_order_step(&o, PROTOCOL_EVENT_BALLOT, T), "at decreases");
	ck_assert_ptr_null(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_BALLOT, "2009-05-04T09:00:00Z"));
	ck_assert_uint_eq(o.n_ballots, 2);
	ck_assert_ptr_nonnull(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_RESULT, "2009-05-04T10:00:00Z"));
	ck_assert_ptr_null(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_CLOSE, "2009-05-04T10:00:00Z"));
	ck_assert_str_eq(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_BALLOT, "2009-05-04T10:00:00Z"),
	    "ballot after close");
	ck_assert_ptr_nonnull(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_TALLY, "2009-05-04T10:00:00Z"));
	ck_assert_ptr_null(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_RESULT, "2009-05-04T10:00:00Z"));
	ck_assert_ptr_nonnull(
	    protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, "2009-05-04T10:00:00Z"));
	ck_assert_uint_eq(o.next_n, 6);
}
END_TEST

START_TEST(order_secret)
{
	struct protocol_board_order o;

	protocol_board_order_init(&o, 2, 3);
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_MANIFEST, T));
	for (int r = 0; r < 4; r++) {
		enum protocol_event_type t =
		    (enum protocol_event_type)(PROTOCOL_EVENT_DKG_ROUND0 + r);

		ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, T));
		for (int k = 0; k < 3; k++)
			ck_assert_ptr_null(protocol_board_order_step(&o, t, T));
	}
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_OPEN, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_CLOSE, T));
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_RESULT, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_TALLY, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_PARTIAL_DECRYPTION, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_PARTIAL_DECRYPTION, T));
	ck_assert_ptr_null(protocol_board_order_step(&o, PROTOCOL_EVENT_RESULT, T));
	ck_assert_ptr_nonnull(protocol_board_order_step(&o, PROTOCOL_EVENT_PARTIAL_DECRYPTION, T));
}
END_TEST

START_TEST(receipts)
{
	size_t l;
	char *text = th_read_file(TH_SPEC_DIR "receipt-open.json", &l);
	struct protocol_receipt r, r2;
	const char *why = NULL;
	uint8_t pk[32], sk[64];
	char *json;

	th_keypair("server", pk, sk);
	ck_assert_msg(protocol_receipt_from_json(text, l, &r, &why), "%s", why);
	ck_assert(protocol_receipt_verify(pk, &r));
	json = protocol_receipt_to_json(&r);
	ck_assert_uint_eq(strlen(json), l - 1);
	ck_assert(memcmp(json, text, l - 1) == 0);
	ck_assert(protocol_receipt_from_json(json, strlen(json), &r2, &why));
	ck_assert_mem_eq(&r, &r2, sizeof(r));
	r.n = 7;
	ck_assert(!protocol_receipt_verify(pk, &r));
	free(json);
	ck_assert(!protocol_receipt_from_json("{\"n\":1}", 7, &r, &why));
	ck_assert(!protocol_receipt_from_json("[]", 2, &r, &why));
	/* uppercase hex, a duplicate key, an extra key, a negative n */
	{
		char *t = strdup(text), *p = strstr(t, "\"event_hash\":\"") + 14;

		*p = 'A';
		ck_assert(!protocol_receipt_from_json(t, l, &r, &why));
		free(t);
	}
	{
		char buf[2048];

		snprintf(buf, sizeof(buf), "{\"n\":6,%s", text + 1);
		ck_assert(!protocol_receipt_from_json(buf, strlen(buf), &r, &why));
		snprintf(buf, sizeof(buf), "{\"x\":6,%s", text + 1);
		ck_assert(!protocol_receipt_from_json(buf, strlen(buf), &r, &why));
		strcpy(buf, text);
		memcpy(strstr(buf, "\"n\":6"), "\"n\":-", 5);
		ck_assert(!protocol_receipt_from_json(buf, strlen(buf), &r, &why));
	}
	free(text);
}
END_TEST

START_TEST(heads)
{
	uint8_t pk[32], sk[64], eh[64] = {1}, h[64] = {2}, sig[64];

	th_keypair("server", pk, sk);
	ck_assert(protocol_head_sign(sk, eh, 9, h, sig));
	ck_assert(protocol_head_verify(pk, eh, 9, h, sig));
	ck_assert(!protocol_head_verify(pk, eh, 8, h, sig));
	h[0] ^= 1;
	ck_assert(!protocol_head_verify(pk, eh, 9, h, sig));
}
END_TEST

Suite *
board_suite(void)
{
	Suite *s = suite_create("board");
	TCase *tc = tcase_create("board");

	if (sodium_init() < 0)
		abort();
	tcase_add_test(tc, type_names);
	tcase_add_test(tc, order_open);
	tcase_add_test(tc, order_secret);
	tcase_add_test(tc, receipts);
	tcase_add_test(tc, heads);
	suite_add_tcase(s, tc);
	return s;
}
