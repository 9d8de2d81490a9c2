/*
 * test_secret_cast.c -- casting secret ballots (spec §7, §9) over HTTP
 * against the real daemon, after a real key ceremony: ballots built with
 * protocol_sballot_build are accepted with a receipt; every refusal
 * answers its status and error, and leaves the board's length and a
 * snapshot of the database unchanged; weeding refuses an alpha another
 * voter cast (built here with the deterministic test randomness, the way
 * two colluding voters who share r would) but not a voter's own; the
 * revote rule and duplicates hold as in open mode.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_sballot.h"
#include "secret_fixture.h"

Suite *secret_cast_suite(void);

/* election_hash || voter_pk || seq || #contests || n_c: the first alpha. */
#define FIRST_ALPHA 108
#define FIRST_PROOF (FIRST_ALPHA + 64)

static const uint8_t L_LE[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};

struct secret {
	struct sfx s;
	struct sfx_election e;
};

static void
setup(struct secret *t, const char *id)
{
	sfx_start(&t->s, id, 3, 2, false);
	sfx_ceremony(&t->s);
	sfx_open(&t->s, &t->e);
}

static void
teardown(struct secret *t)
{
	sfx_election_free(&t->e);
	sfx_stop(&t->s);
}

/* Casts and expects a refusal that stores nothing. */
static void
refuse(struct secret *t, unsigned signer, const uint8_t *body, size_t len, int status,
       const char *name)
{
	char *before = fixture_db_snapshot(t->s.x.d.db), *after, got[64];
	int total = efx_board_total(&t->s.x.d, t->s.id);

	ck_assert_int_eq(sfx_cast_body(&t->s, signer, body, len, got, NULL), status);
	ck_assert_str_eq(got, name);
	ck_assert_int_eq(efx_board_total(&t->s.x.d, t->s.id), total);
	after = fixture_db_snapshot(t->s.x.d.db);
	ck_assert_msg(strcmp(before, after) == 0, "a refused ballot (%s) changed the database",
	              name);
	free(before);
	free(after);
}

START_TEST(accepted_with_receipt)
{
	struct secret t;
	struct encoding_buf b;
	struct protocol_receipt rc;
	struct efx_election info;
	json_t *receipt = NULL, *board, *ev;
	uint8_t hash[64];
	char *text, name[64], hx[129];
	const char *why = NULL;

	setup(&t, "sc-1");
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 0, 1, "0|1,3", &pgroup_rng_system, "b", &b);
	ck_assert_int_eq(sfx_cast_body(&t.s, 0, b.data, b.len, name, &receipt), 201);
	text = json_dumps(receipt, JSON_COMPACT);
	ck_assert_msg(protocol_receipt_from_json(text, strlen(text), &rc, &why), "%s", why);
	efx_election_info(&t.s.x.d, t.s.id, &info);
	ck_assert(protocol_receipt_verify(info.server_pk, &rc));
	protocol_ballot_hash(b.data, b.len, hash);
	ck_assert(memcmp(rc.ballot_hash, hash, 64) == 0);
	ck_assert(memcmp(rc.election_hash, t.e.election_hash, 64) == 0);
	ck_assert_int_eq(rc.n, 14); /* manifest, 12 dkg events, open */
	free(text);
	json_decref(receipt);
	/* the board shows who voted, not how */
	board = sfx_get(&t.s, "board?from=14&limit=1", 200);
	ev = json_object_get(json_array_get(json_object_get(board, "events"), 0), "ballot");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "voter")), "ngo-a");
	ck_assert(json_is_true(json_object_get(ev, "encrypted")));
	ck_assert_ptr_null(json_object_get(ev, "choices"));
	encoding_hex_encode(hash, 64, hx);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "ballot_hash")), hx);
	json_decref(board);
	/* the turnout counts it */
	board = sfx_get(&t.s, "", 200);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(board, "turnout"), "voted")), 1);
	json_decref(board);
	/* an exact copy: 409 with the stored ballot's receipt; a stale seq */
	refuse(&t, 0, b.data, b.len, 409, "BALLOT_DUPLICATE");
	encoding_buf_free(&b);
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 0, 1, "1|0", &pgroup_rng_system, "b2", &b);
	refuse(&t, 0, b.data, b.len, 409, "BALLOT_STALE_SEQ");
	encoding_buf_free(&b);
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 0, 2, "1|0", &pgroup_rng_system, "b3", &b);
	ck_assert_int_eq(sfx_cast_body(&t.s, 0, b.data, b.len, name, NULL), 201);
	encoding_buf_free(&b);
	teardown(&t);
}
END_TEST

START_TEST(every_refusal_stores_nothing)
{
	struct secret t;
	struct encoding_buf good, b;
	struct fixture_key stranger;

	setup(&t, "sc-2");
	encoding_buf_init(&good);
	sfx_ballot(&t.s, &t.e, 0, 1, "0|1,3", &pgroup_rng_system, "good", &good);

#define FRESH()                                                                                    \
	do {                                                                                       \
		encoding_buf_free(&b);                                                             \
		encoding_buf_init(&b);                                                             \
		encoding_buf_append(&b, good.data, good.len);                                      \
	} while (0)
	encoding_buf_init(&b);

	/* a selection proof that does not verify */
	FRESH();
	b.data[FIRST_PROOF + 32] ^= 0x01;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_BAD_PROOF");
	/* the range proof of contest 1 */
	FRESH();
	b.data[b.len - 10] ^= 0x01;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_BAD_PROOF");
	/* a's ballot under b's key and signature: the proofs are bound to a */
	FRESH();
	memcpy(b.data + 64, t.s.ngos[1].pk, 32);
	refuse(&t, 1, b.data, b.len, 400, "BALLOT_BAD_PROOF");
	/* alpha with bit 255 set (libsodium would take it as the same point) */
	FRESH();
	b.data[FIRST_ALPHA + 31] |= 0x80;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_NONCANONICAL");
	/* beta not a point at all */
	FRESH();
	memset(b.data + FIRST_ALPHA + 32, 0xff, 32);
	b.data[FIRST_ALPHA + 63] = 0x7f;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_NONCANONICAL");
	/* a challenge equal to L (a second encoding of 0) */
	FRESH();
	memcpy(b.data + FIRST_PROOF, L_LE, 32);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_NONCANONICAL");
	/* the identity as alpha, and as beta */
	FRESH();
	memset(b.data + FIRST_ALPHA, 0, 32);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_IDENTITY");
	FRESH();
	memset(b.data + FIRST_ALPHA + 32, 0, 32);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_IDENTITY");
	/* contest 0 claims 2 candidates instead of 3 */
	FRESH();
	encoding_le32_put(b.data + FIRST_ALPHA - 4, 2);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_SHAPE");
	/* one byte more, one byte less */
	FRESH();
	encoding_buf_u8(&b, 0);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_TRAILING_BYTES");
	FRESH();
	b.len--;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_MALFORMED");
	/* another election, seq 0, a voter not on the roll */
	FRESH();
	b.data[0] ^= 0x01;
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_WRONG_ELECTION");
	FRESH();
	encoding_le32_put(b.data + 96, 0);
	refuse(&t, 0, b.data, b.len, 400, "BALLOT_SEQ_ZERO");
	fixture_keypair(&stranger);
	FRESH();
	memcpy(b.data + 64, stranger.pk, 32);
	{
		char *before = fixture_db_snapshot(t.s.x.d.db), *after;
		struct test_http r;

		efx_post_signed(&t.s.x.d, t.s.id, b.data, b.len, stranger.sk, NULL, &r);
		test_http_expect_error(&r, 403, "BALLOT_NOT_ON_ROLL");
		test_http_free(&r);
		after = fixture_db_snapshot(t.s.x.d.db);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
	/* signed by another voter than voter_pk */
	FRESH();
	refuse(&t, 1, b.data, b.len, 400, "BALLOT_BAD_SIGNATURE");
	/* an open-mode ballot */
	{
		struct efx_choice ch = efx_choice_parse("0|1,3");

		encoding_buf_free(&b);
		encoding_buf_init(&b);
		efx_ballot_build(t.e.election_hash, t.s.ngos[0].pk, 1, &ch, &b);
		refuse(&t, 0, b.data, b.len, 400, "BALLOT_SHAPE");
	}
	/* after all that, the good ballot still goes through */
	ck_assert_int_eq(sfx_cast_body(&t.s, 0, good.data, good.len, NULL, NULL), 201);
	encoding_buf_free(&b);
	encoding_buf_free(&good);
#undef FRESH
	teardown(&t);
}
END_TEST

START_TEST(weeding)
{
	struct secret t;
	struct encoding_buf a, b;
	char name[64], n[16];

	setup(&t, "sc-3");
	/* voters a and b share their randomness: the same alphas, each
	 * ballot with valid proofs bound to its own voter */
	encoding_buf_init(&a);
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 0, 1, "0|1,3", &pgroup_rng_test, "shared", &a);
	sfx_ballot(&t.s, &t.e, 1, 1, "0|1,3", &pgroup_rng_test, "shared", &b);
	ck_assert(memcmp(a.data + FIRST_ALPHA, b.data + FIRST_ALPHA, 32) == 0);
	ck_assert_int_eq(sfx_cast_body(&t.s, 0, a.data, a.len, name, NULL), 201);
	refuse(&t, 1, b.data, b.len, 409, "BALLOT_ALPHA_REUSED");
	snprintf(n, sizeof(n), "%d", efx_board_rows(&t.s.x.d, t.s.id));
	/* a re-using its own alphas in a revote is not refused (spec §9:
	 * "already accepted from another voter") */
	encoding_buf_free(&a);
	encoding_buf_init(&a);
	sfx_ballot(&t.s, &t.e, 0, 2, "0|1,3", &pgroup_rng_test, "shared", &a);
	ck_assert_int_eq(sfx_cast_body(&t.s, 0, a.data, a.len, name, NULL), 201);
	/* one shared alpha among fresh ones is enough to refuse */
	encoding_buf_free(&b);
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 1, 1, "1|0,2", &pgroup_rng_test, "other", &b);
	{
		/* b's ballot with contest 0 from "other" and contest 1 from
		 * "shared" (a's alphas): each contest's proofs are its own and
		 * bound to b, so only weeding can refuse it */
		struct encoding_buf mixed;
		size_t head = 64 + 32 + 4 + 4, c0 = 4 + 3 * 192 + 4 + 2 * 64;

		encoding_buf_init(&mixed);
		sfx_ballot(&t.s, &t.e, 1, 1, "1|1,3", &pgroup_rng_test, "shared", &mixed);
		memcpy(mixed.data + head, b.data + head, c0);
		refuse(&t, 1, mixed.data, mixed.len, 409, "BALLOT_ALPHA_REUSED");
		encoding_buf_free(&mixed);
	}
	ck_assert_int_eq(sfx_cast_body(&t.s, 1, b.data, b.len, name, NULL), 201);
	ck_assert_int_eq(efx_board_rows(&t.s.x.d, t.s.id), atoi(n) + 2);
	encoding_buf_free(&a);
	encoding_buf_free(&b);
	teardown(&t);
}
END_TEST

START_TEST(refused_outside_voting)
{
	struct secret t;
	struct encoding_buf b;
	char name[64];

	setup(&t, "sc-4");
	encoding_buf_init(&b);
	sfx_ballot(&t.s, &t.e, 2, 1, "|0", &pgroup_rng_system, "late", &b);
	efx_close(&t.s.x, t.s.id);
	ck_assert_int_eq(sfx_cast_body(&t.s, 2, b.data, b.len, name, NULL), 409);
	ck_assert_str_eq(name, "ELECTION_CLOSED");
	encoding_buf_free(&b);
	teardown(&t);
}
END_TEST

Suite *
secret_cast_suite(void)
{
	Suite *s = suite_create("secret_cast");
	TCase *tc = tcase_create("secret_cast");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, accepted_with_receipt);
	tcase_add_test(tc, every_refusal_stores_nothing);
	tcase_add_test(tc, weeding);
	tcase_add_test(tc, refused_outside_voting);
	suite_add_tcase(s, tc);
	return s;
}
