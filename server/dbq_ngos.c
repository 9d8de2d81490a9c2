/*
 * dbq_ngos.c -- the ngos and ngo_keys tables.
 */
#include "dbq_ngos.h"

#include <stdio.h>
#include <string.h>

static void
bind_fields(sqlite3_stmt *st, const struct dbq_ngo_fields *f)
{
	sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->name_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->name_km, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->registration_no ? f->registration_no : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->contact_name ? f->contact_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->phone ? f->phone : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->email ? f->email : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->province ? f->province : "", -1, SQLITE_STATIC);
}

enum db_status
dbq_ngo_insert(struct db *db, const struct dbq_ngo_fields *f)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO ngos (id, name_en, name_km, registration_no,"
	                                  " contact_name, phone, email, province)"
	                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

	if (st == NULL)
		return DB_ERROR;
	bind_fields(st, f);
	return db_step_done(st);
}

enum db_status
dbq_ngo_update(struct db *db, const struct dbq_ngo_fields *f)
{
	sqlite3_stmt *st =
	    db_prepare(db, "UPDATE ngos SET name_en = ?2, name_km = ?3, registration_no = ?4,"
	                   " contact_name = ?5, phone = ?6, email = ?7, province = ?8,"
	                   " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	bind_fields(st, f);
	return db_step_one_row(db, st);
}

enum db_status
dbq_ngo_set_active(struct db *db, const char *id, bool active)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE ngos SET active = ?2,"
	                                  " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	                                  " WHERE id = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, active ? 1 : 0);
	return db_step_one_row(db, st);
}

#define NGO_SELECT                                                                                 \
	"SELECT n.id, n.name_en, n.name_km, n.registration_no, n.contact_name, n.phone,"           \
	" n.email, n.province, n.active, k.public_key,"                                            \
	" c.issued_at, c.expires_at, c.used_at, c.revoked_at"                                      \
	" FROM ngos n"                                                                             \
	" LEFT JOIN ngo_keys k ON k.ngo_id = n.id AND k.revoked_at IS NULL"                        \
	" LEFT JOIN enrolment_codes c ON c.rowid = (SELECT rowid FROM enrolment_codes"             \
	"   WHERE ngo_id = n.id ORDER BY issued_at DESC, rowid DESC LIMIT 1)"

static void
copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static void
row_to_ngo(sqlite3_stmt *st, int64_t now, struct dbq_ngo *n)
{
	memset(n, 0, sizeof(*n));
	copy_col(n->id, sizeof(n->id), st, 0);
	copy_col(n->name_en, sizeof(n->name_en), st, 1);
	copy_col(n->name_km, sizeof(n->name_km), st, 2);
	copy_col(n->registration_no, sizeof(n->registration_no), st, 3);
	copy_col(n->contact_name, sizeof(n->contact_name), st, 4);
	copy_col(n->phone, sizeof(n->phone), st, 5);
	copy_col(n->email, sizeof(n->email), st, 6);
	copy_col(n->province, sizeof(n->province), st, 7);
	n->active = sqlite3_column_int(st, 8) != 0;
	if (sqlite3_column_bytes(st, 9) == 32) {
		n->enrolled = true;
		memcpy(n->public_key, sqlite3_column_blob(st, 9), 32);
	}
	if (sqlite3_column_type(st, 10) == SQLITE_NULL)
		strcpy(n->code_status, "none");
	else if (sqlite3_column_type(st, 12) != SQLITE_NULL)
		strcpy(n->code_status, "used");
	else if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		strcpy(n->code_status, "revoked");
	else if (sqlite3_column_int64(st, 11) <= now)
		strcpy(n->code_status, "expired");
	else
		strcpy(n->code_status, "issued");
	n->code_expires_at = sqlite3_column_int64(st, 11);
}

enum db_status
dbq_ngo_get(struct db *db, const char *id, int64_t now, struct dbq_ngo *out)
{
	sqlite3_stmt *st = db_prepare(db, NGO_SELECT " WHERE n.id = ?1");
	enum db_status ret = DB_OK;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_ngo(st, now, out);
	else
		ret = rc == SQLITE_DONE ? DB_NOT_FOUND : db_status_from_rc(rc);
	sqlite3_reset(st);
	return ret;
}

enum db_status
dbq_ngos_each(struct db *db, int64_t now, void (*cb)(void *cls, const struct dbq_ngo *n), void *cls)
{
	sqlite3_stmt *st = db_prepare(db, NGO_SELECT " ORDER BY n.id");
	struct dbq_ngo n;
	int rc;

	if (st == NULL)
		return DB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_ngo(st, now, &n);
		cb(cls, &n);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
dbq_ngo_key_replace(struct db *db, const char *ngo_id, const uint8_t pk[32])
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE ngo_keys SET revoked_at ="
	                                  " strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	                                  " WHERE ngo_id = ?1 AND revoked_at IS NULL");
	enum db_status ret;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	ret = db_step_done(st);
	if (ret != DB_OK)
		return ret;
	st = db_prepare(db, "INSERT INTO ngo_keys (ngo_id, public_key) VALUES (?1, ?2)");
	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_ngo_key_known(struct db *db, const uint8_t pk[32], bool *known)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM ngo_keys WHERE public_key = ?1");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
	return db_step_exists(st, known);
}

enum db_status
dbq_ngo_on_open_roll(struct db *db, const char *ngo_id, bool *on_roll)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM election_roll r"
	                                  " JOIN elections e ON e.id = r.election_id"
	                                  " WHERE r.ngo_id = ?1 AND e.status = 'open'");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, ngo_id, -1, SQLITE_STATIC);
	return db_step_exists(st, on_roll);
}
