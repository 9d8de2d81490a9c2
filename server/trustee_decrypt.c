/*
 * trustee_decrypt.c -- the two commands that use the trustee's share z_j:
 *
 *   dry-run   decrypts the server's test ciphertexts before the election
 *             opens; only a dry run is accepted: its tally counts N = 0
 *             ballots, which no real tally that gets decrypted does (with
 *             N = 0 nothing is decrypted, spec §11), so the signed answer
 *             can never serve to decrypt real ballots;
 *   decrypt   after voting closes: the whole record goes through the
 *             verifier engine (V1-V6, V9 must pass, nothing may fail), the
 *             tally is recomputed here from the ballots on the board
 *             (counted set, N, aggregates) and must equal the published
 *             `tally` event, and N must reach --min-ballots (§11: trustees
 *             MUST recompute the tally and SHOULD refuse a tiny N).  Only
 *             then is PD_j built over the recomputed aggregates and sent.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "trustee.h"
#include "verify.h"

#define RECORD_MAX (512u << 20)

/* The share this key file holds for the election. */
struct share {
	uint32_t j;
	uint8_t *z; /* sodium_malloc */
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	uint8_t manifest_hash[PCRYPTO_HASH_BYTES];
};

static void
share_clear(struct share *s)
{
	if (s->z != NULL)
		sodium_free(s->z);
	memset(s, 0, sizeof(*s));
}

static bool
share_load(struct trustee_key *key, const char *id, struct share *s)
{
	json_t *st = trustee_key_election(key, id, false);
	const json_t *idx = json_object_get(st, "index");

	memset(s, 0, sizeof(*s));
	s->z = sodium_malloc(PGROUP_BYTES);
	if (s->z == NULL)
		return false;
	if (st == NULL || !json_is_integer(idx) || json_integer_value(idx) < 1 ||
	    !trustee_state_get_hex(st, "z", s->z, PGROUP_BYTES) ||
	    !trustee_state_get_hex(st, "election_hash", s->election_hash, PCRYPTO_HASH_BYTES) ||
	    !trustee_state_get_hex(st, "manifest_hash", s->manifest_hash, PCRYPTO_HASH_BYTES)) {
		fprintf(stderr,
		        "ngo-vote-trustee: %s holds no share for election %s (did this key take "
		        "part in its ceremony to the end?)\n",
		        key->path, id);
		share_clear(s);
		return false;
	}
	s->j = (uint32_t)json_integer_value(idx);
	return true;
}

/* The share matches the published ceremony: same manifest, index,
 * election hash, and z_j*G = Z_j. */
static bool
share_matches(const struct share *s, const uint8_t manifest_hash[PCRYPTO_HASH_BYTES],
              struct protocol_dkg *k, uint32_t me)
{
	uint8_t eh[PCRYPTO_HASH_BYTES], zg[PGROUP_BYTES];
	const uint8_t *zpub = protocol_dkg_z(k, s->j);

	pgroup_mul_base(zg, s->z);
	if (memcmp(manifest_hash, s->manifest_hash, PCRYPTO_HASH_BYTES) != 0 || me != s->j ||
	    !protocol_dkg_complete(k) || !protocol_dkg_election_hash(k, eh) ||
	    memcmp(eh, s->election_hash, sizeof(eh)) != 0 || zpub == NULL ||
	    !pgroup_equal(zg, zpub)) {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: the share in this key file is not "
		                "for the key ceremony this election published\n");
		return false;
	}
	return true;
}

/* Builds PD_j over the aggregates and sends it. */
static bool
build_and_send(const struct trustee_options *o, struct trustee_key *key,
               const struct protocol_manifest *m, const struct share *s,
               const uint8_t tally_hash[PCRYPTO_HASH_BYTES], const uint8_t (*ab)[PGROUP_BYTES],
               const char *what, const char *label)
{
	struct encoding_buf pd;
	bool ok;

	encoding_buf_init(&pd);
	ok = protocol_pdec_build(m, s->election_hash, s->j, s->z, tally_hash, ab, key->sk,
	                         &pgroup_rng_system, &pd) &&
	     !pd.failed;
	if (!ok)
		fprintf(stderr, "ngo-vote-trustee: cannot build the partial decryption\n");
	else
		ok = trustee_send(o, what, -1, pd.data, pd.len, label, NULL);
	encoding_buf_free(&pd);
	return ok;
}

static bool
index_listed(const json_t *arr, uint32_t j)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);

		if (json_is_integer(v) && json_integer_value(v) == (json_int_t)j)
			return true;
		if (json_is_integer(json_object_get(v, "trustee")) &&
		    json_integer_value(json_object_get(v, "trustee")) == (json_int_t)j)
			return true;
	}
	return false;
}

/* ---- dry run ---- */

int
trustee_cmd_dry_run(const struct trustee_options *o)
{
	struct trustee_options copt;
	struct trustee_key *key = NULL;
	struct trustee_ceremony c = {0};
	struct share s = {0};
	json_t *cdoc = NULL, *ddoc = NULL;
	const json_t *dj, *th, *state;
	uint8_t *data = NULL, tally_hash[PCRYPTO_HASH_BYTES], given[PCRYPTO_HASH_BYTES];
	uint8_t(*ab)[PGROUP_BYTES];
	size_t len = 0, items;
	int ret = TRUSTEE_REFUSED;

	if (!trustee_open_key(o, &key))
		return TRUSTEE_REFUSED;
	if (!share_load(key, o->election, &s))
		goto out;
	copt = *o;
	copt.in = o->ceremony_in;
	cdoc = trustee_fetch_json(&copt, "ceremony", "ceremony");
	if (cdoc == NULL || !trustee_ceremony_load(o, cdoc, key->pk, &c) ||
	    !share_matches(&s, c.manifest_hash, c.k, c.me))
		goto out;
	ddoc = trustee_fetch_json(o, "dry-run", "dry run");
	if (ddoc == NULL)
		goto out;
	state = json_object_get(ddoc, "state");
	if (index_listed(json_object_get(ddoc, "verified"), s.j) ||
	    index_listed(json_object_get(ddoc, "partials"), s.j)) {
		printf("This trustee (%u) has already decrypted the dry run (state: %s).\n", s.j,
		       json_is_string(state) ? json_string_value(state) : "?");
		ret = TRUSTEE_OK;
		goto out;
	}
	if (!json_is_string(state) || strcmp(json_string_value(state), "running") != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: no dry run is waiting for decryption (state: %s)\n",
		        json_is_string(state) ? json_string_value(state) : "none");
		goto out;
	}
	dj = json_object_get(ddoc, "data");
	items = protocol_manifest_total_candidates(c.m);
	if (!json_is_string(dj) ||
	    (data = encoding_hex_decode_alloc(json_string_value(dj), json_string_length(dj),
	                                      &len)) == NULL ||
	    len != PCRYPTO_HASH_BYTES + 4 + items * 2 * PGROUP_BYTES) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: the dry run's data is not election_hash "
		        "|| LE32(0) || the test ciphertexts of every candidate\n");
		goto out;
	}
	if (memcmp(data, s.election_hash, PCRYPTO_HASH_BYTES) != 0) {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: the dry run is for another election "
		                "hash\n");
		goto out;
	}
	if (encoding_le32_get(data + PCRYPTO_HASH_BYTES) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: this is not a dry run: it counts %u ballot%s.  "
		        "A dry run counts none; real ballots are decrypted only with `decrypt`, "
		        "after the record is verified.\n",
		        encoding_le32_get(data + PCRYPTO_HASH_BYTES),
		        encoding_le32_get(data + PCRYPTO_HASH_BYTES) == 1 ? "" : "s");
		goto out;
	}
	ab = (uint8_t(*)[PGROUP_BYTES])(data + PCRYPTO_HASH_BYTES + 4);
	for (size_t i = 0; i < 2 * items; i++)
		if (!pcrypto_point_decode(ab[i])) {
			fprintf(stderr, "ngo-vote-trustee: REFUSED: a dry-run ciphertext is not a "
			                "canonical point\n");
			goto out;
		}
	pcrypto_h64("tally", data, len, tally_hash);
	th = json_object_get(ddoc, "tally_hash");
	if (th != NULL && (!json_is_string(th) ||
	                   !encoding_hex_decode(json_string_value(th), json_string_length(th),
	                                        given, sizeof(given)) ||
	                   memcmp(given, tally_hash, sizeof(given)) != 0)) {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: the dry run's tally_hash is not "
		                "H64(\"tally\", data)\n");
		goto out;
	}
	printf("Dry run: %zu test ciphertexts for election %s; decrypting with share %u.\n", items,
	       o->election, s.j);
	if (build_and_send(o, key, c.m, &s, tally_hash, (const uint8_t(*)[PGROUP_BYTES])ab,
	                   "dry-run/partial-decryptions", "dry-run partial decryption"))
		ret = TRUSTEE_OK;
out:
	free(data);
	json_decref(cdoc);
	json_decref(ddoc);
	trustee_ceremony_clear(&c);
	share_clear(&s);
	trustee_key_close(key);
	return ret;
}

/* ---- the record ---- */

struct record {
	struct verify *v;
	struct protocol_manifest *m;
	uint8_t manifest_hash[PCRYPTO_HASH_BYTES];
	struct protocol_dkg *k;
	struct protocol_tally *t;
	uint8_t *tally; /* the tally event's data */
	size_t tally_len;
	uint32_t ballots;
	bool closed, result;
	uint32_t pd_count;
	bool pd_mine;
	uint32_t me;
	char problem[300]; /* the first thing our own reading refused */
};

static void
problem(struct record *r, uint32_t n, const char *what)
{
	if (r->problem[0] == '\0')
		snprintf(r->problem, sizeof(r->problem), "event %u: %s", n, what);
}

static void
record_event(struct record *r, const struct protocol_record_line *l)
{
	const char *why = NULL;

	if (l->type == PROTOCOL_EVENT_MANIFEST) {
		if (r->m != NULL || !protocol_manifest_decode(l->data, l->data_len, &r->m, &why)) {
			problem(r, l->n, why ? why : "a second manifest");
			return;
		}
		protocol_manifest_hash(l->data, l->data_len, r->manifest_hash);
		if (r->m->mode != PROTOCOL_MODE_SECRET) {
			problem(r, l->n, "not a secret-ballot election");
			return;
		}
		r->k = protocol_dkg_new(r->m, r->manifest_hash);
		r->t = protocol_tally_new(r->m);
		if (r->k == NULL || r->t == NULL)
			problem(r, l->n, "out of memory");
		return;
	}
	if (r->k == NULL || r->t == NULL) {
		problem(r, l->n, "no manifest before it");
		return;
	}
	switch (l->type) {
	case PROTOCOL_EVENT_DKG_ROUND0:
	case PROTOCOL_EVENT_DKG_ROUND1:
	case PROTOCOL_EVENT_DKG_ROUND2:
	case PROTOCOL_EVENT_DKG_ROUND3:
		if (!protocol_dkg_add(r->k, (uint32_t)(l->type - PROTOCOL_EVENT_DKG_ROUND0),
		                      l->data, l->data_len, NULL, &why))
			problem(r, l->n, why);
		break;
	case PROTOCOL_EVENT_BALLOT: {
		struct protocol_sballot b;
		uint8_t hash[PCRYPTO_HASH_BYTES];
		size_t blen =
		    l->data_len >= PCRYPTO_SIG_BYTES ? l->data_len - PCRYPTO_SIG_BYTES : 0;
		int64_t voter;

		r->ballots++;
		if (r->closed) {
			problem(r, l->n, "a ballot after the close");
			break;
		}
		if (protocol_sballot_parse(r->m, l->data, blen, &b) != PROTOCOL_BALLOT_OK) {
			problem(r, l->n, "a ballot that does not parse");
			break;
		}
		voter = protocol_manifest_voter_find(r->m, b.voter_pk);
		if (voter < 0) {
			problem(r, l->n, "a ballot from a key not on the roll");
		} else {
			protocol_ballot_hash(l->data, blen, hash);
			protocol_tally_add_secret(r->t, (uint32_t)voter, l->n, &b, hash);
		}
		protocol_sballot_clear(&b);
		break;
	}
	case PROTOCOL_EVENT_CLOSE:
		r->closed = true;
		break;
	case PROTOCOL_EVENT_TALLY:
		free(r->tally);
		r->tally = malloc(l->data_len ? l->data_len : 1);
		if (r->tally == NULL) {
			problem(r, l->n, "out of memory");
			break;
		}
		memcpy(r->tally, l->data, l->data_len);
		r->tally_len = l->data_len;
		break;
	case PROTOCOL_EVENT_PARTIAL_DECRYPTION:
		r->pd_count++;
		if (l->data_len >= PCRYPTO_HASH_BYTES + 4 &&
		    encoding_le32_get(l->data + PCRYPTO_HASH_BYTES) == r->me)
			r->pd_mine = true;
		break;
	case PROTOCOL_EVENT_RESULT:
		r->result = true;
		break;
	default:
		break;
	}
}

/* Feeds every line to the verifier and to our own reading. */
static bool
record_read(struct record *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t with_nl = nl ? n + 1 : n;
		struct protocol_record_line l;
		const char *why = NULL;
		char *line = malloc(with_nl + 1);

		if (line == NULL)
			return false;
		memcpy(line, p, with_nl);
		line[with_nl] = '\0';
		verify_feed_line(r->v, line, with_nl); /* scratch: copy again below */
		memcpy(line, p, n);
		line[n] = '\0';
		if (protocol_record_parse_line(line, n, &l, &why)) {
			if (l.kind == PROTOCOL_RECORD_EVENT)
				record_event(r, &l);
			protocol_record_line_clear(&l);
		} else if (r->problem[0] == '\0') {
			snprintf(r->problem, sizeof(r->problem), "a line does not parse: %s", why);
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
	verify_finish(r->v);
	return true;
}

static void
record_clear(struct record *r)
{
	verify_free(r->v);
	protocol_tally_free(r->t);
	protocol_dkg_free(r->k);
	protocol_manifest_free(r->m);
	free(r->tally);
	memset(r, 0, sizeof(*r));
}

/* The record as text: --in FILE or GET /record. */
static char *
record_fetch(const struct trustee_options *o, size_t *len)
{
	struct cli_response resp = {0};
	char why[600], *text;

	if (o->in != NULL)
		return cli_read_file(o->in, RECORD_MAX, len);
	if (trustee_get(o, "record", &resp) != 200) {
		trustee_response_explain(&resp, why, sizeof(why));
		fprintf(stderr, "ngo-vote-trustee: cannot fetch the record: %s\n", why);
		cli_response_free(&resp);
		return NULL;
	}
	text = resp.data;
	*len = resp.len;
	return text;
}

/* Every check the record must pass before anything is decrypted. */
static bool
verified(const struct record *r)
{
	static const enum verify_check_id must_pass[] = {VERIFY_V1, VERIFY_V2, VERIFY_V3, VERIFY_V4,
	                                                 VERIFY_V5, VERIFY_V6, VERIFY_V9};
	bool ok = true;

	for (int i = 0; i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *c = verify_get_check(r->v, (enum verify_check_id)i);
		bool need = false;

		for (size_t k = 0; k < sizeof(must_pass) / sizeof(must_pass[0]); k++)
			need |= must_pass[k] == (enum verify_check_id)i;
		if (c->status == VERIFY_FAIL || (need && c->status != VERIFY_PASS)) {
			if (ok)
				fprintf(stderr, "ngo-vote-trustee: REFUSED: the record does not "
				                "verify:\n");
			ok = false;
			fprintf(stderr, "  %s %s: %s%s%s\n",
			        verify_check_label((enum verify_check_id)i),
			        verify_check_name((enum verify_check_id)i),
			        c->status == VERIFY_FAIL ? "FAILED" : "not passed",
			        c->reason[0] ? ": " : "", c->reason);
		}
	}
	return ok;
}

int
trustee_cmd_decrypt(const struct trustee_options *o)
{
	struct trustee_key *key = NULL;
	struct share s = {0};
	struct record r = {0};
	struct encoding_buf body;
	uint8_t(*ab)[PGROUP_BYTES] = NULL;
	uint8_t eh[PCRYPTO_HASH_BYTES], tally_hash[PCRYPTO_HASH_BYTES];
	char *text = NULL;
	size_t len = 0;
	uint32_t n_counted;
	int ret = TRUSTEE_REFUSED;

	encoding_buf_init(&body);
	if (!trustee_open_key(o, &key))
		return TRUSTEE_REFUSED;
	if (!share_load(key, o->election, &s))
		goto out;
	text = record_fetch(o, &len);
	if (text == NULL)
		goto out;
	r.me = s.j;
	r.v = verify_new();
	if (r.v == NULL || !record_read(&r, text, len))
		goto out;
	if (r.m == NULL || strcmp(r.m->election_id, o->election) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: this is not the record of election %s\n",
		        o->election);
		goto out;
	}
	if (!verified(&r))
		goto out;
	if (r.problem[0] != '\0') {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: the record: %s\n", r.problem);
		goto out;
	}
	if (!share_matches(&s, r.manifest_hash, r.k, s.j))
		goto out;
	if (r.result) {
		printf("The result of election %s is already on the board: nothing to decrypt.\n",
		       o->election);
		ret = TRUSTEE_OK;
		goto out;
	}
	if (!r.closed || r.tally == NULL) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: voting in election %s is not closed and "
		        "tallied yet\n",
		        o->election);
		goto out;
	}
	if (r.pd_mine) {
		printf("This trustee (%u) has already decrypted election %s; waiting for the "
		       "others.\n",
		       s.j, o->election);
		ret = TRUSTEE_OK;
		goto out;
	}
	/* the tally, recomputed here from the ballots on the board */
	if (!protocol_dkg_election_hash(r.k, eh) || !protocol_tally_body(r.t, eh, &body) ||
	    body.failed) {
		fprintf(stderr, "ngo-vote-trustee: cannot recompute the tally\n");
		goto out;
	}
	if (body.len != r.tally_len || memcmp(body.data, r.tally, body.len) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: the published tally differs from the tally "
		        "recomputed from the ballots on the board.  Nothing was decrypted; keep "
		        "this record as evidence.\n");
		goto out;
	}
	n_counted = protocol_tally_counted(r.t);
	if (n_counted < o->min_ballots) {
		fprintf(stderr,
		        "ngo-vote-trustee: REFUSED: only %u ballot%s counted, fewer than %u: "
		        "decrypting the totals would reveal how so few voters voted "
		        "(--min-ballots).\n",
		        n_counted, n_counted == 1 ? " is" : "s are", o->min_ballots);
		goto out;
	}
	ab = calloc(2 * (size_t)protocol_manifest_total_candidates(r.m) + 1, sizeof(*ab));
	if (ab == NULL || !protocol_tally_aggregates(r.t, ab))
		goto out;
	pcrypto_h64("tally", body.data, body.len, tally_hash);
	printf("Record of election %s verified: %u ballot events, %u ballots counted; the "
	       "published tally equals the one recomputed here.\n",
	       o->election, r.ballots, n_counted);
	if (build_and_send(o, key, r.m, &s, tally_hash, (const uint8_t(*)[PGROUP_BYTES])ab,
	                   "partial-decryptions", "partial decryption"))
		ret = TRUSTEE_OK;
out:
	free(ab);
	free(text);
	encoding_buf_free(&body);
	record_clear(&r);
	share_clear(&s);
	trustee_key_close(key);
	return ret;
}
