/*
 * test_ballots.c -- every way POST /api/elections/{id}/ballots refuses a
 * ballot (spec §8, §9, V4), over HTTP against the real daemon.  Each
 * refusal asserts the status, the error name (and the field when one is to
 * blame), that the public board's `total` and the election's board_events
 * rows did not change, and that a snapshot of every table holding state is
 * byte-for-byte the same.  Then the good path: the receipt verifies under
 * the server key published with the election and names the ballot's event,
 * and the board decodes the ballot (voter, seq, choices).
 *
 * The set-up (env_setup) builds:
 *   ngo-a..ngo-e  enrolled, on every roll;
 *   ngo-x         enrolled, excluded from "main" and "once" with a reason;
 *   ngo-r         enrolled with key K1, on the roll of "old" (opened, one
 *                 ballot, closed); then K1 is replaced by K2 (its ngo_keys
 *                 row is revoked) before "main" and "once" open;
 *   ngo-late      created and enrolled after "main" and "once" opened;
 *   "main"  open, revote allowed: c0 = {a,b,c} seats 1 min 1 max 2,
 *                                 c1 = {a,b,c,d} seats 2 min 0 max 2;
 *   "once"  open, revote = false, same contests;
 *   "draft" never opened (the HLWG template).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "election_draft.h"
#include "elections_fixture.h"
#include "protocol_ballot.h"
#include "protocol_board.h"

Suite *ballots_suite(void);

enum { A, B, C, D, E, X, R, NKEYS };
static const char *const ngo_ids[NKEYS] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d",
                                           "ngo-e", "ngo-x", "ngo-r"};

/* the field is not checked (errors about the election, not the ballot) */
#define ANY_FIELD "*"

struct env {
	struct efx x;
	struct fixture_key k[NKEYS];
	struct fixture_key r_old; /* ngo-r's replaced (revoked) key K1 */
	struct fixture_key late;  /* ngo-late, enrolled after opening */
	struct efx_election main_, once, old;
};

static json_t *
two_contests(bool revote, bool exclude_x)
{
	static const char *const c0[] = {"ngo-a", "ngo-b", "ngo-c"};
	static const char *const c1[] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d"};
	json_t *d = efx_draft_new();

	json_array_append_new(json_object_get(d, "contests"), efx_contest("c0", 1, 1, 2, c0, 3));
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c1", 2, 0, 2, c1, 4));
	json_object_set_new(d, "revote", json_boolean(revote));
	if (exclude_x)
		json_array_append_new(json_object_get(d, "excluded"),
		                      json_pack("{s:s, s:s}", "ngo_id", "ngo-x", "reason",
		                                "Conflict of interest: audits the vote"));
	return d;
}

static void
env_setup(struct env *v)
{
	json_t *j, *d;
	char status[16];

	efx_start(&v->x);
	for (int i = 0; i < NKEYS; i++)
		efx_ngo_enrolled(&v->x, ngo_ids[i], &v->k[i]);
	/* "old": ngo-r votes with K1, then the vote closes */
	json_decref(efx_draft_create(&v->x, "old", "empty"));
	d = two_contests(true, false);
	efx_draft_ready(&v->x, "old", d);
	json_decref(d);
	efx_open(&v->x, "old", &v->old);
	{
		struct efx_choice ch = efx_choice_parse("0|1");

		ck_assert_int_eq(efx_cast(&v->x.d, &v->old, &v->k[R], 1, &ch, NULL, NULL, NULL),
		                 201);
	}
	efx_close(&v->x, "old");
	/* K1 is replaced by K2: the old key is revoked */
	v->r_old = v->k[R];
	fixture_keypair(&v->k[R]);
	fixture_enrol_key(&v->x.d, &v->x.sec, "ngo-r", &v->k[R]);
	/* "main" and "once" */
	json_decref(efx_draft_create(&v->x, "main", "empty"));
	d = two_contests(true, true);
	efx_draft_ready(&v->x, "main", d);
	json_decref(d);
	json_decref(efx_draft_create(&v->x, "once", "empty"));
	d = two_contests(false, true);
	efx_draft_ready(&v->x, "once", d);
	json_decref(d);
	efx_open(&v->x, "main", &v->main_);
	efx_open(&v->x, "once", &v->once);
	j = efx_draft_create(&v->x, "draft", "hlwg");
	json_decref(j);
	efx_status(&v->x.d, "draft", status);
	ck_assert_str_eq(status, "draft");
	/* ngo-late registers and enrols after the rolls were fixed */
	efx_ngo_enrolled(&v->x, "ngo-late", &v->late);
}

static void
env_teardown(struct env *v)
{
	efx_stop(&v->x);
}

/* Posts the hex body and signature and asserts the refusal and that
 * nothing changed. */
static void
refuse_hex(struct env *v, const char *id, const char *body_hex, const char *sig_hex, int status,
           const char *name, const char *field)
{
	const struct test_daemon *d = &v->x.d;
	char *before = fixture_db_snapshot(d->db), *after;
	int total = efx_board_total(d, id), rows = efx_board_rows(d, id);
	struct test_http r;

	efx_post_hex(d, id, body_hex, sig_hex, &r);
	if (field != NULL && strcmp(field, ANY_FIELD) == 0)
		test_http_expect_error(&r, status, name);
	else
		fixture_expect_field(&r, status, name, field);
	test_http_free(&r);
	ck_assert_int_eq(efx_board_total(d, id), total);
	ck_assert_int_eq(efx_board_rows(d, id), rows);
	after = fixture_db_snapshot(d->db);
	ck_assert_msg(strcmp(before, after) == 0, "a refused ballot (%s) changed the database",
	              name);
	free(before);
	free(after);
}

/* Signs body with sk and expects the refusal. */
static void
refuse_body(struct env *v, const char *id, const uint8_t *body, size_t len, const uint8_t sk[64],
            int status, const char *name, const char *field)
{
	uint8_t hash[64], sig[64];
	char shex[129], *bhex = encoding_hex_encode_alloc(body, len);

	ck_assert_ptr_nonnull(bhex);
	protocol_ballot_hash(body, len, hash);
	ck_assert(protocol_ballot_sign(sk, hash, sig));
	encoding_hex_encode(sig, 64, shex);
	refuse_hex(v, id, bhex, shex, status, name, field);
	free(bhex);
}

/* Builds the ballot for election_hash and key k and expects the refusal. */
static void
refuse(struct env *v, const char *id, const uint8_t election_hash[64], const struct fixture_key *k,
       uint32_t seq, const char *choice, int status, const char *name, const char *field)
{
	struct efx_choice ch = efx_choice_parse(choice);
	struct encoding_buf body;

	encoding_buf_init(&body);
	efx_ballot_build(election_hash, k->pk, seq, &ch, &body);
	refuse_body(v, id, body.data, body.len, k->sk, status, name, field);
	encoding_buf_free(&body);
}

/* Casts a valid ballot and asserts it is accepted; fills hash if asked. */
static void
cast_ok(struct env *v, const struct efx_election *e, const struct fixture_key *k, uint32_t seq,
        const char *choice, uint8_t hash[64])
{
	struct efx_choice ch = efx_choice_parse(choice);
	char name[64];
	int total = efx_board_total(&v->x.d, e->id);

	ck_assert_msg(efx_cast(&v->x.d, e, k, seq, &ch, hash, NULL, name) == 201,
	              "ballot seq %u (%s) refused: %s", seq, choice, name);
	ck_assert_int_eq(efx_board_total(&v->x.d, e->id), total + 1);
}

START_TEST(refused_before_open)
{
	struct env v;
	uint8_t zero[64] = {0};

	env_setup(&v);
	/* a draft has no board: GET /board is 404 before and after */
	ck_assert_int_eq(efx_board_total(&v.x.d, "draft"), -1);
	refuse(&v, "draft", zero, &v.k[A], 1, "", 409, "ELECTION_NOT_OPEN", ANY_FIELD);
	/* the election hash of another election changes nothing */
	refuse(&v, "draft", v.main_.election_hash, &v.k[A], 1, "", 409, "ELECTION_NOT_OPEN",
	       ANY_FIELD);
	ck_assert_int_eq(efx_board_rows(&v.x.d, "draft"), 0);
	env_teardown(&v);
}
END_TEST

START_TEST(refused_after_close)
{
	struct env v;

	env_setup(&v);
	/* "old" closed with ngo-r's K1 on its roll: a valid next ballot */
	refuse(&v, "old", v.old.election_hash, &v.r_old, 2, "1|2", 409, "ELECTION_CLOSED",
	       ANY_FIELD);
	/* a voter of "old" who had not voted yet */
	refuse(&v, "old", v.old.election_hash, &v.k[B], 1, "1|2", 409, "ELECTION_CLOSED",
	       ANY_FIELD);
	/* an election that closes while we watch: accepted, then refused */
	cast_ok(&v, &v.main_, &v.k[A], 1, "0|", NULL);
	efx_close(&v.x, "main");
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 2, "1|", 409, "ELECTION_CLOSED",
	       ANY_FIELD);
	refuse(&v, "main", v.main_.election_hash, &v.k[B], 1, "1|", 409, "ELECTION_CLOSED",
	       ANY_FIELD);
	env_teardown(&v);
}
END_TEST

START_TEST(refused_not_on_roll)
{
	struct env v;
	struct fixture_key stranger;
	struct test_http r;
	char code[40];

	env_setup(&v);
	/* a key nobody enrolled */
	fixture_keypair(&stranger);
	refuse(&v, "main", v.main_.election_hash, &stranger, 1, "0|", 403, "BALLOT_NOT_ON_ROLL",
	       "body");
	/* an enrolled NGO excluded from the roll with a reason */
	refuse(&v, "main", v.main_.election_hash, &v.k[X], 1, "0|", 403, "BALLOT_NOT_ON_ROLL",
	       "body");
	refuse(&v, "once", v.once.election_hash, &v.k[X], 1, "0|", 403, "BALLOT_NOT_ON_ROLL",
	       "body");
	/* a key enrolled after the election opened */
	refuse(&v, "main", v.main_.election_hash, &v.late, 1, "0|", 403, "BALLOT_NOT_ON_ROLL",
	       "body");
	/* a revoked key: ngo-r's K1, replaced by K2 before "main" opened */
	refuse(&v, "main", v.main_.election_hash, &v.r_old, 1, "0|", 403, "BALLOT_NOT_ON_ROLL",
	       "body");
	/* while "main" is open, ngo-r cannot replace K2 (the roll is fixed) */
	fixture_code_issue(&v.x.d, &v.x.sec, "ngo-r", code);
	{
		struct fixture_key k3;

		fixture_keypair(&k3);
		fixture_enrol(&v.x.d, code, k3.pk_hex, &r);
		test_http_expect_error(&r, 409, "ENROL_NOT_ALLOWED");
		test_http_free(&r);
	}
	/* ngo-r's current key K2 is on the roll */
	cast_ok(&v, &v.main_, &v.k[R], 1, "0|", NULL);
	env_teardown(&v);
}
END_TEST

START_TEST(refused_bad_signature)
{
	struct env v;
	struct efx_choice ch;
	struct encoding_buf body;
	uint8_t hash[64], sig[64];
	char shex[129], *bhex;

	env_setup(&v);
	ch = efx_choice_parse("0,1|2");
	encoding_buf_init(&body);
	efx_ballot_build(v.main_.election_hash, v.k[A].pk, 1, &ch, &body);
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	protocol_ballot_hash(body.data, body.len, hash);
	ck_assert(protocol_ballot_sign(v.k[A].sk, hash, sig));
	/* one flipped bit in the signature, at either end */
	sig[0] ^= 0x01;
	encoding_hex_encode(sig, 64, shex);
	refuse_hex(&v, "main", bhex, shex, 400, "BALLOT_BAD_SIGNATURE", "signature");
	sig[0] ^= 0x01;
	sig[63] ^= 0x80;
	encoding_hex_encode(sig, 64, shex);
	refuse_hex(&v, "main", bhex, shex, 400, "BALLOT_BAD_SIGNATURE", "signature");
	sig[63] ^= 0x80;
	/* all zeros */
	memset(shex, '0', 128);
	refuse_hex(&v, "main", bhex, shex, 400, "BALLOT_BAD_SIGNATURE", "signature");
	/* the signature of a ballot, over a ballot changed after signing
	 * (c1: candidate 2 -> 3, still a valid choice) */
	encoding_hex_encode(sig, 64, shex);
	body.data[body.len - 4] = 3;
	free(bhex);
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	refuse_hex(&v, "main", bhex, shex, 400, "BALLOT_BAD_SIGNATURE", "signature");
	body.data[body.len - 4] = 2;
	/* ngo-a's ballot signed by ngo-b's key (both on the roll) */
	refuse_body(&v, "main", body.data, body.len, v.k[B].sk, 400, "BALLOT_BAD_SIGNATURE",
	            "signature");
	/* and signed over another type than "ballot" */
	{
		uint8_t s2[64];

		ck_assert(pcrypto_sign_digest(v.k[A].sk, "receipt", hash, s2));
		encoding_hex_encode(s2, 64, shex);
		free(bhex);
		bhex = encoding_hex_encode_alloc(body.data, body.len);
		refuse_hex(&v, "main", bhex, shex, 400, "BALLOT_BAD_SIGNATURE", "signature");
	}
	/* the untouched ballot is good */
	encoding_hex_encode(sig, 64, shex);
	{
		struct test_http r;

		efx_post_hex(&v.x.d, "main", bhex, shex, &r);
		ck_assert_int_eq(r.status, 201);
		test_http_free(&r);
	}
	free(bhex);
	encoding_buf_free(&body);
	env_teardown(&v);
}
END_TEST

START_TEST(refused_wrong_election)
{
	struct env v;
	uint8_t h[64];

	env_setup(&v);
	/* a valid ballot for "once" (both open, ngo-a on both rolls) sent to "main" */
	refuse(&v, "main", v.once.election_hash, &v.k[A], 1, "0|1", 400, "BALLOT_WRONG_ELECTION",
	       "body");
	refuse(&v, "once", v.main_.election_hash, &v.k[A], 1, "0|1", 400, "BALLOT_WRONG_ELECTION",
	       "body");
	/* for a closed election */
	refuse(&v, "main", v.old.election_hash, &v.k[A], 1, "0|1", 400, "BALLOT_WRONG_ELECTION",
	       "body");
	/* one bit off */
	memcpy(h, v.main_.election_hash, 64);
	h[17] ^= 0x04;
	refuse(&v, "main", h, &v.k[A], 1, "0|1", 400, "BALLOT_WRONG_ELECTION", "body");
	/* and once accepted where it belongs, the copy for "main" is still wrong */
	cast_ok(&v, &v.once, &v.k[A], 1, "0|1", NULL);
	refuse(&v, "main", v.once.election_hash, &v.k[A], 1, "0|1", 400, "BALLOT_WRONG_ELECTION",
	       "body");
	env_teardown(&v);
}
END_TEST

START_TEST(refused_stale_seq)
{
	struct env v;

	env_setup(&v);
	cast_ok(&v, &v.main_, &v.k[A], 2, "0|1", NULL);
	/* lower */
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 1, "1|", 409, "BALLOT_STALE_SEQ",
	       "body");
	/* the same seq with other choices */
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 2, "2|3", 409, "BALLOT_STALE_SEQ",
	       "body");
	/* The exact same ballot again.  The server answers BALLOT_DUPLICATE,
	 * not STALE_SEQ: §9 names the exact copy as its own rejection ("Reject
	 * an exact copy of a ballot already on the board (same ballot_hash)"),
	 * and the duplicate check runs first so that a client retrying after a
	 * lost answer learns that its ballot is on the board (it can then ask
	 * receipts/check), not that it must vote again. */
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 2, "0|1", 409, "BALLOT_DUPLICATE",
	       "body");
	/* gaps are allowed; then 3 is stale too */
	cast_ok(&v, &v.main_, &v.k[A], 5, "1|", NULL);
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 3, "1|", 409, "BALLOT_STALE_SEQ",
	       "body");
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 5, "2|", 409, "BALLOT_STALE_SEQ",
	       "body");
	/* the seq is per voter: ngo-b may start at 1 */
	cast_ok(&v, &v.main_, &v.k[B], 1, "1|", NULL);
	/* a huge seq is fine, and then nothing is higher but 2^32-1 */
	cast_ok(&v, &v.main_, &v.k[B], 0xfffffffeu, "2|", NULL);
	cast_ok(&v, &v.main_, &v.k[B], 0xffffffffu, "0|", NULL);
	refuse(&v, "main", v.main_.election_hash, &v.k[B], 0xffffffffu, "1|", 409,
	       "BALLOT_STALE_SEQ", "body");
	env_teardown(&v);
}
END_TEST

START_TEST(refused_revote_not_allowed)
{
	struct env v;

	env_setup(&v);
	/* "once" has revote = false: seq must be 1, and only once */
	refuse(&v, "once", v.once.election_hash, &v.k[B], 2, "0|1", 409,
	       "BALLOT_REVOTE_NOT_ALLOWED", "body");
	cast_ok(&v, &v.once, &v.k[A], 1, "0|1", NULL);
	refuse(&v, "once", v.once.election_hash, &v.k[A], 2, "1|2", 409,
	       "BALLOT_REVOTE_NOT_ALLOWED", "body");
	refuse(&v, "once", v.once.election_hash, &v.k[A], 1, "1|2", 409,
	       "BALLOT_REVOTE_NOT_ALLOWED", "body");
	/* the exact copy is a duplicate, whatever the revote rule */
	refuse(&v, "once", v.once.election_hash, &v.k[A], 1, "0|1", 409, "BALLOT_DUPLICATE",
	       "body");
	/* ngo-b, refused with seq 2, may still cast its one ballot */
	cast_ok(&v, &v.once, &v.k[B], 1, "2|", NULL);
	refuse(&v, "once", v.once.election_hash, &v.k[B], 1, "0|", 409, "BALLOT_REVOTE_NOT_ALLOWED",
	       "body");
	/* seq 0 stays SEQ_ZERO under revote = false */
	refuse(&v, "once", v.once.election_hash, &v.k[C], 0, "0|", 400, "BALLOT_SEQ_ZERO", "body");
	env_teardown(&v);
}
END_TEST

START_TEST(refused_seq_zero)
{
	struct env v;

	env_setup(&v);
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 0, "0|", 400, "BALLOT_SEQ_ZERO", "body");
	cast_ok(&v, &v.main_, &v.k[A], 1, "0|", NULL);
	refuse(&v, "main", v.main_.election_hash, &v.k[A], 0, "1|", 400, "BALLOT_SEQ_ZERO", "body");
	env_teardown(&v);
}
END_TEST

/* The layout: trailing bytes, the number of contests, truncation. */
START_TEST(refused_layout)
{
	struct env v;
	struct efx_choice ch;
	struct encoding_buf body;
	const uint8_t *eh;
	static const uint8_t extra[4] = {0, 0, 0, 0};

	env_setup(&v);
	eh = v.main_.election_hash;
	ch = efx_choice_parse("0,2|1,3");
	encoding_buf_init(&body);
	efx_ballot_build(eh, v.k[A].pk, 1, &ch, &body);
	/* 4 + 4*2 + 4 + 4*2 = 24 bytes of contests after the 104-byte header */
	ck_assert_uint_eq(body.len, PROTOCOL_BALLOT_HEADER_BYTES + 24);
	{
		struct encoding_buf t;

		/* one extra byte, and a whole extra LE32 */
		encoding_buf_init(&t);
		encoding_buf_append(&t, body.data, body.len);
		encoding_buf_u8(&t, 0);
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_TRAILING_BYTES",
		            "body");
		encoding_buf_append(&t, extra, 3);
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_TRAILING_BYTES",
		            "body");
		encoding_buf_free(&t);
	}
	/* truncated: every cut of the valid body is MALFORMED (none is a
	 * valid shorter ballot: each contest's count says how much follows) */
	for (size_t cut = 1; cut <= body.len; cut++) {
		size_t len = body.len - cut;

		if (cut > 3 && cut < body.len - 8 && cut % 9 != 0)
			continue; /* a sample of the middle keeps this fast */
		refuse_body(&v, "main", body.data, len, v.k[A].sk, 400, "BALLOT_MALFORMED", "body");
	}
	/* a count larger than what follows */
	{
		struct encoding_buf t;

		encoding_buf_init(&t);
		encoding_buf_append(&t, body.data, body.len);
		encoding_le32_put(t.data + PROTOCOL_BALLOT_HEADER_BYTES + 12, 3); /* c1 count */
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_MALFORMED", "body");
		encoding_le32_put(t.data + PROTOCOL_BALLOT_HEADER_BYTES + 12, 0xffffffffu);
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_MALFORMED", "body");
		encoding_buf_free(&t);
	}
	/* an empty body */
	refuse_hex(&v, "main", "",
	           "0000000000000000000000000000000000000000000000000000000000000000000000000000000"
	           "0000000000000000000000000000000000000000000000000",
	           400, "BALLOT_MALFORMED", "body");
	/* the number of contests: 1, 3 and 0 against the manifest's 2 */
	refuse(&v, "main", eh, &v.k[A], 1, "0", 400, "BALLOT_CONTEST_COUNT", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0||", 400, "BALLOT_CONTEST_COUNT", "body");
	{
		struct efx_choice none;
		struct encoding_buf t;

		memset(&none, 0, sizeof(none));
		encoding_buf_init(&t);
		efx_ballot_build(eh, v.k[A].pk, 1, &none, &t);
		ck_assert_uint_eq(t.len, PROTOCOL_BALLOT_HEADER_BYTES);
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_CONTEST_COUNT",
		            "body");
		encoding_buf_free(&t);
	}
	/* #contests = 2 claimed, only one present */
	{
		struct encoding_buf t;

		encoding_buf_init(&t);
		efx_ballot_build(eh, v.k[A].pk, 1, &ch, &t);
		t.len = PROTOCOL_BALLOT_HEADER_BYTES + 12;
		refuse_body(&v, "main", t.data, t.len, v.k[A].sk, 400, "BALLOT_MALFORMED", "body");
		encoding_buf_free(&t);
	}
	/* the whole, untouched ballot is accepted */
	{
		struct test_http r;

		efx_post_signed(&v.x.d, "main", body.data, body.len, v.k[A].sk, NULL, &r);
		ck_assert_int_eq(r.status, 201);
		test_http_free(&r);
	}
	encoding_buf_free(&body);
	env_teardown(&v);
}
END_TEST

/* The choices: order, range, count (c0: 3 candidates, min 1 max 2;
 * c1: 4 candidates, min 0 max 2). */
START_TEST(refused_choices)
{
	struct env v;
	const uint8_t *eh;

	env_setup(&v);
	eh = v.main_.election_hash;
	/* unsorted, duplicate */
	refuse(&v, "main", eh, &v.k[A], 1, "1,0|", 400, "BALLOT_INDEX_ORDER", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0|3,2", 400, "BALLOT_INDEX_ORDER", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "1,1|", 400, "BALLOT_INDEX_ORDER", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0|2,2", 400, "BALLOT_INDEX_ORDER", "body");
	/* an index >= n_c */
	refuse(&v, "main", eh, &v.k[A], 1, "3|", 400, "BALLOT_INDEX_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0,3|", 400, "BALLOT_INDEX_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0|4", 400, "BALLOT_INDEX_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0|0,4294967295", 400, "BALLOT_INDEX_RANGE", "body");
	/* below min (c0 needs 1), above max (2) */
	refuse(&v, "main", eh, &v.k[A], 1, "|", 400, "BALLOT_COUNT_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "|0", 400, "BALLOT_COUNT_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0,1,2|", 400, "BALLOT_COUNT_RANGE", "body");
	refuse(&v, "main", eh, &v.k[A], 1, "0|0,1,2", 400, "BALLOT_COUNT_RANGE", "body");
	/* the bounds themselves are fine: min in c0, max in both, blank in c1 */
	cast_ok(&v, &v.main_, &v.k[A], 1, "2|", NULL);
	cast_ok(&v, &v.main_, &v.k[A], 2, "0,2|1,3", NULL);
	env_teardown(&v);
}
END_TEST

/* Regression: a contest whose count reached into the words holding the
 * later contests' counts passed the parser's bound and wrote its indices
 * past the buffer sized for the indices alone (a heap overflow of up to
 * 4 bytes per later contest, before any signature check).  With 32
 * contests the overflow is 124 bytes of the sender's choosing; the daemon
 * must refuse the body as MALFORMED and stay up. */
START_TEST(refused_count_overrun)
{
	struct efx x;
	struct fixture_key k;
	struct efx_election e;
	struct encoding_buf body;
	struct test_http r;
	json_t *d;
	char id[16];

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &k);
	json_decref(efx_draft_create(&x, "wide", "empty"));
	d = efx_draft_new();
	for (int c = 0; c < 32; c++) {
		static const char *const a[] = {"ngo-a"};

		snprintf(id, sizeof(id), "c%d", c);
		json_array_append_new(json_object_get(d, "contests"),
		                      efx_contest(id, 1, 0, 1, a, 1));
	}
	efx_draft_ready(&x, "wide", d);
	json_decref(d);
	efx_open(&x, "wide", &e);
	for (int round = 0; round < 20; round++) {
		/* header, then W words: contest 0 claims all W - 1 that follow
		 * its count, leaving nothing for the other 31 counts */
		uint32_t w = 32 + (uint32_t)round * 7;
		char *before = fixture_db_snapshot(x.d.db), *after;

		encoding_buf_init(&body);
		encoding_buf_append(&body, e.election_hash, 64);
		encoding_buf_append(&body, k.pk, 32);
		encoding_buf_le32(&body, 1);
		encoding_buf_le32(&body, 32);
		encoding_buf_le32(&body, w - 1);
		for (uint32_t i = 0; i < w - 1; i++)
			encoding_buf_le32(&body, 0x41414141u);
		efx_post_signed(&x.d, "wide", body.data, body.len, k.sk, NULL, &r);
		fixture_expect_field(&r, 400, "BALLOT_MALFORMED", "body");
		test_http_free(&r);
		encoding_buf_free(&body);
		after = fixture_db_snapshot(x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	/* still up, and a good ballot goes through */
	{
		struct efx_choice ch;

		memset(&ch, 0, sizeof(ch));
		ch.n_contests = 32;
		ck_assert_int_eq(efx_cast(&x.d, &e, &k, 1, &ch, NULL, NULL, NULL), 201);
	}
	ck_assert_int_eq(efx_record_verify(&x.d, "wide", "wide.jsonl"), 0);
	efx_stop(&x);
}
END_TEST

/* Wire format of the request: hex and JSON. */
START_TEST(refused_encoding)
{
	struct env v;
	struct efx_choice ch;
	struct encoding_buf body;
	uint8_t hash[64], sig[64];
	char shex[129], *bhex, *big;
	struct test_http r;
	size_t n;

	env_setup(&v);
	ch = efx_choice_parse("0|1");
	encoding_buf_init(&body);
	efx_ballot_build(v.main_.election_hash, v.k[A].pk, 1, &ch, &body);
	protocol_ballot_hash(body.data, body.len, hash);
	ck_assert(protocol_ballot_sign(v.k[A].sk, hash, sig));
	encoding_hex_encode(sig, 64, shex);
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	n = strlen(bhex);
	/* odd length: one digit dropped, one added */
	bhex[n - 1] = '\0';
	refuse_hex(&v, "main", bhex, shex, 400, "JSON_BAD_VALUE", "body");
	free(bhex);
	bhex = malloc(n + 2);
	encoding_hex_encode(body.data, body.len, bhex);
	strcat(bhex, "0");
	refuse_hex(&v, "main", bhex, shex, 400, "JSON_BAD_VALUE", "body");
	bhex[n] = '\0';
	/* uppercase: the ballot's hex has letters (the election hash) */
	{
		char *up = strdup(bhex), *s2 = strdup(shex);
		bool changed = false;

		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'f') {
				*p = (char)(*p - 'a' + 'A');
				changed = true;
				break; /* one uppercase digit is enough */
			}
		ck_assert(changed);
		refuse_hex(&v, "main", up, shex, 400, "JSON_BAD_VALUE", "body");
		changed = false;
		for (char *p = s2; *p; p++)
			if (*p >= 'a' && *p <= 'f') {
				*p = (char)(*p - 'a' + 'A');
				changed = true;
				break;
			}
		ck_assert(changed);
		refuse_hex(&v, "main", bhex, s2, 400, "JSON_BAD_VALUE", "signature");
		free(up);
		free(s2);
	}
	/* not hex at all */
	{
		char *g = strdup(bhex);

		g[10] = 'g';
		refuse_hex(&v, "main", g, shex, 400, "JSON_BAD_VALUE", "body");
		free(g);
	}
	/* a signature of the wrong length */
	shex[126] = '\0';
	refuse_hex(&v, "main", bhex, shex, 400, "JSON_BAD_VALUE", "signature");
	encoding_hex_encode(sig, 64, shex);
	{
		char longer[140];

		snprintf(longer, sizeof(longer), "%s00", shex);
		refuse_hex(&v, "main", bhex, longer, 400, "JSON_BAD_VALUE", "signature");
	}
	/* over the cap of a body (the request is still under the route's
	 * 1 MiB): one byte more */
	big = malloc(2 * (DRAFT_BALLOT_MAX + 1) + 1);
	memset(big, '0', 2 * (DRAFT_BALLOT_MAX + 1));
	big[2 * (DRAFT_BALLOT_MAX + 1)] = '\0';
	refuse_hex(&v, "main", big, shex, 400, "JSON_BAD_VALUE", "body");
	/* at the cap: the hex is read, the layout is not right */
	{
		uint8_t *padded = calloc(1, DRAFT_BALLOT_MAX);
		char *ph;

		memcpy(padded, body.data, body.len);
		ph = encoding_hex_encode_alloc(padded, DRAFT_BALLOT_MAX);
		refuse_hex(&v, "main", ph, shex, 400, "BALLOT_TRAILING_BYTES", "body");
		free(ph);
		free(padded);
	}
	free(big);
	/* a request over the route's 1 MiB: 413 */
	{
		size_t bl = 1100000;
		char *json = malloc(bl + 200);
		char *before = fixture_db_snapshot(v.x.d.db), *after;
		int total = efx_board_total(&v.x.d, "main");

		strcpy(json, "{\"body\":\"");
		memset(json + strlen(json), '0', bl);
		json[9 + bl] = '\0';
		strcat(json, "\",\"signature\":\"");
		strcat(json, shex);
		strcat(json, "\"}");
		test_http_post_json(&v.x.d, "/api/elections/main/ballots", json, &r);
		test_http_expect_error(&r, 413, "BODY_TOO_LARGE");
		test_http_free(&r);
		free(json);
		ck_assert_int_eq(efx_board_total(&v.x.d, "main"), total);
		after = fixture_db_snapshot(v.x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	/* missing, unknown and mistyped fields */
	{
		struct {
			const char *json;
			int status;
			const char *name, *field;
		} cases[] = {
		    {"{\"body\":\"%s\"}", 400, "JSON_MISSING_FIELD", "signature"},
		    {"{\"signature\":\"%2$s\"}", 400, "JSON_MISSING_FIELD", "body"},
		    {"{\"body\":\"%s\",\"signature\":\"%s\",\"seq\":1}", 400, "JSON_UNKNOWN_FIELD",
		     "seq"},
		    {"{\"body\":1,\"signature\":\"%2$s\"}", 400, "JSON_WRONG_TYPE", "body"},
		    {"{\"body\":\"%s\",\"signature\":null}", 400, "JSON_WRONG_TYPE", "signature"},
		    {"{\"body\":\"%1$s\",\"signature\":\"%2$s\",\"body\":\"%1$s\"}", 400,
		     "JSON_DUPLICATE_KEY", NULL},
		    {"[\"%s\",\"%s\"]", 400, "JSON_NOT_OBJECT", NULL},
		    {"{\"body\":\"%s\",\"signature\":\"%s\"", 400, "JSON_MALFORMED", NULL},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char *json = malloc(2 * n + 400), *before, *after;
			int total = efx_board_total(&v.x.d, "main");
			json_t *j;

			snprintf(json, 2 * n + 400, cases[i].json, bhex, shex);
			before = fixture_db_snapshot(v.x.d.db);
			test_http_post_json(&v.x.d, "/api/elections/main/ballots", json, &r);
			test_http_expect_error(&r, cases[i].status, cases[i].name);
			if (cases[i].field != NULL) {
				j = test_http_json(&r);
				ck_assert_str_eq(json_string_value(json_object_get(j, "field")),
				                 cases[i].field);
				json_decref(j);
			}
			test_http_free(&r);
			ck_assert_int_eq(efx_board_total(&v.x.d, "main"), total);
			after = fixture_db_snapshot(v.x.d.db);
			ck_assert_msg(strcmp(before, after) == 0, "case %zu changed the database",
			              i);
			free(before);
			free(after);
			free(json);
		}
	}
	/* another content type */
	{
		char json[2000];

		snprintf(json, sizeof(json), "{\"body\":\"%s\",\"signature\":\"%s\"}", bhex, shex);
		test_http_do(&v.x.d, "POST", "/api/elections/main/ballots",
		             "Content-Type: text/plain\r\n", json, strlen(json), &r);
		test_http_expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
		test_http_free(&r);
	}
	/* an election that does not exist */
	{
		char *before = fixture_db_snapshot(v.x.d.db), *after;

		efx_post_hex(&v.x.d, "no-such-election", bhex, shex, &r);
		fixture_expect_field(&r, 404, "ELECTION_NOT_FOUND", NULL);
		test_http_free(&r);
		after = fixture_db_snapshot(v.x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	/* after all that, the good ballot is accepted */
	efx_post_hex(&v.x.d, "main", bhex, shex, &r);
	ck_assert_int_eq(r.status, 201);
	test_http_free(&r);
	free(bhex);
	encoding_buf_free(&body);
	env_teardown(&v);
}
END_TEST

/* The receipt verifies under the election's server_pk and names the
 * ballot's event; the board decodes the ballot. */
START_TEST(receipt_and_board)
{
	struct env v;
	struct efx_choice ch = efx_choice_parse("0,2|1,3");
	struct protocol_receipt rc;
	uint8_t hash[64];
	const char *why = NULL;
	char *rj, path[200], hex[129];
	json_t *receipt = NULL, *j, *ev, *bal, *choices;
	struct test_http r;
	int total;

	env_setup(&v);
	total = efx_board_total(&v.x.d, "main");
	ck_assert_int_eq(total, 2); /* manifest, open */
	ck_assert_int_eq(efx_cast(&v.x.d, &v.main_, &v.k[C], 7, &ch, hash, &receipt, NULL), 201);
	ck_assert_ptr_nonnull(receipt);
	rj = json_dumps(receipt, JSON_COMPACT);
	ck_assert(protocol_receipt_from_json(rj, strlen(rj), &rc, &why));
	ck_assert(protocol_receipt_verify(v.main_.server_pk, &rc));
	ck_assert_mem_eq(rc.election_hash, v.main_.election_hash, 64);
	ck_assert_mem_eq(rc.ballot_hash, hash, 64);
	ck_assert_uint_eq(rc.n, (unsigned)total);
	ck_assert_int_eq(efx_board_total(&v.x.d, "main"), total + 1);
	/* a receipt changed in any field no longer verifies */
	{
		struct protocol_receipt t = rc;

		t.n++;
		ck_assert(!protocol_receipt_verify(v.main_.server_pk, &t));
		t = rc;
		t.ballot_hash[0] ^= 1;
		ck_assert(!protocol_receipt_verify(v.main_.server_pk, &t));
		/* nor under another key (ngo-c's) */
		ck_assert(!protocol_receipt_verify(v.k[C].pk, &rc));
	}
	/* the server_pk of "main" is the daemon's, the same for "once" */
	ck_assert_mem_eq(v.main_.server_pk, v.once.server_pk, 32);
	/* event n of the board is this ballot, with this chain hash */
	snprintf(path, sizeof(path), "/api/elections/main/board?from=%u&limit=1", rc.n);
	j = efx_get_json(&v.x.d, path, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), total + 1);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 1);
	ev = json_array_get(json_object_get(j, "events"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "n")), rc.n);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), "ballot");
	encoding_hex_encode(rc.event_hash, 64, hex);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "hash")), hex);
	bal = json_object_get(ev, "ballot");
	ck_assert(json_is_object(bal));
	ck_assert_str_eq(json_string_value(json_object_get(bal, "voter")), "ngo-c");
	ck_assert_int_eq(json_integer_value(json_object_get(bal, "seq")), 7);
	encoding_hex_encode(hash, 64, hex);
	ck_assert_str_eq(json_string_value(json_object_get(bal, "ballot_hash")), hex);
	ck_assert(json_is_string(json_object_get(bal, "signature")));
	choices = json_object_get(bal, "choices");
	ck_assert_uint_eq(json_array_size(choices), 2);
	{
		json_t *c0 = json_array_get(choices, 0), *c1 = json_array_get(choices, 1);
		json_t *k0 = json_object_get(c0, "candidates"),
		       *k1 = json_object_get(c1, "candidates");

		ck_assert_str_eq(json_string_value(json_object_get(c0, "contest")), "c0");
		ck_assert_str_eq(json_string_value(json_object_get(c1, "contest")), "c1");
		ck_assert_uint_eq(json_array_size(k0), 2);
		ck_assert_str_eq(json_string_value(json_array_get(k0, 0)), "ngo-a");
		ck_assert_str_eq(json_string_value(json_array_get(k0, 1)), "ngo-c");
		ck_assert_uint_eq(json_array_size(k1), 2);
		ck_assert_str_eq(json_string_value(json_array_get(k1, 0)), "ngo-b");
		ck_assert_str_eq(json_string_value(json_array_get(k1, 1)), "ngo-d");
	}
	json_decref(j);
	/* the board's first events: manifest, open carrying election_hash */
	j = efx_get_json(&v.x.d, "/api/elections/main/board", 200);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(j, "events"), 0), "type")),
	                 "manifest");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(j, "events"), 1), "type")),
	                 "open");
	json_decref(j);
	/* the board holds the receipt */
	test_http_post_json(&v.x.d, "/api/elections/main/receipts/check", rj, &r);
	j = fixture_json(&r, 200);
	ck_assert(json_is_true(json_object_get(j, "held")));
	json_decref(j);
	test_http_free(&r);
	/* turnout shows ngo-c voted */
	j = efx_get_json(&v.x.d, "/api/elections/main", 200);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(j, "turnout"), "voted")), 1);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(j, "turnout"), "eligible")), 6);
	json_decref(j);
	/* the record, with this ballot, verifies */
	ck_assert_int_eq(efx_record_verify(&v.x.d, "main", "main.jsonl"), 0);
	free(rj);
	json_decref(receipt);
	env_teardown(&v);
}
END_TEST

Suite *
ballots_suite(void)
{
	Suite *s = suite_create("ballots");
	TCase *tc = tcase_create("refusals");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, refused_before_open);
	tcase_add_test(tc, refused_after_close);
	tcase_add_test(tc, refused_not_on_roll);
	tcase_add_test(tc, refused_bad_signature);
	tcase_add_test(tc, refused_wrong_election);
	tcase_add_test(tc, refused_stale_seq);
	tcase_add_test(tc, refused_revote_not_allowed);
	tcase_add_test(tc, refused_seq_zero);
	tcase_add_test(tc, refused_layout);
	tcase_add_test(tc, refused_count_overrun);
	tcase_add_test(tc, refused_choices);
	tcase_add_test(tc, refused_encoding);
	suite_add_tcase(s, tc);
	tc = tcase_create("accepted");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, receipt_and_board);
	suite_add_tcase(s, tc);
	return s;
}
