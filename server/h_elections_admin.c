/*
 * h_elections_admin.c -- the secretariat drafts elections (from the HLWG
 * template or empty), edits the draft until it opens, sees what blocks
 * opening, and opens and closes with a typed confirmation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "dbq_audit.h"
#include "dbq_ceremony.h"
#include "dbq_elections.h"
#include "election_draft.h"
#include "elections.h"
#include "handlers.h"
#include "jspec.h"
#include "reply.h"

static void
add_row(void *cls, const struct dbq_election_row *r)
{
	json_t *draft = json_loads(r->draft, 0, NULL);

	json_array_append_new(cls, json_pack("{s:s, s:s, s:O?, s:s, s:s, s:b, s:b, s:I, s:I, s:I}",
	                                     "id", r->id, "status", r->status, "title",
	                                     draft ? json_object_get(draft, "title") : NULL,
	                                     "opens_at", r->opens_at, "closes_at", r->closes_at,
	                                     "auto_open", r->auto_open, "auto_close", r->auto_close,
	                                     "ballots", (json_int_t)r->ballots, "voters",
	                                     (json_int_t)r->voters, "voted", (json_int_t)r->voted));
	json_decref(draft);
}

enum MHD_Result
h_admin_elections_list(struct request *rq)
{
	json_t *list = json_array();
	struct db *db = db_thread();

	if (db == NULL || list == NULL || dbq_elections_each(db, true, add_row, list) != DB_OK) {
		json_decref(list);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:o}", "elections", list));
}

static void
schedule_of(const json_t *draft, struct dbq_schedule *s)
{
	s->opens_at = json_string_value(json_object_get(draft, "opens_at"));
	s->closes_at = json_string_value(json_object_get(draft, "closes_at"));
	s->auto_open = json_is_true(json_object_get(draft, "auto_open"));
	s->auto_close = json_is_true(json_object_get(draft, "auto_close"));
}

/* Secret mode: {"state", "attempt"} of the key ceremony; NULL otherwise. */
static json_t *
ceremony_json(struct db *db, const char *id, const json_t *draft)
{
	struct ceremony c;
	uint32_t last = 0;
	json_t *j = NULL;
	enum db_status st;

	if (!election_draft_secret(draft))
		return NULL;
	st = ceremony_load(db, id, &c);
	if (st == DB_OK) {
		j = json_pack("{s:s, s:i}", "state", ceremony_state_name(&c), "attempt",
		              (int)c.row.attempt);
		ceremony_clear(&c);
	} else if (st == DB_NOT_FOUND && dbq_ceremony_last_attempt(db, id, &last) == DB_OK) {
		j = json_pack("{s:s, s:i}", "state", "not-started", "attempt", (int)last);
	}
	return j;
}

/* {id, status, draft, problems, ceremony?} of one election. */
static enum MHD_Result
reply_draft(struct request *rq, unsigned status, const char *id)
{
	struct db *db = db_thread();
	struct dbq_election e;
	char *text = NULL;
	json_t *draft, *problems = NULL, *ceremony;
	enum db_status st;
	static const char *const names[] = {"draft", "open", "closed"};

	st = dbq_election_get(db, id, &e);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st != DB_OK || dbq_election_draft_get(db, id, &text) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	draft = json_loads(text, 0, NULL);
	free(text);
	if (draft == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	if (e.status == DBQ_ELECTION_DRAFT) {
		problems = elections_draft_problems(db, id, draft);
		if (problems == NULL) {
			json_decref(draft);
			return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		}
	}
	ceremony = ceremony_json(db, id, draft);
	return reply_json(rq, status,
	                  json_pack("{s:s, s:s, s:o, s:o, s:o*}", "id", id, "status",
	                            names[e.status], "draft", draft, "problems",
	                            problems ? problems : json_array(), "ceremony", ceremony));
}

enum MHD_Result
h_admin_election_get(struct request *rq)
{
	return reply_draft(rq, MHD_HTTP_OK, rq->args[0]);
}

/* Writing a draft: a new election, or an edit of a draft. */
struct draft_write {
	const char *id, *actor, *text;
	struct dbq_schedule sched;
	bool create;
};

static enum db_status
draft_write_txn(struct db *db, void *cls)
{
	struct draft_write *c = cls;
	struct dbq_ceremony alive;
	enum db_status st;

	if (!c->create) {
		/* a key ceremony froze the manifest: the draft waits for a cancel */
		st = dbq_ceremony_alive(db, c->id, &alive);
		dbq_ceremony_clear(&alive);
		if (st == DB_OK)
			return DB_ROLLBACK;
		if (st != DB_NOT_FOUND)
			return st;
	}
	st = c->create ? dbq_election_create(db, c->id, c->text, &c->sched)
	               : dbq_election_draft_set(db, c->id, c->text, &c->sched);
	if (st != DB_OK)
		return st;
	return dbq_audit_add(db, c->actor, c->create ? "election.create" : "election.edit", c->id,
	                     NULL);
}

enum MHD_Result
h_admin_election_create(struct request *rq)
{
	const char *id = NULL, *template = "empty";
	json_t *title = NULL, *draft;
	bool have_template = false;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("id", &id, 64)},
	    {JSPEC_OBJECT("title", &title)},
	    {JSPEC_STRING("template", &template, 16), JSPEC_OPTIONAL(&have_template)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct draft_write c = {.actor = rq->session.email, .create = true};
	char field[96];
	const char *why = NULL;
	enum db_status st;
	struct db *db = db_thread();

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (!protocol_id_valid(id, strlen(id)))
		return reply_error_hint(rq, ERROR_ELECTION_FIELD_INVALID, "id",
		                        "1 to 64 characters: a-z, 0-9, '-' or '_'");
	if (strcmp(template, "empty") != 0 && strcmp(template, "hlwg") != 0)
		return reply_error_hint(rq, ERROR_ELECTION_FIELD_INVALID, "template",
		                        "the template is \"hlwg\" or \"empty\"");
	draft = election_draft_new(json_is_string(json_object_get(title, "en"))
	                               ? json_string_value(json_object_get(title, "en"))
	                               : "",
	                           json_is_string(json_object_get(title, "km"))
	                               ? json_string_value(json_object_get(title, "km"))
	                               : "",
	                           strcmp(template, "hlwg") == 0);
	if (draft == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	if (json_object_size(title) != 2 ||
	    !election_draft_check(draft, field, sizeof(field), &why)) {
		json_decref(draft);
		return reply_error_hint(rq, ERROR_ELECTION_FIELD_INVALID, "title",
		                        "an English and a Khmer title (in Khmer script)");
	}
	c.id = id;
	c.text = json_dumps(draft, JSON_COMPACT);
	schedule_of(draft, &c.sched);
	if (c.text == NULL || db == NULL) {
		json_decref(draft);
		free((char *)c.text);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	st = db_txn_run(db, "election-create", draft_write_txn, &c);
	json_decref(draft); /* only now: c.sched borrows the draft's strings */
	free((char *)c.text);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_ELECTION_EXISTS, "id");
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_draft(rq, MHD_HTTP_CREATED, id);
}

enum MHD_Result
h_admin_election_update(struct request *rq)
{
	struct draft_write c = {.id = rq->args[0], .actor = rq->session.email};
	struct dbq_election e;
	char field[96];
	const char *why = NULL;
	struct db *db = db_thread();
	enum db_status st;

	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dbq_election_get(db, c.id, &e);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (e.status != DBQ_ELECTION_DRAFT)
		return reply_error(rq, ERROR_ELECTION_NOT_DRAFT, NULL);
	if (!election_draft_check(rq->json, field, sizeof(field), &why))
		return reply_error_hint(rq, ERROR_ELECTION_FIELD_INVALID, field, why);
	c.text = json_dumps(rq->json, JSON_COMPACT);
	if (c.text == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	schedule_of(rq->json, &c.sched);
	st = db_txn_run(db, "election-edit", draft_write_txn, &c);
	free((char *)c.text);
	if (st == DB_ROLLBACK)
		return reply_error(rq, ERROR_DRAFT_FROZEN, NULL);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_ELECTION_NOT_DRAFT, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_draft(rq, MHD_HTTP_OK, c.id);
}

/* Both transitions need the election's id typed back, so a stray click
 * in the console cannot open or close a vote. */
static bool
confirmed(struct request *rq, enum MHD_Result *ret)
{
	const char *confirm = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("confirm", &confirm, 64)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;

	if (!jspec_parse(rq->json, spec, &jerr)) {
		*ret = reply_error(rq, jerr.code, jerr.field);
		return false;
	}
	if (strcmp(confirm, rq->args[0]) != 0) {
		*ret = reply_error(rq, ERROR_CONFIRMATION_MISMATCH, "confirm");
		return false;
	}
	return true;
}

enum MHD_Result
h_admin_election_open(struct request *rq)
{
	json_t *problems = NULL;
	struct db *db = db_thread();
	enum MHD_Result ret;
	enum db_status st;

	if (!confirmed(rq, &ret))
		return ret;
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = elections_open(db, rq->args[0], rq->session.email, &problems);
	if (st == DB_ROLLBACK)
		return reply_error_with(rq, ERROR_ELECTION_INVALID, NULL, "problems",
		                        problems ? problems : json_array());
	json_decref(problems);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_ELECTION_NOT_DRAFT, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_draft(rq, MHD_HTTP_OK, rq->args[0]);
}

enum MHD_Result
h_admin_election_close(struct request *rq)
{
	struct dbq_election e;
	struct db *db = db_thread();
	enum MHD_Result ret;
	enum db_status st;

	if (!confirmed(rq, &ret))
		return ret;
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = elections_close(db, rq->args[0], rq->session.email);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_CONFLICT) {
		if (dbq_election_get(db, rq->args[0], &e) == DB_OK &&
		    e.status == DBQ_ELECTION_CLOSED)
			return reply_error(rq, ERROR_ELECTION_CLOSED, NULL);
		return reply_error(rq, ERROR_ELECTION_NOT_OPEN, NULL);
	}
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_draft(rq, MHD_HTTP_OK, rq->args[0]);
}
