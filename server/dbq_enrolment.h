/*
 * dbq_enrolment.h -- one-time enrolment codes (stored hashed) and the
 * single-use nonces of delegate login.
 */
#ifndef NGO_VOTE_DBQ_ENROLMENT_H
#define NGO_VOTE_DBQ_ENROLMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Revokes the NGO's outstanding codes and records a new one. */
enum db_status dbq_code_issue(struct db *db, const char *ngo_id, const uint8_t hash[32],
                              int64_t now, int64_t expires_at, int64_t issued_by);
/* Revokes the NGO's outstanding codes; DB_NOT_FOUND if there were none. */
enum db_status dbq_code_revoke(struct db *db, const char *ngo_id, int64_t now);
/* The NGO of a usable code (unused, unrevoked, unexpired). */
enum db_status dbq_code_lookup(struct db *db, const uint8_t hash[32], int64_t now, char ngo_id[65]);
/* Marks a usable code used; DB_NOT_FOUND if it no longer is. */
enum db_status dbq_code_use(struct db *db, const uint8_t hash[32], int64_t now);

enum db_status dbq_nonce_insert(struct db *db, const uint8_t nonce[32], const char *ngo_id,
                                int64_t expires_at);
/* Deletes the nonce and says whether it was live and for this NGO. */
enum db_status dbq_nonce_take(struct db *db, const uint8_t nonce[32], const char *ngo_id,
                              int64_t now, bool *valid);

#endif
