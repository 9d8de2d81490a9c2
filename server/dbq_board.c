/*
 * dbq_board.c -- the append-only board table.  The chain hash is computed
 * by core (protocol_event_hash) from the previous row read in the same
 * transaction, so two writers can never chain onto the same event: the
 * second one's INSERT of the same (election, n) fails on the primary key
 * and BEGIN IMMEDIATE serialises writers in the first place.
 */
#include "dbq_board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum db_status
dbq_board_last(struct db *db, const char *election_id, uint32_t *n, uint8_t hash[64])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT n, hash FROM board_events WHERE election_id = ?1"
	                                  " ORDER BY n DESC LIMIT 1");
	enum db_status ret;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 64) {
		*n = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), 64);
		ret = DB_OK;
	} else {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

static enum db_status
last_at(struct db *db, const char *election_id, char at[21])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT at FROM board_events WHERE election_id = ?1"
	                                  " ORDER BY n DESC LIMIT 1");
	enum db_status ret = DB_NOT_FOUND;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 20) {
		memcpy(at, sqlite3_column_text(st, 0), 20);
		at[20] = '\0';
		ret = DB_OK;
	} else if (rc != SQLITE_DONE) {
		ret = db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_board_append(struct db *db, const char *election_id, enum protocol_event_type type,
                 const char *at, const uint8_t *data, size_t len,
                 const struct dbq_ballot_meta *ballot, uint32_t *n_out, uint8_t hash_out[64])
{
	static const uint8_t zero[64];
	uint8_t prev[64];
	char when[21], before[21];
	uint32_t n = 0;
	enum db_status ret;
	sqlite3_stmt *st;
	int rc;

	ret = dbq_board_last(db, election_id, &n, prev);
	if (ret == DB_NOT_FOUND) {
		memcpy(prev, zero, 64);
		n = 0;
	} else if (ret != DB_OK) {
		return ret;
	} else {
		n++;
	}
	snprintf(when, sizeof(when), "%s", at);
	ret = last_at(db, election_id, before);
	if (ret == DB_OK && strcmp(before, when) > 0)
		memcpy(when, before, sizeof(when)); /* the clock went back: keep order */
	else if (ret != DB_OK && ret != DB_NOT_FOUND)
		return ret;
	protocol_event_hash(prev, n, type, when, data, len, hash_out);
	st = db_prepare(db, "INSERT INTO board_events"
	                    " (election_id, n, type, at, data, hash, voter_pk, seq, ballot_hash)"
	                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_text(st, 3, protocol_event_type_name(type), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, when, 20, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, data, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, hash_out, 64, SQLITE_STATIC);
	if (ballot != NULL) {
		sqlite3_bind_blob(st, 7, ballot->voter_pk, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, ballot->seq);
		sqlite3_bind_blob(st, 9, ballot->ballot_hash, 64, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_status_from_rc(rc);
	*n_out = n;
	return DB_OK;
}

enum db_status
dbq_board_count(struct db *db, const char *election_id, uint32_t *count)
{
	uint8_t hash[64];
	uint32_t n;
	enum db_status ret = dbq_board_last(db, election_id, &n, hash);

	if (ret == DB_NOT_FOUND) {
		*count = 0;
		return DB_OK;
	}
	if (ret == DB_OK)
		*count = n + 1;
	return ret;
}

static bool
row_to_event(sqlite3_stmt *st, struct dbq_event *ev)
{
	const char *type = (const char *)sqlite3_column_text(st, 1);

	memset(ev, 0, sizeof(*ev));
	ev->n = (uint32_t)sqlite3_column_int64(st, 0);
	if (type == NULL || !protocol_event_type_parse(type, strlen(type), &ev->type))
		return false;
	if (sqlite3_column_bytes(st, 2) != 20 || sqlite3_column_bytes(st, 4) != 64)
		return false;
	memcpy(ev->at, sqlite3_column_text(st, 2), 20);
	ev->at[20] = '\0';
	ev->data = db_column_blob_dup(st, 3, &ev->len);
	if (ev->data == NULL)
		return false;
	memcpy(ev->hash, sqlite3_column_blob(st, 4), 64);
	return true;
}

/* Steps a query of at most one event (n, type, at, data, hash) and
 * resets it; DB_NOT_FOUND when there is none.  Free ev->data. */
static enum db_status
one_event(sqlite3_stmt *st, struct dbq_event *ev)
{
	enum db_status ret;
	int rc = sqlite3_step(st);

	memset(ev, 0, sizeof(*ev));
	if (rc == SQLITE_ROW) {
		ret = row_to_event(st, ev) ? DB_OK : DB_ERROR;
		if (ret != DB_OK) {
			free(ev->data);
			ev->data = NULL;
		}
	} else {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_board_each(struct db *db, const char *election_id, uint32_t from, uint32_t limit,
               bool (*cb)(void *cls, const struct dbq_event *ev), void *cls)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT n, type, at, data, hash FROM board_events"
	                   " WHERE election_id = ?1 AND n >= ?2 ORDER BY n LIMIT ?3");
	enum db_status ret = DB_OK;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct dbq_event ev;
		bool more;

		if (!row_to_event(st, &ev)) {
			free(ev.data);
			ret = DB_ERROR;
			break;
		}
		more = cb(cls, &ev);
		free(ev.data);
		if (!more)
			break;
	}
	if (ret == DB_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_status_from_rc(rc);
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_board_get(struct db *db, const char *election_id, uint32_t n, struct dbq_event *ev)
{
	sqlite3_stmt *st = db_prepare_keyed(db,
	                                    "SELECT n, type, at, data, hash FROM board_events"
	                                    " WHERE election_id = ?1 AND n = ?2",
	                                    election_id, n);

	if (st == NULL) {
		memset(ev, 0, sizeof(*ev));
		return DB_ERROR;
	}
	return one_event(st, ev);
}

enum db_status
dbq_board_first_of_type(struct db *db, const char *election_id, enum protocol_event_type type,
                        struct dbq_event *ev)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT n, type, at, data, hash FROM board_events"
	                   " WHERE election_id = ?1 AND type = ?2 ORDER BY n LIMIT 1");

	if (st == NULL) {
		memset(ev, 0, sizeof(*ev));
		return DB_ERROR;
	}
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, protocol_event_type_name(type), -1, SQLITE_STATIC);
	return one_event(st, ev);
}

enum db_status
dbq_board_voter_last_seq(struct db *db, const char *election_id, const uint8_t voter_pk[32],
                         uint32_t *seq)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT max(seq) FROM board_events"
	                                  " WHERE election_id = ?1 AND voter_pk = ?2");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, voter_pk, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = (rc == SQLITE_ROW) ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_board_find_ballot(struct db *db, const char *election_id, const uint8_t ballot_hash[64],
                      uint32_t *n, uint8_t hash[64])
{
	sqlite3_stmt *st = db_prepare(db, "SELECT n, hash FROM board_events"
	                                  " WHERE election_id = ?1 AND ballot_hash = ?2");
	enum db_status ret = DB_NOT_FOUND;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ballot_hash, 64, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 64) {
		*n = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), 64);
		ret = DB_OK;
	} else if (rc != SQLITE_DONE) {
		ret = db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}
