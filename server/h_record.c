/*
 * h_record.c -- GET /api/elections/{id}/record: the election record of
 * spec §14 as JSON lines, streamed from the board table in pages so that
 * memory does not grow with the number of ballots.  The events streamed
 * are those present when the request started; the record ends with a
 * head freshly signed over the last of them.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dbq_board.h"
#include "dbq_elections.h"
#include "handlers.h"
#include "log.h"
#include "protocol_record.h"
#include "reply.h"

#define RECORD_PAGE  256
#define RECORD_BLOCK (64 * 1024)

struct record_stream {
	char election_id[DBQ_ELECTION_ID_MAX + 1];
	uint8_t election_hash[64];
	uint32_t next_n; /* next event to fetch */
	uint32_t last_n; /* the last event at request time */
	uint8_t last_hash[64];
	bool head_done;
	struct encoding_buf pending; /* formatted bytes not yet handed to MHD */
	size_t pending_off;
};

static void
record_stream_free(void *cls)
{
	struct record_stream *rs = cls;

	encoding_buf_free(&rs->pending);
	free(rs);
}

static bool
append_event(void *cls, const struct dbq_event *ev)
{
	struct record_stream *rs = cls;

	if (ev->n > rs->last_n)
		return false;
	protocol_record_write_event(&rs->pending, ev->n, ev->type, ev->at, ev->data, ev->len,
	                            ev->hash);
	rs->next_n = ev->n + 1;
	return true;
}

/* Refills pending with the next page of events, or the head. */
static bool
refill(struct record_stream *rs)
{
	encoding_buf_free(&rs->pending);
	encoding_buf_init(&rs->pending);
	rs->pending_off = 0;
	if (rs->next_n <= rs->last_n) {
		struct db *db = db_thread();
		uint32_t before = rs->next_n;

		if (db == NULL || dbq_board_each(db, rs->election_id, rs->next_n, RECORD_PAGE,
		                                 append_event, rs) != DB_OK)
			return false;
		if (rs->next_n == before) {
			LOG_BUG("record %s: event %u missing", rs->election_id, before);
			return false;
		}
	} else if (!rs->head_done) {
		uint8_t sig[64];

		if (!protocol_head_sign(app_get()->key.sk, rs->election_hash, rs->last_n,
		                        rs->last_hash, sig))
			return false;
		protocol_record_write_head(&rs->pending, rs->last_n, rs->last_hash, sig);
		rs->head_done = true;
	}
	return !rs->pending.failed;
}

static ssize_t
record_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct record_stream *rs = cls;
	size_t n;

	(void)pos;
	if (rs->pending_off == rs->pending.len) {
		if (rs->head_done && rs->next_n > rs->last_n)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (!refill(rs))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (rs->pending.len == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = rs->pending.len - rs->pending_off;
	if (n > max)
		n = max;
	memcpy(buf, rs->pending.data + rs->pending_off, n);
	rs->pending_off += n;
	return (ssize_t)n;
}

enum MHD_Result
h_record(struct request *rq)
{
	struct db *db = db_thread();
	struct dbq_election e;
	struct record_stream *rs;
	struct MHD_Response *resp;
	enum db_status st;

	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = dbq_election_get(db, rq->args[0], &e);
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	if (e.status == DBQ_ELECTION_DRAFT || !e.has_election_hash)
		return reply_error(rq, ERROR_ELECTION_NOT_PUBLISHED, NULL);
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	rq->state = rs;
	rq->state_free = record_stream_free;
	strcpy(rs->election_id, e.id);
	memcpy(rs->election_hash, e.election_hash, 64);
	encoding_buf_init(&rs->pending);
	if (dbq_board_last(db, e.id, &rs->last_n, rs->last_hash) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	protocol_record_write_header(&rs->pending, e.id, app_get()->key.pk);
	if (rs->pending.failed)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	/* rq->state outlives the response: freed in the completed callback */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, RECORD_BLOCK, record_reader, rs,
	                                         NULL);
	if (resp == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/jsonl");
	return reply_queue(rq, MHD_HTTP_OK, resp, REPLY_NO_STORE);
}
