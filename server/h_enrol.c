/*
 * h_enrol.c -- enrolment codes (issued and revoked by the secretariat)
 * and key enrolment by the NGO's delegate, whose browser made the key.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dbq_audit.h"
#include "dbq_enrolment.h"
#include "dbq_ngos.h"
#include "dbq_sessions.h"
#include "enrol_code.h"
#include "handlers.h"
#include "jspec.h"
#include "log.h"
#include "ngo_fields.h"
#include "ratelimit.h"
#include "reply.h"
#include "timeutil.h"

/* Wrong codes per client address: guessing 120 bits is hopeless anyway,
 * but a flood is refused early. */
static const struct ratelimit_rule enrol_ip_rule = {"enrol-ip", 10, 900};

struct issue_ctx {
	const char *ngo_id, *actor;
	int64_t account_id, now, expires_at;
	uint8_t hash[32];
	bool revoke;
};

static enum db_status
issue_txn(struct db *db, void *cls)
{
	struct issue_ctx *c = cls;
	struct dbq_ngo n;
	enum db_status st = dbq_ngo_get(db, c->ngo_id, c->now, &n);

	if (st != DB_OK)
		return st;
	if (c->revoke) {
		st = dbq_code_revoke(db, c->ngo_id, c->now);
		if (st != DB_OK)
			return st == DB_NOT_FOUND ? DB_CONFLICT : st;
		return dbq_audit_add(db, c->actor, "enrolment_code.revoke", c->ngo_id, NULL);
	}
	if (!n.active)
		return DB_ROLLBACK;
	st = dbq_code_issue(db, c->ngo_id, c->hash, c->now, c->expires_at, c->account_id);
	if (st != DB_OK)
		return st;
	return dbq_audit_add(db, c->actor, "enrolment_code.issue", c->ngo_id, NULL);
}

enum MHD_Result
h_enrol_code_issue(struct request *rq)
{
	const struct config *cfg = &app_get()->cfg;
	struct issue_ctx c = {rq->args[0], rq->session.email, rq->session.account_id, 0, 0, {0},
	                      false};
	char code[ENROL_CODE_DISPLAY], base[512], url[600], expires[TIMEUTIL_LEN + 1];
	struct db *db = db_thread();
	enum db_status st;
	enum MHD_Result ret;

	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	c.now = (int64_t)time(NULL);
	c.expires_at = c.now + (int64_t)cfg->enrol_code_ttl_s;
	enrol_code_new(code, c.hash);
	st = db_txn_run(db, "enrolment-code-issue", issue_txn, &c);
	if (st == DB_NOT_FOUND)
		ret = reply_error(rq, ERROR_NGO_NOT_FOUND, NULL);
	else if (st == DB_ROLLBACK)
		ret = reply_error(rq, ERROR_NGO_INACTIVE, NULL);
	else if (st != DB_OK)
		ret = reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	else {
		app_public_url(base, sizeof(base));
		snprintf(url, sizeof(url), "%s/enroll", base);
		timeutil_format((time_t)c.expires_at, expires);
		/* shown once: only its hash is kept */
		ret = reply_json(rq, MHD_HTTP_CREATED,
		                 json_pack("{s:s, s:s, s:s, s:s}", "ngo_id", c.ngo_id, "code", code,
		                           "expires_at", expires, "enrol_url", url));
	}
	sodium_memzero(code, sizeof(code));
	return ret;
}

enum MHD_Result
h_enrol_code_revoke(struct request *rq)
{
	struct issue_ctx c = {rq->args[0], rq->session.email, rq->session.account_id, 0, 0, {0},
	                      true};
	struct db *db = db_thread();
	enum db_status st;

	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	c.now = (int64_t)time(NULL);
	st = db_txn_run(db, "enrolment-code-revoke", issue_txn, &c);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_NGO_NOT_FOUND, NULL);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_NO_CODE_OUTSTANDING, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_json(rq, MHD_HTTP_OK, json_object());
}

/* Counts a failed attempt; true when the client must wait. */
static bool
code_blocked(struct request *rq, bool failed, unsigned *retry)
{
	char ip[64];

	request_client_ip(rq, ip, sizeof(ip));
	if (failed)
		return !ratelimit_hit(&enrol_ip_rule, ip, retry);
	return ratelimit_blocked(&enrol_ip_rule, ip, retry);
}

enum MHD_Result
h_enrol_check(struct request *rq)
{
	const char *code = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("code", &code, 64)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct dbq_ngo n;
	char ngo_id[65];
	uint8_t hash[32];
	unsigned retry = 0;
	int64_t now = (int64_t)time(NULL);
	struct db *db = db_thread();
	enum db_status st;
	bool on_roll = false;

	if (code_blocked(rq, false, &retry))
		return reply_rate_limited(rq, retry);
	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (!enrol_code_hash(code, hash) ||
	    (st = dbq_code_lookup(db, hash, now, ngo_id)) == DB_NOT_FOUND) {
		code_blocked(rq, true, &retry);
		return reply_error(rq, ERROR_ENROL_CODE_INVALID, "code");
	}
	if (st != DB_OK || dbq_ngo_get(db, ngo_id, now, &n) != DB_OK ||
	    dbq_ngo_on_open_roll(db, ngo_id, &on_roll) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (!n.active)
		return reply_error(rq, ERROR_NGO_INACTIVE, NULL);
	if (on_roll)
		return reply_error(rq, ERROR_ENROL_NOT_ALLOWED, NULL);
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:s, s:s, s:s, s:b}", "ngo_id", n.id, "name_en", n.name_en,
	                            "name_km", n.name_km, "replaces_key", n.enrolled));
}

struct enrol_ctx {
	uint8_t hash[32], pk[32];
	int64_t now;
	char ngo_id[65];
	enum error_code error;
};

static enum db_status
enrol_txn(struct db *db, void *cls)
{
	struct enrol_ctx *c = cls;
	struct dbq_ngo n;
	bool on_roll, known;
	char fp[40];
	enum db_status st;

	st = dbq_code_lookup(db, c->hash, c->now, c->ngo_id);
	if (st == DB_NOT_FOUND)
		c->error = ERROR_ENROL_CODE_INVALID;
	if (st != DB_OK)
		return st == DB_NOT_FOUND ? DB_ROLLBACK : st;
	st = dbq_ngo_get(db, c->ngo_id, c->now, &n);
	if (st != DB_OK)
		return st;
	if (!n.active) {
		c->error = ERROR_NGO_INACTIVE;
		return DB_ROLLBACK;
	}
	/* a key on an open roll is part of a fixed manifest */
	st = dbq_ngo_on_open_roll(db, c->ngo_id, &on_roll);
	if (st != DB_OK)
		return st;
	if (on_roll) {
		c->error = ERROR_ENROL_NOT_ALLOWED;
		return DB_ROLLBACK;
	}
	st = dbq_ngo_key_known(db, c->pk, &known);
	if (st != DB_OK)
		return st;
	if (known) {
		c->error = ERROR_KEY_IN_USE;
		return DB_ROLLBACK;
	}
	st = dbq_ngo_key_replace(db, c->ngo_id, c->pk);
	if (st != DB_OK)
		return st;
	/* a replaced key may be lost or stolen: end the sessions it opened */
	if (n.enrolled) {
		st = dbq_sessions_delete_ngo(db, c->ngo_id);
		if (st != DB_OK)
			return st;
	}
	st = dbq_code_use(db, c->hash, c->now);
	if (st != DB_OK)
		return st;
	ngo_fields_fingerprint(c->pk, fp);
	return dbq_audit_add(db, c->ngo_id, n.enrolled ? "ngo.key_replace" : "ngo.key_enrol",
	                     c->ngo_id, fp);
}

enum MHD_Result
h_enrol(struct request *rq)
{
	const char *code = NULL;
	struct enrol_ctx c;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("code", &code, 64)},
	    {JSPEC_HEX("public_key", c.pk, 32)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	unsigned retry = 0;
	char fp[40];
	struct db *db = db_thread();
	enum db_status st;

	memset(&c, 0, sizeof(c));
	if (code_blocked(rq, false, &retry))
		return reply_rate_limited(rq, retry);
	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (!enrol_code_hash(code, c.hash)) {
		code_blocked(rq, true, &retry);
		return reply_error(rq, ERROR_ENROL_CODE_INVALID, "code");
	}
	/* rejects non-canonical encodings, small-order points and points
	 * outside the prime-order subgroup */
	if (crypto_core_ed25519_is_valid_point(c.pk) != 1)
		return reply_error(rq, ERROR_KEY_INVALID, "public_key");
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	c.now = (int64_t)time(NULL);
	st = db_txn_run(db, "enrol", enrol_txn, &c);
	if (st == DB_ROLLBACK) {
		if (c.error == ERROR_ENROL_CODE_INVALID)
			code_blocked(rq, true, &retry);
		return reply_error(rq, c.error,
		                   c.error == ERROR_ENROL_CODE_INVALID ? "code"
		                   : c.error == ERROR_KEY_IN_USE       ? "public_key"
		                                                       : NULL);
	}
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	ngo_fields_fingerprint(c.pk, fp);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:s, s:s}", "ngo_id", c.ngo_id, "fingerprint", fp));
}
