/*
 * migrate.h -- schema migrations: migrations/NNNN_name.sql, embedded at
 * build time, each applied in its own transaction and recorded with its
 * SHA-256.  Refuses an edited migration, a gap, or a newer database.
 */
#ifndef NGO_VOTE_MIGRATE_H
#define NGO_VOTE_MIGRATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct migrate_embedded {
	const char *name; /* "0001_init": NNNN is its version */
	const char *sql;
	size_t len;
};

/* The list built from migrations/ (generated file), ends with {0}. */
extern const struct migrate_embedded migrate_embedded[];
extern const unsigned migrate_embedded_count;

/* Brings db up to the last of list[0..count).  False with a message. */
bool migrate_run(sqlite3 *db, const struct migrate_embedded *list, unsigned count, char *why,
                 size_t whysize);

#endif
