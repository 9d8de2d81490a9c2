/*
 * server_key.h -- the server's Ed25519 signing key (receipts, board heads).
 * It lives in its own 0600 file beside the database, never in it, so a
 * leaked database backup does not leak the key.
 */
#ifndef NGO_VOTE_SERVER_KEY_H
#define NGO_VOTE_SERVER_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server_key {
	uint8_t pk[32];
	uint8_t *sk; /* 64 bytes in sodium_malloc'd memory */
};

/* Loads the key from path, creating it (mode 0600) on first start.
 * Refuses a file readable by group or others. */
bool server_key_load_or_create(const char *path, struct server_key *key, char *why, size_t whysize);
/* Loads an existing key only. */
bool server_key_load(const char *path, struct server_key *key, char *why, size_t whysize);
void server_key_free(struct server_key *key);

#endif
