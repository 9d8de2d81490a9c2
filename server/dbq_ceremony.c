/*
 * dbq_ceremony.c -- the ceremonies and ceremony_messages tables.
 */
#include "dbq_ceremony.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"running", "complete", "abandoned"};

void
dbq_ceremony_clear(struct dbq_ceremony *c)
{
	free(c->manifest);
	memset(c, 0, sizeof(*c));
}

/* The attempt on the statement's current row (attempt, state, manifest,
 * manifest_hash, election_hash). */
static enum db_status
row_to_ceremony(sqlite3_stmt *st, struct dbq_ceremony *out)
{
	const char *state = (const char *)sqlite3_column_text(st, 1);

	out->attempt = (uint32_t)sqlite3_column_int64(st, 0);
	out->state = state != NULL && strcmp(state, "complete") == 0 ? DBQ_CEREMONY_COMPLETE
	                                                             : DBQ_CEREMONY_RUNNING;
	if (sqlite3_column_bytes(st, 3) != 64 || sqlite3_column_bytes(st, 2) <= 0)
		return DB_ERROR;
	out->manifest = db_column_blob_dup(st, 2, &out->manifest_len);
	if (out->manifest == NULL)
		return DB_ERROR;
	memcpy(out->manifest_hash, sqlite3_column_blob(st, 3), 64);
	if (sqlite3_column_bytes(st, 4) == 64) {
		memcpy(out->election_hash, sqlite3_column_blob(st, 4), 64);
		out->has_election_hash = true;
	}
	return DB_OK;
}

enum db_status
dbq_ceremony_alive(struct db *db, const char *election_id, struct dbq_ceremony *out)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT attempt, state, manifest, manifest_hash, election_hash FROM ceremonies"
	        " WHERE election_id = ?1 AND state <> 'abandoned'");
	enum db_status ret;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = row_to_ceremony(st, out);
	else
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	sqlite3_reset(st);
	if (ret != DB_OK)
		dbq_ceremony_clear(out);
	return ret;
}

enum db_status
dbq_ceremony_last_attempt(struct db *db, const char *election_id, uint32_t *attempt)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT coalesce(max(attempt), 0) FROM ceremonies WHERE election_id = ?1");
	int rc;

	*attempt = 0;
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*attempt = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_ceremony_insert(struct db *db, const char *election_id, uint32_t attempt,
                    const uint8_t *manifest, size_t len, const uint8_t manifest_hash[64],
                    const char *at, const char *actor)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "INSERT INTO ceremonies (election_id, attempt, state,"
	                                    " manifest, manifest_hash, started_at, started_by)"
	                                    " VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6)",
	                                    election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 3, manifest, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, manifest_hash, 64, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_ceremony_set_state(struct db *db, const char *election_id, uint32_t attempt,
                       enum dbq_ceremony_state state, const uint8_t election_hash[64])
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "UPDATE ceremonies SET state = ?3,"
	                                    " election_hash = coalesce(?4, election_hash)"
	                                    " WHERE election_id = ?1 AND attempt = ?2",
	                                    election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 3, state_names[state], -1, SQLITE_STATIC);
	if (election_hash != NULL)
		sqlite3_bind_blob(st, 4, election_hash, 64, SQLITE_STATIC);
	return db_step_one_row(db, st);
}

enum db_status
dbq_ceremony_messages_each(struct db *db, const char *election_id, uint32_t attempt,
                           bool (*cb)(void *cls, const struct dbq_ceremony_message *msg), void *cls)
{
	sqlite3_stmt *st =
	    db_prepare_keyed(db,
	                     "SELECT seq, round, trustee, data FROM ceremony_messages"
	                     " WHERE election_id = ?1 AND attempt = ?2 ORDER BY seq",
	                     election_id, attempt);
	int rc;

	if (st == NULL)
		return DB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct dbq_ceremony_message msg = {
		    .seq = (uint32_t)sqlite3_column_int64(st, 0),
		    .round = (uint32_t)sqlite3_column_int64(st, 1),
		    .trustee = (uint32_t)sqlite3_column_int64(st, 2),
		    .data = sqlite3_column_blob(st, 3),
		    .len = (size_t)sqlite3_column_bytes(st, 3),
		};

		if (!cb(cls, &msg))
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_ceremony_message_insert(struct db *db, const char *election_id, uint32_t attempt,
                            const struct dbq_ceremony_message *msg, const char *at)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "INSERT INTO ceremony_messages (election_id, attempt,"
	                                    " seq, round, trustee, data, at)"
	                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	                                    election_id, attempt);

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 3, msg->seq);
	sqlite3_bind_int64(st, 4, msg->round);
	sqlite3_bind_int64(st, 5, msg->trustee);
	sqlite3_bind_blob(st, 6, msg->data, (int)msg->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	return db_step_done(st);
}
