/*
 * dbq_audit.h -- the append-only audit log: who did what, when.
 */
#ifndef NGO_VOTE_DBQ_AUDIT_H
#define NGO_VOTE_DBQ_AUDIT_H

#include "db.h"

struct dbq_audit_entry {
	const char *at, *actor, *action, *target, *detail;
};

/* Appends an entry inside the caller's transaction. */
enum db_status dbq_audit_add(struct db *db, const char *actor, const char *action,
                             const char *target, const char *detail);
/* The newest `limit` entries, newest first. */
enum db_status dbq_audit_each(struct db *db, unsigned limit,
                              void (*cb)(void *cls, const struct dbq_audit_entry *e), void *cls);

#endif
