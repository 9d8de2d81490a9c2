/*
 * enrol_code.c -- generation and normalisation of enrolment codes.  Only
 * the SHA-256 of the canonical 24 characters is ever stored.
 */
#include "enrol_code.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
enrol_code_new(char display[ENROL_CODE_DISPLAY], uint8_t hash[32])
{
	uint8_t raw[15]; /* 120 bits = 24 base32 characters */
	char canon[ENROL_CODE_CHARS];
	size_t o = 0;

	randombytes_buf(raw, sizeof(raw));
	for (int i = 0; i < ENROL_CODE_CHARS; i++) {
		int bit = i * 5;
		unsigned v = ((unsigned)raw[bit / 8] << 8 |
		              (bit / 8 + 1 < (int)sizeof(raw) ? raw[bit / 8 + 1] : 0)) >>
		             (11 - bit % 8);

		canon[i] = alphabet[v & 31];
	}
	crypto_hash_sha256(hash, (const unsigned char *)canon, sizeof(canon));
	for (int i = 0; i < ENROL_CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			display[o++] = '-';
		display[o++] = canon[i];
	}
	display[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(canon, sizeof(canon));
}

bool
enrol_code_hash(const char *typed, uint8_t hash[32])
{
	char canon[ENROL_CODE_CHARS];
	size_t n = 0;

	for (const char *p = typed; *p != '\0'; p++) {
		char c = *p;

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (strchr(alphabet, c) == NULL || c == '\0' || n >= ENROL_CODE_CHARS)
			return false;
		canon[n++] = c;
	}
	if (n != ENROL_CODE_CHARS)
		return false;
	crypto_hash_sha256(hash, (const unsigned char *)canon, sizeof(canon));
	sodium_memzero(canon, sizeof(canon));
	return true;
}
