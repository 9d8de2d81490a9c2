/*
 * verify.c -- the verifier engine (spec §15) for open mode.  Each line is
 * parsed (V1), chained (V3), ordered by the board state machine (V3), and
 * handled by type: the manifest (V2), open/close data (V3), ballots (V4,
 * fed to the incremental tally), the result (V6, V8).  The head (V9) and
 * receipts (V10) are settled at the end.  Only the first failure of each
 * check is kept; a failure in one check does not stop the others.
 *
 * Secret mode (mode 2) adds the key ceremony (V5), ballot proofs and
 * weeding (V4), the tally event (V6) and the decryption (V7): the checks
 * themselves live in verify_secret.c, this file feeds and reports them.
 */
#include "verify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "verify_secret.h"

/* Bytes of a ballot_hash kept to detect repeats: 32, so that two voters
 * working together cannot make a false repeat (a 16-byte prefix would
 * fall to a 2^64 birthday search). */
#define DUP_PREFIX 32

struct receipt_slot {
	bool parsed;
	char why[160];
	struct protocol_receipt r;
	bool seen; /* event r.n is in the record */
	bool is_ballot;
	bool hash_match; /* recomputed h_n equals the receipt's */
	bool ballot_match;
};

/* Open-addressing set of ballot_hash prefixes. */
struct hash_set {
	uint8_t *keys; /* cap * DUP_PREFIX */
	uint8_t *used;
	size_t cap;
	size_t n;
};

struct verify {
	struct verify_check checks[VERIFY_CHECK_COUNT];
	bool finished;
	uint64_t lines;
	bool seen_header;
	bool seen_head;
	bool after_head;
	struct protocol_record_line header;
	uint32_t head_n;
	uint8_t head_hash[PCRYPTO_HASH_BYTES];
	uint8_t head_sig[PCRYPTO_SIG_BYTES];

	/* the chain */
	uint64_t n_events;
	uint32_t expected_n;
	bool have_prev;
	uint8_t prev[PCRYPTO_HASH_BYTES];
	uint32_t last_n;

	/* the manifest */
	bool manifest_seen;
	struct protocol_manifest *m;
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	bool have_eh;
	struct protocol_board_order order;
	bool order_init;
	struct verify_secret *sec; /* secret mode */
	bool tally_seen;
	uint32_t tally_n;

	/* ballots and tally */
	struct protocol_tally *tally;
	struct hash_set dups;
	uint32_t n_ballot_events;
	bool closed;
	uint32_t close_n;
	struct protocol_result *computed;
	bool result_seen;
	uint32_t result_n;
	uint8_t *result_data;
	size_t result_len;
	struct protocol_result *published;

	struct receipt_slot *receipts;
	size_t n_receipts;
};

static const struct {
	const char *label;
	const char *name;
} check_names[VERIFY_CHECK_COUNT] = {
    {"V1", "format"},       {"V2", "manifest"},  {"V3", "chain and order"}, {"V4", "ballots"},
    {"V5", "key ceremony"}, {"V6", "tally"},     {"V7", "decryption"},      {"V8", "result"},
    {"V9", "head"},         {"V10", "receipts"},
};

const char *
verify_check_label(enum verify_check_id id)
{
	return (unsigned)id < VERIFY_CHECK_COUNT ? check_names[id].label : "?";
}

const char *
verify_check_name(enum verify_check_id id)
{
	return (unsigned)id < VERIFY_CHECK_COUNT ? check_names[id].name : "?";
}

/* Records the first failure of a check; later ones are dropped. */
static void
fail_at(struct verify *v, enum verify_check_id id, bool has_event, uint32_t event, const char *fmt,
        ...)
{
	struct verify_check *c = &v->checks[id];
	va_list ap;

	if (c->status == VERIFY_FAIL)
		return;
	c->status = VERIFY_FAIL;
	c->has_event = has_event;
	c->event = event;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

#define FAIL_EV(v, id, ev, ...) fail_at((v), (id), true, (ev), __VA_ARGS__)
#define FAIL(v, id, ...)        fail_at((v), (id), false, 0, __VA_ARGS__)

static void
not_applicable(struct verify *v, enum verify_check_id id, const char *why)
{
	struct verify_check *c = &v->checks[id];

	if (c->status == VERIFY_FAIL)
		return;
	c->status = VERIFY_NOT_APPLICABLE;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
}

/* ---- ballot hash set ------------------------------------------------- */

static size_t
slot_of(const uint8_t *k, size_t cap)
{
	uint64_t x;

	memcpy(&x, k, sizeof(x)); /* a SHA-512 prefix is uniformly spread */
	return (size_t)(x & (cap - 1));
}

static bool
set_grow(struct hash_set *s)
{
	struct hash_set n;

	n.cap = s->cap ? s->cap * 2 : 1024;
	n.n = 0;
	n.keys = malloc(n.cap * DUP_PREFIX);
	n.used = calloc(n.cap, 1);
	if (n.keys == NULL || n.used == NULL) {
		free(n.keys);
		free(n.used);
		return false;
	}
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->used[i])
			continue;
		j = slot_of(s->keys + i * DUP_PREFIX, n.cap);
		while (n.used[j])
			j = (j + 1) & (n.cap - 1);
		memcpy(n.keys + j * DUP_PREFIX, s->keys + i * DUP_PREFIX, DUP_PREFIX);
		n.used[j] = 1;
		n.n++;
	}
	free(s->keys);
	free(s->used);
	*s = n;
	return true;
}

/* Returns 1 if inserted, 0 if already present, -1 on allocation failure. */
static int
set_insert(struct hash_set *s, const uint8_t *key)
{
	size_t j;

	if ((s->n + 1) * 2 > s->cap && !set_grow(s))
		return -1;
	j = slot_of(key, s->cap);
	while (s->used[j]) {
		if (memcmp(s->keys + j * DUP_PREFIX, key, DUP_PREFIX) == 0)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	memcpy(s->keys + j * DUP_PREFIX, key, DUP_PREFIX);
	s->used[j] = 1;
	s->n++;
	return 1;
}

/* ---- life cycle ------------------------------------------------------ */

struct verify *
verify_new(void)
{
	struct verify *v = calloc(1, sizeof(*v));

	return v;
}

void
verify_free(struct verify *v)
{
	if (v == NULL)
		return;
	/* The secret-mode state and the tally read the manifest: free it last. */
	verify_secret_free(v->sec);
	protocol_tally_free(v->tally);
	protocol_manifest_free(v->m);
	protocol_result_free(v->computed);
	protocol_result_free(v->published);
	free(v->result_data);
	free(v->dups.keys);
	free(v->dups.used);
	free(v->receipts);
	free(v);
}

bool
verify_add_receipt(struct verify *v, const char *json, size_t len)
{
	struct receipt_slot *n;
	const char *why = NULL;

	if (v->lines > 0 || v->finished)
		return false;
	n = realloc(v->receipts, (v->n_receipts + 1) * sizeof(*n));
	if (n == NULL)
		return false;
	v->receipts = n;
	n = &v->receipts[v->n_receipts++];
	memset(n, 0, sizeof(*n));
	n->parsed = protocol_receipt_from_json(json, len, &n->r, &why);
	if (!n->parsed)
		snprintf(n->why, sizeof(n->why), "%s", why);
	return true;
}

/* ---- events ---------------------------------------------------------- */

static bool
secret_mode(const struct verify *v)
{
	return v->m != NULL && v->m->mode == PROTOCOL_MODE_SECRET;
}

static void
on_manifest(struct verify *v, const struct protocol_record_line *l)
{
	const char *why = NULL;
	uint8_t mh[PCRYPTO_HASH_BYTES];

	if (v->manifest_seen)
		return; /* a second manifest is an order failure (V3) */
	v->manifest_seen = true;
	if (l->n != 0)
		FAIL_EV(v, VERIFY_V2, l->n, "the manifest is not event 0");
	if (!protocol_manifest_decode(l->data, l->data_len, &v->m, &why)) {
		FAIL_EV(v, VERIFY_V2, l->n, "manifest invalid: %s", why);
		return;
	}
	if (!v->header.election_id_valid || strcmp(v->header.election_id, v->m->election_id) != 0)
		FAIL_EV(v, VERIFY_V2, l->n, "header election_id differs from the manifest's (%s)",
		        v->m->election_id);
	if (sodium_memcmp(v->header.server_pk, v->m->server_pk, PCRYPTO_PK_BYTES) != 0)
		FAIL_EV(v, VERIFY_V2, l->n, "header server_pk differs from the manifest's");
	protocol_manifest_hash(l->data, l->data_len, mh);
	if (v->m->mode == PROTOCOL_MODE_OPEN) {
		protocol_election_hash_open(mh, v->election_hash);
		v->have_eh = true;
	} else {
		/* election_hash needs Y and the commitments: after round 1. */
		v->sec = verify_secret_new(v->m, mh);
		if (v->sec == NULL)
			FAIL(v, VERIFY_V5,
			     "out of memory, or a threshold this verifier cannot handle");
	}
	v->tally = protocol_tally_new(v->m);
	if (v->tally == NULL)
		FAIL(v, VERIFY_V6, "out of memory");
}

static void
on_open_close(struct verify *v, const struct protocol_record_line *l)
{
	bool is_close = l->type == PROTOCOL_EVENT_CLOSE;
	size_t want = PCRYPTO_HASH_BYTES + (is_close ? 4 : 0);

	if (is_close && !v->closed) {
		v->closed = true;
		v->close_n = l->n;
	}
	if (!v->have_eh) {
		FAIL_EV(v, VERIFY_V3, l->n, "%s data cannot be checked: %s",
		        is_close ? "close" : "open",
		        secret_mode(v) ? "no election_hash: the key ceremony is incomplete"
		                       : "no valid manifest");
		return;
	}
	if (l->data_len != want ||
	    sodium_memcmp(l->data, v->election_hash, PCRYPTO_HASH_BYTES) != 0) {
		FAIL_EV(v, VERIFY_V3, l->n, "%s data is not the election_hash%s",
		        is_close ? "close" : "open", is_close ? " || LE32(#ballots)" : "");
		return;
	}
	if (is_close && encoding_le32_get(l->data + PCRYPTO_HASH_BYTES) != v->n_ballot_events)
		FAIL_EV(v, VERIFY_V3, l->n,
		        "close says %lu ballot events, the record has %lu before it",
		        (unsigned long)encoding_le32_get(l->data + PCRYPTO_HASH_BYTES),
		        (unsigned long)v->n_ballot_events);
}

/* Receipts that name this event learn its ballot_hash. */
static void
note_ballot_hash(struct verify *v, uint32_t n, const uint8_t bh[PCRYPTO_HASH_BYTES])
{
	for (size_t i = 0; i < v->n_receipts; i++)
		if (v->receipts[i].parsed && v->receipts[i].r.n == n)
			v->receipts[i].ballot_match = sodium_memcmp(v->receipts[i].r.ballot_hash,
			                                            bh, PCRYPTO_HASH_BYTES) == 0;
}

/* V4.7: no ballot_hash twice; the revote rule for this voter's seq. */
static void
check_revote(struct verify *v, uint32_t n, const uint8_t bh[PCRYPTO_HASH_BYTES], int64_t voter,
             uint32_t seq)
{
	uint32_t last;
	int ins = set_insert(&v->dups, bh);

	if (ins < 0)
		FAIL_EV(v, VERIFY_V4, n, "out of memory");
	else if (ins == 0)
		FAIL_EV(v, VERIFY_V4, n, "ballot_hash appears twice on the board");
	if (voter < 0 || v->tally == NULL)
		return;
	last = protocol_tally_voter_seq(v->tally, (uint32_t)voter);
	if (v->m->revote == 0 && last != 0)
		FAIL_EV(v, VERIFY_V4, n, "revote = 0 but voter %s has a second ballot",
		        v->m->voters[voter].id);
	else if (v->m->revote == 0 && seq != 1)
		FAIL_EV(v, VERIFY_V4, n, "revote = 0 but seq is %lu, not 1", (unsigned long)seq);
	else if (last != 0 && seq <= last)
		FAIL_EV(v, VERIFY_V4, n, "seq %lu of voter %s does not increase (last %lu)",
		        (unsigned long)seq, v->m->voters[voter].id, (unsigned long)last);
}

/* V4 for a secret ballot (§7): layout and encodings, roll, signature,
 * every proof bound to its own voter_pk, weeding. */
static void
on_secret_ballot(struct verify *v, const struct protocol_record_line *l, bool in_voting)
{
	struct protocol_sballot b;
	enum protocol_ballot_error e;
	uint8_t bh[PCRYPTO_HASH_BYTES];
	const char *why;
	size_t blen;
	int64_t voter;

	if (l->data_len < PCRYPTO_SIG_BYTES) {
		FAIL_EV(v, VERIFY_V4, l->n, "ballot data shorter than a signature");
		return;
	}
	if (!v->have_eh || v->sec == NULL) {
		FAIL_EV(v, VERIFY_V4, l->n, "ballot cannot be checked: no election key");
		return;
	}
	blen = l->data_len - PCRYPTO_SIG_BYTES;
	e = protocol_sballot_parse(v->m, l->data, blen, &b);
	if (e != PROTOCOL_BALLOT_OK) {
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)", protocol_ballot_error_text(e),
		        protocol_ballot_error_name(e));
		return;
	}
	protocol_ballot_hash(l->data, blen, bh);
	note_ballot_hash(v, l->n, bh);
	voter = protocol_manifest_voter_find(v->m, b.voter_pk);
	if (voter >= 0 && !protocol_ballot_verify_sig(b.voter_pk, bh, l->data + blen))
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)",
		        protocol_ballot_error_text(PROTOCOL_BALLOT_BAD_SIGNATURE),
		        protocol_ballot_error_name(PROTOCOL_BALLOT_BAD_SIGNATURE));
	e = protocol_sballot_validate(v->m, v->election_hash, verify_secret_y(v->sec), &b, &voter);
	if (e != PROTOCOL_BALLOT_OK)
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)", protocol_ballot_error_text(e),
		        protocol_ballot_error_name(e));
	if (voter >= 0 && (why = verify_secret_weed(v->sec, (uint32_t)voter, &b)) != NULL)
		FAIL_EV(v, VERIFY_V4, l->n, "%s", why);
	check_revote(v, l->n, bh, voter, b.seq);
	if (voter >= 0 && v->tally != NULL && in_voting)
		protocol_tally_add_secret(v->tally, (uint32_t)voter, l->n, &b, bh);
	protocol_sballot_clear(&b);
}

static void
on_ballot(struct verify *v, const struct protocol_record_line *l, bool in_voting)
{
	struct protocol_ballot b;
	enum protocol_ballot_error e;
	uint8_t bh[PCRYPTO_HASH_BYTES];
	const uint8_t *sig;
	size_t blen;
	int64_t voter;

	v->n_ballot_events++;
	if (v->m == NULL) {
		FAIL_EV(v, VERIFY_V4, l->n, "ballot cannot be checked: no valid manifest");
		return;
	}
	if (secret_mode(v)) {
		on_secret_ballot(v, l, in_voting);
		return;
	}
	if (l->data_len < PCRYPTO_SIG_BYTES) {
		FAIL_EV(v, VERIFY_V4, l->n, "ballot data shorter than a signature");
		return;
	}
	blen = l->data_len - PCRYPTO_SIG_BYTES;
	sig = l->data + blen;
	e = protocol_ballot_parse(v->m, l->data, blen, &b);
	if (e != PROTOCOL_BALLOT_OK) {
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)", protocol_ballot_error_text(e),
		        protocol_ballot_error_name(e));
		return;
	}
	protocol_ballot_hash(l->data, blen, bh);
	note_ballot_hash(v, l->n, bh);
	e = protocol_ballot_validate(v->m, v->election_hash, &b, &voter);
	if (e != PROTOCOL_BALLOT_OK)
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)", protocol_ballot_error_text(e),
		        protocol_ballot_error_name(e));
	if (voter >= 0 && !protocol_ballot_verify_sig(b.voter_pk, bh, sig))
		FAIL_EV(v, VERIFY_V4, l->n, "%s (%s)",
		        protocol_ballot_error_text(PROTOCOL_BALLOT_BAD_SIGNATURE),
		        protocol_ballot_error_name(PROTOCOL_BALLOT_BAD_SIGNATURE));
	check_revote(v, l->n, bh, voter, b.seq);
	/* Only ballots the board accepted in order count (§9, §11); a faulty
	 * ballot is still counted, so its fault shows in V4 alone. */
	if (voter >= 0 && v->tally != NULL && in_voting)
		protocol_tally_add(v->tally, (uint32_t)voter, l->n, &b, bh);
	protocol_ballot_clear(&b);
}

static void
on_result(struct verify *v, const struct protocol_record_line *l)
{
	if (v->result_seen)
		return; /* a second result is an order failure (V3) */
	v->result_seen = true;
	v->result_n = l->n;
	v->result_data = malloc(l->data_len + 1);
	if (v->result_data == NULL) {
		FAIL_EV(v, VERIFY_V8, l->n, "out of memory");
		return;
	}
	memcpy(v->result_data, l->data, l->data_len);
	v->result_len = l->data_len;
}

/* V5: a key-ceremony message; election_hash exists once round 1 is in. */
static void
on_dkg(struct verify *v, const struct protocol_record_line *l)
{
	const char *why;

	if (v->sec == NULL) {
		if (v->m != NULL && !secret_mode(v))
			return; /* out of order in open mode: V3 said so */
		FAIL_EV(v, VERIFY_V5, l->n, "key ceremony cannot be checked: no valid manifest");
		return;
	}
	why = verify_secret_dkg(v->sec, (uint32_t)(l->type - PROTOCOL_EVENT_DKG_ROUND0), l->data,
	                        l->data_len);
	if (why != NULL)
		FAIL_EV(v, VERIFY_V5, l->n, "%s", why);
	if (!v->have_eh && verify_secret_election_hash(v->sec, v->election_hash))
		v->have_eh = true;
}

static void
on_event(struct verify *v, struct protocol_record_line *l)
{
	uint8_t h[PCRYPTO_HASH_BYTES];
	const char *why;
	bool in_voting, phase_ok;

	if (!v->seen_header)
		FAIL_EV(v, VERIFY_V1, l->n, "the header line does not come first");
	if (l->n != v->expected_n)
		FAIL_EV(v, VERIFY_V1, l->n,
		        "events are not numbered 0..n without gaps (expected %lu, found %lu)",
		        (unsigned long)v->expected_n, (unsigned long)l->n);
	v->expected_n = l->n + 1;
	v->n_events++;

	/* V3: the chain, with the recomputed previous hash. */
	protocol_event_hash(v->have_prev ? v->prev : NULL, l->n, l->type, l->at, l->data,
	                    l->data_len, h);
	if (sodium_memcmp(h, l->hash, PCRYPTO_HASH_BYTES) != 0)
		FAIL_EV(v, VERIFY_V3, l->n, "hash differs from the recomputed h_n");
	memcpy(v->prev, h, PCRYPTO_HASH_BYTES);
	v->have_prev = true;
	v->last_n = l->n;
	for (size_t i = 0; i < v->n_receipts; i++) {
		struct receipt_slot *r = &v->receipts[i];

		if (!r->parsed || r->r.n != l->n)
			continue;
		r->seen = true;
		r->is_ballot = l->type == PROTOCOL_EVENT_BALLOT;
		r->hash_match = sodium_memcmp(r->r.event_hash, h, PCRYPTO_HASH_BYTES) == 0;
	}

	if (l->type == PROTOCOL_EVENT_MANIFEST && v->n_events == 1)
		on_manifest(v, l);
	else if (v->n_events == 1)
		FAIL_EV(v, VERIFY_V2, l->n, "event 0 is not the manifest");
	if (!v->order_init) {
		/* Without a manifest, order is still checked as for open mode. */
		protocol_board_order_init(&v->order, v->m ? v->m->mode : PROTOCOL_MODE_OPEN,
		                          v->m ? v->m->n : 0);
		v->order_init = true;
	}
	in_voting = protocol_board_order_voting(&v->order);
	why = protocol_board_order_step(&v->order, l->type, l->at);
	phase_ok = why == NULL;
	if (why != NULL) {
		char last_at[PROTOCOL_TIME_LEN + 1];

		FAIL_EV(v, VERIFY_V3, l->n, "%s", why);
		/* A decreasing `at` is reported, but the event still takes its
		 * place in the order, so that one bad time does not cascade. */
		memcpy(last_at, v->order.last_at, sizeof(last_at));
		if (v->order.next_n > 0)
			phase_ok = protocol_board_order_step(&v->order, l->type, last_at) == NULL;
	}
	in_voting = in_voting && phase_ok;

	switch (l->type) {
	case PROTOCOL_EVENT_OPEN:
	case PROTOCOL_EVENT_CLOSE:
		on_open_close(v, l);
		break;
	case PROTOCOL_EVENT_BALLOT:
		on_ballot(v, l, in_voting);
		break;
	case PROTOCOL_EVENT_RESULT:
		on_result(v, l);
		break;
	case PROTOCOL_EVENT_DKG_ROUND0:
	case PROTOCOL_EVENT_DKG_ROUND1:
	case PROTOCOL_EVENT_DKG_ROUND2:
	case PROTOCOL_EVENT_DKG_ROUND3:
		on_dkg(v, l);
		break;
	case PROTOCOL_EVENT_TALLY:
		if (v->sec != NULL && !v->tally_seen) {
			v->tally_seen = true;
			v->tally_n = l->n;
			if ((why = verify_secret_tally_event(v->sec, l->data, l->data_len)) != NULL)
				FAIL_EV(v, VERIFY_V6, l->n, "%s", why);
		}
		break;
	case PROTOCOL_EVENT_PARTIAL_DECRYPTION:
		if (v->sec != NULL &&
		    (why = verify_secret_pdec_event(v->sec, l->n, l->data, l->data_len)) != NULL)
			FAIL_EV(v, VERIFY_V7, l->n, "%s", why);
		break;
	default:
		break;
	}
	/* At close, fix the recount: later ballots are out of order.  (Secret
	 * mode needs the decryption: verify_finish.) */
	if (l->type == PROTOCOL_EVENT_CLOSE && phase_ok && v->tally != NULL && !secret_mode(v) &&
	    v->computed == NULL && !protocol_tally_finish(v->tally, v->election_hash, &v->computed))
		FAIL_EV(v, VERIFY_V6, l->n, "out of memory");
}

void
verify_feed_line(struct verify *v, char *line, size_t len)
{
	struct protocol_record_line l;
	const char *why = NULL;

	if (v->finished)
		return;
	v->lines++;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	else
		FAIL(v, VERIFY_V1, "line %llu does not end with a newline",
		     (unsigned long long)v->lines);
	if (v->after_head)
		FAIL(v, VERIFY_V1, "line %llu follows the head line", (unsigned long long)v->lines);
	if (!protocol_record_parse_line(line, len, &l, &why)) {
		if (l.kind == PROTOCOL_RECORD_EVENT)
			FAIL_EV(v, VERIFY_V1, v->expected_n, "line %llu: %s",
			        (unsigned long long)v->lines, why);
		else
			FAIL(v, VERIFY_V1, "line %llu: %s", (unsigned long long)v->lines, why);
		if (v->lines == 1)
			v->seen_header = true; /* reported; do not report it again per event */
		return;
	}
	switch (l.kind) {
	case PROTOCOL_RECORD_HEADER:
		if (v->lines != 1 || v->seen_header)
			FAIL(v, VERIFY_V1, "line %llu: a header line that is not the first line",
			     (unsigned long long)v->lines);
		else
			v->header = l;
		v->seen_header = true;
		break;
	case PROTOCOL_RECORD_HEAD:
		if (v->seen_head)
			FAIL(v, VERIFY_V1, "line %llu: a second head line",
			     (unsigned long long)v->lines);
		else {
			v->head_n = l.n;
			memcpy(v->head_hash, l.hash, PCRYPTO_HASH_BYTES);
			memcpy(v->head_sig, l.signature, PCRYPTO_SIG_BYTES);
		}
		v->seen_head = true;
		v->after_head = true;
		break;
	case PROTOCOL_RECORD_EVENT:
		on_event(v, &l);
		break;
	}
	protocol_record_line_clear(&l);
}

/* ---- the end --------------------------------------------------------- */

static void
finish_head(struct verify *v)
{
	const uint8_t *pk = v->m != NULL ? v->m->server_pk : v->header.server_pk;

	if (!v->seen_head) {
		FAIL(v, VERIFY_V1, "the record does not end with a head line");
		FAIL(v, VERIFY_V9, "no head line");
		return;
	}
	if (v->n_events == 0) {
		FAIL(v, VERIFY_V9, "head line without events");
		return;
	}
	if (v->head_n != v->last_n) {
		FAIL_EV(v, VERIFY_V9, v->head_n, "head names event %lu, the last event is %lu",
		        (unsigned long)v->head_n, (unsigned long)v->last_n);
		return;
	}
	if (sodium_memcmp(v->head_hash, v->prev, PCRYPTO_HASH_BYTES) != 0) {
		FAIL_EV(v, VERIFY_V9, v->head_n, "head hash differs from the recomputed last h_n");
		return;
	}
	if (!v->have_eh) {
		FAIL_EV(v, VERIFY_V9, v->head_n, "head signature cannot be checked: %s",
		        secret_mode(v) ? "no election_hash (the key ceremony is incomplete)"
		                       : "no valid manifest");
		return;
	}
	if (!protocol_head_verify(pk, v->election_hash, v->head_n, v->head_hash, v->head_sig))
		FAIL_EV(v, VERIFY_V9, v->head_n, "head signature does not verify under server_pk");
}

static void
finish_receipts(struct verify *v)
{
	const uint8_t *pk = v->m != NULL ? v->m->server_pk : v->header.server_pk;

	if (v->n_receipts == 0) {
		not_applicable(v, VERIFY_V10, "no receipt given");
		return;
	}
	for (size_t i = 0; i < v->n_receipts; i++) {
		struct receipt_slot *r = &v->receipts[i];

		if (!r->parsed) {
			FAIL(v, VERIFY_V10, "receipt %zu: %s", i + 1, r->why);
			continue;
		}
		if (!protocol_receipt_verify(pk, &r->r)) {
			FAIL_EV(v, VERIFY_V10, r->r.n,
			        "receipt %zu: signature does not verify under server_pk", i + 1);
			continue;
		}
		/* From here the receipt is genuine: any mismatch is evidence. */
		if (!v->have_eh)
			FAIL_EV(v, VERIFY_V10, r->r.n, "receipt %zu cannot be matched: %s", i + 1,
			        secret_mode(v) ? "no election_hash (the key ceremony is incomplete)"
			                       : "no valid manifest");
		else if (sodium_memcmp(r->r.election_hash, v->election_hash, PCRYPTO_HASH_BYTES) !=
		         0)
			FAIL_EV(v, VERIFY_V10, r->r.n,
			        "receipt %zu is signed by the server for another election_hash: "
			        "keep it "
			        "as evidence",
			        i + 1);
		else if (!r->seen)
			FAIL_EV(v, VERIFY_V10, r->r.n,
			        "receipt %zu: the record has no event %lu -- the server signed a "
			        "receipt "
			        "for a ballot it does not publish; keep it as evidence",
			        i + 1, (unsigned long)r->r.n);
		else if (!r->is_ballot)
			FAIL_EV(
			    v, VERIFY_V10, r->r.n,
			    "receipt %zu: event %lu is not a ballot -- evidence of misbehaviour",
			    i + 1, (unsigned long)r->r.n);
		else if (!r->hash_match || !r->ballot_match)
			FAIL_EV(
			    v, VERIFY_V10, r->r.n,
			    "receipt %zu: event %lu differs from the receipt (%s) -- evidence of "
			    "misbehaviour",
			    i + 1, (unsigned long)r->r.n,
			    !r->hash_match ? "event hash" : "ballot hash");
	}
}

/* Secret mode at the end: V6 (tally event) and V7 (decryption), and the
 * result the decrypted counts give.  false when V8 cannot go on. */
static bool
finish_secret(struct verify *v)
{
	const char *v6, *v7;
	uint32_t v7_event;

	if (v->sec == NULL || !v->have_eh) {
		FAIL(v, VERIFY_V6, "no election key: the key ceremony did not complete");
		FAIL(v, VERIFY_V7, "no election key: the key ceremony did not complete");
		FAIL(v, VERIFY_V8, "no election key: the key ceremony did not complete");
		return false;
	}
	if (!v->tally_seen) {
		if (v->result_seen) {
			FAIL_EV(v, VERIFY_V6, v->result_n, "a result without a tally event");
			FAIL_EV(v, VERIFY_V7, v->result_n, "a result without a tally event");
			FAIL_EV(v, VERIFY_V8, v->result_n, "a result without a tally event");
			return false;
		}
		not_applicable(v, VERIFY_V6, "record ends before the tally");
		not_applicable(v, VERIFY_V7, "record ends before the tally");
		not_applicable(v, VERIFY_V8, "record ends before the tally");
		return false;
	}
	verify_secret_finish(v->sec, v->tally, v->election_hash, v->result_seen, &v6, &v7,
	                     &v7_event, &v->computed);
	if (v6 != NULL)
		FAIL_EV(v, VERIFY_V6, v->tally_n, "%s", v6);
	if (v7 != NULL && *v7 == '\0')
		not_applicable(v, VERIFY_V7, "record ends before the partial decryptions");
	else if (v7 != NULL)
		fail_at(v, VERIFY_V7, v7_event != 0, v7_event, "%s", v7);
	if (v->result_seen && v->computed == NULL) {
		/* The counts are V7's: the tally itself was checked above. */
		FAIL_EV(v, VERIFY_V8, v->result_n,
		        "the result cannot be recomputed: the decryption failed (see V7)");
		return false;
	}
	return true;
}

static void
finish_result(struct verify *v)
{
	const char *why = NULL;
	struct protocol_result *p, *c;

	if (v->m == NULL) {
		FAIL(v, VERIFY_V6, "not checked: no valid manifest");
		FAIL(v, VERIFY_V8, "not checked: no valid manifest");
		return;
	}
	if (!v->closed) {
		if (v->result_seen) {
			FAIL_EV(v, VERIFY_V8, v->result_n, "a result without a close event");
			FAIL_EV(v, VERIFY_V6, v->result_n, "a result without a close event");
			return;
		}
		not_applicable(v, VERIFY_V6, "record ends before close: no tally");
		not_applicable(v, VERIFY_V8, "record ends before close: no tally");
		return;
	}
	if (secret_mode(v) && !finish_secret(v))
		return;
	if (!v->result_seen) {
		if (!secret_mode(v))
			not_applicable(v, VERIFY_V6, "record ends before the result");
		not_applicable(v, VERIFY_V8, "record ends before the result");
		return;
	}
	c = v->computed;
	if (c == NULL) {
		FAIL_EV(v, VERIFY_V8, v->result_n,
		        "result cannot be recomputed (close out of order)");
		FAIL_EV(v, VERIFY_V6, v->result_n,
		        "tally cannot be recomputed (close out of order)");
		return;
	}
	if (!protocol_result_parse(v->m, v->result_data, v->result_len, &v->published, &why)) {
		FAIL_EV(v, VERIFY_V8, v->result_n, "result data does not parse: %s", why);
		FAIL_EV(v, VERIFY_V6, v->result_n, "published counts unreadable: %s", why);
		return;
	}
	p = v->published;
	/* V6: the counted set (tally_hash) and every x_{c,i} -- in secret mode
	 * the counts come from the decryption, so a wrong one is V7's. */
	if (sodium_memcmp(p->tally_hash, c->tally_hash, PCRYPTO_HASH_BYTES) != 0)
		FAIL_EV(v, VERIFY_V6, v->result_n,
		        "tally_hash differs from the recomputed counted set (N = %lu)",
		        (unsigned long)c->n_counted);
	for (uint32_t k = 0; k < c->n_contests; k++)
		for (uint32_t i = 0; i < c->contests[k].n_candidates; i++)
			if (p->contests[k].counts[i] != c->contests[k].counts[i])
				FAIL_EV(v, secret_mode(v) ? VERIFY_V7 : VERIFY_V6, v->result_n,
				        "contest %s, candidate %s: published %lu, recounted %lu",
				        v->m->contests[k].id, v->m->contests[k].candidates[i].id,
				        (unsigned long)p->contests[k].counts[i],
				        (unsigned long)c->contests[k].counts[i]);
	/* V8: the whole result_body. */
	if (v->result_len == c->body_len && memcmp(v->result_data, c->body, c->body_len) == 0)
		return;
	if (sodium_memcmp(p->election_hash, v->election_hash, PCRYPTO_HASH_BYTES) != 0) {
		FAIL_EV(v, VERIFY_V8, v->result_n, "result carries another election_hash");
		return;
	}
	if (!secret_mode(v) && p->n_q != 0) {
		FAIL_EV(v, VERIFY_V8, v->result_n, "open-mode result with a non-empty Q");
		return;
	}
	if (secret_mode(v) &&
	    (p->n_q != c->n_q || memcmp(p->q, c->q, (size_t)c->n_q * sizeof(uint32_t)) != 0)) {
		FAIL_EV(v, VERIFY_V8, v->result_n,
		        "the result names another set Q of decrypting trustees than the t "
		        "smallest valid indices");
		return;
	}
	for (uint32_t k = 0; k < c->n_contests; k++)
		if (memcmp(p->contests[k].counts, c->contests[k].counts,
		           (size_t)c->contests[k].n_candidates * sizeof(uint32_t)) != 0) {
			FAIL_EV(v, VERIFY_V8, v->result_n,
			        "contest %s: the published counts differ from the %s ones",
			        v->m->contests[k].id, secret_mode(v) ? "decrypted" : "recounted");
			return;
		}
	for (uint32_t k = 0; k < c->n_contests; k++) {
		const struct protocol_contest_result *pc = &p->contests[k], *cc = &c->contests[k];
		bool same = pc->n_elected == cc->n_elected && pc->lot == cc->lot;

		for (uint32_t e = 0; same && e < cc->n_elected; e++)
			same = pc->elected[e] == cc->elected[e];
		if (!same) {
			FAIL_EV(v, VERIFY_V8, v->result_n,
			        "contest %s: published elected/lot differ from the tie-break rule",
			        v->m->contests[k].id);
			return;
		}
	}
	FAIL_EV(v, VERIFY_V8, v->result_n, "result_body differs from the recomputed one");
}

void
verify_finish(struct verify *v)
{
	if (v->finished)
		return;
	v->finished = true;
	if (v->lines == 0)
		FAIL(v, VERIFY_V1, "empty record");
	else if (v->n_events == 0)
		FAIL(v, VERIFY_V1, "no event");
	if (!v->manifest_seen) {
		FAIL(v, VERIFY_V2, "no manifest event");
		FAIL(v, VERIFY_V3, "no manifest event");
	}
	if (v->m == NULL) {
		FAIL(v, VERIFY_V4, "not checked: no valid manifest");
		FAIL(v, VERIFY_V5, "not checked: no valid manifest");
		FAIL(v, VERIFY_V7, "not checked: no valid manifest");
	} else if (secret_mode(v)) {
		const char *why =
		    v->sec != NULL ? verify_secret_dkg_finish(v->sec) : "out of memory";

		if (why != NULL)
			FAIL(v, VERIFY_V5, "%s", why);
	} else {
		not_applicable(v, VERIFY_V5, "open mode: no key ceremony");
		not_applicable(v, VERIFY_V7, "open mode: no decryption");
	}
	finish_result(v);
	finish_head(v);
	finish_receipts(v);
}

const struct verify_check *
verify_get_check(const struct verify *v, enum verify_check_id id)
{
	if ((unsigned)id >= VERIFY_CHECK_COUNT)
		return NULL;
	return &v->checks[id];
}

bool
verify_ok(const struct verify *v)
{
	if (!v->finished)
		return false;
	for (int i = 0; i < VERIFY_CHECK_COUNT; i++)
		if (v->checks[i].status == VERIFY_FAIL)
			return false;
	return true;
}

/* ---- reports --------------------------------------------------------- */

static const char *
status_word(enum verify_status s)
{
	switch (s) {
	case VERIFY_PASS:
		return "PASS";
	case VERIFY_FAIL:
		return "FAIL";
	case VERIFY_NOT_APPLICABLE:
		return "n/a";
	}
	return "?";
}

/* The result to show: the recount (equal to the published one when V6
 * and V8 pass). */
static const struct protocol_result *
shown_result(const struct verify *v)
{
	if (v->m == NULL)
		return NULL;
	return v->computed;
}

static void
put(struct encoding_buf *b, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	encoding_buf_append(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void
put_names(struct encoding_buf *b, const struct protocol_text *t)
{
	const char *en = protocol_text_get(t, "en");
	const char *km = protocol_text_get(t, "km");

	if (en == NULL && km == NULL && t->n > 0)
		en = t->entries[0].value;
	if (en != NULL)
		encoding_buf_append(b, en, strlen(en));
	if (en != NULL && km != NULL)
		encoding_buf_append(b, " / ", 3);
	if (km != NULL)
		encoding_buf_append(b, km, strlen(km));
}

/* Secret mode: who decrypted (Q), by index and id. */
static void
put_decrypters(struct encoding_buf *b, const struct verify *v)
{
	uint32_t n_q;
	const uint32_t *q = verify_decrypting_trustees(v, &n_q);

	if (n_q == 0) {
		put(b, "\nNo trustee decrypted anything (no ballot was counted).\n");
		return;
	}
	put(b, "\nDecrypted by trustees (Q, t = %lu of n = %lu):", (unsigned long)v->m->t,
	    (unsigned long)v->m->n);
	for (uint32_t k = 0; k < n_q; k++)
		put(b, " %lu (%s)", (unsigned long)q[k], v->m->trustees[q[k] - 1].id);
	put(b, "\n");
}

const uint32_t *
verify_decrypting_trustees(const struct verify *v, uint32_t *n_q)
{
	*n_q = 0;
	if (v->sec == NULL || v->computed == NULL)
		return NULL;
	return verify_secret_q(v->sec, n_q);
}

char *
verify_report_text(const struct verify *v)
{
	const struct protocol_result *r = shown_result(v);
	struct encoding_buf b;
	uint8_t nul = 0;

	encoding_buf_init(&b);
	for (int i = 0; i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *c = &v->checks[i];
		char head[64];
		size_t hl;

		snprintf(head, sizeof(head), "%-3s %s ", check_names[i].label, check_names[i].name);
		hl = strlen(head);
		put(&b, "%s", head);
		for (size_t k = hl; k < 26; k++)
			encoding_buf_u8(&b, '.');
		put(&b, " %s", status_word(c->status));
		if (c->status == VERIFY_FAIL && c->has_event)
			put(&b, " at event %lu: %s", (unsigned long)c->event, c->reason);
		else if (c->status != VERIFY_PASS)
			put(&b, ": %s", c->reason);
		encoding_buf_u8(&b, '\n');
	}
	put(&b, "\nRecord %s.\n",
	    verify_ok(v) ? "VERIFIED: every applicable check passed"
	                 : "NOT VERIFIED: at least one check failed");
	if (v->m != NULL) {
		put(&b, "\nElection %s: ", v->m->election_id);
		put_names(&b, &v->m->title);
		put(&b, "\n  mode %s, %lu voters on the roll, %lu events, %lu ballot events\n",
		    v->m->mode == PROTOCOL_MODE_OPEN ? "open (choices public)" : "secret",
		    (unsigned long)v->m->n_voters, (unsigned long)v->n_events,
		    (unsigned long)v->n_ballot_events);
	}
	if (r != NULL) {
		bool same = v->checks[VERIFY_V6].status == VERIFY_PASS &&
		            v->checks[VERIFY_V8].status == VERIFY_PASS;

		put(&b, "\nResult recomputed from the ballots (%lu counted)%s\n",
		    (unsigned long)r->n_counted,
		    !v->result_seen ? "; no result published yet"
		    : same          ? "; identical to the published result"
		                    : "; the PUBLISHED RESULT DIFFERS (see V6/V8)");
		for (uint32_t k = 0; k < r->n_contests; k++) {
			const struct protocol_contest *ct = &v->m->contests[k];
			const struct protocol_contest_result *cr = &r->contests[k];

			put(&b, "\nContest %s: ", ct->id);
			put_names(&b, &ct->title);
			put(&b, " (%lu seat%s)\n", (unsigned long)ct->seats,
			    ct->seats == 1 ? "" : "s");
			for (uint32_t i = 0; i < cr->n_candidates; i++) {
				bool el = false;

				for (uint32_t e = 0; e < cr->n_elected; e++)
					el = el || cr->elected[e] == i;
				put(&b, "  %6lu  %s  ", (unsigned long)cr->counts[i],
				    ct->candidates[i].id);
				put_names(&b, &ct->candidates[i].name);
				put(&b, "%s\n", el ? "  ELECTED" : "");
			}
			if (cr->n_elected == 0)
				put(&b, "  elected: none\n");
			else {
				put(&b, "  elected:");
				for (uint32_t e = 0; e < cr->n_elected; e++)
					put(&b, " %s", ct->candidates[cr->elected[e]].id);
				put(&b, "\n");
			}
			if (cr->n_elected < ct->seats)
				put(&b, "  %lu seat%s vacant\n",
				    (unsigned long)(ct->seats - cr->n_elected),
				    ct->seats - cr->n_elected == 1 ? "" : "s");
			if (cr->lot)
				put(&b, "  decided by lot (tie at the last seat, spec §11)\n");
		}
		if (secret_mode(v))
			put_decrypters(&b, v);
	}
	encoding_buf_append(&b, &nul, 1);
	return (char *)encoding_buf_steal(&b, NULL);
}

static json_t *
text_json(const struct protocol_text *t)
{
	json_t *o = json_object();

	for (uint32_t i = 0; o != NULL && i < t->n; i++)
		json_object_set_new(o, t->entries[i].lang, json_string(t->entries[i].value));
	return o;
}

static char *
hex_alloc(const uint8_t *p, size_t n)
{
	return encoding_hex_encode_alloc(p, n);
}

char *
verify_report_json(const struct verify *v)
{
	const struct protocol_result *r = shown_result(v);
	json_t *root = json_object(), *checks = json_array();
	char *out = NULL;

	if (root == NULL || checks == NULL)
		goto out;
	json_object_set_new(root, "ok", json_boolean(verify_ok(v)));
	for (int i = 0; i < VERIFY_CHECK_COUNT; i++) {
		const struct verify_check *c = &v->checks[i];
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(check_names[i].label));
		json_object_set_new(o, "name", json_string(check_names[i].name));
		json_object_set_new(o, "status",
		                    json_string(c->status == VERIFY_PASS   ? "pass"
		                                : c->status == VERIFY_FAIL ? "fail"
		                                                           : "not-applicable"));
		if (c->status == VERIFY_FAIL && c->has_event)
			json_object_set_new(o, "event", json_integer(c->event));
		if (c->status != VERIFY_PASS)
			json_object_set_new(o, "reason", json_string(c->reason));
		json_array_append_new(checks, o);
	}
	json_object_set_new(root, "checks", checks);
	checks = NULL;
	if (v->m != NULL) {
		json_t *e = json_object();
		char *eh = v->have_eh ? hex_alloc(v->election_hash, PCRYPTO_HASH_BYTES) : NULL;

		json_object_set_new(e, "id", json_string(v->m->election_id));
		json_object_set_new(e, "title", text_json(&v->m->title));
		json_object_set_new(e, "mode", json_integer(v->m->mode));
		json_object_set_new(e, "voters", json_integer(v->m->n_voters));
		json_object_set_new(e, "events", json_integer((json_int_t)v->n_events));
		json_object_set_new(e, "ballot_events", json_integer(v->n_ballot_events));
		if (eh != NULL)
			json_object_set_new(e, "election_hash", json_string(eh));
		free(eh);
		json_object_set_new(root, "election", e);
	}
	if (r != NULL) {
		json_t *res = json_object(), *cs = json_array();

		json_object_set_new(res, "counted", json_integer(r->n_counted));
		json_object_set_new(res, "published", json_boolean(v->result_seen));
		for (uint32_t k = 0; k < r->n_contests; k++) {
			const struct protocol_contest *ct = &v->m->contests[k];
			const struct protocol_contest_result *cr = &r->contests[k];
			json_t *co = json_object(), *cands = json_array(), *el = json_array();

			json_object_set_new(co, "id", json_string(ct->id));
			json_object_set_new(co, "title", text_json(&ct->title));
			json_object_set_new(co, "seats", json_integer(ct->seats));
			for (uint32_t i = 0; i < cr->n_candidates; i++) {
				json_t *ca = json_object();
				bool is_el = false;

				for (uint32_t e = 0; e < cr->n_elected; e++)
					is_el = is_el || cr->elected[e] == i;
				json_object_set_new(ca, "id", json_string(ct->candidates[i].id));
				json_object_set_new(ca, "name", text_json(&ct->candidates[i].name));
				json_object_set_new(ca, "count", json_integer(cr->counts[i]));
				json_object_set_new(ca, "elected", json_boolean(is_el));
				json_array_append_new(cands, ca);
			}
			for (uint32_t e = 0; e < cr->n_elected; e++)
				json_array_append_new(
				    el, json_string(ct->candidates[cr->elected[e]].id));
			json_object_set_new(co, "candidates", cands);
			json_object_set_new(co, "elected", el);
			json_object_set_new(co, "lot", json_boolean(cr->lot != 0));
			json_array_append_new(cs, co);
		}
		json_object_set_new(res, "contests", cs);
		if (secret_mode(v)) {
			json_t *dec = json_array();
			uint32_t n_q;
			const uint32_t *q = verify_decrypting_trustees(v, &n_q);

			for (uint32_t k = 0; k < n_q; k++) {
				json_t *t = json_object();

				json_object_set_new(t, "index", json_integer(q[k]));
				json_object_set_new(t, "id",
				                    json_string(v->m->trustees[q[k] - 1].id));
				json_array_append_new(dec, t);
			}
			json_object_set_new(res, "decrypted_by", dec);
		}
		json_object_set_new(root, "result", res);
	}
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(checks);
	json_decref(root);
	return out;
}
