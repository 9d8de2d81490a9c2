/*
 * gen_record.c -- writes a synthetic open-mode election record for the
 * verifier benchmark: V voters (default 100,000), 6 contests x 5
 * candidates, 2 seats each, 0..2 selections, 10% of voters vote twice.
 * Keys and choices are deterministic (seeds as in spec §17), so every run
 * writes the same bytes.  Built from the core library itself.
 *
 * usage: gen_record OUT.jsonl [VOTERS]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "crypto_group.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_tally.h"

#define CONTESTS   6
#define CANDIDATES 5

static void
keypair(const char *label, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];

	pgroup_test_seed(label, seed);
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
	sodium_memzero(seed, sizeof(seed));
}

/* A deterministic time: seconds after 2009-05-04T08:00:00Z, within a day. */
static void
at_time(unsigned s, char out[21])
{
	snprintf(out, 21, "2009-05-04T%02u:%02u:%02uZ", 8 + s / 3600, (s / 60) % 60, s % 60);
}

static void
emit(FILE *f, struct encoding_buf *b)
{
	if (b->failed || fwrite(b->data, 1, b->len, f) != b->len) {
		fprintf(stderr, "gen_record: write failed\n");
		exit(2);
	}
	b->len = 0;
}

int
main(int argc, char **argv)
{
	static const char *const km =
	    "\xe1\x9e\x9f\xe1\x9e\x98\xe1\x9e\xb6\xe1\x9e\x82\xe1\x9e\x98";
	uint32_t nv = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000;
	struct protocol_text_entry title_e[2] = {{"en", "Synthetic benchmark election"},
	                                         {"km", km}};
	struct protocol_text_entry *ve;
	struct protocol_party *voters;
	struct protocol_contest contests[CONTESTS];
	struct protocol_candidate cands[CONTESTS][CANDIDATES];
	struct protocol_text_entry ce[CONTESTS][CANDIDATES][1], cte[CONTESTS][1];
	char(*ids)[16], (*names)[32], cid[CONTESTS][CANDIDATES][16], ctid[CONTESTS][16];
	struct protocol_manifest m, *dm = NULL;
	struct encoding_buf mb, b, line;
	uint8_t spk[32], ssk[64], mh[64], eh[64], prev[64], h[64];
	const char *why = NULL;
	struct protocol_tally *t;
	struct protocol_result *res = NULL;
	uint32_t n = 0, n_ballots = 0;
	char at[21];
	FILE *f;

	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: gen_record OUT.jsonl [VOTERS]\n");
		return 2;
	}
	f = fopen(argv[1], "wb");
	ve = calloc(nv, sizeof(*ve) * 2);
	voters = calloc(nv, sizeof(*voters));
	ids = calloc(nv, sizeof(*ids));
	names = calloc(nv, sizeof(*names));
	if (f == NULL || ve == NULL || voters == NULL || ids == NULL || names == NULL)
		return 2;
	keypair("server", spk, ssk);
	for (uint32_t v = 0; v < nv; v++) {
		char label[64];
		uint8_t sk[64];

		snprintf(ids[v], sizeof(ids[v]), "ngo-%06lu", (unsigned long)v);
		snprintf(names[v], sizeof(names[v]), "Organisation %06lu", (unsigned long)v);
		snprintf(label, sizeof(label), "voter/%s", ids[v]);
		keypair(label, voters[v].pk, sk);
		ve[2 * v].lang = "en";
		ve[2 * v].value = names[v];
		ve[2 * v + 1].lang = "km";
		ve[2 * v + 1].value = km;
		voters[v].id = ids[v];
		voters[v].name.n = 2;
		voters[v].name.entries = &ve[2 * v];
	}
	for (int c = 0; c < CONTESTS; c++) {
		snprintf(ctid[c], sizeof(ctid[c]), "wg-%d", c + 1);
		cte[c][0].lang = "en";
		cte[c][0].value = ctid[c];
		for (int i = 0; i < CANDIDATES; i++) {
			snprintf(cid[c][i], sizeof(cid[c][i]), "ngo-%06d", c * CANDIDATES + i);
			ce[c][i][0].lang = "en";
			ce[c][i][0].value = cid[c][i];
			cands[c][i].id = cid[c][i];
			cands[c][i].name.n = 1;
			cands[c][i].name.entries = ce[c][i];
		}
		contests[c] = (struct protocol_contest){
		    .id = ctid[c],
		    .title = {1, cte[c]},
		    .method = PROTOCOL_METHOD_TOP_K,
		    .seats = 2,
		    .min = 0,
		    .max = 2,
		    .n_candidates = CANDIDATES,
		    .candidates = cands[c],
		};
	}
	memset(&m, 0, sizeof(m));
	m.election_id = "bench-2009";
	m.title.n = 2;
	m.title.entries = title_e;
	m.mode = PROTOCOL_MODE_OPEN;
	memcpy(m.server_pk, spk, 32);
	m.revote = 1;
	m.opens_at = "";
	m.closes_at = "";
	m.n_contests = CONTESTS;
	m.contests = contests;
	m.n_voters = nv;
	m.voters = voters;
	encoding_buf_init(&mb);
	encoding_buf_init(&b);
	encoding_buf_init(&line);
	if (!protocol_manifest_encode(&m, &mb, &why) ||
	    !protocol_manifest_decode(mb.data, mb.len, &dm, &why)) {
		fprintf(stderr, "gen_record: manifest: %s\n", why);
		return 2;
	}
	protocol_manifest_hash(mb.data, mb.len, mh);
	protocol_election_hash_open(mh, eh);
	t = protocol_tally_new(dm);

	protocol_record_write_header(&line, m.election_id, spk);
	at_time(0, at);
	protocol_event_hash(NULL, n, PROTOCOL_EVENT_MANIFEST, at, mb.data, mb.len, prev);
	protocol_record_write_event(&line, n++, PROTOCOL_EVENT_MANIFEST, at, mb.data, mb.len, prev);
	emit(f, &line);
	encoding_buf_free(&mb);
	protocol_board_open_data(eh, &b);
	protocol_event_hash(prev, n, PROTOCOL_EVENT_OPEN, at, b.data, b.len, prev);
	protocol_record_write_event(&line, n++, PROTOCOL_EVENT_OPEN, at, b.data, b.len, prev);
	emit(f, &line);

	/* Voter v votes once; every tenth voter votes again at the end. */
	for (uint32_t k = 0; k < nv + nv / 10; k++) {
		uint32_t v = k < nv ? k : (k - nv) * 10;
		uint32_t seq = k < nv ? 1 : 2;
		uint32_t counts[CONTESTS], idx[CONTESTS][2];
		const uint32_t *ix[CONTESTS];
		uint8_t pk[32], sk[64], bh[64], sig[64];
		struct protocol_ballot bal;
		char label[64];
		uint32_t r = (uint32_t)(k * 2654435761u);

		for (int c = 0; c < CONTESTS; c++) {
			uint32_t a = (r >> (c * 4)) % CANDIDATES,
			         z = (r >> (c * 4 + 2)) % CANDIDATES;

			counts[c] = (r >> c) % 3;
			if (counts[c] == 2 && a == z)
				counts[c] = 1;
			idx[c][0] = a < z || counts[c] == 1 ? a : z;
			idx[c][1] = a < z ? z : a;
			ix[c] = idx[c];
		}
		snprintf(label, sizeof(label), "voter/%s", ids[v]);
		keypair(label, pk, sk);
		b.len = 0;
		protocol_ballot_build(eh, pk, seq, CONTESTS, counts, ix, &b);
		protocol_ballot_hash(b.data, b.len, bh);
		if (!protocol_ballot_sign(sk, bh, sig))
			return 2;
		sodium_memzero(sk, sizeof(sk));
		if (protocol_ballot_parse(dm, b.data, b.len, &bal) != PROTOCOL_BALLOT_OK)
			return 2;
		protocol_tally_add(t, v, n, &bal, bh);
		protocol_ballot_clear(&bal);
		encoding_buf_append(&b, sig, 64);
		at_time(1 + k * 30000u / (nv + nv / 10), at);
		protocol_event_hash(prev, n, PROTOCOL_EVENT_BALLOT, at, b.data, b.len, prev);
		protocol_record_write_event(&line, n++, PROTOCOL_EVENT_BALLOT, at, b.data, b.len,
		                            prev);
		emit(f, &line);
		n_ballots++;
	}
	at_time(30001, at);
	b.len = 0;
	protocol_board_close_data(eh, n_ballots, &b);
	protocol_event_hash(prev, n, PROTOCOL_EVENT_CLOSE, at, b.data, b.len, prev);
	protocol_record_write_event(&line, n++, PROTOCOL_EVENT_CLOSE, at, b.data, b.len, prev);
	emit(f, &line);
	if (!protocol_tally_finish(t, eh, &res))
		return 2;
	protocol_event_hash(prev, n, PROTOCOL_EVENT_RESULT, at, res->body, res->body_len, prev);
	protocol_record_write_event(&line, n, PROTOCOL_EVENT_RESULT, at, res->body, res->body_len,
	                            prev);
	if (!protocol_head_sign(ssk, eh, n, prev, h))
		return 2;
	protocol_record_write_head(&line, n, prev, h);
	emit(f, &line);
	if (fclose(f) != 0)
		return 2;
	printf("%lu voters, %lu ballot events, %lu events\n", (unsigned long)nv,
	       (unsigned long)n_ballots, (unsigned long)n + 1);
	sodium_memzero(ssk, sizeof(ssk));
	protocol_result_free(res);
	protocol_tally_free(t);
	protocol_manifest_free(dm);
	encoding_buf_free(&b);
	encoding_buf_free(&line);
	free(ve);
	free(voters);
	free(ids);
	free(names);
	return 0;
}
