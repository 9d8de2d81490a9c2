/*
 * dbq_audit.c -- the audit_log table.
 */
#include "dbq_audit.h"

enum db_status
dbq_audit_add(struct db *db, const char *actor, const char *action, const char *target,
              const char *detail)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO audit_log (actor, action, target, detail)"
	                                  " VALUES (?1, ?2, ?3, ?4)");

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	return db_step_done(st);
}

enum db_status
dbq_audit_each(struct db *db, unsigned limit,
               void (*cb)(void *cls, const struct dbq_audit_entry *e), void *cls)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT at, actor, action, coalesce(target, ''),"
	                                  " coalesce(detail, '') FROM audit_log"
	                                  " ORDER BY id DESC LIMIT ?1");
	int rc;

	if (st == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct dbq_audit_entry e = {
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4),
		};
		cb(cls, &e);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}
