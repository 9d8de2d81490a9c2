/*
 * dbq_alphas.c -- the ballot_alphas table.
 */
#include "dbq_alphas.h"

#include <string.h>

enum db_status
dbq_alpha_owner(struct db *db, const char *election_id, const uint8_t alpha[32],
                uint8_t voter_pk[32])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT voter_pk FROM ballot_alphas"
	                                  " WHERE election_id = ?1 AND alpha = ?2");
	enum db_status ret = DB_NOT_FOUND;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, alpha, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(voter_pk, sqlite3_column_blob(st, 0), 32);
		ret = DB_OK;
	} else if (rc != SQLITE_DONE) {
		ret = rc == SQLITE_ROW ? DB_ERROR : db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_alpha_insert(struct db *db, const char *election_id, const uint8_t alpha[32],
                 const uint8_t voter_pk[32])
{
	/* the same voter may cast one of its own alphas again (a revote):
	 * the row already names it */
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO ballot_alphas (election_id, alpha, voter_pk)"
	                                  " VALUES (?1, ?2, ?3)"
	                                  " ON CONFLICT (election_id, alpha) DO NOTHING");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, alpha, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, voter_pk, 32, SQLITE_STATIC);
	return db_step_done(st);
}
