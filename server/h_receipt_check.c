/*
 * h_receipt_check.c -- POST /api/elections/{id}/receipts/check: does the
 * board hold the ballot this receipt names?  The answer says why not, in
 * words a delegate can act on: a receipt that the server signed but the
 * board contradicts is evidence of misbehaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dbq_board.h"
#include "dbq_elections.h"
#include "handlers.h"
#include "jspec.h"
#include "protocol_board.h"
#include "reply.h"

static enum MHD_Result
verdict(struct request *rq, bool held, const char *code, const char *explanation)
{
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:b, s:s, s:s}", "held", held, "verdict", code, "explanation",
	                            explanation));
}

enum MHD_Result
h_receipt_check(struct request *rq)
{
	struct protocol_receipt r;
	struct jspec_field spec[] = {
	    {JSPEC_HEX("election_hash", r.election_hash, 64)},
	    {JSPEC_U32("n", &r.n, 0, INT32_MAX)},
	    {JSPEC_HEX("event_hash", r.event_hash, 64)},
	    {JSPEC_HEX("ballot_hash", r.ballot_hash, 64)},
	    {JSPEC_HEX("signature", r.signature, 64)},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	struct db *db = db_thread();
	struct dbq_election e;
	struct dbq_event ev;
	enum db_status st;
	bool same;

	if (!jspec_parse(rq->json, spec, &jerr))
		return reply_error(rq, jerr.code, jerr.field);
	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dbq_election_get(db, rq->args[0], &e);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (!protocol_receipt_verify(app_get()->key.pk, &r))
		return verdict(rq, false, "not_signed_by_server",
		               "The receipt's signature is not this server's. It was not issued "
		               "here, or it was altered: check that you sent the file you saved.");
	if (!e.has_election_hash || memcmp(e.election_hash, r.election_hash, 64) != 0)
		return verdict(rq, false, "other_election",
		               "This server signed the receipt, but for another election. Check it "
		               "against the election it names.");
	st = dbq_board_get(db, e.id, r.n, &ev);
	if (st == DB_NOT_FOUND)
		return verdict(rq, false, "missing",
		               "The server signed this receipt, but its board has no such event. "
		               "Keep the receipt: it is evidence that the board was changed. Give "
		               "it to the auditors.");
	if (st != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	same = ev.type == PROTOCOL_EVENT_BALLOT && memcmp(ev.hash, r.event_hash, 64) == 0;
	if (same) {
		uint8_t bh[64];

		/* the event data is ballot_body || sig(64) */
		same = ev.len > 64;
		if (same) {
			pcrypto_h64("ballot", ev.data, ev.len - 64, bh);
			same = memcmp(bh, r.ballot_hash, 64) == 0;
		}
	}
	free(ev.data);
	if (!same)
		return verdict(rq, false, "differs",
		               "The server signed this receipt, but the board's event at this "
		               "number is different. Keep the receipt: it is evidence that the "
		               "board was changed. Give it to the auditors.");
	return verdict(rq, true, "held",
	               "Your ballot is on the public board, at the place the receipt names, "
	               "and everything before it is unchanged.");
}
