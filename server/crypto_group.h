/*
 * crypto_group.h -- ristretto255 arithmetic as the protocol needs it
 * (spec §2, §4, §16): public-scalar multiplication that maps libsodium's
 * "-1 with 32 zero bytes" to the identity (P3), small multiples v*G,
 * scalars from integers, and a source of random scalars.
 *
 * Decoding received points and scalars stays in crypto.h
 * (pcrypto_point_decode & co.): callers decode first, then compute here.
 * Pure: no I/O, no state.
 */
#ifndef NGO_VOTE_CRYPTO_GROUP_H
#define NGO_VOTE_CRYPTO_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define PGROUP_BYTES 32

/*
 * Where random scalars come from.  Every draw carries a label naming what
 * the scalar is for ("ballot/ngo-a/s1/c0/i0/r"): the system source ignores
 * it; the test source derives rnd(label) = Hs("test-rng", STR(label)) so
 * the spec's vectors can be rebuilt byte for byte (§17).
 */
struct pgroup_rng {
	void (*scalar)(void *ctx, const char *label, uint8_t out[PGROUP_BYTES]);
	void *ctx;
};

/* A CSPRNG scalar in ]0, L[ (crypto_core_ristretto255_scalar_random). */
extern const struct pgroup_rng pgroup_rng_system;
/* rnd(label) of the vectors: for tests and benchmarks only. */
extern const struct pgroup_rng pgroup_rng_test;

/* Draws one scalar; the label is formatted like printf. */
void pgroup_random(const struct pgroup_rng *rng, uint8_t out[PGROUP_BYTES], const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* rnd(label) = Hs("test-rng", STR(label)); seed32(label) = H64(...)[0..32). */
void pgroup_test_scalar(const char *label, uint8_t out[PGROUP_BYTES]);
void pgroup_test_seed(const char *label, uint8_t out[PCRYPTO_SEED_BYTES]);

/* q = s*P for a decoded point P and a canonical scalar s, either of which
 * may make the product O (s = 0, P = O): the identity is then written as
 * 32 zero bytes.  Returns false only if P is not a valid encoding. */
bool pgroup_mul(uint8_t q[PGROUP_BYTES], const uint8_t s[PGROUP_BYTES],
                const uint8_t p[PGROUP_BYTES]);
/* q = s*G, O for s = 0. */
void pgroup_mul_base(uint8_t q[PGROUP_BYTES], const uint8_t s[PGROUP_BYTES]);
/* q = p + r, q = p - r (both accept O). */
void pgroup_add(uint8_t q[PGROUP_BYTES], const uint8_t p[PGROUP_BYTES],
                const uint8_t r[PGROUP_BYTES]);
void pgroup_sub(uint8_t q[PGROUP_BYTES], const uint8_t p[PGROUP_BYTES],
                const uint8_t r[PGROUP_BYTES]);
bool pgroup_is_identity(const uint8_t p[PGROUP_BYTES]);
bool pgroup_equal(const uint8_t p[PGROUP_BYTES], const uint8_t r[PGROUP_BYTES]);

/* The scalar v mod L (v < 2^32 < L). */
void pgroup_scalar_from_u32(uint8_t s[PGROUP_BYTES], uint32_t v);
/* q = v*G by repeated addition from O (v small: counts, values). */
void pgroup_small_multiple(uint8_t q[PGROUP_BYTES], uint32_t v);

#endif
