/*
 * dbq_elections.c -- the elections table.
 */
#include "dbq_elections.h"

#include <string.h>

static const char *const status_names[] = {"draft", "open", "closed"};

enum db_status
dbq_election_insert(struct db *db, const char *id)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO elections (id) VALUES (?1)");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_election_get(struct db *db, const char *id, struct dbq_election *out)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT status, election_hash FROM elections WHERE id = ?1");
	enum db_status ret = DB_NOT_FOUND;
	const char *status;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	memset(out, 0, sizeof(*out));
	if (strlen(id) > DBQ_ELECTION_ID_MAX)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
		goto out;
	}
	strcpy(out->id, id);
	status = (const char *)sqlite3_column_text(st, 0);
	for (unsigned i = 0; i < 3; i++)
		if (status != NULL && strcmp(status, status_names[i]) == 0)
			out->status = (enum dbq_election_status)i;
	if (sqlite3_column_bytes(st, 1) == 64) {
		memcpy(out->election_hash, sqlite3_column_blob(st, 1), 64);
		out->has_election_hash = true;
	}
	ret = DB_OK;
out:
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_election_set_status(struct db *db, const char *id, enum dbq_election_status status)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE elections SET status = ?2 WHERE id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status_names[status], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_status_from_rc(rc);
	return sqlite3_changes(db_handle(db)) == 1 ? DB_OK : DB_NOT_FOUND;
}

enum db_status
dbq_election_set_hash(struct db *db, const char *id, const uint8_t hash[64])
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE elections SET election_hash = ?2 WHERE id = ?1");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, 64, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_status_from_rc(rc);
	return sqlite3_changes(db_handle(db)) == 1 ? DB_OK : DB_NOT_FOUND;
}

enum db_status
dbq_elections_any_published(struct db *db, bool *any)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT EXISTS (SELECT 1 FROM elections WHERE election_hash IS NOT NULL)");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	rc = sqlite3_step(st);
	*any = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_status_from_rc(rc);
}
