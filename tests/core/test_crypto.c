/*
 * test_crypto.c -- DS/H64/Hs, the typed signing rule, and the strict
 * point/scalar/key decoders (spec §2-4, pitfalls P1, P2, P4).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "crypto.h"

Suite *crypto_suite(void);

START_TEST(ds_layout)
{
	struct encoding_buf b;

	encoding_buf_init(&b);
	pcrypto_ds(&b, "sig");
	ck_assert_uint_eq(b.len, 4 + 15);
	ck_assert_uint_eq(encoding_le32_get(b.data), 15);
	ck_assert(memcmp(b.data + 4, "ngo-vote/v1/sig", 15) == 0);
	encoding_buf_free(&b);
}
END_TEST

START_TEST(h64_streaming_equals_oneshot)
{
	uint8_t a[64], b[64];
	struct pcrypto_h64 h;

	pcrypto_h64("test", "abc", 3, a);
	pcrypto_h64_init(&h, "test");
	pcrypto_h64_update(&h, "a", 1);
	pcrypto_h64_update(&h, "", 0);
	pcrypto_h64_update(&h, "bc", 2);
	pcrypto_h64_final(&h, b);
	ck_assert_mem_eq(a, b, 64);
	th_assert_vector("prim.H64_test_abc", a, 64);
	pcrypto_h64("other", "abc", 3, b);
	ck_assert(memcmp(a, b, 64) != 0); /* the tag separates domains */
}
END_TEST

START_TEST(sign_verify)
{
	uint8_t pk[32], sk[64], sig[64], body[10] = "0123456789";

	th_keypair("server", pk, sk);
	ck_assert(pcrypto_sign(sk, "head", body, sizeof(body), sig));
	ck_assert(pcrypto_verify(pk, "head", body, sizeof(body), sig));
	ck_assert(!pcrypto_verify(pk, "receipt", body, sizeof(body), sig)); /* type bound */
	body[0] ^= 1;
	ck_assert(!pcrypto_verify(pk, "head", body, sizeof(body), sig));
	body[0] ^= 1;
	sig[63] ^= 0x40;
	ck_assert(!pcrypto_verify(pk, "head", body, sizeof(body), sig));
}
END_TEST

START_TEST(points)
{
	uint8_t g[32], zero[32] = {0}, hi[32] = {0};
	size_t l;
	uint8_t *v = th_vector_bytes("prim.G", &l);

	memcpy(g, v, 32);
	free(v);
	ck_assert(pcrypto_point_decode(g));
	ck_assert(pcrypto_point_decode_not_identity(g));
	ck_assert(pcrypto_point_decode(zero)); /* O decodes ... */
	ck_assert(
	    !pcrypto_point_decode_not_identity(zero)); /* ... but is refused where it must be */
	g[31] |= 0x80;                                 /* P1 */
	ck_assert(!pcrypto_point_decode(g));
	hi[31] = 0x80;
	ck_assert(!pcrypto_point_decode(hi));
	memset(hi, 0xff, 32);
	hi[31] = 0x7f;
	ck_assert(!pcrypto_point_decode(hi)); /* not canonical */
}
END_TEST

START_TEST(scalars)
{
	static const uint8_t l_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
	                                 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	                                 0,    0,    0,    0,    0,    0,    0,    0,
	                                 0,    0,    0,    0,    0,    0,    0,    0x10};
	uint8_t s[32];

	memcpy(s, l_le, 32);
	ck_assert(!pcrypto_scalar_decode(s)); /* L */
	s[0]--;
	ck_assert(pcrypto_scalar_decode(s)); /* L - 1 */
	memset(s, 0, 32);
	ck_assert(pcrypto_scalar_decode(s)); /* 0 */
	s[31] = 0x80;
	s[0] = 5;
	ck_assert(!pcrypto_scalar_decode(s)); /* 2^255 + 5 (P4) */
	memset(s, 0xff, 32);
	ck_assert(!pcrypto_scalar_decode(s));
}
END_TEST

START_TEST(ed25519_keys)
{
	uint8_t pk[32], sk[64], zero[32] = {0}, one[32] = {1};

	th_keypair("voter/ngo-a", pk, sk);
	ck_assert(pcrypto_ed25519_pk_valid(pk));
	ck_assert(!pcrypto_ed25519_pk_valid(zero));
	ck_assert(!pcrypto_ed25519_pk_valid(one)); /* the identity (0, 1) */
}
END_TEST

Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("crypto");

	if (sodium_init() < 0)
		abort();
	tcase_add_test(tc, ds_layout);
	tcase_add_test(tc, h64_streaming_equals_oneshot);
	tcase_add_test(tc, sign_verify);
	tcase_add_test(tc, points);
	tcase_add_test(tc, scalars);
	tcase_add_test(tc, ed25519_keys);
	suite_add_tcase(s, tc);
	return s;
}
