/*
 * test_crash.c -- crash safety (issue 7): while 16 client threads cast
 * 2,000 pre-signed ballots (1,000 NGOs, seq 1 then seq 2) over keep-alive
 * connections, the daemon gets SIGKILL at a random moment (after a random
 * number of receipts, plus a random delay: seeded, printed; set
 * NGO_VOTE_CRASH_SEED to replay one) and is restarted on the same folder.
 * Then:
 *   - every ballot that got a 201 receipt is on the board, at the receipt's
 *     n, with the receipt's chain hash h_n and its ballot_hash;
 *   - PRAGMA integrity_check (the sqlite3 command) says ok;
 *   - the client resends every ballot it has no answer for: each is
 *     accepted once (201), or refused as a duplicate / stale seq only if
 *     it was already on the board (committed before the kill, the receipt
 *     lost with the connection);
 *   - resending every ballot once more is refused (BALLOT_DUPLICATE) for
 *     all 2,000: each is on the board exactly once, and nothing else is;
 *   - the record verifies with every receipt passed to ngo-vote-verify.
 *
 * It also defines the helpers of tests/faultfs/durability.h, shared with
 * the disk-fault suite.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "encoding.h"
#include "faultfs/durability.h"
#include "protocol_ballot.h"

Suite *crash_suite(void);

#define CONTESTS   6
#define CANDIDATES 5

/* ---- set-up ---- */

void
dur_prepare(struct dur_setup *s)
{
	memset(s, 0, sizeof(*s));
	test_daemon_prepare(&s->d);
}

void
dur_launch(struct dur_setup *s)
{
	char *asan = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;

	if (s->preload != NULL) {
		char opts[1024];

		ck_assert_int_eq(setenv("LD_PRELOAD", s->preload, 1), 0);
		/* a sanitized daemon would refuse a library loaded before its runtime */
		snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", asan ? asan : "",
		         asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
	}
	test_daemon_launch(&s->d, NULL);
	if (s->preload != NULL) {
		unsetenv("LD_PRELOAD");
		if (asan != NULL)
			setenv("ASAN_OPTIONS", asan, 1);
		else
			unsetenv("ASAN_OPTIONS");
	}
	free(asan);
}

static void
seed_ngos(const char *db_path, const struct fixture_key *keys, unsigned n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *a = NULL, *b = NULL;

	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db, "INSERT INTO ngos (id, name_en, name_km) VALUES (?,?,?)", -1, &a,
	                       NULL),
	    SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db, "INSERT INTO ngo_keys (ngo_id, public_key) VALUES (?,?)", -1, &b,
	                       NULL),
	    SQLITE_OK);
	for (unsigned i = 0; i < n; i++) {
		char id[16], en[32], km[64];

		snprintf(id, sizeof(id), "v%04u", i);
		snprintf(en, sizeof(en), "Voter %u", i);
		snprintf(km, sizeof(km), FIXTURE_KM " %u", i);
		sqlite3_bind_text(a, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 2, en, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 3, km, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(b, 2, keys[i].pk, 32, SQLITE_TRANSIENT);
		ck_assert_msg(sqlite3_step(a) == SQLITE_DONE && sqlite3_step(b) == SQLITE_DONE,
		              "seed %s: %s", id, sqlite3_errmsg(db));
		sqlite3_reset(a);
		sqlite3_reset(b);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

void
dur_open(struct dur_setup *s, unsigned ngos, const char *election)
{
	char token[65], path[200], body[200];
	struct test_http r;
	json_t *j, *draft, *c;
	char *text;
	size_t i;

	ck_assert_uint_ge(ngos, CANDIDATES);
	s->ngos = ngos;
	snprintf(s->election, sizeof(s->election), "%s", election);
	s->keys = calloc(ngos, sizeof(*s->keys));
	ck_assert_ptr_nonnull(s->keys);
	for (unsigned k = 0; k < ngos; k++)
		fixture_keypair(&s->keys[k]);
	fixture_create_admin(&s->d, FIXTURE_ADMIN, token);
	seed_ngos(s->d.db, s->keys, ngos);
	dur_launch(s);
	fixture_setup_password(&s->d, token, FIXTURE_PASSWORD);
	fixture_login(&s->d, FIXTURE_ADMIN, FIXTURE_PASSWORD, &s->sec);
	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"title\":{\"en\":\"Crash and disk faults\",\"km\":\"" FIXTURE_KM
	         "\"},\"template\":\"hlwg\"}",
	         election);
	fixture_post(&s->d, "/api/admin/elections", &s->sec, body, &r);
	j = fixture_json(&r, 201);
	test_http_free(&r);
	draft = json_deep_copy(json_object_get(j, "draft"));
	json_decref(j);
	ck_assert_uint_eq(json_array_size(json_object_get(draft, "contests")), CONTESTS);
	json_array_foreach(json_object_get(draft, "contests"), i, c)
	{
		for (unsigned k = 0; k < CANDIDATES; k++) {
			char id[16];

			snprintf(id, sizeof(id), "v%04u", k);
			json_array_append_new(json_object_get(c, "candidates"), json_string(id));
		}
	}
	text = json_dumps(draft, JSON_COMPACT);
	snprintf(path, sizeof(path), "/api/admin/elections/%s", election);
	fixture_put(&s->d, path, &s->sec, text, &r);
	j = fixture_json(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 0);
	json_decref(j);
	test_http_free(&r);
	free(text);
	json_decref(draft);
	snprintf(path, sizeof(path), "/api/admin/elections/%s/open", election);
	snprintf(body, sizeof(body), "{\"confirm\":\"%s\"}", election);
	fixture_post(&s->d, path, &s->sec, body, &r);
	json_decref(fixture_json(&r, 200));
	test_http_free(&r);
	snprintf(path, sizeof(path), "/api/elections/%s", election);
	test_http_get(&s->d, path, &r);
	j = fixture_json(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "roll")), ngos);
	ck_assert(encoding_hex_decode(json_string_value(json_object_get(j, "election_hash")), 128,
	                              s->election_hash, 64));
	json_decref(j);
	test_http_free(&r);
}

void
dur_cleanup(struct dur_setup *s)
{
	test_daemon_cleanup(&s->d);
	free(s->keys);
	s->keys = NULL;
}

/* ---- ballots ---- */

void
dur_ballot_make(const struct dur_setup *s, unsigned voter, uint32_t seq, unsigned *seedp,
                struct dur_ballot *b)
{
	uint32_t counts[CONTESTS], picks[CONTESTS][1];
	const uint32_t *idx[CONTESTS];
	struct encoding_buf body;
	uint8_t sig[64];
	char *hex, shex[129];

	memset(b, 0, sizeof(*b));
	b->voter = voter;
	b->seq = seq;
	for (int c = 0; c < CONTESTS; c++) {
		/* a candidate, or blank (min 0) */
		uint32_t r = (uint32_t)rand_r(seedp) % (CANDIDATES + 1);

		counts[c] = r < CANDIDATES ? 1 : 0;
		picks[c][0] = r;
		idx[c] = picks[c];
	}
	encoding_buf_init(&body);
	protocol_ballot_build(s->election_hash, s->keys[voter].pk, seq, CONTESTS, counts, idx,
	                      &body);
	ck_assert(!body.failed);
	protocol_ballot_hash(body.data, body.len, b->hash);
	ck_assert(protocol_ballot_sign(s->keys[voter].sk, b->hash, sig));
	hex = encoding_hex_encode_alloc(body.data, body.len);
	ck_assert_ptr_nonnull(hex);
	encoding_hex_encode(sig, 64, shex);
	b->json = malloc(strlen(hex) + 160);
	ck_assert_ptr_nonnull(b->json);
	sprintf(b->json, "{\"body\":\"%s\",\"signature\":\"%s\"}", hex, shex);
	free(hex);
	encoding_buf_free(&body);
}

void
dur_ballot_free(struct dur_ballot *b)
{
	free(b->json);
	free(b->receipt);
	b->json = b->receipt = NULL;
}

/* ---- a keep-alive client that never asserts (it runs in threads) ---- */

static int
conn_open(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

void
dur_conn_close(struct dur_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Reads one answer: status, body (malloc'd), whether the server closes.
 * Returns false when the connection broke first. */
static bool
read_answer(int fd, int *status, char **body, bool *closes)
{
	size_t cap = 8192, got = 0, head = 0, clen = 0;
	char *buf = malloc(cap);

	*body = NULL;
	*closes = false;
	if (buf == NULL)
		return false;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (head == 0) {
			char *end = got >= 4 ? memmem(buf, got, "\r\n\r\n", 4) : NULL;

			if (end != NULL) {
				head = (size_t)(end - buf) + 4;
				*status = 0;
				sscanf(buf, "HTTP/1.1 %d", status);
				for (char *q = buf; q < end; q++) {
					if (*q != '\n')
						continue;
					if (strncasecmp(q + 1, "Content-Length:", 15) == 0)
						clen = strtoul(q + 16, NULL, 10);
					else if (strncasecmp(q + 1, "Connection: close", 17) == 0)
						*closes = true;
				}
			}
		}
		if (head != 0 && got >= head + clen) {
			*body = malloc(clen + 1);
			if (*body != NULL) {
				memcpy(*body, buf + head, clen);
				(*body)[clen] = '\0';
			}
			free(buf);
			return *body != NULL;
		}
		if (poll(&p, 1, 60000) <= 0)
			break;
		if (got + 4096 > cap) {
			char *grown = realloc(buf, cap * 2);

			if (grown == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
		n = recv(fd, buf + got, cap - got - 1, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0'; /* for sscanf */
	}
	free(buf);
	return false;
}

bool
dur_cast(struct dur_conn *c, const char *election, struct dur_ballot *b)
{
	size_t len = strlen(b->json), cap = len + 300, off = 0, total;
	char *req, *body = NULL;
	bool closes = false;
	int hl, status = 0;

	if (c->fd < 0)
		c->fd = conn_open(c->port);
	if (c->fd < 0)
		return false; /* nothing sent this time: the state stays */
	/* one buffer, one send: a request split in two waits for a delayed ACK */
	req = malloc(cap);
	if (req == NULL)
		return false;
	hl = snprintf(req, cap,
	              "POST /api/elections/%s/ballots HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	              "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	              election, c->port, len);
	memcpy(req + hl, b->json, len);
	total = (size_t)hl + len;
	/* from the first byte on, the server may have it */
	b->state = DUR_UNKNOWN;
	b->status = 0;
	b->error[0] = '\0';
	free(b->receipt);
	b->receipt = NULL;
	while (off < total) {
		ssize_t w = send(c->fd, req + off, total - off, MSG_NOSIGNAL);

		if (w <= 0) {
			free(req);
			dur_conn_close(c);
			return false;
		}
		off += (size_t)w;
	}
	free(req);
	if (!read_answer(c->fd, &status, &body, &closes)) {
		dur_conn_close(c);
		return false;
	}
	if (closes)
		dur_conn_close(c);
	b->state = DUR_ANSWERED;
	b->status = status;
	{
		json_t *j = json_loads(body, 0, NULL), *r;

		if (status == 201 && (r = json_object_get(j, "receipt")) != NULL) {
			const char *eh = json_string_value(json_object_get(r, "event_hash"));

			b->receipt = json_dumps(r, JSON_COMPACT);
			b->n = (uint32_t)json_integer_value(json_object_get(r, "n"));
			if (eh == NULL || !encoding_hex_decode(eh, strlen(eh), b->event_hash, 64))
				memset(b->event_hash, 0, 64);
		} else if (json_is_string(json_object_get(j, "name"))) {
			snprintf(b->error, sizeof(b->error), "%s",
			         json_string_value(json_object_get(j, "name")));
		}
		json_decref(j);
	}
	free(body);
	return true;
}

/* ---- the board, the database, the record ---- */

void
dur_board_read(const struct test_daemon *d, const char *election, struct dur_board *out)
{
	size_t from = 0;

	memset(out, 0, sizeof(*out));
	do {
		char path[200];
		struct test_http r;
		json_t *j, *e;
		size_t i;

		snprintf(path, sizeof(path), "/api/elections/%s/board?from=%zu&limit=500", election,
		         from);
		test_http_get(d, path, &r);
		j = fixture_json(&r, 200);
		test_http_free(&r);
		if (out->ev == NULL) {
			out->total = (size_t)json_integer_value(json_object_get(j, "total"));
			out->ev = calloc(out->total + 1, sizeof(*out->ev));
			ck_assert_ptr_nonnull(out->ev);
		}
		json_array_foreach(json_object_get(j, "events"), i, e)
		{
			json_int_t n = json_integer_value(json_object_get(e, "n"));
			const char *h = json_string_value(json_object_get(e, "hash"));
			json_t *b = json_object_get(e, "ballot");
			struct dur_event *ev;

			ck_assert_msg(n >= 0 && (size_t)n < out->total && (size_t)n == from + i,
			              "event %lld out of order", (long long)n);
			ev = &out->ev[n];
			snprintf(ev->type, sizeof(ev->type), "%s",
			         json_string_value(json_object_get(e, "type")));
			ck_assert(h != NULL && encoding_hex_decode(h, strlen(h), ev->hash, 64));
			if (b != NULL) {
				const char *bh =
				    json_string_value(json_object_get(b, "ballot_hash"));

				ck_assert(bh != NULL &&
				          encoding_hex_decode(bh, strlen(bh), ev->ballot_hash, 64));
				ev->has_ballot = true;
			}
		}
		from += json_array_size(json_object_get(j, "events"));
		ck_assert_msg(json_array_size(json_object_get(j, "events")) > 0 ||
		                  from >= out->total,
		              "board page at %zu is empty", from);
		json_decref(j);
	} while (from < out->total);
}

void
dur_board_free(struct dur_board *b)
{
	free(b->ev);
	memset(b, 0, sizeof(*b));
}

long
dur_board_find(const struct dur_board *b, const uint8_t hash[64])
{
	for (size_t n = 0; n < b->total; n++)
		if (b->ev[n].has_ballot && memcmp(b->ev[n].ballot_hash, hash, 64) == 0)
			return (long)n;
	return -1;
}

void
dur_assert_on_board(const struct dur_board *b, const struct dur_ballot *x)
{
	ck_assert_msg(x->receipt != NULL, "voter %u seq %u: no receipt", x->voter, x->seq);
	ck_assert_msg(x->n < b->total, "voter %u seq %u: receipt n=%u, the board has %zu events",
	              x->voter, x->seq, x->n, b->total);
	ck_assert_msg(strcmp(b->ev[x->n].type, "ballot") == 0 && b->ev[x->n].has_ballot,
	              "voter %u seq %u: event %u is a %s", x->voter, x->seq, x->n,
	              b->ev[x->n].type);
	ck_assert_msg(memcmp(b->ev[x->n].ballot_hash, x->hash, 64) == 0,
	              "voter %u seq %u: event %u holds another ballot", x->voter, x->seq, x->n);
	ck_assert_msg(memcmp(b->ev[x->n].hash, x->event_hash, 64) == 0,
	              "voter %u seq %u: event %u has another h_n than the receipt", x->voter,
	              x->seq, x->n);
}

void
dur_assert_integrity(const char *db_path)
{
	char cmd[600], out[256] = "";
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'PRAGMA integrity_check' 2>&1", db_path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "integrity_check: %s", out);
}

int
dur_record_verify(const struct test_daemon *d, const char *election,
                  const struct dur_ballot *const *ballots, size_t n)
{
	char path[400], verify[1024], *cmd;
	size_t cap = 2048 + n * 40, len;
	struct test_http r;
	FILE *f;

	snprintf(path, sizeof(path), "/api/elections/%s/record", election);
	test_http_get(d, path, &r);
	ck_assert_int_eq(r.status, 200);
	snprintf(path, sizeof(path), "%s/record.jsonl", d->dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	{
		/* undo the chunked framing */
		char *p = r.body;
		unsigned long chunk;

		while ((chunk = strtoul(p, &p, 16)) > 0) {
			p += 2;
			ck_assert_uint_eq(fwrite(p, 1, chunk, f), chunk);
			p += chunk + 2;
		}
	}
	fclose(f);
	test_http_free(&r);
	snprintf(path, sizeof(path), "%s/receipts", d->dir);
	mkdir(path, 0700);
	test_binary("ngo-vote-verify", verify, sizeof(verify));
	cmd = malloc(cap);
	ck_assert_ptr_nonnull(cmd);
	len = (size_t)snprintf(cmd, cap, "cd '%s' && '%s' record.jsonl", d->dir, verify);
	for (size_t i = 0; i < n; i++) {
		if (ballots[i]->receipt == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/receipts/%zu.json", d->dir, i);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(ballots[i]->receipt, f);
		fclose(f);
		len += (size_t)snprintf(cmd + len, cap - len, " --receipt receipts/%zu.json", i);
		ck_assert_uint_lt(len, cap);
	}
	snprintf(cmd + len, cap - len, " > verify.out 2>&1");
	{
		int rc = test_run(cmd);

		free(cmd);
		return rc;
	}
}

/* ---- the crash ---- */

#define CRASH_NGOS    1000
#define CRASH_BALLOTS (2 * CRASH_NGOS)
#define CRASH_CLIENTS 16

struct crash_run {
	struct dur_ballot *ballots;
	const char *election;
	unsigned port;
	atomic_size_t next;
	atomic_uint acked, refused, early_failures;
	atomic_bool killed;
};

static void *
crash_client(void *arg)
{
	struct crash_run *run = arg;
	struct dur_conn c = {-1, run->port};

	for (;;) {
		size_t i = atomic_fetch_add(&run->next, 1);

		if (i >= CRASH_BALLOTS)
			break;
		if (!dur_cast(&c, run->election, &run->ballots[i])) {
			if (!atomic_load(&run->killed))
				atomic_fetch_add(&run->early_failures, 1);
			break; /* the daemon is gone */
		}
		if (run->ballots[i].status == 201)
			atomic_fetch_add(&run->acked, 1);
		else
			atomic_fetch_add(&run->refused, 1);
	}
	dur_conn_close(&c);
	return NULL;
}

START_TEST(kill_during_load_loses_no_receipt)
{
	struct dur_setup s;
	struct crash_run run;
	struct dur_board board, after;
	struct dur_ballot *b;
	const struct dur_ballot **all;
	pthread_t threads[CRASH_CLIENTS];
	unsigned seed, rnd, kill_after, delay_us, unknown = 0, unsent = 0, dup_before = 0,
	                                          accepted_now = 0;
	struct dur_conn c;
	const char *env = getenv("NGO_VOTE_CRASH_SEED");
	time_t t0 = time(NULL);

	seed = env != NULL ? (unsigned)strtoul(env, NULL, 10)
	                   : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	rnd = seed;
	kill_after = 100 + (unsigned)rand_r(&rnd) % (CRASH_BALLOTS - 200);
	delay_us = (unsigned)rand_r(&rnd) % 3000;
	printf("crash: seed %u (NGO_VOTE_CRASH_SEED=%u replays it): SIGKILL after %u receipts + "
	       "%u us\n",
	       seed, seed, kill_after, delay_us);
	fflush(stdout);

	dur_prepare(&s);
	dur_open(&s, CRASH_NGOS, "crash");
	b = calloc(CRASH_BALLOTS, sizeof(*b));
	all = calloc(CRASH_BALLOTS, sizeof(*all));
	ck_assert(b != NULL && all != NULL);
	/* seq 1 of every NGO, then seq 2: 1,000 ballots apart, never in flight
	 * together with 16 clients */
	for (unsigned i = 0; i < CRASH_BALLOTS; i++) {
		dur_ballot_make(&s, i % CRASH_NGOS, 1 + i / CRASH_NGOS, &rnd, &b[i]);
		all[i] = &b[i];
	}
	printf("crash: set-up %ld s\n", (long)(time(NULL) - t0));

	memset(&run, 0, sizeof(run));
	run.ballots = b;
	run.election = s.election;
	run.port = s.d.port;
	for (int k = 0; k < CRASH_CLIENTS; k++)
		ck_assert_int_eq(pthread_create(&threads[k], NULL, crash_client, &run), 0);
	while (atomic_load(&run.acked) + atomic_load(&run.refused) < kill_after &&
	       atomic_load(&run.next) < CRASH_BALLOTS + CRASH_CLIENTS) {
		usleep(200);
		if (time(NULL) - t0 > 120) {
			test_daemon_kill(&s.d);
			ck_abort_msg("casting stalled: %u receipts after 120 s",
			             atomic_load(&run.acked));
		}
	}
	usleep(delay_us);
	atomic_store(&run.killed, true);
	test_daemon_kill(&s.d);
	for (int k = 0; k < CRASH_CLIENTS; k++)
		pthread_join(threads[k], NULL);
	for (unsigned i = 0; i < CRASH_BALLOTS; i++) {
		unknown += b[i].state == DUR_UNKNOWN;
		unsent += b[i].state == DUR_UNSENT;
	}
	printf("crash: [%ld s] at the kill %u receipts, %u refusals, %u without an answer, %u "
	       "unsent\n",
	       (long)(time(NULL) - t0), atomic_load(&run.acked), atomic_load(&run.refused), unknown,
	       unsent);
	/* before the kill, every answer was a receipt */
	ck_assert_uint_eq(atomic_load(&run.early_failures), 0);
	ck_assert_uint_eq(atomic_load(&run.refused), 0);
	ck_assert_uint_ge(atomic_load(&run.acked), kill_after);
	ck_assert_uint_eq(atomic_load(&run.acked) + unknown + unsent, CRASH_BALLOTS);

	/* restart on the same folder */
	dur_launch(&s);
	{
		struct test_http r;

		test_http_get(&s.d, "/healthz", &r);
		ck_assert_int_eq(r.status, 200);
		test_http_free(&r);
	}
	dur_board_read(&s.d, s.election, &board);
	for (unsigned i = 0; i < CRASH_BALLOTS; i++)
		if (b[i].state == DUR_ANSWERED)
			dur_assert_on_board(&board, &b[i]);
	dur_assert_integrity(s.d.db);

	/* the client resends what it has no receipt for, in order */
	c.fd = -1;
	c.port = s.d.port;
	for (unsigned i = 0; i < CRASH_BALLOTS; i++) {
		long before;

		if (b[i].state == DUR_ANSWERED)
			continue;
		before = dur_board_find(&board, b[i].hash);
		ck_assert_msg(dur_cast(&c, s.election, &b[i]), "resend %u: no answer", i);
		if (b[i].status == 201) {
			/* accepted now: it must not have been there already */
			ck_assert_msg(before < 0,
			              "ballot %u was on the board at %ld and was accepted again", i,
			              before);
			accepted_now++;
		} else {
			ck_assert_msg(b[i].status == 409 &&
			                  (strcmp(b[i].error, "BALLOT_DUPLICATE") == 0 ||
			                   strcmp(b[i].error, "BALLOT_STALE_SEQ") == 0),
			              "resend %u: %d %s", i, b[i].status, b[i].error);
			ck_assert_msg(before >= 0, "resend %u refused (%s) but not on the board", i,
			              b[i].error);
			dup_before++;
		}
	}
	printf("crash: [%ld s] resent %u: %u accepted now, %u had been committed before the kill\n",
	       (long)(time(NULL) - t0), unknown + unsent, accepted_now, dup_before);
	ck_assert_uint_eq(accepted_now + dup_before, unknown + unsent);
	/* every ballot once more: each is there exactly once already */
	for (unsigned i = 0; i < CRASH_BALLOTS; i++) {
		struct dur_ballot again = b[i];

		again.receipt = NULL;
		ck_assert_msg(dur_cast(&c, s.election, &again), "again %u: no answer", i);
		ck_assert_msg(again.status == 409 && strcmp(again.error, "BALLOT_DUPLICATE") == 0,
		              "again %u: %d %s", i, again.status, again.error);
		free(again.receipt);
	}
	dur_conn_close(&c);
	printf("crash: [%ld s] every ballot resent once more: all duplicates\n",
	       (long)(time(NULL) - t0));
	dur_board_read(&s.d, s.election, &after);
	ck_assert_uint_eq(after.total, 2 + CRASH_BALLOTS);
	for (unsigned i = 0; i < CRASH_BALLOTS; i++) {
		long n = dur_board_find(&after, b[i].hash);

		ck_assert_msg(n >= 2, "ballot %u is not on the board", i);
		if (b[i].receipt != NULL)
			dur_assert_on_board(&after, &b[i]);
	}
	/* the board before the resend is a prefix of the board after */
	for (size_t n = 0; n < board.total; n++)
		ck_assert_msg(memcmp(after.ev[n].hash, board.ev[n].hash, 64) == 0,
		              "event %zu changed", n);
	dur_assert_integrity(s.d.db);
	ck_assert_msg(dur_record_verify(&s.d, s.election, all, CRASH_BALLOTS) == 0,
	              "the record does not verify (see %s/verify.out)", s.d.dir);
	ck_assert_int_eq(test_daemon_stop(&s.d), 0);
	printf("crash: done in %ld s\n", (long)(time(NULL) - t0));
	dur_board_free(&board);
	dur_board_free(&after);
	for (unsigned i = 0; i < CRASH_BALLOTS; i++)
		dur_ballot_free(&b[i]);
	free(b);
	free(all);
	dur_cleanup(&s);
}
END_TEST

Suite *
crash_suite(void)
{
	Suite *s = suite_create("crash");
	TCase *tc = tcase_create("kill9");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, kill_during_load_loses_no_receipt);
	suite_add_tcase(s, tc);
	return s;
}
