/*
 * dbq_elections.c -- the elections table.
 */
#include "dbq_elections.h"

#include <stdio.h>
#include <stdlib.h>
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

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status_names[status], -1, SQLITE_STATIC);
	return db_step_one_row(db, st);
}

enum db_status
dbq_election_set_hash(struct db *db, const char *id, const uint8_t hash[64])
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE elections SET election_hash = ?2 WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, 64, SQLITE_STATIC);
	return db_step_one_row(db, st);
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

/* ?2 draft, ?3..?6 the schedule: shared by create and edit */
static void
bind_draft(sqlite3_stmt *st, const char *draft, const struct dbq_schedule *sched)
{
	sqlite3_bind_text(st, 2, draft, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sched->opens_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sched->closes_at, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, sched->auto_open);
	sqlite3_bind_int(st, 6, sched->auto_close);
}

enum db_status
dbq_election_create(struct db *db, const char *id, const char *draft,
                    const struct dbq_schedule *sched)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO elections (id, draft, opens_at, closes_at,"
	                                  " auto_open, auto_close, updated_at)"
	                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	                                  " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	bind_draft(st, draft, sched);
	return db_step_done(st);
}

enum db_status
dbq_election_draft_set(struct db *db, const char *id, const char *draft,
                       const struct dbq_schedule *sched)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE elections SET draft = ?2, opens_at = ?3,"
	                                  " closes_at = ?4, auto_open = ?5, auto_close = ?6,"
	                                  " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	                                  " WHERE id = ?1 AND status = 'draft'");
	enum db_status ret;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	bind_draft(st, draft, sched);
	ret = db_step_done(st);
	if (ret == DB_OK && sqlite3_changes(db_handle(db)) != 1)
		ret = DB_CONFLICT;
	return ret;
}

enum db_status
dbq_election_draft_get(struct db *db, const char *id, char **draft)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT draft FROM elections WHERE id = ?1");
	enum db_status ret = DB_OK;
	int rc;

	*draft = NULL;
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*draft = strdup((const char *)sqlite3_column_text(st, 0));
		if (*draft == NULL)
			ret = DB_ERROR;
	} else {
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	}
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_elections_each(struct db *db, bool with_drafts,
                   void (*cb)(void *cls, const struct dbq_election_row *r), void *cls)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT e.id, e.status, e.draft, e.opens_at, e.closes_at, e.auto_open,"
	                   " e.auto_close, e.election_hash,"
	                   " (SELECT count(*) FROM board_events b WHERE b.election_id = e.id"
	                   "   AND b.type = 'ballot'),"
	                   " (SELECT count(*) FROM election_roll r WHERE r.election_id = e.id),"
	                   " (SELECT count(DISTINCT voter_pk) FROM board_events b"
	                   "   WHERE b.election_id = e.id AND b.type = 'ballot')"
	                   " FROM elections e WHERE ?1 OR e.status <> 'draft'"
	                   " ORDER BY e.created_at DESC, e.id");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int(st, 1, with_drafts);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct dbq_election_row r = {
		    .id = (const char *)sqlite3_column_text(st, 0),
		    .status = (const char *)sqlite3_column_text(st, 1),
		    .draft = (const char *)sqlite3_column_text(st, 2),
		    .opens_at = (const char *)sqlite3_column_text(st, 3),
		    .closes_at = (const char *)sqlite3_column_text(st, 4),
		    .auto_open = sqlite3_column_int(st, 5) != 0,
		    .auto_close = sqlite3_column_int(st, 6) != 0,
		    .election_hash =
		        sqlite3_column_bytes(st, 7) == 64 ? sqlite3_column_blob(st, 7) : NULL,
		    .ballots = sqlite3_column_int64(st, 8),
		    .voters = sqlite3_column_int64(st, 9),
		    .voted = sqlite3_column_int64(st, 10),
		};
		cb(cls, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_elections_due(struct db *db, const char *now,
                  void (*cb)(void *cls, const char *id, bool open, const char *updated_at),
                  void *cls)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT id, status = 'draft', updated_at FROM elections"
	                   " WHERE (status = 'draft' AND auto_open = 1 AND opens_at <> ''"
	                   "        AND opens_at <= ?1)"
	                   "    OR (status = 'open' AND auto_close = 1 AND closes_at <> ''"
	                   "        AND closes_at <= ?1)"
	                   " ORDER BY opens_at, id");
	struct due {
		char id[65];
		char updated_at[32];
		bool open;
	} *due = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	/* collect first: the callback writes, and must not run under our read */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			struct due *grown = realloc(due, (cap ? 2 * cap : 16) * sizeof(*due));

			if (grown == NULL)
				break;
			due = grown;
			cap = cap ? 2 * cap : 16;
		}
		snprintf(due[n].id, sizeof(due[n].id), "%s",
		         (const char *)sqlite3_column_text(st, 0));
		due[n].open = sqlite3_column_int(st, 1) != 0;
		snprintf(due[n].updated_at, sizeof(due[n].updated_at), "%s",
		         (const char *)sqlite3_column_text(st, 2));
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(due);
		return db_status_from_rc(rc);
	}
	for (size_t i = 0; i < n; i++)
		cb(cls, due[i].id, due[i].open, due[i].updated_at);
	free(due);
	return DB_OK;
}

enum db_status
dbq_roll_insert(struct db *db, const char *election_id, const char *ngo_id, const uint8_t pk[32])
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO election_roll (election_id, ngo_id,"
	                                  " public_key) VALUES (?1, ?2, ?3)");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ngo_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pk, 32, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_roll_each(struct db *db, const char *election_id,
              void (*cb)(void *cls, const char *ngo_id, const uint8_t pk[32], uint32_t last_seq),
              void *cls)
{
	sqlite3_stmt *st = db_prepare(
	    db, "SELECT r.ngo_id, r.public_key, (SELECT coalesce(max(b.seq), 0) FROM board_events b"
	        " WHERE b.election_id = r.election_id AND b.voter_pk = r.public_key)"
	        " FROM election_roll r WHERE r.election_id = ?1 ORDER BY r.ngo_id");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, election_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != 32)
			continue;
		cb(cls, (const char *)sqlite3_column_text(st, 0), sqlite3_column_blob(st, 1),
		   (uint32_t)sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_elections_of_ngo(struct db *db, const char *ngo_id,
                     void (*cb)(void *cls, const char *id, const char *status, const char *draft,
                                uint32_t last_seq),
                     void *cls)
{
	sqlite3_stmt *st =
	    db_prepare(db, "SELECT e.id, e.status, e.draft, (SELECT coalesce(max(b.seq), 0)"
	                   " FROM board_events b WHERE b.election_id = e.id"
	                   " AND b.voter_pk = r.public_key)"
	                   " FROM election_roll r JOIN elections e ON e.id = r.election_id"
	                   " WHERE r.ngo_id = ?1 ORDER BY e.created_at DESC, e.id");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(cls, (const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1),
		   (const char *)sqlite3_column_text(st, 2), (uint32_t)sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}
