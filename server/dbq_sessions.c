/*
 * dbq_sessions.c -- the sessions table.
 */
#include "dbq_sessions.h"

#include <stdio.h>
#include <string.h>

enum db_status
dbq_session_insert(struct db *db, const uint8_t id_hash[32], const struct dbq_session *s)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO sessions (id_hash, kind, account_id, ngo_id,"
	                                  " csrf_token, created_at, last_seen)"
	                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->delegate ? "delegate" : "account", -1, SQLITE_STATIC);
	if (s->delegate)
		sqlite3_bind_text(st, 4, s->ngo_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 3, s->account_id);
	sqlite3_bind_text(st, 5, s->csrf_token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, s->created_at);
	return db_step_done(st);
}

enum db_status
dbq_session_get(struct db *db, const uint8_t id_hash[32], struct dbq_session *out)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT kind, account_id, ngo_id, csrf_token, created_at,"
	                                  " last_seen FROM sessions WHERE id_hash = ?1");
	enum db_status ret = DB_OK;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *kind = sqlite3_column_text(st, 0);
		const unsigned char *ngo = sqlite3_column_text(st, 2);
		const unsigned char *csrf = sqlite3_column_text(st, 3);

		out->delegate = kind != NULL && strcmp((const char *)kind, "delegate") == 0;
		out->account_id = sqlite3_column_int64(st, 1);
		snprintf(out->ngo_id, sizeof(out->ngo_id), "%s", ngo ? (const char *)ngo : "");
		snprintf(out->csrf_token, sizeof(out->csrf_token), "%s",
		         csrf ? (const char *)csrf : "");
		out->created_at = sqlite3_column_int64(st, 4);
		out->last_seen = sqlite3_column_int64(st, 5);
	} else {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_session_touch(struct db *db, const uint8_t id_hash[32], int64_t now)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return db_step_done(st);
}

enum db_status
dbq_session_delete(struct db *db, const uint8_t id_hash[32])
{
	sqlite3_stmt *st = db_prepare(db, "DELETE FROM sessions WHERE id_hash = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_sessions_delete_account(struct db *db, int64_t account_id)
{
	sqlite3_stmt *st = db_prepare(db, "DELETE FROM sessions WHERE account_id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, account_id);
	return db_step_done(st);
}

enum db_status
dbq_sessions_expire(struct db *db, int64_t idle_before, int64_t max_before)
{
	sqlite3_stmt *st = db_prepare(db, "DELETE FROM sessions WHERE last_seen < ?1"
	                                  " OR created_at < ?2");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, idle_before);
	sqlite3_bind_int64(st, 2, max_before);
	return db_step_done(st);
}

enum db_status
dbq_sessions_delete_ngo(struct db *db, const char *ngo_id)
{
	sqlite3_stmt *st = db_prepare(db, "DELETE FROM sessions WHERE ngo_id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	return db_step_done(st);
}
