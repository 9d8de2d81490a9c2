/*
 * test_election_concurrency.c -- 8 threads cast for 200 NGOs at once
 * against the real daemon, with revotes and deliberate races on the same
 * NGO's seq:
 *
 *   phase 1 (seq 1): threads 2g and 2g+1 walk the same 50 NGOs (group g)
 *     in the same order.  Thread 2g casts seq 1 with choice A; thread 2g+1
 *     casts seq 1 too, with another choice B for even NGOs (one of the two
 *     wins, the other is BALLOT_STALE_SEQ) and with the very same bytes for
 *     odd NGOs (one wins, the other is BALLOT_DUPLICATE).
 *   phase 2 (after a barrier): thread 2g revotes with seq 3 (even NGOs) or
 *     seq 2 (odd), choice C; thread 2g+1 races the even NGOs' seq 3 with a
 *     seq 2, choice D, accepted only if it lands first.
 *
 * Then: exactly one seq 1 is accepted per NGO; the board holds exactly the
 * accepted ballots, numbered without gaps; the record passes
 * ngo-vote-verify; after closing, every count equals the count computed
 * here from each NGO's highest accepted seq.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elections_fixture.h"
#include "protocol_ballot.h"

Suite *election_concurrency_suite(void);

#define NGOS    200
#define THREADS 8
#define GROUPS  (THREADS / 2)

/* c0: 5 candidates, 2 seats, 0..2 choices; c1: 3 candidates, 1 seat, 0..1 */
#define C0_N 5
#define C1_N 3

struct job {
	unsigned ngo;
	uint32_t seq;
	struct efx_choice ch;
	/* filled by the thread */
	int status;
	char name[64];
	uint8_t hash[64];
};

struct worker {
	const struct test_daemon *d;
	const struct efx_election *e;
	const struct fixture_key *keys;
	pthread_barrier_t *barrier;
	struct job *phase[2];
	size_t n[2];
};

static struct efx_choice
choice_of(unsigned k, unsigned variant)
{
	struct efx_choice ch;
	unsigned h = k * 31u + variant * 17u + (k * variant) % 13u;

	memset(&ch, 0, sizeof(ch));
	ch.n_contests = 2;
	ch.count[0] = h % 3;
	if (ch.count[0] >= 1)
		ch.idx[0][0] = (h / 3) % C0_N;
	if (ch.count[0] == 2) {
		uint32_t a = ch.idx[0][0], b = (a + 1 + (h / 15) % (C0_N - 1)) % C0_N;

		ch.idx[0][0] = a < b ? a : b;
		ch.idx[0][1] = a < b ? b : a;
	}
	ch.count[1] = (h / 7) % 2;
	ch.idx[1][0] = (h / 11) % C1_N;
	return ch;
}

static bool
same_choice(const struct efx_choice *a, const struct efx_choice *b)
{
	for (uint32_t c = 0; c < a->n_contests; c++) {
		if (a->count[c] != b->count[c])
			return false;
		for (uint32_t i = 0; i < a->count[c]; i++)
			if (a->idx[c][i] != b->idx[c][i])
				return false;
	}
	return true;
}

/* A choice of k other than not_this. */
static struct efx_choice
other_choice(unsigned k, unsigned variant, const struct efx_choice *not_this)
{
	struct efx_choice ch = choice_of(k, variant);

	while (same_choice(&ch, not_this))
		ch = choice_of(k, ++variant + 100);
	return ch;
}

static void *
work(void *arg)
{
	struct worker *w = arg;

	for (int p = 0; p < 2; p++) {
		pthread_barrier_wait(w->barrier);
		for (size_t i = 0; i < w->n[p]; i++) {
			struct job *j = &w->phase[p][i];

			j->status = efx_cast(w->d, w->e, &w->keys[j->ngo], j->seq, &j->ch, j->hash,
			                     NULL, j->name);
		}
	}
	return NULL;
}

START_TEST(eight_threads_two_hundred_ngos)
{
	static char ids[NGOS][65];
	static struct fixture_key keys[NGOS];
	static struct job jobs[THREADS][2][NGOS / GROUPS];
	struct worker w[THREADS];
	pthread_t th[THREADS];
	pthread_barrier_t barrier;
	struct efx x;
	struct efx_election e;
	unsigned accepted = 0, seq1_ok[NGOS] = {0};
	uint32_t best_seq[NGOS] = {0};
	const struct efx_choice *best[NGOS] = {NULL};
	unsigned expect0[C0_N] = {0}, expect1[C1_N] = {0};
	json_t *d, *j;

	efx_start(&x);
	efx_ngos_bulk(&x, "ngo", NGOS, ids, keys, THREADS);
	json_decref(efx_draft_create(&x, "race", "empty"));
	{
		const char *c0[C0_N] = {ids[0], ids[1], ids[2], ids[3], ids[4]};
		const char *c1[C1_N] = {ids[5], ids[6], ids[7]};

		d = efx_draft_new();
		json_array_append_new(json_object_get(d, "contests"),
		                      efx_contest("c0", 2, 0, 2, c0, C0_N));
		json_array_append_new(json_object_get(d, "contests"),
		                      efx_contest("c1", 1, 0, 1, c1, C1_N));
		efx_draft_ready(&x, "race", d);
		json_decref(d);
	}
	efx_open(&x, "race", &e);
	j = efx_get_json(&x.d, "/api/elections/race", 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "roll")), NGOS);
	json_decref(j);

	/* the jobs */
	for (unsigned g = 0; g < GROUPS; g++) {
		struct worker *owner = &w[2 * g], *racer = &w[2 * g + 1];

		memset(owner, 0, sizeof(*owner));
		memset(racer, 0, sizeof(*racer));
		for (unsigned k = g; k < NGOS; k += GROUPS) {
			bool even = (k / GROUPS) % 2 == 0;
			struct job a = {.ngo = k, .seq = 1, .ch = choice_of(k, 1)};
			struct job b = a, c, dd;

			if (even)
				b.ch = other_choice(k, 2, &a.ch);
			jobs[2 * g][0][owner->n[0]++] = a;
			jobs[2 * g + 1][0][racer->n[0]++] = b;
			c = (struct job){.ngo = k, .seq = even ? 3 : 2, .ch = choice_of(k, 3)};
			jobs[2 * g][1][owner->n[1]++] = c;
			if (even) {
				dd = (struct job){
				    .ngo = k, .seq = 2, .ch = other_choice(k, 4, &c.ch)};
				jobs[2 * g + 1][1][racer->n[1]++] = dd;
			}
		}
	}
	ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, THREADS), 0);
	for (int t = 0; t < THREADS; t++) {
		w[t].d = &x.d;
		w[t].e = &e;
		w[t].keys = keys;
		w[t].barrier = &barrier;
		w[t].phase[0] = jobs[t][0];
		w[t].phase[1] = jobs[t][1];
		ck_assert_int_eq(pthread_create(&th[t], NULL, work, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&barrier);

	/* every answer, and the accepted set */
	for (int t = 0; t < THREADS; t++)
		for (int p = 0; p < 2; p++)
			for (size_t i = 0; i < w[t].n[p]; i++) {
				struct job *jb = &w[t].phase[p][i];
				bool racer = t % 2 == 1;

				if (jb->status == 201) {
					accepted++;
					if (jb->seq == 1)
						seq1_ok[jb->ngo]++;
					if (jb->seq > best_seq[jb->ngo]) {
						best_seq[jb->ngo] = jb->seq;
						best[jb->ngo] = &jb->ch;
					}
					continue;
				}
				ck_assert_msg(jb->status == 409, "%s seq %u: %d %s", ids[jb->ngo],
				              jb->seq, jb->status, jb->name);
				/* only a racer's twin can lose, except the owner's seq 1 */
				ck_assert_msg(racer || jb->seq == 1, "%s seq %u refused: %s",
				              ids[jb->ngo], jb->seq, jb->name);
				if (p == 0 && (jb->ngo / GROUPS) % 2 == 1)
					ck_assert_str_eq(jb->name, "BALLOT_DUPLICATE");
				else
					ck_assert_str_eq(jb->name, "BALLOT_STALE_SEQ");
			}
	for (unsigned k = 0; k < NGOS; k++) {
		ck_assert_msg(seq1_ok[k] == 1, "%s: %u ballots with seq 1 accepted", ids[k],
		              seq1_ok[k]);
		ck_assert_uint_eq(best_seq[k], (k / GROUPS) % 2 == 0 ? 3 : 2);
	}

	/* the board holds exactly the accepted ballots, without gaps */
	{
		unsigned seen = 0, n_expected = 0;
		uint32_t last_seq[NGOS] = {0};

		for (unsigned from = 0;;) {
			char path[200];
			json_t *ev;
			size_t i;

			snprintf(path, sizeof(path), "/api/elections/race/board?from=%u&limit=500",
			         from);
			j = efx_get_json(&x.d, path, 200);
			ck_assert_int_eq(json_integer_value(json_object_get(j, "total")),
			                 2 + accepted);
			json_array_foreach(json_object_get(j, "events"), i, ev)
			{
				json_t *b = json_object_get(ev, "ballot");
				const char *voter;
				unsigned k;
				uint32_t seq;
				bool found = false;

				ck_assert_int_eq(json_integer_value(json_object_get(ev, "n")),
				                 n_expected++);
				if (strcmp(json_string_value(json_object_get(ev, "type")),
				           "ballot") != 0)
					continue;
				seen++;
				voter = json_string_value(json_object_get(b, "voter"));
				ck_assert_ptr_nonnull(voter);
				ck_assert_int_eq(sscanf(voter, "ngo-%u", &k), 1);
				ck_assert_uint_lt(k, NGOS);
				seq = (uint32_t)json_integer_value(json_object_get(b, "seq"));
				/* per voter, seq strictly increases along the board */
				ck_assert_uint_gt(seq, last_seq[k]);
				last_seq[k] = seq;
				for (int t = 0; t < THREADS && !found; t++)
					for (int p = 0; p < 2 && !found; p++)
						for (size_t q = 0; q < w[t].n[p]; q++) {
							struct job *jb = &w[t].phase[p][q];
							char hex[129];

							if (jb->status != 201 || jb->ngo != k ||
							    jb->seq != seq)
								continue;
							encoding_hex_encode(jb->hash, 64, hex);
							ck_assert_str_eq(
							    json_string_value(
							        json_object_get(b, "ballot_hash")),
							    hex);
							found = true;
							break;
						}
				ck_assert_msg(found, "board ballot %s seq %u was not accepted",
				              voter, seq);
			}
			from += (unsigned)json_array_size(json_object_get(j, "events"));
			json_decref(j);
			if (from >= 2 + accepted)
				break;
		}
		ck_assert_uint_eq(seen, accepted);
	}
	j = efx_get_json(&x.d, "/api/elections/race", 200);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(j, "turnout"), "voted")), NGOS);
	json_decref(j);
	ck_assert_int_eq(efx_record_verify(&x.d, "race", "open.jsonl"), 0);

	/* close; the result counts each NGO's highest accepted seq */
	efx_close(&x, "race");
	for (unsigned k = 0; k < NGOS; k++) {
		for (uint32_t i = 0; i < best[k]->count[0]; i++)
			expect0[best[k]->idx[0][i]]++;
		for (uint32_t i = 0; i < best[k]->count[1]; i++)
			expect1[best[k]->idx[1][i]]++;
	}
	j = efx_get_json(&x.d, "/api/elections/race/result", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), NGOS);
	{
		json_t *r0 = json_object_get(json_array_get(json_object_get(j, "contests"), 0),
		                             "candidates");
		json_t *r1 = json_object_get(json_array_get(json_object_get(j, "contests"), 1),
		                             "candidates");

		for (unsigned i = 0; i < C0_N; i++)
			ck_assert_int_eq(
			    json_integer_value(json_object_get(json_array_get(r0, i), "votes")),
			    expect0[i]);
		for (unsigned i = 0; i < C1_N; i++)
			ck_assert_int_eq(
			    json_integer_value(json_object_get(json_array_get(r1, i), "votes")),
			    expect1[i]);
	}
	json_decref(j);
	ck_assert_int_eq(efx_record_verify(&x.d, "race", "closed.jsonl"), 0);
	/* the close event counts every ballot event */
	{
		char path[200];
		json_t *ev;

		snprintf(path, sizeof(path), "/api/elections/race/board?from=%u&limit=1",
		         2 + accepted);
		j = efx_get_json(&x.d, path, 200);
		ev = json_array_get(json_object_get(j, "events"), 0);
		ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), "close");
		ck_assert_int_eq(json_integer_value(json_object_get(ev, "ballots")), accepted);
		json_decref(j);
	}
	efx_stop(&x);
}
END_TEST

Suite *
election_concurrency_suite(void)
{
	Suite *s = suite_create("election_concurrency");
	TCase *tc = tcase_create("race");

	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, eight_threads_two_hundred_ngos);
	suite_add_tcase(s, tc);
	return s;
}
