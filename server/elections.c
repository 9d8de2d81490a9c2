/*
 * elections.c -- opening, casting, closing, and the schedule timer.
 *
 * Every state change and the board event it causes are written in one
 * transaction: the open event with the manifest and the roll, a ballot
 * with the revote check, the close event with the computed result.  A
 * ballot's receipt is signed only after its transaction has committed
 * (synchronous=FULL: the WAL is fsync'ed), so an acknowledged ballot
 * survives a crash.
 */
#include "elections.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "dbq_audit.h"
#include "dbq_board.h"
#include "dbq_elections.h"
#include "ceremony.h"
#include "dbq_alphas.h"
#include "election_build.h"
#include "election_draft.h"
#include "log.h"
#include "protocol_ballot.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "timeutil.h"

/* ---- the manifest cache ---- */

#define CACHE_SLOTS 32

struct cache_slot {
	char id[65];
	struct elections_manifest *em;
	unsigned refs;
};

static struct cache_slot cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void
manifest_free(struct elections_manifest *em)
{
	if (em == NULL)
		return;
	protocol_dkg_free(em->dkg);
	protocol_manifest_free(em->m);
	free(em->view);
	free(em);
}

static pthread_mutex_t view_lock = PTHREAD_MUTEX_INITIALIZER;

const char *
elections_manifest_view(const struct elections_manifest *cem,
                        char *(*build)(const struct elections_manifest *em), size_t *len)
{
	/* the cache owns the struct; only this field is written, under the lock */
	struct elections_manifest *em = (struct elections_manifest *)cem;
	const char *view;

	pthread_mutex_lock(&view_lock);
	if (em->view == NULL) {
		em->view = build(em);
		em->view_len = em->view ? strlen(em->view) : 0;
	}
	view = em->view;
	*len = em->view_len;
	pthread_mutex_unlock(&view_lock);
	return view;
}

struct dkg_replay {
	struct protocol_dkg *k;
	uint32_t seen;
	bool failed;
};

static bool
dkg_event(void *cls, const struct dbq_event *ev)
{
	struct dkg_replay *r = cls;
	const char *why = NULL;

	if (ev->type < PROTOCOL_EVENT_DKG_ROUND0 || ev->type > PROTOCOL_EVENT_DKG_ROUND3)
		return false;
	r->seen++;
	if (!protocol_dkg_add(r->k, ev->type - PROTOCOL_EVENT_DKG_ROUND0, ev->data, ev->len, NULL,
	                      &why)) {
		LOG_BUG("dkg event %u does not pass: %s", ev->n, why);
		r->failed = true;
		return false;
	}
	return true;
}

/* Secret mode: Y and every Z_j, from the ceremony on the board (events
 * 1..4n), checked again, and its election_hash against the stored one. */
static bool
load_ceremony(struct db *db, const char *id, struct elections_manifest *em)
{
	struct dkg_replay r = {0};
	uint8_t manifest_hash[64], ehash[64];
	struct dbq_event ev;

	if (dbq_board_get(db, id, 0, &ev) != DB_OK)
		return false;
	protocol_manifest_hash(ev.data, ev.len, manifest_hash);
	free(ev.data);
	r.k = em->dkg = protocol_dkg_new(em->m, manifest_hash);
	if (r.k == NULL || dbq_board_each(db, id, 1, 4 * em->m->n, dkg_event, &r) != DB_OK ||
	    r.failed || !protocol_dkg_complete(r.k) || !protocol_dkg_election_hash(r.k, ehash) ||
	    sodium_memcmp(ehash, em->election_hash, 64) != 0) {
		LOG_BUG("election %s: the key ceremony on the board does not give its "
		        "election_hash",
		        id);
		return false;
	}
	em->y = protocol_dkg_y(r.k);
	return true;
}

static struct elections_manifest *
manifest_load(struct db *db, const char *id, enum db_status *st)
{
	struct elections_manifest *em;
	struct dbq_election e;
	struct dbq_event ev;
	const char *why = NULL;

	*st = dbq_election_get(db, id, &e);
	if (*st != DB_OK)
		return NULL;
	if (!e.has_election_hash) {
		*st = DB_NOT_FOUND;
		return NULL;
	}
	*st = dbq_board_get(db, id, 0, &ev);
	if (*st != DB_OK)
		return NULL;
	em = calloc(1, sizeof(*em));
	if (em == NULL || ev.type != PROTOCOL_EVENT_MANIFEST ||
	    !protocol_manifest_decode(ev.data, ev.len, &em->m, &why)) {
		LOG_BUG("election %s: manifest does not decode: %s", id, why ? why : "?");
		free(ev.data);
		free(em);
		*st = DB_ERROR;
		return NULL;
	}
	free(ev.data);
	memcpy(em->election_hash, e.election_hash, 64);
	if (em->m->mode == PROTOCOL_MODE_SECRET && !load_ceremony(db, id, em)) {
		manifest_free(em);
		*st = DB_ERROR;
		return NULL;
	}
	return em;
}

enum db_status
elections_manifest_get(struct db *db, const char *id, const struct elections_manifest **out)
{
	struct elections_manifest *em;
	struct cache_slot *free_slot = NULL;
	enum db_status st;

	pthread_mutex_lock(&cache_lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].em != NULL && strcmp(cache[i].id, id) == 0) {
			cache[i].refs++;
			*out = cache[i].em;
			pthread_mutex_unlock(&cache_lock);
			return DB_OK;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	em = manifest_load(db, id, &st);
	if (em == NULL)
		return st;
	pthread_mutex_lock(&cache_lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].em != NULL && strcmp(cache[i].id, id) == 0) {
			/* another thread won the race: use its copy */
			manifest_free(em);
			cache[i].refs++;
			*out = cache[i].em;
			pthread_mutex_unlock(&cache_lock);
			return DB_OK;
		}
		if (free_slot == NULL && (cache[i].em == NULL || cache[i].refs == 0))
			free_slot = &cache[i];
	}
	if (free_slot == NULL) {
		/* every slot is in use right now: hand out an uncached copy */
		pthread_mutex_unlock(&cache_lock);
		*out = em;
		return DB_OK;
	}
	manifest_free(free_slot->em);
	snprintf(free_slot->id, sizeof(free_slot->id), "%s", id);
	free_slot->em = em;
	free_slot->refs = 1;
	*out = em;
	pthread_mutex_unlock(&cache_lock);
	return DB_OK;
}

void
elections_manifest_put(const struct elections_manifest *em)
{
	pthread_mutex_lock(&cache_lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].em == em) {
			cache[i].refs--;
			pthread_mutex_unlock(&cache_lock);
			return;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	manifest_free((struct elections_manifest *)em); /* an uncached copy */
}

/* ---- opening ---- */

json_t *
elections_draft_problems(struct db *db, const char *id, const json_t *draft)
{
	bool secret = election_draft_secret(draft);
	struct election_draft_ceremony facts;
	struct election_build b = {0};
	struct ceremony c = {0};
	json_t *problems = NULL;
	enum db_status st = DB_NOT_FOUND;

	if (secret) {
		st = ceremony_load(db, id, &c);
		if (st != DB_OK && st != DB_NOT_FOUND)
			return NULL;
	}
	/* the manifest (costly with a long roll) only to see whether the
	 * frozen one is stale */
	if (election_build(db, id, draft, st == DB_OK, &b) != DB_OK)
		goto out;
	if (secret) {
		if (ceremony_draft_facts(db, id, st == DB_OK ? &c : NULL,
		                         b.has_manifest ? &b.manifest : NULL, &facts) != DB_OK)
			goto out;
		election_draft_ceremony_problems(draft, &facts, b.problems);
	}
	problems = json_incref(b.problems);
out:
	ceremony_clear(&c);
	election_build_free(&b);
	return problems;
}

struct open_ctx {
	const char *id, *actor;
	json_t *problems;
};

/* Secret mode: the complete ceremony goes on the board after the
 * manifest, its messages in the order they were accepted. */
static enum db_status
append_ceremony(struct db *db, const char *id, const struct ceremony *c, const char *now)
{
	uint8_t h[64];
	uint32_t n;
	enum db_status st = DB_OK;

	for (uint32_t i = 0; st == DB_OK && i < c->n_msgs; i++)
		st = dbq_board_append(db, id, PROTOCOL_EVENT_DKG_ROUND0 + c->msgs[i].round, now,
		                      c->msgs[i].data, c->msgs[i].len, NULL, &n, h);
	return st;
}

static enum db_status
open_txn(struct db *db, void *cls)
{
	struct open_ctx *c = cls;
	struct election_build b = {0};
	struct encoding_buf open_data;
	struct election_draft_ceremony facts;
	struct ceremony cer = {0};
	struct dbq_election e;
	uint8_t mhash[64], ehash[64], h[64];
	char *text = NULL, now[TIMEUTIL_LEN + 1];
	json_t *draft = NULL;
	bool secret;
	enum db_status st;
	uint32_t n;

	encoding_buf_init(&open_data);
	json_decref(c->problems);
	c->problems = NULL;
	st = dbq_election_get(db, c->id, &e);
	if (st != DB_OK)
		goto out;
	if (e.status != DBQ_ELECTION_DRAFT) {
		st = DB_CONFLICT;
		goto out;
	}
	st = dbq_election_draft_get(db, c->id, &text);
	if (st != DB_OK)
		goto out;
	draft = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (draft == NULL) {
		st = DB_ERROR;
		goto out;
	}
	secret = election_draft_secret(draft);
	st = election_build(db, c->id, draft, true, &b);
	if (st != DB_OK)
		goto out;
	if (secret) {
		st = ceremony_load(db, c->id, &cer);
		if (st != DB_OK && st != DB_NOT_FOUND)
			goto out;
		st = ceremony_draft_facts(db, c->id, cer.k != NULL ? &cer : NULL,
		                          b.has_manifest ? &b.manifest : NULL, &facts);
		if (st != DB_OK)
			goto out;
		election_draft_ceremony_problems(draft, &facts, b.problems);
	}
	c->problems = json_incref(b.problems);
	if (json_array_size(c->problems) > 0 || !b.has_manifest) {
		st = DB_ROLLBACK;
		goto out;
	}
	timeutil_now(now);
	protocol_manifest_hash(b.manifest.data, b.manifest.len, mhash);
	if (secret) {
		/* not stale: the frozen manifest is the one built now */
		if (!protocol_dkg_election_hash(cer.k, ehash)) {
			st = DB_ERROR;
			goto out;
		}
	} else {
		protocol_election_hash_open(mhash, ehash);
	}
	st = dbq_board_append(db, c->id, PROTOCOL_EVENT_MANIFEST, now, b.manifest.data,
	                      b.manifest.len, NULL, &n, h);
	if (st == DB_OK && secret)
		st = append_ceremony(db, c->id, &cer, now);
	if (st != DB_OK)
		goto out;
	protocol_board_open_data(ehash, &open_data);
	if (open_data.failed) {
		st = DB_ERROR;
		goto out;
	}
	st = dbq_board_append(db, c->id, PROTOCOL_EVENT_OPEN, now, open_data.data, open_data.len,
	                      NULL, &n, h);
	if (st == DB_OK)
		st = dbq_election_set_hash(db, c->id, ehash);
	if (st == DB_OK)
		st = dbq_election_set_status(db, c->id, DBQ_ELECTION_OPEN);
	for (size_t i = 0; st == DB_OK && i < b.n_roll; i++)
		st = dbq_roll_insert(db, c->id, b.roll[i].id, b.roll[i].pk);
	if (st == DB_OK)
		st = dbq_audit_add(db, c->actor, "election.open", c->id, NULL);
out:
	ceremony_clear(&cer);
	election_build_free(&b);
	json_decref(draft);
	free(text);
	encoding_buf_free(&open_data);
	return st;
}

enum db_status
elections_open(struct db *db, const char *id, const char *actor, json_t **problems)
{
	struct open_ctx c = {id, actor, NULL};
	enum db_status st = db_txn_run(db, "election-open", open_txn, &c);

	*problems = c.problems;
	return st;
}

/* ---- closing ---- */

struct count_ctx {
	const struct elections_manifest *em;
	struct protocol_tally *tally;
	uint32_t ballots;
	bool failed;
};

static bool
count_ballot(void *cls, const struct dbq_event *ev)
{
	struct count_ctx *c = cls;
	const struct protocol_manifest *m = c->em->m;
	uint8_t hash[64];
	int64_t voter = -1;

	if (ev->type != PROTOCOL_EVENT_BALLOT)
		return true;
	c->ballots++;
	/* every stored ballot passed every check when it was cast */
	if (ev->len < 64) {
		c->failed = true;
		return false;
	}
	protocol_ballot_hash(ev->data, ev->len - 64, hash);
	if (m->mode == PROTOCOL_MODE_SECRET) {
		struct protocol_sballot b;

		if (protocol_sballot_parse(m, ev->data, ev->len - 64, &b) != PROTOCOL_BALLOT_OK) {
			c->failed = true;
			return false;
		}
		voter = protocol_manifest_voter_find(m, b.voter_pk);
		if (voter >= 0)
			protocol_tally_add_secret(c->tally, (uint32_t)voter, ev->n, &b, hash);
		protocol_sballot_clear(&b);
	} else {
		struct protocol_ballot b;

		if (protocol_ballot_parse(m, ev->data, ev->len - 64, &b) != PROTOCOL_BALLOT_OK) {
			c->failed = true;
			return false;
		}
		voter = protocol_manifest_voter_find(m, b.voter_pk);
		if (voter >= 0)
			protocol_tally_add(c->tally, (uint32_t)voter, ev->n, &b, hash);
		protocol_ballot_clear(&b);
	}
	c->failed = voter < 0;
	return !c->failed;
}

enum db_status
elections_count(struct db *db, const char *id, const struct elections_manifest *em,
                struct protocol_tally **out, uint32_t *ballots)
{
	struct count_ctx c = {em, NULL, 0, false};
	enum db_status st;

	*out = NULL;
	c.tally = protocol_tally_new(em->m);
	if (c.tally == NULL)
		return DB_ERROR;
	st = dbq_board_each(db, id, 0, UINT32_MAX, count_ballot, &c);
	if (st == DB_OK && c.failed) {
		LOG_BUG("election %s: a stored ballot does not parse", id);
		st = DB_ERROR;
	}
	if (st != DB_OK) {
		protocol_tally_free(c.tally);
		return st;
	}
	*out = c.tally;
	if (ballots != NULL)
		*ballots = c.ballots;
	return DB_OK;
}

struct close_ctx {
	const char *id, *actor;
	const struct elections_manifest *em;
};

/* Open mode: close, then result.  Secret mode: close, then tally (with
 * the aggregates); the result follows the trustees' partial decryptions
 * (decryption.c), or at once when nobody voted (spec §11: N = 0, all
 * counts 0, nothing decrypted, Q empty). */
static enum db_status
close_txn(struct db *db, void *cls)
{
	struct close_ctx *c = cls;
	const struct protocol_manifest *m = c->em->m;
	struct protocol_result *res = NULL;
	struct protocol_tally *tally = NULL;
	struct encoding_buf data, body;
	struct dbq_election e;
	char now[TIMEUTIL_LEN + 1];
	uint32_t *zero = NULL;
	uint8_t h[64];
	uint32_t n, ballots = 0;
	enum db_status st;

	encoding_buf_init(&data);
	encoding_buf_init(&body);
	st = dbq_election_get(db, c->id, &e);
	if (st != DB_OK)
		return st;
	if (e.status != DBQ_ELECTION_OPEN)
		return DB_CONFLICT;
	st = elections_count(db, c->id, c->em, &tally, &ballots);
	if (st != DB_OK) {
		if (st == DB_ERROR)
			LOG_BUG("election %s: not closing", c->id);
		return st;
	}
	timeutil_now(now);
	protocol_board_close_data(c->em->election_hash, ballots, &data);
	if (data.failed) {
		st = DB_ERROR;
		goto out;
	}
	st = dbq_board_append(db, c->id, PROTOCOL_EVENT_CLOSE, now, data.data, data.len, NULL, &n,
	                      h);
	if (st != DB_OK)
		goto out;
	if (m->mode == PROTOCOL_MODE_SECRET) {
		if (!protocol_tally_body(tally, c->em->election_hash, &body) || body.failed) {
			st = DB_ERROR;
			goto out;
		}
		st = dbq_board_append(db, c->id, PROTOCOL_EVENT_TALLY, now, body.data, body.len,
		                      NULL, &n, h);
		if (st != DB_OK || protocol_tally_counted(tally) > 0)
			goto closed;
		zero = calloc(protocol_manifest_total_candidates(m) + 1, sizeof(*zero));
		if (zero == NULL || !protocol_tally_finish_counts(tally, c->em->election_hash, zero,
		                                                  NULL, 0, &res)) {
			st = DB_ERROR;
			goto out;
		}
	} else if (!protocol_tally_finish(tally, c->em->election_hash, &res)) {
		st = DB_ERROR;
		goto out;
	}
	st = dbq_board_append(db, c->id, PROTOCOL_EVENT_RESULT, now, res->body, res->body_len, NULL,
	                      &n, h);
closed:
	if (st == DB_OK)
		st = dbq_election_set_status(db, c->id, DBQ_ELECTION_CLOSED);
	if (st == DB_OK)
		st = dbq_audit_add(db, c->actor, "election.close", c->id, NULL);
out:
	free(zero);
	protocol_result_free(res);
	protocol_tally_free(tally);
	encoding_buf_free(&data);
	encoding_buf_free(&body);
	return st;
}

enum db_status
elections_close(struct db *db, const char *id, const char *actor)
{
	struct close_ctx c = {id, actor, NULL};
	enum db_status st = elections_manifest_get(db, id, &c.em);

	if (st == DB_NOT_FOUND) {
		struct dbq_election e;

		/* a draft has no manifest yet: it cannot be closed */
		return dbq_election_get(db, id, &e) == DB_OK ? DB_CONFLICT : DB_NOT_FOUND;
	}
	if (st != DB_OK)
		return st;
	st = db_txn_run(db, "election-close", close_txn, &c);
	elections_manifest_put(c.em);
	return st;
}

/* ---- casting ---- */

static enum error_code
ballot_error(enum protocol_ballot_error e)
{
	switch (e) {
	case PROTOCOL_BALLOT_OK:
		break;
	case PROTOCOL_BALLOT_MALFORMED:
		return ERROR_BALLOT_MALFORMED;
	case PROTOCOL_BALLOT_TRAILING_BYTES:
		return ERROR_BALLOT_TRAILING_BYTES;
	case PROTOCOL_BALLOT_CONTEST_COUNT:
		return ERROR_BALLOT_CONTEST_COUNT;
	case PROTOCOL_BALLOT_WRONG_ELECTION:
		return ERROR_BALLOT_WRONG_ELECTION;
	case PROTOCOL_BALLOT_NOT_ON_ROLL:
		return ERROR_BALLOT_NOT_ON_ROLL;
	case PROTOCOL_BALLOT_SEQ_ZERO:
		return ERROR_BALLOT_SEQ_ZERO;
	case PROTOCOL_BALLOT_COUNT_RANGE:
		return ERROR_BALLOT_COUNT_RANGE;
	case PROTOCOL_BALLOT_INDEX_ORDER:
		return ERROR_BALLOT_INDEX_ORDER;
	case PROTOCOL_BALLOT_INDEX_RANGE:
		return ERROR_BALLOT_INDEX_RANGE;
	case PROTOCOL_BALLOT_BAD_SIGNATURE:
		return ERROR_BALLOT_BAD_SIGNATURE;
	case PROTOCOL_BALLOT_SHAPE:
		return ERROR_BALLOT_SHAPE;
	case PROTOCOL_BALLOT_NONCANONICAL:
		return ERROR_BALLOT_NONCANONICAL;
	case PROTOCOL_BALLOT_IDENTITY:
		return ERROR_BALLOT_IDENTITY;
	case PROTOCOL_BALLOT_BAD_PROOF:
		return ERROR_BALLOT_BAD_PROOF;
	case PROTOCOL_BALLOT_ALPHA_REUSED:
		return ERROR_BALLOT_ALPHA_REUSED;
	case PROTOCOL_BALLOT_NO_MEMORY:
		break;
	}
	return ERROR_INTERNAL_ERROR;
}

/* A queued ballot: what was checked outside the transaction, and, once
 * the writer is done, the outcome. */
struct elections_job {
	char id[65];
	const struct elections_manifest *em;
	uint8_t *data; /* ballot_body || sig, as the board stores it */
	size_t len;    /* of the body */
	uint8_t voter_pk[32];
	uint32_t seq;
	uint8_t hash[64];
	/* secret mode: every alpha of the ballot, for weeding */
	uint8_t (*alphas)[32];
	uint32_t n_alphas;
	void (*done)(void *cls);
	void *cls;
	struct elections_job *next;
	/* outcome */
	enum db_status status;
	enum error_code error;
	bool duplicate; /* refused as an exact copy: receipt names the stored one */
	struct elections_receipt receipt;
};

/* Appends one job's ballot inside the batch transaction; a refusal writes
 * nothing (every check comes before the append), so it does not disturb
 * the other ballots of the batch. */
static enum db_status
cast_one(struct db *db, struct elections_job *j)
{
	struct dbq_ballot_meta meta;
	struct dbq_election e;
	uint32_t last;
	char now[TIMEUTIL_LEN + 1];
	enum db_status st;

	st = dbq_election_get(db, j->id, &e);
	if (st != DB_OK)
		return st;
	if (e.status != DBQ_ELECTION_OPEN) {
		j->error = e.status == DBQ_ELECTION_CLOSED ? ERROR_ELECTION_CLOSED
		                                           : ERROR_ELECTION_NOT_OPEN;
		return DB_ROLLBACK;
	}
	/* an exact copy is refused (spec §9), but its sender gets the receipt
	 * of the stored one: after a crash or a storage failure a voter may
	 * not have received it the first time */
	st = dbq_board_find_ballot(db, j->id, j->hash, &j->receipt.n, j->receipt.event_hash);
	if (st == DB_OK) {
		j->error = ERROR_BALLOT_DUPLICATE;
		j->duplicate = true;
		return DB_ROLLBACK;
	}
	if (st != DB_NOT_FOUND)
		return st;
	/* earlier ballots of the same batch are visible here: same transaction */
	st = dbq_board_voter_last_seq(db, j->id, j->voter_pk, &last);
	if (st != DB_OK)
		return st;
	if (j->em->m->revote == 0 && (last != 0 || j->seq != 1)) {
		j->error = ERROR_BALLOT_REVOTE_NOT_ALLOWED;
		return DB_ROLLBACK;
	}
	if (j->seq <= last) {
		j->error = ERROR_BALLOT_STALE_SEQ;
		return DB_ROLLBACK;
	}
	/* weeding (spec §9): refuse a ballot whose alpha another voter cast;
	 * the voter's own earlier alphas are not refused */
	for (uint32_t k = 0; k < j->n_alphas; k++) {
		uint8_t owner[32];

		st = dbq_alpha_owner(db, j->id, j->alphas[k], owner);
		if (st == DB_OK && memcmp(owner, j->voter_pk, 32) != 0) {
			j->error = ERROR_BALLOT_ALPHA_REUSED;
			return DB_ROLLBACK;
		}
		if (st != DB_OK && st != DB_NOT_FOUND)
			return st;
	}
	memcpy(meta.voter_pk, j->voter_pk, 32);
	meta.seq = j->seq;
	memcpy(meta.ballot_hash, j->hash, 64);
	timeutil_now(now);
	st = dbq_board_append(db, j->id, PROTOCOL_EVENT_BALLOT, now, j->data, j->len + 64, &meta,
	                      &j->receipt.n, j->receipt.event_hash);
	for (uint32_t k = 0; st == DB_OK && k < j->n_alphas; k++)
		st = dbq_alpha_insert(db, j->id, j->alphas[k], j->voter_pk);
	return st;
}

static enum db_status
batch_txn(struct db *db, void *cls)
{
	struct elections_job *head = cls;

	/* a retried attempt starts every job afresh */
	for (struct elections_job *j = head; j != NULL; j = j->next) {
		enum db_status st;

		j->error = ERROR_INTERNAL_ERROR;
		j->duplicate = false;
		st = cast_one(db, j);
		j->status = st;
		if (st != DB_OK && st != DB_ROLLBACK)
			return st; /* the store failed: the whole batch fails */
	}
	return DB_OK;
}

enum db_status
elections_job_result(const struct elections_job *job, struct elections_receipt *receipt,
                     enum error_code *error)
{
	if (job->status == DB_OK || (job->status == DB_ROLLBACK && job->duplicate))
		*receipt = job->receipt;
	if (job->status == DB_ROLLBACK)
		*error = job->error;
	return job->status;
}

void
elections_job_free(struct elections_job *job)
{
	if (job == NULL)
		return;
	free(job->alphas);
	if (job->em != NULL)
		elections_manifest_put(job->em);
	free(job->data);
	free(job);
}

/* ---- the ballot writer (group commit) ---- */

#define WRITER_BATCH_MAX 512

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_cv = PTHREAD_COND_INITIALIZER;
static struct elections_job *writer_head, *writer_tail;
static bool writer_stop, writer_running;
static pthread_t writer_thread;

static void *
writer_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct elections_job *batch, *j, *next, *last;
		unsigned n = 0;
		enum db_status st;
		struct db *db;

		pthread_mutex_lock(&writer_lock);
		while (writer_head == NULL && !writer_stop)
			pthread_cond_wait(&writer_cv, &writer_lock);
		if (writer_head == NULL) {
			pthread_mutex_unlock(&writer_lock);
			break;
		}
		/* take what is queued: one transaction, one fsync, for all */
		batch = last = writer_head;
		for (n = 1; last->next != NULL && n < WRITER_BATCH_MAX; n++)
			last = last->next;
		writer_head = last->next;
		if (writer_head == NULL)
			writer_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&writer_lock);

		db = db_thread();
		st = db != NULL ? db_txn_run(db, "ballot-batch", batch_txn, batch) : DB_ERROR;
		for (j = batch; j != NULL; j = next) {
			next = j->next;
			j->next = NULL;
			/* only a committed transaction acknowledges a ballot */
			if (st != DB_OK)
				j->status = st;
			j->done(j->cls);
		}
	}
	return NULL;
}

bool
elections_writer_start(void)
{
	writer_stop = false;
	writer_running = pthread_create(&writer_thread, NULL, writer_main, NULL) == 0;
	return writer_running;
}

void
elections_writer_stop(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&writer_lock);
	writer_stop = true;
	pthread_cond_signal(&writer_cv);
	pthread_mutex_unlock(&writer_lock);
	pthread_join(writer_thread, NULL);
	writer_running = false;
}

/* The checks of a ballot that need no board, open or secret. */
static enum protocol_ballot_error
check_ballot(struct elections_job *j, int64_t *voter)
{
	const struct protocol_manifest *m = j->em->m;
	enum protocol_ballot_error be;

	if (m->mode == PROTOCOL_MODE_SECRET) {
		struct protocol_sballot b;
		uint32_t k = 0;

		be = protocol_sballot_check(m, j->em->election_hash, j->em->y, j->data, j->len,
		                            j->data + j->len, &b, j->hash, voter);
		if (be != PROTOCOL_BALLOT_OK)
			return be;
		memcpy(j->voter_pk, b.voter_pk, 32);
		j->seq = b.seq;
		j->alphas = malloc(((size_t)protocol_manifest_total_candidates(m) + 1) * 32);
		if (j->alphas == NULL) {
			protocol_sballot_clear(&b);
			return PROTOCOL_BALLOT_NO_MEMORY;
		}
		for (uint32_t c = 0; c < b.n_contests; c++)
			for (uint32_t i = 0; i < b.contests[c].n_candidates; i++)
				memcpy(j->alphas[k++], protocol_sballot_alpha(&b.contests[c], i),
				       32);
		j->n_alphas = k;
		protocol_sballot_clear(&b);
	} else {
		struct protocol_ballot b;

		be = protocol_ballot_check(m, j->em->election_hash, j->data, j->len,
		                           j->data + j->len, &b, j->hash, voter);
		if (be != PROTOCOL_BALLOT_OK)
			return be;
		memcpy(j->voter_pk, b.voter_pk, 32);
		j->seq = b.seq;
		protocol_ballot_clear(&b);
	}
	return PROTOCOL_BALLOT_OK;
}

enum db_status
elections_cast_submit(struct db *db, const char *id, const uint8_t *body, size_t len,
                      const uint8_t sig[64], void (*done)(void *cls), void *cls,
                      struct elections_job **out, enum error_code *error)
{
	struct elections_job *j;
	struct dbq_election e;
	enum protocol_ballot_error be;
	int64_t voter;
	enum db_status st;

	*out = NULL;
	st = dbq_election_get(db, id, &e);
	if (st != DB_OK)
		return st;
	if (e.status != DBQ_ELECTION_OPEN) {
		*error = e.status == DBQ_ELECTION_CLOSED ? ERROR_ELECTION_CLOSED
		                                         : ERROR_ELECTION_NOT_OPEN;
		return DB_ROLLBACK;
	}
	if (db_failed())
		return DB_IO_ERROR;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return DB_ERROR;
	snprintf(j->id, sizeof(j->id), "%s", id);
	st = elections_manifest_get(db, id, &j->em);
	if (st != DB_OK) {
		elections_job_free(j);
		return st;
	}
	j->data = malloc(len + 64);
	if (j->data == NULL) {
		elections_job_free(j);
		return DB_ERROR;
	}
	memcpy(j->data, body, len);
	memcpy(j->data + len, sig, 64);
	j->len = len;
	/* the expensive checks (parse, rules, signature, proofs) run here, in
	 * the request's thread; the board-dependent ones in the writer's batch */
	be = check_ballot(j, &voter);
	if (be != PROTOCOL_BALLOT_OK) {
		*error = ballot_error(be);
		elections_job_free(j);
		return DB_ROLLBACK;
	}
	memcpy(j->receipt.ballot_hash, j->hash, 64);
	memcpy(j->receipt.election_hash, j->em->election_hash, 64);
	j->done = done;
	j->cls = cls;
	pthread_mutex_lock(&writer_lock);
	if (!writer_running || writer_stop) {
		pthread_mutex_unlock(&writer_lock);
		elections_job_free(j);
		return DB_ERROR;
	}
	if (writer_tail != NULL)
		writer_tail->next = j;
	else
		writer_head = j;
	writer_tail = j;
	pthread_cond_signal(&writer_cv);
	pthread_mutex_unlock(&writer_lock);
	*out = j;
	return DB_OK;
}

/* ---- the timer ---- */

static pthread_t timer_thread;
static atomic_bool timer_stop;
static bool timer_running;

/* Drafts that were due but could not open are retried once a minute,
 * not every second (each attempt reads the whole registry), unless the
 * secretariat has saved the draft since. */
#define TIMER_RETRY_S     60
#define TIMER_BLOCKED_MAX 64

static struct {
	char id[65];
	char updated_at[32];
	time_t retry_at;
} timer_blocked[TIMER_BLOCKED_MAX];

static bool
timer_waiting(const char *id, const char *updated_at, time_t now)
{
	for (unsigned i = 0; i < TIMER_BLOCKED_MAX; i++)
		if (strcmp(timer_blocked[i].id, id) == 0)
			return timer_blocked[i].retry_at > now &&
			       strcmp(timer_blocked[i].updated_at, updated_at) == 0;
	return false;
}

static void
timer_note_blocked(const char *id, const char *updated_at, time_t now)
{
	unsigned slot = 0;

	for (unsigned i = 0; i < TIMER_BLOCKED_MAX; i++) {
		if (strcmp(timer_blocked[i].id, id) == 0) {
			slot = i;
			break;
		}
		if (timer_blocked[i].retry_at < timer_blocked[slot].retry_at)
			slot = i;
	}
	snprintf(timer_blocked[slot].id, sizeof(timer_blocked[slot].id), "%s", id);
	snprintf(timer_blocked[slot].updated_at, sizeof(timer_blocked[slot].updated_at), "%s",
	         updated_at);
	timer_blocked[slot].retry_at = now + TIMER_RETRY_S;
}

static void
timer_act(void *cls, const char *id, bool open, const char *updated_at)
{
	struct db *db = cls;
	json_t *problems = NULL;
	time_t now = time(NULL);
	enum db_status st;

	if (open) {
		if (timer_waiting(id, updated_at, now))
			return;
		st = elections_open(db, id, "timer", &problems);
		if (st == DB_OK) {
			LOG_INFO("election %s opened on schedule", id);
		} else {
			if (st == DB_ROLLBACK)
				LOG_INFO("election %s is due to open but cannot: %zu problems; "
				         "retrying in %d s",
				         id, json_array_size(problems), TIMER_RETRY_S);
			timer_note_blocked(id, updated_at, now);
		}
		json_decref(problems);
	} else {
		st = elections_close(db, id, "timer");
		if (st == DB_OK)
			LOG_INFO("election %s closed on schedule", id);
	}
}

static void *
timer_main(void *arg)
{
	char now[TIMEUTIL_LEN + 1];
	struct db *db;

	(void)arg;
	while (!atomic_load(&timer_stop)) {
		db = db_thread();
		if (db != NULL) {
			timeutil_now(now);
			if (dbq_elections_due(db, now, timer_act, db) != DB_OK)
				LOG_INFO("timer: could not read the schedule");
		}
		for (int i = 0; i < 10 && !atomic_load(&timer_stop); i++)
			usleep(100 * 1000);
	}
	return NULL;
}

bool
elections_timer_start(void)
{
	atomic_store(&timer_stop, false);
	timer_running = pthread_create(&timer_thread, NULL, timer_main, NULL) == 0;
	return timer_running;
}

void
elections_timer_stop(void)
{
	if (!timer_running)
		return;
	atomic_store(&timer_stop, true);
	pthread_join(timer_thread, NULL);
	timer_running = false;
}
