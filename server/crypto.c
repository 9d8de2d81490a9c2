/*
 * crypto.c -- domain-separated hashing, the typed signing rule and strict
 * decoders (spec §2-4, pitfalls P1, P2, P4, P8).  Everything here is a thin
 * wrapper over libsodium 1.0.18; the wrappers exist so that no caller can
 * forget a domain tag, the top-bit check of a point, or the scalar range.
 */
#include "crypto.h"

#include <string.h>

#define DS_PREFIX "ngo-vote/v1/"

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t group_order_le[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

void
pcrypto_ds(struct encoding_buf *b, const char *tag)
{
	size_t pl = sizeof(DS_PREFIX) - 1;
	size_t tl = strlen(tag);

	encoding_buf_le32(b, (uint32_t)(pl + tl));
	encoding_buf_append(b, DS_PREFIX, pl);
	encoding_buf_append(b, tag, tl);
}

void
pcrypto_h64_init(struct pcrypto_h64 *h, const char *tag)
{
	size_t pl = sizeof(DS_PREFIX) - 1;
	size_t tl = strlen(tag);

	crypto_hash_sha512_init(&h->st);
	pcrypto_h64_update_le32(h, (uint32_t)(pl + tl));
	crypto_hash_sha512_update(&h->st, (const uint8_t *)DS_PREFIX, pl);
	crypto_hash_sha512_update(&h->st, (const uint8_t *)tag, tl);
}

void
pcrypto_h64_update(struct pcrypto_h64 *h, const void *m, size_t n)
{
	if (n == 0)
		return;
	crypto_hash_sha512_update(&h->st, m, n);
}

void
pcrypto_h64_update_le32(struct pcrypto_h64 *h, uint32_t v)
{
	uint8_t b[4];

	encoding_le32_put(b, v);
	crypto_hash_sha512_update(&h->st, b, 4);
}

void
pcrypto_h64_update_u8(struct pcrypto_h64 *h, uint8_t v)
{
	crypto_hash_sha512_update(&h->st, &v, 1);
}

void
pcrypto_h64_update_str(struct pcrypto_h64 *h, const char *s, size_t n)
{
	pcrypto_h64_update_le32(h, (uint32_t)n);
	pcrypto_h64_update(h, s, n);
}

void
pcrypto_h64_final(struct pcrypto_h64 *h, uint8_t out[PCRYPTO_HASH_BYTES])
{
	crypto_hash_sha512_final(&h->st, out);
}

void
pcrypto_h64(const char *tag, const void *m, size_t n, uint8_t out[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, tag);
	pcrypto_h64_update(&h, m, n);
	pcrypto_h64_final(&h, out);
}

void
pcrypto_hs(const char *tag, const void *m, size_t n, uint8_t out[PCRYPTO_SCALAR_BYTES])
{
	uint8_t h[PCRYPTO_HASH_BYTES];

	pcrypto_h64(tag, m, n, h);
	crypto_core_ristretto255_scalar_reduce(out, h); /* needs exactly 64 bytes (P5) */
	sodium_memzero(h, sizeof(h));
}

/* The signed message DS("sig") || STR(type) || digest, built on the stack:
 * type names are short ASCII constants. */
#define SIG_MSG_MAX 128

static size_t
sig_message(const char *type, const uint8_t digest[PCRYPTO_HASH_BYTES], uint8_t msg[SIG_MSG_MAX])
{
	static const char ds[] = DS_PREFIX "sig";
	size_t dl = sizeof(ds) - 1;
	size_t tl = strlen(type);
	size_t off = 0;

	if (4 + dl + 4 + tl + PCRYPTO_HASH_BYTES > SIG_MSG_MAX)
		return 0;
	encoding_le32_put(msg + off, (uint32_t)dl);
	off += 4;
	memcpy(msg + off, ds, dl);
	off += dl;
	encoding_le32_put(msg + off, (uint32_t)tl);
	off += 4;
	memcpy(msg + off, type, tl);
	off += tl;
	memcpy(msg + off, digest, PCRYPTO_HASH_BYTES);
	return off + PCRYPTO_HASH_BYTES;
}

bool
pcrypto_sign_digest(const uint8_t sk[PCRYPTO_SK_BYTES], const char *type,
                    const uint8_t digest[PCRYPTO_HASH_BYTES], uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t msg[SIG_MSG_MAX];
	size_t n = sig_message(type, digest, msg);

	if (n == 0)
		return false;
	return crypto_sign_detached(sig, NULL, msg, n, sk) == 0;
}

bool
pcrypto_verify_digest(const uint8_t pk[PCRYPTO_PK_BYTES], const char *type,
                      const uint8_t digest[PCRYPTO_HASH_BYTES],
                      const uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t msg[SIG_MSG_MAX];
	size_t n = sig_message(type, digest, msg);

	if (n == 0)
		return false;
	/* libsodium 1.0.18 verification is strict and cofactorless (P8). */
	return crypto_sign_verify_detached(sig, msg, n, pk) == 0;
}

bool
pcrypto_sign(const uint8_t sk[PCRYPTO_SK_BYTES], const char *type, const uint8_t *body, size_t len,
             uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t digest[PCRYPTO_HASH_BYTES];

	pcrypto_h64(type, body, len, digest);
	return pcrypto_sign_digest(sk, type, digest, sig);
}

bool
pcrypto_verify(const uint8_t pk[PCRYPTO_PK_BYTES], const char *type, const uint8_t *body,
               size_t len, const uint8_t sig[PCRYPTO_SIG_BYTES])
{
	uint8_t digest[PCRYPTO_HASH_BYTES];

	pcrypto_h64(type, body, len, digest);
	return pcrypto_verify_digest(pk, type, digest, sig);
}

bool
pcrypto_point_decode(const uint8_t p[PCRYPTO_POINT_BYTES])
{
	/* 1.0.18 ignores bit 255 (P1): check it ourselves. */
	if ((p[31] & 0x80) != 0)
		return false;
	return crypto_core_ristretto255_is_valid_point(p) == 1;
}

bool
pcrypto_point_decode_not_identity(const uint8_t p[PCRYPTO_POINT_BYTES])
{
	if (!pcrypto_point_decode(p))
		return false;
	return !sodium_is_zero(p, PCRYPTO_POINT_BYTES); /* P2: O is "valid" */
}

bool
pcrypto_scalar_decode(const uint8_t s[PCRYPTO_SCALAR_BYTES])
{
	return sodium_compare(s, group_order_le, PCRYPTO_SCALAR_BYTES) < 0;
}

bool
pcrypto_ed25519_pk_valid(const uint8_t pk[PCRYPTO_PK_BYTES])
{
	return crypto_core_ed25519_is_valid_point(pk) == 1;
}
