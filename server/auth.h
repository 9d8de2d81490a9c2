/*
 * auth.h -- accounts and sessions as use cases: hashing passwords
 * (Argon2id), issuing one-time setup links, opening sessions.  Knows the
 * store, not HTTP.
 */
#ifndef NGO_VOTE_AUTH_H
#define NGO_VOTE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 1024
#define AUTH_SETUP_TTL_S  (24 * 3600)
#define AUTH_TOKEN_HEX    64

/* Creates an account (role "secretariat" or "auditor") and a setup
 * token inside one transaction, with an audit entry by actor.  token_hex
 * receives the token (65 bytes) to put in the link. */
enum db_status auth_account_create(struct db *db, const char *email, const char *role,
                                   int64_t created_by, const char *actor, char *token_hex,
                                   int64_t *account_id);
/* Sets the password of the token's account; DB_NOT_FOUND if the token is
 * not usable.  The password is hashed with crypto_pwhash_str. */
enum db_status auth_setup_password(struct db *db, const char *token_hex, const char *password,
                                   int64_t *account_id);
/* Verifies a password against a stored hash, in constant time. */
bool auth_password_ok(const char *stored_hash, const char *password);
/* A hash to verify against when the account does not exist, so that
 * timing does not tell which emails have accounts. */
const char *auth_dummy_hash(void);

struct auth_new_session {
	char cookie_hex[AUTH_TOKEN_HEX + 1]; /* for the cookie; secret */
	char csrf_token[AUTH_TOKEN_HEX + 1];
};

/* Opens a session for an account (ngo_id NULL) or a delegate, deleting
 * the session whose id hash is `old` (login rotates the session). */
enum db_status auth_session_open(struct db *db, int64_t account_id, const char *ngo_id,
                                 const uint8_t *old, struct auth_new_session *out);

/* A valid email: one '@', something on both sides, a dot in the domain,
 * no spaces or control characters. */
bool auth_email_valid(const char *email);

#endif
