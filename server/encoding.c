/*
 * encoding.c -- byte buffers, the LE32/STR layout and strict hex (spec §2).
 * The hex decoder is ours rather than sodium_hex2bin because the protocol
 * demands lowercase and exact length (pitfall P9).
 */
#include "encoding.h"

#include <stdlib.h>
#include <string.h>

void
encoding_buf_init(struct encoding_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
encoding_buf_free(struct encoding_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

uint8_t *
encoding_buf_steal(struct encoding_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (b->failed) {
		free(p);
		p = NULL;
	} else if (p == NULL) {
		p = malloc(1); /* a valid pointer even for zero bytes */
	}
	if (len != NULL)
		*len = (p != NULL) ? b->len : 0;
	memset(b, 0, sizeof(*b));
	return p;
}

static bool
buf_reserve(struct encoding_buf *b, size_t n)
{
	size_t want;
	uint8_t *p;

	if (b->failed)
		return false;
	if (n > SIZE_MAX - b->len) {
		b->failed = true;
		return false;
	}
	want = b->len + n;
	if (want <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = (cap > SIZE_MAX / 2) ? want : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
encoding_buf_append(struct encoding_buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
encoding_buf_u8(struct encoding_buf *b, uint8_t v)
{
	encoding_buf_append(b, &v, 1);
}

void
encoding_buf_le32(struct encoding_buf *b, uint32_t v)
{
	uint8_t p[4];

	encoding_le32_put(p, v);
	encoding_buf_append(b, p, 4);
}

void
encoding_buf_str(struct encoding_buf *b, const char *s, size_t n)
{
	if (n > UINT32_MAX) {
		b->failed = true;
		return;
	}
	encoding_buf_le32(b, (uint32_t)n);
	encoding_buf_append(b, s, n);
}

void
encoding_reader_init(struct encoding_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->failed = false;
}

const uint8_t *
encoding_read_bytes(struct encoding_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->failed || n > r->len - r->off) {
		r->failed = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t
encoding_read_u8(struct encoding_reader *r)
{
	const uint8_t *p = encoding_read_bytes(r, 1);

	return p ? p[0] : 0;
}

uint32_t
encoding_read_le32(struct encoding_reader *r)
{
	const uint8_t *p = encoding_read_bytes(r, 4);

	return p ? encoding_le32_get(p) : 0;
}

const uint8_t *
encoding_read_str(struct encoding_reader *r, size_t *n)
{
	uint32_t len = encoding_read_le32(r);
	const uint8_t *p;

	*n = 0;
	if (r->failed)
		return NULL;
	p = encoding_read_bytes(r, len);
	if (p != NULL)
		*n = len;
	return p;
}

bool
encoding_reader_done(const struct encoding_reader *r)
{
	return !r->failed && r->off == r->len;
}

uint32_t
encoding_le32_get(const uint8_t p[4])
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

void
encoding_le32_put(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase is rejected on purpose (spec §2) */
}

bool
encoding_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outlen)
{
	if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen)
		return false;
	for (size_t i = 0; i < outlen; i++) {
		int hi = hex_nibble(hex[2 * i]);
		int lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	return true;
}

uint8_t *
encoding_hex_decode_alloc(const char *hex, size_t hexlen, size_t *outlen)
{
	uint8_t *out;

	*outlen = 0;
	if (hexlen % 2 != 0)
		return NULL;
	out = malloc(hexlen / 2 + 1);
	if (out == NULL)
		return NULL;
	if (!encoding_hex_decode(hex, hexlen, out, hexlen / 2)) {
		free(out);
		return NULL;
	}
	*outlen = hexlen / 2;
	return out;
}

void
encoding_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

char *
encoding_hex_encode_alloc(const uint8_t *in, size_t n)
{
	char *out;

	if (n > (SIZE_MAX - 1) / 2)
		return NULL;
	out = malloc(2 * n + 1);
	if (out != NULL)
		encoding_hex_encode(in, n, out);
	return out;
}
