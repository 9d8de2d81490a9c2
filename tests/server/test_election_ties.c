/*
 * test_election_ties.c -- winners, the lot and vacant seats (spec §11),
 * computed here independently of the server's tally code and compared
 * with GET /result:
 *
 *   seed    = H64("tiebreak-seed", election_hash || counted ballot_hash
 *             values sorted ascending)
 *   key_c,i = H64("tiebreak", seed || LE32(c) || LE32(i))
 *   order   = x descending, then key ascending; elected = the first
 *             `seats` with x >= 1; lot = the last elected and the first
 *             not elected have the same x >= 1.
 *
 * Six voters; one of them revotes, so its first ballot must stay out of
 * the seed and the tally hash.  Several contests are decided by lot (two,
 * four and five candidates tied), so a wrong seed or key order is very
 * unlikely to pick the same winners by chance; others check vacant seats,
 * an all-blank contest, and ties that the lot orders but does not decide.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "elections_fixture.h"

Suite *election_ties_suite(void);

#define VOTERS   6
#define CONTESTS 7
#define MAXC     5

static const char *const voters[VOTERS] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d", "ngo-e", "ngo-f"};

static const struct {
	const char *id;
	int seats, max, n; /* candidates: the first n voters */
	bool lot;          /* what the design of this test expects */
	int vacant;
} contests[CONTESTS] = {
    {"lot-of-two", 1, 1, 3, true, 0},   {"lot-of-four", 2, 1, 5, true, 0},
    {"vacant", 3, 2, 5, false, 1},      {"all-blank", 2, 1, 3, false, 2},
    {"all-elected", 2, 2, 2, false, 0}, {"tie-inside", 2, 1, 3, false, 0},
    {"lot-of-five", 1, 1, 5, true, 0},
};

/* The counted ballots.  ngo-f first casts "2|1|0||1|2|4" with seq 1. */
static const char *const counted[VOTERS] = {
    "0|0|1,3||0,1|0|0", "1|1|3||0,1|1|1", "0|2|||||2", "1|3|||||3", "2|4|||||4", "|0|||||",
};

struct expected {
	uint32_t x[MAXC];
	uint32_t elected[MAXC], n_elected;
	bool lot;
};

static uint8_t keys[CONTESTS][MAXC][64];

static int
rank_cmp(uint32_t c, const struct expected *e, uint32_t i, uint32_t j)
{
	if (e->x[i] != e->x[j])
		return e->x[i] > e->x[j] ? -1 : 1;
	return memcmp(keys[c][i], keys[c][j], 64);
}

/* §11 for contest c, from the counts in e->x. */
static void
decide(uint32_t c, struct expected *e)
{
	uint32_t order[MAXC], n = (uint32_t)contests[c].n, seats = (uint32_t)contests[c].seats;

	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort: n <= 5 */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t k = i; k > 0 && rank_cmp(c, e, order[k], order[k - 1]) < 0; k--) {
			uint32_t t = order[k];

			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	e->n_elected = 0;
	for (uint32_t r = 0; r < n && e->n_elected < seats && e->x[order[r]] >= 1; r++)
		e->elected[e->n_elected++] = order[r];
	e->lot = e->n_elected == seats && seats < n && e->x[order[seats - 1]] >= 1 &&
	         e->x[order[seats - 1]] == e->x[order[seats]];
}

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 64);
}

static json_t *
ties_draft(void)
{
	json_t *d = efx_draft_new();

	for (int c = 0; c < CONTESTS; c++)
		json_array_append_new(json_object_get(d, "contests"),
		                      efx_contest(contests[c].id, contests[c].seats, 0,
		                                  contests[c].max, voters, (size_t)contests[c].n));
	return d;
}

START_TEST(lot_and_vacant_seats)
{
	struct efx x;
	struct fixture_key k[VOTERS];
	struct efx_election e;
	uint8_t hash[VOTERS][64], sorted[VOTERS][64], seed[64], tally_hash[64];
	uint32_t event_n[VOTERS];
	struct expected want[CONTESTS];
	struct pcrypto_h64 h;
	json_t *d, *j, *rc;
	char hex[129];

	efx_start(&x);
	for (int v = 0; v < VOTERS; v++)
		efx_ngo_enrolled(&x, voters[v], &k[v]);
	json_decref(efx_draft_create(&x, "ties", "empty"));
	d = ties_draft();
	efx_draft_ready(&x, "ties", d);
	json_decref(d);
	efx_open(&x, "ties", &e);
	/* ngo-f votes first, then changes its mind */
	{
		struct efx_choice ch = efx_choice_parse("2|1|0||1|2|4");

		ck_assert_int_eq(efx_cast(&x.d, &e, &k[5], 1, &ch, NULL, NULL, NULL), 201);
	}
	for (int v = 0; v < VOTERS; v++) {
		struct efx_choice ch = efx_choice_parse(counted[v]);
		json_t *receipt = NULL;

		ck_assert_uint_eq(ch.n_contests, CONTESTS);
		ck_assert_int_eq(
		    efx_cast(&x.d, &e, &k[v], v == 5 ? 2 : 1, &ch, hash[v], &receipt, NULL), 201);
		event_n[v] = (uint32_t)json_integer_value(json_object_get(receipt, "n"));
		json_decref(receipt);
		/* the counts */
		for (uint32_t c = 0; c < CONTESTS; c++) {
			if (v == 0)
				memset(&want[c], 0, sizeof(want[c]));
			for (uint32_t i = 0; i < ch.count[c]; i++)
				want[c].x[ch.idx[c][i]]++;
		}
	}
	efx_close(&x, "ties");

	/* the seed and keys, from what was signed */
	memcpy(sorted, hash, sizeof(sorted));
	qsort(sorted, VOTERS, 64, hash_cmp);
	pcrypto_h64_init(&h, "tiebreak-seed");
	pcrypto_h64_update(&h, e.election_hash, 64);
	for (int v = 0; v < VOTERS; v++)
		pcrypto_h64_update(&h, sorted[v], 64);
	pcrypto_h64_final(&h, seed);
	for (uint32_t c = 0; c < CONTESTS; c++)
		for (uint32_t i = 0; i < MAXC; i++) {
			uint8_t buf[64 + 8];

			memcpy(buf, seed, 64);
			encoding_le32_put(buf + 64, c);
			encoding_le32_put(buf + 68, i);
			pcrypto_h64("tiebreak", buf, sizeof(buf), keys[c][i]);
		}
	for (uint32_t c = 0; c < CONTESTS; c++) {
		decide(c, &want[c]);
		/* the test is built so that these contests need the lot */
		ck_assert_msg(want[c].lot == contests[c].lot, "contest %u: lot %d", c, want[c].lot);
		ck_assert_int_eq((int)(contests[c].seats - (int)want[c].n_elected),
		                 contests[c].vacant);
	}
	/* tally_hash: the counted hashes in board order (ngo-f's seq 2 last) */
	for (int v = 1; v < VOTERS; v++)
		ck_assert_uint_gt(event_n[v], event_n[v - 1]);
	pcrypto_h64_init(&h, "tally");
	pcrypto_h64_update(&h, e.election_hash, 64);
	pcrypto_h64_update_le32(&h, VOTERS);
	for (int v = 0; v < VOTERS; v++)
		pcrypto_h64_update(&h, hash[v], 64);
	pcrypto_h64_final(&h, tally_hash);

	j = efx_get_json(&x.d, "/api/elections/ties/result", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), VOTERS);
	encoding_hex_encode(tally_hash, 64, hex);
	ck_assert_str_eq(json_string_value(json_object_get(j, "tally_hash")), hex);
	rc = json_object_get(j, "contests");
	ck_assert_uint_eq(json_array_size(rc), CONTESTS);
	for (uint32_t c = 0; c < CONTESTS; c++) {
		json_t *got = json_array_get(rc, c);
		json_t *cands = json_object_get(got, "candidates");
		json_t *elected = json_object_get(got, "elected");
		char *text = json_dumps(got, JSON_COMPACT);

		ck_assert_str_eq(json_string_value(json_object_get(got, "id")), contests[c].id);
		ck_assert_int_eq(json_integer_value(json_object_get(got, "seats")),
		                 contests[c].seats);
		ck_assert_uint_eq(json_array_size(cands), (size_t)contests[c].n);
		for (int i = 0; i < contests[c].n; i++) {
			json_t *ci = json_array_get(cands, (size_t)i);
			bool is_elected = false;

			for (uint32_t r = 0; r < want[c].n_elected; r++)
				is_elected |= want[c].elected[r] == (uint32_t)i;
			ck_assert_str_eq(json_string_value(json_object_get(ci, "id")), voters[i]);
			ck_assert_msg(json_integer_value(json_object_get(ci, "votes")) ==
			                  want[c].x[i],
			              "contest %u candidate %d: %s", c, i, text);
			ck_assert_msg(json_is_true(json_object_get(ci, "elected")) == is_elected,
			              "contest %u candidate %d elected: %s", c, i, text);
		}
		/* the elected, in the order of the rule */
		ck_assert_msg(json_array_size(elected) == want[c].n_elected, "contest %u: %s", c,
		              text);
		for (uint32_t r = 0; r < want[c].n_elected; r++)
			ck_assert_msg(strcmp(json_string_value(json_array_get(elected, r)),
			                     voters[want[c].elected[r]]) == 0,
			              "contest %u: elected #%u should be %s: %s", c, r,
			              voters[want[c].elected[r]], text);
		ck_assert_msg(json_is_true(json_object_get(got, "lot")) == want[c].lot,
		              "contest %u lot: %s", c, text);
		ck_assert_int_eq(json_integer_value(json_object_get(got, "vacant")),
		                 contests[c].vacant);
		free(text);
	}
	json_decref(j);
	ck_assert_int_eq(efx_record_verify(&x.d, "ties", "ties.jsonl"), 0);
	efx_stop(&x);
}
END_TEST

/* No ballot at all: N = 0, every seat vacant, no lot. */
START_TEST(nobody_votes)
{
	struct efx x;
	struct fixture_key k[VOTERS];
	struct efx_election e;
	struct pcrypto_h64 h;
	uint8_t tally_hash[64];
	char hex[129];
	json_t *d, *j, *c;
	size_t ci;

	efx_start(&x);
	for (int v = 0; v < VOTERS; v++)
		efx_ngo_enrolled(&x, voters[v], &k[v]);
	json_decref(efx_draft_create(&x, "quiet", "empty"));
	d = ties_draft();
	efx_draft_ready(&x, "quiet", d);
	json_decref(d);
	efx_open(&x, "quiet", &e);
	efx_close(&x, "quiet");
	pcrypto_h64_init(&h, "tally");
	pcrypto_h64_update(&h, e.election_hash, 64);
	pcrypto_h64_update_le32(&h, 0);
	pcrypto_h64_final(&h, tally_hash);
	encoding_hex_encode(tally_hash, 64, hex);
	j = efx_get_json(&x.d, "/api/elections/quiet/result", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "tally_hash")), hex);
	json_array_foreach(json_object_get(j, "contests"), ci, c)
	{
		json_t *cand;
		size_t i;

		ck_assert_uint_eq(json_array_size(json_object_get(c, "elected")), 0);
		ck_assert(json_is_false(json_object_get(c, "lot")));
		ck_assert_int_eq(json_integer_value(json_object_get(c, "vacant")),
		                 contests[ci].seats);
		json_array_foreach(json_object_get(c, "candidates"), i, cand)
		{
			ck_assert_int_eq(json_integer_value(json_object_get(cand, "votes")), 0);
			ck_assert(json_is_false(json_object_get(cand, "elected")));
		}
	}
	json_decref(j);
	ck_assert_int_eq(efx_record_verify(&x.d, "quiet", "quiet.jsonl"), 0);
	efx_stop(&x);
}
END_TEST

Suite *
election_ties_suite(void)
{
	Suite *s = suite_create("election_ties");
	TCase *tc = tcase_create("ties");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lot_and_vacant_seats);
	tcase_add_test(tc, nobody_votes);
	suite_add_tcase(s, tc);
	return s;
}
