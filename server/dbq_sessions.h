/*
 * dbq_sessions.h -- login sessions of accounts and NGO delegates.  The
 * cookie carries a random id; only its SHA-256 is stored.
 */
#ifndef NGO_VOTE_DBQ_SESSIONS_H
#define NGO_VOTE_DBQ_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct dbq_session {
	bool delegate;      /* else an account session */
	int64_t account_id; /* account sessions */
	char ngo_id[65];    /* delegate sessions */
	char csrf_token[65];
	int64_t created_at, last_seen;
};

enum db_status dbq_session_insert(struct db *db, const uint8_t id_hash[32],
                                  const struct dbq_session *s);
enum db_status dbq_session_get(struct db *db, const uint8_t id_hash[32], struct dbq_session *out);
enum db_status dbq_session_touch(struct db *db, const uint8_t id_hash[32], int64_t now);
enum db_status dbq_session_delete(struct db *db, const uint8_t id_hash[32]);
/* Ends every session of an account (deactivation). */
enum db_status dbq_sessions_delete_account(struct db *db, int64_t account_id);
/* Ends every delegate session of an NGO (deactivation, key replaced). */
enum db_status dbq_sessions_delete_ngo(struct db *db, const char *ngo_id);
/* Removes sessions idle since before idle_before or created before max_before. */
enum db_status dbq_sessions_expire(struct db *db, int64_t idle_before, int64_t max_before);

#endif
