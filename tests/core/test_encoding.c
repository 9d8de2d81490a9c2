/*
 * test_encoding.c -- hex codec and LE32/STR layout (spec §2).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

Suite *encoding_suite(void);

START_TEST(hex_roundtrip)
{
	uint8_t in[4] = {0x00, 0xab, 0x7f, 0xff}, out[4];
	char hex[9];

	encoding_hex_encode(in, 4, hex);
	ck_assert_str_eq(hex, "00ab7fff");
	ck_assert(encoding_hex_decode(hex, 8, out, 4));
	ck_assert_mem_eq(in, out, 4);
}
END_TEST

START_TEST(hex_rejects)
{
	uint8_t out[2];

	ck_assert(!encoding_hex_decode("00AB", 4, out, 2));   /* uppercase */
	ck_assert(!encoding_hex_decode("00a", 3, out, 2));    /* odd length */
	ck_assert(!encoding_hex_decode("00ab00", 6, out, 2)); /* too long */
	ck_assert(!encoding_hex_decode("0a", 2, out, 2));     /* too short */
	ck_assert(!encoding_hex_decode("0g0a", 4, out, 2));   /* not hex */
	ck_assert(!encoding_hex_decode("0 0a", 4, out, 2));   /* space */
	ck_assert(!encoding_hex_decode("0\0"
	                               "0a",
	                               4, out, 2)); /* NUL */
	ck_assert(encoding_hex_decode("", 0, out, 0));
}
END_TEST

START_TEST(hex_alloc)
{
	size_t n;
	uint8_t *p = encoding_hex_decode_alloc("0102", 4, &n);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[1], 2);
	free(p);
	ck_assert_ptr_null(encoding_hex_decode_alloc("010", 3, &n));
	ck_assert_ptr_null(encoding_hex_decode_alloc("01F0", 4, &n));
}
END_TEST

START_TEST(str_and_le32)
{
	struct encoding_buf b;
	struct encoding_reader r;
	const uint8_t *s;
	size_t n;

	encoding_buf_init(&b);
	encoding_buf_str(&b, "abc", 3);
	encoding_buf_le32(&b, 0x01020304);
	encoding_buf_u8(&b, 9);
	ck_assert(!b.failed);
	ck_assert_uint_eq(b.len, 12);
	ck_assert_mem_eq(b.data,
	                 "\x03\x00\x00\x00"
	                 "abc"
	                 "\x04\x03\x02\x01\x09",
	                 12);
	encoding_reader_init(&r, b.data, b.len);
	s = encoding_read_str(&r, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(s, "abc", 3);
	ck_assert_uint_eq(encoding_read_le32(&r), 0x01020304);
	ck_assert_uint_eq(encoding_read_u8(&r), 9);
	ck_assert(encoding_reader_done(&r));
	ck_assert_uint_eq(encoding_read_u8(&r), 0);
	ck_assert(r.failed);
	encoding_buf_free(&b);
}
END_TEST

START_TEST(reader_short_str)
{
	/* a length prefix larger than what follows must fail, not overread */
	const uint8_t in[] = {0xff, 0xff, 0xff, 0xff, 'a'};
	struct encoding_reader r;
	size_t n;

	encoding_reader_init(&r, in, sizeof(in));
	ck_assert_ptr_null(encoding_read_str(&r, &n));
	ck_assert(r.failed);
	ck_assert(!encoding_reader_done(&r));
}
END_TEST

Suite *
encoding_suite(void)
{
	Suite *s = suite_create("encoding");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, hex_roundtrip);
	tcase_add_test(tc, hex_rejects);
	tcase_add_test(tc, hex_alloc);
	tcase_add_test(tc, str_and_le32);
	tcase_add_test(tc, reader_short_str);
	suite_add_tcase(s, tc);
	return s;
}
