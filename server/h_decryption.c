/*
 * h_decryption.c -- POST /api/elections/{id}/partial-decryptions: a
 * trustee's partial decryption of the tally (spec §12).  Public: the
 * trustee's signature is the authentication.  The answer says whether
 * the result went on the board with it.
 */
#include "decryption.h"
#include "handlers.h"
#include "jspec.h"
#include "reply.h"

/* PD_j || sig: 196 bytes plus 96 per candidate (32 contests of 64). */
#define PARTIAL_MAX (256 * 1024)

enum MHD_Result
h_partial_decryption(struct request *rq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("data", &data, &len, PARTIAL_MAX)},
	    {JSPEC_END},
	};
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct decryption_accepted acc;
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
	st = decryption_submit(db, rq->args[0], data, len, &acc, &error, &why);
	jspec_free(spec);
	if (st == DB_ROLLBACK && error == ERROR_DECRYPTION_INVALID)
		return reply_error_hint(rq, error, "data", why ? why : errors_lookup(error)->hint);
	if (st == DB_ROLLBACK)
		return reply_error(rq, error, NULL);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st == DB_BUSY)
		return reply_error(rq, ERROR_DATABASE_BUSY, NULL);
	if (st == DB_IO_ERROR)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:i, s:b}", "trustee", (int)acc.trustee, "n", (int)acc.n,
	                            "result", acc.result));
}
