/*
 * h_decryption.c -- POST /api/elections/{id}/partial-decryptions: a
 * trustee's partial decryption of the tally (spec §12).  Public: the
 * trustee's signature is the authentication.  The answer says whether
 * the result went on the board with it.
 */
#include <stdlib.h>

#include "decryption.h"
#include "h_secret.h"
#include "handlers.h"
#include "reply.h"

enum MHD_Result
h_partial_decryption(struct request *rq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	enum error_code error = ERROR_INTERNAL_ERROR;
	struct decryption_accepted acc;
	struct db *db;
	const char *why = NULL;
	enum MHD_Result ret;
	enum db_status st;

	if (!h_secret_partial_begin(rq, &data, &len, &db, &ret))
		return ret;
	st = decryption_submit(db, rq->args[0], data, len, &acc, &error, &why);
	free(data);
	if (st != DB_OK)
		return h_secret_reply_not_stored(rq, st, error, ERROR_DECRYPTION_INVALID, why,
		                                 NULL);
	return reply_json(rq, MHD_HTTP_CREATED,
	                  json_pack("{s:i, s:i, s:b}", "trustee", (int)acc.trustee, "n", (int)acc.n,
	                            "result", acc.result));
}
