/*
 * ceremony.c -- the key ceremony's state machine (see the header).
 *
 * The checker's state is not kept between requests: each request loads
 * the alive attempt and feeds the checker every stored message again
 * (n is small, so that costs a few milliseconds), inside the transaction
 * that then checks and stores the new message.  BEGIN IMMEDIATE
 * serialises the writers, so two trustees posting at once are checked
 * one after the other against what the other stored.  Only the decoded
 * manifest is cached: with a roll of thousands of NGOs, checking every
 * voter key takes long, and an attempt's manifest never changes.
 */
#include "ceremony.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbq_audit.h"
#include "dbq_dry_run.h"
#include "dbq_elections.h"
#include "election_build.h"
#include "log.h"
#include "timeutil.h"

/* ---- decoded manifests of attempts, shared ---- */

#define CM_SLOTS 8

struct cm_slot {
	char id[DBQ_ELECTION_ID_MAX + 1];
	uint8_t manifest_hash[64];
	struct protocol_manifest *m;
	unsigned refs;
};

static struct cm_slot cm_cache[CM_SLOTS];
static pthread_mutex_t cm_lock = PTHREAD_MUTEX_INITIALIZER;

static struct cm_slot *
cm_find(const char *id, const uint8_t manifest_hash[64])
{
	for (unsigned i = 0; i < CM_SLOTS; i++)
		if (cm_cache[i].m != NULL && strcmp(cm_cache[i].id, id) == 0 &&
		    memcmp(cm_cache[i].manifest_hash, manifest_hash, 64) == 0)
			return &cm_cache[i];
	return NULL;
}

/* The decoded manifest; *slot is NULL when the copy is not cached (the
 * caller then frees it). */
static const struct protocol_manifest *
cm_get(const char *id, const struct dbq_ceremony *row, void **slot)
{
	struct protocol_manifest *m = NULL;
	struct cm_slot *s;
	const char *why = NULL;

	pthread_mutex_lock(&cm_lock);
	s = cm_find(id, row->manifest_hash);
	if (s != NULL) {
		s->refs++;
		*slot = s;
		pthread_mutex_unlock(&cm_lock);
		return s->m;
	}
	pthread_mutex_unlock(&cm_lock);
	if (!protocol_manifest_decode(row->manifest, row->manifest_len, &m, &why)) {
		LOG_BUG("election %s: frozen manifest of attempt %u does not decode: %s", id,
		        row->attempt, why ? why : "?");
		return NULL;
	}
	pthread_mutex_lock(&cm_lock);
	s = cm_find(id, row->manifest_hash);
	if (s != NULL) {
		protocol_manifest_free(m); /* another thread won the race */
		s->refs++;
		*slot = s;
		pthread_mutex_unlock(&cm_lock);
		return s->m;
	}
	for (unsigned i = 0; i < CM_SLOTS && s == NULL; i++)
		if (cm_cache[i].m == NULL || cm_cache[i].refs == 0)
			s = &cm_cache[i];
	if (s == NULL) {
		pthread_mutex_unlock(&cm_lock);
		*slot = NULL;
		return m;
	}
	protocol_manifest_free(s->m);
	snprintf(s->id, sizeof(s->id), "%s", id);
	memcpy(s->manifest_hash, row->manifest_hash, 64);
	s->m = m;
	s->refs = 1;
	*slot = s;
	pthread_mutex_unlock(&cm_lock);
	return m;
}

static void
cm_put(const struct protocol_manifest *m, void *slot)
{
	struct cm_slot *s = slot;

	if (s == NULL) {
		protocol_manifest_free((struct protocol_manifest *)m);
		return;
	}
	pthread_mutex_lock(&cm_lock);
	s->refs--;
	pthread_mutex_unlock(&cm_lock);
}

/* ---- loading an attempt ---- */

struct load_ctx {
	struct ceremony *c;
	const char *id;
	bool failed;
};

static bool
load_message(void *cls, const struct dbq_ceremony_message *msg)
{
	struct load_ctx *l = cls;
	struct ceremony *c = l->c;
	struct ceremony_message *cm;
	const char *why = NULL;
	uint32_t trustee = 0;

	cm = realloc(c->msgs, (c->n_msgs + 1) * sizeof(*cm));
	if (cm == NULL) {
		l->failed = true;
		return false;
	}
	c->msgs = cm;
	cm = &c->msgs[c->n_msgs];
	cm->data = malloc(msg->len ? msg->len : 1);
	if (cm->data == NULL) {
		l->failed = true;
		return false;
	}
	memcpy(cm->data, msg->data, msg->len);
	cm->len = msg->len;
	cm->round = msg->round;
	cm->trustee = msg->trustee;
	c->n_msgs++;
	if (!protocol_dkg_add(c->k, msg->round, msg->data, msg->len, &trustee, &why) ||
	    trustee != msg->trustee) {
		LOG_BUG("election %s: stored ceremony message %u (round %u, trustee %u) no longer "
		        "passes: %s",
		        l->id, msg->seq, msg->round, msg->trustee, why ? why : "wrong trustee");
		l->failed = true;
		return false;
	}
	return true;
}

void
ceremony_clear(struct ceremony *c)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		free(c->msgs[i].data);
	free(c->msgs);
	protocol_dkg_free(c->k);
	if (c->m != NULL)
		cm_put(c->m, c->cached_);
	dbq_ceremony_clear(&c->row);
	memset(c, 0, sizeof(*c));
}

enum db_status
ceremony_load(struct db *db, const char *id, struct ceremony *c)
{
	struct load_ctx l = {c, id, false};
	enum db_status st;

	memset(c, 0, sizeof(*c));
	st = dbq_ceremony_alive(db, id, &c->row);
	if (st != DB_OK)
		return st;
	c->m = cm_get(id, &c->row, &c->cached_);
	if (c->m == NULL) {
		ceremony_clear(c);
		return DB_ERROR;
	}
	c->k = protocol_dkg_new(c->m, c->row.manifest_hash);
	if (c->k == NULL) {
		LOG_BUG("election %s: attempt %u has no ceremony checker", id, c->row.attempt);
		ceremony_clear(c);
		return DB_ERROR;
	}
	st = dbq_ceremony_messages_each(db, id, c->row.attempt, load_message, &l);
	if (st == DB_OK && l.failed)
		st = DB_ERROR;
	if (st != DB_OK)
		ceremony_clear(c);
	return st;
}

enum db_status
ceremony_secret_draft(struct db *db, const char *id, enum error_code opened, json_t **draft,
                      enum error_code *error)
{
	struct dbq_election e;
	char *text = NULL;
	enum db_status st;

	*draft = NULL;
	st = dbq_election_get(db, id, &e);
	if (st == DB_OK)
		st = dbq_election_draft_get(db, id, &text);
	if (st != DB_OK)
		return st;
	*draft = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (*draft == NULL)
		return DB_ERROR;
	if (!election_draft_secret(*draft))
		*error = ERROR_ELECTION_NOT_SECRET;
	else if (e.status != DBQ_ELECTION_DRAFT)
		*error = opened;
	else
		return DB_OK;
	json_decref(*draft);
	*draft = NULL;
	return DB_ROLLBACK;
}

enum db_status
ceremony_load_draft(struct db *db, const char *id, enum error_code opened, struct ceremony *c,
                    enum error_code *error)
{
	json_t *draft;
	enum db_status st;

	memset(c, 0, sizeof(*c));
	st = ceremony_secret_draft(db, id, opened, &draft, error);
	json_decref(draft);
	if (st != DB_OK)
		return st;
	st = ceremony_load(db, id, c);
	if (st == DB_NOT_FOUND) {
		*error = ERROR_CEREMONY_NOT_STARTED;
		return DB_ROLLBACK;
	}
	return st;
}

const char *
ceremony_state_name(const struct ceremony *c)
{
	static const char *const names[] = {"round0", "round1", "round2", "round3", "complete"};
	uint32_t r = protocol_dkg_round(c->k);

	return names[r <= 4 ? r : 4];
}

enum db_status
ceremony_draft_facts(struct db *db, const char *id, const struct ceremony *c,
                     const struct encoding_buf *manifest_now, struct election_draft_ceremony *out)
{
	struct dbq_dry_run dr;
	enum db_status st;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return DB_OK;
	out->started = true;
	out->complete = protocol_dkg_complete(c->k);
	out->stale = manifest_now != NULL &&
	             (manifest_now->len != c->row.manifest_len ||
	              memcmp(manifest_now->data, c->row.manifest, manifest_now->len) != 0);
	st = dbq_dry_run_get(db, id, c->row.attempt, &dr);
	if (st == DB_NOT_FOUND)
		return DB_OK;
	if (st != DB_OK)
		return st;
	out->dry_run_succeeded = dr.state == DBQ_DRY_RUN_SUCCEEDED;
	free(dr.data);
	return DB_OK;
}

/* ---- the secretariat's transitions ---- */

struct transition {
	const char *id, *actor;
	const json_t *exclude;
	enum error_code error;
	json_t *problems;
	char *field;
	size_t fieldsize;
};

/* Freezes the draft's manifest as the next attempt. */
static enum db_status
freeze(struct db *db, struct transition *t, const json_t *draft)
{
	struct election_build b;
	uint8_t mhash[64];
	char now[TIMEUTIL_LEN + 1];
	uint32_t last;
	enum db_status st;

	st = election_build(db, t->id, draft, true, &b);
	if (st != DB_OK)
		return st;
	if (json_array_size(b.problems) > 0 || !b.has_manifest) {
		t->problems = json_incref(b.problems);
		t->error = ERROR_ELECTION_INVALID;
		election_build_free(&b);
		return DB_ROLLBACK;
	}
	st = dbq_ceremony_last_attempt(db, t->id, &last);
	if (st == DB_OK) {
		timeutil_now(now);
		protocol_manifest_hash(b.manifest.data, b.manifest.len, mhash);
		st = dbq_ceremony_insert(db, t->id, last + 1, b.manifest.data, b.manifest.len,
		                         mhash, now, t->actor);
	}
	election_build_free(&b);
	return st;
}

static enum db_status
start_txn(struct db *db, void *cls)
{
	struct transition *t = cls;
	struct dbq_ceremony alive;
	json_t *draft = NULL;
	enum db_status st;

	json_decref(t->problems);
	t->problems = NULL;
	st = ceremony_secret_draft(db, t->id, ERROR_ELECTION_NOT_DRAFT, &draft, &t->error);
	if (st != DB_OK)
		return st;
	st = dbq_ceremony_alive(db, t->id, &alive);
	if (st == DB_OK) {
		dbq_ceremony_clear(&alive);
		t->error = ERROR_CEREMONY_STARTED;
		st = DB_ROLLBACK;
	} else if (st == DB_NOT_FOUND) {
		st = freeze(db, t, draft);
		if (st == DB_OK)
			st = dbq_audit_add(db, t->actor, "ceremony.start", t->id, NULL);
	}
	json_decref(draft);
	return st;
}

enum db_status
ceremony_start(struct db *db, const char *id, const char *actor, enum error_code *error,
               json_t **problems)
{
	struct transition t = {.id = id, .actor = actor, .error = ERROR_INTERNAL_ERROR};
	enum db_status st = db_txn_run(db, "ceremony-start", start_txn, &t);

	*error = t.error;
	*problems = t.problems;
	return st;
}

/* The draft without the excluded trustees, and their ids for the audit
 * log; false (with t->error) if one is not a trustee of the draft. */
static bool
without_excluded(struct transition *t, json_t *draft, struct encoding_buf *ids)
{
	json_t *trustees = json_object_get(draft, "trustees"), *x;
	size_t i;

	json_array_foreach(t->exclude, i, x)
	{
		const char *id = json_string_value(x);
		bool found = false;

		for (size_t k = 0; id != NULL && k < json_array_size(trustees); k++) {
			const char *tid =
			    json_string_value(json_object_get(json_array_get(trustees, k), "id"));

			if (strcmp(tid, id) == 0) {
				json_array_remove(trustees, k);
				found = true;
				break;
			}
		}
		if (!found) {
			snprintf(t->field, t->fieldsize, "exclude/%zu", i);
			t->error = ERROR_TRUSTEE_UNKNOWN;
			return false;
		}
		if (ids->len > 0)
			encoding_buf_append(ids, ", ", 2);
		encoding_buf_append(ids, id, strlen(id));
	}
	encoding_buf_u8(ids, 0);
	return !ids->failed;
}

static enum db_status
restart_txn(struct db *db, void *cls)
{
	struct transition *t = cls;
	struct dbq_ceremony alive;
	struct dbq_schedule sched;
	struct encoding_buf ids;
	json_t *draft = NULL;
	char *text = NULL;
	enum db_status st;

	json_decref(t->problems);
	t->problems = NULL;
	encoding_buf_init(&ids);
	st = ceremony_secret_draft(db, t->id, ERROR_ELECTION_NOT_DRAFT, &draft, &t->error);
	if (st != DB_OK)
		return st;
	st = dbq_ceremony_alive(db, t->id, &alive);
	if (st == DB_NOT_FOUND) {
		t->error = ERROR_CEREMONY_NOT_STARTED;
		st = DB_ROLLBACK;
		goto out;
	}
	if (st != DB_OK)
		goto out;
	st = dbq_ceremony_set_state(db, t->id, alive.attempt, DBQ_CEREMONY_ABANDONED, NULL);
	dbq_ceremony_clear(&alive);
	if (st != DB_OK)
		goto out;
	if (!without_excluded(t, draft, &ids)) {
		st = t->error == ERROR_TRUSTEE_UNKNOWN ? DB_ROLLBACK : DB_ERROR;
		goto out;
	}
	if (json_array_size(t->exclude) > 0) {
		/* the draft says who the trustees are: the excluded leave it */
		text = json_dumps(draft, JSON_COMPACT);
		sched.opens_at = json_string_value(json_object_get(draft, "opens_at"));
		sched.closes_at = json_string_value(json_object_get(draft, "closes_at"));
		sched.auto_open = json_is_true(json_object_get(draft, "auto_open"));
		sched.auto_close = json_is_true(json_object_get(draft, "auto_close"));
		st = text != NULL ? dbq_election_draft_set(db, t->id, text, &sched) : DB_ERROR;
		if (st != DB_OK)
			goto out;
	}
	st = freeze(db, t, draft);
	if (st == DB_OK)
		st = dbq_audit_add(db, t->actor, "ceremony.restart", t->id,
		                   ids.len > 1 ? (const char *)ids.data : NULL);
out:
	free(text);
	encoding_buf_free(&ids);
	json_decref(draft);
	return st;
}

enum db_status
ceremony_restart(struct db *db, const char *id, const char *actor, const json_t *exclude,
                 enum error_code *error, char *field, size_t fieldsize, json_t **problems)
{
	struct transition t = {.id = id,
	                       .actor = actor,
	                       .exclude = exclude,
	                       .error = ERROR_INTERNAL_ERROR,
	                       .field = field,
	                       .fieldsize = fieldsize};
	enum db_status st;

	field[0] = '\0';
	st = db_txn_run(db, "ceremony-restart", restart_txn, &t);
	*error = t.error;
	*problems = t.problems;
	return st;
}

static enum db_status
cancel_txn(struct db *db, void *cls)
{
	struct transition *t = cls;
	struct dbq_ceremony alive;
	json_t *draft = NULL;
	enum db_status st;

	st = ceremony_secret_draft(db, t->id, ERROR_ELECTION_NOT_DRAFT, &draft, &t->error);
	json_decref(draft);
	if (st != DB_OK)
		return st;
	st = dbq_ceremony_alive(db, t->id, &alive);
	if (st == DB_NOT_FOUND) {
		t->error = ERROR_CEREMONY_NOT_STARTED;
		return DB_ROLLBACK;
	}
	if (st != DB_OK)
		return st;
	st = dbq_ceremony_set_state(db, t->id, alive.attempt, DBQ_CEREMONY_ABANDONED, NULL);
	dbq_ceremony_clear(&alive);
	if (st == DB_OK)
		st = dbq_audit_add(db, t->actor, "ceremony.cancel", t->id, NULL);
	return st;
}

enum db_status
ceremony_cancel(struct db *db, const char *id, const char *actor, enum error_code *error)
{
	struct transition t = {.id = id, .actor = actor, .error = ERROR_INTERNAL_ERROR};
	enum db_status st = db_txn_run(db, "ceremony-cancel", cancel_txn, &t);

	*error = t.error;
	return st;
}

/* ---- a trustee's message ---- */

struct submit_ctx {
	const char *id;
	uint32_t round;
	const uint8_t *data;
	size_t len;
	struct ceremony_accepted *out;
	enum error_code error;
	const char *why;
};

static enum db_status
submit_txn(struct db *db, void *cls)
{
	struct submit_ctx *s = cls;
	struct dbq_ceremony_message msg;
	struct ceremony c;
	uint8_t ehash[64];
	char now[TIMEUTIL_LEN + 1];
	uint32_t claimed = 0;
	enum db_status st;

	/* an election that opened has its ceremony complete and on the board */
	st = ceremony_load_draft(db, s->id, ERROR_CEREMONY_COMPLETE, &c, &s->error);
	if (st != DB_OK)
		return st;
	st = DB_ROLLBACK;
	if (protocol_dkg_complete(c.k)) {
		s->error = ERROR_CEREMONY_COMPLETE;
		goto out;
	}
	if (s->round != protocol_dkg_round(c.k)) {
		s->error = ERROR_CEREMONY_WRONG_ROUND;
		goto out;
	}
	/* every message starts with manifest_hash || LE32(index) */
	if (s->len >= 68)
		claimed = encoding_le32_get(s->data + 64);
	if (claimed >= 1 && claimed <= c.m->n && protocol_dkg_has(c.k, s->round, claimed)) {
		s->error = ERROR_CEREMONY_DUPLICATE;
		goto out;
	}
	if (!protocol_dkg_add(c.k, s->round, s->data, s->len, &s->out->trustee, &s->why)) {
		s->error = ERROR_CEREMONY_BAD_MESSAGE;
		goto out;
	}
	s->out->round = s->round;
	msg.seq = c.n_msgs;
	msg.round = s->round;
	msg.trustee = s->out->trustee;
	msg.data = s->data;
	msg.len = s->len;
	timeutil_now(now);
	st = dbq_ceremony_message_insert(db, s->id, c.row.attempt, &msg, now);
	if (st != DB_OK)
		goto out;
	s->out->complete = protocol_dkg_complete(c.k);
	s->out->state = ceremony_state_name(&c);
	if (s->out->complete) {
		if (!protocol_dkg_election_hash(c.k, ehash)) {
			st = DB_ERROR;
			goto out;
		}
		st = dbq_ceremony_set_state(db, s->id, c.row.attempt, DBQ_CEREMONY_COMPLETE, ehash);
		if (st == DB_OK)
			st = dbq_audit_add(db, "trustees", "ceremony.complete", s->id, NULL);
	}
out:
	ceremony_clear(&c);
	return st;
}

/* Before the transaction: while the ceremony runs, a message must carry
 * the signature of the trustee it names, so that one nobody signed costs
 * a verification and never the write lock (the checker, in the
 * transaction, verifies it again with everything else).  Anything else
 * is left to the transaction, which names the state it finds. */
static bool
signed_by_its_trustee(struct db *db, const char *id, uint32_t round, const uint8_t *data,
                      size_t len, const char **why)
{
	const struct protocol_manifest *m;
	struct dbq_election e;
	struct dbq_ceremony row;
	void *slot = NULL;
	uint32_t d;
	bool ok = true;

	if (dbq_election_get(db, id, &e) != DB_OK || e.status != DBQ_ELECTION_DRAFT)
		return true;
	if (dbq_ceremony_alive(db, id, &row) != DB_OK)
		return true;
	if (row.state != DBQ_CEREMONY_RUNNING || (m = cm_get(id, &row, &slot)) == NULL) {
		dbq_ceremony_clear(&row);
		return true;
	}
	d = len >= 68 ? encoding_le32_get(data + 64) : 0;
	if (len < 68 + PCRYPTO_SIG_BYTES) {
		*why = "the message is too short";
		ok = false;
	} else if (d < 1 || d > m->n) {
		*why = "trustee index outside 1..n";
		ok = false;
	} else if (!pcrypto_verify(m->trustees[d - 1].pk, protocol_dkg_round_type(round), data,
	                           len - PCRYPTO_SIG_BYTES, data + len - PCRYPTO_SIG_BYTES)) {
		*why = "the trustee's signature does not verify";
		ok = false;
	}
	cm_put(m, slot);
	dbq_ceremony_clear(&row);
	return ok;
}

enum db_status
ceremony_submit(struct db *db, const char *id, uint32_t round, const uint8_t *data, size_t len,
                struct ceremony_accepted *out, enum error_code *error, const char **why)
{
	struct submit_ctx s = {id, round, data, len, out, ERROR_INTERNAL_ERROR, NULL};
	enum db_status st;

	memset(out, 0, sizeof(*out));
	if (!signed_by_its_trustee(db, id, round, data, len, why)) {
		*error = ERROR_CEREMONY_BAD_MESSAGE;
		return DB_ROLLBACK;
	}
	st = db_txn_run(db, "ceremony-message", submit_txn, &s);
	*error = s.error;
	*why = s.why;
	return st;
}
