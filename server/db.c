/*
 * db.c -- SQLite connections, pragmas, statement cache and the
 * transaction runner.  Worker threads each get their own connection
 * (SQLite connections must not be shared across threads without a
 * mutex, and WAL lets readers run beside the single writer).
 */
#include "db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "migrate.h"

#define DB_STMT_CACHE  96
#define DB_TXN_RETRIES 8

struct db_stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *handle;
	struct db_stmt_slot stmts[DB_STMT_CACHE];
	unsigned nstmts;
	struct db *next; /* in the list of thread connections */
};

static char db_path[4096];
static unsigned db_busy_ms;
static pthread_mutex_t db_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *db_list;
static _Thread_local struct db *db_mine;
static atomic_bool db_failed_flag;

static bool
pragma_text(sqlite3 *h, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	bool ok = false;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);

		ok = (got != NULL && strcmp(got, want) == 0);
	}
	sqlite3_finalize(st);
	return ok;
}

struct db *
db_open(const char *path, unsigned busy_timeout_ms, char *why, size_t whysize)
{
	struct db *db = calloc(1, sizeof(*db));
	int rc;

	if (db == NULL) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	rc =
	    sqlite3_open_v2(path, &db->handle,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, whysize, "cannot open %s: %s", path,
		         db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_busy_timeout(db->handle, (int)busy_timeout_ms);
	/* Durability: WAL with synchronous=FULL fsyncs the WAL on every commit,
	 * so an acknowledged ballot survives power loss. */
	if (!pragma_text(db->handle, "PRAGMA journal_mode=WAL", "wal")) {
		snprintf(why, whysize, "%s: cannot switch to WAL journal mode", path);
		goto fail;
	}
	if (sqlite3_exec(
	        db->handle,
	        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;"
	        " PRAGMA recursive_triggers=ON;",
	        NULL, NULL, NULL) != SQLITE_OK ||
	    !pragma_text(db->handle, "PRAGMA synchronous", "2") ||
	    !pragma_text(db->handle, "PRAGMA foreign_keys", "1") ||
	    !pragma_text(db->handle, "PRAGMA trusted_schema", "0")) {
		snprintf(why, whysize, "%s: cannot set synchronous/foreign_keys/trusted_schema",
		         path);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (unsigned i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i].stmt);
	if (db->handle != NULL && sqlite3_close(db->handle) != SQLITE_OK)
		LOG_BUG("sqlite3_close: %s", sqlite3_errmsg(db->handle));
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->handle;
}

bool
db_init(const char *path, unsigned busy_timeout_ms, char *why, size_t whysize)
{
	struct db *db;
	bool ok;

	if (strlen(path) >= sizeof(db_path)) {
		snprintf(why, whysize, "database path too long");
		return false;
	}
	snprintf(db_path, sizeof(db_path), "%s", path);
	db_busy_ms = busy_timeout_ms;
	db = db_open(path, busy_timeout_ms, why, whysize);
	if (db == NULL)
		return false;
	ok = migrate_run(db->handle, migrate_embedded, migrate_embedded_count, why, whysize);
	db_close(db);
	return ok;
}

struct db *
db_thread(void)
{
	char why[256];

	if (db_mine != NULL)
		return db_mine;
	db_mine = db_open(db_path, db_busy_ms, why, sizeof(why));
	if (db_mine == NULL) {
		LOG_BUG("opening the database for a worker: %s", why);
		return NULL;
	}
	pthread_mutex_lock(&db_list_lock);
	db_mine->next = db_list;
	db_list = db_mine;
	pthread_mutex_unlock(&db_list_lock);
	return db_mine;
}

void
db_shutdown(void)
{
	pthread_mutex_lock(&db_list_lock);
	while (db_list != NULL) {
		struct db *next = db_list->next;

		db_close(db_list);
		db_list = next;
	}
	pthread_mutex_unlock(&db_list_lock);
	db_mine = NULL;
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	for (unsigned i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].sql == sql) {
			st = db->stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		LOG_BUG("prepare failed: %s: %.80s", sqlite3_errmsg(db->handle), sql);
		return NULL;
	}
	if (db->nstmts < DB_STMT_CACHE) {
		db->stmts[db->nstmts].sql = sql;
		db->stmts[db->nstmts].stmt = st;
		db->nstmts++;
	} else {
		/* The cache is sized for every query we have; say so if it is not. */
		LOG_BUG("statement cache full (%d)", DB_STMT_CACHE);
		sqlite3_finalize(db->stmts[0].stmt);
		db->stmts[0].sql = sql;
		db->stmts[0].stmt = st;
	}
	return st;
}

sqlite3_stmt *
db_prepare_keyed(struct db *db, const char *sql, const char *id, int64_t n)
{
	sqlite3_stmt *st = db_prepare(db, sql);

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	return st;
}

uint8_t *
db_column_blob_dup(sqlite3_stmt *st, int col, size_t *len)
{
	const void *blob = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	uint8_t *copy = malloc(n > 0 ? (size_t)n : 1);

	*len = 0;
	if (copy == NULL || (n > 0 && blob == NULL)) {
		free(copy);
		return NULL;
	}
	if (n > 0)
		memcpy(copy, blob, (size_t)n);
	*len = (size_t)n;
	return copy;
}

enum db_status
db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_OK : db_status_from_rc(rc);
}

enum db_status
db_step_one_row(struct db *db, sqlite3_stmt *st)
{
	enum db_status ret = db_step_done(st);

	if (ret == DB_OK && sqlite3_changes(db->handle) != 1)
		ret = DB_NOT_FOUND;
	return ret;
}

enum db_status
db_step_exists(sqlite3_stmt *st, bool *exists)
{
	int rc = sqlite3_step(st);

	*exists = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DB_OK : db_status_from_rc(rc);
}

enum db_status
db_status_from_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_READONLY:
		return DB_IO_ERROR;
	default:
		return DB_ERROR;
	}
}

bool
db_in_transaction(struct db *db)
{
	return db != NULL && db->handle != NULL && !sqlite3_get_autocommit(db->handle);
}

void
db_rollback(struct db *db)
{
	if (db_in_transaction(db))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

static void
backoff(unsigned attempt)
{
	struct timespec ts = {0, (long)(1000000L << (attempt < 5 ? attempt : 5))};

	nanosleep(&ts, NULL);
}

enum db_status
db_txn_run(struct db *db, const char *name, enum db_status (*fn)(struct db *db, void *cls),
           void *cls)
{
	enum db_status st = DB_ERROR;

	if (atomic_load(&db_failed_flag))
		return DB_IO_ERROR;
	for (unsigned attempt = 0; attempt < DB_TXN_RETRIES; attempt++) {
		int rc = sqlite3_exec(db->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL);

		if (rc != SQLITE_OK) {
			st = db_status_from_rc(rc);
			if (st == DB_BUSY) {
				backoff(attempt);
				continue;
			}
			break;
		}
		st = fn(db, cls);
		if (st != DB_OK) {
			db_rollback(db);
			if (st == DB_BUSY) {
				backoff(attempt);
				continue;
			}
			break;
		}
		rc = sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return DB_OK;
		st = db_status_from_rc(rc);
		db_rollback(db);
		if (st == DB_BUSY) {
			backoff(attempt);
			continue;
		}
		break;
	}
	if (st == DB_IO_ERROR) {
		/* We cannot know what reached the disk: refuse writes until an
		 * operator restarts us, rather than retrying a failed fsync. */
		atomic_store(&db_failed_flag, true);
		LOG_BUG("transaction %s: storage failure (%s); refusing writes until restart", name,
		        sqlite3_errmsg(db->handle));
	} else if (st == DB_BUSY) {
		LOG_INFO("transaction %s: still busy after %d attempts", name, DB_TXN_RETRIES);
	} else if (st == DB_ERROR) {
		LOG_BUG("transaction %s failed: %s", name, sqlite3_errmsg(db->handle));
	}
	return st;
}

bool
db_failed(void)
{
	return atomic_load(&db_failed_flag);
}

bool
db_ping(struct db *db)
{
	sqlite3_stmt *st;
	bool ok;

	if (db == NULL || db_failed())
		return false;
	st = db_prepare(db, "SELECT count(*) FROM schema_migrations");
	if (st == NULL)
		return false;
	ok = (sqlite3_step(st) == SQLITE_ROW);
	sqlite3_reset(st);
	return ok;
}
