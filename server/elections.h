/*
 * elections.h -- the election use cases that write the board: opening
 * (manifest and open events), casting a ballot, closing (close and
 * result events), and the timer that opens and closes on schedule.
 * Knows the store and core, not HTTP.
 */
#ifndef NGO_VOTE_ELECTIONS_H
#define NGO_VOTE_ELECTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "errors.h"
#include "protocol_board.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"
#include "protocol_tally.h"

/* A decoded manifest shared read-only by all threads, with its hashes. */
struct elections_manifest {
	struct protocol_manifest *m;
	uint8_t election_hash[64];
	/* secret mode: the ceremony from the board (Y, Z_j), and Y */
	struct protocol_dkg *dkg;
	const uint8_t *y;
	/* the public JSON view of the manifest, built once (immutable) */
	char *view;
	size_t view_len;
};

/* The manifest's public view (a JSON object's text), built with build()
 * on first use and kept with the cached manifest: a roll of 10,000 is a
 * few megabytes that every voter's page asks for.  NULL on failure. */
const char *elections_manifest_view(const struct elections_manifest *em,
                                    char *(*build)(const struct elections_manifest *em),
                                    size_t *len);

/* The manifest of an opened election, from a process-wide cache (a
 * manifest never changes once on the board).  Release with _put. */
enum db_status elections_manifest_get(struct db *db, const char *id,
                                      const struct elections_manifest **out);
void elections_manifest_put(const struct elections_manifest *em);

/* What blocks opening this draft now, as election_draft_problems lists
 * it, computed against the current registry, and in secret mode what the
 * key ceremony still blocks.  NULL on a store error. */
json_t *elections_draft_problems(struct db *db, const char *id, const json_t *draft);

/* Opens a draft now: on DB_ROLLBACK, *problems (caller decrefs) says why. */
enum db_status elections_open(struct db *db, const char *id, const char *actor, json_t **problems);
/* Closes an open election: close and result events (secret mode: close
 * and tally, and the result too when nobody voted) in one transaction.
 * DB_CONFLICT when it is not open. */
enum db_status elections_close(struct db *db, const char *id, const char *actor);

/* The counted set of spec §11 recomputed from the board (secret mode:
 * with every counted ballot's ciphertexts), and the number of ballot
 * events.  Free *tally with protocol_tally_free. */
enum db_status elections_count(struct db *db, const char *id, const struct elections_manifest *em,
                               struct protocol_tally **tally, uint32_t *ballots);

struct elections_receipt {
	uint32_t n;
	uint8_t event_hash[64];
	uint8_t ballot_hash[64];
	uint8_t election_hash[64];
};

/* A ballot on its way to the board. */
struct elections_job;

/* Checks a ballot (parse, rules, signature: everything that needs no
 * board) and queues it for the ballot writer, which appends queued
 * ballots in one transaction per batch (group commit) and calls
 * done(cls) from its thread once the transaction holding the ballot has
 * committed, or failed.  Returns DB_OK when queued; otherwise nothing is
 * queued, done is not called, and a refusal is DB_ROLLBACK with *error. */
enum db_status elections_cast_submit(struct db *db, const char *id, const uint8_t *body, size_t len,
                                     const uint8_t sig[64], void (*done)(void *cls), void *cls,
                                     struct elections_job **job, enum error_code *error);
/* After done: DB_OK with the receipt fields, DB_ROLLBACK with a refusal in
 * *error (nothing stored; for BALLOT_DUPLICATE the receipt fields name
 * the copy already on the board), or the store's failure. */
enum db_status elections_job_result(const struct elections_job *job,
                                    struct elections_receipt *receipt, enum error_code *error);
void elections_job_free(struct elections_job *job);

/* The ballot writer thread (group commit); stop only when no request can
 * submit any more. */
bool elections_writer_start(void);
void elections_writer_stop(void);

/* The timer: opens and closes scheduled elections once a second. */
bool elections_timer_start(void);
void elections_timer_stop(void);

#endif
