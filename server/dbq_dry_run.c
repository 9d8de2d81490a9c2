/*
 * dbq_dry_run.c -- the dry_runs and dry_run_partials tables.
 */
#include "dbq_dry_run.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"running", "succeeded", "failed"};

enum db_status
dbq_dry_run_get(struct db *db, const char *election_id, uint32_t attempt, struct dbq_dry_run *out)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "SELECT state, data FROM dry_runs"
	                                    " WHERE election_id = ?1 AND attempt = ?2",
	                                    election_id, attempt);
	enum db_status ret = DB_OK;
	const char *state;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return DB_ERROR;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
		goto out;
	}
	state = (const char *)sqlite3_column_text(st, 0);
	for (unsigned i = 0; i < 3; i++)
		if (state != NULL && strcmp(state, state_names[i]) == 0)
			out->state = (enum dbq_dry_run_state)i;
	out->data = db_column_blob_dup(st, 1, &out->len);
	if (out->data == NULL)
		ret = DB_ERROR;
out:
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_dry_run_insert(struct db *db, const char *election_id, uint32_t attempt, const uint8_t *data,
                   size_t len, const char *at)
{
	sqlite3_stmt *st =
	    db_prepare_keyed(db,
	                     "INSERT INTO dry_runs (election_id, attempt, state, data,"
	                     " started_at) VALUES (?1, ?2, 'running', ?3, ?4)",
	                     election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 3, data, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_dry_run_set_state(struct db *db, const char *election_id, uint32_t attempt,
                      enum dbq_dry_run_state state)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "UPDATE dry_runs SET state = ?3"
	                                    " WHERE election_id = ?1 AND attempt = ?2",
	                                    election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 3, state_names[state], -1, SQLITE_STATIC);
	return db_step_one_row(db, st);
}

enum db_status
dbq_dry_run_partials_each(struct db *db, const char *election_id, uint32_t attempt,
                          void (*cb)(void *cls, uint32_t trustee, const uint8_t *data, size_t len),
                          void *cls)
{
	sqlite3_stmt *st =
	    db_prepare_keyed(db,
	                     "SELECT trustee, data FROM dry_run_partials"
	                     " WHERE election_id = ?1 AND attempt = ?2 ORDER BY trustee",
	                     election_id, attempt);
	int rc;

	if (st == NULL)
		return DB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(cls, (uint32_t)sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
		   (size_t)sqlite3_column_bytes(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_dry_run_partial_insert(struct db *db, const char *election_id, uint32_t attempt,
                           uint32_t trustee, const uint8_t *data, size_t len, const char *at)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "INSERT INTO dry_run_partials (election_id, attempt,"
	                                    " trustee, data, at) VALUES (?1, ?2, ?3, ?4, ?5)",
	                                    election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 3, trustee);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	return db_step_done(st);
}
