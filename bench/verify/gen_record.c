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
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_tally.h"
#include "synthetic.h"

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
	uint32_t nv = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000;
	struct synthetic_election e;
	struct protocol_manifest *dm = NULL;
	struct encoding_buf mb, b, line;
	uint8_t mh[64], eh[64], prev[64], h[64];
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
	if (f == NULL || synthetic_election_init(&e, "bench-2009", "Synthetic benchmark election",
	                                         1, nv, 0, 0) != 0)
		return 2;
	encoding_buf_init(&mb);
	encoding_buf_init(&b);
	encoding_buf_init(&line);
	if (!protocol_manifest_encode(&e.m, &mb, &why) ||
	    !protocol_manifest_decode(mb.data, mb.len, &dm, &why)) {
		fprintf(stderr, "gen_record: manifest: %s\n", why);
		return 2;
	}
	protocol_manifest_hash(mb.data, mb.len, mh);
	protocol_election_hash_open(mh, eh);
	t = protocol_tally_new(dm);

	protocol_record_write_header(&line, e.m.election_id, e.m.server_pk);
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
		uint32_t counts[SYNTH_CONTESTS], idx[SYNTH_CONTESTS][2];
		const uint32_t *ix[SYNTH_CONTESTS];
		uint8_t pk[32], sk[64], bh[64], sig[64];
		struct protocol_ballot bal;
		char label[64];
		uint32_t r = (uint32_t)(k * 2654435761u);

		for (int c = 0; c < SYNTH_CONTESTS; c++) {
			uint32_t a = (r >> (c * 4)) % SYNTH_CANDIDATES,
			         z = (r >> (c * 4 + 2)) % SYNTH_CANDIDATES;

			counts[c] = (r >> c) % 3;
			if (counts[c] == 2 && a == z)
				counts[c] = 1;
			idx[c][0] = a < z || counts[c] == 1 ? a : z;
			idx[c][1] = a < z ? z : a;
			ix[c] = idx[c];
		}
		snprintf(label, sizeof(label), "voter/%s", e.voter_ids[v]);
		synthetic_keypair(label, pk, sk);
		b.len = 0;
		protocol_ballot_build(eh, pk, seq, SYNTH_CONTESTS, counts, ix, &b);
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
	if (!protocol_head_sign(e.server_sk, eh, n, prev, h))
		return 2;
	protocol_record_write_head(&line, n, prev, h);
	emit(f, &line);
	if (fclose(f) != 0)
		return 2;
	printf("%lu voters, %lu ballot events, %lu events\n", (unsigned long)nv,
	       (unsigned long)n_ballots, (unsigned long)n + 1);
	protocol_result_free(res);
	protocol_tally_free(t);
	protocol_manifest_free(dm);
	encoding_buf_free(&b);
	encoding_buf_free(&line);
	synthetic_election_free(&e);
	return 0;
}
