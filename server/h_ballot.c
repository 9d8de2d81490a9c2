/*
 * h_ballot.c -- POST /api/elections/{id}/ballots: a signed open ballot.
 * No session: the signature is the authentication.  201 with the
 * server's receipt only after the ballot's transaction has committed.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "elections.h"
#include "handlers.h"
#include "jspec.h"
#include "protocol_board.h"
#include "reply.h"

/* An open ballot is 140 bytes plus 4 per contest and 4 per choice; this
 * leaves room for 32 contests of 64 candidates. */
#define BALLOT_BODY_MAX 16384

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
	struct jspec_error jerr;
	struct elections_receipt er;
	struct protocol_receipt r;
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct db *db = db_thread();
	enum db_status st;
	char *json;
	json_t *receipt;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL) {
		jspec_free(spec);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	st = elections_cast(db, rq->args[0], body, len, sig, &er, &error);
	jspec_free(spec);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error,
		                   error == ERROR_BALLOT_BAD_SIGNATURE ? "signature" : "body");
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_BUSY)
		return reply_error(rq, ERROR_DATABASE_BUSY, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	/* durably committed: now the server commits itself with a receipt */
	memcpy(r.election_hash, er.election_hash, 64);
	r.n = er.n;
	memcpy(r.event_hash, er.event_hash, 64);
	memcpy(r.ballot_hash, er.ballot_hash, 64);
	if (!protocol_receipt_sign(app_get()->key.sk, &r))
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	json = protocol_receipt_to_json(&r);
	receipt = json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	if (receipt == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, MHD_HTTP_CREATED, json_pack("{s:o}", "receipt", receipt));
}
