/*
 * verify_secret.c -- secret-mode checks of the verifier engine.
 */
#include "verify_secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_decrypt.h"
#include "protocol_dkg.h"

/* The whole alpha is kept for weeding: with a prefix, two voters working
 * together could make a false "already cast" by a birthday search. */
#define ALPHA_KEY PGROUP_BYTES

struct alpha_map {
	uint8_t *keys;   /* cap * ALPHA_KEY */
	uint32_t *voter; /* voter + 1; 0 = empty */
	size_t cap, n;
};

struct pdec_event {
	uint32_t n;
	uint8_t *data;
	size_t len;
};

struct verify_secret {
	const struct protocol_manifest *m;
	struct protocol_dkg *dkg;
	char why[256];
	char v6why[160];
	struct alpha_map alphas;
	uint8_t *tally_data;
	size_t tally_len;
	struct pdec_event *pdecs;
	uint32_t n_pdecs;
	uint32_t q[DKG_Q_MAX];
	uint32_t n_q;
};

struct verify_secret *
verify_secret_new(const struct protocol_manifest *m,
                  const uint8_t manifest_hash[PCRYPTO_HASH_BYTES])
{
	struct verify_secret *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->m = m;
	s->dkg = protocol_dkg_new(m, manifest_hash);
	if (s->dkg == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
verify_secret_free(struct verify_secret *s)
{
	if (s == NULL)
		return;
	protocol_dkg_free(s->dkg);
	free(s->alphas.keys);
	free(s->alphas.voter);
	free(s->tally_data);
	for (uint32_t k = 0; k < s->n_pdecs; k++)
		free(s->pdecs[k].data);
	free(s->pdecs);
	free(s);
}

const char *
verify_secret_dkg(struct verify_secret *s, uint32_t round, const uint8_t *data, size_t len)
{
	const char *why = NULL;
	uint32_t d = 0;

	if (protocol_dkg_add(s->dkg, round, data, len, &d, &why))
		return NULL;
	snprintf(s->why, sizeof(s->why), "%s message of trustee %lu refused: %s",
	         protocol_dkg_round_type(round), (unsigned long)d, why);
	return s->why;
}

const char *
verify_secret_dkg_finish(const struct verify_secret *s)
{
	if (protocol_dkg_complete(s->dkg))
		return NULL;
	return "the key ceremony is incomplete";
}

bool
verify_secret_election_hash(const struct verify_secret *s, uint8_t out[PCRYPTO_HASH_BYTES])
{
	return protocol_dkg_election_hash(s->dkg, out);
}

const uint8_t *
verify_secret_y(const struct verify_secret *s)
{
	return protocol_dkg_y(s->dkg);
}

static size_t
alpha_slot(const uint8_t *k, size_t cap)
{
	uint64_t x;

	memcpy(&x, k, sizeof(x)); /* canonical encodings of random points: spread */
	return (size_t)(x & (cap - 1));
}

static bool
alpha_grow(struct alpha_map *a)
{
	struct alpha_map n = {0};

	n.cap = a->cap ? a->cap * 2 : 4096;
	n.keys = malloc(n.cap * ALPHA_KEY);
	n.voter = calloc(n.cap, sizeof(*n.voter));
	if (n.keys == NULL || n.voter == NULL) {
		free(n.keys);
		free(n.voter);
		return false;
	}
	for (size_t i = 0; i < a->cap; i++) {
		size_t j;

		if (a->voter[i] == 0)
			continue;
		j = alpha_slot(a->keys + i * ALPHA_KEY, n.cap);
		while (n.voter[j] != 0)
			j = (j + 1) & (n.cap - 1);
		memcpy(n.keys + j * ALPHA_KEY, a->keys + i * ALPHA_KEY, ALPHA_KEY);
		n.voter[j] = a->voter[i];
		n.n++;
	}
	free(a->keys);
	free(a->voter);
	*a = n;
	return true;
}

const char *
verify_secret_weed(struct verify_secret *s, uint32_t voter, const struct protocol_sballot *b)
{
	struct alpha_map *a = &s->alphas;

	for (uint32_t c = 0; c < b->n_contests; c++)
		for (uint32_t i = 0; i < b->contests[c].n_candidates; i++) {
			const uint8_t *alpha = protocol_sballot_alpha(&b->contests[c], i);
			size_t j;

			if ((a->n + 1) * 2 > a->cap && !alpha_grow(a))
				return "out of memory";
			j = alpha_slot(alpha, a->cap);
			while (a->voter[j] != 0) {
				if (memcmp(a->keys + j * ALPHA_KEY, alpha, ALPHA_KEY) == 0)
					break;
				j = (j + 1) & (a->cap - 1);
			}
			if (a->voter[j] != 0) {
				if (a->voter[j] != voter + 1) {
					snprintf(
					    s->why, sizeof(s->why),
					    "an alpha of this ballot was already cast by voter "
					    "%s (weeding, §9)",
					    s->m->voters[a->voter[j] - 1].id);
					return s->why;
				}
				continue;
			}
			memcpy(a->keys + j * ALPHA_KEY, alpha, ALPHA_KEY);
			a->voter[j] = voter + 1;
			a->n++;
		}
	return NULL;
}

const char *
verify_secret_tally_event(struct verify_secret *s, const uint8_t *data, size_t len)
{
	if (s->tally_data != NULL)
		return NULL; /* a second tally is an order failure (V3) */
	s->tally_data = malloc(len + 1);
	if (s->tally_data == NULL)
		return "out of memory";
	memcpy(s->tally_data, data, len);
	s->tally_len = len;
	return NULL;
}

const char *
verify_secret_pdec_event(struct verify_secret *s, uint32_t n, const uint8_t *data, size_t len)
{
	struct pdec_event *p = realloc(s->pdecs, (s->n_pdecs + 1) * sizeof(*p));

	if (p == NULL)
		return "out of memory";
	s->pdecs = p;
	p = &s->pdecs[s->n_pdecs];
	p->data = malloc(len + 1);
	if (p->data == NULL)
		return "out of memory";
	memcpy(p->data, data, len);
	p->len = len;
	p->n = n;
	s->n_pdecs++;
	return NULL;
}

static int
cmp_pdec_j(const void *a, const void *b)
{
	uint32_t x = ((const struct protocol_pdec *)a)->j, y = ((const struct protocol_pdec *)b)->j;

	return (x > y) - (x < y);
}

/* V7 proper: every partial decryption valid, Q = the t smallest indices,
 * the combination and the sums.  counts receives x per (c, i).  *event is
 * set to the partial decryption at fault, if one is.  Before the result
 * (!complete) only the partial decryptions published so far are checked:
 * "" when there is none. */
static const char *
check_decryption(struct verify_secret *s, const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                 const uint8_t tally_hash[PCRYPTO_HASH_BYTES], const uint8_t (*ab)[PGROUP_BYTES],
                 uint32_t n_counted, bool complete, uint32_t *counts, uint32_t *event)
{
	const struct protocol_manifest *m = s->m;
	struct protocol_pdec *p = calloc(s->n_pdecs + 1, sizeof(*p));
	uint32_t total = protocol_manifest_total_candidates(m);
	const char *why = NULL;

	if (p == NULL)
		return "out of memory";
	if (n_counted == 0 && s->n_pdecs > 0) {
		free(p);
		*event = s->pdecs[0].n;
		return "partial decryptions published although no ballot was counted (N = 0)";
	}
	for (uint32_t k = 0; k < s->n_pdecs; k++) {
		const uint8_t *z = NULL;
		bool ok = protocol_pdec_parse(m, s->pdecs[k].data, s->pdecs[k].len, &p[k], &why);

		if (ok && (z = protocol_dkg_z(s->dkg, p[k].j)) == NULL) {
			why = "trustee index outside 1..n, or no verification key";
			ok = false;
		}
		if (ok)
			ok = protocol_pdec_verify(m, election_hash, tally_hash, z, ab, &p[k], &why);
		if (!ok) {
			snprintf(s->why, sizeof(s->why), "partial decryption at event %lu: %s",
			         (unsigned long)s->pdecs[k].n, why);
			free(p);
			*event = s->pdecs[k].n;
			return s->why;
		}
		for (uint32_t e = 0; e < k; e++)
			if (p[e].j == p[k].j) {
				snprintf(s->why, sizeof(s->why),
				         "trustee %lu published two partial decryptions",
				         (unsigned long)p[k].j);
				free(p);
				*event = s->pdecs[k].n;
				return s->why;
			}
	}
	if (!complete) {
		free(p);
		return s->n_pdecs > 0 ? NULL : "";
	}
	if (n_counted == 0) {
		memset(counts, 0, (size_t)total * sizeof(*counts));
		free(p);
		return NULL;
	}
	if (s->n_pdecs < m->t) {
		snprintf(
		    s->why, sizeof(s->why), "%lu partial decryption%s, the threshold is t = %lu",
		    (unsigned long)s->n_pdecs, s->n_pdecs == 1 ? "" : "s", (unsigned long)m->t);
		free(p);
		return s->why;
	}
	qsort(p, s->n_pdecs, sizeof(*p), cmp_pdec_j);
	s->n_q = m->t;
	for (uint32_t k = 0; k < m->t; k++)
		s->q[k] = p[k].j;
	if (!protocol_decrypt_combine(total, ab, p, m->t, n_counted, counts, &why)) {
		free(p);
		return why;
	}
	free(p);
	for (uint32_t c = 0, k = 0; c < m->n_contests; c++) {
		uint64_t sum = 0;

		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++)
			sum += counts[k++];
		if (sum < (uint64_t)m->contests[c].min * n_counted ||
		    sum > (uint64_t)m->contests[c].max * n_counted) {
			snprintf(s->why, sizeof(s->why),
			         "contest %s: the counts add up to %llu, outside min*N..max*N",
			         m->contests[c].id, (unsigned long long)sum);
			return s->why;
		}
	}
	return NULL;
}

void
verify_secret_finish(struct verify_secret *s, const struct protocol_tally *t,
                     const uint8_t election_hash[PCRYPTO_HASH_BYTES], bool result_seen,
                     const char **v6, const char **v7, uint32_t *v7_event,
                     struct protocol_result **out)
{
	uint32_t total = protocol_manifest_total_candidates(s->m);
	struct encoding_buf body;
	uint8_t tally_hash[PCRYPTO_HASH_BYTES];
	uint8_t(*ab)[PGROUP_BYTES] = calloc((size_t)total * 2 + 1, PGROUP_BYTES);
	uint32_t *counts = calloc((size_t)total + 1, sizeof(*counts));

	*v6 = NULL;
	*v7 = NULL;
	*v7_event = 0;
	*out = NULL;
	encoding_buf_init(&body);
	if (ab == NULL || counts == NULL || !protocol_tally_aggregates(t, ab) ||
	    !protocol_tally_body(t, election_hash, &body)) {
		*v6 = *v7 = "out of memory";
		goto out;
	}
	if (s->tally_len != body.len || memcmp(s->tally_data, body.data, body.len) != 0) {
		snprintf(s->v6why, sizeof(s->v6why),
		         "the tally event differs from the tally recomputed from the board "
		         "(N = %lu%s)",
		         (unsigned long)protocol_tally_counted(t),
		         s->tally_len == body.len ? ", an aggregate or ballot hash differs" : "");
		*v6 = s->v6why;
	}
	pcrypto_h64("tally", body.data, body.len, tally_hash);
	*v7 = check_decryption(s, election_hash, tally_hash, (const uint8_t(*)[PGROUP_BYTES])ab,
	                       protocol_tally_counted(t), result_seen, counts, v7_event);
	if (*v7 == NULL && result_seen &&
	    !protocol_tally_finish_counts(t, election_hash, counts, s->q, s->n_q, out))
		*v7 = "out of memory";
out:
	encoding_buf_free(&body);
	free(ab);
	free(counts);
}

const uint32_t *
verify_secret_q(const struct verify_secret *s, uint32_t *n_q)
{
	*n_q = s->n_q;
	return s->q;
}
