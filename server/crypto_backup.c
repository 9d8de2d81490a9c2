/*
 * crypto_backup.c -- PBKDF2-HMAC-SHA256, AES-256-GCM (libsodium's, which
 * needs the CPU's AES instructions) and the PKCS#8 wrapping of an Ed25519
 * seed (RFC 8410), in the browser's backup format.
 */
#include "crypto_backup.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"

/* PKCS#8 v1 of an Ed25519 private key: this prefix, then the 32-byte seed. */
static const uint8_t pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                         0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

void
backup_pbkdf2_sha256(const uint8_t *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
                     uint32_t iterations, uint8_t *out, size_t outlen)
{
	crypto_auth_hmacsha256_state base, st;
	uint8_t u[32], t[32], ctr[4];

	/* keyed once: each iteration copies the keyed state */
	crypto_auth_hmacsha256_init(&base, pass, passlen);
	for (uint32_t block = 1; outlen > 0; block++) {
		size_t n = outlen < 32 ? outlen : 32;

		ctr[0] = (uint8_t)(block >> 24);
		ctr[1] = (uint8_t)(block >> 16);
		ctr[2] = (uint8_t)(block >> 8);
		ctr[3] = (uint8_t)block;
		st = base;
		crypto_auth_hmacsha256_update(&st, salt, saltlen);
		crypto_auth_hmacsha256_update(&st, ctr, 4);
		crypto_auth_hmacsha256_final(&st, u);
		memcpy(t, u, 32);
		for (uint32_t i = 1; i < iterations; i++) {
			st = base;
			crypto_auth_hmacsha256_update(&st, u, 32);
			crypto_auth_hmacsha256_final(&st, u);
			for (int k = 0; k < 32; k++)
				t[k] ^= u[k];
		}
		memcpy(out, t, n);
		out += n;
		outlen -= n;
	}
	sodium_memzero(&base, sizeof(base));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(u, sizeof(u));
	sodium_memzero(t, sizeof(t));
}

char *
backup_encrypt(const uint8_t seed[32], const char *ngo_id, const char *passphrase,
               uint32_t iterations, const char **why)
{
	uint8_t salt[16], iv[12], key[32], plain[48], ct[48 + 16], pk[32], sk[64];
	char hsalt[33], hiv[25], hct[2 * sizeof(ct) + 1], hpk[65];
	unsigned long long ctlen;
	json_t *j;
	char *out;

	if (!crypto_aead_aes256gcm_is_available()) {
		*why = "this CPU has no AES instructions (libsodium's AES-GCM needs them)";
		return NULL;
	}
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(iv, sizeof(iv));
	backup_pbkdf2_sha256((const uint8_t *)passphrase, strlen(passphrase), salt, sizeof(salt),
	                     iterations, key, sizeof(key));
	memcpy(plain, pkcs8_prefix, 16);
	memcpy(plain + 16, seed, 32);
	crypto_aead_aes256gcm_encrypt(ct, &ctlen, plain, sizeof(plain), NULL, 0, NULL, iv, key);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(plain, sizeof(plain));
	sodium_memzero(key, sizeof(key));
	encoding_hex_encode(salt, sizeof(salt), hsalt);
	encoding_hex_encode(iv, sizeof(iv), hiv);
	encoding_hex_encode(ct, (size_t)ctlen, hct);
	encoding_hex_encode(pk, 32, hpk);
	j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "format", BACKUP_FORMAT, "ngo_id",
	              ngo_id, "public_key", hpk, "kdf", "PBKDF2-SHA256", "iterations",
	              (int)iterations, "salt", hsalt, "iv", hiv, "ciphertext", hct);
	out = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (out == NULL)
		*why = "out of memory";
	return out;
}

bool
backup_decrypt(const char *json_text, const char *passphrase, uint8_t seed[32], char ngo_id[65],
               const char **why)
{
	const char *format, *id, *kdf, *hpk, *hsalt, *hiv, *hct;
	uint8_t salt[64], iv[12], key[32], pk[32], pk2[32], sk[64], *ct = NULL, *plain = NULL;
	size_t saltlen, ctlen;
	unsigned long long plainlen = 0;
	json_int_t iterations;
	json_t *j = json_loads(json_text, JSON_REJECT_DUPLICATES, NULL);
	bool ok = false;

	*why = "not an ngo-vote key backup file";
	if (j == NULL ||
	    json_unpack(j, "{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "format", &format, "ngo_id",
	                &id, "public_key", &hpk, "kdf", &kdf, "iterations", &iterations, "salt",
	                &hsalt, "iv", &hiv, "ciphertext", &hct) != 0)
		goto out;
	if (strcmp(format, BACKUP_FORMAT) != 0 || strcmp(kdf, "PBKDF2-SHA256") != 0 ||
	    iterations < 1 || iterations > 100000000 || strlen(id) > 64 ||
	    !encoding_hex_decode(hpk, strlen(hpk), pk, 32) ||
	    !encoding_hex_decode(hiv, strlen(hiv), iv, 12) || strlen(hsalt) % 2 != 0 ||
	    strlen(hsalt) / 2 > sizeof(salt) ||
	    !encoding_hex_decode(hsalt, strlen(hsalt), salt, strlen(hsalt) / 2))
		goto out;
	saltlen = strlen(hsalt) / 2;
	ct = encoding_hex_decode_alloc(hct, strlen(hct), &ctlen);
	if (ct == NULL || ctlen < 16 + 48 || ctlen > 4096)
		goto out;
	if (!crypto_aead_aes256gcm_is_available()) {
		*why = "this CPU has no AES instructions (libsodium's AES-GCM needs them)";
		goto out;
	}
	plain = sodium_malloc(ctlen);
	if (plain == NULL) {
		*why = "out of memory";
		goto out;
	}
	backup_pbkdf2_sha256((const uint8_t *)passphrase, strlen(passphrase), salt, saltlen,
	                     (uint32_t)iterations, key, sizeof(key));
	if (crypto_aead_aes256gcm_decrypt(plain, &plainlen, NULL, ct, ctlen, NULL, 0, iv, key) !=
	    0) {
		*why = "wrong passphrase, or the file was changed";
		goto out;
	}
	/* the seed follows "04 20" at the end of the v1 structure */
	if (plainlen < 48 || memcmp(plain, pkcs8_prefix, 16) != 0) {
		*why = "the backup does not hold an Ed25519 private key";
		goto out;
	}
	memcpy(seed, plain + 16, 32);
	crypto_sign_seed_keypair(pk2, sk, seed);
	sodium_memzero(sk, sizeof(sk));
	if (sodium_memcmp(pk, pk2, 32) != 0) {
		*why = "the key in the backup does not match its public key";
		sodium_memzero(seed, 32);
		goto out;
	}
	snprintf(ngo_id, 65, "%s", id);
	ok = true;
out:
	sodium_memzero(key, sizeof(key));
	if (plain != NULL)
		sodium_free(plain);
	free(ct);
	json_decref(j);
	return ok;
}
