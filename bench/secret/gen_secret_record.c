/*
 * gen_secret_record.c -- writes a complete, valid secret-mode election
 * record for the secret-ballot benchmark (issue 8), built with the core
 * library itself: V voters (default 10,000), 6 contests x 5 candidates,
 * 2 seats each, 0..2 selections, 3 trustees with t = 2, the whole key
 * ceremony (R0..R3), open, one ballot per voter (seq 1, revote off),
 * close, tally, the partial decryptions of trustees 1 and 2, the result
 * and the head signed by the server key.
 *
 * Keys come from seeds as in spec §17 (server, trustee/trustee-<d>,
 * voter/ngo-<nnnnnn>) and the choices are deterministic; the encryption
 * and proof randomness is the CSPRNG (pgroup_rng_system), so two runs
 * write different bytes with the same counts.  Ballots are built by two
 * threads (building dominates), written in order by the main thread.
 *
 * Prints `ours.c_build_ms_per_ballot X`: the CPU time of one thread per
 * protocol_sballot_build (encryption and proofs, without the signature).
 *
 * usage: gen_secret_record OUT.jsonl [VOTERS]
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "crypto_group.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "synthetic.h"

#define CONTESTS   SYNTH_CONTESTS
#define CANDIDATES SYNTH_CANDIDATES
#define TRUSTEES   3
#define THRESHOLD  2
#define THREADS    2
#define CHUNK      256

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "gen_secret_record: %s%s%s\n", what, why ? ": " : "", why ? why : "");
	exit(2);
}

/* A deterministic time: seconds after 2009-05-04T08:00:00Z, within the
 * day (the whole record spans under nine hours). */
static void
at_time(unsigned s, char out[32])
{
	snprintf(out, 32, "2009-05-04T%02u:%02u:%02uZ", (8 + s / 3600) % 24, (s / 60) % 60, s % 60);
}

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The record being written: event number, chain, current time. */
struct writer {
	FILE *f;
	struct encoding_buf line;
	uint32_t n;
	uint8_t prev[64];
};

static void
event(struct writer *w, enum protocol_event_type type, const char *at, const uint8_t *data,
      size_t len)
{
	protocol_event_hash(w->n == 0 ? NULL : w->prev, w->n, type, at, data, len, w->prev);
	w->line.len = 0;
	protocol_record_write_event(&w->line, w->n++, type, at, data, len, w->prev);
	if (w->line.failed || fwrite(w->line.data, 1, w->line.len, w->f) != w->line.len)
		die("write failed", NULL);
}

/* A 32-bit mix (the finaliser of MurmurHash3). */
static uint32_t
mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* Voter k's choices: per contest 0, 1 or 2 distinct candidates, each
 * count equally likely. */
static void
choices_of(uint32_t k, uint8_t rows[CONTESTS][CANDIDATES])
{
	memset(rows, 0, CONTESTS * CANDIDATES);
	for (uint32_t c = 0; c < CONTESTS; c++) {
		uint32_t r = mix32(k * CONTESTS + c + 1);
		uint32_t count = r % 3, a = (r / 3) % CANDIDATES, z = (r / 15) % CANDIDATES;

		if (count >= 1)
			rows[c][a] = 1;
		if (count == 2)
			rows[c][a == z ? (a + 1) % CANDIDATES : z] = 1;
	}
}

/* What the threads share for one chunk of ballots. */
struct job {
	const struct protocol_manifest *m;
	const uint8_t *eh, *y;
	uint32_t first, count; /* voters [first, first + count) */
	struct encoding_buf *bodies;
	uint8_t (*hashes)[64];
	uint8_t (*sigs)[64];
	int thread;
	double cpu; /* protocol_sballot_build only */
	uint32_t built;
	int failed;
};

static void *
build_part(void *arg)
{
	struct job *j = arg;

	for (uint32_t x = (uint32_t)j->thread; x < j->count; x += THREADS) {
		uint32_t v = j->first + x;
		uint8_t rows[CONTESTS][CANDIDATES], pk[32], sk[64];
		const uint8_t *ch[CONTESTS];
		char label[64];
		double t0;

		choices_of(v, rows);
		for (int c = 0; c < CONTESTS; c++)
			ch[c] = rows[c];
		snprintf(label, sizeof(label), "voter/ngo-%06lu", (unsigned long)v);
		synthetic_keypair(label, pk, sk);
		snprintf(label, sizeof(label), "ballot/ngo-%06lu/s1", (unsigned long)v);
		j->bodies[x].len = 0;
		t0 = thread_cpu_s();
		if (!protocol_sballot_build(j->m, j->eh, j->y, pk, 1, ch, &pgroup_rng_system, label,
		                            &j->bodies[x])) {
			j->failed = 1;
			return NULL;
		}
		j->cpu += thread_cpu_s() - t0;
		j->built++;
		protocol_ballot_hash(j->bodies[x].data, j->bodies[x].len, j->hashes[x]);
		if (!protocol_ballot_sign(sk, j->hashes[x], j->sigs[x]))
			j->failed = 1;
		sodium_memzero(sk, sizeof(sk));
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	uint32_t nv = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 10000;
	struct synthetic_election e;
	uint8_t z[TRUSTEES][32];
	struct protocol_manifest *dm = NULL;
	struct protocol_dkg_secrets sec[TRUSTEES];
	struct protocol_dkg *k;
	struct encoding_buf mb, b, r1[TRUSTEES], pd[THRESHOLD];
	struct encoding_buf bodies[CHUNK];
	uint8_t hashes[CHUNK][64], sigs[CHUNK][64];
	uint8_t mh[64], eh[64], th[64], head[64];
	uint8_t(*ab)[PGROUP_BYTES];
	uint32_t q[THRESHOLD] = {1, 2}, *counts, n_items, n_ballots = 0;
	struct protocol_pdec p[THRESHOLD];
	const char *why = NULL;
	struct protocol_tally *t;
	struct protocol_result *res = NULL;
	struct writer w = {0};
	double build_cpu = 0;
	uint32_t built = 0;
	unsigned s = 0;
	char at[32];

	if (argc < 2 || nv < 1 || sodium_init() < 0) {
		fprintf(stderr, "usage: gen_secret_record OUT.jsonl [VOTERS]\n");
		return 2;
	}
	w.f = fopen(argv[1], "wb");
	if (w.f == NULL ||
	    synthetic_election_init(&e, "bench-secret-2009", "Synthetic secret-ballot benchmark", 0,
	                            nv, TRUSTEES, THRESHOLD) != 0)
		die("cannot open the output or allocate the roll", NULL);

	encoding_buf_init(&mb);
	encoding_buf_init(&b);
	encoding_buf_init(&w.line);
	if (!protocol_manifest_encode(&e.m, &mb, &why) ||
	    !protocol_manifest_decode(mb.data, mb.len, &dm, &why))
		die("manifest", why);
	protocol_manifest_hash(mb.data, mb.len, mh);

	w.line.len = 0;
	protocol_record_write_header(&w.line, e.m.election_id, e.m.server_pk);
	if (fwrite(w.line.data, 1, w.line.len, w.f) != w.line.len)
		die("write failed", NULL);
	at_time(s, at);
	event(&w, PROTOCOL_EVENT_MANIFEST, at, mb.data, mb.len);
	encoding_buf_free(&mb);

	/* ---- the key ceremony: R0 (committing to R1), R1, R2, R3 ---- */
	k = protocol_dkg_new(dm, mh);
	if (k == NULL)
		die("protocol_dkg_new", NULL);
	for (uint32_t d = 1; d <= TRUSTEES; d++) {
		encoding_buf_init(&r1[d - 1]);
		if (!protocol_dkg_r1_build(dm, mh, d, e.trustee_sk[d - 1], &pgroup_rng_system,
		                           &sec[d - 1], &r1[d - 1]))
			die("dkg round 1", NULL);
		b.len = 0;
		if (!protocol_dkg_r0_build(mh, d, r1[d - 1].data, r1[d - 1].len,
		                           e.trustee_sk[d - 1], &b))
			die("dkg round 0", NULL);
		if (!protocol_dkg_add(k, 0, b.data, b.len, NULL, &why))
			die("dkg round 0 refused", why);
		at_time(s += 60, at);
		event(&w, PROTOCOL_EVENT_DKG_ROUND0, at, b.data, b.len);
	}
	for (uint32_t d = 1; d <= TRUSTEES; d++) {
		if (!protocol_dkg_add(k, 1, r1[d - 1].data, r1[d - 1].len, NULL, &why))
			die("dkg round 1 refused", why);
		at_time(s += 60, at);
		event(&w, PROTOCOL_EVENT_DKG_ROUND1, at, r1[d - 1].data, r1[d - 1].len);
		encoding_buf_free(&r1[d - 1]);
	}
	for (uint32_t d = 1; d <= TRUSTEES; d++) {
		b.len = 0;
		if (!protocol_dkg_r2_build(k, d, &sec[d - 1], e.trustee_sk[d - 1],
		                           &pgroup_rng_system, &b))
			die("dkg round 2", NULL);
		if (!protocol_dkg_add(k, 2, b.data, b.len, NULL, &why))
			die("dkg round 2 refused", why);
		at_time(s += 60, at);
		event(&w, PROTOCOL_EVENT_DKG_ROUND2, at, b.data, b.len);
	}
	for (uint32_t j = 1; j <= TRUSTEES; j++) {
		b.len = 0;
		if (!protocol_dkg_r3_build(k, j, &sec[j - 1], e.trustee_sk[j - 1],
		                           &pgroup_rng_system, z[j - 1], &b, &why))
			die("dkg round 3", why);
		if (!protocol_dkg_add(k, 3, b.data, b.len, NULL, &why))
			die("dkg round 3 refused", why);
		at_time(s += 60, at);
		event(&w, PROTOCOL_EVENT_DKG_ROUND3, at, b.data, b.len);
	}
	for (int d = 0; d < TRUSTEES; d++)
		protocol_dkg_secrets_wipe(&sec[d]);
	if (!protocol_dkg_complete(k) || !protocol_dkg_election_hash(k, eh))
		die("the key ceremony is not complete", NULL);

	b.len = 0;
	protocol_board_open_data(eh, &b);
	at_time(s += 60, at);
	event(&w, PROTOCOL_EVENT_OPEN, at, b.data, b.len);

	/* ---- the ballots: built by THREADS threads per chunk, written in order ---- */
	t = protocol_tally_new(dm);
	for (int x = 0; x < CHUNK; x++)
		encoding_buf_init(&bodies[x]);
	for (uint32_t first = 0; first < nv; first += CHUNK) {
		struct job jobs[THREADS];
		pthread_t tid_[THREADS];
		uint32_t count = nv - first < CHUNK ? nv - first : CHUNK;

		for (int th_ = 0; th_ < THREADS; th_++) {
			jobs[th_] = (struct job){.m = dm,
			                         .eh = eh,
			                         .y = protocol_dkg_y(k),
			                         .first = first,
			                         .count = count,
			                         .bodies = bodies,
			                         .hashes = hashes,
			                         .sigs = sigs,
			                         .thread = th_};
			if (th_ > 0 &&
			    pthread_create(&tid_[th_], NULL, build_part, &jobs[th_]) != 0)
				die("pthread_create", NULL);
		}
		build_part(&jobs[0]);
		for (int th_ = 1; th_ < THREADS; th_++)
			pthread_join(tid_[th_], NULL);
		for (int th_ = 0; th_ < THREADS; th_++) {
			if (jobs[th_].failed)
				die("ballot build failed", NULL);
			build_cpu += jobs[th_].cpu;
			built += jobs[th_].built;
		}
		for (uint32_t x = 0; x < count; x++) {
			struct protocol_sballot sb;
			struct encoding_buf *bb = &bodies[x];

			if (protocol_sballot_parse(dm, bb->data, bb->len, &sb) !=
			    PROTOCOL_BALLOT_OK)
				die("a built ballot does not parse", NULL);
			protocol_tally_add_secret(t, first + x, w.n, &sb, hashes[x]);
			protocol_sballot_clear(&sb);
			encoding_buf_append(bb, sigs[x], 64);
			at_time(s + 1 + (uint32_t)((uint64_t)(first + x) * 30000u / nv), at);
			event(&w, PROTOCOL_EVENT_BALLOT, at, bb->data, bb->len);
			n_ballots++;
		}
	}
	for (int x = 0; x < CHUNK; x++)
		encoding_buf_free(&bodies[x]);
	s += 30001;

	b.len = 0;
	protocol_board_close_data(eh, n_ballots, &b);
	at_time(s, at);
	event(&w, PROTOCOL_EVENT_CLOSE, at, b.data, b.len);

	/* ---- tally, partial decryptions of trustees 1 and 2, result ---- */
	n_items = protocol_manifest_total_candidates(dm);
	ab = calloc(2 * (size_t)n_items, PGROUP_BYTES);
	counts = calloc(n_items, sizeof(*counts));
	if (ab == NULL || counts == NULL || !protocol_tally_aggregates(t, ab))
		die("aggregates", NULL);
	b.len = 0;
	if (!protocol_tally_body(t, eh, &b))
		die("tally body", NULL);
	pcrypto_h64("tally", b.data, b.len, th);
	event(&w, PROTOCOL_EVENT_TALLY, at, b.data, b.len);
	for (uint32_t x = 0; x < THRESHOLD; x++) {
		uint32_t j = q[x];

		encoding_buf_init(&pd[x]);
		if (!protocol_pdec_build(dm, eh, j, z[j - 1], th,
		                         (const uint8_t(*)[PGROUP_BYTES])ab, e.trustee_sk[j - 1],
		                         &pgroup_rng_system, &pd[x]))
			die("partial decryption", NULL);
		if (!protocol_pdec_parse(dm, pd[x].data, pd[x].len, &p[x], &why))
			die("partial decryption parse", why);
		at_time(s += 60, at);
		event(&w, PROTOCOL_EVENT_PARTIAL_DECRYPTION, at, pd[x].data, pd[x].len);
	}
	if (!protocol_decrypt_combine(n_items, (const uint8_t(*)[PGROUP_BYTES])ab, p, THRESHOLD,
	                              protocol_tally_counted(t), counts, &why))
		die("combine", why);
	if (!protocol_tally_finish_counts(t, eh, counts, q, THRESHOLD, &res))
		die("result", NULL);
	at_time(s += 60, at);
	event(&w, PROTOCOL_EVENT_RESULT, at, res->body, res->body_len);
	if (!protocol_head_sign(e.server_sk, eh, w.n - 1, w.prev, head))
		die("head signature", NULL);
	w.line.len = 0;
	protocol_record_write_head(&w.line, w.n - 1, w.prev, head);
	if (w.line.failed || fwrite(w.line.data, 1, w.line.len, w.f) != w.line.len ||
	    fclose(w.f) != 0)
		die("write failed", NULL);

	printf("%lu voters, %lu ballot events, %lu events; counts", (unsigned long)nv,
	       (unsigned long)n_ballots, (unsigned long)w.n);
	for (uint32_t x = 0; x < n_items; x++)
		printf("%s%lu", x % CANDIDATES ? " " : " | ", (unsigned long)counts[x]);
	printf("\nours.c_build_ms_per_ballot %.2f\n", 1000.0 * build_cpu / built);

	sodium_memzero(z, sizeof(z));
	for (int x = 0; x < THRESHOLD; x++)
		encoding_buf_free(&pd[x]);
	protocol_result_free(res);
	protocol_tally_free(t);
	protocol_dkg_free(k);
	protocol_manifest_free(dm);
	encoding_buf_free(&b);
	encoding_buf_free(&w.line);
	free(ab);
	free(counts);
	synthetic_election_free(&e);
	return 0;
}
