/*
 * test_trustee.c -- ngo-vote-trustee without a server: the key file
 * (format, mode 0600, never overwritten, wrong passphrase refused), the
 * whole key ceremony carried air-gapped (--in ceremony.json, --out
 * message.json) with every message checked here by the core checker, a
 * bad message refused naming its trustee, a restarted ceremony discarding
 * the old round secrets, and `decrypt` on record files built here: two
 * partial decryptions that verify and combine to the counts the test
 * chose, a tampered tally refused, and N below --min-ballots refused.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_group.h"
#include "encoding.h"
#include "helpers.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "trustee_fixture.h"

Suite *trustee_suite(void);

#define ELECTION "sec-offline"
#define AT       "2026-11-02T09:00:00Z"
#define NV       5
#define NT       3

static const char *const passes[NT] = {"trustee one passphrase", "trustee two passphrase",
                                       "trustee three passphrase"};

/* An election made here: manifest, trustees' keys from keygen, the
 * ceremony document the trustees read, and the test's own checker. */
struct offline {
	char dir[256];
	uint8_t tpk[NT][32];
	struct protocol_text_entry title[2], ctitle[2], cname[7], vname[NV], tname[NT];
	struct protocol_candidate cand[7];
	struct protocol_contest contests[2];
	struct protocol_party voters[NV], trustees[NT];
	uint8_t vsk[NV][64];
	uint8_t server_sk[64];
	struct protocol_manifest m;
	uint8_t *mbytes;
	size_t mlen;
	uint8_t mh[64];
	struct protocol_manifest *dm; /* decoded */
	struct protocol_dkg *k;       /* every message, checked here */
	json_t *messages;
	long long attempt;
};

static void
offline_manifest(struct offline *o)
{
	static const char *const vids[NV] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d", "ngo-e"};
	static const char *const tids[NT] = {"trustee-1", "trustee-2", "trustee-3"};
	struct encoding_buf b;
	const char *why = NULL;

	o->title[0] = (struct protocol_text_entry){"en", "Offline secret election"};
	o->title[1] = (struct protocol_text_entry){"km", "\xe1\x9e\x80"};
	o->ctitle[0] = (struct protocol_text_entry){"en", "Chair"};
	o->ctitle[1] = (struct protocol_text_entry){"en", "Board"};
	for (int i = 0; i < 7; i++) {
		const char *id = vids[i < 3 ? i : i - 3];

		o->cname[i] = (struct protocol_text_entry){"en", id};
		o->cand[i].id = id;
		o->cand[i].name = (struct protocol_text){1, &o->cname[i]};
	}
	/* chair: exactly one of three; board: up to two of four, two seats */
	o->contests[0] =
	    (struct protocol_contest){"chair", {1, &o->ctitle[0]}, 1, 1, 1, 1, 3, &o->cand[0]};
	o->contests[1] =
	    (struct protocol_contest){"board", {1, &o->ctitle[1]}, 1, 2, 0, 2, 4, &o->cand[3]};
	for (int v = 0; v < NV; v++) {
		o->vname[v] = (struct protocol_text_entry){"en", vids[v]};
		o->voters[v].id = vids[v];
		o->voters[v].name = (struct protocol_text){1, &o->vname[v]};
		crypto_sign_keypair(o->voters[v].pk, o->vsk[v]);
	}
	for (int d = 0; d < NT; d++) {
		o->tname[d] = (struct protocol_text_entry){"en", tids[d]};
		o->trustees[d].id = tids[d];
		o->trustees[d].name = (struct protocol_text){1, &o->tname[d]};
		memcpy(o->trustees[d].pk, o->tpk[d], 32);
	}
	o->m.election_id = ELECTION;
	o->m.title = (struct protocol_text){2, o->title};
	o->m.mode = PROTOCOL_MODE_SECRET;
	crypto_sign_keypair(o->m.server_pk, o->server_sk);
	o->m.revote = 1;
	o->m.opens_at = "";
	o->m.closes_at = "";
	o->m.n_contests = 2;
	o->m.contests = o->contests;
	o->m.n_voters = NV;
	o->m.voters = o->voters;
	o->m.n = NT;
	o->m.t = 2;
	o->m.trustees = o->trustees;
	encoding_buf_init(&b);
	ck_assert_msg(protocol_manifest_encode(&o->m, &b, &why), "manifest: %s", why);
	o->mbytes = encoding_buf_steal(&b, &o->mlen);
	protocol_manifest_hash(o->mbytes, o->mlen, o->mh);
	ck_assert(protocol_manifest_decode(o->mbytes, o->mlen, &o->dm, &why));
}

/* Keys by keygen, the manifest, an empty attempt-1 ceremony. */
static void
offline_setup(struct offline *o)
{
	memset(o, 0, sizeof(*o));
	ck_assert_int_ge(sodium_init(), 0);
	snprintf(o->dir, sizeof(o->dir), "/tmp/ngo-vote-trustee-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(o->dir));
	for (int d = 0; d < NT; d++) {
		char file[32];

		snprintf(file, sizeof(file), "t%d.key", d + 1);
		tfx_keygen(o->dir, file, passes[d], o->tpk[d]);
	}
	offline_manifest(o);
	o->k = protocol_dkg_new(o->dm, o->mh);
	ck_assert_ptr_nonnull(o->k);
	o->messages = json_array();
	o->attempt = 1;
}

static void
offline_free(struct offline *o)
{
	char cmd[400];

	protocol_dkg_free(o->k);
	protocol_manifest_free(o->dm);
	free(o->mbytes);
	json_decref(o->messages);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", o->dir);
	ck_assert_int_eq(test_run(cmd), 0);
}

/* dir/ceremony.json as GET /api/elections/{id}/ceremony gives it. */
static void
write_doc(const struct offline *o)
{
	char path[400], *mhex = encoding_hex_encode_alloc(o->mbytes, o->mlen), hhex[129];
	json_t *doc;

	encoding_hex_encode(o->mh, 64, hhex);
	doc = json_pack("{s:s, s:I, s:s, s:s, s:i, s:i, s:O}", "state", "round0", "attempt",
	                (json_int_t)o->attempt, "manifest", mhex, "manifest_hash", hhex, "n", NT,
	                "t", 2, "messages", o->messages);
	ck_assert_ptr_nonnull(doc);
	snprintf(path, sizeof(path), "%s/ceremony.json", o->dir);
	ck_assert_int_eq(json_dump_file(doc, path, JSON_INDENT(1)), 0);
	json_decref(doc);
	free(mhex);
}

static void
add_message(struct offline *o, int round, uint32_t d, const uint8_t *data, size_t len)
{
	char *hex = encoding_hex_encode_alloc(data, len);

	json_array_append_new(o->messages, json_pack("{s:i, s:i, s:s}", "round", round, "trustee",
	                                             (int)d, "data", hex));
	free(hex);
}

/* Trustee d (1-based) runs the tool on the document; returns its exit
 * status, the output and (when it wrote one) the message. */
static int
run_ceremony(struct offline *o, uint32_t d, char **output, uint8_t **msg, size_t *len, int *round)
{
	char args[600], path[400];
	int rc;

	snprintf(path, sizeof(path), "%s/msg%u.json", o->dir, d);
	unlink(path);
	snprintf(args, sizeof(args),
	         "ceremony --election " ELECTION
	         " --key t%u.key --in ceremony.json --out msg%u.json",
	         d, d);
	rc = tfx_tool(o->dir, passes[d - 1], args, output);
	*msg = NULL;
	if (access(path, F_OK) == 0)
		*msg = tfx_message(path, round, len);
	return rc;
}

/* Trustees first..last do round r on the same document; each message is
 * checked here, then all are published. */
static void
ceremony_round(struct offline *o, int r, uint32_t first, uint32_t last)
{
	uint8_t *msg[NT + 1];
	size_t len[NT + 1];

	write_doc(o);
	for (uint32_t d = first; d <= last; d++) {
		int round = -1;
		char *out = NULL;
		const char *why = NULL;
		uint32_t who = 0;

		ck_assert_msg(run_ceremony(o, d, &out, &msg[d], &len[d], &round) == 0,
		              "trustee %u round %d: %s", d, r, out);
		ck_assert_msg(msg[d] != NULL, "trustee %u wrote no round-%d message: %s", d, r,
		              out);
		ck_assert_int_eq(round, r);
		ck_assert_msg(protocol_dkg_add(o->k, (uint32_t)r, msg[d], len[d], &who, &why),
		              "trustee %u round %d refused here: %s", d, r, why);
		ck_assert_uint_eq(who, d);
		free(out);
	}
	for (uint32_t d = first; d <= last; d++) {
		add_message(o, r, d, msg[d], len[d]);
		free(msg[d]);
	}
	write_doc(o);
}

/* The whole ceremony, air-gapped: documents in, messages out. */
static void
offline_ceremony(struct offline *o)
{
	uint8_t *msg;
	size_t len;
	int round;
	char *out = NULL;

	ceremony_round(o, 0, 1, 1);
	/* trustee 1 has nothing to do until the others' R0 are in: it says so
	 * and writes nothing */
	ck_assert_int_eq(run_ceremony(o, 1, &out, &msg, &len, &round), 0);
	ck_assert_ptr_null(msg);
	ck_assert_msg(strstr(out, "waiting for 2 (trustee-2) 3 (trustee-3)") != NULL, "%s", out);
	free(out);
	ceremony_round(o, 0, 2, 3);
	for (int r = 1; r < DKG_ROUNDS; r++)
		ceremony_round(o, r, 1, NT);
	ck_assert(protocol_dkg_complete(o->k));
	for (uint32_t d = 1; d <= NT; d++) {
		ck_assert_int_eq(run_ceremony(o, d, &out, &msg, &len, &round), 0);
		ck_assert_ptr_null(msg);
		ck_assert_msg(strstr(out, "The key ceremony is complete") != NULL, "%s", out);
		free(out);
	}
}

/* ---- the record ---- */

struct ballot_spec {
	int voter;
	uint32_t seq;
	int chair;      /* the one chair candidate */
	unsigned board; /* bit i: board candidate i */
};

/* ngo-a votes twice: its second ballot counts. */
static const struct ballot_spec ballot_specs[] = {
    {0, 1, 0, 0x3}, {1, 1, 1, 0x3}, {2, 1, 1, 0x0}, {3, 1, 2, 0xa}, {4, 1, 1, 0x1}, {0, 2, 2, 0x8},
};
#define N_BALLOTS (sizeof(ballot_specs) / sizeof(ballot_specs[0]))
#define N_ITEMS   7

/* The counts, from the choices (the last ballot of each voter). */
static void
expected_counts(uint32_t counts[N_ITEMS])
{
	memset(counts, 0, N_ITEMS * sizeof(uint32_t));
	for (size_t b = 0; b < N_BALLOTS; b++) {
		const struct ballot_spec *s = &ballot_specs[b];
		bool last = true;

		for (size_t later = b + 1; later < N_BALLOTS; later++)
			last &= ballot_specs[later].voter != s->voter;
		if (!last)
			continue;
		counts[s->chair]++;
		for (int i = 0; i < 4; i++)
			counts[3 + i] += (s->board >> i) & 1;
	}
}

struct record_out {
	char *text;
	size_t len;
	uint8_t eh[64];
	uint8_t tally_hash[64];
	uint8_t ab[2 * N_ITEMS][PGROUP_BYTES];
	uint32_t n_counted;
};

struct chain {
	struct encoding_buf b;
	uint8_t prev[64];
	uint32_t n;
};

static void
chain_add(struct chain *c, enum protocol_event_type type, const uint8_t *data, size_t len)
{
	uint8_t h[64];

	protocol_event_hash(c->n == 0 ? NULL : c->prev, c->n, type, AT, data, len, h);
	protocol_record_write_event(&c->b, c->n, type, AT, data, len, h);
	memcpy(c->prev, h, 64);
	c->n++;
}

/* manifest, the ceremony's 12 events, open, the ballots, close and the
 * tally, chained and with a signed head: what GET /record gives.  With
 * tamper, the tally event swaps two aggregates (chain and head still
 * valid). */
static void
build_record(const struct offline *o, bool tamper, struct record_out *r)
{
	struct protocol_tally *t = protocol_tally_new(o->dm);
	const uint8_t *y = protocol_dkg_y(o->k);
	struct encoding_buf buf;
	struct chain c;
	uint8_t sig[64];

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	encoding_buf_init(&c.b);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(y);
	ck_assert(protocol_dkg_election_hash(o->k, r->eh));
	protocol_record_write_header(&c.b, ELECTION, o->m.server_pk);
	chain_add(&c, PROTOCOL_EVENT_MANIFEST, o->mbytes, o->mlen);
	for (size_t i = 0; i < json_array_size(o->messages); i++) {
		const json_t *msg = json_array_get(o->messages, i);
		const char *hex = json_string_value(json_object_get(msg, "data"));
		int round = (int)json_integer_value(json_object_get(msg, "round"));
		size_t len;
		uint8_t *data = encoding_hex_decode_alloc(hex, strlen(hex), &len);

		chain_add(&c, (enum protocol_event_type)(PROTOCOL_EVENT_DKG_ROUND0 + round), data,
		          len);
		free(data);
	}
	encoding_buf_init(&buf);
	protocol_board_open_data(r->eh, &buf);
	chain_add(&c, PROTOCOL_EVENT_OPEN, buf.data, buf.len);
	encoding_buf_free(&buf);
	for (size_t b = 0; b < N_BALLOTS; b++) {
		const struct ballot_spec *s = &ballot_specs[b];
		uint8_t chair[3] = {0}, board[4] = {0}, hash[64];
		const uint8_t *choices[2] = {chair, board};
		struct protocol_sballot sb;
		char label[64];

		chair[s->chair] = 1;
		for (int i = 0; i < 4; i++)
			board[i] = (s->board >> i) & 1;
		snprintf(label, sizeof(label), "ballot/%d/s%u", s->voter, s->seq);
		encoding_buf_init(&buf);
		ck_assert(protocol_sballot_build(o->dm, r->eh, y, o->voters[s->voter].pk, s->seq,
		                                 choices, &pgroup_rng_system, label, &buf));
		protocol_ballot_hash(buf.data, buf.len, hash);
		ck_assert_int_eq(protocol_sballot_parse(o->dm, buf.data, buf.len, &sb),
		                 PROTOCOL_BALLOT_OK);
		protocol_tally_add_secret(t, (uint32_t)s->voter, c.n, &sb, hash);
		protocol_sballot_clear(&sb);
		ck_assert(protocol_ballot_sign(o->vsk[s->voter], hash, sig));
		encoding_buf_append(&buf, sig, 64);
		ck_assert(!buf.failed);
		chain_add(&c, PROTOCOL_EVENT_BALLOT, buf.data, buf.len);
		encoding_buf_free(&buf);
	}
	encoding_buf_init(&buf);
	protocol_board_close_data(r->eh, N_BALLOTS, &buf);
	chain_add(&c, PROTOCOL_EVENT_CLOSE, buf.data, buf.len);
	encoding_buf_free(&buf);
	encoding_buf_init(&buf);
	ck_assert(protocol_tally_body(t, r->eh, &buf));
	ck_assert(protocol_tally_aggregates(t, r->ab));
	r->n_counted = protocol_tally_counted(t);
	pcrypto_h64("tally", buf.data, buf.len, r->tally_hash);
	if (tamper) {
		uint8_t *a0 = buf.data + buf.len - 2 * N_ITEMS * 32, tmp[32];

		memcpy(tmp, a0, 32);
		memcpy(a0, a0 + 64, 32);
		memcpy(a0 + 64, tmp, 32);
	}
	chain_add(&c, PROTOCOL_EVENT_TALLY, buf.data, buf.len);
	encoding_buf_free(&buf);
	ck_assert(protocol_head_sign(o->server_sk, r->eh, c.n - 1, c.prev, sig));
	protocol_record_write_head(&c.b, c.n - 1, c.prev, sig);
	ck_assert(!c.b.failed);
	r->text = (char *)encoding_buf_steal(&c.b, &r->len);
	protocol_tally_free(t);
}

static void
write_text(const char *dir, const char *file, const char *text, size_t len)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* decrypt --in record --out pd<j>.json for trustee j; the exit status. */
static int
run_decrypt(const struct offline *o, uint32_t j, const char *record, const char *extra, char **out)
{
	char args[600], path[400];

	snprintf(path, sizeof(path), "%s/pd%u.json", o->dir, j);
	unlink(path);
	snprintf(args, sizeof(args),
	         "decrypt --election " ELECTION " --key t%u.key --in %s --out pd%u.json %s", j,
	         record, j, extra);
	return tfx_tool(o->dir, passes[j - 1], args, out);
}

START_TEST(keygen_file)
{
	char dir[] = "/tmp/ngo-vote-trustee-XXXXXX", path[300], *out = NULL, *text, fp[40], *p;
	uint8_t pk[32], pk2[32], sha[32];
	struct stat st;
	json_t *j;

	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(tfx_tool(dir, passes[0], "keygen --key k.json", &out), 0);
	p = strstr(out, "public key:  ");
	ck_assert_ptr_nonnull(p);
	ck_assert(encoding_hex_decode(p + 13, 64, pk, 32));
	/* the fingerprint the server shows: SHA-256(pk)[0..16], 8 groups of 4 */
	crypto_hash_sha256(sha, pk, 32);
	for (int g = 0; g < 8; g++) {
		encoding_hex_encode(sha + 2 * g, 2, fp + 5 * g);
		fp[5 * g + 4] = ' ';
	}
	fp[39] = '\0';
	ck_assert_msg(strstr(out, fp) != NULL, "fingerprint %s not in %s", fp, out);
	free(out);
	snprintf(path, sizeof(path), "%s/k.json", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* the file: exactly the fields of the format, the public key in clear */
	j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "format")),
	                 "ngo-vote/trustee-key/v1");
	ck_assert_uint_eq(json_object_size(j), 7);
	ck_assert(encoding_hex_decode(json_string_value(json_object_get(j, "pk")), 64, pk2, 32));
	ck_assert_mem_eq(pk, pk2, 32);
	ck_assert_uint_eq(json_string_length(json_object_get(j, "salt")), 32);
	ck_assert_uint_eq(json_string_length(json_object_get(j, "nonce")), 48);
	ck_assert(json_is_integer(json_object_get(j, "opslimit")));
	ck_assert_int_ge(json_integer_value(json_object_get(j, "memlimit")), 64 << 20);
	/* ct = secretbox(state holding the 32-byte seed): more than seed + MAC */
	ck_assert_uint_ge(json_string_length(json_object_get(j, "ct")), 2 * (64 + 16));
	json_decref(j);
	text = tfx_read(path, NULL);
	ck_assert_ptr_null(strstr(text, "seed"));
	/* never overwritten */
	ck_assert_int_eq(tfx_tool(dir, passes[0], "keygen --key k.json", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "never overwritten"));
	free(out);
	out = tfx_read(path, NULL);
	ck_assert_str_eq(out, text);
	free(out);
	free(text);
	/* another key is another key */
	tfx_keygen(dir, "k2.json", passes[1], pk2);
	ck_assert(memcmp(pk, pk2, 32) != 0);
	/* a short passphrase is refused, and nothing is written */
	ck_assert_int_eq(tfx_tool(dir, "short", "keygen --key k5.json", &out), 1);
	free(out);
	snprintf(path, sizeof(path), "%s/k5.json", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* a wrong passphrase is refused before anything else happens */
	ck_assert_int_eq(
	    tfx_tool(dir, passes[1], "ceremony --election e --key k.json --in nothing.json", &out),
	    1);
	ck_assert_msg(strstr(out, "wrong passphrase") != NULL, "%s", out);
	free(out);
	/* the passphrase from a file (its first line) opens it: the tool then
	 * goes on to read the (missing) document */
	snprintf(path, sizeof(path), "%s/pass.txt", dir);
	{
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fprintf(f, "%s\nsecond line\n", passes[0]);
		fclose(f);
	}
	ck_assert_int_eq(tfx_tool(dir, NULL,
	                          "ceremony --election e --key k.json --passphrase-file pass.txt "
	                          "--in nothing.json",
	                          &out),
	                 1);
	ck_assert_msg(strstr(out, "wrong passphrase") == NULL && strstr(out, "nothing.json"), "%s",
	              out);
	free(out);
	/* usage errors are 2 */
	ck_assert_int_eq(tfx_tool(dir, passes[0], "keygen", NULL), 2);
	ck_assert_int_eq(tfx_tool(dir, passes[0], "frobnicate --key k.json", NULL), 2);
	ck_assert_int_eq(tfx_tool(dir, passes[0], "ceremony --key k.json --election e", NULL), 2);
	ck_assert_int_eq(tfx_tool(dir, passes[0],
	                          "decrypt --key k.json --election e --in r --min-ballots x", NULL),
	                 2);
	ck_assert_int_eq(tfx_tool(dir, passes[0], "--help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "SYNOPSIS"));
	free(out);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(test_run(path), 0);
}
END_TEST

/* dir/dryrun.json as GET /api/elections/{id}/dry-run gives it: known
 * counts x = (c + i) mod 3 encrypted under Y, after election_hash and
 * LE32(n_field) (0 for a real dry run).  Fills ab and the tally hash. */
static void
write_dry_run(const struct offline *o, uint32_t n_field, uint8_t ab[2 * N_ITEMS][PGROUP_BYTES],
              uint8_t tally_hash[64], uint32_t known[N_ITEMS])
{
	const uint8_t *y = protocol_dkg_y(o->k);
	struct encoding_buf b;
	uint8_t eh[64];
	char path[400], *hex, hhex[129], ehex[129];
	json_t *doc;
	uint32_t k = 0;

	ck_assert(protocol_dkg_election_hash(o->k, eh));
	encoding_buf_init(&b);
	encoding_buf_append(&b, eh, 64);
	encoding_buf_le32(&b, n_field);
	for (uint32_t c = 0; c < 2; c++)
		for (uint32_t i = 0; i < o->contests[c].n_candidates; i++, k++) {
			uint8_t r[32], ry[32], xg[32];

			known[k] = (c + i) % 3;
			crypto_core_ristretto255_scalar_random(r);
			pgroup_mul_base(ab[2 * k], r);
			ck_assert(pgroup_mul(ry, r, y));
			pgroup_small_multiple(xg, known[k]);
			pgroup_add(ab[2 * k + 1], xg, ry);
			encoding_buf_append(&b, ab[2 * k], 32);
			encoding_buf_append(&b, ab[2 * k + 1], 32);
		}
	ck_assert(!b.failed);
	pcrypto_h64("tally", b.data, b.len, tally_hash);
	hex = encoding_hex_encode_alloc(b.data, b.len);
	encoding_hex_encode(tally_hash, 64, hhex);
	encoding_hex_encode(eh, 64, ehex);
	doc = json_pack("{s:s, s:b, s:i, s:s, s:s, s:s, s:i, s:[], s:[]}", "state", "running",
	                "required", 1, "attempt", 1, "election_hash", ehex, "data", hex,
	                "tally_hash", hhex, "max_count", 2, "partials", "verified");
	ck_assert_ptr_nonnull(doc);
	snprintf(path, sizeof(path), "%s/dryrun.json", o->dir);
	ck_assert_int_eq(json_dump_file(doc, path, JSON_INDENT(1)), 0);
	json_decref(doc);
	free(hex);
	encoding_buf_free(&b);
}

START_TEST(airgapped_ceremony_and_decrypt)
{
	struct offline o;
	struct record_out rec, bad;
	struct protocol_pdec pd[2];
	uint8_t *pdata[2];
	uint32_t counts[N_ITEMS], want[N_ITEMS];
	char *out = NULL, path[400];
	const char *why = NULL;

	offline_setup(&o);
	offline_ceremony(&o);
	/* the key file, rewritten at every round, is still 0600 */
	{
		struct stat st;

		snprintf(path, sizeof(path), "%s/t1.key", o.dir);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
	}
	build_record(&o, false, &rec);
	write_text(o.dir, "record.jsonl", rec.text, rec.len);
	ck_assert_uint_eq(rec.n_counted, NV);

	/* trustees 3 and 1 decrypt; each partial decryption verifies here
	 * against Z_j and the aggregates, and the two combine to the counts */
	for (int q = 0; q < 2; q++) {
		uint32_t j = q == 0 ? 1 : 3;
		int round;
		size_t len;

		ck_assert_msg(run_decrypt(&o, j, "record.jsonl", "", &out) == 0, "trustee %u: %s",
		              j, out);
		ck_assert_msg(strstr(out, "5 ballots counted") != NULL, "%s", out);
		free(out);
		snprintf(path, sizeof(path), "%s/pd%u.json", o.dir, j);
		pdata[q] = tfx_message(path, &round, &len);
		ck_assert_int_eq(round, -1);
		ck_assert_msg(protocol_pdec_parse(o.dm, pdata[q], len, &pd[q], &why), "%s", why);
		ck_assert_uint_eq(pd[q].j, j);
		ck_assert_msg(
		    protocol_pdec_verify(o.dm, rec.eh, rec.tally_hash, protocol_dkg_z(o.k, j),
		                         (const uint8_t(*)[PGROUP_BYTES])rec.ab, &pd[q], &why),
		    "trustee %u: %s", j, why);
	}
	ck_assert_msg(protocol_decrypt_combine(N_ITEMS, (const uint8_t(*)[PGROUP_BYTES])rec.ab, pd,
	                                       2, rec.n_counted, counts, &why),
	              "%s", why);
	expected_counts(want);
	for (int i = 0; i < N_ITEMS; i++)
		ck_assert_uint_eq(counts[i], want[i]);
	free(pdata[0]);
	free(pdata[1]);

	/* fewer counted ballots than --min-ballots: refused, nothing written */
	ck_assert_int_eq(run_decrypt(&o, 2, "record.jsonl", "--min-ballots 6", &out), 1);
	ck_assert_msg(strstr(out, "only 5 ballots are counted, fewer than 6") != NULL, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/pd2.json", o.dir);
	ck_assert_int_ne(access(path, F_OK), 0);

	/* a tally event that is not the tally of the board: refused */
	build_record(&o, true, &bad);
	write_text(o.dir, "tampered.jsonl", bad.text, bad.len);
	ck_assert_int_eq(run_decrypt(&o, 2, "tampered.jsonl", "", &out), 1);
	ck_assert_msg(strstr(out, "REFUSED") != NULL && strstr(out, "tally") != NULL, "%s", out);
	free(out);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* the record of another election: refused */
	ck_assert_int_eq(tfx_tool(o.dir, passes[1],
	                          "decrypt --election other --key t2.key --in record.jsonl --out "
	                          "pd2.json",
	                          &out),
	                 1);
	free(out);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* trustee 2 still can (its share is intact) */
	ck_assert_int_eq(run_decrypt(&o, 2, "record.jsonl", "", &out), 0);
	free(out);
	ck_assert_int_eq(access(path, F_OK), 0);

	/* the dry run, air-gapped: trustees 2 and 3 decrypt the test
	 * ciphertexts, and their answers combine to the known counts */
	{
		uint8_t dab[2 * N_ITEMS][PGROUP_BYTES], dth[64], eh[64];
		uint32_t known[N_ITEMS];
		struct protocol_pdec dpd[2];
		uint8_t *dd[2];

		ck_assert(protocol_dkg_election_hash(o.k, eh));
		write_dry_run(&o, 0, dab, dth, known);
		for (int q = 0; q < 2; q++) {
			uint32_t j = 2 + (uint32_t)q;
			char args[400];
			size_t len;
			int round;

			snprintf(args, sizeof(args),
			         "dry-run --election " ELECTION " --key t%u.key --in dryrun.json "
			         "--ceremony-in ceremony.json --out dry%u.json",
			         j, j);
			ck_assert_msg(tfx_tool(o.dir, passes[j - 1], args, &out) == 0, "%s", out);
			free(out);
			snprintf(path, sizeof(path), "%s/dry%u.json", o.dir, j);
			dd[q] = tfx_message(path, &round, &len);
			ck_assert_msg(protocol_pdec_parse(o.dm, dd[q], len, &dpd[q], &why), "%s",
			              why);
			ck_assert_msg(protocol_pdec_verify(o.dm, eh, dth, protocol_dkg_z(o.k, j),
			                                   (const uint8_t(*)[PGROUP_BYTES])dab,
			                                   &dpd[q], &why),
			              "%s", why);
		}
		ck_assert(protocol_decrypt_combine(N_ITEMS, (const uint8_t(*)[PGROUP_BYTES])dab,
		                                   dpd, 2, 2, counts, &why));
		for (int i = 0; i < N_ITEMS; i++)
			ck_assert_uint_eq(counts[i], known[i]);
		free(dd[0]);
		free(dd[1]);
		/* something that counts ballots is not a dry run: refused */
		write_dry_run(&o, 1, dab, dth, known);
		unlink(path);
		ck_assert_int_eq(tfx_tool(o.dir, passes[2],
		                          "dry-run --election " ELECTION " --key t3.key --in "
		                          "dryrun.json --ceremony-in ceremony.json --out dry3.json",
		                          &out),
		                 1);
		ck_assert_msg(strstr(out, "this is not a dry run: it counts 1 ballot.") != NULL,
		              "%s", out);
		free(out);
		ck_assert_int_ne(access(path, F_OK), 0);
	}

	free(rec.text);
	free(bad.text);
	offline_free(&o);
}
END_TEST

START_TEST(ceremony_refusals)
{
	struct offline o;
	uint8_t *m2, *m3, *a, *b, *again;
	size_t l2, l3, la, lb, lagain;
	int round;
	char *out = NULL;

	offline_setup(&o);
	write_doc(&o);
	/* trustees 2 and 3 send R0; trustee 2's signature is spoiled */
	ck_assert_int_eq(run_ceremony(&o, 2, &out, &m2, &l2, &round), 0);
	free(out);
	ck_assert_int_eq(run_ceremony(&o, 3, &out, &m3, &l3, &round), 0);
	free(out);
	m2[l2 - 1] ^= 0x01;
	add_message(&o, 0, 2, m2, l2);
	add_message(&o, 0, 3, m3, l3);
	write_doc(&o);
	ck_assert_int_eq(run_ceremony(&o, 1, &out, &a, &la, &round), 1);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(out, "round-0 message of trustee 2 (trustee-2)") != NULL, "%s", out);
	free(out);

	/* a fresh attempt-1 document: trustee 1 makes R0 and, asked again,
	 * sends the very same bytes (its R1 is saved) */
	json_array_clear(o.messages);
	write_doc(&o);
	ck_assert_int_eq(run_ceremony(&o, 1, &out, &a, &la, &round), 0);
	free(out);
	ck_assert_int_eq(run_ceremony(&o, 1, &out, &again, &lagain, &round), 0);
	free(out);
	ck_assert_uint_eq(la, lagain);
	ck_assert_mem_eq(a, again, la);
	free(again);
	again = NULL;
	/* a restarted ceremony (attempt 2): the old round secrets go */
	o.attempt = 2;
	write_doc(&o);
	ck_assert_int_eq(run_ceremony(&o, 1, &out, &b, &lb, &round), 0);
	ck_assert_msg(strstr(out, "restarted (attempt 2)") != NULL, "%s", out);
	free(out);
	ck_assert_uint_eq(la, lb);
	ck_assert(memcmp(a, b, la) != 0);
	/* one run at a time per key file: the second is refused */
	{
		char lp[400];
		int fd;

		snprintf(lp, sizeof(lp), "%s/t1.key.lock", o.dir);
		fd = open(lp, O_RDWR | O_CREAT, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
		ck_assert_int_eq(run_ceremony(&o, 1, &out, &again, &lagain, &round), 1);
		ck_assert_msg(strstr(out, "another ngo-vote-trustee is using this key file") !=
		                  NULL,
		              "%s", out);
		ck_assert_ptr_null(again);
		free(out);
		close(fd);
	}
	/* a document of another election is refused */
	ck_assert_int_eq(tfx_tool(o.dir, passes[0],
	                          "ceremony --election other --key t1.key --in ceremony.json",
	                          &out),
	                 1);
	ck_assert_msg(strstr(out, "is for election " ELECTION) != NULL, "%s", out);
	free(out);
	/* a key that is not among the trustees */
	{
		uint8_t pk[32];

		tfx_keygen(o.dir, "stranger.key", passes[0], pk);
		ck_assert_int_eq(tfx_tool(o.dir, passes[0],
		                          "ceremony --election " ELECTION
		                          " --key stranger.key --in ceremony.json",
		                          &out),
		                 1);
		ck_assert_msg(strstr(out, "not a trustee") != NULL, "%s", out);
		free(out);
	}
	free(m2);
	free(m3);
	free(a);
	free(b);
	free(again);
	offline_free(&o);
}
END_TEST

Suite *
trustee_suite(void)
{
	Suite *s = suite_create("trustee");
	TCase *tc = tcase_create("tool");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, keygen_file);
	tcase_add_test(tc, ceremony_refusals);
	tcase_add_test(tc, airgapped_ceremony_and_decrypt);
	suite_add_tcase(s, tc);
	return s;
}
