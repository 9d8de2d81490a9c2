/*
 * test_ceremony.c -- the key ceremony of a secret-ballot draft over HTTP,
 * against the real daemon: three trustees (t = 2) played here with real
 * Ed25519 keys and the core builders.  The full ceremony, the dry run and
 * opening; every bad message refused with its error and nothing stored
 * (a database snapshot before and after); restarts with and without an
 * excluded trustee; the frozen draft; opening refused until the ceremony
 * is complete and the dry run has succeeded.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "protocol_decrypt.h"
#include "protocol_dryrun.h"
#include "secret_fixture.h"

Suite *ceremony_suite(void);

/* The names of the problems of the draft (comma-separated, in order). */
static void
problems_of(struct sfx *s, char *out, size_t outsize)
{
	char path[200];
	json_t *j, *p;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "/api/admin/elections/%s", s->id);
	{
		struct test_http r;

		fixture_get(&s->x.d, path, &s->x.sec, &r);
		j = fixture_json(&r, 200);
		test_http_free(&r);
	}
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "problems"), i, p)
	{
		n += (size_t)snprintf(out + n, outsize - n, "%s%s", i ? "," : "",
		                      json_string_value(json_object_get(p, "problem")));
		if (n >= outsize)
			break;
	}
	json_decref(j);
}

/* Sends a message and expects a refusal that stores nothing. */
static void
refuse_message(struct sfx *s, uint32_t round, const uint8_t *data, size_t len, int status,
               const char *name)
{
	char *before = fixture_db_snapshot(s->x.d.db), *after;
	struct test_http r;

	sfx_post_message(s, round, data, len, &r);
	test_http_expect_error(&r, status, name);
	if (strcmp(name, "CEREMONY_BAD_MESSAGE") == 0) {
		json_t *j = test_http_json(&r);

		ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "data");
		/* the checker's reason is the hint */
		ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "hint")));
		json_decref(j);
	}
	test_http_free(&r);
	after = fixture_db_snapshot(s->x.d.db);
	ck_assert_msg(strcmp(before, after) == 0, "a refused message (%s) changed the database",
	              name);
	free(before);
	free(after);
}

/* Re-signs a message body after a change, as a trustee gone wrong would. */
static void
resign(struct encoding_buf *msg, const uint8_t sk[64], const char *type)
{
	ck_assert(pcrypto_sign(sk, type, msg->data, msg->len - 64, msg->data + msg->len - 64));
}

static void
expect_open_refused(struct sfx *s, const char *problem)
{
	char path[200], body[200];
	struct test_http r;
	json_t *j, *p;
	size_t i;
	bool found = false;

	snprintf(path, sizeof(path), "/api/admin/elections/%s/open", s->id);
	snprintf(body, sizeof(body), "{\"confirm\":\"%s\"}", s->id);
	fixture_post(&s->x.d, path, &s->x.sec, body, &r);
	test_http_expect_error(&r, 409, "ELECTION_INVALID");
	j = test_http_json(&r);
	json_array_foreach(json_object_get(j, "problems"), i, p)
	{
		found |= strcmp(json_string_value(json_object_get(p, "problem")), problem) == 0;
	}
	ck_assert_msg(found, "open refused without %s", problem);
	json_decref(j);
	test_http_free(&r);
	ck_assert_int_eq(efx_board_rows(&s->x.d, s->id), 0);
}

START_TEST(full_ceremony_dry_run_and_open)
{
	struct sfx s;
	struct sfx_election e;
	struct test_http r;
	char problems[512];
	json_t *doc, *t, *board, *ev;
	size_t i;

	sfx_start(&s, "secret-1", 3, 2, true);
	expect_open_refused(&s, "CEREMONY_NOT_STARTED");
	doc = sfx_get(&s, "ceremony", 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "not-started");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "attempt")), 0);
	ck_assert(json_is_true(json_object_get(json_object_get(doc, "dry_run"), "required")));
	json_decref(doc);

	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	doc = fixture_json(&r, 201);
	test_http_free(&r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "round0");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "attempt")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "n")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "t")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "messages")), 0);
	ck_assert_ptr_null(json_object_get(doc, "election_hash"));
	json_array_foreach(json_object_get(doc, "trustees"), i, t)
	{
		ck_assert_int_eq(json_integer_value(json_object_get(t, "index")), (int)i + 1);
		ck_assert_str_eq(json_string_value(json_object_get(t, "id")), s.tr[i].id);
		ck_assert_str_eq(json_string_value(json_object_get(t, "pk")), s.tr[i].key.pk_hex);
	}
	json_decref(doc);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "CEREMONY_INCOMPLETE");
	expect_open_refused(&s, "CEREMONY_INCOMPLETE");

	for (uint32_t round = 0; round < 4; round++) {
		static const char *const next[] = {"round1", "round2", "round3", "complete"};

		sfx_round(&s, round);
		doc = sfx_get(&s, "ceremony", 200);
		ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), next[round]);
		ck_assert_uint_eq(json_array_size(json_object_get(doc, "messages")),
		                  3 * (round + 1));
		json_decref(doc);
	}
	doc = sfx_get(&s, "ceremony", 200);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "election_hash")));
	json_decref(doc);
	for (uint32_t d = 0; d < s.n; d++)
		protocol_dkg_secrets_wipe(&s.tr[d].secrets);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "DRY_RUN_PENDING");
	expect_open_refused(&s, "DRY_RUN_PENDING");

	sfx_dry_run(&s);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "");
	doc = sfx_get(&s, "ceremony", 200);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(doc, "dry_run"), "state")),
	    "succeeded");
	json_decref(doc);

	/* opening: manifest, the 12 dkg events in the order accepted, open */
	sfx_open(&s, &e);
	doc = sfx_get(&s, "ceremony", 200);
	board = sfx_get(&s, "board?limit=100", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(board, "total")), 14);
	json_array_foreach(json_object_get(board, "events"), i, ev)
	{
		const char *type = json_string_value(json_object_get(ev, "type"));

		if (i == 0) {
			ck_assert_str_eq(type, "manifest");
		} else if (i == 13) {
			ck_assert_str_eq(type, "open");
		} else {
			json_t *msg = json_array_get(json_object_get(doc, "messages"), i - 1);
			char want[16];

			snprintf(want, sizeof(want), "dkg-round%d",
			         (int)json_integer_value(json_object_get(msg, "round")));
			ck_assert_str_eq(type, want);
			ck_assert_int_eq(json_integer_value(json_object_get(ev, "trustee")),
			                 json_integer_value(json_object_get(msg, "trustee")));
		}
	}
	json_decref(board);
	json_decref(doc);
	/* the public view: mode, n, t, trustees with their keys */
	doc = sfx_get(&s, "", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "n")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "t")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "ceremony")), "complete");
	json_array_foreach(json_object_get(doc, "trustees"), i, t)
	{
		char fp[40];

		fixture_fingerprint(s.tr[i].key.pk, fp);
		ck_assert_str_eq(json_string_value(json_object_get(t, "fingerprint")), fp);
		ck_assert_str_eq(json_string_value(json_object_get(t, "id")), s.tr[i].id);
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_object_get(t, "name"), "en")),
		    "Trustee");
	}
	json_decref(doc);
	/* and the ceremony takes no more messages, nor a dry run */
	{
		uint8_t junk[100] = {0};

		refuse_message(&s, 3, junk, sizeof(junk), 409, "CEREMONY_COMPLETE");
		sfx_admin_post(&s, "dry-run", "{}", &r);
		test_http_expect_error(&r, 409, "ELECTION_NOT_DRAFT");
		test_http_free(&r);
		sfx_admin_post(&s, "ceremony/restart", "{}", &r);
		test_http_expect_error(&r, 409, "ELECTION_NOT_DRAFT");
		test_http_free(&r);
	}
	sfx_election_free(&e);
	sfx_stop(&s);
}
END_TEST

START_TEST(bad_messages_refused_and_nothing_stored)
{
	struct sfx s;
	struct sfx_view v;
	struct encoding_buf msg, r1bad;
	struct test_http r;

	sfx_start(&s, "secret-2", 3, 2, false);
	/* before the ceremony starts */
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	test_http_free(&r);
	sfx_view_load(&s, &v);
	sfx_admin_post(&s, "ceremony/cancel", "{}", &r);
	json_decref(fixture_json(&r, 200));
	test_http_free(&r);
	encoding_buf_init(&msg);
	sfx_message(&s, &v, 1, 0, &msg);
	refuse_message(&s, 0, msg.data, msg.len, 409, "CEREMONY_NOT_STARTED");
	encoding_buf_free(&msg);
	sfx_view_free(&v);

	/* attempt 2 */
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	{
		json_t *j = fixture_json(&r, 201);

		ck_assert_int_eq(json_integer_value(json_object_get(j, "attempt")), 2);
		json_decref(j);
	}
	test_http_free(&r);
	sfx_view_load(&s, &v);
	/* round 0: a bad signature, a wrong round, garbage, JSON errors */
	encoding_buf_init(&msg);
	sfx_message(&s, &v, 1, 0, &msg);
	msg.data[msg.len - 1] ^= 0x01;
	refuse_message(&s, 0, msg.data, msg.len, 400, "CEREMONY_BAD_MESSAGE");
	msg.data[msg.len - 1] ^= 0x01;
	refuse_message(&s, 1, s.tr[0].r1.data, s.tr[0].r1.len, 409, "CEREMONY_WRONG_ROUND");
	refuse_message(&s, 0, msg.data, 60, 400, "CEREMONY_BAD_MESSAGE");
	{
		/* signed by trustee 2's key but claiming to be trustee 1 */
		struct encoding_buf other;

		encoding_buf_init(&other);
		encoding_buf_append(&other, msg.data, msg.len);
		resign(&other, s.tr[1].key.sk, "dkg-round0");
		refuse_message(&s, 0, other.data, other.len, 400, "CEREMONY_BAD_MESSAGE");
		encoding_buf_free(&other);
	}
	{
		char *before = fixture_db_snapshot(s.x.d.db), *after;
		static const char *const bodies[] = {
		    "{\"round\":4,\"data\":\"00\"}",       "{\"round\":0,\"data\":\"0G\"}",
		    "{\"round\":0,\"data\":\"AB\"}",       "{\"round\":0}",
		    "{\"round\":0,\"data\":\"\",\"x\":1}", "{\"round\":\"0\",\"data\":\"00\"}",
		};
		static const char *const names[] = {
		    "JSON_BAD_VALUE",     "JSON_BAD_VALUE",     "JSON_BAD_VALUE",
		    "JSON_MISSING_FIELD", "JSON_UNKNOWN_FIELD", "JSON_WRONG_TYPE",
		};

		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			sfx_public_post(&s, "ceremony/messages", bodies[i], &r);
			test_http_expect_error(&r, 400, names[i]);
			test_http_free(&r);
		}
		after = fixture_db_snapshot(s.x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	/* the good one, then the same trustee again: a duplicate */
	sfx_post_message(&s, 0, msg.data, msg.len, &r);
	json_decref(fixture_json(&r, 201));
	test_http_free(&r);
	refuse_message(&s, 0, msg.data, msg.len, 409, "CEREMONY_DUPLICATE");
	encoding_buf_free(&msg);
	{
		/* a second, different R0 of trustee 1 */
		struct encoding_buf again, keep;

		encoding_buf_init(&keep);
		encoding_buf_append(&keep, s.tr[0].r1.data, s.tr[0].r1.len);
		encoding_buf_init(&again);
		sfx_message(&s, &v, 1, 0, &again);
		refuse_message(&s, 0, again.data, again.len, 409, "CEREMONY_DUPLICATE");
		encoding_buf_free(&again);
		/* trustee 1 keeps the R1 its accepted R0 commits to */
		encoding_buf_free(&s.tr[0].r1);
		s.tr[0].r1 = keep;
	}
	/* trustee 2 commits to an R1 whose proof of knowledge is wrong */
	encoding_buf_init(&msg);
	encoding_buf_init(&r1bad);
	ck_assert(protocol_dkg_r1_build(v.m, v.manifest_hash, 2, s.tr[1].key.sk, &pgroup_rng_system,
	                                &s.tr[1].secrets, &r1bad));
	r1bad.data[64 + 12 + 32 * 2 + 32 + 32] ^= 0x01; /* z_0 */
	resign(&r1bad, s.tr[1].key.sk, "dkg-round1");
	ck_assert(
	    protocol_dkg_r0_build(v.manifest_hash, 2, r1bad.data, r1bad.len, s.tr[1].key.sk, &msg));
	sfx_post_message(&s, 0, msg.data, msg.len, &r);
	json_decref(fixture_json(&r, 201));
	test_http_free(&r);
	encoding_buf_free(&msg);
	sfx_view_free(&v);
	/* trustee 3's R0 completes round 0 */
	sfx_view_load(&s, &v);
	encoding_buf_init(&msg);
	sfx_message(&s, &v, 3, 0, &msg);
	sfx_post_message(&s, 0, msg.data, msg.len, &r);
	json_decref(fixture_json(&r, 201));
	test_http_free(&r);
	encoding_buf_free(&msg);
	/* round 1: an R1 that does not match its R0 */
	{
		struct encoding_buf other, sec_r1;
		struct protocol_dkg_secrets sec;

		encoding_buf_init(&other);
		encoding_buf_init(&sec_r1);
		ck_assert(protocol_dkg_r1_build(v.m, v.manifest_hash, 1, s.tr[0].key.sk,
		                                &pgroup_rng_system, &sec, &other));
		protocol_dkg_secrets_wipe(&sec);
		refuse_message(&s, 1, other.data, other.len, 400, "CEREMONY_BAD_MESSAGE");
		encoding_buf_free(&other);
		encoding_buf_free(&sec_r1);
	}
	/* the bad proof of knowledge, committed to or not, is refused */
	refuse_message(&s, 1, r1bad.data, r1bad.len, 400, "CEREMONY_BAD_MESSAGE");
	encoding_buf_free(&r1bad);
	sfx_view_free(&v);
	/* trustee 2 can never complete round 1: restart (attempt 3) */
	sfx_admin_post(&s, "ceremony/restart", "{}", &r);
	{
		json_t *j = fixture_json(&r, 200);

		ck_assert_int_eq(json_integer_value(json_object_get(j, "attempt")), 3);
		ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "round0");
		ck_assert_uint_eq(json_array_size(json_object_get(j, "messages")), 0);
		json_decref(j);
	}
	test_http_free(&r);
	sfx_round(&s, 0);
	sfx_round(&s, 1);
	/* round 2: wrong R1hashes */
	sfx_view_load(&s, &v);
	encoding_buf_init(&msg);
	sfx_message(&s, &v, 1, 2, &msg);
	msg.data[64 + 4 + 10] ^= 0x01;
	resign(&msg, s.tr[0].key.sk, "dkg-round2");
	refuse_message(&s, 2, msg.data, msg.len, 400, "CEREMONY_BAD_MESSAGE");
	encoding_buf_free(&msg);
	sfx_view_free(&v);
	sfx_round(&s, 2);
	/* round 3: a wrong Y */
	sfx_view_load(&s, &v);
	encoding_buf_init(&msg);
	sfx_message(&s, &v, 2, 3, &msg);
	memcpy(msg.data + 64 + 4 + 64 * 3, protocol_dkg_z(v.k, 1), 32);
	resign(&msg, s.tr[1].key.sk, "dkg-round3");
	refuse_message(&s, 3, msg.data, msg.len, 400, "CEREMONY_BAD_MESSAGE");
	/* and an R3 under the manifest of another attempt */
	encoding_buf_free(&msg);
	sfx_view_free(&v);
	sfx_round(&s, 3);
	{
		json_t *j = sfx_get(&s, "ceremony", 200);

		ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
		json_decref(j);
	}
	/* complete: one more message is refused */
	sfx_view_load(&s, &v);
	encoding_buf_init(&msg);
	encoding_buf_append(&msg, s.tr[0].r1.data, s.tr[0].r1.len);
	refuse_message(&s, 3, msg.data, msg.len, 409, "CEREMONY_COMPLETE");
	encoding_buf_free(&msg);
	sfx_view_free(&v);
	sfx_stop(&s);
}
END_TEST

START_TEST(restart_exclude_freeze_and_access)
{
	struct sfx s;
	struct test_http r;
	json_t *doc, *draft, *j;
	char mh1[129], problems[512], *before, *after;

	sfx_start(&s, "secret-3", 3, 2, false);
	/* only the secretariat starts, restarts and cancels */
	test_http_post_json(&s.x.d, "/api/elections/secret-3/ceremony/start", "{}", &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	sfx_admin_post(&s, "ceremony/restart", "{}", &r);
	test_http_expect_error(&r, 409, "CEREMONY_NOT_STARTED");
	test_http_free(&r);
	sfx_admin_post(&s, "ceremony/cancel", "{}", &r);
	test_http_expect_error(&r, 409, "CEREMONY_NOT_STARTED");
	test_http_free(&r);
	sfx_admin_post(&s, "ceremony/start", "{\"exclude\":[]}", &r);
	test_http_expect_error(&r, 400, "JSON_UNKNOWN_FIELD");
	test_http_free(&r);
	fixture_post(&s.x.d, "/api/elections/nope/ceremony/start", &s.x.sec, "{}", &r);
	test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
	test_http_free(&r);
	test_http_get(&s.x.d, "/api/elections/nope/ceremony", &r);
	test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
	test_http_free(&r);

	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	doc = fixture_json(&r, 201);
	test_http_free(&r);
	snprintf(mh1, sizeof(mh1), "%s", json_string_value(json_object_get(doc, "manifest_hash")));
	json_decref(doc);
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	test_http_expect_error(&r, 409, "CEREMONY_STARTED");
	test_http_free(&r);
	/* the draft is frozen */
	draft = sfx_draft(&s);
	json_object_set_new(draft, "revote", json_false());
	j = efx_draft_put(&s.x, s.id, draft, 409);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "DRAFT_FROZEN");
	json_decref(j);
	sfx_round(&s, 0);

	/* an unknown trustee in the exclusion: refused, nothing changes */
	before = fixture_db_snapshot(s.x.d.db);
	sfx_admin_post(&s, "ceremony/restart", "{\"exclude\":[\"trustee-z\"]}", &r);
	fixture_expect_field(&r, 400, "TRUSTEE_UNKNOWN", "exclude/0");
	test_http_free(&r);
	sfx_admin_post(&s, "ceremony/restart", "{\"exclude\":[1]}", &r);
	test_http_expect_error(&r, 400, "JSON_WRONG_TYPE");
	test_http_free(&r);
	/* excluding two of three leaves fewer trustees than t = 2 */
	sfx_admin_post(&s, "ceremony/restart", "{\"exclude\":[\"trustee-b\",\"trustee-c\"]}", &r);
	test_http_expect_error(&r, 409, "ELECTION_INVALID");
	j = test_http_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(j, "problems"), 0), "problem")),
	                 "THRESHOLD_RANGE");
	json_decref(j);
	test_http_free(&r);
	after = fixture_db_snapshot(s.x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);

	/* without trustee-c: a new manifest, attempt 2, no messages */
	sfx_admin_post(&s, "ceremony/restart", "{\"exclude\":[\"trustee-c\"]}", &r);
	doc = fixture_json(&r, 200);
	test_http_free(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "attempt")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "n")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "t")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "messages")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "trustees")), 2);
	ck_assert_str_ne(json_string_value(json_object_get(doc, "manifest_hash")), mh1);
	json_decref(doc);
	{
		struct test_http a;
		json_t *adm, *tr;

		fixture_get(&s.x.d, "/api/admin/elections/secret-3", &s.x.sec, &a);
		adm = fixture_json(&a, 200);
		test_http_free(&a);
		tr = json_object_get(json_object_get(adm, "draft"), "trustees");
		ck_assert_uint_eq(json_array_size(tr), 2);
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tr, 1), "id")),
		                 "trustee-b");
		ck_assert_int_eq(json_integer_value(
		                     json_object_get(json_object_get(adm, "ceremony"), "attempt")),
		                 2);
		json_decref(adm);
		adm = fixture_audit(&s.x.d, &s.x.sec);
		ck_assert(fixture_audit_has(adm, "ceremony.restart", "secret-3", "trustee-c"));
		json_decref(adm);
	}
	s.n = 2;
	/* the registry changes under the frozen manifest: ngo-b enrols a new key */
	sfx_round(&s, 0);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "CEREMONY_INCOMPLETE");
	fixture_keypair(&s.ngos[1]);
	fixture_enrol_key(&s.x.d, &s.x.sec, "ngo-b", &s.ngos[1]);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "CEREMONY_STALE,CEREMONY_INCOMPLETE");
	/* a restart freezes the manifest with the new key */
	sfx_admin_post(&s, "ceremony/restart", "{}", &r);
	json_decref(fixture_json(&r, 200));
	test_http_free(&r);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "CEREMONY_INCOMPLETE");
	/* a cancel unfreezes the draft; the next start is attempt 4 */
	sfx_admin_post(&s, "ceremony/cancel", "{}", &r);
	doc = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "not-started");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "attempt")), 3);
	json_decref(doc);
	test_http_free(&r);
	j = efx_draft_put(&s.x, s.id, draft, 200);
	json_decref(j);
	json_decref(draft);
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "CEREMONY_NOT_STARTED");
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	doc = fixture_json(&r, 201);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "attempt")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "n")), 3);
	json_decref(doc);
	test_http_free(&r);
	s.n = 3;
	sfx_stop(&s);
}
END_TEST

START_TEST(open_mode_and_draft_problems)
{
	struct sfx s;
	struct test_http r;
	json_t *draft, *j, *t;
	char problems[512];

	sfx_start(&s, "secret-4", 3, 2, false);
	/* the trustees' own problems */
	draft = sfx_draft(&s);
	t = json_object_get(draft, "trustees");
	json_object_set_new(json_array_get(t, 1), "pk", json_string(s.tr[0].key.pk_hex));
	json_object_set_new(json_array_get(t, 2), "pk", json_string(""));
	json_object_set_new(draft, "threshold", json_integer(4));
	json_decref(efx_draft_put(&s.x, s.id, draft, 200));
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(
	    problems, "THRESHOLD_RANGE,TRUSTEE_DUPLICATE,TRUSTEE_KEY_INVALID,CEREMONY_NOT_STARTED");
	/* not a valid Ed25519 key: the identity */
	json_object_set_new(json_array_get(t, 1), "pk", json_string(s.tr[1].key.pk_hex));
	json_object_set_new(
	    json_array_get(t, 2), "pk",
	    json_string("0100000000000000000000000000000000000000000000000000000000000000"));
	json_object_set_new(json_array_get(t, 0), "id", json_string("trustee-b"));
	json_object_set_new(draft, "threshold", json_integer(0));
	json_decref(efx_draft_put(&s.x, s.id, draft, 200));
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(
	    problems, "THRESHOLD_RANGE,TRUSTEE_DUPLICATE,TRUSTEE_KEY_INVALID,CEREMONY_NOT_STARTED");
	/* the start is refused with the problems, nothing stored */
	{
		char *before = fixture_db_snapshot(s.x.d.db), *after;

		sfx_admin_post(&s, "ceremony/start", "{}", &r);
		test_http_expect_error(&r, 409, "ELECTION_INVALID");
		j = test_http_json(&r);
		ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 3);
		json_decref(j);
		test_http_free(&r);
		after = fixture_db_snapshot(s.x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	json_object_set_new(draft, "trustees", json_array());
	json_decref(efx_draft_put(&s.x, s.id, draft, 200));
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "NO_TRUSTEES,THRESHOLD_RANGE,CEREMONY_NOT_STARTED");
	/* secret ballots too large to cast: 32 contests of 64 candidates */
	{
		json_t *big = json_deep_copy(draft), *contests = json_array();
		static const char *cands[64];
		static char ids[64][16];

		for (int i = 0; i < 64; i++) {
			snprintf(ids[i], sizeof(ids[i]), "x-%02d", i);
			cands[i] = ids[i];
		}
		for (int c = 0; c < 32; c++) {
			char cid[16];

			snprintf(cid, sizeof(cid), "c%d", c);
			json_array_append_new(contests, efx_contest(cid, 1, 0, 64, cands, 64));
		}
		json_object_set_new(big, "contests", contests);
		j = efx_draft_put(&s.x, s.id, big, 200);
		{
			json_t *p;
			size_t k;
			bool found = false;

			json_array_foreach(json_object_get(j, "problems"), k, p)
			{
				found |= strcmp(json_string_value(json_object_get(p, "problem")),
				                "BALLOT_TOO_LARGE") == 0;
			}
			ck_assert(found);
		}
		json_decref(j);
		/* the same contests in open mode are fine (but for the unknown NGOs) */
		json_object_set_new(big, "mode", json_string("open"));
		j = efx_draft_put(&s.x, s.id, big, 200);
		{
			json_t *p;
			size_t k;

			json_array_foreach(json_object_get(j, "problems"), k, p)
			{
				ck_assert_str_ne(json_string_value(json_object_get(p, "problem")),
				                 "BALLOT_TOO_LARGE");
			}
		}
		json_decref(j);
		json_decref(big);
	}
	/* malformed trustees are field errors */
	json_object_set_new(draft, "trustees",
	                    json_pack("[{s:s, s:{s:s, s:s}, s:s}]", "id", "Bad Id", "name", "en",
	                              "x", "km", FIXTURE_KM, "pk", ""));
	j = efx_draft_put(&s.x, s.id, draft, 400);
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "trustees/0/id");
	json_decref(j);
	json_object_set_new(draft, "trustees",
	                    json_pack("[{s:s, s:{s:s, s:s}, s:s}]", "id", "t1", "name", "en", "x",
	                              "km", FIXTURE_KM, "pk", "ABCD"));
	j = efx_draft_put(&s.x, s.id, draft, 400);
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "trustees/0/pk");
	json_decref(j);
	/* an open-mode draft has no ceremony */
	json_object_set_new(draft, "mode", json_string("open"));
	json_object_set_new(draft, "trustees", json_array());
	json_decref(efx_draft_put(&s.x, s.id, draft, 200));
	problems_of(&s, problems, sizeof(problems));
	ck_assert_str_eq(problems, "");
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_SECRET");
	test_http_free(&r);
	test_http_get(&s.x.d, "/api/elections/secret-4/ceremony", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_SECRET");
	test_http_free(&r);
	test_http_get(&s.x.d, "/api/elections/secret-4/dry-run", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_SECRET");
	test_http_free(&r);
	/* every other secret-mode route says so too, not that a ceremony is
	 * missing */
	{
		static const struct {
			bool admin;
			const char *what, *body;
		} routes[] = {
		    {true, "ceremony/restart", "{}"},
		    {true, "ceremony/cancel", "{}"},
		    {true, "dry-run", "{}"},
		    {false, "ceremony/messages", "{\"round\":0,\"data\":\"00\"}"},
		    {false, "dry-run/partial-decryptions", "{\"data\":\"00\"}"},
		    {false, "partial-decryptions", "{\"data\":\"00\"}"},
		};

		for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
			if (routes[k].admin)
				sfx_admin_post(&s, routes[k].what, routes[k].body, &r);
			else
				sfx_public_post(&s, routes[k].what, routes[k].body, &r);
			ck_assert_msg(r.status == 409 && strstr(r.body, "ELECTION_NOT_SECRET"),
			              "%s: %d %s", routes[k].what, r.status, r.body);
			test_http_free(&r);
		}
	}
	json_decref(draft);
	sfx_stop(&s);
}
END_TEST

START_TEST(dry_run_refusals)
{
	struct sfx s;
	struct sfx_view v;
	struct test_http r;
	json_t *doc;
	uint8_t *data, th[64], eh[64], (*ab)[32];
	size_t len;
	const char *why = NULL;

	sfx_start(&s, "secret-5", 3, 2, true);
	sfx_admin_post(&s, "dry-run", "{}", &r);
	test_http_expect_error(&r, 409, "CEREMONY_NOT_STARTED");
	test_http_free(&r);
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	test_http_free(&r);
	sfx_round(&s, 0);
	sfx_admin_post(&s, "dry-run", "{}", &r);
	test_http_expect_error(&r, 409, "CEREMONY_INCOMPLETE");
	test_http_free(&r);
	for (uint32_t round = 1; round < 4; round++)
		sfx_round(&s, round);
	doc = sfx_get(&s, "dry-run", 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "not-started");
	json_decref(doc);
	sfx_public_post(&s, "dry-run/partial-decryptions", "{\"data\":\"00\"}", &r);
	test_http_expect_error(&r, 409, "DRY_RUN_NOT_STARTED");
	test_http_free(&r);
	sfx_admin_post(&s, "dry-run", "{}", &r);
	doc = fixture_json(&r, 201);
	test_http_free(&r);
	sfx_admin_post(&s, "dry-run", "{}", &r);
	test_http_expect_error(&r, 409, "DRY_RUN_STARTED");
	test_http_free(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "max_count")), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(
	                     json_array_get(json_object_get(doc, "expected"), 1), 1)),
	                 2);
	sfx_view_load(&s, &v);
	ck_assert(protocol_dkg_election_hash(v.k, eh));
	{
		const char *h = json_string_value(json_object_get(doc, "data"));

		data = encoding_hex_decode_alloc(h, strlen(h), &len);
	}
	ab = calloc(2 * protocol_manifest_total_candidates(v.m), 32);
	ck_assert_msg(protocol_dryrun_parse(v.m, eh, data, len, ab, th, &why), "%s", why);
	{
		char thx[129];

		encoding_hex_encode(th, 64, thx);
		ck_assert_str_eq(json_string_value(json_object_get(doc, "tally_hash")), thx);
	}
	for (uint32_t j = 1; j <= 3; j++) {
		struct encoding_buf pd;
		char *h, *body, *before, *after;
		json_t *a;

		encoding_buf_init(&pd);
		sfx_pdec(&s, &v, j, th, (const uint8_t(*)[32])ab, &pd);
		if (j == 2) {
			/* a corrupted proof, signed: refused, nothing stored */
			struct encoding_buf bad;
			uint8_t other[64];

			encoding_buf_init(&bad);
			encoding_buf_append(&bad, pd.data, pd.len);
			bad.data[64 + 4 + 64 + 64] ^= 0x01;
			resign(&bad, s.tr[1].key.sk, "partial-decryption");
			h = encoding_hex_encode_alloc(bad.data, bad.len);
			body = malloc(strlen(h) + 32);
			sprintf(body, "{\"data\":\"%s\"}", h);
			before = fixture_db_snapshot(s.x.d.db);
			sfx_public_post(&s, "dry-run/partial-decryptions", body, &r);
			fixture_expect_field(&r, 400, "DRY_RUN_BAD_PARTIAL", "data");
			test_http_free(&r);
			free(body);
			free(h);
			/* over another tally_hash */
			encoding_buf_free(&bad);
			encoding_buf_init(&bad);
			memcpy(other, th, 64);
			other[0] ^= 1;
			sfx_pdec(&s, &v, 2, other, (const uint8_t(*)[32])ab, &bad);
			h = encoding_hex_encode_alloc(bad.data, bad.len);
			body = malloc(strlen(h) + 32);
			sprintf(body, "{\"data\":\"%s\"}", h);
			sfx_public_post(&s, "dry-run/partial-decryptions", body, &r);
			test_http_expect_error(&r, 400, "DRY_RUN_BAD_PARTIAL");
			test_http_free(&r);
			after = fixture_db_snapshot(s.x.d.db);
			ck_assert_str_eq(before, after);
			free(before);
			free(after);
			free(body);
			free(h);
			encoding_buf_free(&bad);
		}
		h = encoding_hex_encode_alloc(pd.data, pd.len);
		body = malloc(strlen(h) + 32);
		sprintf(body, "{\"data\":\"%s\"}", h);
		sfx_public_post(&s, "dry-run/partial-decryptions", body, &r);
		a = fixture_json(&r, 201);
		test_http_free(&r);
		ck_assert_str_eq(json_string_value(json_object_get(a, "state")),
		                 j == 3 ? "succeeded" : "running");
		ck_assert_uint_eq(json_array_size(json_object_get(a, "verified")), j);
		json_decref(a);
		if (j == 1) {
			sfx_public_post(&s, "dry-run/partial-decryptions", body, &r);
			test_http_expect_error(&r, 409, "DRY_RUN_DUPLICATE");
			test_http_free(&r);
		}
		free(body);
		free(h);
		encoding_buf_free(&pd);
	}
	json_decref(doc);
	doc = sfx_get(&s, "dry-run", 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "succeeded");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "partials")), 3);
	json_decref(doc);
	free(ab);
	free(data);
	sfx_view_free(&v);
	sfx_stop(&s);
}
END_TEST

/* The timer does not open a secret election whose ceremony is not done. */
START_TEST(timer_waits_for_the_ceremony)
{
	struct sfx s;
	json_t *draft;
	char past[21], future[21];

	sfx_start(&s, "secret-7", 2, 2, false);
	draft = sfx_draft(&s);
	efx_time(time(NULL) - 60, past);
	efx_time(time(NULL) + 3600, future);
	json_object_set_new(draft, "opens_at", json_string(past));
	json_object_set_new(draft, "closes_at", json_string(future));
	json_object_set_new(draft, "auto_open", json_true());
	json_decref(efx_draft_put(&s.x, s.id, draft, 200));
	json_decref(draft);
	ck_assert(!efx_wait_status(&s.x.d, s.id, "open", 2.5));
	ck_assert_int_eq(efx_board_rows(&s.x.d, s.id), 0);
	sfx_stop(&s);
}
END_TEST

struct concurrent {
	struct sfx *s;
	uint32_t round;
	struct encoding_buf msg;
	int status;
};

static void *
post_concurrently(void *arg)
{
	struct concurrent *c = arg;
	struct test_http r;

	sfx_post_message(c->s, c->round, c->msg.data, c->msg.len, &r);
	c->status = r.status;
	test_http_free(&r);
	return NULL;
}

/* Trustees post at once: each message is checked against what the
 * others stored, and every one is accepted exactly once. */
START_TEST(trustees_post_at_once)
{
	struct sfx s;
	struct test_http r;
	json_t *doc;

	sfx_start(&s, "secret-6", 5, 3, false);
	sfx_admin_post(&s, "ceremony/start", "{}", &r);
	test_http_free(&r);
	for (uint32_t round = 0; round < 4; round++) {
		struct concurrent c[SFX_MAX_TRUSTEES];
		pthread_t th[SFX_MAX_TRUSTEES];
		struct sfx_view v;

		sfx_view_load(&s, &v);
		for (uint32_t d = 1; d <= s.n; d++) {
			c[d - 1].s = &s;
			c[d - 1].round = round;
			encoding_buf_init(&c[d - 1].msg);
			sfx_message(&s, &v, d, round, &c[d - 1].msg);
		}
		sfx_view_free(&v);
		for (uint32_t d = 0; d < s.n; d++)
			ck_assert_int_eq(pthread_create(&th[d], NULL, post_concurrently, &c[d]), 0);
		for (uint32_t d = 0; d < s.n; d++) {
			pthread_join(th[d], NULL);
			ck_assert_int_eq(c[d].status, 201);
			encoding_buf_free(&c[d].msg);
		}
	}
	doc = sfx_get(&s, "ceremony", 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "complete");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "messages")), 20);
	json_decref(doc);
	sfx_stop(&s);
}
END_TEST

Suite *
ceremony_suite(void)
{
	Suite *s = suite_create("ceremony");
	TCase *tc = tcase_create("ceremony");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, full_ceremony_dry_run_and_open);
	tcase_add_test(tc, bad_messages_refused_and_nothing_stored);
	tcase_add_test(tc, restart_exclude_freeze_and_access);
	tcase_add_test(tc, open_mode_and_draft_problems);
	tcase_add_test(tc, dry_run_refusals);
	tcase_add_test(tc, trustees_post_at_once);
	tcase_add_test(tc, timer_waits_for_the_ceremony);
	suite_add_tcase(s, tc);
	return s;
}
