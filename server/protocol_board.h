/*
 * protocol_board.h -- the board (spec §10): event types, the hash chain,
 * the order rules as a state machine shared by the server (refuse an
 * out-of-order append) and the verifier (V3), receipts (signature and the
 * exact JSON form) and the head signature.
 */
#ifndef NGO_VOTE_PROTOCOL_BOARD_H
#define NGO_VOTE_PROTOCOL_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "encoding.h"
#include "protocol_manifest.h"

enum protocol_event_type {
	PROTOCOL_EVENT_MANIFEST = 0,
	PROTOCOL_EVENT_DKG_ROUND0,
	PROTOCOL_EVENT_DKG_ROUND1,
	PROTOCOL_EVENT_DKG_ROUND2,
	PROTOCOL_EVENT_DKG_ROUND3,
	PROTOCOL_EVENT_OPEN,
	PROTOCOL_EVENT_BALLOT,
	PROTOCOL_EVENT_CLOSE,
	PROTOCOL_EVENT_TALLY,
	PROTOCOL_EVENT_PARTIAL_DECRYPTION,
	PROTOCOL_EVENT_RESULT,
	PROTOCOL_EVENT_TYPE_COUNT
};

/* "manifest", "dkg-round0", ..., "result"; NULL if out of range. */
const char *protocol_event_type_name(enum protocol_event_type t);
/* Exact match of len bytes; false for an unknown name. */
bool protocol_event_type_parse(const char *s, size_t len, enum protocol_event_type *out);

/* h_n = H64("event", h_{n-1} || LE32(n) || STR(type) || STR(at) || H64("event-data", data)).
 * prev = NULL means h_{-1} (64 zero bytes).  `at` is a Time (20 bytes). */
void protocol_event_hash(const uint8_t prev[PCRYPTO_HASH_BYTES], uint32_t n,
                         enum protocol_event_type type, const char *at, const uint8_t *data,
                         size_t len, uint8_t out[PCRYPTO_HASH_BYTES]);

/* The data of `open`: election_hash; of `close`: election_hash || LE32(#ballot events). */
void protocol_board_open_data(const uint8_t election_hash[PCRYPTO_HASH_BYTES],
                              struct encoding_buf *out);
void protocol_board_close_data(const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n_ballots,
                               struct encoding_buf *out);

/* Order rules of §10.  Feed every event in board order; a refusal leaves
 * the state unchanged, so a server can refuse the append and carry on. */
enum protocol_board_phase {
	PROTOCOL_PHASE_EMPTY = 0,  /* nothing yet: expects manifest */
	PROTOCOL_PHASE_DKG,        /* secret mode key ceremony */
	PROTOCOL_PHASE_READY,      /* expects open */
	PROTOCOL_PHASE_VOTING,     /* ballots, then close */
	PROTOCOL_PHASE_CLOSED,     /* expects result (open) or tally (secret) */
	PROTOCOL_PHASE_DECRYPTING, /* secret: partial decryptions, then result */
	PROTOCOL_PHASE_DONE,       /* result published: nothing may follow */
};

struct protocol_board_order {
	uint8_t mode;        /* 1 or 2 */
	uint32_t n_trustees; /* secret mode: events per DKG round */
	enum protocol_board_phase phase;
	uint32_t dkg_round; /* 0..3 */
	uint32_t dkg_count; /* events seen in the current round */
	uint32_t next_n;    /* number of events so far */
	uint32_t n_ballots; /* ballot events so far */
	char last_at[PROTOCOL_TIME_LEN + 1];
};

/* mode and n come from the manifest that will be (or was) event 0. */
void protocol_board_order_init(struct protocol_board_order *o, uint8_t mode, uint32_t n_trustees);
/* Returns NULL if `type` at time `at` may come next (and records it), or
 * a static reason.  `at` must already be a valid Time. */
const char *protocol_board_order_step(struct protocol_board_order *o, enum protocol_event_type type,
                                      const char *at);
/* True once the state accepts a ballot (after open, before close). */
bool protocol_board_order_voting(const struct protocol_board_order *o);

/* Receipt (§10). */
struct protocol_receipt {
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	uint32_t n;
	uint8_t event_hash[PCRYPTO_HASH_BYTES];
	uint8_t ballot_hash[PCRYPTO_HASH_BYTES];
	uint8_t signature[PCRYPTO_SIG_BYTES];
};

/* Fills r->signature from the other fields. */
bool protocol_receipt_sign(const uint8_t server_sk[PCRYPTO_SK_BYTES], struct protocol_receipt *r);
bool protocol_receipt_verify(const uint8_t server_pk[PCRYPTO_PK_BYTES],
                             const struct protocol_receipt *r);
/* {"election_hash":…,"n":…,"event_hash":…,"ballot_hash":…,"signature":…}
 * without a newline; malloc'd, NULL on allocation failure. */
char *protocol_receipt_to_json(const struct protocol_receipt *r);
/* Strict: a JSON object with exactly these five keys, no duplicates,
 * lowercase hex of exact length, 0 <= n < 2^31.  Surrounding whitespace
 * (a trailing newline of a file) is allowed. */
bool protocol_receipt_from_json(const char *text, size_t len, struct protocol_receipt *r,
                                const char **why);

/* head_sig over H64("head", election_hash || LE32(n) || h_n). */
bool protocol_head_sign(const uint8_t server_sk[PCRYPTO_SK_BYTES],
                        const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n,
                        const uint8_t event_hash[PCRYPTO_HASH_BYTES],
                        uint8_t sig[PCRYPTO_SIG_BYTES]);
bool protocol_head_verify(const uint8_t server_pk[PCRYPTO_PK_BYTES],
                          const uint8_t election_hash[PCRYPTO_HASH_BYTES], uint32_t n,
                          const uint8_t event_hash[PCRYPTO_HASH_BYTES],
                          const uint8_t sig[PCRYPTO_SIG_BYTES]);

#endif
