/*
 * dbq_enrolment.c -- the enrolment_codes and login_nonces tables.
 */
#include "dbq_enrolment.h"

#include <stdio.h>
#include <string.h>

enum db_status
dbq_code_issue(struct db *db, const char *ngo_id, const uint8_t hash[32], int64_t now,
               int64_t expires_at, int64_t issued_by)
{
	sqlite3_stmt *st;
	enum db_status ret = dbq_code_revoke(db, ngo_id, now);

	if (ret != DB_OK && ret != DB_NOT_FOUND)
		return ret;
	st = db_prepare(db, "INSERT INTO enrolment_codes (code_hash, ngo_id, issued_at,"
	                    " expires_at, issued_by) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ngo_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	if (issued_by > 0)
		sqlite3_bind_int64(st, 5, issued_by);
	return db_step_done(st);
}

enum db_status
dbq_code_revoke(struct db *db, const char *ngo_id, int64_t now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE enrolment_codes SET revoked_at = ?2"
	                                  " WHERE ngo_id = ?1 AND used_at IS NULL"
	                                  " AND revoked_at IS NULL AND expires_at > ?2");
	enum db_status ret;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	ret = db_step_done(st);
	if (ret == DB_OK && sqlite3_changes(db_handle(db)) == 0)
		ret = DB_NOT_FOUND;
	return ret;
}

enum db_status
dbq_code_lookup(struct db *db, const uint8_t hash[32], int64_t now, char ngo_id[65])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT ngo_id FROM enrolment_codes"
	                                  " WHERE code_hash = ?1 AND used_at IS NULL"
	                                  " AND revoked_at IS NULL AND expires_at > ?2");
	enum db_status ret = DB_NOT_FOUND;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(ngo_id, 65, "%s", (const char *)sqlite3_column_text(st, 0));
		ret = DB_OK;
	} else if (rc != SQLITE_DONE) {
		ret = db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_code_use(struct db *db, const uint8_t hash[32], int64_t now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE enrolment_codes SET used_at = ?2"
	                                  " WHERE code_hash = ?1 AND used_at IS NULL"
	                                  " AND revoked_at IS NULL AND expires_at > ?2");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return db_step_one_row(db, st);
}

enum db_status
dbq_nonce_insert(struct db *db, const uint8_t nonce[32], const char *ngo_id, int64_t expires_at)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO login_nonces (nonce, ngo_id, expires_at)"
	                                  " VALUES (?1, ?2, ?3)");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, nonce, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ngo_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expires_at);
	return db_step_done(st);
}

enum db_status
dbq_nonce_take(struct db *db, const uint8_t nonce[32], const char *ngo_id, int64_t now, bool *valid)
{
	sqlite3_stmt *st = db_prepare(db, "DELETE FROM login_nonces WHERE nonce = ?1"
	                                  " RETURNING ngo_id, expires_at");
	int rc;

	*valid = false;
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, nonce, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *owner = sqlite3_column_text(st, 0);

		*valid = owner != NULL && strcmp((const char *)owner, ngo_id) == 0 &&
		         sqlite3_column_int64(st, 1) > now;
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}
