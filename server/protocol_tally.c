/*
 * protocol_tally.c -- counted set, counts, tie-break and result_body
 * (spec §11).  Per voter we keep the counted ballot's seq, event number,
 * hash and a bitmap of its selections; nothing per ballot.
 */
#include "protocol_tally.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	uint32_t seq; /* 0: no ballot */
	uint32_t event_n;
	uint8_t hash[PCRYPTO_HASH_BYTES];
};

struct protocol_tally {
	const struct protocol_manifest *m;
	uint32_t total;     /* candidates over all contests */
	uint32_t *first;    /* bit offset of each contest */
	size_t words;       /* 64-bit words of selections per voter */
	struct slot *slots; /* [n_voters] */
	uint64_t *bits;     /* [n_voters * words] */
	uint8_t **ct;       /* secret mode: [n_voters], each total x (alpha, beta) */
	uint32_t n_ct;      /* entries of ct (freeing must not need the manifest) */
	/* The sums (A, B), computed once after the last ballot: body, result
	 * and the verifier all ask for them. */
	uint8_t (*ab)[PGROUP_BYTES];
	bool ab_valid;
	uint32_t n_counted;
};

struct protocol_tally *
protocol_tally_new(const struct protocol_manifest *m)
{
	struct protocol_tally *t = calloc(1, sizeof(*t));
	uint32_t off = 0;

	if (t == NULL)
		return NULL;
	t->m = m;
	t->total = protocol_manifest_total_candidates(m);
	t->words = (t->total + 63) / 64;
	t->first = calloc(m->n_contests + 1, sizeof(*t->first));
	t->slots = calloc(m->n_voters, sizeof(*t->slots));
	t->bits = calloc((size_t)m->n_voters * (t->words ? t->words : 1), sizeof(*t->bits));
	if (m->mode == PROTOCOL_MODE_SECRET)
		t->ct = calloc(m->n_voters, sizeof(*t->ct));
	t->n_ct = t->ct != NULL ? m->n_voters : 0;
	if (t->first == NULL || t->slots == NULL || t->bits == NULL ||
	    (m->mode == PROTOCOL_MODE_SECRET && t->ct == NULL)) {
		protocol_tally_free(t);
		return NULL;
	}
	for (uint32_t c = 0; c < m->n_contests; c++) {
		t->first[c] = off;
		off += m->contests[c].n_candidates;
	}
	return t;
}

void
protocol_tally_free(struct protocol_tally *t)
{
	if (t == NULL)
		return;
	free(t->ab);
	if (t->ct != NULL)
		for (uint32_t v = 0; v < t->n_ct; v++)
			free(t->ct[v]);
	free(t->ct);
	free(t->first);
	free(t->slots);
	free(t->bits);
	free(t);
}

/* The counted-set rule of §11: a ballot replaces the voter's counted one
 * when its seq is higher.  Returns whether it did. */
static bool
take_slot(struct protocol_tally *t, uint32_t voter, uint32_t seq, uint32_t event_n,
          const uint8_t ballot_hash[PCRYPTO_HASH_BYTES])
{
	struct slot *s = &t->slots[voter];

	if (s->seq != 0 && seq <= s->seq)
		return false; /* not higher: the counted ballot stays */
	if (seq == 0)
		return false; /* seq 0 is never valid, and 0 marks "no ballot" */
	if (s->seq == 0)
		t->n_counted++;
	s->seq = seq;
	s->event_n = event_n;
	memcpy(s->hash, ballot_hash, PCRYPTO_HASH_BYTES);
	return true;
}

void
protocol_tally_add_secret(struct protocol_tally *t, uint32_t voter, uint32_t event_n,
                          const struct protocol_sballot *b,
                          const uint8_t ballot_hash[PCRYPTO_HASH_BYTES])
{
	uint8_t *ct;

	if (t->ct == NULL || voter >= t->m->n_voters || b->n_contests != t->m->n_contests)
		return;
	if (t->ct[voter] == NULL) {
		t->ct[voter] = malloc((size_t)t->total * SBALLOT_CT_BYTES + 1);
		if (t->ct[voter] == NULL)
			return;
	}
	if (!take_slot(t, voter, b->seq, event_n, ballot_hash))
		return;
	t->ab_valid = false;
	ct = t->ct[voter];
	for (uint32_t c = 0; c < b->n_contests; c++)
		for (uint32_t i = 0; i < b->contests[c].n_candidates; i++) {
			memcpy(ct, protocol_sballot_alpha(&b->contests[c], i), SBALLOT_CT_BYTES);
			ct += SBALLOT_CT_BYTES;
		}
}

bool
protocol_tally_aggregates(const struct protocol_tally *t, uint8_t (*ab)[PGROUP_BYTES])
{
	/* The cache is not part of the tally's value: filling it from a const
	 * pointer is deliberate. */
	struct protocol_tally *cache = (struct protocol_tally *)t;
	size_t bytes = (size_t)t->total * 2 * PGROUP_BYTES;

	if (t->ct == NULL)
		return false;
	if (!t->ab_valid) {
		if (cache->ab == NULL && (cache->ab = malloc(bytes + 1)) == NULL)
			return false;
		memset(cache->ab, 0, bytes);
		for (uint32_t v = 0; v < t->n_ct; v++) {
			const uint8_t *ct = t->ct[v];

			if (t->slots[v].seq == 0)
				continue;
			for (uint32_t k = 0; k < 2 * t->total; k++)
				pgroup_add(cache->ab[k], cache->ab[k],
				           ct + (size_t)k * PGROUP_BYTES);
		}
		cache->ab_valid = true;
	}
	memcpy(ab, t->ab, bytes);
	return true;
}

void
protocol_tally_add(struct protocol_tally *t, uint32_t voter, uint32_t event_n,
                   const struct protocol_ballot *b, const uint8_t ballot_hash[PCRYPTO_HASH_BYTES])
{
	uint64_t *w;

	if (voter >= t->m->n_voters || b->n_contests != t->m->n_contests)
		return;
	if (!take_slot(t, voter, b->seq, event_n, ballot_hash))
		return;
	w = t->bits + (size_t)voter * t->words;
	memset(w, 0, t->words * sizeof(*w));
	for (uint32_t c = 0; c < b->n_contests; c++) {
		uint32_t nc = t->m->contests[c].n_candidates;

		for (uint32_t k = 0; k < b->count[c]; k++) {
			uint32_t i = b->index[c][k];
			uint32_t bit;

			if (i >= nc)
				continue;
			bit = t->first[c] + i;
			w[bit / 64] |= (uint64_t)1 << (bit % 64);
		}
	}
}

uint32_t
protocol_tally_voter_seq(const struct protocol_tally *t, uint32_t voter)
{
	if (voter >= t->m->n_voters)
		return 0;
	return t->slots[voter].seq;
}

uint32_t
protocol_tally_counted(const struct protocol_tally *t)
{
	return t->n_counted;
}

/* Counted voters in event order. */
static int
cmp_by_event(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a;
	const struct slot *y = *(const struct slot *const *)b;

	return (x->event_n > y->event_n) - (x->event_n < y->event_n);
}

static int
cmp_by_hash(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a;
	const struct slot *y = *(const struct slot *const *)b;

	return memcmp(x->hash, y->hash, PCRYPTO_HASH_BYTES);
}

static const struct slot **
counted_slots(const struct protocol_tally *t)
{
	const struct slot **v = malloc(((size_t)t->n_counted + 1) * sizeof(*v));
	size_t k = 0;

	if (v == NULL)
		return NULL;
	for (uint32_t i = 0; i < t->m->n_voters; i++)
		if (t->slots[i].seq != 0)
			v[k++] = &t->slots[i];
	qsort(v, k, sizeof(*v), cmp_by_event);
	return v;
}

bool
protocol_tally_body(const struct protocol_tally *t, const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                    struct encoding_buf *out)
{
	const struct slot **v = counted_slots(t);

	if (v == NULL)
		return false;
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_le32(out, t->n_counted);
	for (uint32_t k = 0; k < t->n_counted; k++)
		encoding_buf_append(out, v[k]->hash, PCRYPTO_HASH_BYTES);
	free(v);
	if (t->ct != NULL) {
		uint8_t(*ab)[PGROUP_BYTES] = malloc((size_t)t->total * 2 * PGROUP_BYTES + 1);

		if (ab == NULL || !protocol_tally_aggregates(t, ab)) {
			free(ab);
			return false;
		}
		encoding_buf_append(out, ab, (size_t)t->total * 2 * PGROUP_BYTES);
		free(ab);
	}
	return !out->failed;
}

void
protocol_tiebreak_key(const uint8_t seed[PCRYPTO_HASH_BYTES], uint32_t c, uint32_t i,
                      uint8_t out[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, "tiebreak");
	pcrypto_h64_update(&h, seed, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update_le32(&h, c);
	pcrypto_h64_update_le32(&h, i);
	pcrypto_h64_final(&h, out);
}

struct ranked {
	uint32_t x;
	uint32_t i;
	uint8_t key[PCRYPTO_HASH_BYTES];
};

/* x descending, then key ascending (the lot). */
static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *p = a, *q = b;

	if (p->x != q->x)
		return p->x > q->x ? -1 : 1;
	return memcmp(p->key, q->key, PCRYPTO_HASH_BYTES);
}

void
protocol_result_free(struct protocol_result *r)
{
	if (r == NULL)
		return;
	if (r->contests != NULL) {
		for (uint32_t c = 0; c < r->n_contests; c++) {
			free(r->contests[c].counts);
			free(r->contests[c].elected);
		}
	}
	free(r->contests);
	free(r->q);
	free(r->body);
	free(r);
}

static struct protocol_result *
result_alloc(const struct protocol_manifest *m)
{
	struct protocol_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->n_contests = m->n_contests;
	r->contests = calloc(m->n_contests, sizeof(*r->contests));
	if (r->contests == NULL) {
		protocol_result_free(r);
		return NULL;
	}
	for (uint32_t c = 0; c < m->n_contests; c++) {
		uint32_t nc = m->contests[c].n_candidates;

		r->contests[c].n_candidates = nc;
		r->contests[c].counts = calloc(nc, sizeof(uint32_t));
		r->contests[c].elected = calloc(nc, sizeof(uint32_t));
		if (r->contests[c].counts == NULL || r->contests[c].elected == NULL) {
			protocol_result_free(r);
			return NULL;
		}
	}
	return r;
}

/* elected = the first `seats` of the order with x >= 1; lot when the last
 * elected and the first not elected tie with x >= 1. */
static bool
decide_contest(const struct protocol_contest *k, uint32_t c, const uint8_t seed[PCRYPTO_HASH_BYTES],
               struct protocol_contest_result *cr)
{
	struct ranked *rk = calloc(k->n_candidates, sizeof(*rk));

	if (rk == NULL)
		return false;
	for (uint32_t i = 0; i < k->n_candidates; i++) {
		rk[i].x = cr->counts[i];
		rk[i].i = i;
		protocol_tiebreak_key(seed, c, i, rk[i].key);
	}
	qsort(rk, k->n_candidates, sizeof(*rk), cmp_ranked);
	cr->n_elected = 0;
	for (uint32_t r = 0; r < k->n_candidates && cr->n_elected < k->seats; r++) {
		if (rk[r].x < 1)
			break;
		cr->elected[cr->n_elected++] = rk[r].i;
	}
	cr->lot = 0;
	if (cr->n_elected == k->seats && k->seats < k->n_candidates) {
		uint32_t last = rk[k->seats - 1].x, next = rk[k->seats].x;

		if (last >= 1 && last == next)
			cr->lot = 1;
	}
	free(rk);
	return true;
}

static bool
result_encode(struct protocol_result *r)
{
	struct encoding_buf b;

	encoding_buf_init(&b);
	encoding_buf_append(&b, r->election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_append(&b, r->tally_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_le32(&b, r->n_q);
	for (uint32_t j = 0; j < r->n_q; j++)
		encoding_buf_le32(&b, r->q[j]);
	for (uint32_t c = 0; c < r->n_contests; c++) {
		const struct protocol_contest_result *cr = &r->contests[c];

		for (uint32_t i = 0; i < cr->n_candidates; i++)
			encoding_buf_le32(&b, cr->counts[i]);
		encoding_buf_le32(&b, cr->n_elected);
		for (uint32_t e = 0; e < cr->n_elected; e++)
			encoding_buf_le32(&b, cr->elected[e]);
		encoding_buf_u8(&b, cr->lot);
	}
	r->body = encoding_buf_steal(&b, &r->body_len);
	return r->body != NULL;
}

/* Counts from decryption (secret mode, `counts` flattened per (c, i)) or
 * from the selections kept per voter (open mode, counts == NULL). */
static bool
finish(const struct protocol_tally *t, const uint8_t election_hash[PCRYPTO_HASH_BYTES],
       const uint32_t *counts, const uint32_t *q, uint32_t n_q, struct protocol_result **out)
{
	const struct protocol_manifest *m = t->m;
	const struct slot **v = NULL;
	struct protocol_result *r = NULL;
	struct encoding_buf body;
	struct pcrypto_h64 h;
	bool ok = false;

	*out = NULL;
	encoding_buf_init(&body);
	r = result_alloc(m);
	v = counted_slots(t);
	if (r == NULL || v == NULL)
		goto out;
	memcpy(r->election_hash, election_hash, PCRYPTO_HASH_BYTES);
	r->n_counted = t->n_counted;
	r->n_q = n_q;
	r->q = calloc((size_t)n_q + 1, sizeof(uint32_t));
	if (r->q == NULL)
		goto out;
	if (n_q > 0)
		memcpy(r->q, q, (size_t)n_q * sizeof(uint32_t));

	/* tally_hash = H64("tally", tally_body). */
	if (!protocol_tally_body(t, election_hash, &body))
		goto out;
	pcrypto_h64("tally", body.data, body.len, r->tally_hash);

	if (counts != NULL) {
		size_t k = 0;

		for (uint32_t c = 0; c < m->n_contests; c++)
			for (uint32_t i = 0; i < m->contests[c].n_candidates; i++)
				r->contests[c].counts[i] = counts[k++];
	}
	for (uint32_t k = 0; counts == NULL && k < t->n_counted; k++) {
		const uint64_t *w = t->bits + (size_t)(v[k] - t->slots) * t->words;

		for (uint32_t c = 0; c < m->n_contests; c++)
			for (uint32_t i = 0; i < m->contests[c].n_candidates; i++) {
				uint32_t bit = t->first[c] + i;

				if (w[bit / 64] & ((uint64_t)1 << (bit % 64)))
					r->contests[c].counts[i]++;
			}
	}

	/* Seed over the counted hashes in ascending byte order. */
	qsort(v, t->n_counted, sizeof(*v), cmp_by_hash);
	pcrypto_h64_init(&h, "tiebreak-seed");
	pcrypto_h64_update(&h, election_hash, PCRYPTO_HASH_BYTES);
	for (uint32_t k = 0; k < t->n_counted; k++)
		pcrypto_h64_update(&h, v[k]->hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_final(&h, r->seed);

	for (uint32_t c = 0; c < m->n_contests; c++)
		if (!decide_contest(&m->contests[c], c, r->seed, &r->contests[c]))
			goto out;
	if (!result_encode(r))
		goto out;
	*out = r;
	r = NULL;
	ok = true;
out:
	encoding_buf_free(&body);
	free(v);
	protocol_result_free(r);
	return ok;
}

bool
protocol_tally_finish(const struct protocol_tally *t,
                      const uint8_t election_hash[PCRYPTO_HASH_BYTES], struct protocol_result **out)
{
	return finish(t, election_hash, NULL, NULL, 0, out);
}

bool
protocol_tally_finish_counts(const struct protocol_tally *t,
                             const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                             const uint32_t *counts, const uint32_t *q, uint32_t n_q,
                             struct protocol_result **out)
{
	if (counts == NULL)
		return false;
	return finish(t, election_hash, counts, q, n_q, out);
}

bool
protocol_result_parse(const struct protocol_manifest *m, const uint8_t *data, size_t len,
                      struct protocol_result **out, const char **why)
{
	struct protocol_result *r;
	struct encoding_reader rd;

	*out = NULL;
	r = result_alloc(m);
	if (r == NULL) {
		*why = "out of memory";
		return false;
	}
	encoding_reader_init(&rd, data, len);
	if (len < 2 * PCRYPTO_HASH_BYTES + 4)
		goto short_;
	memcpy(r->election_hash, encoding_read_bytes(&rd, PCRYPTO_HASH_BYTES), PCRYPTO_HASH_BYTES);
	memcpy(r->tally_hash, encoding_read_bytes(&rd, PCRYPTO_HASH_BYTES), PCRYPTO_HASH_BYTES);
	r->n_q = encoding_read_le32(&rd);
	if (r->n_q > (len - rd.off) / 4)
		goto short_;
	r->q = calloc((size_t)r->n_q + 1, sizeof(uint32_t));
	if (r->q == NULL) {
		protocol_result_free(r);
		*why = "out of memory";
		return false;
	}
	for (uint32_t j = 0; j < r->n_q; j++)
		r->q[j] = encoding_read_le32(&rd);
	for (uint32_t c = 0; c < m->n_contests; c++) {
		struct protocol_contest_result *cr = &r->contests[c];

		for (uint32_t i = 0; i < cr->n_candidates; i++)
			cr->counts[i] = encoding_read_le32(&rd);
		cr->n_elected = encoding_read_le32(&rd);
		if (rd.failed)
			goto short_;
		if (cr->n_elected > cr->n_candidates) {
			protocol_result_free(r);
			*why = "result elects more candidates than the contest has";
			return false;
		}
		for (uint32_t e = 0; e < cr->n_elected; e++)
			cr->elected[e] = encoding_read_le32(&rd);
		cr->lot = encoding_read_u8(&rd);
	}
	if (rd.failed)
		goto short_;
	if (!encoding_reader_done(&rd)) {
		protocol_result_free(r);
		*why = "trailing bytes after the result";
		return false;
	}
	*out = r;
	return true;
short_:
	protocol_result_free(r);
	*why = "result data is truncated";
	return false;
}
