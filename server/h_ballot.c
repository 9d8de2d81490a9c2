/*
 * h_ballot.c -- POST /api/elections/{id}/ballots: a signed ballot, open
 * (spec §8) or secret (§7).  No session: the signature is the
 * authentication.
 *
 * The ballot is checked here, queued for the ballot writer (group
 * commit), and the connection is suspended; the writer resumes it once
 * the transaction holding the ballot has committed durably, and only
 * then does the server sign and send the receipt (201).  Suspending,
 * rather than blocking a worker thread, lets one fsync'd transaction
 * carry the ballots of many connections.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "election_draft.h"
#include "elections.h"
#include "handlers.h"
#include "jspec.h"
#include "protocol_board.h"
#include "reply.h"

/* An open ballot is 140 bytes plus 4 per contest and 4 per choice; a
 * secret one about 192 bytes per candidate (election_draft.h). */
#define BALLOT_BODY_MAX DRAFT_BALLOT_MAX

/* The hand-over between the request and the writer: whichever of
 * "suspended" and "finished" comes second resumes the connection. */
struct ballot_wait {
	struct elections_job *job;
	struct MHD_Connection *conn;
	bool suspended, finished;
};

static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;

static void
ballot_wait_free(void *cls)
{
	struct ballot_wait *w = cls;

	elections_job_free(w->job);
	free(w);
}

/* Called by the writer thread after the batch committed (or failed). */
static void
ballot_done(void *cls)
{
	struct ballot_wait *w = cls;
	bool resume;

	pthread_mutex_lock(&wait_lock);
	w->finished = true;
	resume = w->suspended;
	pthread_mutex_unlock(&wait_lock);
	if (resume)
		MHD_resume_connection(w->conn);
}

/* The server's signed receipt for a ballot on the board, as JSON. */
static json_t *
receipt_json(const struct elections_receipt *er)
{
	struct protocol_receipt r;
	json_t *receipt;
	char *json;

	memcpy(r.election_hash, er->election_hash, 64);
	r.n = er->n;
	memcpy(r.event_hash, er->event_hash, 64);
	memcpy(r.ballot_hash, er->ballot_hash, 64);
	if (!protocol_receipt_sign(app_get()->key.sk, &r))
		return NULL;
	json = protocol_receipt_to_json(&r);
	receipt = json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	return receipt;
}

static enum MHD_Result
reply_outcome(struct request *rq, enum db_status st, enum error_code error,
              const struct elections_receipt *er)
{
	json_t *receipt;

	if (st == DB_ROLLBACK && error == ERROR_BALLOT_DUPLICATE && er != NULL)
		return reply_error_with(rq, error, "body", "receipt", receipt_json(er));
	if (st == DB_ROLLBACK) {
		/* the election's state is nobody's field; a ballot's fault is */
		const char *field =
		    error == ERROR_BALLOT_BAD_SIGNATURE ? "signature"
		    : error == ERROR_ELECTION_NOT_OPEN || error == ERROR_ELECTION_CLOSED ? NULL
		                                                                         : "body";

		return reply_error(rq, error, field);
	}
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_BUSY)
		return reply_error(rq, ERROR_DATABASE_BUSY, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	/* durably committed: now the server commits itself with a receipt */
	receipt = receipt_json(er);
	if (receipt == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, MHD_HTTP_CREATED, json_pack("{s:o}", "receipt", receipt));
}

enum MHD_Result
h_ballot_cast(struct request *rq)
{
	uint8_t *body = NULL, sig[64];
	size_t len = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("body", &body, &len, BALLOT_BODY_MAX)},
	    {JSPEC_HEX("signature", sig, 64)},
	    {JSPEC_END},
	};
	struct elections_receipt er;
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct jspec_error jerr;
	struct ballot_wait *w;
	struct db *db = db_thread();
	enum db_status st;
	bool finished;

	if (rq->state != NULL) {
		/* resumed: the writer is done with our ballot */
		w = rq->state;
		st = elections_job_result(w->job, &er, &error);
		return reply_outcome(rq, st, error, &er);
	}
	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL) {
		jspec_free(spec);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		jspec_free(spec);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	w->conn = rq->conn;
	rq->state = w;
	rq->state_free = ballot_wait_free;
	st =
	    elections_cast_submit(db, rq->args[0], body, len, sig, ballot_done, w, &w->job, &error);
	jspec_free(spec);
	if (st != DB_OK) {
		/* refused before queueing: nothing was stored */
		rq->state = NULL;
		rq->state_free = NULL;
		ballot_wait_free(w);
		return reply_outcome(rq, st, error, NULL);
	}
	MHD_suspend_connection(rq->conn);
	pthread_mutex_lock(&wait_lock);
	w->suspended = true;
	finished = w->finished;
	pthread_mutex_unlock(&wait_lock);
	if (finished)
		MHD_resume_connection(rq->conn);
	return MHD_YES;
}
