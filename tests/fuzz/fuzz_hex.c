/*
 * fuzz_hex.c -- libFuzzer harness for strict hex (spec §2, pitfall P9):
 * encoding_hex_decode and encoding_hex_decode_alloc, which every binary
 * value on the wire goes through.
 *
 * Invariants checked on every input:
 *  - decode_alloc succeeds exactly when the input is an even number of
 *    lowercase hex digits (a reference test written here), with half as
 *    many bytes, and encoding the result gives back the input;
 *  - decode into a fixed size succeeds only for exactly twice that many
 *    digits, and then agrees with decode_alloc; the size tried is the
 *    right one, and one chosen by the input's first byte;
 *  - the input's bytes, hex-encoded and decoded again, come back the same.
 * Every buffer has its exact size, so any overrun is an ASan report.
 */
#include <stdbool.h>

#include "encoding.h"
#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool
ref_is_hex(const char *s, size_t n)
{
	if (n % 2 != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void
decode_fixed(const char *hex, size_t size, size_t outlen, const uint8_t *want)
{
	uint8_t *out = malloc(outlen > 0 ? outlen : 1);
	bool ok;

	FUZZ_CHECK(out != NULL);
	ok = encoding_hex_decode(hex, size, out, outlen);
	if (size != 2 * outlen)
		FUZZ_CHECK(!ok);
	else
		FUZZ_CHECK(ok == (want != NULL));
	if (ok && outlen > 0)
		FUZZ_CHECK(memcmp(out, want, outlen) == 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *hex = fuzz_copy(data, size), *again;
	uint8_t *bytes, *back;
	size_t n = 12345, m;

	/* decode_alloc and the reference */
	bytes = encoding_hex_decode_alloc(hex, size, &n);
	FUZZ_CHECK((bytes != NULL) == ref_is_hex(hex, size));
	if (bytes != NULL) {
		FUZZ_CHECK(n == size / 2);
		again = encoding_hex_encode_alloc(bytes, n);
		FUZZ_CHECK(again != NULL && strlen(again) == size);
		FUZZ_CHECK(memcmp(again, hex, size) == 0);
		free(again);
	} else {
		FUZZ_CHECK(n == 0);
	}

	/* decode into fixed sizes */
	decode_fixed(hex, size, size / 2, bytes);
	if (size > 0)
		decode_fixed(hex, size, data[0] % 64, size == 2u * (data[0] % 64) ? bytes : NULL);
	free(bytes);

	/* any bytes: encode, decode, compare */
	again = encoding_hex_encode_alloc(data, size);
	FUZZ_CHECK(again != NULL && strlen(again) == 2 * size);
	back = encoding_hex_decode_alloc(again, 2 * size, &m);
	FUZZ_CHECK(back != NULL && m == size);
	FUZZ_CHECK(size == 0 || memcmp(back, data, size) == 0);
	free(back);
	free(again);
	free(hex);
	return 0;
}
