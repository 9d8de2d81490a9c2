/*
 * elections_fixture.h -- shared set-up for the election suites (ballots,
 * election admin, timer, concurrency, ties): a daemon with a logged-in
 * secretariat, NGOs with keys made here (one by one, or in bulk by CSV
 * import and parallel enrolment), drafts built as JSON, opening and
 * closing, open ballots built, signed and posted, the board's length, the
 * record run through ngo-vote-verify, and UTC times in the protocol form.
 */
#ifndef NGO_VOTE_TEST_ELECTIONS_FIXTURE_H
#define NGO_VOTE_TEST_ELECTIONS_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "encoding.h"
#include "fixture.h"
#include "helpers.h"

#define EFX_MAX_CONTESTS 32
#define EFX_MAX_PICKS    16

/* A running daemon and its secretariat. */
struct efx {
	struct test_daemon d;
	struct fixture_who sec;
};

/* What a voter needs to know of an opened election. */
struct efx_election {
	char id[65];
	uint8_t election_hash[64];
	uint8_t server_pk[32];
};

/* A ballot's selections: count[c] indices idx[c][0..count[c]) per contest. */
struct efx_choice {
	uint32_t n_contests;
	uint32_t count[EFX_MAX_CONTESTS];
	uint32_t idx[EFX_MAX_CONTESTS][EFX_MAX_PICKS];
};

/* sodium_init, a fresh daemon, and the secretariat logged in. */
void efx_start(struct efx *x);
/* SIGTERM (asserts a clean exit) and removes the data folder. */
void efx_stop(struct efx *x);

/* Registers the NGO and enrols a fresh key for it (filled into k). */
void efx_ngo_enrolled(struct efx *x, const char *id, struct fixture_key *k);
/* Imports n NGOs "<prefix>-%03u" (ids[i] filled, each up to 64 bytes) by
 * one CSV upload, then issues codes and enrols a fresh key for each, in
 * nthreads parallel threads. */
void efx_ngos_bulk(struct efx *x, const char *prefix, unsigned n, char (*ids)[65],
                   struct fixture_key *keys, unsigned nthreads);

/* POST /api/admin/elections {id, title, template} (asserts 201); returns
 * the reply {id, status, draft, problems} (caller decrefs). */
json_t *efx_draft_create(struct efx *x, const char *id, const char *template_name);
/* A contest object with Khmer title; cands may be NULL when n is 0. */
json_t *efx_contest(const char *id, int seats, int min, int max, const char *const *cands,
                    size_t n);
/* An empty draft (no contests, no exclusions, revote true, no schedule). */
json_t *efx_draft_new(void);
/* PUT the draft; asserts the status and returns the reply (caller decrefs). */
json_t *efx_draft_put(struct efx *x, const char *id, const json_t *draft, int status);
/* PUT the draft and assert that nothing blocks opening. */
void efx_draft_ready(struct efx *x, const char *id, const json_t *draft);
/* Opens (asserts 200) and fills e from GET /api/elections/{id}. */
void efx_open(struct efx *x, const char *id, struct efx_election *e);
/* Fills e from GET /api/elections/{id} (asserts 200). */
void efx_election_info(const struct test_daemon *d, const char *id, struct efx_election *e);
/* Closes (asserts 200). */
void efx_close(struct efx *x, const char *id);

/* GET path, asserts the status, returns the body (caller decrefs). */
json_t *efx_get_json(const struct test_daemon *d, const char *path, int status);
/* The board's `total`, or -1 when GET /board answers 404. */
int efx_board_total(const struct test_daemon *d, const char *id);
/* Number of board_events rows of the election, read from the database. */
int efx_board_rows(const struct test_daemon *d, const char *id);
/* The election's status from the public API ("draft" when it is 404). */
void efx_status(const struct test_daemon *d, const char *id, char out[16]);
/* Polls the public status every 100 ms until it equals want or seconds
 * pass; returns whether it did. */
bool efx_wait_status(const struct test_daemon *d, const char *id, const char *want, double seconds);

/* A choice from a compact spec: contests separated by '|', indices by
 * ','; an empty contest is a blank vote.  "0,2|" = {0,2} then blank. */
struct efx_choice efx_choice_parse(const char *spec);
/* ballot_body of §8 for the choice. */
void efx_ballot_build(const uint8_t election_hash[64], const uint8_t pk[32], uint32_t seq,
                      const struct efx_choice *ch, struct encoding_buf *out);
/* Signs body with sk (hash into hash_out if not NULL) and posts it. */
void efx_post_signed(const struct test_daemon *d, const char *id, const uint8_t *body, size_t len,
                     const uint8_t sk[64], uint8_t hash_out[64], struct test_http *r);
/* Posts {"body":body_hex,"signature":sig_hex}. */
void efx_post_hex(const struct test_daemon *d, const char *id, const char *body_hex,
                  const char *sig_hex, struct test_http *r);
/* Builds, signs and casts a ballot of key k.  Returns the HTTP status;
 * fills hash_out (the ballot_hash), *receipt (on 201, caller decrefs) and
 * name (the error name on failure, "" on success; 64 bytes) when not NULL. */
int efx_cast(const struct test_daemon *d, const struct efx_election *e, const struct fixture_key *k,
             uint32_t seq, const struct efx_choice *ch, uint8_t hash_out[64], json_t **receipt,
             char *name);

/* GET /record, undoes the chunked framing, writes dir/<file>; returns
 * the exit status of ngo-vote-verify on it (output in dir/<file>.out). */
int efx_record_verify(const struct test_daemon *d, const char *id, const char *file);

/* A Time of the protocol: YYYY-MM-DDTHH:MM:SSZ (UTC). */
void efx_time(time_t t, char out[21]);

#endif
