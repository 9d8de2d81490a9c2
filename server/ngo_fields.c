/*
 * ngo_fields.c -- what a registry entry must look like.  Names are shown
 * to voters in both languages, so the Khmer name must really be Khmer.
 */
#include "ngo_fields.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"

bool
ngo_fields_slug_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Decodes one UTF-8 sequence; returns its length or 0 when invalid. */
static size_t
utf8_next(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
		      (p[2] & 0x3f);
		return (*cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff)) ? 3 : 0;
	}
	if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
	    (p[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
		      ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		return (*cp >= 0x10000 && *cp <= 0x10ffff) ? 4 : 0;
	}
	return 0;
}

bool
ngo_fields_text_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	if (strlen(s) > max)
		return false;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_next(p, &cp);

		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return false;
		p += n;
	}
	return true;
}

bool
ngo_fields_has_khmer(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_next(p, &cp);

		if (n == 0)
			return false;
		/* Khmer (U+1780-17FF) and Khmer Symbols (U+19E0-19FF) */
		if ((cp >= 0x1780 && cp <= 0x17ff) || (cp >= 0x19e0 && cp <= 0x19ff))
			return true;
		p += n;
	}
	return false;
}

static bool
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ')
			return false;
	return true;
}

static bool
phone_ok(const char *s)
{
	size_t digits = 0;

	if (strlen(s) > 32)
		return false;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (strchr("+ ()-.", *s) == NULL)
			return false;
	}
	return digits >= 6;
}

bool
ngo_fields_valid(const struct dbq_ngo_fields *f, bool check_id, const char **field,
                 const char **why)
{
#define BAD(name, reason)                                                                          \
	do {                                                                                       \
		*field = (name);                                                                   \
		*why = (reason);                                                                   \
		return false;                                                                      \
	} while (0)
	if (check_id && !ngo_fields_slug_ok(f->id))
		BAD("id", "1 to 64 characters: lowercase letters, digits, '-' or '_'");
	if (!ngo_fields_text_ok(f->name_en, 1024) || blank(f->name_en))
		BAD("name_en", "an English name is required (at most 1024 bytes)");
	if (!ngo_fields_text_ok(f->name_km, 1024) || !ngo_fields_has_khmer(f->name_km))
		BAD("name_km", "a Khmer name in Khmer script is required");
	if (f->registration_no && !ngo_fields_text_ok(f->registration_no, 128))
		BAD("registration_no", "at most 128 characters");
	if (f->contact_name && !ngo_fields_text_ok(f->contact_name, 256))
		BAD("contact_name", "at most 256 characters");
	if (f->phone && f->phone[0] != '\0' && !phone_ok(f->phone))
		BAD("phone", "digits, spaces and + ( ) - only, at least 6 digits");
	if (f->email && f->email[0] != '\0' && !auth_email_valid(f->email))
		BAD("email", "not a valid email address");
	if (f->province && !ngo_fields_text_ok(f->province, 128))
		BAD("province", "at most 128 characters");
	return true;
#undef BAD
}

void
ngo_fields_fingerprint(const unsigned char pk[32], char out[40])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[33];
	size_t o = 0;

	crypto_hash_sha256(h, pk, 32);
	sodium_bin2hex(hex, sizeof(hex), h, 16);
	for (int i = 0; i < 32; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}
