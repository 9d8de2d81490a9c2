/*
 * protocol_board.c -- event types and hash chain, the order rules of §10,
 * receipts and heads.  The order machine is the single place where "what
 * may come next" is decided, for the server and for the verifier alike.
 */
#include "protocol_board.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_names[PROTOCOL_EVENT_TYPE_COUNT] = {
    [PROTOCOL_EVENT_MANIFEST] = "manifest",
    [PROTOCOL_EVENT_DKG_ROUND0] = "dkg-round0",
    [PROTOCOL_EVENT_DKG_ROUND1] = "dkg-round1",
    [PROTOCOL_EVENT_DKG_ROUND2] = "dkg-round2",
    [PROTOCOL_EVENT_DKG_ROUND3] = "dkg-round3",
    [PROTOCOL_EVENT_OPEN] = "open",
    [PROTOCOL_EVENT_BALLOT] = "ballot",
    [PROTOCOL_EVENT_CLOSE] = "close",
    [PROTOCOL_EVENT_TALLY] = "tally",
    [PROTOCOL_EVENT_PARTIAL_DECRYPTION] = "partial-decryption",
    [PROTOCOL_EVENT_RESULT] = "result",
};

const char *
protocol_event_type_name(enum protocol_event_type t)
{
	if ((unsigned)t >= PROTOCOL_EVENT_TYPE_COUNT)
		return NULL;
	return event_names[t];
}

bool
protocol_event_type_parse(const char *s, size_t len, enum protocol_event_type *out)
{
	for (int i = 0; i < PROTOCOL_EVENT_TYPE_COUNT; i++) {
		if (strlen(event_names[i]) == len && memcmp(event_names[i], s, len) == 0) {
			*out = (enum protocol_event_type)i;
			return true;
		}
	}
	return false;
}

void
protocol_event_hash(const uint8_t prev[PCRYPTO_HASH_BYTES], uint32_t n,
                    enum protocol_event_type type, const char *at, const uint8_t *data, size_t len,
                    uint8_t out[PCRYPTO_HASH_BYTES])
{
	static const uint8_t zero[PCRYPTO_HASH_BYTES];
	uint8_t dh[PCRYPTO_HASH_BYTES];
	const char *name = protocol_event_type_name(type);
	struct pcrypto_h64 h;

	pcrypto_h64("event-data", data, len, dh);
	pcrypto_h64_init(&h, "event");
	pcrypto_h64_update(&h, prev != NULL ? prev : zero, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update_le32(&h, n);
	pcrypto_h64_update_str(&h, name, strlen(name));
	pcrypto_h64_update_str(&h, at, strlen(at));
	pcrypto_h64_update(&h, dh, PCRYPTO_HASH_BYTES);
	pcrypto_h64_final(&h, out);
}

void
protocol_board_open_data(const uint8_t election_hash[PCRYPTO_HASH_BYTES], struct encoding_buf *out)
{
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
}

void
protocol_board_close_data(const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n_ballots,
                          struct encoding_buf *out)
{
	encoding_buf_append(out, election_hash, PCRYPTO_HASH_BYTES);
	encoding_buf_le32(out, n_ballots);
}

/* ---- order ----------------------------------------------------------- */

void
protocol_board_order_init(struct protocol_board_order *o, uint8_t mode, uint32_t n_trustees)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->n_trustees = n_trustees;
	o->phase = PROTOCOL_PHASE_EMPTY;
}

bool
protocol_board_order_voting(const struct protocol_board_order *o)
{
	return o->phase == PROTOCOL_PHASE_VOTING;
}

/* The next state if `type` is allowed, or a reason. */
static const char *
next_phase(const struct protocol_board_order *o, enum protocol_event_type type,
           struct protocol_board_order *next)
{
	*next = *o;
	if (o->phase != PROTOCOL_PHASE_EMPTY && type == PROTOCOL_EVENT_MANIFEST)
		return "manifest may only be event 0";
	switch (o->phase) {
	case PROTOCOL_PHASE_EMPTY:
		if (type != PROTOCOL_EVENT_MANIFEST)
			return "event 0 must be the manifest";
		if (o->mode == PROTOCOL_MODE_SECRET && o->n_trustees > 0)
			next->phase = PROTOCOL_PHASE_DKG;
		else
			next->phase = PROTOCOL_PHASE_READY;
		return NULL;
	case PROTOCOL_PHASE_DKG:
		if (type != (enum protocol_event_type)(PROTOCOL_EVENT_DKG_ROUND0 + o->dkg_round))
			return "key ceremony incomplete: expected the next dkg-round event";
		next->dkg_count++;
		if (next->dkg_count == o->n_trustees) {
			next->dkg_count = 0;
			next->dkg_round++;
			if (next->dkg_round == 4)
				next->phase = PROTOCOL_PHASE_READY;
		}
		return NULL;
	case PROTOCOL_PHASE_READY:
		if (type != PROTOCOL_EVENT_OPEN)
			return "expected open";
		next->phase = PROTOCOL_PHASE_VOTING;
		return NULL;
	case PROTOCOL_PHASE_VOTING:
		if (type == PROTOCOL_EVENT_BALLOT) {
			next->n_ballots++;
			return NULL;
		}
		if (type == PROTOCOL_EVENT_CLOSE) {
			next->phase = PROTOCOL_PHASE_CLOSED;
			return NULL;
		}
		return type == PROTOCOL_EVENT_OPEN ? "second open"
		                                   : "only ballots or close may follow open";
	case PROTOCOL_PHASE_CLOSED:
		if (type == PROTOCOL_EVENT_BALLOT)
			return "ballot after close";
		if (o->mode == PROTOCOL_MODE_OPEN) {
			if (type != PROTOCOL_EVENT_RESULT)
				return "only result may follow close in open mode";
			next->phase = PROTOCOL_PHASE_DONE;
			return NULL;
		}
		if (type != PROTOCOL_EVENT_TALLY)
			return "only tally may follow close in secret mode";
		next->phase = PROTOCOL_PHASE_DECRYPTING;
		return NULL;
	case PROTOCOL_PHASE_DECRYPTING:
		if (type == PROTOCOL_EVENT_PARTIAL_DECRYPTION)
			return NULL;
		if (type != PROTOCOL_EVENT_RESULT)
			return "only partial decryptions or result may follow tally";
		next->phase = PROTOCOL_PHASE_DONE;
		return NULL;
	case PROTOCOL_PHASE_DONE:
		return "nothing may follow result";
	}
	return "internal: unknown phase";
}

const char *
protocol_board_order_step(struct protocol_board_order *o, enum protocol_event_type type,
                          const char *at)
{
	struct protocol_board_order next;
	const char *why;

	if ((unsigned)type >= PROTOCOL_EVENT_TYPE_COUNT)
		return "unknown event type";
	if (strlen(at) != PROTOCOL_TIME_LEN)
		return "at is not a Time";
	/* Time strings of the exact form compare in time order (§2). */
	if (o->next_n > 0 && strcmp(at, o->last_at) < 0)
		return "at decreases";
	why = next_phase(o, type, &next);
	if (why != NULL)
		return why;
	next.next_n++;
	memcpy(next.last_at, at, PROTOCOL_TIME_LEN + 1);
	*o = next;
	return NULL;
}

/* ---- receipts and heads ---------------------------------------------- */

static void
receipt_digest(const struct protocol_receipt *r, uint8_t out[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, "receipt");
	pcrypto_h64_update(&h, r->election_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update_le32(&h, r->n);
	pcrypto_h64_update(&h, r->event_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update(&h, r->ballot_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_final(&h, out);
}

bool
protocol_receipt_sign(const uint8_t server_sk[PCRYPTO_SK_BYTES], struct protocol_receipt *r)
{
	uint8_t d[PCRYPTO_HASH_BYTES];

	receipt_digest(r, d);
	return pcrypto_sign_digest(server_sk, "receipt", d, r->signature);
}

bool
protocol_receipt_verify(const uint8_t server_pk[PCRYPTO_PK_BYTES], const struct protocol_receipt *r)
{
	uint8_t d[PCRYPTO_HASH_BYTES];

	receipt_digest(r, d);
	return pcrypto_verify_digest(server_pk, "receipt", d, r->signature);
}

char *
protocol_receipt_to_json(const struct protocol_receipt *r)
{
	char eh[2 * PCRYPTO_HASH_BYTES + 1], ev[2 * PCRYPTO_HASH_BYTES + 1];
	char bh[2 * PCRYPTO_HASH_BYTES + 1], sg[2 * PCRYPTO_SIG_BYTES + 1];
	size_t cap = 4 * 129 + 128;
	char *s = malloc(cap);

	if (s == NULL)
		return NULL;
	encoding_hex_encode(r->election_hash, PCRYPTO_HASH_BYTES, eh);
	encoding_hex_encode(r->event_hash, PCRYPTO_HASH_BYTES, ev);
	encoding_hex_encode(r->ballot_hash, PCRYPTO_HASH_BYTES, bh);
	encoding_hex_encode(r->signature, PCRYPTO_SIG_BYTES, sg);
	snprintf(s, cap,
	         "{\"election_hash\":\"%s\",\"n\":%lu,\"event_hash\":\"%s\",\"ballot_hash\":\"%s\","
	         "\"signature\":\"%s\"}",
	         eh, (unsigned long)r->n, ev, bh, sg);
	return s;
}

static bool
hex_field(json_t *o, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return false;
	return encoding_hex_decode(json_string_value(v), json_string_length(v), out, n);
}

bool
protocol_receipt_from_json(const char *text, size_t len, struct protocol_receipt *r,
                           const char **why)
{
	json_error_t err;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	json_t *n;
	bool ok = false;

	memset(r, 0, sizeof(*r));
	if (o == NULL) {
		*why = "receipt is not JSON (or repeats a key)";
		return false;
	}
	if (!json_is_object(o) || json_object_size(o) != 5) {
		*why = "receipt must be an object with exactly five keys";
		goto out;
	}
	n = json_object_get(o, "n");
	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    json_integer_value(n) >= ((json_int_t)1 << 31)) {
		*why = "receipt n is not an integer in [0, 2^31)";
		goto out;
	}
	r->n = (uint32_t)json_integer_value(n);
	if (!hex_field(o, "election_hash", r->election_hash, PCRYPTO_HASH_BYTES) ||
	    !hex_field(o, "event_hash", r->event_hash, PCRYPTO_HASH_BYTES) ||
	    !hex_field(o, "ballot_hash", r->ballot_hash, PCRYPTO_HASH_BYTES) ||
	    !hex_field(o, "signature", r->signature, PCRYPTO_SIG_BYTES)) {
		*why = "receipt field missing or not lowercase hex of exact length";
		goto out;
	}
	ok = true;
out:
	json_decref(o);
	return ok;
}

static void
head_digest(const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n,
            const uint8_t event_hash[PCRYPTO_HASH_BYTES], uint8_t out[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, "head");
	pcrypto_h64_update(&h, election_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update_le32(&h, n);
	pcrypto_h64_update(&h, event_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_final(&h, out);
}

bool
protocol_head_sign(const uint8_t server_sk[PCRYPTO_SK_BYTES],
                   const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n,
                   const uint8_t event_hash[PCRYPTO_HASH_BYTES], uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t d[PCRYPTO_HASH_BYTES];

	head_digest(election_hash, n, event_hash, d);
	return pcrypto_sign_digest(server_sk, "head", d, sig);
}

bool
protocol_head_verify(const uint8_t server_pk[PCRYPTO_PK_BYTES],
                     const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n,
                     const uint8_t event_hash[PCRYPTO_HASH_BYTES],
                     const uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t d[PCRYPTO_HASH_BYTES];

	head_digest(election_hash, n, event_hash, d);
	return pcrypto_verify_digest(server_pk, "head", d, sig);
}
