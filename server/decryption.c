/*
 * decryption.c -- partial decryptions and the result (see the header).
 *
 * The expensive part, verifying the proofs, runs before the transaction:
 * the tally event and Z_j never change once written.  Inside it, only
 * what other requests may change: whether the result is already there,
 * and whether this trustee's partial decryption already is.
 */
#include "decryption.h"

#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "dbq_board.h"
#include "elections.h"
#include "log.h"
#include "protocol_decrypt.h"
#include "timeutil.h"

/* The tally event, split: N, the aggregates and tally_hash. */
struct tally_view {
	struct dbq_event ev;
	uint32_t n_counted;
	const uint8_t (*ab)[32];
	uint8_t tally_hash[64];
};

static bool
tally_view(const struct elections_manifest *em, struct tally_view *tv)
{
	uint32_t total = protocol_manifest_total_candidates(em->m);
	size_t head;

	if (tv->ev.len < 68)
		return false;
	tv->n_counted = encoding_le32_get(tv->ev.data + 64);
	head = 68 + (size_t)tv->n_counted * 64;
	if (tv->n_counted > em->m->n_voters || tv->ev.len != head + (size_t)total * 64 ||
	    memcmp(tv->ev.data, em->election_hash, 64) != 0)
		return false;
	tv->ab = (const uint8_t(*)[32])(tv->ev.data + head);
	pcrypto_h64("tally", tv->ev.data, tv->ev.len, tv->tally_hash);
	return true;
}

struct submit_ctx {
	const char *id;
	const struct elections_manifest *em;
	const struct tally_view *tv;
	const uint8_t *data;
	size_t len;
	uint32_t j;
	struct decryption_accepted *out;
	enum error_code error;
	/* the partial decryptions on the board (data copies) */
	uint8_t *pd[DKG_Q_MAX];
	size_t pd_len[DKG_Q_MAX];
	uint32_t n_pd;
	bool failed;
};

static void
pds_free(struct submit_ctx *s)
{
	for (uint32_t i = 0; i < s->n_pd; i++)
		free(s->pd[i]);
	s->n_pd = 0;
}

static bool
keep_pd(void *cls, const struct dbq_event *ev)
{
	struct submit_ctx *s = cls;

	if (ev->type != PROTOCOL_EVENT_PARTIAL_DECRYPTION)
		return true;
	if (s->n_pd >= DKG_Q_MAX || (s->pd[s->n_pd] = malloc(ev->len ? ev->len : 1)) == NULL) {
		s->failed = true;
		return false;
	}
	memcpy(s->pd[s->n_pd], ev->data, ev->len);
	s->pd_len[s->n_pd++] = ev->len;
	return true;
}

static int
cmp_pdec(const void *a, const void *b)
{
	const struct protocol_pdec *x = a, *y = b;

	return x->j < y->j ? -1 : x->j > y->j;
}

/* The t partial decryptions are on the board: combine the t smallest
 * indices, recompute the counted set for the tie-break, and append the
 * result. */
static enum db_status
append_result(struct db *db, struct submit_ctx *s, const char *now)
{
	const struct protocol_manifest *m = s->em->m;
	uint32_t total = protocol_manifest_total_candidates(m), q[DKG_Q_MAX];
	struct protocol_pdec pd[DKG_Q_MAX];
	struct protocol_result *res = NULL;
	struct protocol_tally *tally = NULL;
	struct encoding_buf body;
	uint32_t *counts = calloc(total + 1, sizeof(*counts)), n;
	const char *why = NULL;
	uint8_t h[64];
	enum db_status st = DB_ERROR;

	encoding_buf_init(&body);
	if (counts == NULL)
		goto out;
	for (uint32_t i = 0; i < s->n_pd; i++)
		if (!protocol_pdec_parse(m, s->pd[i], s->pd_len[i], &pd[i], &why))
			goto bug;
	qsort(pd, s->n_pd, sizeof(pd[0]), cmp_pdec);
	for (uint32_t i = 0; i < m->t; i++)
		q[i] = pd[i].j;
	if (!protocol_decrypt_combine(total, s->tv->ab, pd, m->t, s->tv->n_counted, counts, &why))
		goto bug;
	st = elections_count(db, s->id, s->em, &tally, NULL);
	if (st != DB_OK)
		goto out;
	st = DB_ERROR;
	/* the counted set is the one the tally event was made of */
	if (!protocol_tally_body(tally, s->em->election_hash, &body) || body.failed ||
	    body.len != s->tv->ev.len || memcmp(body.data, s->tv->ev.data, body.len) != 0) {
		why = "the tally recomputed from the board differs from the tally event";
		goto bug;
	}
	if (!protocol_tally_finish_counts(tally, s->em->election_hash, counts, q, m->t, &res))
		goto out;
	st = dbq_board_append(db, s->id, PROTOCOL_EVENT_RESULT, now, res->body, res->body_len, NULL,
	                      &n, h);
	s->out->result = st == DB_OK;
	goto out;
bug:
	LOG_BUG("election %s: cannot compute the result from %u verified partial decryptions: %s",
	        s->id, s->n_pd, why ? why : "?");
out:
	protocol_result_free(res);
	protocol_tally_free(tally);
	encoding_buf_free(&body);
	free(counts);
	return st;
}

static enum db_status
submit_txn(struct db *db, void *cls)
{
	struct submit_ctx *s = cls;
	struct dbq_event ev;
	char now[TIMEUTIL_LEN + 1];
	uint8_t h[64];
	enum db_status st;

	pds_free(s);
	s->failed = false;
	s->out->result = false;
	st = dbq_board_first_of_type(db, s->id, PROTOCOL_EVENT_RESULT, &ev);
	if (st == DB_OK) {
		free(ev.data);
		s->error = ERROR_DECRYPTION_COMPLETE;
		return DB_ROLLBACK;
	}
	if (st != DB_NOT_FOUND)
		return st;
	st = dbq_board_each(db, s->id, s->tv->ev.n + 1, UINT32_MAX, keep_pd, s);
	if (st != DB_OK || s->failed)
		return st != DB_OK ? st : DB_ERROR;
	for (uint32_t i = 0; i < s->n_pd; i++)
		if (s->pd_len[i] >= 68 && encoding_le32_get(s->pd[i] + 64) == s->j) {
			s->error = ERROR_DECRYPTION_DUPLICATE;
			return DB_ROLLBACK;
		}
	timeutil_now(now);
	st = dbq_board_append(db, s->id, PROTOCOL_EVENT_PARTIAL_DECRYPTION, now, s->data, s->len,
	                      NULL, &s->out->n, h);
	if (st != DB_OK || s->n_pd + 1 < s->em->m->t)
		return st;
	/* this one completes the set: the result goes with it */
	if ((s->pd[s->n_pd] = malloc(s->len)) == NULL)
		return DB_ERROR;
	memcpy(s->pd[s->n_pd], s->data, s->len);
	s->pd_len[s->n_pd++] = s->len;
	return append_result(db, s, now);
}

enum db_status
decryption_submit(struct db *db, const char *id, const uint8_t *data, size_t len,
                  struct decryption_accepted *out, enum error_code *error, const char **why)
{
	const struct elections_manifest *em = NULL;
	struct submit_ctx s = {.id = id, .data = data, .len = len, .out = out};
	struct tally_view tv = {0};
	struct protocol_pdec pd;
	json_t *draft;
	enum db_status st;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	st = elections_manifest_get(db, id, &em);
	if (st == DB_NOT_FOUND) {
		/* a draft has no tally, and an open-ballot one never will */
		st = ceremony_secret_draft(db, id, ERROR_ELECTION_NOT_CLOSED, &draft, error);
		json_decref(draft);
		if (st == DB_OK) {
			*error = ERROR_ELECTION_NOT_CLOSED;
			st = DB_ROLLBACK;
		}
		return st;
	}
	if (st != DB_OK)
		return st;
	st = DB_ROLLBACK;
	if (em->m->mode != PROTOCOL_MODE_SECRET) {
		*error = ERROR_ELECTION_NOT_SECRET;
		goto out;
	}
	st = dbq_board_first_of_type(db, id, PROTOCOL_EVENT_TALLY, &tv.ev);
	if (st == DB_NOT_FOUND) {
		*error = ERROR_ELECTION_NOT_CLOSED;
		st = DB_ROLLBACK;
		goto out;
	}
	if (st != DB_OK)
		goto out;
	if (!tally_view(em, &tv)) {
		LOG_BUG("election %s: the tally event does not parse", id);
		st = DB_ERROR;
		goto out;
	}
	st = DB_ROLLBACK;
	*error = ERROR_DECRYPTION_INVALID;
	if (!protocol_pdec_parse(em->m, data, len, &pd, why))
		goto out;
	if (pd.j < 1 || pd.j > em->m->n) {
		*why = "trustee index outside 1..n";
		goto out;
	}
	if (!protocol_pdec_verify(em->m, em->election_hash, tv.tally_hash,
	                          protocol_dkg_z(em->dkg, pd.j), tv.ab, &pd, why))
		goto out;
	s.em = em;
	s.tv = &tv;
	s.j = pd.j;
	s.error = ERROR_INTERNAL_ERROR;
	out->trustee = pd.j;
	st = db_txn_run(db, "partial-decryption", submit_txn, &s);
	*error = s.error;
	pds_free(&s);
out:
	free(tv.ev.data);
	elections_manifest_put(em);
	return st;
}
