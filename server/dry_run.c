/*
 * dry_run.c -- the dry run (see the header).  Like the ceremony, every
 * request loads the attempt and checks inside the transaction that
 * stores; the stored partial decryptions were verified on arrival and
 * are only parsed again to combine them.
 */
#include "dry_run.h"

#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "dbq_audit.h"
#include "log.h"
#include "protocol_decrypt.h"
#include "protocol_dryrun.h"
#include "timeutil.h"

/* The complete attempt of a draft, loaded; DB_ROLLBACK with *error
 * otherwise. */
static enum db_status
complete_attempt(struct db *db, const char *id, struct ceremony *c, enum error_code *error)
{
	enum db_status st = ceremony_load_draft(db, id, ERROR_ELECTION_NOT_DRAFT, c, error);

	if (st != DB_OK)
		return st;
	if (!protocol_dkg_complete(c->k)) {
		ceremony_clear(c);
		*error = ERROR_CEREMONY_INCOMPLETE;
		return DB_ROLLBACK;
	}
	return DB_OK;
}

struct start_ctx {
	const char *id, *actor;
	enum error_code error;
};

static enum db_status
start_txn(struct db *db, void *cls)
{
	struct start_ctx *s = cls;
	struct encoding_buf data;
	struct dbq_dry_run dr;
	struct ceremony c;
	uint8_t ehash[64];
	char now[TIMEUTIL_LEN + 1];
	enum db_status st;

	st = complete_attempt(db, s->id, &c, &s->error);
	if (st != DB_OK)
		return st;
	encoding_buf_init(&data);
	st = dbq_dry_run_get(db, s->id, c.row.attempt, &dr);
	if (st == DB_OK) {
		free(dr.data);
		s->error = ERROR_DRY_RUN_STARTED;
		st = DB_ROLLBACK;
		goto out;
	}
	if (st != DB_NOT_FOUND)
		goto out;
	if (!protocol_dkg_election_hash(c.k, ehash) ||
	    !protocol_dryrun_build(c.m, ehash, protocol_dkg_y(c.k), &pgroup_rng_system, &data)) {
		st = DB_ERROR;
		goto out;
	}
	timeutil_now(now);
	st = dbq_dry_run_insert(db, s->id, c.row.attempt, data.data, data.len, now);
	if (st == DB_OK)
		st = dbq_audit_add(db, s->actor, "dry-run.start", s->id, NULL);
out:
	encoding_buf_free(&data);
	ceremony_clear(&c);
	return st;
}

enum db_status
dry_run_start(struct db *db, const char *id, const char *actor, enum error_code *error)
{
	struct start_ctx s = {id, actor, ERROR_INTERNAL_ERROR};
	enum db_status st = db_txn_run(db, "dry-run-start", start_txn, &s);

	*error = s.error;
	return st;
}

/* The stored partial decryptions, kept for the combination. */
struct partials {
	const struct protocol_manifest *m;
	uint8_t *data[DKG_Q_MAX];
	size_t len[DKG_Q_MAX];
	uint32_t trustee[DKG_Q_MAX];
	uint32_t n;
	bool failed;
};

static void
keep_partial(void *cls, uint32_t trustee, const uint8_t *data, size_t len)
{
	struct partials *p = cls;

	if (p->n >= DKG_Q_MAX || (p->data[p->n] = malloc(len ? len : 1)) == NULL) {
		p->failed = true;
		return;
	}
	memcpy(p->data[p->n], data, len);
	p->len[p->n] = len;
	p->trustee[p->n] = trustee;
	p->n++;
}

static void
partials_free(struct partials *p)
{
	for (uint32_t i = 0; i < p->n; i++)
		free(p->data[i]);
	p->n = 0;
}

/* Every trustee's proof verified: combine the t smallest indices (the
 * partials come in ascending order) and compare with the known counts. */
static bool
combine_matches(const struct ceremony *c, const struct partials *p, const uint8_t (*ab)[32])
{
	uint32_t total = protocol_manifest_total_candidates(c->m), t = c->m->t, k = 0;
	struct protocol_pdec pd[DKG_Q_MAX];
	uint32_t *counts = calloc(total ? total : 1, sizeof(*counts));
	const char *why = NULL;
	bool ok = counts != NULL && t <= p->n;

	for (uint32_t i = 0; ok && i < t; i++)
		ok = protocol_pdec_parse(c->m, p->data[i], p->len[i], &pd[i], &why);
	if (ok)
		ok = protocol_decrypt_combine(total, ab, pd, t, PROTOCOL_DRYRUN_MAX_COUNT, counts,
		                              &why);
	for (uint32_t cc = 0; ok && cc < c->m->n_contests; cc++)
		for (uint32_t i = 0; ok && i < c->m->contests[cc].n_candidates; i++, k++)
			ok = counts[k] == protocol_dryrun_count(cc, i);
	if (!ok)
		LOG_BUG("dry run: the combination of %u verified partial decryptions does not "
		        "give the known counts: %s",
		        t, why ? why : "a count differs");
	free(counts);
	return ok;
}

struct submit_ctx {
	const char *id;
	const uint8_t *data;
	size_t len;
	struct dry_run_accepted *out;
	enum error_code error;
	const char *why;
};

static enum db_status
submit_txn(struct db *db, void *cls)
{
	struct submit_ctx *s = cls;
	struct partials p = {0};
	struct protocol_pdec pd;
	struct dbq_dry_run dr = {0};
	struct ceremony c;
	uint8_t ehash[64], tally_hash[64], (*ab)[32] = NULL;
	char now[TIMEUTIL_LEN + 1];
	uint32_t total;
	enum db_status st;

	st = complete_attempt(db, s->id, &c, &s->error);
	if (st != DB_OK)
		return st;
	st = dbq_dry_run_get(db, s->id, c.row.attempt, &dr);
	if (st == DB_NOT_FOUND) {
		s->error = ERROR_DRY_RUN_NOT_STARTED;
		st = DB_ROLLBACK;
		goto out;
	}
	if (st != DB_OK)
		goto out;
	total = protocol_manifest_total_candidates(c.m);
	ab = calloc(2 * (size_t)total + 1, sizeof(*ab));
	if (ab == NULL || !protocol_dkg_election_hash(c.k, ehash) ||
	    !protocol_dryrun_parse(c.m, ehash, dr.data, dr.len, ab, tally_hash, &s->why)) {
		LOG_BUG("election %s: stored dry run does not parse", s->id);
		st = DB_ERROR;
		goto out;
	}
	st = DB_ROLLBACK;
	s->error = ERROR_DRY_RUN_BAD_PARTIAL;
	if (!protocol_pdec_parse(c.m, s->data, s->len, &pd, &s->why))
		goto out;
	if (pd.j < 1 || pd.j > c.m->n) {
		s->why = "trustee index outside 1..n";
		goto out;
	}
	p.m = c.m;
	st = dbq_dry_run_partials_each(db, s->id, c.row.attempt, keep_partial, &p);
	if (st != DB_OK || p.failed) {
		st = st != DB_OK ? st : DB_ERROR;
		goto out;
	}
	st = DB_ROLLBACK;
	for (uint32_t i = 0; i < p.n; i++)
		if (p.trustee[i] == pd.j) {
			s->error = ERROR_DRY_RUN_DUPLICATE;
			goto out;
		}
	if (!protocol_pdec_verify(c.m, ehash, tally_hash, protocol_dkg_z(c.k, pd.j),
	                          (const uint8_t(*)[32])ab, &pd, &s->why))
		goto out;
	s->out->trustee = pd.j;
	s->out->attempt = c.row.attempt;
	timeutil_now(now);
	st = dbq_dry_run_partial_insert(db, s->id, c.row.attempt, pd.j, s->data, s->len, now);
	if (st != DB_OK)
		goto out;
	s->out->state = dr.state;
	if (p.n + 1 < c.m->n || dr.state != DBQ_DRY_RUN_RUNNING)
		goto out;
	/* all n are in: reload them in trustee order, this one included */
	partials_free(&p);
	st = dbq_dry_run_partials_each(db, s->id, c.row.attempt, keep_partial, &p);
	if (st != DB_OK || p.failed) {
		st = st != DB_OK ? st : DB_ERROR;
		goto out;
	}
	s->out->state = combine_matches(&c, &p, (const uint8_t(*)[32])ab) ? DBQ_DRY_RUN_SUCCEEDED
	                                                                  : DBQ_DRY_RUN_FAILED;
	st = dbq_dry_run_set_state(db, s->id, c.row.attempt, s->out->state);
out:
	partials_free(&p);
	free(ab);
	free(dr.data);
	ceremony_clear(&c);
	return st;
}

enum db_status
dry_run_submit(struct db *db, const char *id, const uint8_t *data, size_t len,
               struct dry_run_accepted *out, enum error_code *error, const char **why)
{
	struct submit_ctx s = {id, data, len, out, ERROR_INTERNAL_ERROR, NULL};
	enum db_status st;

	memset(out, 0, sizeof(*out));
	st = db_txn_run(db, "dry-run-partial", submit_txn, &s);
	*error = s.error;
	*why = s.why;
	return st;
}
