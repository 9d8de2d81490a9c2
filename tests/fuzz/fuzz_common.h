/*
 * fuzz_common.h -- what every libFuzzer harness of tests/fuzz/ shares: the
 * two entry points (declared, for -Wmissing-prototypes), an assertion that
 * aborts with the broken invariant (libFuzzer then keeps the input as a
 * crash artifact), and an exact-size copy of the input so that
 * AddressSanitizer sees any read past its end.
 */
#ifndef NGO_VOTE_FUZZ_COMMON_H
#define NGO_VOTE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A malloc'd copy of exactly n bytes (at least 1 allocated, never read). */
static inline char *
fuzz_copy(const uint8_t *data, size_t n)
{
	char *p = malloc(n > 0 ? n : 1);

	FUZZ_CHECK(p != NULL);
	if (n > 0)
		memcpy(p, data, n);
	return p;
}

#endif
