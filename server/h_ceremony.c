/*
 * h_ceremony.c -- the key ceremony of a secret-ballot draft over HTTP
 * (docs/api.md, docs/secret-mode.md): the secretariat starts, restarts
 * and cancels it; trustees post their signed messages (public: the
 * signature authenticates); anyone reads the ceremony document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "dbq_dry_run.h"
#include "election_draft.h"
#include "h_secret.h"
#include "handlers.h"
#include "jspec.h"
#include "reply.h"

/* A ceremony message: R2 of 16 trustees is about 5 KB. */
#define CEREMONY_MESSAGE_MAX 65536

/* {"required", "state", "verified"} of the attempt's dry run. */
static json_t *
dry_run_summary(struct db *db, const char *id, const struct h_secret_draft *s)
{
	static const char *const names[] = {"running", "succeeded", "failed"};
	struct dbq_dry_run dr;
	json_t *verified = NULL;
	const char *state = "not-started";

	if (s->has_ceremony && dbq_dry_run_get(db, id, s->attempt, &dr) == DB_OK) {
		state = names[dr.state];
		free(dr.data);
		verified = h_secret_dry_run_verified(db, id, s->attempt);
	}
	return json_pack("{s:b, s:s, s:o}", "required", election_draft_dry_run(s->draft), "state",
	                 state, "verified", verified != NULL ? verified : json_array());
}

/* The ceremony's trustees: index, id and public key. */
static json_t *
trustees_json(const struct protocol_manifest *m)
{
	json_t *trustees = json_array();

	for (uint32_t j = 0; j < m->n; j++)
		json_array_append_new(trustees, json_pack("{s:i, s:s, s:o}", "index", (int)(j + 1),
		                                          "id", m->trustees[j].id, "pk",
		                                          reply_hex(m->trustees[j].pk, 32)));
	return trustees;
}

/* The accepted messages in the order accepted. */
static json_t *
messages_json(const struct ceremony *c)
{
	json_t *messages = json_array();

	for (uint32_t i = 0; i < c->n_msgs; i++)
		json_array_append_new(messages,
		                      json_pack("{s:i, s:i, s:o}", "round", (int)c->msgs[i].round,
		                                "trustee", (int)c->msgs[i].trustee, "data",
		                                reply_hex(c->msgs[i].data, c->msgs[i].len)));
	return messages;
}

/* The ceremony document of docs/api.md. */
static enum MHD_Result
reply_ceremony(struct request *rq, unsigned status)
{
	struct db *db = db_thread();
	struct h_secret_draft s;
	const struct ceremony *c = &s.c;
	json_t *doc;
	uint8_t ehash[64];
	enum MHD_Result ret;

	if (!h_secret_draft_load(rq, db, &s, &ret))
		return ret;
	if (!s.has_ceremony)
		doc = json_pack("{s:s, s:i, s:o}", "state", "not-started", "attempt",
		                (int)s.attempt, "dry_run", dry_run_summary(db, rq->args[0], &s));
	else
		doc = json_pack("{s:s, s:i, s:o, s:o, s:i, s:i, s:o, s:o, s:o}", "state",
		                ceremony_state_name(c), "attempt", (int)s.attempt, "manifest",
		                reply_hex(c->row.manifest, c->row.manifest_len), "manifest_hash",
		                reply_hex(c->row.manifest_hash, 64), "n", (int)c->m->n, "t",
		                (int)c->m->t, "trustees", trustees_json(c->m), "messages",
		                messages_json(c), "dry_run", dry_run_summary(db, rq->args[0], &s));
	if (doc != NULL && s.has_ceremony && protocol_dkg_complete(c->k) &&
	    protocol_dkg_election_hash(c->k, ehash))
		json_object_set_new(doc, "election_hash", reply_hex(ehash, 64));
	h_secret_draft_clear(&s);
	return reply_json(rq, status, doc);
}

enum MHD_Result
h_ceremony_get(struct request *rq)
{
	return reply_ceremony(rq, MHD_HTTP_OK);
}

enum MHD_Result
h_ceremony_start(struct request *rq)
{
	enum error_code error = ERROR_INTERNAL_ERROR;
	json_t *problems = NULL;
	struct db *db;
	enum MHD_Result ret;
	enum db_status st;

	if (!h_secret_transition_begin(rq, &db, &ret))
		return ret;
	st = ceremony_start(db, rq->args[0], rq->session.email, &error, &problems);
	if (st != DB_OK)
		return h_secret_reply_refusal(rq, st, error, NULL, problems);
	return reply_ceremony(rq, MHD_HTTP_CREATED);
}

/* The secretariat's restart takes an optional list of trustee ids to
 * leave out. */
enum MHD_Result
h_ceremony_restart(struct request *rq)
{
	json_t *exclude = NULL, *x, *empty = json_array();
	enum error_code error = ERROR_INTERNAL_ERROR;
	json_t *problems = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_ARRAY("exclude", &exclude, DRAFT_MAX_TRUSTEES), JSPEC_OPTIONAL(NULL)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct db *db = db_thread();
	char field[64];
	enum db_status st;
	size_t i;

	if (!jspec_parse(rq->json, spec, &jerr)) {
		json_decref(empty);
		return reply_error(rq, jerr.code, jerr.field);
	}
	json_array_foreach(exclude, i, x)
	{
		if (!json_is_string(x)) {
			json_decref(empty);
			return reply_error(rq, ERROR_JSON_WRONG_TYPE, "exclude");
		}
	}
	if (db == NULL) {
		json_decref(empty);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	st = ceremony_restart(db, rq->args[0], rq->session.email, exclude ? exclude : empty, &error,
	                      field, sizeof(field), &problems);
	json_decref(empty);
	if (st != DB_OK)
		return h_secret_reply_refusal(rq, st, error, field[0] ? field : NULL, problems);
	return reply_ceremony(rq, MHD_HTTP_OK);
}

enum MHD_Result
h_ceremony_cancel(struct request *rq)
{
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct db *db;
	enum MHD_Result ret;
	enum db_status st;

	if (!h_secret_transition_begin(rq, &db, &ret))
		return ret;
	st = ceremony_cancel(db, rq->args[0], rq->session.email, &error);
	if (st != DB_OK)
		return h_secret_reply_refusal(rq, st, error, NULL, NULL);
	return reply_ceremony(rq, MHD_HTTP_OK);
}

enum MHD_Result
h_ceremony_message(struct request *rq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	uint32_t round = 0;
	struct jspec_field spec[] = {
	    {JSPEC_U32("round", &round, 0, 3)},
	    {JSPEC_HEXVAR("data", &data, &len, CEREMONY_MESSAGE_MAX)},
	    {JSPEC_END},
	};
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct ceremony_accepted acc;
	struct jspec_error jerr;
	struct db *db = db_thread();
	const char *why = NULL;
	enum db_status st;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL) {
		jspec_free(spec);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	st = ceremony_submit(db, rq->args[0], round, data, len, &acc, &error, &why);
	jspec_free(spec);
	if (st != DB_OK)
		return h_secret_reply_not_stored(rq, st, error, ERROR_CEREMONY_BAD_MESSAGE, why,
		                                 error == ERROR_CEREMONY_WRONG_ROUND ? "round"
		                                                                     : NULL);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:i, s:s}", "round", (int)acc.round, "trustee",
	                            (int)acc.trustee, "state", acc.state));
}
