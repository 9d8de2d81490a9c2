/*
 * test_elections.c -- the whole open-mode flow over HTTP against the real
 * daemon: the secretariat drafts the six working groups from the
 * template, nominates candidates and opens; NGOs (keys made here) cast
 * signed ballots and one votes again; the secretariat closes; the result
 * matches counts computed here, and the record from /record passes
 * ngo-vote-verify.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "fixture.h"
#include "helpers.h"
#include "protocol_ballot.h"

Suite *elections_suite(void);

#define NGOS 5
static const char *const ngo_ids[NGOS] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d", "ngo-e"};

struct flow {
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key keys[NGOS];
	uint8_t election_hash[64];
};

/* Registers and enrols the NGOs, drafts "hlwg-2009" from the template
 * with every NGO a candidate in every group. */
static void
flow_setup(struct flow *f)
{
	struct test_http r;
	json_t *j, *draft, *contests, *c;
	char *text;
	size_t i;

	test_daemon_start(&f->d);
	fixture_secretariat(&f->d, &f->sec);
	for (int k = 0; k < NGOS; k++) {
		fixture_ngo_create(&f->d, &f->sec, ngo_ids[k]);
		fixture_keypair(&f->keys[k]);
		fixture_enrol_key(&f->d, &f->sec, ngo_ids[k], &f->keys[k]);
	}
	fixture_post(&f->d, "/api/admin/elections", &f->sec,
	             "{\"id\":\"hlwg-2009\",\"title\":{\"en\":\"HLWG co-chairs 2009\","
	             "\"km\":\"" FIXTURE_KM "\"},\"template\":\"hlwg\"}",
	             &r);
	j = fixture_json(&r, 201);
	test_http_free(&r);
	draft = json_deep_copy(json_object_get(j, "draft"));
	contests = json_object_get(draft, "contests");
	ck_assert_uint_eq(json_array_size(contests), 6);
	/* with no candidates every group is blocked */
	ck_assert_uint_ge(json_array_size(json_object_get(j, "problems")), 6);
	json_decref(j);
	json_array_foreach(contests, i, c)
	{
		json_t *cands = json_object_get(c, "candidates");

		for (int k = 0; k < NGOS; k++)
			json_array_append_new(cands, json_string(ngo_ids[k]));
		/* the first group elects two of up to two choices */
		if (i == 0) {
			json_object_set_new(c, "seats", json_integer(2));
			json_object_set_new(c, "max", json_integer(2));
		}
	}
	text = json_dumps(draft, JSON_COMPACT);
	fixture_put(&f->d, "/api/admin/elections/hlwg-2009", &f->sec, text, &r);
	j = fixture_json(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 0);
	json_decref(j);
	test_http_free(&r);
	free(text);
	json_decref(draft);
}

static void
flow_open(struct flow *f)
{
	struct test_http r;
	json_t *j;

	fixture_post(&f->d, "/api/admin/elections/hlwg-2009/open", &f->sec,
	             "{\"confirm\":\"hlwg-2009\"}", &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "open");
	json_decref(j);
	test_http_free(&r);
	test_http_get(&f->d, "/api/elections/hlwg-2009", &r);
	j = fixture_json(&r, 200);
	ck_assert(encoding_hex_decode(json_string_value(json_object_get(j, "election_hash")), 128,
	                              f->election_hash, 64));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "roll")), NGOS);
	json_decref(j);
	test_http_free(&r);
}

/* Casts a ballot choosing, in every contest, the candidates in picks[c]
 * (count[c] of them); returns the HTTP status and fills the error name. */
static int
cast(struct flow *f, int voter, uint32_t seq, const uint32_t *count, const uint32_t *const *picks,
     json_t **receipt)
{
	struct encoding_buf body;
	uint8_t hash[64], sig[64];
	char *bhex, shex[129], *json;
	struct test_http r;
	int status;

	encoding_buf_init(&body);
	protocol_ballot_build(f->election_hash, f->keys[voter].pk, seq, 6, count, picks, &body);
	ck_assert(!body.failed);
	protocol_ballot_hash(body.data, body.len, hash);
	ck_assert(protocol_ballot_sign(f->keys[voter].sk, hash, sig));
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	encoding_hex_encode(sig, 64, shex);
	json = malloc(strlen(bhex) + 200);
	sprintf(json, "{\"body\":\"%s\",\"signature\":\"%s\"}", bhex, shex);
	test_http_post_json(&f->d, "/api/elections/hlwg-2009/ballots", json, &r);
	status = r.status;
	if (receipt != NULL) {
		*receipt = NULL;
		if (status == 201 || status == 409) {
			json_t *all = test_http_json(&r);

			*receipt = json_incref(json_object_get(all, "receipt"));
			json_decref(all);
		}
	}
	test_http_free(&r);
	free(json);
	free(bhex);
	encoding_buf_free(&body);
	return status;
}

START_TEST(full_flow_verifies)
{
	static const uint32_t one[1] = {0}, two[1] = {1}, three[1] = {2};
	static const uint32_t ab[2] = {0, 1}, bc[2] = {1, 2};
	struct flow f;
	struct test_http r;
	json_t *j, *receipt = NULL, *contests;
	char verify[1024], cmd[2400], path[400];
	FILE *out;

	flow_setup(&f);
	/* casting before opening is refused, and nothing is stored */
	{
		const uint32_t counts[6] = {0};
		const uint32_t *picks[6] = {NULL};

		memset(f.election_hash, 0, 64);
		ck_assert_int_eq(cast(&f, 0, 1, counts, picks, NULL), 409); /* ELECTION_NOT_OPEN */
	}
	flow_open(&f);
	{
		/* group 0 (2 seats): a,b ; b,c ; a ; b ; c   -> a2 b3 c2
		 * groups 1-5 (1 seat): voter k picks k%3      */
		const uint32_t *g0[NGOS] = {ab, bc, one, two, three};
		const uint32_t n0[NGOS] = {2, 2, 1, 1, 1};

		for (int k = 0; k < NGOS; k++) {
			uint32_t counts[6];
			const uint32_t *picks[6];
			static const uint32_t *const pick1[3] = {one, two, three};

			counts[0] = n0[k];
			picks[0] = g0[k];
			for (int c = 1; c < 6; c++) {
				counts[c] = 1;
				picks[c] = pick1[k % 3];
			}
			ck_assert_int_eq(cast(&f, k, 1, counts, picks, &receipt), 201);
			ck_assert_ptr_nonnull(receipt);
			if (k == 0) {
				json_t *again = NULL;

				/* the exact same ballot again: refused, but with the
				 * receipt of the stored one (a voter who lost the first
				 * answer gets it back) */
				ck_assert_int_eq(cast(&f, k, 1, counts, picks, &again), 409);
				ck_assert_ptr_nonnull(again);
				ck_assert(json_equal(again, receipt));
				json_decref(again);
			}
			json_decref(receipt);
		}
		/* ngo-e votes again (seq 2): blank in group 0, picks c elsewhere */
		{
			uint32_t counts[6] = {0, 1, 1, 1, 1, 1};
			const uint32_t *picks[6] = {NULL, three, three, three, three, three};

			ck_assert_int_eq(cast(&f, 4, 2, counts, picks, &receipt), 201);
			/* a stale seq is refused */
			ck_assert_int_eq(cast(&f, 4, 2, counts, picks, NULL), 409);
		}
	}
	/* the receipt is held by the board */
	{
		char *rj = json_dumps(receipt, JSON_COMPACT);

		test_http_post_json(&f.d, "/api/elections/hlwg-2009/receipts/check", rj, &r);
		j = fixture_json(&r, 200);
		ck_assert(json_is_true(json_object_get(j, "held")));
		json_decref(j);
		test_http_free(&r);
		free(rj);
		json_decref(receipt);
	}
	test_http_get(&f.d, "/api/elections/hlwg-2009/result", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_CLOSED");
	test_http_free(&r);
	fixture_post(&f.d, "/api/admin/elections/hlwg-2009/close", &f.sec,
	             "{\"confirm\":\"wrong\"}", &r);
	test_http_expect_error(&r, 400, "CONFIRMATION_MISMATCH");
	test_http_free(&r);
	fixture_post(&f.d, "/api/admin/elections/hlwg-2009/close", &f.sec,
	             "{\"confirm\":\"hlwg-2009\"}", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_post(&f.d, "/api/admin/elections/hlwg-2009/close", &f.sec,
	             "{\"confirm\":\"hlwg-2009\"}", &r);
	test_http_expect_error(&r, 409, "ELECTION_CLOSED");
	test_http_free(&r);
	/* counts computed here: group 0 -> a1 b2 c1 after e's blank revote
	 * (e had picked c); groups 1-5 -> a: k=0,3 ; b: k=1 ; c: k=2, e(rev) */
	test_http_get(&f.d, "/api/elections/hlwg-2009/result", &r);
	j = fixture_json(&r, 200);
	test_http_free(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), 5);
	contests = json_object_get(j, "contests");
	{
		json_t *c0 = json_object_get(json_array_get(contests, 0), "candidates");
		json_t *c1 = json_object_get(json_array_get(contests, 1), "candidates");

		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c0, 0), "votes")), 2);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c0, 1), "votes")), 3);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c0, 2), "votes")), 1);
		ck_assert(json_is_true(json_object_get(json_array_get(c0, 1), "elected")));
		ck_assert(json_is_true(json_object_get(json_array_get(c0, 0), "elected")));
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c1, 0), "votes")), 2);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c1, 1), "votes")), 1);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(c1, 2), "votes")), 2);
	}
	json_decref(j);
	/* the record verifies */
	test_http_get(&f.d, "/api/elections/hlwg-2009/record", &r);
	ck_assert_int_eq(r.status, 200);
	snprintf(path, sizeof(path), "%s/record.jsonl", f.d.dir);
	out = fopen(path, "wb");
	ck_assert_ptr_nonnull(out);
	{
		/* undo the chunked framing */
		char *p = r.body;
		unsigned long chunk;

		while ((chunk = strtoul(p, &p, 16)) > 0) {
			p += 2;
			fwrite(p, 1, chunk, out);
			p += chunk + 2;
		}
	}
	fclose(out);
	test_http_free(&r);
	test_binary("ngo-vote-verify", verify, sizeof(verify));
	snprintf(cmd, sizeof(cmd), "%s %s > %s/verify.out 2>&1", verify, path, f.d.dir);
	ck_assert_msg(test_run(cmd) == 0, "the record did not verify (see %s/verify.out)", f.d.dir);
	ck_assert_int_eq(test_daemon_stop(&f.d), 0);
	test_daemon_cleanup(&f.d);
}
END_TEST

Suite *
elections_suite(void)
{
	Suite *s = suite_create("elections");
	TCase *tc = tcase_create("flow");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, full_flow_verifies);
	suite_add_tcase(s, tc);
	return s;
}
