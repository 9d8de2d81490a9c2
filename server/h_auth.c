/*
 * h_auth.c -- first password (setup link), login, logout, and "who am I"
 * for secretariat and auditor accounts.
 */
#include <sodium.h>
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
#include "log.h"
#include "ratelimit.h"
#include "reply.h"

/* Failed logins: per account and per client address. */
static const struct ratelimit_rule login_account_rule = {"login-account", 5, 300};
static const struct ratelimit_rule login_ip_rule = {"login-ip", 30, 300};

static const char *
role_name(enum request_principal who)
{
	switch (who) {
	case PRINCIPAL_SECRETARIAT:
		return "secretariat";
	case PRINCIPAL_AUDITOR:
		return "auditor";
	case PRINCIPAL_DELEGATE:
		return "delegate";
	case PRINCIPAL_NONE:
		break;
	}
	return "none";
}

/* Sets the session cookie on the reply (or clears it when hex is NULL). */
void
h_auth_set_cookie(struct request *rq, const char *hex)
{
	const struct config *cfg = &app_get()->cfg;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
	         request_session_cookie_name(), hex ? hex : "", hex ? cfg->session_max_s : 0,
	         cfg->tls ? "; Secure" : "");
	free(rq->set_cookie);
	rq->set_cookie = strdup(buf);
	sodium_memzero(buf, sizeof(buf));
}

enum MHD_Result
h_setup(struct request *rq)
{
	const char *token = NULL, *password = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("token", &token, 64)},
	    {JSPEC_STRING("password", &password, AUTH_PASSWORD_MAX)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct dbq_account a;
	int64_t id = 0;
	enum db_status st;
	struct db *db = db_thread();

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (strlen(password) < AUTH_PASSWORD_MIN)
		return reply_error(rq, ERROR_PASSWORD_TOO_SHORT, "password");
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = auth_setup_password(db, token, password, &id);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_SETUP_TOKEN_INVALID, "token");
	if (st != DB_OK || dbq_account_by_id(db, id, &a) != DB_OK)
		return reply_error(
		    rq, st == DB_IO_ERROR ? ERROR_STORAGE_FAILURE : ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:s, s:s}", "email", a.email, "role", a.role));
}

enum MHD_Result
h_login(struct request *rq)
{
	const char *email = NULL, *password = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("email", &email, 254)},
	    {JSPEC_STRING("password", &password, AUTH_PASSWORD_MAX)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct dbq_account a;
	char ip[64];
	unsigned retry = 0;
	enum db_status st;
	bool ok;
	struct db *db = db_thread();

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	request_client_ip(rq, ip, sizeof(ip));
	if (ratelimit_blocked(&login_ip_rule, ip, &retry) ||
	    ratelimit_blocked(&login_account_rule, email, &retry))
		return reply_rate_limited(rq, retry);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dbq_account_by_email(db, email, &a);
	if (st != DB_OK && st != DB_NOT_FOUND)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (st == DB_OK && a.active)
		ok = auth_password_ok(a.password_hash, password);
	else {
		/* spend the same time, so timing does not reveal who has an account */
		(void)auth_password_ok(auth_dummy_hash(), password);
		ok = false;
	}
	if (!ok) {
		ratelimit_hit(&login_ip_rule, ip, &retry);
		ratelimit_hit(&login_account_rule, email, &retry);
		LOG_CLIENT("login failed for an account from %s", ip);
		return reply_error(rq, ERROR_BAD_CREDENTIALS, NULL);
	}
	ratelimit_reset(&login_account_rule, email);
	return h_auth_start_session(
	    rq, db, a.id, NULL,
	    json_pack("{s:s, s:s, s:s}", "kind", "account", "role", a.role, "email", a.email));
}

enum MHD_Result
h_auth_start_session(struct request *rq, struct db *db, int64_t account_id, const char *ngo_id,
                     json_t *body)
{
	struct auth_new_session ns;
	enum db_status st;

	/* a login rotates: the session the request came with ends */
	st = auth_session_open(db, account_id, ngo_id,
	                       rq->session.who != PRINCIPAL_NONE ? rq->session.id_hash : NULL, &ns);
	if (st != DB_OK || body == NULL) {
		json_decref(body);
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	}
	h_auth_set_cookie(rq, ns.cookie_hex);
	sodium_memzero(ns.cookie_hex, sizeof(ns.cookie_hex));
	json_object_set_new(body, "csrf_token", json_string(ns.csrf_token));
	return reply_json(rq, MHD_HTTP_OK, body);
}

enum MHD_Result
h_logout(struct request *rq)
{
	struct db *db = db_thread();

	if (db == NULL || dbq_session_delete(db, rq->session.id_hash) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	h_auth_set_cookie(rq, NULL);
	return reply_json(rq, MHD_HTTP_OK, json_object());
}

enum MHD_Result
h_session(struct request *rq)
{
	const struct request_session *s = &rq->session;

	if (s->who == PRINCIPAL_DELEGATE)
		return reply_json(rq, MHD_HTTP_OK,
		                  json_pack("{s:s, s:s, s:s}", "kind", "delegate", "ngo_id",
		                            s->ngo_id, "csrf_token", s->csrf_token));
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:s, s:s, s:s, s:s}", "kind", "account", "role",
	                            role_name(s->who), "email", s->email, "csrf_token",
	                            s->csrf_token));
}
