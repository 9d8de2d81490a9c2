/*
 * h_healthz.c -- GET /healthz: 200 when the database answers a query and
 * the store has not seen a storage failure, else 503.
 */
#include "db.h"
#include "handlers.h"
#include "reply.h"

enum MHD_Result
h_healthz(struct request *rq)
{
	if (db_failed())
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	if (!db_ping(db_thread()))
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}
