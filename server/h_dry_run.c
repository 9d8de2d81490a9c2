/*
 * h_dry_run.c -- the dry run of a complete key ceremony over HTTP
 * (docs/api.md): the secretariat starts it, anyone reads the test
 * ciphertexts and the accepted partial decryptions, trustees post theirs
 * (public: the signature authenticates).
 */
#include <stdlib.h>

#include "dbq_dry_run.h"
#include "dry_run.h"
#include "election_draft.h"
#include "h_secret.h"
#include "handlers.h"
#include "protocol_decrypt.h"
#include "protocol_dryrun.h"
#include "reply.h"

static const char *const state_names[] = {"running", "succeeded", "failed"};

struct partials {
	json_t *partials, *verified;
};

static void
add_partial(void *cls, uint32_t trustee, const uint8_t *data, size_t len)
{
	struct partials *p = cls;

	json_array_append_new(p->partials, json_pack("{s:i, s:o}", "trustee", (int)trustee, "data",
	                                             reply_hex(data, len)));
	json_array_append_new(p->verified, json_integer(trustee));
}

/* The counts the dry run encrypts, contest by contest. */
static json_t *
expected_counts(const struct protocol_manifest *m)
{
	json_t *expected = json_array();

	for (uint32_t k = 0; k < m->n_contests; k++) {
		json_t *row = json_array();

		for (uint32_t i = 0; i < m->contests[k].n_candidates; i++)
			json_array_append_new(row, json_integer(protocol_dryrun_count(k, i)));
		json_array_append_new(expected, row);
	}
	return expected;
}

/* The dry-run document of docs/api.md. */
static enum MHD_Result
reply_dry_run(struct request *rq, unsigned status)
{
	struct db *db = db_thread();
	struct h_secret_draft s;
	struct partials p = {0};
	struct dbq_dry_run dr = {0};
	json_t *doc = NULL, *expected;
	uint8_t ehash[64], th[64];
	enum MHD_Result ret;
	bool required;
	enum db_status st;

	if (!h_secret_draft_load(rq, db, &s, &ret))
		return ret;
	required = election_draft_dry_run(s.draft);
	st = s.has_ceremony ? dbq_dry_run_get(db, rq->args[0], s.attempt, &dr) : DB_NOT_FOUND;
	if (st == DB_NOT_FOUND) {
		doc = json_pack("{s:s, s:b, s:i}", "state", "not-started", "required", required,
		                "attempt", (int)s.attempt);
		h_secret_draft_clear(&s);
		return reply_json(rq, status, doc);
	}
	if (st != DB_OK) {
		h_secret_draft_clear(&s);
		return h_secret_reply_store(rq, st);
	}
	p.partials = json_array();
	p.verified = json_array();
	expected = expected_counts(s.c.m);
	pcrypto_h64("tally", dr.data, dr.len, th);
	if (protocol_dkg_election_hash(s.c.k, ehash) &&
	    dbq_dry_run_partials_each(db, rq->args[0], s.attempt, add_partial, &p) == DB_OK)
		doc = json_pack("{s:s, s:b, s:i, s:o, s:o, s:o, s:i, s:o, s:O, s:O}", "state",
		                state_names[dr.state], "required", required, "attempt",
		                (int)s.attempt, "election_hash", reply_hex(ehash, 64), "data",
		                reply_hex(dr.data, dr.len), "tally_hash", reply_hex(th, 64),
		                "max_count", PROTOCOL_DRYRUN_MAX_COUNT, "expected", expected,
		                "partials", p.partials, "verified", p.verified);
	else
		json_decref(expected);
	json_decref(p.partials);
	json_decref(p.verified);
	free(dr.data);
	h_secret_draft_clear(&s);
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
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct db *db;
	enum MHD_Result ret;
	enum db_status st;

	if (!h_secret_transition_begin(rq, &db, &ret))
		return ret;
	st = dry_run_start(db, rq->args[0], rq->session.email, &error);
	if (st != DB_OK)
		return h_secret_reply_refusal(rq, st, error, NULL, NULL);
	return reply_dry_run(rq, MHD_HTTP_CREATED);
}

enum MHD_Result
h_dry_run_partial(struct request *rq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct dry_run_accepted acc;
	struct db *db;
	const char *why = NULL;
	enum MHD_Result ret;
	enum db_status st;

	if (!h_secret_partial_begin(rq, &data, &len, &db, &ret))
		return ret;
	st = dry_run_submit(db, rq->args[0], data, len, &acc, &error, &why);
	free(data);
	if (st != DB_OK)
		return h_secret_reply_not_stored(rq, st, error, ERROR_DRY_RUN_BAD_PARTIAL, why,
		                                 NULL);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:s, s:o}", "trustee", (int)acc.trustee, "state",
	                            state_names[acc.state], "verified",
	                            h_secret_dry_run_verified(db, rq->args[0], acc.attempt)));
}
