/*
 * protocol_manifest.h -- the election manifest (spec §5): its structure,
 * the exact byte encoding `manifest_bytes`, a strict decoder that checks
 * every constraint of §5, manifest_hash and election_hash, Time syntax
 * (§2), and a fast voter lookup by public key.
 *
 * Two ways to hold a manifest:
 *  - built by a caller (the server drafting an election): the caller owns
 *    all memory; only protocol_manifest_encode() may be used on it;
 *  - decoded by protocol_manifest_decode(): the manifest owns everything,
 *    has a voter index, and is released with protocol_manifest_free().
 * Strings are NUL-terminated UTF-8 (the spec forbids NUL inside them).
 */
#ifndef NGO_VOTE_PROTOCOL_MANIFEST_H
#define NGO_VOTE_PROTOCOL_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "encoding.h"

#define PROTOCOL_MODE_OPEN    1
#define PROTOCOL_MODE_SECRET  2
#define PROTOCOL_METHOD_TOP_K 1
#define PROTOCOL_ID_MAX       64
#define PROTOCOL_STRING_MAX   1024
#define PROTOCOL_TIME_LEN     20

/* One (lang, value) pair of a TEXT (§5). */
struct protocol_text_entry {
	const char *lang;
	const char *value;
};

/* TEXT: k >= 1 entries, langs strictly ascending in byte order. */
struct protocol_text {
	uint32_t n;
	const struct protocol_text_entry *entries;
};

struct protocol_candidate {
	const char *id;
	struct protocol_text name;
};

struct protocol_contest {
	const char *id;
	struct protocol_text title;
	uint8_t method;
	uint32_t seats;
	uint32_t min;
	uint32_t max;
	uint32_t n_candidates;
	const struct protocol_candidate *candidates;
};

/* A voter (an NGO) or a trustee: id, name, Ed25519 key. */
struct protocol_party {
	const char *id;
	struct protocol_text name;
	uint8_t pk[PCRYPTO_PK_BYTES];
};

struct protocol_manifest {
	const char *election_id;
	struct protocol_text title;
	uint8_t mode;
	uint8_t server_pk[PCRYPTO_PK_BYTES];
	uint8_t revote;
	const char *opens_at;  /* a Time or "" */
	const char *closes_at; /* a Time or "" */
	uint32_t n_contests;
	const struct protocol_contest *contests;
	uint32_t n_voters;
	const struct protocol_party *voters;
	uint32_t n; /* trustees (secret mode) */
	uint32_t t; /* threshold (secret mode) */
	const struct protocol_party *trustees;

	/* Owned storage of a decoded manifest; NULL in a caller-built one. */
	void *owned_;
	/* Voter positions sorted by pk: distinctness check and lookup. */
	uint32_t *voters_by_pk_;
};

/* Appends manifest_bytes.  Checks the structure first with the very rules
 * of the decoder (it encodes, then decodes what it wrote): TEXT langs must
 * already be strictly ascending -- we require it rather than sort, so that
 * what the caller holds is what gets hashed.  On failure returns false,
 * sets *why to a static reason and leaves out without a partial manifest. */
bool protocol_manifest_encode(const struct protocol_manifest *m, struct encoding_buf *out,
                              const char **why);

/* Decodes manifest_bytes exactly (no trailing bytes) and checks every
 * constraint of §5.  On failure returns false, *out = NULL, and *why is
 * a static reason. */
bool protocol_manifest_decode(const uint8_t *bytes, size_t len, struct protocol_manifest **out,
                              const char **why);
void protocol_manifest_free(struct protocol_manifest *m);

/* manifest_hash = H64("manifest", manifest_bytes). */
void protocol_manifest_hash(const uint8_t *bytes, size_t len, uint8_t out[PCRYPTO_HASH_BYTES]);
/* Open mode: election_hash = H64("election", manifest_hash || u8(1)). */
void protocol_election_hash_open(const uint8_t manifest_hash[PCRYPTO_HASH_BYTES],
                                 uint8_t out[PCRYPTO_HASH_BYTES]);

/* Position of the voter with this key in a decoded manifest, or -1.
 * O(log #voters). */
int64_t protocol_manifest_voter_find(const struct protocol_manifest *m,
                                     const uint8_t pk[PCRYPTO_PK_BYTES]);

/* Total number of candidates over all contests. */
uint32_t protocol_manifest_total_candidates(const struct protocol_manifest *m);

/* The exact Time form YYYY-MM-DDTHH:MM:SSZ with valid ranges (§2). */
bool protocol_time_valid(const char *s, size_t len);
/* Identifier syntax [a-z0-9_-]{1,64}. */
bool protocol_id_valid(const char *s, size_t len);
/* BCP 47 tag syntax [A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*. */
bool protocol_lang_valid(const char *s, size_t len);
/* Valid UTF-8 (shortest form, no surrogates, <= U+10FFFF), no NUL. */
bool protocol_utf8_valid(const uint8_t *s, size_t len);

/* Appends TEXT(t) (§5) as it is; the caller keeps langs ascending. */
void protocol_text_encode(const struct protocol_text *t, struct encoding_buf *out);

/* The value of a TEXT for a language, or NULL. */
const char *protocol_text_get(const struct protocol_text *t, const char *lang);

#endif
