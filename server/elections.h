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
#include "protocol_manifest.h"

/* A decoded manifest shared read-only by all threads, with its hashes. */
struct elections_manifest {
	struct protocol_manifest *m;
	uint8_t election_hash[64];
};

/* The manifest of an opened election, from a process-wide cache (a
 * manifest never changes once on the board).  Release with _put. */
enum db_status elections_manifest_get(struct db *db, const char *id,
                                      const struct elections_manifest **out);
void elections_manifest_put(const struct elections_manifest *em);

/* What blocks opening this draft now, as election_draft_problems lists
 * it, computed against the current registry.  NULL on a store error. */
json_t *elections_draft_problems(struct db *db, const json_t *draft);

/* Opens a draft now: on DB_ROLLBACK, *problems (caller decrefs) says why. */
enum db_status elections_open(struct db *db, const char *id, const char *actor, json_t **problems);
/* Closes an open election: close and result events in one transaction.
 * DB_CONFLICT when it is not open. */
enum db_status elections_close(struct db *db, const char *id, const char *actor);

struct elections_receipt {
	uint32_t n;
	uint8_t event_hash[64];
	uint8_t ballot_hash[64];
	uint8_t election_hash[64];
};

/* Checks and appends a ballot; the receipt fields are filled only after
 * the transaction holding the ballot committed.  On a refusal returns
 * DB_ROLLBACK with the error in *error. */
enum db_status elections_cast(struct db *db, const char *id, const uint8_t *body, size_t len,
                              const uint8_t sig[64], struct elections_receipt *receipt,
                              enum error_code *error);

/* The timer: opens and closes scheduled elections once a second. */
bool elections_timer_start(void);
void elections_timer_stop(void);

#endif
