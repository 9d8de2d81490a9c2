/*
 * raw_verify.c -- the baseline of the verifier benchmark: the rate of bare
 * crypto_sign_verify_detached on one core, over N signatures of messages
 * shaped like the ballot signing message (DS("sig") || STR("ballot") ||
 * 64-byte hash, 93 bytes).  1,000 keys sign N distinct messages.
 *
 * usage: raw_verify N   -- prints "N seconds rate"
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS 1000
#define MSG  93

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 110000;
	unsigned char(*pk)[32], (*sig)[64], (*msg)[MSG], sk[64], seed[32];
	struct timespec t0, t1;
	unsigned long ok = 0;
	double s;

	if (sodium_init() < 0 || n == 0)
		return 2;
	pk = malloc(KEYS * sizeof(*pk));
	sig = malloc(n * sizeof(*sig));
	msg = malloc(n * sizeof(*msg));
	if (pk == NULL || sig == NULL || msg == NULL)
		return 2;
	for (unsigned long i = 0; i < n; i++) {
		unsigned long k = i % KEYS;

		memset(seed, 0, sizeof(seed));
		memcpy(seed, &k, sizeof(k));
		crypto_sign_seed_keypair(pk[k], sk, seed);
		crypto_generichash(msg[i], MSG > 64 ? 64 : MSG, (unsigned char *)&i, sizeof(i),
		                   NULL, 0);
		memset(msg[i] + 64, 'x', MSG - 64);
		crypto_sign_detached(sig[i], NULL, msg[i], MSG, sk);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < n; i++)
		ok += crypto_sign_verify_detached(sig[i], msg[i], MSG, pk[i % KEYS]) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (ok != n) {
		fprintf(stderr, "raw_verify: %lu of %lu failed\n", n - ok, n);
		return 1;
	}
	printf("%lu %.3f %.1f\n", n, s, (double)n / s);
	free(pk);
	free(sig);
	free(msg);
	return 0;
}
