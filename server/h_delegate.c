/*
 * h_delegate.c -- an NGO delegate logs in with the NGO's key: the server
 * hands out a single-use nonce, the browser signs nonce || STR(origin)
 * under the protocol's signing rule with T = "login", and a delegate
 * session opens.  Binding the origin stops a signature made for another
 * site from opening a session here.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "dbq_elections.h"
#include "dbq_enrolment.h"
#include "dbq_ngos.h"
#include "encoding.h"
#include "handlers.h"
#include "jspec.h"
#include "auth.h"
#include "ngo_fields.h"
#include "reply.h"
#include "timeutil.h"

#define NONCE_TTL_S 300

static enum MHD_Result
reply_ngo_state_error(struct request *rq, enum db_status st, const struct dbq_ngo *n)
{
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_NGO_NOT_FOUND, "ngo_id");
	if (st != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (!n->active)
		return reply_error(rq, ERROR_NGO_INACTIVE, "ngo_id");
	return reply_error(rq, ERROR_NGO_NOT_ENROLLED, "ngo_id");
}

enum MHD_Result
h_delegate_nonce(struct request *rq)
{
	const char *ngo_id = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("ngo_id", &ngo_id, 64)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct dbq_ngo n;
	uint8_t nonce[32];
	char hex[65], origin[300], expires[TIMEUTIL_LEN + 1];
	int64_t now = (int64_t)time(NULL);
	struct db *db = db_thread();
	enum db_status st;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dbq_ngo_get(db, ngo_id, now, &n);
	if (st != DB_OK || !n.active || !n.enrolled)
		return reply_ngo_state_error(rq, st, &n);
	randombytes_buf(nonce, sizeof(nonce));
	if (dbq_nonce_insert(db, nonce, ngo_id, now + NONCE_TTL_S) != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	encoding_hex_encode(nonce, sizeof(nonce), hex);
	request_origin(rq, origin, sizeof(origin));
	timeutil_format((time_t)(now + NONCE_TTL_S), expires);
	return reply_json(
	    rq, MHD_HTTP_OK,
	    json_pack("{s:s, s:s, s:s}", "nonce", hex, "origin", origin, "expires_at", expires));
}

enum MHD_Result
h_delegate_login(struct request *rq)
{
	const char *ngo_id = NULL;
	uint8_t nonce[32], sig[64];
	struct jspec_field spec[] = {
	    {JSPEC_STRING("ngo_id", &ngo_id, 64)},
	    {JSPEC_HEX("nonce", nonce, 32)},
	    {JSPEC_HEX("signature", sig, 64)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct encoding_buf body;
	struct dbq_ngo n;
	char origin[300];
	int64_t now = (int64_t)time(NULL);
	struct db *db = db_thread();
	enum db_status st;
	bool valid = false, ok;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	/* the nonce is spent whatever happens next */
	if (dbq_nonce_take(db, nonce, ngo_id, now, &valid) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (!valid)
		return reply_error(rq, ERROR_NONCE_INVALID, "nonce");
	st = dbq_ngo_get(db, ngo_id, now, &n);
	if (st != DB_OK || !n.active || !n.enrolled)
		return reply_ngo_state_error(rq, st, &n);
	request_origin(rq, origin, sizeof(origin));
	encoding_buf_init(&body);
	encoding_buf_append(&body, nonce, sizeof(nonce));
	encoding_buf_str(&body, origin, strlen(origin));
	ok = !body.failed && pcrypto_verify(n.public_key, "login", body.data, body.len, sig);
	encoding_buf_free(&body);
	if (!ok)
		return reply_error(rq, ERROR_LOGIN_SIGNATURE_INVALID, "signature");
	return h_auth_start_session(rq, db, 0, n.id,
	                            json_pack("{s:s, s:s}", "kind", "delegate", "ngo_id", n.id));
}

static void
add_election(void *cls, const char *id, const char *status, const char *draft, uint32_t last_seq)
{
	json_t *d = json_loads(draft, 0, NULL);

	json_array_append_new(cls,
	                      json_pack("{s:s, s:s, s:O?, s:i, s:b}", "id", id, "status", status,
	                                "title", d ? json_object_get(d, "title") : NULL, "last_seq",
	                                (int)last_seq, "voted", last_seq > 0));
	json_decref(d);
}

enum MHD_Result
h_delegate_me(struct request *rq)
{
	struct dbq_ngo n;
	char fp[40];
	json_t *elections = json_array();
	struct db *db = db_thread();

	if (db == NULL || elections == NULL ||
	    dbq_ngo_get(db, rq->session.ngo_id, (int64_t)time(NULL), &n) != DB_OK ||
	    dbq_elections_of_ngo(db, n.id, add_election, elections) != DB_OK) {
		json_decref(elections);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	if (n.enrolled)
		ngo_fields_fingerprint(n.public_key, fp);
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:{s:s, s:s, s:s, s:b, s:s?}, s:o}", "ngo", "id", n.id,
	                            "name_en", n.name_en, "name_km", n.name_km, "active", n.active,
	                            "fingerprint", n.enrolled ? fp : NULL, "elections", elections));
}
