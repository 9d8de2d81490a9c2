/*
 * migrate.c -- applies the embedded migrations in order.  Each migration
 * runs in its own transaction together with the row that records it, so
 * a crash leaves the database at a whole migration.  The checksum is the
 * SHA-256 of the file as embedded.
 */
#include "migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))";

static void
checksum(const struct migrate_embedded *m, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)m->sql, m->len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* "0007_name" -> 7; 0 if the name does not start with four digits and '_'. */
static unsigned
version_of(const char *name)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(name[i] - '0');
	}
	return name[4] == '_' ? v : 0;
}

/* Whether a statement of sql begins with a transaction-control keyword:
 * one would let part of a migration commit on its own.  Statements are
 * split by SQLite's own tokenizer (sqlite3_complete), so semicolons in
 * strings and comments do not fool it. */
static bool
controls_transaction(const char *sql)
{
	static const char *const words[] = {"BEGIN",    "COMMIT",    "END",
	                                    "ROLLBACK", "SAVEPOINT", "RELEASE"};
	const char *p = sql;

	while (*p != '\0') {
		const char *q = p;
		char *stmt;
		size_t len;

		/* extend q to the end of one complete statement */
		for (;;) {
			const char *semi = strchr(q, ';');

			if (semi == NULL) {
				q = p + strlen(p);
				break;
			}
			q = semi + 1;
			stmt = strndup(p, (size_t)(q - p));
			if (stmt == NULL)
				return true;
			len = (size_t)sqlite3_complete(stmt);
			free(stmt);
			if (len != 0)
				break;
		}
		/* skip blanks and -- comments before the first keyword */
		while (p < q) {
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				p++;
			} else if (p[0] == '-' && p[1] == '-') {
				while (p < q && *p != '\n')
					p++;
			} else {
				break;
			}
		}
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t n = strlen(words[i]);

			if ((size_t)(q - p) >= n && strncasecmp(p, words[i], n) == 0 &&
			    !isalnum((unsigned char)p[n]) && p[n] != '_')
				return true;
		}
		p = q;
	}
	return false;
}

static bool
apply_one(sqlite3 *db, const struct migrate_embedded *m, unsigned version, char *why,
          size_t whysize)
{
	char sum[65], *sql = NULL, *err = NULL;
	sqlite3_stmt *st = NULL;
	bool ok = false;

	checksum(m, sum);
	sql = malloc(m->len + 1);
	if (sql == NULL) {
		snprintf(why, whysize, "out of memory");
		return false;
	}
	memcpy(sql, m->sql, m->len);
	sql[m->len] = '\0';
	if (controls_transaction(sql)) {
		snprintf(why, whysize,
		         "migration %s contains BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT or "
		         "RELEASE; the runner gives each migration its own transaction",
		         m->name);
		goto out;
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
		goto out;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		goto rollback;
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO schema_migrations (version, name, checksum)"
	                       " VALUES (?1, ?2, ?3)",
	                       -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int(st, 1, (int)version);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sum, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
		goto rollback;
	ok = true;
	goto out;
rollback:
	snprintf(why, whysize, "migration %s failed: %s", m->name, err ? err : sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	if (!ok && why[0] == '\0')
		snprintf(why, whysize, "migration %s failed: %s", m->name,
		         err ? err : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_free(err);
	free(sql);
	return ok;
}

bool
migrate_run(sqlite3 *db, const struct migrate_embedded *list, unsigned count, char *why,
            size_t whysize)
{
	sqlite3_stmt *st = NULL;
	unsigned applied = 0;
	bool ok = false;
	int rc;

	why[0] = '\0';
	for (unsigned i = 0; i < count; i++) {
		if (version_of(list[i].name) != i + 1) {
			snprintf(why, whysize,
			         "embedded migration %s is out of sequence (expected %04u_...)",
			         list[i].name, i + 1);
			return false;
		}
	}
	if (sqlite3_exec(db, create_table_sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(why, whysize, "cannot create schema_migrations: %s", sqlite3_errmsg(db));
		return false;
	}
	if (sqlite3_prepare_v2(db,
	                       "SELECT version, name, checksum FROM schema_migrations"
	                       " ORDER BY version",
	                       -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, whysize, "cannot read schema_migrations: %s", sqlite3_errmsg(db));
		return false;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned version = (unsigned)sqlite3_column_int(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sum = (const char *)sqlite3_column_text(st, 2);
		char want[65];

		if (version > count) {
			snprintf(why, whysize,
			         "the database is newer than this binary: it has migration %s, "
			         "the binary knows up to %04u; run a newer ngo-voted",
			         name ? name : "?", count);
			goto out;
		}
		if (version != applied + 1) {
			snprintf(why, whysize,
			         "the database's migrations have a gap: %04u follows %04u; "
			         "restore a backup",
			         version, applied);
			goto out;
		}
		checksum(&list[version - 1], want);
		if (sum == NULL || strcmp(sum, want) != 0 || name == NULL ||
		    strcmp(name, list[version - 1].name) != 0) {
			snprintf(why, whysize,
			         "migration %s was edited after it was applied (checksum %.12s "
			         "in the database, %.12s in the binary); migrations must never "
			         "change: add a new one",
			         list[version - 1].name, sum ? sum : "?", want);
			goto out;
		}
		applied = version;
	}
	if (rc != SQLITE_DONE) {
		snprintf(why, whysize, "reading schema_migrations: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (unsigned v = applied + 1; v <= count; v++)
		if (!apply_one(db, &list[v - 1], v, why, whysize))
			goto out;
	ok = true;
out:
	sqlite3_finalize(st);
	return ok;
}
