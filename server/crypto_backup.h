/*
 * crypto_backup.h -- the NGO key backup file the browser writes when a
 * delegate enrols (static/js/keystore.js), read and written here for the
 * command-line client and the demo:
 *
 *   {"format":"ngo-vote/key-backup/v1","ngo_id","public_key":hex(32),
 *    "kdf":"PBKDF2-SHA256","iterations":600000,"salt":hex(16),"iv":hex(12),
 *    "ciphertext":hex}
 *
 * ciphertext = AES-256-GCM(PBKDF2-HMAC-SHA256(passphrase, salt,
 * iterations), iv, PKCS#8 Ed25519 private key).  The browser normalises
 * the passphrase to NFC; we use its bytes as given, which agrees for
 * ASCII and for text already in NFC.  Pure: bytes in, bytes out.
 */
#ifndef NGO_VOTE_CRYPTO_BACKUP_H
#define NGO_VOTE_CRYPTO_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BACKUP_FORMAT     "ngo-vote/key-backup/v1"
#define BACKUP_ITERATIONS 600000u

/* PBKDF2-HMAC-SHA256 (RFC 8018) into out. */
void backup_pbkdf2_sha256(const uint8_t *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
                          uint32_t iterations, uint8_t *out, size_t outlen);

/* Writes the backup JSON (malloc'd) for an Ed25519 seed. */
char *backup_encrypt(const uint8_t seed[32], const char *ngo_id, const char *passphrase,
                     uint32_t iterations, const char **why);
/* Recovers the seed (and the NGO id, 65 bytes) from a backup file's text.
 * Also checks that the public key in the file matches the seed. */
bool backup_decrypt(const char *json_text, const char *passphrase, uint8_t seed[32],
                    char ngo_id[65], const char **why);

#endif
