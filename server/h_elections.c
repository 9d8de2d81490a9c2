/*
 * h_elections.c -- the public read API of elections that have opened:
 * the list, the decoded manifest with the roll and turnout, the board
 * (decoded, paginated) and the result.  Drafts are not public.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dbq_board.h"
#include "dbq_elections.h"
#include "elections.h"
#include "encoding.h"
#include "handlers.h"
#include "ngo_fields.h"
#include "protocol_ballot.h"
#include "protocol_sballot.h"
#include "protocol_tally.h"
#include "reply.h"

#define BOARD_PAGE_MAX 500

static json_t *
text_json(const struct protocol_text *t)
{
	json_t *o = json_object();

	for (uint32_t i = 0; i < t->n; i++)
		json_object_set_new(o, t->entries[i].lang, json_string(t->entries[i].value));
	return o;
}

static void
add_public_row(void *cls, const struct dbq_election_row *r)
{
	json_t *draft = json_loads(r->draft, 0, NULL);
	/* A draft without "mode" is an open-ballot election (election_draft.c). */
	const char *mode = json_string_value(json_object_get(draft, "mode"));

	json_array_append_new(
	    cls, json_pack("{s:s, s:s, s:s, s:O?, s:s, s:s, s:I, s:I, s:I}", "id", r->id, "status",
	                   r->status, "mode", mode != NULL ? mode : "open", "title",
	                   draft ? json_object_get(draft, "title") : NULL, "opens_at", r->opens_at,
	                   "closes_at", r->closes_at, "ballots", (json_int_t)r->ballots, "voters",
	                   (json_int_t)r->voters, "voted", (json_int_t)r->voted));
	json_decref(draft);
}

enum MHD_Result
h_elections_list(struct request *rq)
{
	json_t *list = json_array();
	struct db *db = db_thread();

	if (db == NULL || list == NULL ||
	    dbq_elections_each(db, false, add_public_row, list) != DB_OK) {
		json_decref(list);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:o}", "elections", list));
}

/* Finds the public (opened) election and its manifest, or answers. */
static bool
published(struct request *rq, struct dbq_election *e, const struct elections_manifest **em,
          enum MHD_Result *ret)
{
	struct db *db = db_thread();
	enum db_status st;

	st = db ? dbq_election_get(db, rq->args[0], e) : DB_ERROR;
	if (st == DB_OK && e->status == DBQ_ELECTION_DRAFT)
		st = DB_NOT_FOUND;
	if (st == DB_OK)
		st = elections_manifest_get(db, rq->args[0], em);
	if (st == DB_NOT_FOUND)
		*ret = reply_error(rq, ERROR_ELECTION_NOT_FOUND, NULL);
	else if (st != DB_OK)
		*ret = reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	return st == DB_OK;
}

static const char *
status_name(enum dbq_election_status s)
{
	return s == DBQ_ELECTION_OPEN ? "open" : s == DBQ_ELECTION_CLOSED ? "closed" : "draft";
}

struct turnout {
	const struct protocol_manifest *m;
	json_t *voters;
	unsigned voted;
};

static void
add_turnout(void *cls, const char *ngo_id, const uint8_t pk[32], uint32_t last_seq)
{
	struct turnout *t = cls;

	(void)pk;
	t->voted += last_seq > 0;
	/* the last seq too: a delegate's page needs it to vote again */
	if (t->voters != NULL)
		json_array_append_new(t->voters, json_pack("{s:s, s:b, s:i}", "id", ngo_id, "voted",
		                                           last_seq > 0, "seq", (int)last_seq));
}

/* Secret mode: the election key Y voters encrypt to, the threshold and
 * the trustees with their verification keys Z_j. */
static void
add_secret(const struct elections_manifest *em, json_t *view)
{
	const struct protocol_manifest *m = em->m;
	json_t *trustees = json_array();

	for (uint32_t j = 0; j < m->n; j++) {
		char fp[40];

		ngo_fields_fingerprint(m->trustees[j].pk, fp);
		json_array_append_new(
		    trustees,
		    json_pack("{s:i, s:s, s:o, s:s, s:o, s:o}", "index", (int)(j + 1), "id",
		              m->trustees[j].id, "name", text_json(&m->trustees[j].name),
		              "fingerprint", fp, "public_key", reply_hex(m->trustees[j].pk, 32),
		              "verification_key", reply_hex(protocol_dkg_z(em->dkg, j + 1), 32)));
	}
	json_object_set_new(view, "n", json_integer(m->n));
	json_object_set_new(view, "t", json_integer(m->t));
	json_object_set_new(view, "y", reply_hex(em->y, 32));
	json_object_set_new(view, "ceremony", json_string("complete"));
	json_object_set_new(view, "trustees", trustees);
}

/* The immutable part of GET /api/elections/{id}: the manifest decoded,
 * with the roll's fingerprints; built once per election. */
static char *
build_view(const struct elections_manifest *em)
{
	const struct protocol_manifest *m = em->m;
	json_t *contests = json_array(), *roll = json_array(), *view;
	char *text;

	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *pc = &m->contests[c];
		json_t *cands = json_array();

		for (uint32_t i = 0; i < pc->n_candidates; i++)
			json_array_append_new(cands, json_pack("{s:s, s:o}", "id",
			                                       pc->candidates[i].id, "name",
			                                       text_json(&pc->candidates[i].name)));
		json_array_append_new(
		    contests, json_pack("{s:s, s:o, s:i, s:i, s:i, s:o}", "id", pc->id, "title",
		                        text_json(&pc->title), "seats", (int)pc->seats, "min",
		                        (int)pc->min, "max", (int)pc->max, "candidates", cands));
	}
	for (uint32_t v = 0; v < m->n_voters; v++) {
		char fp[40];

		ngo_fields_fingerprint(m->voters[v].pk, fp);
		json_array_append_new(roll, json_pack("{s:s, s:o, s:s, s:o}", "id", m->voters[v].id,
		                                      "name", text_json(&m->voters[v].name),
		                                      "fingerprint", fp, "public_key",
		                                      reply_hex(m->voters[v].pk, 32)));
	}
	view = json_pack("{s:s, s:o, s:s, s:b, s:s, s:s, s:o, s:o, s:o, s:o}", "id", m->election_id,
	                 "title", text_json(&m->title), "mode",
	                 m->mode == PROTOCOL_MODE_SECRET ? "secret" : "open", "revote",
	                 m->revote != 0, "opens_at", m->opens_at, "closes_at", m->closes_at,
	                 "election_hash", reply_hex(em->election_hash, 64), "server_pk",
	                 reply_hex(m->server_pk, 32), "contests", contests, "roll", roll);
	if (view != NULL && m->mode == PROTOCOL_MODE_SECRET)
		add_secret(em, view);
	text = view ? json_dumps(view, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(view);
	return text;
}

enum MHD_Result
h_election_get(struct request *rq)
{
	const struct elections_manifest *em = NULL;
	struct turnout t = {0};
	struct dbq_election e;
	const char *view;
	char *head = NULL, *out = NULL;
	size_t view_len, head_len;
	json_t *dynamic;
	enum MHD_Result ret;

	if (!published(rq, &e, &em, &ret))
		return ret;
	view = elections_manifest_view(em, build_view, &view_len);
	/* open mode: who voted is public by design (a roll-call vote) */
	t.m = em->m;
	t.voters = json_array();
	if (view == NULL || view_len < 2 ||
	    dbq_roll_each(db_thread(), rq->args[0], add_turnout, &t) != DB_OK) {
		json_decref(t.voters);
		elections_manifest_put(em);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	/* what changes per request goes in front of the cached view's keys */
	dynamic =
	    json_pack("{s:s, s:{s:i, s:i, s:o}}", "status", status_name(e.status), "turnout",
	              "voted", (int)t.voted, "eligible", (int)em->m->n_voters, "voters", t.voters);
	head = dynamic ? json_dumps(dynamic, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(dynamic);
	head_len = head ? strlen(head) : 0;
	if (head_len >= 2)
		out = malloc(head_len + view_len);
	if (out != NULL) {
		/* {dynamic...} + {view...}  ->  {dynamic..., view...} */
		memcpy(out, head, head_len - 1);
		out[head_len - 1] = ',';
		memcpy(out + head_len, view + 1, view_len - 1);
	}
	free(head);
	elections_manifest_put(em);
	if (out == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_json_text(rq, MHD_HTTP_OK, out, head_len + view_len - 1);
}

struct board_page {
	const struct protocol_manifest *m;
	json_t *events;
};

/* A secret ballot shows who cast it, not what it says. */
static json_t *
decode_sballot(const struct protocol_manifest *m, const struct dbq_event *ev)
{
	struct protocol_sballot b;
	uint8_t hash[64];
	int64_t voter;
	json_t *out;

	if (ev->len < 64 ||
	    protocol_sballot_parse(m, ev->data, ev->len - 64, &b) != PROTOCOL_BALLOT_OK)
		return json_null();
	protocol_ballot_hash(ev->data, ev->len - 64, hash);
	voter = protocol_manifest_voter_find(m, b.voter_pk);
	out = json_pack("{s:s?, s:i, s:o, s:o, s:b}", "voter",
	                voter >= 0 ? m->voters[voter].id : NULL, "seq", (int)b.seq, "ballot_hash",
	                reply_hex(hash, 64), "signature", reply_hex(ev->data + ev->len - 64, 64),
	                "encrypted", 1);
	protocol_sballot_clear(&b);
	return out;
}

/* The trustee index of a dkg or partial-decryption event (its data
 * starts with manifest_hash or election_hash, then LE32(index)). */
static void
add_trustee(const struct protocol_manifest *m, const struct dbq_event *ev, json_t *o)
{
	uint32_t j = ev->len >= 68 ? encoding_le32_get(ev->data + 64) : 0;

	if (j < 1 || j > m->n)
		return;
	json_object_set_new(o, "trustee", json_integer(j));
	json_object_set_new(o, "trustee_id", json_string(m->trustees[j - 1].id));
}

static json_t *
decode_ballot(const struct protocol_manifest *m, const struct dbq_event *ev)
{
	struct protocol_ballot b;
	uint8_t hash[64];
	json_t *choices, *out;
	int64_t voter;

	if (ev->len < 64 ||
	    protocol_ballot_parse(m, ev->data, ev->len - 64, &b) != PROTOCOL_BALLOT_OK)
		return json_null();
	protocol_ballot_hash(ev->data, ev->len - 64, hash);
	voter = protocol_manifest_voter_find(m, b.voter_pk);
	choices = json_array();
	for (uint32_t c = 0; c < b.n_contests; c++) {
		json_t *ids = json_array();

		for (uint32_t k = 0; k < b.count[c]; k++)
			json_array_append_new(
			    ids, json_string(m->contests[c].candidates[b.index[c][k]].id));
		json_array_append_new(choices, json_pack("{s:s, s:o}", "contest", m->contests[c].id,
		                                         "candidates", ids));
	}
	out = json_pack("{s:s?, s:i, s:o, s:o, s:o}", "voter",
	                voter >= 0 ? m->voters[voter].id : NULL, "seq", (int)b.seq, "ballot_hash",
	                reply_hex(hash, 64), "choices", choices, "signature",
	                reply_hex(ev->data + ev->len - 64, 64));
	protocol_ballot_clear(&b);
	return out;
}

static bool
add_event(void *cls, const struct dbq_event *ev)
{
	struct board_page *p = cls;
	json_t *o = json_pack("{s:i, s:s, s:s, s:o}", "n", (int)ev->n, "type",
	                      protocol_event_type_name(ev->type), "at", ev->at, "hash",
	                      reply_hex(ev->hash, 64));

	if (ev->type == PROTOCOL_EVENT_BALLOT)
		json_object_set_new(o, "ballot",
		                    p->m->mode == PROTOCOL_MODE_SECRET ? decode_sballot(p->m, ev)
		                                                       : decode_ballot(p->m, ev));
	else if (ev->type == PROTOCOL_EVENT_CLOSE && ev->len == 68)
		json_object_set_new(o, "ballots", json_integer(encoding_le32_get(ev->data + 64)));
	else if ((ev->type >= PROTOCOL_EVENT_DKG_ROUND0 && ev->type <= PROTOCOL_EVENT_DKG_ROUND3) ||
	         ev->type == PROTOCOL_EVENT_PARTIAL_DECRYPTION)
		add_trustee(p->m, ev, o);
	else if (ev->type == PROTOCOL_EVENT_TALLY && ev->len >= 68)
		json_object_set_new(o, "counted", json_integer(encoding_le32_get(ev->data + 64)));
	json_array_append_new(p->events, o);
	return true;
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s == NULL)
		return true;
	if (s[0] < '0' || s[0] > '9')
		return false;
	*out = strtoul(s, &end, 10);
	return *end == '\0' && *out <= max;
}

enum MHD_Result
h_election_board(struct request *rq)
{
	const struct elections_manifest *em = NULL;
	struct board_page p = {0};
	struct dbq_election e;
	unsigned long from = 0, limit = 100;
	uint32_t total = 0;
	enum MHD_Result ret;

	if (!parse_uint(request_query(rq, "from"), INT32_MAX, &from))
		return reply_error_hint(rq, ERROR_BAD_REQUEST, "from",
		                        "from is an event number (0 or more).");
	if (!parse_uint(request_query(rq, "limit"), BOARD_PAGE_MAX, &limit) || limit == 0)
		return reply_error_hint(rq, ERROR_BAD_REQUEST, "limit", "limit is from 1 to 500.");
	if (!published(rq, &e, &em, &ret))
		return ret;
	p.m = em->m;
	p.events = json_array();
	if (dbq_board_count(db_thread(), rq->args[0], &total) != DB_OK ||
	    dbq_board_each(db_thread(), rq->args[0], (uint32_t)from, (uint32_t)limit, add_event,
	                   &p) != DB_OK) {
		json_decref(p.events);
		elections_manifest_put(em);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	elections_manifest_put(em);
	return reply_json(rq, MHD_HTTP_OK,
	                  json_pack("{s:i, s:i, s:i, s:o}", "total", (int)total, "from", (int)from,
	                            "limit", (int)limit, "events", p.events));
}

enum MHD_Result
h_election_result(struct request *rq)
{
	const struct elections_manifest *em = NULL;
	struct protocol_result *res = NULL;
	struct dbq_election e;
	struct dbq_event ev;
	uint32_t last;
	uint8_t lh[64];
	const char *why = NULL;
	json_t *contests;
	enum MHD_Result ret;

	if (!published(rq, &e, &em, &ret))
		return ret;
	if (e.status != DBQ_ELECTION_CLOSED) {
		elections_manifest_put(em);
		return reply_error(rq, ERROR_ELECTION_NOT_CLOSED, NULL);
	}
	/* the result is the last event of a closed board (secret mode: once
	 * the trustees have decrypted) */
	if (dbq_board_last(db_thread(), rq->args[0], &last, lh) != DB_OK ||
	    dbq_board_get(db_thread(), rq->args[0], last, &ev) != DB_OK) {
		elections_manifest_put(em);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	if (ev.type != PROTOCOL_EVENT_RESULT && em->m->mode == PROTOCOL_MODE_SECRET) {
		/* closed and tallied, waiting for the trustees */
		free(ev.data);
		elections_manifest_put(em);
		return reply_error(rq, ERROR_RESULT_PENDING, NULL);
	}
	if (ev.type != PROTOCOL_EVENT_RESULT ||
	    !protocol_result_parse(em->m, ev.data, ev.len, &res, &why)) {
		free(ev.data);
		elections_manifest_put(em);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	free(ev.data);
	contests = json_array();
	for (uint32_t c = 0; c < res->n_contests; c++) {
		const struct protocol_contest *pc = &em->m->contests[c];
		const struct protocol_contest_result *cr = &res->contests[c];
		json_t *cands = json_array(), *elected = json_array();

		for (uint32_t i = 0; i < cr->n_candidates; i++) {
			bool is_elected = false;

			for (uint32_t k = 0; k < cr->n_elected; k++)
				is_elected |= cr->elected[k] == i;
			json_array_append_new(
			    cands, json_pack("{s:s, s:o, s:i, s:b}", "id", pc->candidates[i].id,
			                     "name", text_json(&pc->candidates[i].name), "votes",
			                     (int)cr->counts[i], "elected", is_elected));
		}
		for (uint32_t k = 0; k < cr->n_elected; k++)
			json_array_append_new(elected,
			                      json_string(pc->candidates[cr->elected[k]].id));
		json_array_append_new(
		    contests, json_pack("{s:s, s:o, s:i, s:o, s:o, s:b, s:i}", "id", pc->id,
		                        "title", text_json(&pc->title), "seats", (int)pc->seats,
		                        "candidates", cands, "elected", elected, "lot",
		                        cr->lot != 0, "vacant", (int)(pc->seats - cr->n_elected)));
	}
	/* N, the voters whose ballot counts, is not in result_body: every
	 * voter who cast a ballot has exactly one counted */
	{
		struct turnout t = {0};

		if (dbq_roll_each(db_thread(), rq->args[0], add_turnout, &t) != DB_OK) {
			json_decref(contests);
			protocol_result_free(res);
			elections_manifest_put(em);
			return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
		}
		json_t *q = json_array();

		/* secret mode: the trustees whose partial decryptions were combined */
		for (uint32_t k = 0; k < res->n_q; k++)
			if (res->q[k] >= 1 && res->q[k] <= em->m->n)
				json_array_append_new(
				    q, json_pack("{s:i, s:s}", "index", (int)res->q[k], "id",
				                 em->m->trustees[res->q[k] - 1].id));
		ret = reply_json(
		    rq, MHD_HTTP_OK,
		    json_pack("{s:s, s:s, s:i, s:o, s:o, s:o}", "id", rq->args[0], "mode",
		              em->m->mode == PROTOCOL_MODE_SECRET ? "secret" : "open", "counted",
		              (int)t.voted, "tally_hash", reply_hex(res->tally_hash, 64),
		              "contests", contests, "decrypted_by", q));
	}
	protocol_result_free(res);
	elections_manifest_put(em);
	return ret;
}
