/*
 * test_secret_journey.c -- a whole secret-ballot election over HTTP, with
 * the real daemon and the real trustee tool: 20 NGOs enrolled; three
 * trustees whose keys come from `ngo-vote-trustee keygen`, t = 2; the
 * three run the key ceremony at the same time (`ceremony --wait`); the
 * dry run is decrypted by all three; the election opens; 20 NGOs cast
 * ballots encrypted here under Y computed here from the record (one NGO
 * votes twice: the second counts); voting closes; trustee 2 is absent;
 * trustee 3's partial decryption with one flipped byte is refused and
 * stored nowhere; trustees 3 and 1 run `decrypt`; the published counts
 * equal the choices made here, and ngo-vote-verify passes the record and
 * names the trustees who decrypted.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_group.h"
#include "elections_fixture.h"
#include "encoding.h"
#include "fixture.h"
#include "helpers.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "trustee_fixture.h"

Suite *secret_journey_suite(void);

#define ID     "sec-2026"
#define NNGO   20
#define NTR    3
#define NCHAIR 3
#define NBOARD 4

static const char *const tpass[NTR] = {"first trustee passphrase", "second trustee passphrase",
                                       "third trustee passphrase"};

/* What each NGO chooses: a chair (one of three) and up to two of four for
 * the board.  NGO 0 first votes first_* and then its final choice. */
static const unsigned board_patterns[10] = {0x0, 0x1, 0x2, 0x3, 0x4, 0x8, 0x5, 0xc, 0x6, 0x9};

static unsigned
chair_of(unsigned i)
{
	return (i * 7 + 1) % NCHAIR;
}

static unsigned
board_of(unsigned i)
{
	return board_patterns[(i * 3) % 10];
}

/* The trustees' folder, their key files and passphrase files. */
static void
trustee_keys(const struct test_daemon *d, char dir[400], uint8_t pk[NTR][32])
{
	char cmd[600], path[500];

	snprintf(dir, 400, "%s/trustees", d->dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	ck_assert_int_eq(test_run(cmd), 0);
	for (int j = 0; j < NTR; j++) {
		char file[32];
		FILE *f;

		snprintf(file, sizeof(file), "t%d.key", j + 1);
		tfx_keygen(dir, file, tpass[j], pk[j]);
		snprintf(path, sizeof(path), "%s/pass%d", dir, j + 1);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "%s\n", tpass[j]);
		ck_assert_int_eq(fclose(f), 0);
	}
}

/* `ngo-vote-trustee CMD --server ... --election ID --key tJ.key EXTRA`. */
static int
trustee(const struct test_daemon *d, const char *dir, int j, const char *cmd, const char *extra,
        char **out)
{
	char args[1000];

	snprintf(args, sizeof(args),
	         "%s --server http://127.0.0.1:%u --election " ID " --key t%d.key "
	         "--passphrase-file pass%d %s",
	         cmd, d->port, j, j, extra);
	return tfx_tool(dir, NULL, args, out);
}

/* The three trustees run `ceremony --wait` at the same time. */
static void
ceremony_concurrently(const struct test_daemon *d, const char *dir)
{
	char bin[1024], cmd[8000], line[1400], *log;
	size_t o = 0;

	test_binary("ngo-vote-trustee", bin, sizeof(bin));
	o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, "cd '%s' && env -u %s sh -c '", dir,
	                      "NGO_VOTE_TRUSTEE_PASSPHRASE");
	for (int j = 1; j <= NTR; j++) {
		snprintf(line, sizeof(line),
		         "%s ceremony --server http://127.0.0.1:%u --election " ID
		         " --key t%d.key --passphrase-file pass%d --wait --timeout %d "
		         "> ceremony%d.out 2>&1 & p%d=$!; ",
		         bin, d->port, j, j, getenv("NGO_VOTE_VALGRIND") ? 1200 : 120, j, j);
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, "%s", line);
	}
	o += (size_t)snprintf(cmd + o, sizeof(cmd) - o,
	                      "wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?; "
	                      "exit $((r1 + r2 + r3))'");
	ck_assert_uint_lt(o, sizeof(cmd));
	if (test_run(cmd) != 0) {
		for (int j = 1; j <= NTR; j++) {
			char path[500];

			snprintf(path, sizeof(path), "%s/ceremony%d.out", dir, j);
			log = tfx_read(path, NULL);
			fprintf(stderr, "--- trustee %d:\n%s\n", j, log ? log : "(none)");
			free(log);
		}
		ck_abort_msg("the ceremony did not complete");
	}
}

/* The trustees of the draft, with the keys from keygen. */
static json_t *
trustees_json(uint8_t pk[NTR][32])
{
	static const char *const names[NTR] = {"Trustee One", "Trustee Two", "Trustee Three"};
	json_t *a = json_array();

	for (int j = 0; j < NTR; j++) {
		char id[32], hex[65];

		snprintf(id, sizeof(id), "trustee-%d", j + 1);
		encoding_hex_encode(pk[j], 32, hex);
		json_array_append_new(a, json_pack("{s:s, s:{s:s, s:s}, s:s}", "id", id, "name",
		                                   "en", names[j], "km", FIXTURE_KM, "pk", hex));
	}
	return a;
}

/* From the published record (opened election): the manifest, Y and the
 * election hash, computed here by the core checker. */
static void
election_key(const struct test_daemon *d, struct protocol_manifest **m, uint8_t y[32],
             uint8_t eh[64])
{
	char path[500], *text, *p, *end;
	struct protocol_dkg *k = NULL;
	uint8_t mh[64];
	size_t len;

	ck_assert_int_eq(efx_record_verify(d, ID, "opened.jsonl"), 0);
	snprintf(path, sizeof(path), "%s/opened.jsonl", d->dir);
	text = tfx_read(path, &len);
	ck_assert_ptr_nonnull(text);
	*m = NULL;
	for (p = text, end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct protocol_record_line l;
		const char *why = NULL;

		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		ck_assert_msg(protocol_record_parse_line(p, (size_t)(nl - p), &l, &why), "%s", why);
		if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_MANIFEST) {
			ck_assert(protocol_manifest_decode(l.data, l.data_len, m, &why));
			protocol_manifest_hash(l.data, l.data_len, mh);
			k = protocol_dkg_new(*m, mh);
		} else if (l.kind == PROTOCOL_RECORD_EVENT && l.type >= PROTOCOL_EVENT_DKG_ROUND0 &&
		           l.type <= PROTOCOL_EVENT_DKG_ROUND3) {
			ck_assert_msg(
			    protocol_dkg_add(k, (uint32_t)(l.type - PROTOCOL_EVENT_DKG_ROUND0),
			                     l.data, l.data_len, NULL, &why),
			    "%s", why);
		}
		protocol_record_line_clear(&l);
		p = nl + 1;
	}
	ck_assert_ptr_nonnull(k);
	ck_assert(protocol_dkg_complete(k));
	memcpy(y, protocol_dkg_y(k), 32);
	ck_assert(protocol_dkg_election_hash(k, eh));
	protocol_dkg_free(k);
	free(text);
}

/* Encrypts, signs and posts NGO v's ballot; asserts 201. */
static void
cast(const struct test_daemon *d, const struct protocol_manifest *m, const uint8_t y[32],
     const uint8_t eh[64], const struct fixture_key *key, uint32_t seq, unsigned chair,
     unsigned board)
{
	uint8_t c0[NCHAIR] = {0}, c1[NBOARD] = {0};
	const uint8_t *choices[2] = {c0, c1};
	struct encoding_buf body;
	struct test_http r;
	char label[80];

	c0[chair] = 1;
	for (int i = 0; i < NBOARD; i++)
		c1[i] = (board >> i) & 1;
	snprintf(label, sizeof(label), "journey/%s/s%u", key->pk_hex, seq);
	encoding_buf_init(&body);
	ck_assert(protocol_sballot_build(m, eh, y, key->pk, seq, choices, &pgroup_rng_system, label,
	                                 &body));
	efx_post_signed(d, ID, body.data, body.len, key->sk, NULL, &r);
	ck_assert_msg(r.status == 201, "ballot: %d %s", r.status, r.body);
	test_http_free(&r);
	encoding_buf_free(&body);
}

/* POST {"data": hex} of a partial decryption. */
static void
post_partial(const struct test_daemon *d, const uint8_t *data, size_t len, struct test_http *r)
{
	char *hex = encoding_hex_encode_alloc(data, len), *json;
	size_t cap = len * 2 + 32;

	json = malloc(cap);
	ck_assert_ptr_nonnull(json);
	snprintf(json, cap, "{\"data\":\"%s\"}", hex);
	test_http_post_json(d, "/api/elections/" ID "/partial-decryptions", json, r);
	free(json);
	free(hex);
}

START_TEST(secret_election_over_http)
{
	struct efx x;
	static char ids[NNGO][65];
	static struct fixture_key keys[NNGO];
	uint8_t tpk[NTR][32], y[32], eh[64], *pd;
	struct protocol_manifest *m = NULL;
	struct efx_election e;
	char tdir[400], *out = NULL, *before, *after, path[600];
	const char *chair_ids[NCHAIR], *board_ids[NBOARD];
	uint32_t want_chair[NCHAIR] = {0}, want_board[NBOARD] = {0};
	struct test_http r;
	json_t *draft, *j, *contests;
	size_t len;
	int round, total;

	efx_start(&x);
	efx_ngos_bulk(&x, "ngo", NNGO, ids, keys, 4);
	trustee_keys(&x.d, tdir, tpk);

	/* the draft: secret mode, three trustees, t = 2, a dry run */
	json_decref(efx_draft_create(&x, ID, "empty"));
	for (int i = 0; i < NCHAIR; i++)
		chair_ids[i] = ids[i];
	for (int i = 0; i < NBOARD; i++)
		board_ids[i] = ids[NCHAIR + i];
	draft = efx_draft_new();
	contests = json_object_get(draft, "contests");
	json_array_append_new(contests, efx_contest("chair", 1, 1, 1, chair_ids, NCHAIR));
	json_array_append_new(contests, efx_contest("board", 2, 0, 2, board_ids, NBOARD));
	json_object_set_new(draft, "mode", json_string("secret"));
	json_object_set_new(draft, "trustees", trustees_json(tpk));
	json_object_set_new(draft, "threshold", json_integer(2));
	json_object_set_new(draft, "dry_run", json_true());
	j = efx_draft_put(&x, ID, draft, 200);
	for (size_t i = 0; i < json_array_size(json_object_get(j, "problems")); i++) {
		const char *p = json_string_value(
		    json_object_get(json_array_get(json_object_get(j, "problems"), i), "problem"));

		ck_assert_msg(p != NULL && (strcmp(p, "CEREMONY_NOT_STARTED") == 0 ||
		                            strcmp(p, "DRY_RUN_PENDING") == 0),
		              "problem %s", p ? p : "?");
	}
	json_decref(j);
	json_decref(draft);

	/* the key ceremony: the three trustees at once, each on its own */
	fixture_post(&x.d, "/api/elections/" ID "/ceremony/start", &x.sec, "{}", &r);
	ck_assert_msg(r.status == 201, "ceremony/start: %d %s", r.status, r.body);
	test_http_free(&r);
	ceremony_concurrently(&x.d, tdir);
	j = efx_get_json(&x.d, "/api/elections/" ID "/ceremony", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "messages")), 4 * NTR);
	json_decref(j);
	ck_assert_int_eq(trustee(&x.d, tdir, 2, "status", "", &out), 0);
	ck_assert_msg(strstr(out, "ceremony:  complete") && strstr(out, "R3 done") &&
	                  strstr(out, "share:     held in the key file"),
	              "%s", out);
	free(out);

	/* the dry run, decrypted by all three */
	fixture_post(&x.d, "/api/elections/" ID "/dry-run", &x.sec, "{}", &r);
	ck_assert_msg(r.status == 201, "dry-run: %d %s", r.status, r.body);
	test_http_free(&r);
	for (int t = 1; t <= NTR; t++) {
		ck_assert_msg(trustee(&x.d, tdir, t, "dry-run", "", &out) == 0, "trustee %d: %s", t,
		              out);
		free(out);
	}
	j = efx_get_json(&x.d, "/api/elections/" ID "/dry-run", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "succeeded");
	json_decref(j);
	/* asked again, a trustee says it is done */
	ck_assert_int_eq(trustee(&x.d, tdir, 1, "dry-run", "", &out), 0);
	ck_assert_msg(strstr(out, "already") != NULL, "%s", out);
	free(out);

	/* open; the election key and hash computed here from the record */
	efx_open(&x, ID, &e);
	election_key(&x.d, &m, y, eh);
	ck_assert_mem_eq(eh, e.election_hash, 64);
	ck_assert_uint_eq(m->n_voters, NNGO);

	/* 20 NGOs vote; NGO 0 twice, the second ballot counts */
	cast(&x.d, m, y, eh, &keys[0], 1, 0, 0x3);
	for (unsigned i = 0; i < NNGO; i++) {
		int64_t v = protocol_manifest_voter_find(m, keys[i].pk);

		ck_assert_int_ge(v, 0);
		cast(&x.d, m, y, eh, &keys[i], i == 0 ? 2 : 1, chair_of(i), board_of(i));
		want_chair[chair_of(i)]++;
		for (int b = 0; b < NBOARD; b++)
			want_board[b] += (board_of(i) >> b) & 1;
	}
	efx_close(&x, ID);

	/* trustee 2 is absent.  Trustee 3's partial decryption with one byte
	 * of a proof flipped is refused, and nothing is stored */
	ck_assert_msg(trustee(&x.d, tdir, 3, "decrypt", "--out pd3.json", &out) == 0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/pd3.json", tdir);
	pd = tfx_message(path, &round, &len);
	ck_assert_int_eq(round, -1);
	pd[64 + 4 + 64 + 2 * 32] ^= 0x01; /* the low byte of z in the first proof */
	total = efx_board_total(&x.d, ID);
	before = fixture_db_snapshot(x.d.db);
	post_partial(&x.d, pd, len, &r);
	test_http_expect_error(&r, 400, "DECRYPTION_INVALID");
	test_http_free(&r);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(efx_board_total(&x.d, ID), total);
	free(before);
	free(after);
	free(pd);

	/* trustees 3 and 1 decrypt: the result follows the second */
	ck_assert_msg(trustee(&x.d, tdir, 3, "decrypt", "", &out) == 0, "%s", out);
	ck_assert_msg(strstr(out, "20 ballots counted") != NULL, "%s", out);
	free(out);
	ck_assert_msg(trustee(&x.d, tdir, 1, "decrypt", "", &out) == 0, "%s", out);
	free(out);
	ck_assert_int_eq(efx_board_total(&x.d, ID), total + 3);

	/* the counts are the choices made here */
	j = efx_get_json(&x.d, "/api/elections/" ID "/result", 200);
	for (int c = 0; c < 2; c++) {
		const json_t *cands = json_object_get(
		    json_array_get(json_object_get(j, "contests"), c), "candidates");
		const uint32_t *want = c == 0 ? want_chair : want_board;

		ck_assert_uint_eq(json_array_size(cands), c == 0 ? NCHAIR : NBOARD);
		for (size_t i = 0; i < json_array_size(cands); i++)
			ck_assert_int_eq(
			    json_integer_value(json_object_get(json_array_get(cands, i), "votes")),
			    want[i]);
	}
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), NNGO);
	{
		const json_t *q = json_object_get(j, "decrypted_by");

		ck_assert_uint_eq(json_array_size(q), 2);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(q, 0), "index")),
		                 1);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(q, 1), "index")),
		                 3);
	}
	json_decref(j);

	/* the auditor's verifier passes the record and names Q */
	ck_assert_int_eq(efx_record_verify(&x.d, ID, "final.jsonl"), 0);
	snprintf(path, sizeof(path), "%s/final.jsonl.out", x.d.dir);
	out = tfx_read(path, NULL);
	ck_assert_msg(strstr(out, "Decrypted by trustees") != NULL &&
	                  strstr(out, " 1 (trustee-1) 3 (trustee-3)") != NULL,
	              "%s", out);
	free(out);
	/* after the result, decrypt has nothing to do */
	ck_assert_int_eq(trustee(&x.d, tdir, 2, "decrypt", "", &out), 0);
	ck_assert_msg(strstr(out, "already on the board") != NULL, "%s", out);
	free(out);

	protocol_manifest_free(m);
	efx_stop(&x);
}
END_TEST

Suite *
secret_journey_suite(void)
{
	Suite *s = suite_create("secret_journey");
	TCase *tc = tcase_create("journey");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, secret_election_over_http);
	suite_add_tcase(s, tc);
	return s;
}
