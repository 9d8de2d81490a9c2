/*
 * h_secret.c -- the pieces the secret-mode handlers share (see the
 * header): answers, bodies, and a draft's secret-mode state.
 */
#include "h_secret.h"

#include <stdlib.h>
#include <string.h>

#include "dbq_dry_run.h"
#include "dbq_elections.h"
#include "election_draft.h"
#include "jspec.h"
#include "reply.h"

enum MHD_Result
h_secret_reply_store(struct request *rq, enum db_status st)
{
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_BUSY)
		return reply_error(rq, ERROR_DATABASE_BUSY, NULL);
	if (st == DB_IO_ERROR)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
}

enum MHD_Result
h_secret_reply_refusal(struct request *rq, enum db_status st, enum error_code error,
                       const char *field, json_t *problems)
{
	if (st == DB_ROLLBACK && error == ERROR_ELECTION_INVALID)
		return reply_error_with(rq, error, NULL, "problems",
		                        problems != NULL ? problems : json_array());
	json_decref(problems);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, field);
	return h_secret_reply_store(rq, st);
}

enum MHD_Result
h_secret_reply_not_stored(struct request *rq, enum db_status st, enum error_code error,
                          enum error_code invalid, const char *why, const char *field)
{
	if (st == DB_ROLLBACK && error == invalid)
		return reply_error_hint(rq, error, "data",
		                        why != NULL ? why : errors_lookup(error)->hint);
	return h_secret_reply_refusal(rq, st, error, field, NULL);
}

bool
h_secret_transition_begin(struct request *rq, struct db **db, enum MHD_Result *ret)
{
	struct jspec_field spec[] = {{JSPEC_END}};
	struct jspec_error jerr;

	if (!jspec_parse(rq->json, spec, &jerr)) {
		*ret = reply_error(rq, jerr.code, jerr.field);
		return false;
	}
	*db = db_thread();
	if (*db == NULL) {
		*ret = reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		return false;
	}
	return true;
}

bool
h_secret_partial_begin(struct request *rq, uint8_t **data, size_t *len, struct db **db,
                       enum MHD_Result *ret)
{
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("data", data, len, H_SECRET_PARTIAL_MAX)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;

	*data = NULL;
	*len = 0;
	if (!jspec_parse(rq->json, spec, &jerr)) {
		*ret = reply_error(rq, jerr.code, jerr.field);
		return false;
	}
	*db = db_thread();
	if (*db == NULL) {
		jspec_free(spec);
		*ret = reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		return false;
	}
	return true; /* the buffer is the caller's now */
}

static void
add_verified(void *cls, uint32_t trustee, const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	json_array_append_new(cls, json_integer(trustee));
}

json_t *
h_secret_dry_run_verified(struct db *db, const char *id, uint32_t attempt)
{
	json_t *verified = json_array();

	if (verified != NULL)
		dbq_dry_run_partials_each(db, id, attempt, add_verified, verified);
	return verified;
}

/* The draft of the election (to decref), or false with the answer. */
static bool
draft_load(struct request *rq, struct db *db, json_t **draft, enum MHD_Result *ret)
{
	struct dbq_election e;
	char *text = NULL;
	enum db_status st;

	st = db != NULL ? dbq_election_get(db, rq->args[0], &e) : DB_ERROR;
	if (st == DB_OK)
		st = dbq_election_draft_get(db, rq->args[0], &text);
	if (st != DB_OK) {
		*ret = st == DB_NOT_FOUND ? reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL)
		                          : reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		return false;
	}
	*draft = json_loads(text, 0, NULL);
	free(text);
	if (*draft == NULL) {
		*ret = reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
		return false;
	}
	return true;
}

bool
h_secret_draft_load(struct request *rq, struct db *db, struct h_secret_draft *s,
                    enum MHD_Result *ret)
{
	enum db_status st;

	memset(s, 0, sizeof(*s));
	if (!draft_load(rq, db, &s->draft, ret))
		return false;
	if (!election_draft_secret(s->draft)) {
		*ret = reply_error(rq, ERROR_ELECTION_NOT_SECRET, NULL);
		goto fail;
	}
	st = ceremony_load(db, rq->args[0], &s->c);
	if (st == DB_OK) {
		s->has_ceremony = true;
		s->attempt = s->c.row.attempt;
		return true;
	}
	if (st != DB_NOT_FOUND) {
		*ret = h_secret_reply_store(rq, st);
		goto fail;
	}
	if (dbq_ceremony_last_attempt(db, rq->args[0], &s->attempt) != DB_OK) {
		*ret = reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		goto fail;
	}
	return true;
fail:
	h_secret_draft_clear(s);
	return false;
}

void
h_secret_draft_clear(struct h_secret_draft *s)
{
	if (s->has_ceremony)
		ceremony_clear(&s->c);
	json_decref(s->draft);
	memset(s, 0, sizeof(*s));
}
