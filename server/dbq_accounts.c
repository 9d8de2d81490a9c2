/*
 * dbq_accounts.c -- the accounts and setup_tokens tables.
 */
#include "dbq_accounts.h"

#include <stdio.h>
#include <string.h>

static void
copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static void
row_to_account(sqlite3_stmt *st, struct dbq_account *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	copy_text(a->email, sizeof(a->email), st, 1);
	copy_text(a->role, sizeof(a->role), st, 2);
	copy_text(a->password_hash, sizeof(a->password_hash), st, 3);
	a->active = sqlite3_column_int(st, 4) != 0;
}

#define ACCOUNT_COLS "id, email, role, coalesce(password_hash, ''), active"

enum db_status
dbq_account_insert(struct db *db, const char *email, const char *role, int64_t created_by,
                   int64_t *id_out)
{
	sqlite3_stmt *st =
	    db_prepare(db, "INSERT INTO accounts (email, role, created_by) VALUES (?1, ?2, ?3)");
	enum db_status ret;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	if (created_by > 0)
		sqlite3_bind_int64(st, 3, created_by);
	ret = db_step_done(st);
	if (ret == DB_OK)
		*id_out = sqlite3_last_insert_rowid(db_handle(db));
	return ret;
}

static enum db_status
one_account(sqlite3_stmt *st, struct dbq_account *out)
{
	int rc = sqlite3_step(st);
	enum db_status ret = DB_OK;

	if (rc == SQLITE_ROW)
		row_to_account(st, out);
	else
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_account_by_email(struct db *db, const char *email, struct dbq_account *out)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " ACCOUNT_COLS " FROM accounts WHERE email = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return one_account(st, out);
}

enum db_status
dbq_account_by_id(struct db *db, int64_t id, struct dbq_account *out)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return one_account(st, out);
}

enum db_status
dbq_account_set_password(struct db *db, int64_t id, const char *hash)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE accounts SET password_hash = ?2 WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	return db_step_one_row(db, st);
}

enum db_status
dbq_account_set_active(struct db *db, int64_t id, bool active)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE accounts SET active = ?2 WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, active ? 1 : 0);
	return db_step_one_row(db, st);
}

enum db_status
dbq_accounts_each(struct db *db, void (*cb)(void *cls, const struct dbq_account *a), void *cls)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY id");
	struct dbq_account a;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_account(st, &a);
		cb(cls, &a);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_setup_token_insert(struct db *db, const uint8_t hash[32], int64_t account_id,
                       int64_t expires_at)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO setup_tokens (token_hash, account_id,"
	                                  " expires_at) VALUES (?1, ?2, ?3)");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, expires_at);
	return db_step_done(st);
}

enum db_status
dbq_setup_token_consume(struct db *db, const uint8_t hash[32], int64_t now, int64_t *account_id)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE setup_tokens SET used_at = ?2"
	                                  " WHERE token_hash = ?1 AND used_at IS NULL"
	                                  " AND expires_at > ?2 RETURNING account_id");
	enum db_status ret = DB_NOT_FOUND;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*account_id = sqlite3_column_int64(st, 0);
		ret = DB_OK;
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		ret = db_status_from_rc(rc);
	sqlite3_reset(st);
	return ret;
}
