/*
 * elections_fixture.c -- daemons, NGOs, drafts, ballots and records for
 * the election suites (see elections_fixture.h).
 */
#include "elections_fixture.h"

#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol_ballot.h"

void
efx_start(struct efx *x)
{
	ck_assert_int_ge(sodium_init(), 0);
	test_daemon_start(&x->d);
	fixture_secretariat(&x->d, &x->sec);
}

void
efx_stop(struct efx *x)
{
	ck_assert_int_eq(test_daemon_stop(&x->d), 0);
	test_daemon_cleanup(&x->d);
}

void
efx_ngo_enrolled(struct efx *x, const char *id, struct fixture_key *k)
{
	fixture_ngo_create(&x->d, &x->sec, id);
	fixture_keypair(k);
	fixture_enrol_key(&x->d, &x->sec, id, k);
}

struct bulk_job {
	struct efx *x;
	char (*ids)[65];
	struct fixture_key *keys;
	unsigned from, to;
};

static void *
bulk_enrol(void *arg)
{
	struct bulk_job *j = arg;

	for (unsigned i = j->from; i < j->to; i++) {
		fixture_keypair(&j->keys[i]);
		fixture_enrol_key(&j->x->d, &j->x->sec, j->ids[i], &j->keys[i]);
	}
	return NULL;
}

void
efx_ngos_bulk(struct efx *x, const char *prefix, unsigned n, char (*ids)[65],
              struct fixture_key *keys, unsigned nthreads)
{
	struct encoding_buf csv;
	struct bulk_job jobs[16];
	pthread_t th[16];
	struct test_http r;
	char line[400];
	json_t *j;

	ck_assert_uint_le(nthreads, 16);
	ck_assert_uint_ge(nthreads, 1);
	encoding_buf_init(&csv);
	snprintf(line, sizeof(line),
	         "id,name_en,name_km,registration_no,contact_name,phone,email,province\n");
	encoding_buf_append(&csv, line, strlen(line));
	for (unsigned i = 0; i < n; i++) {
		snprintf(ids[i], 65, "%s-%03u", prefix, i);
		snprintf(line, sizeof(line), "%s,NGO %s," FIXTURE_KM " %u,,,,,\n", ids[i], ids[i],
		         i);
		encoding_buf_append(&csv, line, strlen(line));
	}
	ck_assert(!csv.failed);
	fixture_request(&x->d, "POST", "/api/admin/ngos/import", &x->sec, true, "text/csv", NULL,
	                (const char *)csv.data, csv.len, &r);
	j = fixture_json(&r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "imported")), n);
	json_decref(j);
	test_http_free(&r);
	encoding_buf_free(&csv);
	for (unsigned t = 0; t < nthreads; t++) {
		jobs[t] = (struct bulk_job){x, ids, keys, n * t / nthreads, n * (t + 1) / nthreads};
		ck_assert_int_eq(pthread_create(&th[t], NULL, bulk_enrol, &jobs[t]), 0);
	}
	for (unsigned t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
}

json_t *
efx_draft_create(struct efx *x, const char *id, const char *template_name)
{
	char body[512];
	struct test_http r;
	json_t *j;

	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"title\":{\"en\":\"Election %s\",\"km\":\"" FIXTURE_KM
	         "\"},\"template\":\"%s\"}",
	         id, id, template_name);
	fixture_post(&x->d, "/api/admin/elections", &x->sec, body, &r);
	j = fixture_json(&r, 201);
	test_http_free(&r);
	return j;
}

json_t *
efx_contest(const char *id, int seats, int min, int max, const char *const *cands, size_t n)
{
	json_t *c = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(c, json_string(cands[i]));
	return json_pack("{s:s, s:{s:s, s:s}, s:i, s:i, s:i, s:o}", "id", id, "title", "en",
	                 "Working group", "km", FIXTURE_KM, "seats", seats, "min", min, "max", max,
	                 "candidates", c);
}

json_t *
efx_draft_new(void)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:s, s:b, s:b, s:b, s:[], s:[]}", "title", "en",
	                 "Test election", "km", FIXTURE_KM, "opens_at", "", "closes_at", "",
	                 "auto_open", 0, "auto_close", 0, "revote", 1, "contests", "excluded");
}

json_t *
efx_draft_put(struct efx *x, const char *id, const json_t *draft, int status)
{
	char path[200], *text = json_dumps(draft, JSON_COMPACT);
	struct test_http r;
	json_t *j;

	ck_assert_ptr_nonnull(text);
	snprintf(path, sizeof(path), "/api/admin/elections/%s", id);
	fixture_put(&x->d, path, &x->sec, text, &r);
	j = fixture_json(&r, status);
	test_http_free(&r);
	free(text);
	return j;
}

void
efx_draft_ready(struct efx *x, const char *id, const json_t *draft)
{
	json_t *j = efx_draft_put(x, id, draft, 200);
	char *p = json_dumps(json_object_get(j, "problems"), JSON_COMPACT);

	ck_assert_msg(json_array_size(json_object_get(j, "problems")) == 0, "problems: %s", p);
	free(p);
	json_decref(j);
}

void
efx_election_info(const struct test_daemon *d, const char *id, struct efx_election *e)
{
	char path[200];
	const char *h, *pk;
	json_t *j;

	snprintf(path, sizeof(path), "/api/elections/%s", id);
	j = efx_get_json(d, path, 200);
	snprintf(e->id, sizeof(e->id), "%s", id);
	h = json_string_value(json_object_get(j, "election_hash"));
	pk = json_string_value(json_object_get(j, "server_pk"));
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(pk);
	ck_assert(encoding_hex_decode(h, strlen(h), e->election_hash, 64));
	ck_assert(encoding_hex_decode(pk, strlen(pk), e->server_pk, 32));
	json_decref(j);
}

static void
transition(struct efx *x, const char *id, const char *what, const char *want)
{
	char path[200], body[200];
	struct test_http r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/admin/elections/%s/%s", id, what);
	snprintf(body, sizeof(body), "{\"confirm\":\"%s\"}", id);
	fixture_post(&x->d, path, &x->sec, body, &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), want);
	json_decref(j);
	test_http_free(&r);
}

void
efx_open(struct efx *x, const char *id, struct efx_election *e)
{
	transition(x, id, "open", "open");
	if (e != NULL)
		efx_election_info(&x->d, id, e);
}

void
efx_close(struct efx *x, const char *id)
{
	transition(x, id, "close", "closed");
}

json_t *
efx_get_json(const struct test_daemon *d, const char *path, int status)
{
	struct test_http r;
	json_t *j;

	test_http_get(d, path, &r);
	j = fixture_json(&r, status);
	test_http_free(&r);
	return j;
}

int
efx_board_total(const struct test_daemon *d, const char *id)
{
	char path[200];
	struct test_http r;
	json_t *j;
	int total;

	snprintf(path, sizeof(path), "/api/elections/%s/board?limit=1", id);
	test_http_get(d, path, &r);
	if (r.status == 404) {
		test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
		test_http_free(&r);
		return -1;
	}
	j = fixture_json(&r, 200);
	ck_assert(json_is_integer(json_object_get(j, "total")));
	total = (int)json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	test_http_free(&r);
	return total;
}

int
efx_board_rows(const struct test_daemon *d, const char *id)
{
	char sql[200], out[32];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM board_events WHERE election_id = '%s'",
	         id);
	fixture_db_text(d->db, sql, out, sizeof(out));
	return atoi(out);
}

void
efx_status(const struct test_daemon *d, const char *id, char out[16])
{
	char path[200];
	struct test_http r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/elections/%s", id);
	test_http_get(d, path, &r);
	if (r.status == 404) {
		snprintf(out, 16, "draft");
		test_http_free(&r);
		return;
	}
	j = fixture_json(&r, 200);
	snprintf(out, 16, "%s", json_string_value(json_object_get(j, "status")));
	json_decref(j);
	test_http_free(&r);
}

bool
efx_wait_status(const struct test_daemon *d, const char *id, const char *want, double seconds)
{
	char s[16];

	if (getenv("NGO_VOTE_VALGRIND") != NULL)
		seconds *= 5; /* the daemon runs under valgrind */
	for (int i = 0; i <= (int)(seconds * 10); i++) {
		efx_status(d, id, s);
		if (strcmp(s, want) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

struct efx_choice
efx_choice_parse(const char *spec)
{
	struct efx_choice ch;
	const char *p = spec;

	memset(&ch, 0, sizeof(ch));
	ch.n_contests = 1;
	while (*p != '\0') {
		char *end;

		if (*p == '|') {
			ck_assert_uint_lt(ch.n_contests, EFX_MAX_CONTESTS);
			ch.n_contests++;
			p++;
			continue;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		ck_assert_uint_lt(ch.count[ch.n_contests - 1], EFX_MAX_PICKS);
		ch.idx[ch.n_contests - 1][ch.count[ch.n_contests - 1]++] =
		    (uint32_t)strtoul(p, &end, 10);
		ck_assert_msg(end != p, "bad choice spec %s", spec);
		p = end;
	}
	return ch;
}

void
efx_ballot_build(const uint8_t election_hash[64], const uint8_t pk[32], uint32_t seq,
                 const struct efx_choice *ch, struct encoding_buf *out)
{
	const uint32_t *picks[EFX_MAX_CONTESTS];

	ck_assert_uint_le(ch->n_contests, EFX_MAX_CONTESTS);
	for (uint32_t c = 0; c < ch->n_contests; c++)
		picks[c] = ch->idx[c];
	protocol_ballot_build(election_hash, pk, seq, ch->n_contests, ch->count, picks, out);
	ck_assert(!out->failed);
}

void
efx_post_hex(const struct test_daemon *d, const char *id, const char *body_hex, const char *sig_hex,
             struct test_http *r)
{
	size_t cap = strlen(body_hex) + strlen(sig_hex) + 64;
	char path[200], *json = malloc(cap);

	ck_assert_ptr_nonnull(json);
	snprintf(json, cap, "{\"body\":\"%s\",\"signature\":\"%s\"}", body_hex, sig_hex);
	snprintf(path, sizeof(path), "/api/elections/%s/ballots", id);
	test_http_post_json(d, path, json, r);
	free(json);
}

void
efx_post_signed(const struct test_daemon *d, const char *id, const uint8_t *body, size_t len,
                const uint8_t sk[64], uint8_t hash_out[64], struct test_http *r)
{
	uint8_t hash[64], sig[64];
	char shex[129], *bhex;

	protocol_ballot_hash(body, len, hash);
	ck_assert(protocol_ballot_sign(sk, hash, sig));
	encoding_hex_encode(sig, 64, shex);
	bhex = encoding_hex_encode_alloc(body, len);
	ck_assert_ptr_nonnull(bhex);
	efx_post_hex(d, id, bhex, shex, r);
	free(bhex);
	if (hash_out != NULL)
		memcpy(hash_out, hash, 64);
}

int
efx_cast(const struct test_daemon *d, const struct efx_election *e, const struct fixture_key *k,
         uint32_t seq, const struct efx_choice *ch, uint8_t hash_out[64], json_t **receipt,
         char *name)
{
	struct encoding_buf body;
	struct test_http r;
	json_t *j;
	int status;

	encoding_buf_init(&body);
	efx_ballot_build(e->election_hash, k->pk, seq, ch, &body);
	efx_post_signed(d, e->id, body.data, body.len, k->sk, hash_out, &r);
	encoding_buf_free(&body);
	status = r.status;
	j = test_http_json(&r);
	if (receipt != NULL)
		*receipt = status == 201 ? json_incref(json_object_get(j, "receipt")) : NULL;
	if (name != NULL)
		snprintf(name, 64, "%s",
		         status == 201 ? "" : json_string_value(json_object_get(j, "name")));
	json_decref(j);
	test_http_free(&r);
	return status;
}

/* The body of a chunked answer, or the body as is. */
static void
write_dechunked(const struct test_http *r, FILE *out)
{
	char te[64];
	const char *p = r->body, *end = r->body + r->body_len;

	if (!test_http_header(r, "Transfer-Encoding", te, sizeof(te))) {
		ck_assert_uint_eq(fwrite(r->body, 1, r->body_len, out), r->body_len);
		return;
	}
	ck_assert_str_eq(te, "chunked");
	while (p < end) {
		char *q;
		unsigned long chunk = strtoul(p, &q, 16);

		ck_assert_msg(q != p, "bad chunk size");
		p = strstr(q, "\r\n");
		ck_assert_ptr_nonnull(p);
		p += 2;
		if (chunk == 0)
			break;
		ck_assert_msg(p + chunk + 2 <= end, "short chunk");
		ck_assert_uint_eq(fwrite(p, 1, chunk, out), chunk);
		p += chunk + 2;
	}
}

int
efx_record_verify(const struct test_daemon *d, const char *id, const char *file)
{
	char path[600], urlp[200], verify[1024], cmd[2400];
	struct test_http r;
	FILE *out;

	snprintf(urlp, sizeof(urlp), "/api/elections/%s/record", id);
	test_http_get(d, urlp, &r);
	ck_assert_msg(r.status == 200, "record: %d %.300s", r.status, r.body);
	snprintf(path, sizeof(path), "%s/%s", d->dir, file);
	out = fopen(path, "wb");
	ck_assert_ptr_nonnull(out);
	write_dechunked(&r, out);
	ck_assert_int_eq(fclose(out), 0);
	test_http_free(&r);
	test_binary("ngo-vote-verify", verify, sizeof(verify));
	snprintf(cmd, sizeof(cmd), "%s %s > %s.out 2>&1", verify, path, path);
	return test_run(cmd);
}

void
efx_time(time_t t, char out[21])
{
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	ck_assert_uint_eq(strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
}
