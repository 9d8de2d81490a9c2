/*
 * protocol_record.h -- the election record (spec §14): JSON lines for the
 * header, each event and the head.  Writers produce the exact bytes of
 * tests/spec/record-open.jsonl; the reader parses one line strictly.
 */
#ifndef NGO_VOTE_PROTOCOL_RECORD_H
#define NGO_VOTE_PROTOCOL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "encoding.h"
#include "protocol_board.h"
#include "protocol_manifest.h"

#define PROTOCOL_RECORD_FORMAT "ngo-vote/record/v1"

enum protocol_record_kind {
	PROTOCOL_RECORD_HEADER,
	PROTOCOL_RECORD_EVENT,
	PROTOCOL_RECORD_HEAD,
};

struct protocol_record_line {
	enum protocol_record_kind kind;
	/* header */
	char election_id[PROTOCOL_ID_MAX + 1]; /* "" when not a valid id */
	bool election_id_valid;
	uint8_t server_pk[PCRYPTO_PK_BYTES];
	/* event and head */
	uint32_t n;
	uint8_t hash[PCRYPTO_HASH_BYTES];
	/* event */
	enum protocol_event_type type;
	char at[PROTOCOL_TIME_LEN + 1];
	uint8_t *data; /* malloc'd, owned by the line */
	size_t data_len;
	/* head */
	uint8_t signature[PCRYPTO_SIG_BYTES];
};

/* Appends one line, '\n' included. */
void protocol_record_write_header(struct encoding_buf *b, const char *election_id,
                                  const uint8_t server_pk[PCRYPTO_PK_BYTES]);
void protocol_record_write_event(struct encoding_buf *b, uint32_t n, enum protocol_event_type type,
                                 const char *at, const uint8_t *data, size_t len,
                                 const uint8_t hash[PCRYPTO_HASH_BYTES]);
void protocol_record_write_head(struct encoding_buf *b, uint32_t n,
                                const uint8_t hash[PCRYPTO_HASH_BYTES],
                                const uint8_t sig[PCRYPTO_SIG_BYTES]);

/* Parses one line (without its '\n').  Strict: a JSON object with exactly
 * the keys of §14 for its kind, no duplicate key, lowercase hex of exact
 * length, `at` a Time, integers in [0, 2^31).  The line buffer is used as
 * scratch space and is garbage afterwards: a manifest line of a large
 * roll is tens of megabytes, and we avoid holding three copies of it.
 * On success free out with protocol_record_line_clear(). */
bool protocol_record_parse_line(char *line, size_t len, struct protocol_record_line *out,
                                const char **why);
void protocol_record_line_clear(struct protocol_record_line *l);

#endif
