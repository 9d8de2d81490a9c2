/*
 * encoding.h -- byte-level encodings of the protocol (spec §2): growable
 * byte buffers with LE32/u8/STR writers, a bounds-checked reader, and
 * lowercase exact-length hex.  Pure: no I/O, no global state.
 */
#ifndef NGO_VOTE_ENCODING_H
#define NGO_VOTE_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer.  On allocation failure `failed` is set and every
 * later append is a no-op, so builders check once at the end. */
struct encoding_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;
};

void encoding_buf_init(struct encoding_buf *b);
void encoding_buf_free(struct encoding_buf *b);
/* Hands the bytes to the caller (who frees them with free()); resets b. */
uint8_t *encoding_buf_steal(struct encoding_buf *b, size_t *len);
void encoding_buf_append(struct encoding_buf *b, const void *p, size_t n);
void encoding_buf_u8(struct encoding_buf *b, uint8_t v);
void encoding_buf_le32(struct encoding_buf *b, uint32_t v);
/* STR(s) = LE32(len) || bytes */
void encoding_buf_str(struct encoding_buf *b, const char *s, size_t n);

/* A cursor over received bytes.  A short read sets `failed` and yields
 * zeros, so parsers check `failed` once and then `off == len`. */
struct encoding_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool failed;
};

void encoding_reader_init(struct encoding_reader *r, const uint8_t *p, size_t len);
uint8_t encoding_read_u8(struct encoding_reader *r);
uint32_t encoding_read_le32(struct encoding_reader *r);
/* Returns a pointer into the input, or NULL (and failed) when short. */
const uint8_t *encoding_read_bytes(struct encoding_reader *r, size_t n);
/* STR: returns a pointer into the input and its length (not NUL-terminated). */
const uint8_t *encoding_read_str(struct encoding_reader *r, size_t *n);
bool encoding_reader_done(const struct encoding_reader *r);

uint32_t encoding_le32_get(const uint8_t p[4]);
void encoding_le32_put(uint8_t p[4], uint32_t v);

/* Decodes exactly `outlen` bytes from `hexlen` lowercase hex digits.
 * Returns false on wrong length, uppercase, or any non-hex character. */
bool encoding_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outlen);
/* Decodes any even-length lowercase hex into a malloc'd buffer. */
uint8_t *encoding_hex_decode_alloc(const char *hex, size_t hexlen, size_t *outlen);
/* Writes 2n lowercase hex digits and a NUL to out (size 2n+1). */
void encoding_hex_encode(const uint8_t *in, size_t n, char *out);
/* Returns a malloc'd NUL-terminated hex string, or NULL. */
char *encoding_hex_encode_alloc(const uint8_t *in, size_t n);

#endif
