/*
 * crypto.h -- the protocol's primitives on top of libsodium (spec §2-4):
 * domain-separated SHA-512 (DS, H64, Hs, and a streaming H64), the
 * signing rule for typed bodies, and strict decoders for ristretto255
 * points, scalars and Ed25519 public keys.  Prefix `pcrypto_` keeps us
 * out of libsodium's `crypto_` namespace.  Pure: no I/O, no state.
 */
#ifndef NGO_VOTE_CRYPTO_H
#define NGO_VOTE_CRYPTO_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encoding.h"

#define PCRYPTO_HASH_BYTES   64
#define PCRYPTO_POINT_BYTES  32
#define PCRYPTO_SCALAR_BYTES 32
#define PCRYPTO_PK_BYTES     32
#define PCRYPTO_SK_BYTES     64
#define PCRYPTO_SEED_BYTES   32
#define PCRYPTO_SIG_BYTES    64

/* Streaming H64(tag, m): init with the tag, feed m in pieces. */
struct pcrypto_h64 {
	crypto_hash_sha512_state st;
};

/* Appends DS(tag) = STR("ngo-vote/v1/" + tag) to b. */
void pcrypto_ds(struct encoding_buf *b, const char *tag);

void pcrypto_h64_init(struct pcrypto_h64 *h, const char *tag);
void pcrypto_h64_update(struct pcrypto_h64 *h, const void *m, size_t n);
void pcrypto_h64_update_le32(struct pcrypto_h64 *h, uint32_t v);
void pcrypto_h64_update_u8(struct pcrypto_h64 *h, uint8_t v);
/* Feeds STR(s) = LE32(n) || s. */
void pcrypto_h64_update_str(struct pcrypto_h64 *h, const char *s, size_t n);
void pcrypto_h64_final(struct pcrypto_h64 *h, uint8_t out[PCRYPTO_HASH_BYTES]);

/* H64(tag, m) = SHA-512(DS(tag) || m). */
void pcrypto_h64(const char *tag, const void *m, size_t n, uint8_t out[PCRYPTO_HASH_BYTES]);
/* Hs(tag, m) = H64(tag, m) mod L. */
void pcrypto_hs(const char *tag, const void *m, size_t n, uint8_t out[PCRYPTO_SCALAR_BYTES]);

/* The signing rule of §3: Ed25519 over DS("sig") || STR(type) || H64(type, body).
 * Returns false only if libsodium fails (it does not for valid keys). */
bool pcrypto_sign(const uint8_t sk[PCRYPTO_SK_BYTES], const char *type, const uint8_t *body,
                  size_t len, uint8_t sig[PCRYPTO_SIG_BYTES]);
bool pcrypto_verify(const uint8_t pk[PCRYPTO_PK_BYTES], const char *type, const uint8_t *body,
                    size_t len, const uint8_t sig[PCRYPTO_SIG_BYTES]);
/* The same, when the caller already holds digest = H64(type, body)
 * (ballots: the digest is the ballot_hash). */
bool pcrypto_sign_digest(const uint8_t sk[PCRYPTO_SK_BYTES], const char *type,
                         const uint8_t digest[PCRYPTO_HASH_BYTES], uint8_t sig[PCRYPTO_SIG_BYTES]);
bool pcrypto_verify_digest(const uint8_t pk[PCRYPTO_PK_BYTES], const char *type,
                           const uint8_t digest[PCRYPTO_HASH_BYTES],
                           const uint8_t sig[PCRYPTO_SIG_BYTES]);

/* Decoding rule 1 (§2): canonical ristretto255 point, bit 255 clear (P1).
 * The identity (32 zero bytes) is accepted here. */
bool pcrypto_point_decode(const uint8_t p[PCRYPTO_POINT_BYTES]);
/* Rule 1 plus rule 3: additionally rejects the identity O. */
bool pcrypto_point_decode_not_identity(const uint8_t p[PCRYPTO_POINT_BYTES]);
/* Decoding rule 2: a scalar is canonical iff < L (little-endian). */
bool pcrypto_scalar_decode(const uint8_t s[PCRYPTO_SCALAR_BYTES]);
/* The registration check for NGO, trustee and server keys (§4, §5). */
bool pcrypto_ed25519_pk_valid(const uint8_t pk[PCRYPTO_PK_BYTES]);

#endif
