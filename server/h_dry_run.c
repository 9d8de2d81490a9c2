/*
 * h_dry_run.c -- the dry run of a complete key ceremony over HTTP
 * (docs/api.md): the secretariat starts it, anyone reads the test
 * ciphertexts and the accepted partial decryptions, trustees post theirs
 * (public: the signature authenticates).
 */
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "dbq_dry_run.h"
#include "dbq_elections.h"
#include "dry_run.h"
#include "election_draft.h"
#include "encoding.h"
#include "handlers.h"
#include "jspec.h"
#include "protocol_decrypt.h"
#include "protocol_dryrun.h"
#include "reply.h"

/* PD_j || sig: 196 bytes plus 96 per candidate. */
#define PARTIAL_MAX (256 * 1024)

static const char *const state_names[] = {"running", "succeeded", "failed"};

static json_t *
hex(const uint8_t *p, size_t n)
{
	char *s = encoding_hex_encode_alloc(p, n);
	json_t *j = s ? json_string(s) : NULL;

	free(s);
	return j;
}

static enum MHD_Result
reply_store(struct request *rq, enum db_status st)
{
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_BUSY)
		return reply_error(rq, ERROR_DATABASE_BUSY, NULL);
	if (st == DB_IO_ERROR)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
}

struct partials {
	json_t *partials, *verified;
};

static void
add_partial(void *cls, uint32_t trustee, const uint8_t *data, size_t len)
{
	struct partials *p = cls;

	json_array_append_new(
	    p->partials, json_pack("{s:i, s:o}", "trustee", (int)trustee, "data", hex(data, len)));
	json_array_append_new(p->verified, json_integer(trustee));
}

/* The dry-run document of docs/api.md. */
static enum MHD_Result
reply_dry_run(struct request *rq, unsigned status)
{
	struct db *db = db_thread();
	struct partials p = {0};
	struct dbq_dry_run dr = {0};
	struct dbq_election e;
	struct ceremony c = {0};
	char *text = NULL;
	json_t *draft = NULL, *doc = NULL, *expected;
	uint8_t ehash[64], th[64];
	uint32_t attempt = 0;
	bool required;
	enum db_status st;

	st = db ? dbq_election_get(db, rq->args[0], &e) : DB_ERROR;
	if (st == DB_OK)
		st = dbq_election_draft_get(db, rq->args[0], &text);
	if (st != DB_OK)
		return reply_store(rq, st);
	draft = json_loads(text, 0, NULL);
	free(text);
	if (draft == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	required = election_draft_dry_run(draft);
	if (!election_draft_secret(draft)) {
		json_decref(draft);
		return reply_error(rq, ERROR_ELECTION_NOT_SECRET, NULL);
	}
	json_decref(draft);
	st = ceremony_load(db, rq->args[0], &c);
	if (st == DB_OK) {
		attempt = c.row.attempt;
		st = dbq_dry_run_get(db, rq->args[0], attempt, &dr);
	} else if (st == DB_NOT_FOUND) {
		st = dbq_ceremony_last_attempt(db, rq->args[0], &attempt);
		if (st == DB_OK)
			st = DB_NOT_FOUND;
	}
	if (st == DB_NOT_FOUND) {
		ceremony_clear(&c);
		return reply_json(rq, status,
		                  json_pack("{s:s, s:b, s:i}", "state", "not-started", "required",
		                            required, "attempt", (int)attempt));
	}
	if (st != DB_OK) {
		ceremony_clear(&c);
		return reply_store(rq, st);
	}
	p.partials = json_array();
	p.verified = json_array();
	expected = json_array();
	for (uint32_t k = 0; k < c.m->n_contests; k++) {
		json_t *row = json_array();

		for (uint32_t i = 0; i < c.m->contests[k].n_candidates; i++)
			json_array_append_new(row, json_integer(protocol_dryrun_count(k, i)));
		json_array_append_new(expected, row);
	}
	pcrypto_h64("tally", dr.data, dr.len, th);
	if (protocol_dkg_election_hash(c.k, ehash) &&
	    dbq_dry_run_partials_each(db, rq->args[0], attempt, add_partial, &p) == DB_OK)
		doc =
		    json_pack("{s:s, s:b, s:i, s:o, s:o, s:o, s:i, s:o, s:O, s:O}", "state",
		              state_names[dr.state], "required", required, "attempt", (int)attempt,
		              "election_hash", hex(ehash, 64), "data", hex(dr.data, dr.len),
		              "tally_hash", hex(th, 64), "max_count", PROTOCOL_DRYRUN_MAX_COUNT,
		              "expected", expected, "partials", p.partials, "verified", p.verified);
	else
		json_decref(expected);
	json_decref(p.partials);
	json_decref(p.verified);
	free(dr.data);
	ceremony_clear(&c);
	if (doc == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, status, doc);
}

enum MHD_Result
h_dry_run_get(struct request *rq)
{
	return reply_dry_run(rq, MHD_HTTP_OK);
}

enum MHD_Result
h_dry_run_start(struct request *rq)
{
	struct jspec_field spec[] = {{JSPEC_END}};
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct jspec_error jerr;
	struct db *db = db_thread();
	enum db_status st;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dry_run_start(db, rq->args[0], rq->session.email, &error);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, NULL);
	if (st != DB_OK)
		return reply_store(rq, st);
	return reply_dry_run(rq, MHD_HTTP_CREATED);
}

enum MHD_Result
h_dry_run_partial(struct request *rq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("data", &data, &len, PARTIAL_MAX)},
	    {JSPEC_END},
	};
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct dry_run_accepted acc;
	struct partials p = {0};
	struct jspec_error jerr;
	struct db *db = db_thread();
	struct ceremony c;
	const char *why = NULL;
	enum db_status st;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL) {
		jspec_free(spec);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	st = dry_run_submit(db, rq->args[0], data, len, &acc, &error, &why);
	jspec_free(spec);
	if (st == DB_ROLLBACK && error == ERROR_DRY_RUN_BAD_PARTIAL)
		return reply_error_hint(rq, error, "data", why ? why : errors_lookup(error)->hint);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, NULL);
	if (st != DB_OK)
		return reply_store(rq, st);
	p.partials = json_array();
	p.verified = json_array();
	if (ceremony_load(db, rq->args[0], &c) == DB_OK) {
		dbq_dry_run_partials_each(db, rq->args[0], c.row.attempt, add_partial, &p);
		ceremony_clear(&c);
	}
	json_decref(p.partials);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:s, s:o}", "trustee", (int)acc.trustee, "state",
	                            state_names[acc.state], "verified", p.verified));
}
