/*
 * h_accounts.c -- the secretariat manages accounts (secretariat and
 * auditor); staff read the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "dbq_accounts.h"
#include "dbq_audit.h"
#include "dbq_sessions.h"
#include "handlers.h"
#include "jspec.h"
#include "reply.h"

static void
add_account(void *cls, const struct dbq_account *a)
{
	json_array_append_new(cls,
	                      json_pack("{s:I, s:s, s:s, s:b, s:b}", "id", (json_int_t)a->id,
	                                "email", a->email, "role", a->role, "active", a->active,
	                                "has_password", a->password_hash[0] != '\0'));
}

enum MHD_Result
h_accounts_list(struct request *rq)
{
	json_t *list = json_array();
	struct db *db = db_thread();

	if (db == NULL || list == NULL || dbq_accounts_each(db, add_account, list) != DB_OK) {
		json_decref(list);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:o}", "accounts", list));
}

enum MHD_Result
h_accounts_create(struct request *rq)
{
	const char *email = NULL, *role = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("email", &email, 254)},
	    {JSPEC_STRING("role", &role, 16)},
	    {JSPEC_END},
	};
	char token[AUTH_TOKEN_HEX + 1], base[512], url[700];
	struct jspec_error jerr;
	struct dbq_account existing;
	int64_t id = 0;
	enum db_status st;
	struct db *db = db_thread();

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (!auth_email_valid(email))
		return reply_error(rq, ERROR_EMAIL_INVALID, "email");
	if (strcmp(role, "secretariat") != 0 && strcmp(role, "auditor") != 0)
		return reply_error(rq, ERROR_ROLE_INVALID, "role");
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (dbq_account_by_email(db, email, &existing) == DB_OK)
		return reply_error(rq, ERROR_ACCOUNT_EXISTS, "email");
	st = auth_account_create(db, email, role, rq->session.account_id, rq->session.email, token,
	                         &id);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_ACCOUNT_EXISTS, "email");
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	app_public_url(base, sizeof(base));
	snprintf(url, sizeof(url), "%s/setup#token=%s", base, token);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:I, s:s}", "id", (json_int_t)id, "setup_url", url));
}

struct deactivate_ctx {
	int64_t id;
	const char *actor;
};

static enum db_status
deactivate_txn(struct db *db, void *cls)
{
	struct deactivate_ctx *c = cls;
	char target[64];
	enum db_status st = dbq_account_set_active(db, c->id, false);

	if (st != DB_OK)
		return st;
	st = dbq_sessions_delete_account(db, c->id);
	if (st != DB_OK)
		return st;
	snprintf(target, sizeof(target), "account:%lld", (long long)c->id);
	return dbq_audit_add(db, c->actor, "account.deactivate", target, NULL);
}

enum MHD_Result
h_account_deactivate(struct request *rq)
{
	struct deactivate_ctx c = {0, rq->session.email};
	char *end;
	enum db_status st;
	struct db *db = db_thread();

	c.id = strtoll(rq->args[0], &end, 10);
	if (*end != '\0' || c.id <= 0)
		return reply_error(rq, ERROR_ACCOUNT_NOT_FOUND, NULL);
	if (c.id == rq->session.account_id)
		return reply_error(rq, ERROR_CANNOT_DEACTIVATE_SELF, NULL);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = db_txn_run(db, "account-deactivate", deactivate_txn, &c);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ACCOUNT_NOT_FOUND, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_json(rq, MHD_HTTP_OK, json_object());
}

static void
add_entry(void *cls, const struct dbq_audit_entry *e)
{
	json_array_append_new(cls, json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", e->at, "actor",
	                                     e->actor, "action", e->action, "target", e->target,
	                                     "detail", e->detail));
}

enum MHD_Result
h_audit_log(struct request *rq)
{
	const char *limit_s = request_query(rq, "limit");
	unsigned long limit = 100;
	json_t *list = json_array();
	struct db *db = db_thread();

	if (limit_s != NULL) {
		char *end;

		limit = strtoul(limit_s, &end, 10);
		if (*end != '\0' || limit == 0 || limit > 1000) {
			json_decref(list);
			return reply_error_hint(rq, ERROR_BAD_REQUEST, "limit",
			                        "limit must be from 1 to 1000.");
		}
	}
	if (db == NULL || list == NULL ||
	    dbq_audit_each(db, (unsigned)limit, add_entry, list) != DB_OK) {
		json_decref(list);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:o}", "entries", list));
}
