/*
 * crypto_group.c -- ristretto255 helpers over libsodium 1.0.18 (spec §4).
 */
#include "crypto_group.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
system_scalar(void *ctx, const char *label, uint8_t out[PGROUP_BYTES])
{
	(void)ctx;
	(void)label;
	crypto_core_ristretto255_scalar_random(out);
}

static void
test_scalar(void *ctx, const char *label, uint8_t out[PGROUP_BYTES])
{
	(void)ctx;
	pgroup_test_scalar(label, out);
}

const struct pgroup_rng pgroup_rng_system = {system_scalar, NULL};
const struct pgroup_rng pgroup_rng_test = {test_scalar, NULL};

void
pgroup_random(const struct pgroup_rng *rng, uint8_t out[PGROUP_BYTES], const char *fmt, ...)
{
	char label[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	rng->scalar(rng->ctx, label, out);
}

static void
test_h64(const char *label, uint8_t h[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 st;

	pcrypto_h64_init(&st, "test-rng");
	pcrypto_h64_update_str(&st, label, strlen(label));
	pcrypto_h64_final(&st, h);
}

void
pgroup_test_scalar(const char *label, uint8_t out[PGROUP_BYTES])
{
	uint8_t h[PCRYPTO_HASH_BYTES];

	test_h64(label, h);
	crypto_core_ristretto255_scalar_reduce(out, h);
}

void
pgroup_test_seed(const char *label, uint8_t out[PCRYPTO_SEED_BYTES])
{
	uint8_t h[PCRYPTO_HASH_BYTES];

	test_h64(label, h);
	memcpy(out, h, PCRYPTO_SEED_BYTES);
}

bool
pgroup_mul(uint8_t q[PGROUP_BYTES], const uint8_t s[PGROUP_BYTES], const uint8_t p[PGROUP_BYTES])
{
	uint8_t tmp[PGROUP_BYTES];

	/* P3: -1 means "identity" only when the output was zeroed; an invalid
	 * input point also gives -1 but leaves the output untouched. */
	memset(tmp, 0xff, sizeof(tmp));
	if (crypto_scalarmult_ristretto255(tmp, s, p) != 0) {
		if (!sodium_is_zero(tmp, sizeof(tmp)))
			return false;
	}
	memcpy(q, tmp, PGROUP_BYTES);
	return true;
}

void
pgroup_mul_base(uint8_t q[PGROUP_BYTES], const uint8_t s[PGROUP_BYTES])
{
	if (crypto_scalarmult_ristretto255_base(q, s) != 0)
		memset(q, 0, PGROUP_BYTES);
}

void
pgroup_add(uint8_t q[PGROUP_BYTES], const uint8_t p[PGROUP_BYTES], const uint8_t r[PGROUP_BYTES])
{
	if (crypto_core_ristretto255_add(q, p, r) != 0)
		memset(q, 0, PGROUP_BYTES); /* only for invalid inputs, decoded before */
}

void
pgroup_sub(uint8_t q[PGROUP_BYTES], const uint8_t p[PGROUP_BYTES], const uint8_t r[PGROUP_BYTES])
{
	if (crypto_core_ristretto255_sub(q, p, r) != 0)
		memset(q, 0, PGROUP_BYTES);
}

bool
pgroup_is_identity(const uint8_t p[PGROUP_BYTES])
{
	return sodium_is_zero(p, PGROUP_BYTES) == 1;
}

bool
pgroup_equal(const uint8_t p[PGROUP_BYTES], const uint8_t r[PGROUP_BYTES])
{
	return sodium_memcmp(p, r, PGROUP_BYTES) == 0;
}

void
pgroup_scalar_from_u32(uint8_t s[PGROUP_BYTES], uint32_t v)
{
	memset(s, 0, PGROUP_BYTES);
	encoding_le32_put(s, v);
}

void
pgroup_small_multiple(uint8_t q[PGROUP_BYTES], uint32_t v)
{
	uint8_t s[PGROUP_BYTES];

	pgroup_scalar_from_u32(s, v);
	pgroup_mul_base(q, s);
}
