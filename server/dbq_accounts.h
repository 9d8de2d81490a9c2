/*
 * dbq_accounts.h -- secretariat and auditor accounts and their one-time
 * setup tokens (stored as SHA-256 hashes).
 */
#ifndef NGO_VOTE_DBQ_ACCOUNTS_H
#define NGO_VOTE_DBQ_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct dbq_account {
	int64_t id;
	char email[256];
	char role[16];           /* "secretariat" or "auditor" */
	char password_hash[160]; /* "" when not set */
	bool active;
};

enum db_status dbq_account_insert(struct db *db, const char *email, const char *role,
                                  int64_t created_by, int64_t *id_out);
enum db_status dbq_account_by_email(struct db *db, const char *email, struct dbq_account *out);
enum db_status dbq_account_by_id(struct db *db, int64_t id, struct dbq_account *out);
enum db_status dbq_account_set_password(struct db *db, int64_t id, const char *hash);
enum db_status dbq_account_set_active(struct db *db, int64_t id, bool active);
/* Calls cb for each account, by id. */
enum db_status dbq_accounts_each(struct db *db, void (*cb)(void *cls, const struct dbq_account *a),
                                 void *cls);

enum db_status dbq_setup_token_insert(struct db *db, const uint8_t hash[32], int64_t account_id,
                                      int64_t expires_at);
/* The account of an unused, unexpired token; marks it used. */
enum db_status dbq_setup_token_consume(struct db *db, const uint8_t hash[32], int64_t now,
                                       int64_t *account_id);

#endif
