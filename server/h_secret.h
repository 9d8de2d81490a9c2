/*
 * h_secret.h -- what the secret-mode handlers (h_ceremony.c, h_dry_run.c,
 * h_decryption.c) share: the answers to a store status and to a refused
 * transition or submission, the bodies they take, and a draft's
 * secret-mode state as the ceremony and dry-run documents show it.
 */
#ifndef NGO_VOTE_H_SECRET_H
#define NGO_VOTE_H_SECRET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "db.h"
#include "errors.h"
#include "request.h"

/* PD_j || sig (dry run and tally): 196 bytes plus 96 per candidate (32
 * contests of 64). */
#define H_SECRET_PARTIAL_MAX (256 * 1024)

/* A store status other than DB_OK: DB_NOT_FOUND is the election's,
 * DB_BUSY and DB_IO_ERROR say so, anything else is our fault. */
enum MHD_Result h_secret_reply_store(struct request *rq, enum db_status st);
/* A transition that did not happen: refused (DB_ROLLBACK) with error on
 * field, ELECTION_INVALID with its problems (stolen, may be NULL), or the
 * store status. */
enum MHD_Result h_secret_reply_refusal(struct request *rq, enum db_status st, enum error_code error,
                                       const char *field, json_t *problems);
/* A trustee's submission that was not stored: as h_secret_reply_refusal,
 * except that error `invalid` (the route's "these bytes do not verify")
 * names "data" with the checker's reason why (NULL: the registry's hint). */
enum MHD_Result h_secret_reply_not_stored(struct request *rq, enum db_status st,
                                          enum error_code error, enum error_code invalid,
                                          const char *why, const char *field);

/* The start of a secretariat's transition: the body is an object with
 * no field, and *db the thread's database.  false with the answer in
 * *ret. */
bool h_secret_transition_begin(struct request *rq, struct db **db, enum MHD_Result *ret);
/* The start of a trustee's partial decryption (dry run or tally): the
 * body {"data": hex} of at most H_SECRET_PARTIAL_MAX bytes (*data is
 * malloc'd: the caller frees it), and *db the thread's database.  false
 * with the answer in *ret and nothing to free. */
bool h_secret_partial_begin(struct request *rq, uint8_t **data, size_t *len, struct db **db,
                            enum MHD_Result *ret);

/* The trustee indices whose dry-run partial decryption of the attempt is
 * stored, ascending (an empty array when none can be read). */
json_t *h_secret_dry_run_verified(struct db *db, const char *id, uint32_t attempt);

/* The draft of a secret-mode election and its key ceremony. */
struct h_secret_draft {
	json_t *draft;
	bool has_ceremony; /* an alive attempt, loaded in c */
	struct ceremony c;
	uint32_t attempt; /* c's, else the last abandoned one's (0: none yet) */
};

/* Loads the draft of election rq->args[0] and its alive attempt, or
 * answers (no such election, open ballots, the store failed) and returns
 * false.  Release with h_secret_draft_clear. */
bool h_secret_draft_load(struct request *rq, struct db *db, struct h_secret_draft *s,
                         enum MHD_Result *ret);
void h_secret_draft_clear(struct h_secret_draft *s);

#endif
