/*
 * test_board.c -- the board store and the record endpoint.
 *
 * The example record of the spec is loaded into a real database through
 * the store's append path (which recomputes every h_n), then the daemon
 * serves it back: the bytes must equal the spec's file, head included
 * (Ed25519 is deterministic and the test uses the spec's server seed).
 */
#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_group.h"
#include "db.h"
#include "dbq_board.h"
#include "dbq_elections.h"
#include "encoding.h"
#include "helpers.h"
#include "migrate.h"
#include "protocol_record.h"

Suite *board_suite(void);

#define SPEC_RECORD  "tests/spec/record-open.jsonl"
#define SPEC_RECEIPT "tests/spec/receipt-open.json"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct db *
open_migrated(const char *path)
{
	char why[256];
	struct db *db = db_open(path, 5000, why, sizeof(why));

	ck_assert_msg(db != NULL, "%s", why);
	ck_assert_msg(
	    migrate_run(db_handle(db), migrate_embedded, migrate_embedded_count, why, sizeof(why)),
	    "%s", why);
	return db;
}

struct load_ctx {
	char *text;
	size_t len;
	const char *election_id;
};

/* Appends every event of the spec record through the store, checking
 * that the h_n the store computes equals the record's. */
static enum db_status
load_record(struct db *db, void *cls)
{
	struct load_ctx *lc = cls;
	char *line = lc->text, *end;
	bool have_hash = false;
	uint8_t election_hash[64];

	ck_assert_int_eq(dbq_election_insert(db, lc->election_id), DB_OK);
	while ((end = memchr(line, '\n', lc->len - (size_t)(line - lc->text))) != NULL) {
		struct protocol_record_line l;
		const char *why = NULL;
		size_t len = (size_t)(end - line);
		char *copy = strndup(line, len);

		ck_assert_msg(protocol_record_parse_line(copy, len, &l, &why), "%s", why);
		if (l.kind == PROTOCOL_RECORD_EVENT) {
			uint8_t h[64];
			uint32_t n;

			ck_assert_int_eq(dbq_board_append(db, lc->election_id, l.type, l.at, l.data,
			                                  l.data_len, NULL, &n, h),
			                 DB_OK);
			ck_assert_uint_eq(n, l.n);
			ck_assert_mem_eq(h, l.hash, 64);
			if (l.type == PROTOCOL_EVENT_OPEN) {
				memcpy(election_hash, l.data, 64);
				have_hash = true;
			}
		}
		protocol_record_line_clear(&l);
		free(copy);
		line = end + 1;
	}
	ck_assert(have_hash);
	ck_assert_int_eq(dbq_election_set_hash(db, lc->election_id, election_hash), DB_OK);
	ck_assert_int_eq(dbq_election_set_status(db, lc->election_id, DBQ_ELECTION_CLOSED), DB_OK);
	return DB_OK;
}

/* Prepares a daemon folder holding the spec's example election. */
static void
prepare_spec_election(struct test_daemon *d)
{
	struct load_ctx lc = {.election_id = "assembly-2009"};
	char keypath[400], hex[65];
	uint8_t seed[32];
	struct db *db;
	FILE *f;

	test_daemon_prepare(d);
	pgroup_test_seed("server", seed);
	encoding_hex_encode(seed, 32, hex);
	snprintf(keypath, sizeof(keypath), "%s/server.key", d->dir);
	f = fopen(keypath, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", hex);
	fclose(f);
	ck_assert_int_eq(chmod(keypath, 0600), 0);
	lc.text = slurp(SPEC_RECORD, &lc.len);
	db = open_migrated(d->db);
	ck_assert_int_eq(db_txn_run(db, "load-spec-record", load_record, &lc), DB_OK);
	db_close(db);
	free(lc.text);
}

START_TEST(record_served_byte_for_byte)
{
	struct test_daemon d;
	struct test_http r;
	char ct[64], path[400], cmd[2048], verify[1024];
	size_t want_len;
	char *want = slurp(SPEC_RECORD, &want_len);
	FILE *f;

	prepare_spec_election(&d);
	test_daemon_launch(&d, NULL);
	test_http_get(&d, "/api/elections/assembly-2009/record", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(test_http_header(&r, "Content-Type", ct, sizeof(ct)));
	ck_assert_str_eq(ct, "application/jsonl");
	/* the reply is chunked: undo the framing before comparing */
	{
		char *out = malloc(r.body_len + 1), *p = r.body;
		size_t o = 0;
		unsigned long chunk;

		ck_assert_ptr_nonnull(out);
		while ((chunk = strtoul(p, &p, 16)) > 0) {
			p += 2;
			memcpy(out + o, p, chunk);
			o += chunk;
			p += chunk + 2;
		}
		ck_assert_uint_eq(o, want_len);
		ck_assert(memcmp(out, want, want_len) == 0);
		snprintf(path, sizeof(path), "%s/downloaded.jsonl", d.dir);
		f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		fwrite(out, 1, o, f);
		fclose(f);
		free(out);
	}
	/* and the auditor's verifier accepts what the server published */
	test_binary("ngo-vote-verify", verify, sizeof(verify));
	snprintf(cmd, sizeof(cmd), "%s %s > %s/verify.out 2>&1", verify, path, d.dir);
	ck_assert_int_eq(test_run(cmd), 0);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
	free(want);
}
END_TEST

START_TEST(record_errors)
{
	struct test_daemon d;
	struct test_http r;

	prepare_spec_election(&d);
	test_daemon_launch(&d, NULL);
	test_http_get(&d, "/api/elections/nope/record", &r);
	test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
	test_http_free(&r);
	test_http_do(&d, "POST", "/api/elections/assembly-2009/record", NULL, "", 0, &r);
	test_http_expect_error(&r, 405, "METHOD_NOT_ALLOWED");
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

static void
post_receipt(struct test_daemon *d, const struct protocol_receipt *rc, const char *verdict,
             bool held)
{
	char *json = protocol_receipt_to_json(rc);
	struct test_http r;
	json_t *j;

	ck_assert_ptr_nonnull(json);
	test_http_post_json(d, "/api/elections/assembly-2009/receipts/check", json, &r);
	ck_assert_int_eq(r.status, 200);
	j = test_http_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), verdict);
	ck_assert(json_is_true(json_object_get(j, "held")) == held);
	ck_assert(json_is_string(json_object_get(j, "explanation")));
	json_decref(j);
	test_http_free(&r);
	free(json);
}

START_TEST(receipt_check_verdicts)
{
	struct protocol_receipt good, rc;
	struct test_daemon d;
	uint8_t seed[32], pk[32], sk[64];
	size_t len;
	char *text = slurp(SPEC_RECEIPT, &len);
	const char *why = NULL;

	ck_assert_msg(protocol_receipt_from_json(text, len, &good, &why), "%s", why);
	free(text);
	pgroup_test_seed("server", seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	prepare_spec_election(&d);
	test_daemon_launch(&d, NULL);

	post_receipt(&d, &good, "held", true);
	/* altered after signing: the signature no longer matches */
	rc = good;
	rc.n = 5;
	post_receipt(&d, &rc, "not_signed_by_server", false);
	/* signed by the server, but for an event the board does not hold */
	rc = good;
	rc.n = 40;
	ck_assert(protocol_receipt_sign(sk, &rc));
	post_receipt(&d, &rc, "missing", false);
	/* signed by the server, but the board's event differs */
	rc = good;
	rc.event_hash[0] ^= 1;
	ck_assert(protocol_receipt_sign(sk, &rc));
	post_receipt(&d, &rc, "differs", false);
	/* event 1 is the open event, not a ballot */
	rc = good;
	rc.n = 1;
	ck_assert(protocol_receipt_sign(sk, &rc));
	post_receipt(&d, &rc, "differs", false);
	/* another election's hash */
	rc = good;
	rc.election_hash[5] ^= 0x40;
	ck_assert(protocol_receipt_sign(sk, &rc));
	post_receipt(&d, &rc, "other_election", false);
	sodium_memzero(sk, sizeof(sk));
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(board_rows_are_immutable)
{
	struct test_daemon d;
	struct db *db;
	char *err = NULL;

	prepare_spec_election(&d);
	db = open_migrated(d.db);
	ck_assert_int_ne(sqlite3_exec(db_handle(db),
	                              "UPDATE board_events SET at = '2000-01-01T00:00:00Z'"
	                              " WHERE n = 3",
	                              NULL, NULL, &err),
	                 SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(err, "append-only"));
	sqlite3_free(err);
	err = NULL;
	ck_assert_int_ne(
	    sqlite3_exec(db_handle(db), "DELETE FROM board_events WHERE n = 9", NULL, NULL, &err),
	    SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(err, "append-only"));
	sqlite3_free(err);
	/* appending a second event 9 by hand fails on the key */
	ck_assert_int_ne(
	    sqlite3_exec(db_handle(db),
	                 "INSERT INTO board_events (election_id, n, type, at, data, hash)"
	                 " VALUES ('assembly-2009', 9, 'result', '2009-05-04T12:00:00Z',"
	                 " x'00', zeroblob(64))",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	db_close(db);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(missing_key_refused_once_published)
{
	struct test_daemon d;
	char bin[1024], cmd[2600], keypath[400];

	prepare_spec_election(&d);
	snprintf(keypath, sizeof(keypath), "%s/server.key", d.dir);
	ck_assert_int_eq(unlink(keypath), 0);
	test_binary("ngo-voted", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd),
	         "%s --port 0 --db %s --static %s > /dev/null 2> %s/refused.log &&"
	         " exit 0; grep -q 'Restore the key file' %s/refused.log && exit 7; exit 1",
	         bin, d.db, d.static_dir, d.dir, d.dir);
	ck_assert_int_eq(test_run(cmd), 7);
	ck_assert_int_ne(access(keypath, F_OK), 0); /* and no new key was made */
	test_daemon_cleanup(&d);
}
END_TEST

#define APPEND_THREADS 6
#define APPENDS_EACH   40

struct append_thread {
	const char *path;
	unsigned index;
	unsigned done;
};

static enum db_status
append_one(struct db *db, void *cls)
{
	struct append_thread *t = cls;
	uint8_t data[8], h[64];
	uint32_t n;

	memset(data, (int)t->index, sizeof(data));
	data[7] = (uint8_t)t->done;
	return dbq_board_append(db, "race", PROTOCOL_EVENT_BALLOT, "2026-01-01T00:00:00Z", data,
	                        sizeof(data), NULL, &n, h);
}

static void *
append_worker(void *cls)
{
	struct append_thread *t = cls;
	char why[256];
	struct db *db = db_open(t->path, 10000, why, sizeof(why));

	if (db == NULL)
		return NULL;
	for (t->done = 0; t->done < APPENDS_EACH; t->done++)
		if (db_txn_run(db, "test-append", append_one, t) != DB_OK)
			break;
	db_close(db);
	return NULL;
}

static bool
check_chain(void *cls, const struct dbq_event *ev)
{
	uint8_t *prev = cls, h[64];

	protocol_event_hash(prev, ev->n, ev->type, ev->at, ev->data, ev->len, h);
	ck_assert_msg(memcmp(h, ev->hash, 64) == 0, "chain broken at %u", ev->n);
	memcpy(prev, h, 64);
	return true;
}

START_TEST(concurrent_appends_are_gapless)
{
	struct append_thread t[APPEND_THREADS];
	pthread_t th[APPEND_THREADS];
	char path[] = "/tmp/ngo-vote-board-XXXXXX", db_path[64], cmd[128];
	uint8_t prev[64] = {0};
	uint32_t count;
	struct db *db;

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(db_path, sizeof(db_path), "%s/board.sqlite", path);
	db = open_migrated(db_path);
	ck_assert_int_eq(dbq_election_insert(db, "race"), DB_OK);
	for (unsigned i = 0; i < APPEND_THREADS; i++) {
		t[i] = (struct append_thread){.path = db_path, .index = i};
		ck_assert_int_eq(pthread_create(&th[i], NULL, append_worker, &t[i]), 0);
	}
	for (unsigned i = 0; i < APPEND_THREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_uint_eq(t[i].done, APPENDS_EACH);
	}
	ck_assert_int_eq(dbq_board_count(db, "race", &count), DB_OK);
	ck_assert_uint_eq(count, APPEND_THREADS * APPENDS_EACH);
	/* every n from 0 to count-1 is there, in order, and the chain holds */
	ck_assert_int_eq(dbq_board_each(db, "race", 0, count, check_chain, prev), DB_OK);
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	test_run(cmd);
}
END_TEST

Suite *
board_suite(void)
{
	Suite *s = suite_create("board");
	TCase *tc = tcase_create("board");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, record_served_byte_for_byte);
	tcase_add_test(tc, record_errors);
	tcase_add_test(tc, receipt_check_verdicts);
	tcase_add_test(tc, board_rows_are_immutable);
	tcase_add_test(tc, missing_key_refused_once_published);
	tcase_add_test(tc, concurrent_appends_are_gapless);
	suite_add_tcase(s, tc);
	return s;
}
