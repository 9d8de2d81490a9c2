/*
 * auth.c -- accounts, passwords and sessions.  Tokens and session ids are
 * 32 random bytes given to the user as hex; only their SHA-256 is stored,
 * so a copy of the database does not let anyone log in.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dbq_accounts.h"
#include "dbq_audit.h"
#include "dbq_sessions.h"
#include "log.h"
#include "pwhash.h"

static void
random_token(char hex[AUTH_TOKEN_HEX + 1], uint8_t hash[32])
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, AUTH_TOKEN_HEX + 1, raw, sizeof(raw));
	crypto_hash_sha256(hash, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

static bool
token_hash(const char *hex, uint8_t hash[32])
{
	uint8_t raw[32];

	if (strlen(hex) != AUTH_TOKEN_HEX ||
	    sodium_hex2bin(raw, sizeof(raw), hex, AUTH_TOKEN_HEX, NULL, NULL, NULL) != 0)
		return false;
	crypto_hash_sha256(hash, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	return true;
}

bool
auth_email_valid(const char *email)
{
	const char *at = strchr(email, '@');
	size_t n = strlen(email);

	if (n < 3 || n > 254 || at == NULL || at == email || strchr(at + 1, '@') != NULL)
		return false;
	if (strchr(at + 1, '.') == NULL || email[n - 1] == '.' || at[1] == '.')
		return false;
	for (const char *p = email; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

struct create_ctx {
	const char *email, *role, *actor;
	int64_t created_by, id;
	uint8_t hash[32];
};

static enum db_status
create_txn(struct db *db, void *cls)
{
	struct create_ctx *c = cls;
	char target[64];
	enum db_status st;

	st = dbq_account_insert(db, c->email, c->role, c->created_by, &c->id);
	if (st != DB_OK)
		return st;
	st = dbq_setup_token_insert(db, c->hash, c->id, (int64_t)time(NULL) + AUTH_SETUP_TTL_S);
	if (st != DB_OK)
		return st;
	snprintf(target, sizeof(target), "account:%lld", (long long)c->id);
	return dbq_audit_add(db, c->actor, "account.create", target, c->role);
}

enum db_status
auth_account_create(struct db *db, const char *email, const char *role, int64_t created_by,
                    const char *actor, char *token_hex, int64_t *account_id)
{
	struct create_ctx c = {email, role, actor, created_by, 0, {0}};
	enum db_status st;

	random_token(token_hex, c.hash);
	st = db_txn_run(db, "account-create", create_txn, &c);
	if (st != DB_OK)
		sodium_memzero(token_hex, AUTH_TOKEN_HEX + 1);
	*account_id = c.id;
	return st;
}

struct setup_ctx {
	uint8_t hash[32];
	const char *pwhash;
	int64_t account_id;
};

static enum db_status
setup_txn(struct db *db, void *cls)
{
	struct setup_ctx *c = cls;
	struct dbq_account a;
	char target[64];
	enum db_status st;

	st = dbq_setup_token_consume(db, c->hash, (int64_t)time(NULL), &c->account_id);
	if (st != DB_OK)
		return st;
	st = dbq_account_by_id(db, c->account_id, &a);
	if (st != DB_OK)
		return st;
	if (!a.active)
		return DB_NOT_FOUND;
	st = dbq_account_set_password(db, c->account_id, c->pwhash);
	if (st != DB_OK)
		return st;
	snprintf(target, sizeof(target), "account:%lld", (long long)c->account_id);
	return dbq_audit_add(db, a.email, "account.set_password", target, NULL);
}

enum db_status
auth_setup_password(struct db *db, const char *token_hex, const char *password, int64_t *account_id)
{
	char pwhash[crypto_pwhash_STRBYTES];
	struct setup_ctx c;
	enum db_status st;

	memset(&c, 0, sizeof(c));
	if (!token_hash(token_hex, c.hash))
		return DB_NOT_FOUND;
	/* Argon2id at the INTERACTIVE limits: ~0.1 s and 64 MiB, in a child */
	if (!pwhash_hash(password, pwhash)) {
		LOG_BUG("password hashing failed (out of memory?)");
		return DB_ERROR;
	}
	c.pwhash = pwhash;
	st = db_txn_run(db, "account-setup", setup_txn, &c);
	sodium_memzero(pwhash, sizeof(pwhash));
	*account_id = c.account_id;
	return st;
}

bool
auth_password_ok(const char *stored_hash, const char *password)
{
	return stored_hash[0] != '\0' && pwhash_verify(stored_hash, password);
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	if (!pwhash_hash("not a password of anyone", dummy_hash))
		dummy_hash[0] = '\0';
}

const char *
auth_dummy_hash(void)
{
	pthread_once(&dummy_once, make_dummy);
	return dummy_hash;
}

struct open_ctx {
	const uint8_t *old;
	uint8_t hash[32];
	struct dbq_session s;
};

static enum db_status
open_txn(struct db *db, void *cls)
{
	struct open_ctx *c = cls;
	enum db_status st;

	if (c->old != NULL) {
		st = dbq_session_delete(db, c->old);
		if (st != DB_OK)
			return st;
	}
	return dbq_session_insert(db, c->hash, &c->s);
}

enum db_status
auth_session_open(struct db *db, int64_t account_id, const char *ngo_id, const uint8_t *old,
                  struct auth_new_session *out)
{
	struct open_ctx c;
	uint8_t csrf_hash[32];
	enum db_status st;

	memset(&c, 0, sizeof(c));
	c.old = old;
	c.s.delegate = ngo_id != NULL;
	c.s.account_id = account_id;
	if (ngo_id != NULL)
		snprintf(c.s.ngo_id, sizeof(c.s.ngo_id), "%s", ngo_id);
	c.s.created_at = c.s.last_seen = (int64_t)time(NULL);
	random_token(out->cookie_hex, c.hash);
	random_token(out->csrf_token, csrf_hash);
	memcpy(c.s.csrf_token, out->csrf_token, sizeof(c.s.csrf_token));
	st = db_txn_run(db, "session-open", open_txn, &c);
	if (st != DB_OK)
		sodium_memzero(out, sizeof(*out));
	return st;
}
