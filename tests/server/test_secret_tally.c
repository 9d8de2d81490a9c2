/*
 * test_secret_tally.c -- closing a secret election and decrypting its
 * tally over HTTP, against the real daemon: the tally event equals the
 * tally_body core recomputes from the ballots of the record; a corrupted
 * partial decryption is refused and stores nothing; one trustee of three
 * stays away and the result still comes, in the transaction of the t-th
 * partial decryption, with counts equal to the choices the voters made
 * here; the record verifies with ngo-vote-verify.  With no ballot the
 * result follows the tally at once.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "protocol_ballot.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "secret_fixture.h"

Suite *secret_tally_suite(void);

/* Posts PD_j || sig to /partial-decryptions. */
static void
post_pdec(struct sfx *s, const uint8_t *data, size_t len, struct test_http *r)
{
	char *h = encoding_hex_encode_alloc(data, len), *body = malloc(2 * len + 32);

	ck_assert_ptr_nonnull(h);
	sprintf(body, "{\"data\":\"%s\"}", h);
	sfx_public_post(s, "partial-decryptions", body, r);
	free(body);
	free(h);
}

/* The aggregates and tally_hash of a secret tally event. */
static void
split_tally(const struct protocol_manifest *m, const uint8_t *tally, size_t len, uint8_t (*ab)[32],
            uint8_t th[64], uint32_t *n_counted)
{
	uint32_t total = protocol_manifest_total_candidates(m);
	size_t head;

	ck_assert_uint_ge(len, 68);
	*n_counted = encoding_le32_get(tally + 64);
	head = 68 + (size_t)*n_counted * 64;
	ck_assert_uint_eq(len, head + (size_t)total * 64);
	memcpy(ab, tally + head, (size_t)total * 64);
	pcrypto_h64("tally", tally, len, th);
}

/* The tally_body core computes from the ballot events of the record. */
static void
recompute_tally(struct sfx *s, const struct sfx_election *e, struct encoding_buf *out)
{
	struct protocol_tally *t = protocol_tally_new(e->v.m);
	char file[600], *line = NULL;
	size_t cap = 0;
	FILE *f;

	ck_assert_ptr_nonnull(t);
	snprintf(file, sizeof(file), "%s/record.jsonl", s->x.d.dir);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);
		const char *type = json_string_value(json_object_get(j, "type"));

		if (type != NULL && strcmp(type, "ballot") == 0) {
			const char *hx = json_string_value(json_object_get(j, "data"));
			struct protocol_sballot b;
			uint8_t *data, hash[64];
			size_t len;
			int64_t voter;

			data = encoding_hex_decode_alloc(hx, strlen(hx), &len);
			ck_assert_int_eq(protocol_sballot_parse(e->v.m, data, len - 64, &b),
			                 PROTOCOL_BALLOT_OK);
			protocol_ballot_hash(data, len - 64, hash);
			voter = protocol_manifest_voter_find(e->v.m, b.voter_pk);
			ck_assert_int_ge(voter, 0);
			protocol_tally_add_secret(
			    t, (uint32_t)voter,
			    (uint32_t)json_integer_value(json_object_get(j, "n")), &b, hash);
			protocol_sballot_clear(&b);
			free(data);
		}
		json_decref(j);
	}
	free(line);
	fclose(f);
	ck_assert(protocol_tally_body(t, e->election_hash, out));
	protocol_tally_free(t);
}

static void
expect_refused(struct sfx *s, const uint8_t *data, size_t len, int status, const char *name)
{
	char *before = fixture_db_snapshot(s->x.d.db), *after;
	struct test_http r;

	post_pdec(s, data, len, &r);
	test_http_expect_error(&r, status, name);
	test_http_free(&r);
	after = fixture_db_snapshot(s->x.d.db);
	ck_assert_msg(strcmp(before, after) == 0,
	              "a refused partial decryption (%s) changed "
	              "the database",
	              name);
	free(before);
	free(after);
}

START_TEST(close_decrypt_result_verify)
{
	static const struct {
		unsigned voter;
		uint32_t seq;
		const char *choice;
	} ballots[] = {
	    {0, 1, "0|1,3"},
	    {1, 1, "2|0"},
	    {0, 2, "2|0,1"},
	    {2, 1, "|1,3"},
	};
	/* counted: ngo-a's seq 2, ngo-b, ngo-c */
	static const uint32_t want[2][4] = {{0, 0, 2, 0}, {2, 2, 0, 1}};
	struct sfx s;
	struct sfx_election e;
	struct encoding_buf body, pd[4];
	struct test_http r;
	uint8_t *tally, th[64], (*ab)[32];
	uint32_t n_counted;
	size_t len;
	json_t *res, *c, *cand;
	size_t ci, i;

	sfx_start(&s, "st-1", 3, 2, false);
	sfx_ceremony(&s);
	sfx_open(&s, &e);
	for (size_t k = 0; k < sizeof(ballots) / sizeof(ballots[0]); k++) {
		encoding_buf_init(&body);
		sfx_ballot(&s, &e, ballots[k].voter, ballots[k].seq, ballots[k].choice,
		           &pgroup_rng_system, "b", &body);
		ck_assert_int_eq(
		    sfx_cast_body(&s, ballots[k].voter, body.data, body.len, NULL, NULL), 201);
		encoding_buf_free(&body);
	}
	/* nothing to decrypt before the tally */
	{
		uint8_t junk[300] = {0};

		expect_refused(&s, junk, sizeof(junk), 409, "ELECTION_NOT_CLOSED");
	}
	res = sfx_get(&s, "result", 409);
	ck_assert_str_eq(json_string_value(json_object_get(res, "name")), "ELECTION_NOT_CLOSED");
	json_decref(res);

	efx_close(&s.x, s.id);
	tally = sfx_record_event(&s, "tally", &len);
	encoding_buf_init(&body);
	recompute_tally(&s, &e, &body);
	ck_assert_uint_eq(body.len, len);
	ck_assert(memcmp(body.data, tally, len) == 0);
	encoding_buf_free(&body);
	ab = calloc(2 * protocol_manifest_total_candidates(e.v.m), 32);
	split_tally(e.v.m, tally, len, ab, th, &n_counted);
	ck_assert_uint_eq(n_counted, 3);
	res = sfx_get(&s, "result", 409);
	ck_assert_str_eq(json_string_value(json_object_get(res, "name")), "RESULT_PENDING");
	json_decref(res);

	for (uint32_t j = 1; j <= 3; j++) {
		encoding_buf_init(&pd[j]);
		sfx_pdec(&s, &e.v, j, th, (const uint8_t(*)[32])ab, &pd[j]);
	}
	/* a corrupted proof, signed by its trustee; another trustee's
	 * signature; a partial decryption over another tally */
	{
		struct encoding_buf bad;
		uint8_t other[64];

		encoding_buf_init(&bad);
		encoding_buf_append(&bad, pd[3].data, pd[3].len);
		bad.data[64 + 4 + 64 + 96 + 64] ^= 0x01;
		ck_assert(pcrypto_sign(s.tr[2].key.sk, "partial-decryption", bad.data, bad.len - 64,
		                       bad.data + bad.len - 64));
		expect_refused(&s, bad.data, bad.len, 400, "DECRYPTION_INVALID");
		encoding_buf_free(&bad);
		encoding_buf_init(&bad);
		encoding_buf_append(&bad, pd[3].data, pd[3].len);
		ck_assert(pcrypto_sign(s.tr[1].key.sk, "partial-decryption", bad.data, bad.len - 64,
		                       bad.data + bad.len - 64));
		expect_refused(&s, bad.data, bad.len, 400, "DECRYPTION_INVALID");
		encoding_buf_free(&bad);
		encoding_buf_init(&bad);
		memcpy(other, th, 64);
		other[5] ^= 0x40;
		sfx_pdec(&s, &e.v, 3, other, (const uint8_t(*)[32])ab, &bad);
		expect_refused(&s, bad.data, bad.len, 400, "DECRYPTION_INVALID");
		expect_refused(&s, bad.data, 100, 400, "DECRYPTION_INVALID");
		encoding_buf_free(&bad);
	}
	/* trustee 1 stays away; trustee 3, then trustee 2 */
	post_pdec(&s, pd[3].data, pd[3].len, &r);
	res = fixture_json(&r, 201);
	test_http_free(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "trustee")), 3);
	ck_assert(json_is_false(json_object_get(res, "result")));
	json_decref(res);
	expect_refused(&s, pd[3].data, pd[3].len, 409, "DECRYPTION_DUPLICATE");
	res = sfx_get(&s, "result", 409);
	ck_assert_str_eq(json_string_value(json_object_get(res, "name")), "RESULT_PENDING");
	json_decref(res);
	post_pdec(&s, pd[2].data, pd[2].len, &r);
	res = fixture_json(&r, 201);
	test_http_free(&r);
	ck_assert(json_is_true(json_object_get(res, "result")));
	json_decref(res);
	expect_refused(&s, pd[1].data, pd[1].len, 409, "DECRYPTION_COMPLETE");

	/* the public list says the election is secret */
	{
		json_t *list = efx_get_json(&s.x.d, "/api/elections", 200);

		ck_assert_str_eq(
		    json_string_value(json_object_get(
		        json_array_get(json_object_get(list, "elections"), 0), "mode")),
		    "secret");
		json_decref(list);
	}

	/* the result: the voters' choices, decrypted by trustees 2 and 3 */
	res = sfx_get(&s, "result", 200);
	ck_assert_str_eq(json_string_value(json_object_get(res, "mode")), "secret");
	ck_assert_int_eq(json_integer_value(json_object_get(res, "counted")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(res, "decrypted_by")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(res, "decrypted_by"), 0), "index")),
	                 2);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(res, "decrypted_by"), 1), "id")),
	                 "trustee-c");
	json_array_foreach(json_object_get(res, "contests"), ci, c)
	{
		json_array_foreach(json_object_get(c, "candidates"), i, cand)
		{
			ck_assert_msg(
			    json_integer_value(json_object_get(cand, "votes")) == want[ci][i],
			    "contest %zu candidate %zu: %lld votes, want %u", ci, i,
			    json_integer_value(json_object_get(cand, "votes")), want[ci][i]);
		}
	}
	ck_assert_str_eq(
	    json_string_value(json_array_get(
	        json_object_get(json_array_get(json_object_get(res, "contests"), 0), "elected"),
	        0)),
	    "ngo-c");
	json_decref(res);
	/* the board: close, tally, two partial decryptions, result */
	res = sfx_get(&s, "board?from=18&limit=10", 200);
	{
		static const char *const types[] = {"close", "tally", "partial-decryption",
		                                    "partial-decryption", "result"};
		json_t *evs = json_object_get(res, "events");

		ck_assert_uint_eq(json_array_size(evs), 5);
		for (size_t k = 0; k < 5; k++)
			ck_assert_str_eq(
			    json_string_value(json_object_get(json_array_get(evs, k), "type")),
			    types[k]);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(evs, 1), "counted")), 3);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(evs, 2), "trustee")), 3);
	}
	json_decref(res);
	/* the whole record verifies (V1-V10, secret mode included) */
	{
		int rc = efx_record_verify(&s.x.d, s.id, "final.jsonl");
		char out[700], cmd[800];

		snprintf(out, sizeof(out), "%s/final.jsonl.out", s.x.d.dir);
		snprintf(cmd, sizeof(cmd), "tail -5 %s >&2", out);
		if (rc != 0)
			(void)test_run(cmd);
		ck_assert_msg(rc == 0, "ngo-vote-verify failed on the secret record (%d)", rc);
	}
	for (uint32_t j = 1; j <= 3; j++)
		encoding_buf_free(&pd[j]);
	free(ab);
	free(tally);
	sfx_election_free(&e);
	sfx_stop(&s);
}
END_TEST

START_TEST(no_ballot_result_at_once)
{
	struct sfx s;
	struct sfx_election e;
	struct encoding_buf pd;
	uint8_t *tally, th[64], (*ab)[32];
	uint32_t n_counted;
	size_t len, ci, i;
	json_t *res, *c, *cand;

	sfx_start(&s, "st-2", 2, 2, false);
	sfx_ceremony(&s);
	sfx_open(&s, &e);
	efx_close(&s.x, s.id);
	tally = sfx_record_event(&s, "tally", &len);
	ab = calloc(2 * protocol_manifest_total_candidates(e.v.m), 32);
	split_tally(e.v.m, tally, len, ab, th, &n_counted);
	ck_assert_uint_eq(n_counted, 0);
	for (size_t k = 0; k < 2 * protocol_manifest_total_candidates(e.v.m); k++)
		ck_assert(sodium_is_zero(ab[k], 32));
	res = sfx_get(&s, "result", 200);
	ck_assert_uint_eq(json_array_size(json_object_get(res, "decrypted_by")), 0);
	json_array_foreach(json_object_get(res, "contests"), ci, c)
	{
		ck_assert_uint_eq(json_array_size(json_object_get(c, "elected")), 0);
		json_array_foreach(json_object_get(c, "candidates"), i, cand)
		{
			ck_assert_int_eq(json_integer_value(json_object_get(cand, "votes")), 0);
		}
	}
	json_decref(res);
	/* nothing to decrypt */
	encoding_buf_init(&pd);
	sfx_pdec(&s, &e.v, 1, th, (const uint8_t(*)[32])ab, &pd);
	expect_refused(&s, pd.data, pd.len, 409, "DECRYPTION_COMPLETE");
	encoding_buf_free(&pd);
	ck_assert_int_eq(efx_record_verify(&s.x.d, s.id, "empty.jsonl"), 0);
	free(ab);
	free(tally);
	sfx_election_free(&e);
	sfx_stop(&s);
}
END_TEST

Suite *
secret_tally_suite(void)
{
	Suite *s = suite_create("secret_tally");
	TCase *tc = tcase_create("secret_tally");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, close_decrypt_result_verify);
	tcase_add_test(tc, no_ballot_result_at_once);
	suite_add_tcase(s, tc);
	return s;
}
