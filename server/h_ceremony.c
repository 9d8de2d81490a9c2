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
#include "dbq_elections.h"
#include "election_draft.h"
#include "encoding.h"
#include "handlers.h"
#include "jspec.h"
#include "reply.h"

/* A ceremony message: R2 of 16 trustees is about 5 KB. */
#define CEREMONY_MESSAGE_MAX 65536

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

/* The draft of an election (to decref), or an answer. */
static json_t *
election_draft(struct request *rq, struct db *db, enum MHD_Result *ret)
{
	struct dbq_election e;
	char *text = NULL;
	json_t *draft;
	enum db_status st;

	st = db ? dbq_election_get(db, rq->args[0], &e) : DB_ERROR;
	if (st == DB_OK)
		st = dbq_election_draft_get(db, rq->args[0], &text);
	if (st != DB_OK) {
		*ret = st == DB_NOT_FOUND ? reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL)
		                          : reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		return NULL;
	}
	draft = json_loads(text, 0, NULL);
	free(text);
	if (draft == NULL)
		*ret = reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return draft;
}

struct verified {
	json_t *list;
};

static void
add_verified(void *cls, uint32_t trustee, const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	json_array_append_new(cls, json_integer(trustee));
}

/* {"required", "state", "verified"} of the attempt's dry run. */
static json_t *
dry_run_summary(struct db *db, const char *id, const json_t *draft, const struct ceremony *c)
{
	static const char *const names[] = {"running", "succeeded", "failed"};
	struct dbq_dry_run dr;
	json_t *verified = json_array();
	const char *state = "not-started";

	if (c != NULL && dbq_dry_run_get(db, id, c->row.attempt, &dr) == DB_OK) {
		state = names[dr.state];
		free(dr.data);
		dbq_dry_run_partials_each(db, id, c->row.attempt, add_verified, verified);
	}
	return json_pack("{s:b, s:s, s:o}", "required", election_draft_dry_run(draft), "state",
	                 state, "verified", verified);
}

/* The ceremony document of docs/api.md. */
static enum MHD_Result
reply_ceremony(struct request *rq, unsigned status)
{
	struct db *db = db_thread();
	struct ceremony c;
	json_t *draft, *doc, *trustees, *messages;
	uint8_t ehash[64];
	uint32_t last = 0;
	enum MHD_Result ret;
	enum db_status st;

	draft = election_draft(rq, db, &ret);
	if (draft == NULL)
		return ret;
	st = ceremony_load(db, rq->args[0], &c);
	if (st == DB_NOT_FOUND) {
		if (!election_draft_secret(draft)) {
			json_decref(draft);
			return reply_error(rq, ERROR_ELECTION_NOT_SECRET, NULL);
		}
		if (dbq_ceremony_last_attempt(db, rq->args[0], &last) != DB_OK) {
			json_decref(draft);
			return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		}
		doc = json_pack("{s:s, s:i, s:o}", "state", "not-started", "attempt", (int)last,
		                "dry_run", dry_run_summary(db, rq->args[0], draft, NULL));
		json_decref(draft);
		return reply_json(rq, status, doc);
	}
	if (st != DB_OK) {
		json_decref(draft);
		return reply_store(rq, st);
	}
	trustees = json_array();
	for (uint32_t j = 0; j < c.m->n; j++)
		json_array_append_new(trustees, json_pack("{s:i, s:s, s:o}", "index", (int)(j + 1),
		                                          "id", c.m->trustees[j].id, "pk",
		                                          hex(c.m->trustees[j].pk, 32)));
	messages = json_array();
	for (uint32_t i = 0; i < c.n_msgs; i++)
		json_array_append_new(messages,
		                      json_pack("{s:i, s:i, s:o}", "round", (int)c.msgs[i].round,
		                                "trustee", (int)c.msgs[i].trustee, "data",
		                                hex(c.msgs[i].data, c.msgs[i].len)));
	doc = json_pack("{s:s, s:i, s:o, s:o, s:i, s:i, s:o, s:o, s:o}", "state",
	                ceremony_state_name(&c), "attempt", (int)c.row.attempt, "manifest",
	                hex(c.row.manifest, c.row.manifest_len), "manifest_hash",
	                hex(c.row.manifest_hash, 64), "n", (int)c.m->n, "t", (int)c.m->t,
	                "trustees", trustees, "messages", messages, "dry_run",
	                dry_run_summary(db, rq->args[0], draft, &c));
	if (doc != NULL && protocol_dkg_complete(c.k) && protocol_dkg_election_hash(c.k, ehash))
		json_object_set_new(doc, "election_hash", hex(ehash, 64));
	ceremony_clear(&c);
	json_decref(draft);
	if (doc == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, status, doc);
}

enum MHD_Result
h_ceremony_get(struct request *rq)
{
	return reply_ceremony(rq, MHD_HTTP_OK);
}

/* The answer to a refused or failed transition. */
static enum MHD_Result
reply_refusal(struct request *rq, enum db_status st, enum error_code error, const char *field,
              json_t *problems)
{
	if (st == DB_ROLLBACK && error == ERROR_ELECTION_INVALID)
		return reply_error_with(rq, error, NULL, "problems",
		                        problems ? problems : json_array());
	json_decref(problems);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, field);
	return reply_store(rq, st);
}

/* Secretariat endpoints take an object with no field, or (restart) an
 * optional exclusion list. */
static bool
no_fields(struct request *rq, enum MHD_Result *ret)
{
	struct jspec_field spec[] = {{JSPEC_END}};
	struct jspec_error jerr;

	if (jspec_parse(rq->json, spec, &jerr))
		return true;
	*ret = reply_error(rq, jerr.code, jerr.field);
	return false;
}

enum MHD_Result
h_ceremony_start(struct request *rq)
{
	enum error_code error = ERROR_INTERNAL_ERROR;
	json_t *problems = NULL;
	struct db *db = db_thread();
	enum MHD_Result ret;
	enum db_status st;

	if (!no_fields(rq, &ret))
		return ret;
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = ceremony_start(db, rq->args[0], rq->session.email, &error, &problems);
	if (st != DB_OK)
		return reply_refusal(rq, st, error, NULL, problems);
	return reply_ceremony(rq, MHD_HTTP_CREATED);
}

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
		return reply_refusal(rq, st, error, field[0] ? field : NULL, problems);
	return reply_ceremony(rq, MHD_HTTP_OK);
}

enum MHD_Result
h_ceremony_cancel(struct request *rq)
{
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct db *db = db_thread();
	enum MHD_Result ret;
	enum db_status st;

	if (!no_fields(rq, &ret))
		return ret;
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = ceremony_cancel(db, rq->args[0], rq->session.email, &error);
	if (st != DB_OK)
		return reply_refusal(rq, st, error, NULL, NULL);
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
	if (st == DB_ROLLBACK && error == ERROR_CEREMONY_BAD_MESSAGE)
		return reply_error_hint(rq, error, "data", why ? why : errors_lookup(error)->hint);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, error == ERROR_CEREMONY_WRONG_ROUND ? "round" : NULL);
	if (st != DB_OK)
		return reply_store(rq, st);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:i, s:s}", "round", (int)acc.round, "trustee",
	                            (int)acc.trustee, "state", acc.state));
}
