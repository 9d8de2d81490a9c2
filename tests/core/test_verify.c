/*
 * test_verify.c -- the verifier engine on the example record, and a tamper
 * suite: each case copies the good record, changes exactly one thing,
 * re-chains and re-signs what an attacker holding the server key would
 * (core_helpers.c), and asserts that the verifier fails and names the
 * right check -- and, where the case isolates one check, only that one.
 * Also runs the ngo-vote-verify binary on a good and a tampered record.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core_helpers.h"
#include "crypto.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_record.h"
#include "verify.h"

Suite *verify_suite(void);

#define GOOD TH_SPEC_DIR "record-open.jsonl"

/* Asserts that check `id` failed; with `only`, that nothing else did. */
static void
expect(struct verify *v, enum verify_check_id id, bool only)
{
	const struct verify_check *c = verify_get_check(v, id);

	if (c->status != VERIFY_FAIL)
		th_verify_dump(v);
	ck_assert_msg(c->status == VERIFY_FAIL, "%s did not fail", verify_check_label(id));
	ck_assert(!verify_ok(v));
	for (int i = 0; only && i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *o = verify_get_check(v, (enum verify_check_id)i);

		if (i != (int)id && o->status == VERIFY_FAIL) {
			th_verify_dump(v);
			ck_abort_msg("%s failed too: %s",
			             verify_check_label((enum verify_check_id)i), o->reason);
		}
	}
	verify_free(v);
}

static void
expect_record(struct th_record *r, enum verify_check_id id, bool only)
{
	expect(th_verify_record(r, NULL), id, only);
	th_record_free(r);
}

/* ---- the good record ------------------------------------------------- */

START_TEST(good_record)
{
	size_t len, rl;
	char *text = th_read_file(GOOD, &len);
	char *receipt = th_read_file(TH_SPEC_DIR "receipt-open.json", &rl);
	struct verify *v = th_verify_text(text, len, receipt);
	char *json;

	if (!verify_ok(v))
		th_verify_dump(v);
	ck_assert(verify_ok(v));
	for (int i = 0; i < VERIFY_CHECK_COUNT; i++) {
		enum verify_status s = verify_get_check(v, (enum verify_check_id)i)->status;

		if (i == VERIFY_V5 || i == VERIFY_V7)
			ck_assert_int_eq(s, VERIFY_NOT_APPLICABLE);
		else
			ck_assert_int_eq(s, VERIFY_PASS);
	}
	json = verify_report_json(v);
	ck_assert_ptr_nonnull(strstr(json, "\"ok\":true"));
	ck_assert_ptr_nonnull(strstr(json, "\"lot\":true"));
	free(json);
	json = verify_report_text(v);
	ck_assert_ptr_nonnull(strstr(json, "decided by lot"));
	free(json);
	verify_free(v);
	/* Without a receipt V10 does not apply. */
	v = th_verify_text(text, len, NULL);
	ck_assert(verify_ok(v));
	ck_assert_int_eq(verify_get_check(v, VERIFY_V10)->status, VERIFY_NOT_APPLICABLE);
	verify_free(v);
	free(text);
	free(receipt);
}
END_TEST

/* The helper's re-emission is byte-identical, and re-sealing is a no-op. */
START_TEST(reemit_identical)
{
	struct th_record r;
	size_t len, gl;
	char *good = th_read_file(GOOD, &gl);
	char *text;

	th_record_load(GOOD, &r);
	th_record_seal(&r);
	text = th_record_emit(&r, &len);
	ck_assert_uint_eq(len, gl);
	ck_assert(memcmp(text, good, gl) == 0);
	free(text);
	free(good);
	th_record_free(&r);
}
END_TEST

START_TEST(ends_before_close)
{
	struct th_record r;
	struct verify *v;

	th_record_load(GOOD, &r);
	while (r.n_events > 6)
		th_record_remove(&r, r.n_events - 1);
	th_record_seal(&r);
	v = th_verify_record(&r, NULL);
	ck_assert(verify_ok(v));
	ck_assert_int_eq(verify_get_check(v, VERIFY_V6)->status, VERIFY_NOT_APPLICABLE);
	ck_assert_int_eq(verify_get_check(v, VERIFY_V8)->status, VERIFY_NOT_APPLICABLE);
	ck_assert_ptr_nonnull(strstr(verify_get_check(v, VERIFY_V6)->reason, "before close"));
	verify_free(v);
	th_record_free(&r);
}
END_TEST

START_TEST(secret_record_verifies)
{
	size_t len, rl;
	char *text = th_read_file(TH_SPEC_DIR "record-secret.jsonl", &len);
	char *receipt = th_read_file(TH_SPEC_DIR "receipt-secret.json", &rl);
	struct verify *v = th_verify_text(text, len, receipt);
	const uint32_t *q;
	uint32_t n_q;

	for (int i = 0; i < VERIFY_CHECK_COUNT; i++)
		ck_assert_msg(verify_get_check(v, i)->status == VERIFY_PASS, "%s: %s",
		              verify_check_label(i), verify_get_check(v, i)->reason);
	ck_assert(verify_ok(v));
	q = verify_decrypting_trustees(v, &n_q);
	ck_assert_uint_eq(n_q, 2);
	ck_assert_uint_eq(q[0], 1);
	ck_assert_uint_eq(q[1], 3);
	verify_free(v);
	free(receipt);
	free(text);
}
END_TEST

/* ---- tamper suite ---------------------------------------------------- */

static void
load(struct th_record *r)
{
	th_record_load(GOOD, r);
}

/* Offsets into an open ballot body. */
#define B_SEQ 96
#define B_C0  104

START_TEST(t_ballot_sig_bit)
{
	struct th_record r;

	load(&r);
	r.ev[3].data[r.ev[3].len - 1] ^= 0x01;
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_result_count)
{
	struct th_record r;

	load(&r);
	r.ev[9].data[132] += 1; /* x_{0,0}: 3 -> 4 */
	th_record_seal(&r);
	expect(th_verify_record(&r, NULL), VERIFY_V6, false);
	expect_record(&r, VERIFY_V8, false);
}
END_TEST

START_TEST(t_dropped_event)
{
	struct th_record r;

	load(&r);
	th_record_remove(&r, 4);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V1, false);
}
END_TEST

START_TEST(t_duplicated_event)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, 4, 3);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V1, false);
}
END_TEST

START_TEST(t_reordered_events_renumbered)
{
	struct th_record r;
	struct th_event tmp;

	load(&r);
	tmp = r.ev[3];
	r.ev[3] = r.ev[4];
	r.ev[4] = tmp;
	th_record_renumber(&r);
	th_record_recompute(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true); /* `at` now goes backwards */
}
END_TEST

START_TEST(t_reordered_events_numbers_kept)
{
	struct th_record r;
	struct th_event tmp;

	load(&r);
	tmp = r.ev[3];
	r.ev[3] = r.ev[4];
	r.ev[4] = tmp;
	th_record_seal(&r);
	expect_record(&r, VERIFY_V1, false);
}
END_TEST

START_TEST(t_at_backwards)
{
	struct th_record r;

	load(&r);
	strcpy(r.ev[5].at, "2009-05-04T08:00:01Z");
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_ballot_after_close)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, 9, 7); /* ngo-e again, between close and result */
	encoding_le32_put(r.ev[9].data + B_SEQ, 2);
	th_record_resign_ballot(&r, 9, NULL, NULL);
	strcpy(r.ev[9].at, "2009-05-04T12:00:00Z");
	th_record_renumber(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_voter_not_on_roll)
{
	struct th_record r;

	load(&r);
	/* ngo-c's first ballot (superseded, so the count is unchanged). */
	th_record_resign_ballot(&r, 4, NULL, "voter/stranger");
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_stale_seq)
{
	struct th_record r;

	load(&r);
	encoding_le32_put(r.ev[6].data + B_SEQ, 1); /* ngo-c's revote reuses seq 1 */
	th_record_resign_ballot(&r, 6, NULL, NULL);
	th_record_recompute(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_indices_not_increasing)
{
	struct th_record r;

	load(&r);
	/* ngo-a board [0,1] -> [1,0] */
	encoding_le32_put(r.ev[2].data + B_C0 + 4, 1);
	encoding_le32_put(r.ev[2].data + B_C0 + 8, 0);
	th_record_resign_ballot(&r, 2, NULL, NULL);
	th_record_recompute(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_count_above_max)
{
	struct th_record r;
	uint8_t eh[64], pk[32];
	uint32_t counts[3] = {3, 1, 1}, c0[3] = {0, 1, 2}, c1[1] = {0}, c2[1] = {1};
	const uint32_t *ix[3] = {c0, c1, c2};
	struct encoding_buf b;
	uint8_t sig[64] = {0};

	load(&r);
	th_record_election_hash(&r, eh);
	memcpy(pk, r.ev[3].data + 64, 32); /* ngo-b */
	encoding_buf_init(&b);
	protocol_ballot_build(eh, pk, 1, 3, counts, ix, &b);
	encoding_buf_append(&b, sig, 64);
	th_event_set_data(&r, 3, b.data, b.len);
	encoding_buf_free(&b);
	th_record_resign_ballot(&r, 3, NULL, NULL);
	th_record_recompute(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_ballot_trailing_bytes)
{
	struct th_record r;
	uint8_t buf[512];
	size_t bl;

	load(&r);
	bl = r.ev[4].len - 64;
	memcpy(buf, r.ev[4].data, bl);
	memset(buf + bl, 0, 4 + 64);
	th_event_set_data(&r, 4, buf, bl + 4 + 64);
	th_record_resign_ballot(&r, 4, NULL, NULL);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_uppercase_hex)
{
	struct th_record r;
	size_t len;
	char *text, *p;

	load(&r);
	text = th_record_emit(&r, &len);
	p = strstr(text, "\"n\":3,");
	p = strstr(p, "\"hash\":\"") + 8;
	while (!(*p >= 'a' && *p <= 'f'))
		p++;
	*p = (char)(*p - 'a' + 'A');
	expect(th_verify_text(text, len, NULL), VERIFY_V1, false);
	free(text);
	th_record_free(&r);
}
END_TEST

START_TEST(t_head_signature)
{
	struct th_record r;

	load(&r);
	r.head_sig[10] ^= 0x20;
	expect_record(&r, VERIFY_V9, true);
}
END_TEST

START_TEST(t_head_wrong_event)
{
	struct th_record r;

	load(&r);
	th_record_seal(&r);
	r.head_n = 8;
	memcpy(r.head_hash, r.ev[8].hash, 64);
	expect_record(&r, VERIFY_V9, true);
}
END_TEST

START_TEST(t_wrong_tiebreak_winner)
{
	struct th_record r;

	load(&r);
	/* board: elected [0,1] -> [0,2]; 1 and 2 are tied 2:2. */
	ck_assert_uint_eq(encoding_le32_get(r.ev[9].data + 156), 1);
	encoding_le32_put(r.ev[9].data + 156, 2);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V8, true);
}
END_TEST

START_TEST(t_missing_head)
{
	struct th_record r;

	load(&r);
	r.has_head = false;
	expect_record(&r, VERIFY_V9, false);
}
END_TEST

static char *
signed_receipt(const struct th_record *r, uint32_t n, const uint8_t ev[64], const uint8_t bh[64])
{
	struct protocol_receipt rc;
	uint8_t pk[32], sk[64];

	th_keypair("server", pk, sk);
	th_record_election_hash(r, rc.election_hash);
	rc.n = n;
	memcpy(rc.event_hash, ev, 64);
	memcpy(rc.ballot_hash, bh, 64);
	ck_assert(protocol_receipt_sign(sk, &rc));
	return protocol_receipt_to_json(&rc);
}

START_TEST(t_receipt_missing_event)
{
	struct th_record r;
	uint8_t ev[64], bh[64];
	char *rc;

	load(&r);
	memset(ev, 0x11, 64);
	memset(bh, 0x22, 64);
	rc = signed_receipt(&r, 42, ev, bh);
	expect(th_verify_record(&r, rc), VERIFY_V10, true);
	free(rc);
	th_record_free(&r);
}
END_TEST

START_TEST(t_receipt_event_changed)
{
	struct th_record r;
	size_t rl;
	char *rc = th_read_file(TH_SPEC_DIR "receipt-open.json", &rl);

	load(&r);
	strcpy(r.ev[6].at, "2009-05-04T10:30:01Z"); /* the board was rewritten at event 6 */
	th_record_seal(&r);
	expect(th_verify_record(&r, rc), VERIFY_V10, true);
	free(rc);
	th_record_free(&r);
}
END_TEST

START_TEST(t_receipt_not_a_ballot)
{
	struct th_record r;
	char *rc;
	uint8_t bh[64];

	load(&r);
	memset(bh, 0x33, 64);
	rc = signed_receipt(&r, 8, r.ev[8].hash, bh);
	expect(th_verify_record(&r, rc), VERIFY_V10, true);
	free(rc);
	th_record_free(&r);
}
END_TEST

START_TEST(t_receipt_bad_signature)
{
	struct th_record r;
	size_t rl;
	char *rc = th_read_file(TH_SPEC_DIR "receipt-open.json", &rl);
	char *p = strstr(rc, "\"signature\":\"") + 13;

	*p = *p == '0' ? '1' : '0';
	load(&r);
	expect(th_verify_record(&r, rc), VERIFY_V10, true);
	free(rc);
	th_record_free(&r);
}
END_TEST

START_TEST(t_manifest_trailing_bytes)
{
	struct th_record r;
	uint8_t *buf;

	load(&r);
	buf = malloc(r.ev[0].len + 1);
	memcpy(buf, r.ev[0].data, r.ev[0].len);
	buf[r.ev[0].len] = 0;
	th_event_set_data(&r, 0, buf, r.ev[0].len + 1);
	free(buf);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V2, false);
}
END_TEST

START_TEST(t_header_election_id)
{
	struct th_record r;

	load(&r);
	strcpy(r.election_id, "other-2009");
	expect_record(&r, VERIFY_V2, true);
}
END_TEST

START_TEST(t_header_server_pk)
{
	struct th_record r;

	load(&r);
	r.server_pk[0] ^= 1;
	expect_record(&r, VERIFY_V2, true);
}
END_TEST

static char *
edit_text(struct th_record *r, const char *find, const char *insert, size_t *len)
{
	size_t tl;
	char *text = th_record_emit(r, &tl);
	char *p = strstr(text, find);
	char *out = malloc(tl + strlen(insert) + 1);
	size_t pre;

	ck_assert_ptr_nonnull(p);
	pre = (size_t)(p - text) + strlen(find);
	memcpy(out, text, pre);
	strcpy(out + pre, insert);
	strcat(out, text + pre);
	*len = strlen(out);
	free(text);
	return out;
}

START_TEST(t_extra_json_key)
{
	struct th_record r;
	size_t len;
	char *text;

	load(&r);
	text = edit_text(&r, "{\"n\":2,", "\"x\":1,", &len);
	expect(th_verify_text(text, len, NULL), VERIFY_V1, false);
	free(text);
	th_record_free(&r);
}
END_TEST

START_TEST(t_duplicate_json_key)
{
	struct th_record r;
	size_t len;
	char *text;

	load(&r);
	text = edit_text(&r, "{\"n\":2,", "\"n\":2,", &len);
	expect(th_verify_text(text, len, NULL), VERIFY_V1, false);
	free(text);
	th_record_free(&r);
}
END_TEST

START_TEST(t_missing_header)
{
	struct th_record r;
	size_t len;
	char *text, *nl;

	load(&r);
	text = th_record_emit(&r, &len);
	nl = strchr(text, '\n') + 1;
	expect(th_verify_text(nl, len - (size_t)(nl - text), NULL), VERIFY_V1, false);
	free(text);
	th_record_free(&r);
}
END_TEST

START_TEST(t_non_monotonic_n)
{
	struct th_record r;

	load(&r);
	r.ev[5].n = 3;
	th_record_seal(&r);
	expect_record(&r, VERIFY_V1, false);
}
END_TEST

START_TEST(t_close_wrong_count)
{
	struct th_record r;

	load(&r);
	encoding_le32_put(r.ev[8].data + 64, 5);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_open_wrong_election_hash)
{
	struct th_record r;

	load(&r);
	r.ev[1].data[0] ^= 0x80;
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_result_before_close)
{
	struct th_record r;
	struct th_event tmp;

	load(&r);
	tmp = r.ev[8];
	r.ev[8] = r.ev[9];
	r.ev[9] = tmp;
	th_record_renumber(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_event_after_result)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, 10, 8); /* a second close after the result */
	th_record_renumber(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_second_open)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, 2, 1);
	strcpy(r.ev[2].at, r.ev[1].at);
	th_record_renumber(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_duplicate_ballot_hash)
{
	struct th_record r;

	load(&r);
	th_record_insert_copy(&r, 8, 7); /* ngo-e's ballot twice */
	th_record_renumber(&r);
	th_record_recompute(&r); /* close now says 7 */
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_revote0_two_ballots)
{
	struct th_record r;
	uint8_t eh[64];
	uint8_t *m;
	size_t off;

	load(&r);
	m = r.ev[0].data;
	for (off = 0; off + 32 < r.ev[0].len; off++)
		if (memcmp(m + off, r.server_pk, 32) == 0)
			break;
	ck_assert_uint_eq(m[off + 32], 1);
	m[off + 32] = 0; /* revote = 0: ngo-c's second ballot is now illegal */
	th_record_election_hash(&r, eh);
	for (size_t i = 2; i <= 7; i++)
		th_record_resign_ballot(&r, i, eh, NULL);
	th_record_recompute(&r);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_hash_field_mismatch)
{
	struct th_record r;

	load(&r);
	r.ev[3].hash[5] ^= 0x01; /* only the convenience field */
	expect_record(&r, VERIFY_V3, true);
}
END_TEST

START_TEST(t_ballot_wrong_election)
{
	struct th_record r;
	uint8_t eh[64];

	load(&r);
	th_record_election_hash(&r, eh);
	eh[0] ^= 1;
	th_record_resign_ballot(&r, 4, eh, NULL);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_ballot_seq_zero)
{
	struct th_record r;

	load(&r);
	encoding_le32_put(r.ev[4].data + B_SEQ, 0);
	th_record_resign_ballot(&r, 4, NULL, NULL);
	th_record_seal(&r);
	expect_record(&r, VERIFY_V4, true);
}
END_TEST

START_TEST(t_result_without_close)
{
	struct th_record r;

	load(&r);
	th_record_remove(&r, 8);
	th_record_renumber(&r);
	th_record_seal(&r);
	expect(th_verify_record(&r, NULL), VERIFY_V3, false);
	expect_record(&r, VERIFY_V8, false);
}
END_TEST

START_TEST(t_event_data_changed)
{
	struct th_record r;

	load(&r);
	r.ev[5].data[100] ^= 0x01; /* a ballot's seq changed, nothing re-signed */
	expect_record(&r, VERIFY_V3, false);
}
END_TEST

START_TEST(t_no_trailing_newline)
{
	struct th_record r;
	size_t len;
	char *text;

	load(&r);
	text = th_record_emit(&r, &len);
	expect(th_verify_text(text, len - 1, NULL), VERIFY_V1, true);
	free(text);
	th_record_free(&r);
}
END_TEST

/* ---- the command line ------------------------------------------------ */

static int
run_cli(const char *args)
{
	const char *build = getenv("NGO_VOTE_BUILD");
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "%s/ngo-vote-verify %s >/dev/null 2>&1", build ? build : "build",
	         args);
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(cli_exit_codes)
{
	struct th_record r;
	char path[] = "/tmp/ngo-vote-tampered-XXXXXX";
	char args[256];
	size_t len;
	char *text;
	FILE *f;
	int fd;

	ck_assert_int_eq(run_cli(GOOD " --receipt " TH_SPEC_DIR "receipt-open.json"), 0);
	ck_assert_int_eq(run_cli("--json " GOOD), 0);
	ck_assert_int_eq(run_cli("--help"), 0);
	ck_assert_int_eq(run_cli(""), 2);
	ck_assert_int_eq(run_cli("/nonexistent/record.jsonl"), 2);
	load(&r);
	r.head_sig[0] ^= 1;
	text = th_record_emit(&r, &len);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	snprintf(args, sizeof(args), "%s", path);
	ck_assert_int_eq(run_cli(args), 1);
	snprintf(args, sizeof(args), "- < %s", path);
	ck_assert_int_eq(run_cli(args), 1);
	remove(path);
	free(text);
	th_record_free(&r);
}
END_TEST

Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("good");
	TCase *tt = tcase_create("tamper");

	if (sodium_init() < 0)
		abort();
	tcase_add_test(tc, good_record);
	tcase_add_test(tc, reemit_identical);
	tcase_add_test(tc, ends_before_close);
	tcase_add_test(tc, secret_record_verifies);
	tcase_add_test(tc, cli_exit_codes);
	suite_add_tcase(s, tc);

	tcase_add_test(tt, t_ballot_sig_bit);
	tcase_add_test(tt, t_result_count);
	tcase_add_test(tt, t_dropped_event);
	tcase_add_test(tt, t_duplicated_event);
	tcase_add_test(tt, t_reordered_events_renumbered);
	tcase_add_test(tt, t_reordered_events_numbers_kept);
	tcase_add_test(tt, t_at_backwards);
	tcase_add_test(tt, t_ballot_after_close);
	tcase_add_test(tt, t_voter_not_on_roll);
	tcase_add_test(tt, t_stale_seq);
	tcase_add_test(tt, t_indices_not_increasing);
	tcase_add_test(tt, t_count_above_max);
	tcase_add_test(tt, t_ballot_trailing_bytes);
	tcase_add_test(tt, t_uppercase_hex);
	tcase_add_test(tt, t_head_signature);
	tcase_add_test(tt, t_head_wrong_event);
	tcase_add_test(tt, t_wrong_tiebreak_winner);
	tcase_add_test(tt, t_missing_head);
	tcase_add_test(tt, t_receipt_missing_event);
	tcase_add_test(tt, t_receipt_event_changed);
	tcase_add_test(tt, t_receipt_not_a_ballot);
	tcase_add_test(tt, t_receipt_bad_signature);
	tcase_add_test(tt, t_manifest_trailing_bytes);
	tcase_add_test(tt, t_header_election_id);
	tcase_add_test(tt, t_header_server_pk);
	tcase_add_test(tt, t_extra_json_key);
	tcase_add_test(tt, t_duplicate_json_key);
	tcase_add_test(tt, t_missing_header);
	tcase_add_test(tt, t_non_monotonic_n);
	tcase_add_test(tt, t_close_wrong_count);
	tcase_add_test(tt, t_open_wrong_election_hash);
	tcase_add_test(tt, t_result_before_close);
	tcase_add_test(tt, t_event_after_result);
	tcase_add_test(tt, t_second_open);
	tcase_add_test(tt, t_duplicate_ballot_hash);
	tcase_add_test(tt, t_revote0_two_ballots);
	tcase_add_test(tt, t_hash_field_mismatch);
	tcase_add_test(tt, t_ballot_wrong_election);
	tcase_add_test(tt, t_ballot_seq_zero);
	tcase_add_test(tt, t_result_without_close);
	tcase_add_test(tt, t_event_data_changed);
	tcase_add_test(tt, t_no_trailing_newline);
	suite_add_tcase(s, tt);
	return s;
}
