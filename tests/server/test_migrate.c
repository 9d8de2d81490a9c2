/*
 * test_migrate.c -- the migration runner against SQLite handles opened
 * here, with synthetic migration lists (so every refusal can be staged),
 * and the real embedded list on an empty file: it applies, and the board
 * triggers make board_events append-only.
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"

Suite *migrate_suite(void);

#define M(name, sql)                                                                               \
	{                                                                                          \
		(name), (sql), sizeof(sql) - 1                                                     \
	}

/* 64 bytes of 0xbb as hex, for a ballot_hash */
#define HEX128_B                                                                                   \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"                         \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Three plain migrations; none of them could run twice (CREATE TABLE
 * without IF NOT EXISTS), so a second application would show. */
static const struct migrate_embedded three[] = {
    M("0001_a", "CREATE TABLE a (x INTEGER);"),
    M("0002_b", "CREATE TABLE b (y TEXT); INSERT INTO b VALUES ('seed');"),
    M("0003_c", "CREATE TABLE c (z BLOB);\nCREATE INDEX c_z ON c (z);"),
};

static sqlite3 *
open_memory(void)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	return db;
}

/* The single integer a query returns (-1 for no row). */
static long long
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool
table_exists(sqlite3 *db, const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", name);
	return query_int(db, sql) == 1;
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql,
	              err ? err : "?");
}

static void
sha256_hex(const char *sql, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)sql, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Asserts schema_migrations holds exactly list[0..n), with checksums. */
static void
expect_recorded(sqlite3 *db, const struct migrate_embedded *list, unsigned n)
{
	sqlite3_stmt *st = NULL;
	unsigned i = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
	                                    "SELECT version, name, checksum, applied_at"
	                                    " FROM schema_migrations ORDER BY version",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char want[65];
		const char *at = (const char *)sqlite3_column_text(st, 3);

		ck_assert_uint_lt(i, n);
		ck_assert_int_eq(sqlite3_column_int(st, 0), (int)i + 1);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), list[i].name);
		sha256_hex(list[i].sql, list[i].len, want);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), want);
		/* 2026-01-02T03:04:05Z */
		ck_assert_ptr_nonnull(at);
		ck_assert_uint_eq(strlen(at), 20);
		ck_assert_int_eq(at[10], 'T');
		ck_assert_int_eq(at[19], 'Z');
		i++;
	}
	sqlite3_finalize(st);
	ck_assert_uint_eq(i, n);
}

static void
run_ok(sqlite3 *db, const struct migrate_embedded *list, unsigned n)
{
	char why[512] = "";

	ck_assert_msg(migrate_run(db, list, n, why, sizeof(why)), "migrate_run: %s", why);
}

/* Runs and expects refusal with a message containing each of the words. */
static void
run_refused(sqlite3 *db, const struct migrate_embedded *list, unsigned n, const char *word1,
            const char *word2)
{
	char why[512] = "";

	ck_assert_msg(!migrate_run(db, list, n, why, sizeof(why)), "migrate_run accepted");
	ck_assert_msg(why[0] != '\0', "refused without a message");
	ck_assert_msg(strstr(why, word1) != NULL, "message lacks '%s': %s", word1, why);
	if (word2 != NULL)
		ck_assert_msg(strstr(why, word2) != NULL, "message lacks '%s': %s", word2, why);
}

START_TEST(empty_to_latest)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 3);
	expect_recorded(db, three, 3);
	ck_assert(table_exists(db, "a"));
	ck_assert(table_exists(db, "b"));
	ck_assert(table_exists(db, "c"));
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM b"), 1);
	ck_assert_int_eq(
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='c_z'"),
	    1);
	/* no transaction left open */
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(empty_list)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 0);
	ck_assert(table_exists(db, "schema_migrations"));
	expect_recorded(db, three, 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(second_run_is_noop)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 3);
	exec_ok(db, "UPDATE schema_migrations SET applied_at = '2000-01-01T00:00:00Z'");
	/* would fail on CREATE TABLE a, or add a second 'seed' row */
	run_ok(db, three, 3);
	run_ok(db, three, 3);
	expect_recorded(db, three, 3);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM b"), 1);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"
	                               " WHERE applied_at = '2000-01-01T00:00:00Z'"),
	                 3);
	sqlite3_close(db);
}
END_TEST

START_TEST(incremental)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 1);
	expect_recorded(db, three, 1);
	ck_assert(table_exists(db, "a"));
	ck_assert(!table_exists(db, "b"));
	run_ok(db, three, 3);
	expect_recorded(db, three, 3);
	ck_assert(table_exists(db, "c"));
	sqlite3_close(db);
}
END_TEST

START_TEST(only_len_bytes_count)
{
	/* the embedded text is (sql, len), not a C string: bytes past len are
	 * neither run nor hashed */
	static const char text[] = "CREATE TABLE a (x INTEGER);CREATE TABLE junk (q);";
	const struct migrate_embedded one[] = {{"0001_a", text, 27}};
	sqlite3 *db = open_memory();

	run_ok(db, one, 1);
	ck_assert(table_exists(db, "a"));
	ck_assert(!table_exists(db, "junk"));
	expect_recorded(db, one, 1);
	sqlite3_close(db);
}
END_TEST

START_TEST(edited_refused)
{
	const struct migrate_embedded edited[] = {
	    three[0],
	    M("0002_b", "CREATE TABLE b (y TEXT); INSERT INTO b VALUES ('seed2');"),
	    three[2],
	};
	const struct migrate_embedded whitespace[] = {
	    three[0],
	    M("0002_b", "CREATE TABLE b (y TEXT);  INSERT INTO b VALUES ('seed');"),
	};
	sqlite3 *db = open_memory();

	run_ok(db, three, 2);
	run_refused(db, edited, 3, "edited", "0002_b");
	/* even one byte of whitespace is an edit */
	run_refused(db, whitespace, 2, "edited", "0002_b");
	/* nothing was applied past the refusal */
	ck_assert(!table_exists(db, "c"));
	expect_recorded(db, three, 2);
	sqlite3_close(db);
}
END_TEST

START_TEST(checksum_row_tampered_refused)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 3);
	exec_ok(db, "UPDATE schema_migrations SET checksum = upper(checksum) WHERE version = 1");
	run_refused(db, three, 3, "edited", "0001_a");
	sqlite3_close(db);
}
END_TEST

START_TEST(renamed_refused)
{
	const struct migrate_embedded renamed[] = {
	    three[0],
	    {"0002_bee", three[1].sql, three[1].len},
	};
	sqlite3 *db = open_memory();

	run_ok(db, three, 2);
	run_refused(db, renamed, 2, "edited", NULL);
	sqlite3_close(db);
}
END_TEST

START_TEST(newer_refused)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 3);
	run_refused(db, three, 2, "newer", "0003_c");
	run_refused(db, three, 0, "newer", "0001_a");
	/* refusing changed nothing */
	expect_recorded(db, three, 3);
	sqlite3_close(db);
}
END_TEST

START_TEST(newer_beyond_unknown_versions_refused)
{
	sqlite3 *db = open_memory();

	/* A version this binary has never heard of: whatever lies between, the
	 * database was written by a newer binary, and the operator's fix is to
	 * run that binary, not to restore a backup. */
	run_ok(db, three, 2);
	exec_ok(db, "INSERT INTO schema_migrations (version, name, checksum)"
	            " VALUES (9999, '9999_future', 'x')");
	run_refused(db, three, 2, "newer", NULL);
	sqlite3_close(db);
}
END_TEST

START_TEST(gap_refused)
{
	sqlite3 *db = open_memory();

	run_ok(db, three, 3);
	exec_ok(db, "DELETE FROM schema_migrations WHERE version = 2");
	run_refused(db, three, 3, "gap", "0003");
	sqlite3_close(db);
	/* the first version missing is a gap too */
	db = open_memory();
	run_ok(db, three, 3);
	exec_ok(db, "DELETE FROM schema_migrations WHERE version = 1");
	run_refused(db, three, 3, "gap", "0002");
	sqlite3_close(db);
}
END_TEST

START_TEST(out_of_sequence_refused)
{
	const struct migrate_embedded skip[] = {three[0], three[2]};
	const struct migrate_embedded swapped[] = {three[1], three[0]};
	const struct migrate_embedded dup[] = {three[0], M("0001_again", "SELECT 1;")};
	const struct migrate_embedded zero[] = {M("0000_zero", "SELECT 1;")};
	const struct migrate_embedded noname[] = {M("init", "SELECT 1;")};
	const struct migrate_embedded nounder[] = {M("0001a", "SELECT 1;")};
	const struct migrate_embedded short_num[] = {M("001_a", "SELECT 1;")};
	sqlite3 *db = open_memory();

	run_refused(db, skip, 2, "out of sequence", "0003_c");
	run_refused(db, swapped, 2, "out of sequence", NULL);
	run_refused(db, dup, 2, "out of sequence", "0001_again");
	run_refused(db, zero, 1, "out of sequence", NULL);
	run_refused(db, noname, 1, "out of sequence", NULL);
	run_refused(db, nounder, 1, "out of sequence", NULL);
	run_refused(db, short_num, 1, "out of sequence", NULL);
	/* refused before touching the database */
	ck_assert(!table_exists(db, "schema_migrations"));
	ck_assert(!table_exists(db, "a"));
	sqlite3_close(db);
}
END_TEST

START_TEST(failing_migration_atomic)
{
	const struct migrate_embedded bad[] = {
	    three[0],
	    M("0002_bad", "CREATE TABLE b (y TEXT);\n"
	                  "INSERT INTO b VALUES ('half');\n"
	                  "INSERT INTO no_such_table VALUES (1);\n"
	                  "CREATE TABLE b2 (q);"),
	    three[2],
	};
	sqlite3 *db = open_memory();

	run_refused(db, bad, 3, "0002_bad", "no_such_table");
	/* the earlier migration is kept, the failing one left no trace, the
	 * later one did not run */
	ck_assert(table_exists(db, "a"));
	ck_assert(!table_exists(db, "b"));
	ck_assert(!table_exists(db, "b2"));
	ck_assert(!table_exists(db, "c"));
	expect_recorded(db, bad, 1);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);
	/* fixing the list (as a new binary would) lets it continue */
	run_ok(db, three, 3);
	expect_recorded(db, three, 3);
	sqlite3_close(db);
}
END_TEST

START_TEST(failing_syntax_atomic)
{
	const struct migrate_embedded bad[] = {
	    M("0001_bad", "CREATE TABLE t (x); CREATE TABLE"),
	};
	sqlite3 *db = open_memory();

	run_refused(db, bad, 1, "0001_bad", NULL);
	ck_assert(!table_exists(db, "t"));
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"), 0);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);
	sqlite3_close(db);
}
END_TEST

/* A migration that ends the transaction itself (a stray COMMIT) must not
 * leave half of itself behind: the runner's promise is a whole migration
 * or none.  (An authorizer denying SQLITE_TRANSACTION while the migration
 * runs would enforce it.) */
START_TEST(migration_with_own_commit_atomic)
{
	const struct migrate_embedded fails_after_commit[] = {
	    M("0001_sneaky", "CREATE TABLE t (x); COMMIT; INSERT INTO no_such_table VALUES (1);"),
	};
	const struct migrate_embedded succeeds_after_commit[] = {
	    M("0001_sneaky", "CREATE TABLE t (x); COMMIT; CREATE TABLE u (y);"),
	};
	sqlite3 *db = open_memory();

	run_refused(db, fails_after_commit, 1, "0001_sneaky", NULL);
	ck_assert_int_ne(sqlite3_get_autocommit(db), 0);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"), 0);
	ck_assert_msg(!table_exists(db, "t"), "a failed migration left table t behind");
	sqlite3_close(db);

	/* refused or not, a migration is recorded only if the runner says so */
	db = open_memory();
	{
		char why[512] = "";
		bool ok = migrate_run(db, succeeds_after_commit, 1, why, sizeof(why));

		ck_assert_msg(ok == (query_int(db, "SELECT count(*) FROM schema_migrations") == 1),
		              "migrate_run said %s (%s) but the record says otherwise",
		              ok ? "yes" : "no", why);
	}
	sqlite3_close(db);
}
END_TEST

/* ---- the real migrations ------------------------------------------------- */

/* One folder per test case, made and removed by the runner itself (an
 * unchecked fixture), so a failing test leaves nothing behind in /tmp. */
static char tmp_root[64];

static void
tmp_root_make(void)
{
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/ngo-vote-migrate-XXXXXX");
	if (mkdtemp(tmp_root) == NULL)
		tmp_root[0] = '\0';
}

static void
tmp_root_remove(void)
{
	char cmd[128];

	if (tmp_root[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp_root);
}

static void
temp_db_path(char *out, size_t outsize)
{
	char dir[128];

	ck_assert_msg(tmp_root[0] != '\0', "no temporary folder");
	snprintf(dir, sizeof(dir), "%s/db-XXXXXX", tmp_root);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, outsize, "%s/test.sqlite", dir);
}

static void
remove_db(const char *path)
{
	char p[512];
	const char *suffix[] = {"", "-wal", "-shm"};

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s", path);
	*strrchr(p, '/') = '\0';
	rmdir(p);
}

START_TEST(embedded_list_well_formed)
{
	ck_assert_uint_ge(migrate_embedded_count, 1);
	for (unsigned i = 0; i < migrate_embedded_count; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%04u_", i + 1);
		ck_assert_ptr_nonnull(migrate_embedded[i].name);
		ck_assert_msg(strncmp(migrate_embedded[i].name, want, 5) == 0, "%s",
		              migrate_embedded[i].name);
		ck_assert_uint_gt(migrate_embedded[i].len, 0);
		/* the generator NUL-terminates after len */
		ck_assert_int_eq(migrate_embedded[i].sql[migrate_embedded[i].len], '\0');
		ck_assert_uint_eq(strlen(migrate_embedded[i].sql), migrate_embedded[i].len);
	}
	ck_assert_str_eq(migrate_embedded[0].name, "0001_board");
	ck_assert_ptr_null(migrate_embedded[migrate_embedded_count].name);
}
END_TEST

START_TEST(embedded_applies_on_empty_file)
{
	char path[256], why[512] = "";
	sqlite3 *db = NULL;

	temp_db_path(path, sizeof(path));
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(migrate_run(db, migrate_embedded, migrate_embedded_count, why, sizeof(why)),
	              "%s", why);
	expect_recorded(db, migrate_embedded, migrate_embedded_count);
	ck_assert(table_exists(db, "elections"));
	ck_assert(table_exists(db, "board_events"));
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='trigger'"
	                               " AND tbl_name='board_events' AND name IN"
	                               " ('board_events_no_update', 'board_events_no_delete')"),
	                 2);
	/* and again: nothing to do */
	ck_assert_msg(migrate_run(db, migrate_embedded, migrate_embedded_count, why, sizeof(why)),
	              "%s", why);
	expect_recorded(db, migrate_embedded, migrate_embedded_count);
	sqlite3_close(db);
	remove_db(path);
}
END_TEST

static int
exec_rc(sqlite3 *db, const char *sql, char **msg)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	*msg = err;
	return rc;
}

START_TEST(board_is_append_only)
{
	char path[256], why[512] = "";
	struct db *d;
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	temp_db_path(path, sizeof(path));
	ck_assert_msg(db_init(path, 1000, why, sizeof(why)), "%s", why);
	d = db_open(path, 1000, why, sizeof(why));
	ck_assert_msg(d != NULL, "%s", why);
	db = db_handle(d);
	exec_ok(db, "INSERT INTO elections (id) VALUES ('agm-2026')");
	exec_ok(db, "INSERT INTO board_events (election_id, n, type, at, data, hash)"
	            " VALUES ('agm-2026', 0, 'manifest', '2026-01-01T00:00:00Z', x'00',"
	            " zeroblob(64))");
	exec_ok(db, "INSERT INTO board_events (election_id, n, type, at, data, hash)"
	            " VALUES ('agm-2026', 1, 'open', '2026-01-01T00:00:01Z', x'01',"
	            " zeroblob(64))");

	rc = exec_rc(db, "UPDATE board_events SET data = x'ff' WHERE n = 0", &msg);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);
	ck_assert_msg(msg != NULL && strstr(msg, "append-only") != NULL, "%s", msg ? msg : "-");
	sqlite3_free(msg);
	rc = exec_rc(db, "UPDATE board_events SET n = n + 10", &msg);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);
	sqlite3_free(msg);
	rc = exec_rc(db, "DELETE FROM board_events WHERE n = 1", &msg);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);
	ck_assert_msg(msg != NULL && strstr(msg, "append-only") != NULL, "%s", msg ? msg : "-");
	sqlite3_free(msg);
	rc = exec_rc(db, "DELETE FROM board_events", &msg);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);
	sqlite3_free(msg);
	/* the rows are as inserted */
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM board_events"), 2);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM board_events"
	                               " WHERE n = 0 AND data = x'00'"),
	                 1);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM board_events"
	                               " WHERE n = 1 AND data = x'01'"),
	                 1);
	/* appending still works, and foreign keys are on (db_open's pragma) */
	exec_ok(db, "INSERT INTO board_events (election_id, n, type, at, data, hash)"
	            " VALUES ('agm-2026', 2, 'close', '2026-01-01T00:00:02Z', x'02',"
	            " zeroblob(64))");
	rc = exec_rc(db,
	             "INSERT INTO board_events (election_id, n, type, at, data, hash)"
	             " VALUES ('nope', 0, 'manifest', '2026-01-01T00:00:00Z', x'00',"
	             " zeroblob(64))",
	             &msg);
	ck_assert_int_eq(rc & 0xff, SQLITE_CONSTRAINT);
	sqlite3_free(msg);
	db_close(d);
	remove_db(path);
}
END_TEST

/* REPLACE deletes the conflicting row without firing DELETE triggers
 * (unless recursive_triggers is on), so it must be stopped some other way:
 * a board event, once written, never changes. */
START_TEST(board_replace_refused)
{
	char path[256], why[512] = "";
	struct db *d;
	sqlite3 *db;
	char *msg = NULL;
	long long kept0, kept1;
	int rc, rc0;

	temp_db_path(path, sizeof(path));
	ck_assert_msg(db_init(path, 1000, why, sizeof(why)), "%s", why);
	d = db_open(path, 1000, why, sizeof(why));
	ck_assert_msg(d != NULL, "%s", why);
	db = db_handle(d);
	exec_ok(db, "INSERT INTO elections (id) VALUES ('agm-2026')");
	exec_ok(db, "INSERT INTO board_events (election_id, n, type, at, data, hash, ballot_hash)"
	            " VALUES ('agm-2026', 0, 'manifest', '2026-01-01T00:00:00Z', x'00',"
	            " zeroblob(64), NULL)");
	exec_ok(db, "INSERT INTO board_events (election_id, n, type, at, data, hash, ballot_hash)"
	            " VALUES ('agm-2026', 1, 'ballot', '2026-01-01T00:00:01Z', x'01',"
	            " zeroblob(64), x'" HEX128_B "')");
	/* same (election_id, n) */
	rc = exec_rc(db,
	             "INSERT OR REPLACE INTO board_events (election_id, n, type, at, data, hash)"
	             " VALUES ('agm-2026', 0, 'manifest', '2026-01-01T00:00:00Z', x'ee',"
	             " zeroblob(64))",
	             &msg);
	sqlite3_free(msg);
	kept0 = query_int(db, "SELECT count(*) FROM board_events WHERE n = 0 AND data = x'00'");
	rc0 = rc;
	/* same ballot_hash at another n: REPLACE would drop event 1 */
	rc = exec_rc(db,
	             "REPLACE INTO board_events (election_id, n, type, at, data, hash, ballot_hash)"
	             " VALUES ('agm-2026', 2, 'ballot', '2026-01-01T00:00:02Z', x'02',"
	             " zeroblob(64), x'" HEX128_B "')",
	             &msg);
	sqlite3_free(msg);
	kept1 = query_int(db, "SELECT count(*) FROM board_events WHERE n = 1");
	db_close(d);
	remove_db(path);
	ck_assert_msg(kept0 == 1, "INSERT OR REPLACE overwrote board event 0");
	ck_assert_int_ne(rc0, SQLITE_OK);
	ck_assert_msg(kept1 == 1, "REPLACE on ballot_hash deleted board event 1");
	ck_assert_int_ne(rc, SQLITE_OK);
}
END_TEST

Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *syn = tcase_create("synthetic");
	TCase *real = tcase_create("embedded");

	tcase_add_test(syn, empty_to_latest);
	tcase_add_test(syn, empty_list);
	tcase_add_test(syn, second_run_is_noop);
	tcase_add_test(syn, incremental);
	tcase_add_test(syn, only_len_bytes_count);
	tcase_add_test(syn, edited_refused);
	tcase_add_test(syn, checksum_row_tampered_refused);
	tcase_add_test(syn, renamed_refused);
	tcase_add_test(syn, newer_refused);
	tcase_add_test(syn, newer_beyond_unknown_versions_refused);
	tcase_add_test(syn, gap_refused);
	tcase_add_test(syn, out_of_sequence_refused);
	tcase_add_test(syn, failing_migration_atomic);
	tcase_add_test(syn, failing_syntax_atomic);
	tcase_add_test(syn, migration_with_own_commit_atomic);
	suite_add_tcase(s, syn);

	tcase_add_test(real, embedded_list_well_formed);
	tcase_add_test(real, embedded_applies_on_empty_file);
	tcase_add_test(real, board_is_append_only);
	tcase_add_test(real, board_replace_refused);
	tcase_add_unchecked_fixture(real, tmp_root_make, tmp_root_remove);
	tcase_set_timeout(real, 30);
	suite_add_tcase(s, real);
	return s;
}
