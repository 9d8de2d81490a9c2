/*
 * db.h -- the store's connection layer: opening SQLite with the pragmas
 * we rely on, one connection per worker thread, a per-connection cache of
 * prepared statements, and the one transaction runner.
 *
 * Only db.c, migrate.c and dbq_*.c contain SQL.
 */
#ifndef NGO_VOTE_DB_H
#define NGO_VOTE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

enum db_status {
	DB_OK = 0,
	DB_ROLLBACK,  /* a business rule said no: roll back, report it */
	DB_NOT_FOUND, /* the row asked for does not exist */
	DB_CONFLICT,  /* a uniqueness or state conflict */
	DB_BUSY,      /* locked: the runner retries a bounded number of times */
	DB_ERROR,     /* our bug or a corrupt database */
	DB_IO_ERROR,  /* the disk failed: nothing was stored */
};

/* Opens (creating if needed) the database, applies migrations and keeps
 * the settings for the per-thread connections.  Returns false with a
 * message in why. */
bool db_init(const char *path, unsigned busy_timeout_ms, char *why, size_t whysize);
/* Closes every connection; call after the last worker thread stopped. */
void db_shutdown(void);

/* The calling thread's connection, opened on first use; NULL on failure. */
struct db *db_thread(void);
/* Opens a connection not tied to a thread (tests, tools); db_close() it. */
struct db *db_open(const char *path, unsigned busy_timeout_ms, char *why, size_t whysize);
void db_close(struct db *db);
sqlite3 *db_handle(struct db *db);

/* A cached, reset, unbound statement for sql (which must be a string
 * literal: the cache keys on it).  NULL on error (logged). */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);
/* db_prepare() with ?1 bound to id and ?2 to n: the key of an election's
 * numbered rows (ceremony attempts, dry runs, board events).  id is bound
 * without a copy: it must outlive the statement's use. */
sqlite3_stmt *db_prepare_keyed(struct db *db, const char *sql, const char *id, int64_t n);
/* A malloc'd copy of a BLOB column of the current row (one byte is
 * allocated for an empty one), its length in *len; NULL when out of
 * memory. */
uint8_t *db_column_blob_dup(sqlite3_stmt *st, int col, size_t *len);
/* Steps a statement that returns no row, resets it, maps the result. */
enum db_status db_step_done(sqlite3_stmt *st);
/* Like db_step_done for an UPDATE or DELETE meant to touch exactly one
 * row: DB_NOT_FOUND when it touched none (or more). */
enum db_status db_step_one_row(struct db *db, sqlite3_stmt *st);
/* Steps a query and says whether it returned a row; resets it. */
enum db_status db_step_exists(sqlite3_stmt *st, bool *exists);
/* Maps an SQLite result code to a status. */
enum db_status db_status_from_rc(int rc);

/* Runs fn inside BEGIN IMMEDIATE ... COMMIT, retrying on busy.  fn's
 * status other than DB_OK rolls back and is returned.  name is for logs. */
enum db_status db_txn_run(struct db *db, const char *name,
                          enum db_status (*fn)(struct db *db, void *cls), void *cls);

/* True when the connection is inside a transaction (a bug after a request). */
bool db_in_transaction(struct db *db);
/* Rolls back a transaction a request left open. */
void db_rollback(struct db *db);

/* After a failed write or fsync the store refuses further writes until a
 * restart: a failed fsync is never retried as if it had succeeded. */
bool db_failed(void);
/* 0 when the database answers a query. */
bool db_ping(struct db *db);

#endif
