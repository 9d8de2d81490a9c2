/*
 * test_hostile.c -- slow and hostile clients against the real daemon
 * (issue 7).  Every test opens one election ("vote": contest c0 of ngo-a
 * and ngo-b, 0..1 choices, revote allowed) and aims at its ballot route,
 * the one endpoint where an accepted request is stored for good.
 *
 *  slow clients:
 *   - 500 idle and slow-drip connections from 127.0.0.1 with the per-IP
 *     and connection limits set above 500: all 500 are held at once, and
 *     a normal client on 127.0.0.1 still votes (201) and reads /healthz
 *     at once -- the worker threads are not tied up by connections that
 *     send nothing (epoll, no thread per connection).  The idle ones are
 *     closed by the 3 s inactivity timeout; the drip ones, which send a
 *     byte every 0.5 s, are not (see the per-IP test for what bounds them);
 *   - 500 idle connections from 127.0.0.1 with the default per-IP limit
 *     (64): the daemon holds exactly 64 and closes the rest at once; a
 *     client from another address (127.0.0.2, also loopback) votes at
 *     once; a client on the attacker's own address is refused until the
 *     timeout reclaims the idle slots, then votes (201) within a few
 *     seconds.  So one address cannot take more than its share of the
 *     daemon, and idle connections cannot hold even that share for long.
 *
 *  hostile requests, each answered with a clean 4xx JSON error naming the
 *  fault (or, for what MHD refuses before our code runs, its own 431):
 *   a 10 MB body, declared (413 from the headers alone) and chunked (a
 *   chunked body just over the route's cap gets 413; one of 10 MB is read
 *   and dropped up to 4 MiB, then the connection is cut without an
 *   answer, by design: httpd.c HTTPD_DISCARD_MAX); 10,000 levels of
 *   arrays and of objects; invalid UTF-8 in values, keys and between
 *   tokens; NUL as \u0000, as a raw byte and after the object; numbers
 *   beyond 2^63 and 1e400; hundreds of header lines and a 100 KB header.
 *   Afterwards /healthz answers 200, the board's length and a snapshot of
 *   every table holding state are unchanged, a good ballot is still
 *   accepted, and the daemon exits cleanly on SIGTERM.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "encoding.h"
#include "fixture.h"
#include "helpers.h"
#include "protocol_ballot.h"

Suite *hostile_suite(void);

#define NVOTERS   3
#define HOSTILE_N 500
#define BALLOTS   "/api/elections/vote/ballots"
#define ATTACKER  "127.0.0.1"
#define ELSEWHERE "127.0.0.2"

static const char *const voter_ids[NVOTERS] = {"ngo-a", "ngo-b", "ngo-c"};

struct env {
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k[NVOTERS];
	uint8_t election_hash[64];
};

/* ---- set-up ---------------------------------------------------------- */

/* 500 sockets here, 500 more in the daemon (which inherits the limit). */
static void
raise_nofile(void)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur >= 4096)
		return;
	ck_assert_msg(rl.rlim_max >= 2 * HOSTILE_N + 200,
	              "RLIMIT_NOFILE hard limit %llu is too low for %d connections",
	              (unsigned long long)rl.rlim_max, HOSTILE_N);
	rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* A daemon (extra flags, NULL-terminated, may be NULL) with three NGOs
 * enrolled and the election "vote" open. */
static void
env_start(struct env *v, const char *const *args)
{
	struct test_http r;
	char path[256];
	json_t *j;

	ck_assert_int_ge(sodium_init(), 0);
	raise_nofile();
	test_daemon_prepare(&v->d);
	test_daemon_launch(&v->d, args);
	fixture_secretariat(&v->d, &v->sec);
	for (int i = 0; i < NVOTERS; i++) {
		fixture_ngo_create(&v->d, &v->sec, voter_ids[i]);
		fixture_keypair(&v->k[i]);
		fixture_enrol_key(&v->d, &v->sec, voter_ids[i], &v->k[i]);
	}
	fixture_post(&v->d, "/api/admin/elections", &v->sec,
	             "{\"id\":\"vote\",\"title\":{\"en\":\"Vote\",\"km\":\"" FIXTURE_KM
	             "\"},\"template\":\"empty\"}",
	             &r);
	json_decref(fixture_json(&r, 201));
	test_http_free(&r);
	fixture_put(&v->d, "/api/admin/elections/vote", &v->sec,
	            "{\"title\":{\"en\":\"Vote\",\"km\":\"" FIXTURE_KM "\"},"
	            "\"opens_at\":\"\",\"closes_at\":\"\",\"auto_open\":false,"
	            "\"auto_close\":false,\"revote\":true,\"excluded\":[],"
	            "\"contests\":[{\"id\":\"c0\",\"title\":{\"en\":\"Group\",\"km\":\"" FIXTURE_KM
	            "\"},\"seats\":1,\"min\":0,\"max\":1,\"candidates\":[\"ngo-a\",\"ngo-b\"]}]}",
	            &r);
	j = fixture_json(&r, 200);
	ck_assert_msg(json_array_size(json_object_get(j, "problems")) == 0, "problems: %s", r.body);
	json_decref(j);
	test_http_free(&r);
	fixture_post(&v->d, "/api/admin/elections/vote/open", &v->sec, "{\"confirm\":\"vote\"}",
	             &r);
	json_decref(fixture_json(&r, 200));
	test_http_free(&r);
	snprintf(path, sizeof(path), "/api/elections/vote");
	test_http_get(&v->d, path, &r);
	j = fixture_json(&r, 200);
	ck_assert(encoding_hex_decode(json_string_value(json_object_get(j, "election_hash")), 128,
	                              v->election_hash, 64));
	json_decref(j);
	test_http_free(&r);
}

static void
env_stop(struct env *v)
{
	ck_assert_int_eq(test_daemon_stop(&v->d), 0);
	test_daemon_cleanup(&v->d);
}

/* {"body":…,"signature":…} of voter's ballot choosing candidate 0. */
static char *
ballot_json(const struct env *v, int voter, uint32_t seq)
{
	static const uint32_t pick[1] = {0};
	const uint32_t *picks[1] = {pick};
	uint32_t count[1] = {1};
	struct encoding_buf body;
	uint8_t hash[64], sig[64];
	char *bhex, shex[129], *json;

	encoding_buf_init(&body);
	protocol_ballot_build(v->election_hash, v->k[voter].pk, seq, 1, count, picks, &body);
	ck_assert(!body.failed);
	protocol_ballot_hash(body.data, body.len, hash);
	ck_assert(protocol_ballot_sign(v->k[voter].sk, hash, sig));
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	ck_assert_ptr_nonnull(bhex);
	encoding_hex_encode(sig, 64, shex);
	json = malloc(strlen(bhex) + 200);
	ck_assert_ptr_nonnull(json);
	sprintf(json, "{\"body\":\"%s\",\"signature\":\"%s\"}", bhex, shex);
	free(bhex);
	encoding_buf_free(&body);
	return json;
}

/* The whole HTTP request of that ballot (Connection: close). */
static char *
ballot_request(const struct env *v, int voter, uint32_t seq, size_t *len)
{
	char *json = ballot_json(v, voter, seq), *req = malloc(strlen(json) + 512);

	ck_assert_ptr_nonnull(req);
	*len = (size_t)sprintf(req,
	                       "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                       "Connection: close\r\nContent-Type: application/json\r\n"
	                       "Content-Length: %zu\r\n\r\n%s",
	                       v->d.port, strlen(json), json);
	free(json);
	return req;
}

static int
board_total(const struct env *v)
{
	struct test_http r;
	json_t *j;
	int total;

	test_http_get(&v->d, "/api/elections/vote/board?limit=1", &r);
	j = fixture_json(&r, 200);
	ck_assert(json_is_integer(json_object_get(j, "total")));
	total = (int)json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	test_http_free(&r);
	return total;
}

static void
expect_healthz(const struct env *v)
{
	struct test_http r;

	test_http_get(&v->d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
}

/* Time bounds stretch when the daemon runs under valgrind. */
static double
slow_factor(void)
{
	return getenv("NGO_VOTE_VALGRIND") != NULL ? 10.0 : 1.0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- raw sockets ----------------------------------------------------- */

/* A TCP connection to the daemon from source address src, or -1. */
static int
connect_from(const char *src, unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, src, &a.sin_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr), 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req from src and reads the answer until the daemon closes or
 * timeout_s pass.  Returns the bytes read into out (NUL-terminated);
 * *sent tells how much of req went out before the daemon stopped reading.
 * Sending and reading interleave, so an early answer is not lost. */
static size_t
exchange(const char *src, unsigned port, const char *req, size_t len, char *out, size_t outsize,
         size_t *sent, double timeout_s)
{
	double end = now_s() + timeout_s;
	size_t got = 0, off = 0;
	int fd = connect_from(src, port);

	out[0] = '\0';
	if (sent != NULL)
		*sent = 0;
	if (fd < 0)
		return 0;
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	while (now_s() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		int left = (int)((end - now_s()) * 1000) + 1;

		if (off < len)
			p.events |= POLLOUT;
		if (poll(&p, 1, left) <= 0)
			break;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, out + got, outsize - 1 - got, 0);

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
			if (got == outsize - 1)
				break;
			continue;
		}
		if (p.revents & POLLOUT) {
			ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);

			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (w <= 0)
				off = len; /* the daemon closed: read what it said */
			else
				off += (size_t)w;
		}
	}
	if (sent != NULL)
		*sent = off;
	close(fd);
	out[got] = '\0';
	return got;
}

/* The status of a raw answer, or -1 if there was none. */
static int
answer_status(const char *out, size_t got)
{
	int status;

	if (got == 0 || sscanf(out, "HTTP/1.1 %d", &status) != 1)
		return -1;
	return status;
}

/* Asserts a JSON error answer with this status and registry name. */
static void
expect_raw_error(const char *what, const char *out, size_t got, int status, const char *name)
{
	const char *body = strstr(out, "\r\n\r\n");
	json_t *j;

	ck_assert_msg(answer_status(out, got) == status, "%s: status %d, expected %d: %.200s", what,
	              answer_status(out, got), status, out);
	ck_assert_msg(body != NULL, "%s: no body", what);
	j = json_loads(body + 4, 0, NULL);
	ck_assert_msg(j != NULL, "%s: body is not JSON: %.200s", what, body + 4);
	ck_assert_msg(json_is_string(json_object_get(j, "name")) &&
	                  strcmp(json_string_value(json_object_get(j, "name")), name) == 0,
	              "%s: %s, expected %s", what, body + 4, name);
	json_decref(j);
}

/* Casts voter's ballot from src; returns the status, -1 if refused. */
static int
cast_from(const struct env *v, const char *src, int voter, uint32_t seq)
{
	char out[8192];
	size_t len, got;
	char *req = ballot_request(v, voter, seq, &len);

	got = exchange(src, v->d.port, req, len, out, sizeof(out), NULL, 10);
	free(req);
	return answer_status(out, got);
}

enum conn_state { CONN_OPEN, CONN_CLOSED, CONN_ANSWERED };

/* Whether the daemon still holds a connection we sent nothing (more) on. */
static enum conn_state
conn_state(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char c;
	ssize_t r;

	if (poll(&p, 1, 0) == 0)
		return CONN_OPEN;
	r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0)
		return CONN_ANSWERED;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CONN_OPEN;
	return CONN_CLOSED;
}

static int
count_state(const int *fds, int n, enum conn_state want)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += fds[i] >= 0 && conn_state(fds[i]) == want;
	return k;
}

/* Polls until no connection of fds is open any more, or timeout_s pass;
 * returns the number still open. */
static int
wait_all_closed(const int *fds, int n, double timeout_s)
{
	double end = now_s() + timeout_s;
	int open;

	while ((open = count_state(fds, n, CONN_OPEN)) > 0 && now_s() < end)
		usleep(100 * 1000);
	return open;
}

static void
close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- slow clients ---------------------------------------------------- */

/* Slow-drip connections: every 0.5 s one more byte of a header line that
 * never ends, or of a body that never completes. */
struct dripper {
	int *fds;
	int n;
	atomic_bool stop;
	pthread_t thread;
};

static void *
drip(void *arg)
{
	struct dripper *d = arg;

	while (!atomic_load(&d->stop)) {
		for (int i = 0; i < d->n; i++)
			if (d->fds[i] >= 0)
				(void)send(d->fds[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		usleep(500 * 1000);
	}
	return NULL;
}

/* Opens n connections from src; the first n_idle send nothing, the rest
 * start a ballot POST (half stop inside a header line, half inside the
 * body) and are then fed by the dripper. */
static void
open_hostile(const struct env *v, const char *src, int *fds, int n, int n_idle)
{
	for (int i = 0; i < n; i++) {
		char start[256];
		int len;

		fds[i] = connect_from(src, v->d.port);
		ck_assert_msg(fds[i] >= 0, "connect %d: %s", i, strerror(errno));
		if (i < n_idle)
			continue;
		if (i % 2 == 0)
			len = snprintf(start, sizeof(start),
			               "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			               "X-Slow: ",
			               v->d.port);
		else
			len = snprintf(start, sizeof(start),
			               "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			               "Content-Type: application/json\r\n"
			               "Content-Length: 60000\r\n\r\n{\"body\":\"",
			               v->d.port);
		ck_assert_int_eq(send(fds[i], start, (size_t)len, MSG_NOSIGNAL), len);
	}
}

/* The limits above 500: every hanging connection is held, and a normal
 * client is served at once all the same. */
START_TEST(slow_clients_held_voting_goes_on)
{
	static int fds[HOSTILE_N];
	const char *args[] = {"--connection-timeout",
	                      NULL,
	                      "--max-per-ip",
	                      "2000",
	                      "--max-connections",
	                      "4000",
	                      NULL};
	char timeout[16];
	struct dripper dr;
	struct env v;
	double t0, t;
	int idle = HOSTILE_N / 2, base;

	snprintf(timeout, sizeof(timeout), "%d", (int)(3 * slow_factor()));
	args[1] = timeout;
	env_start(&v, args);
	base = board_total(&v);
	open_hostile(&v, ATTACKER, fds, HOSTILE_N, idle);
	dr.fds = fds + idle;
	dr.n = HOSTILE_N - idle;
	atomic_init(&dr.stop, false);
	ck_assert_int_eq(pthread_create(&dr.thread, NULL, drip, &dr), 0);
	usleep(500 * 1000);
	/* all 500 are held (none refused, none answered) */
	ck_assert_int_eq(count_state(fds, HOSTILE_N, CONN_OPEN), HOSTILE_N);

	/* a normal client from the same address votes while they hang: all
	 * 500 are still open when its 201 has come */
	t0 = now_s();
	ck_assert_int_eq(cast_from(&v, ATTACKER, 0, 1), 201);
	t = now_s() - t0;
	expect_healthz(&v);
	ck_assert_msg(count_state(fds, HOSTILE_N, CONN_OPEN) == HOSTILE_N,
	              "the ballot took %.2f s: connections timed out meanwhile", t);

	/* the idle ones are closed by the 3 s inactivity timeout... */
	ck_assert_int_eq(wait_all_closed(fds, idle, 8 * slow_factor()), 0);
	/* ...the dripping ones stay: each byte is activity */
	ck_assert_int_eq(count_state(fds + idle, HOSTILE_N - idle, CONN_OPEN), HOSTILE_N - idle);
	ck_assert_int_eq(cast_from(&v, ATTACKER, 1, 1), 201);

	atomic_store(&dr.stop, true);
	ck_assert_int_eq(pthread_join(dr.thread, NULL), 0);
	/* once they stop dripping, the timeout closes them too */
	ck_assert_int_eq(wait_all_closed(fds + idle, HOSTILE_N - idle, 8 * slow_factor()), 0);
	close_all(fds, HOSTILE_N);
	ck_assert_int_eq(board_total(&v), base + 2);
	expect_healthz(&v);
	env_stop(&v);
}
END_TEST

/* The default per-IP limit (64): one address gets 64 connections; other
 * addresses are not affected; the attacker's own address gets its slots
 * back when the timeout closes idle connections. */
START_TEST(per_ip_limit_and_timeout)
{
	static int fds[HOSTILE_N];
	const char *args[] = {"--connection-timeout", NULL, NULL};
	double t0, t, timeout = 3 * slow_factor();
	char arg[16];
	struct env v;
	int held, status, base;

	snprintf(arg, sizeof(arg), "%d", (int)timeout);
	args[1] = arg;
	env_start(&v, args);
	base = board_total(&v);
	t0 = now_s();
	open_hostile(&v, ATTACKER, fds, HOSTILE_N, HOSTILE_N);
	/* the refused ones are closed at once (wait for the daemon to get
	 * through its accept queue, well within the timeout) */
	while (count_state(fds, HOSTILE_N, CONN_CLOSED) < HOSTILE_N - 64 &&
	       now_s() - t0 < timeout / 2)
		usleep(50 * 1000);
	held = count_state(fds, HOSTILE_N, CONN_OPEN);
	ck_assert_msg(held == 64, "%d of %d connections held, expected the per-IP limit 64", held,
	              HOSTILE_N);
	ck_assert_int_eq(count_state(fds, HOSTILE_N, CONN_CLOSED), HOSTILE_N - 64);

	/* another address is served at once */
	ck_assert_int_eq(cast_from(&v, ELSEWHERE, 0, 1), 201);
	/* the attacker's address is refused while its 64 slots are held... */
	ck_assert_int_eq(cast_from(&v, ATTACKER, 1, 1), -1);
	/* ...and is served once the timeout has closed them */
	while ((status = cast_from(&v, ATTACKER, 1, 1)) == -1 && now_s() - t0 < 4 * timeout)
		usleep(250 * 1000);
	t = now_s() - t0;
	ck_assert_msg(status == 201, "status %d after %.1f s", status, t);
	ck_assert_msg(t >= 0.8 * timeout, "served after %.1f s, before the %.0f s timeout", t,
	              timeout);
	ck_assert_int_eq(wait_all_closed(fds, HOSTILE_N, 5 * slow_factor()), 0);
	close_all(fds, HOSTILE_N);
	ck_assert_int_eq(board_total(&v), base + 2);
	expect_healthz(&v);
	env_stop(&v);
}
END_TEST

/* ---- hostile requests ------------------------------------------------ */

/* What must not change while hostile requests are refused. */
struct unchanged {
	char *snapshot;
	int total;
};

static void
unchanged_take(const struct env *v, struct unchanged *u)
{
	u->snapshot = fixture_db_snapshot(v->d.db);
	u->total = board_total(v);
}

static void
unchanged_check(const struct env *v, struct unchanged *u)
{
	char *now;

	expect_healthz(v);
	ck_assert_int_eq(board_total(v), u->total);
	now = fixture_db_snapshot(v->d.db);
	ck_assert_msg(strcmp(now, u->snapshot) == 0, "the database changed");
	free(now);
	free(u->snapshot);
	u->snapshot = NULL;
}

/* Posts body (len bytes) to the ballot route and asserts the error. */
static void
post_expect(const struct env *v, const char *what, const char *body, size_t len, int status,
            const char *name)
{
	struct test_http r;

	test_http_do(&v->d, "POST", BALLOTS, "Content-Type: application/json\r\n", body, len, &r);
	ck_assert_msg(r.status == status, "%s: status %d, expected %d: %.200s", what, r.status,
	              status, r.body);
	test_http_expect_error(&r, status, name);
	test_http_free(&r);
}

#define POST_EXPECT(v, body, status, name)                                                         \
	post_expect((v), #body, (body), sizeof(body) - 1, (status), (name))

/* A chunked ballot POST of n chunks of size bytes ('a's). */
static char *
chunked_request(const struct env *v, size_t n, size_t size, size_t *len)
{
	size_t cap = 512 + n * (size + 16), off;
	char *req = malloc(cap), head[32];

	ck_assert_ptr_nonnull(req);
	off = (size_t)snprintf(req, cap,
	                       "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                       "Connection: close\r\nContent-Type: application/json\r\n"
	                       "Transfer-Encoding: chunked\r\n\r\n",
	                       v->d.port);
	snprintf(head, sizeof(head), "%zx\r\n", size);
	for (size_t i = 0; i < n; i++) {
		memcpy(req + off, head, strlen(head));
		off += strlen(head);
		memset(req + off, 'a', size);
		off += size;
		memcpy(req + off, "\r\n", 2);
		off += 2;
	}
	memcpy(req + off, "0\r\n\r\n", 5);
	*len = off + 5;
	return req;
}

START_TEST(huge_bodies)
{
	static char out[65536];
	const size_t ten_mb = 10u * 1024 * 1024;
	struct unchanged u;
	struct env v;
	size_t len, got, sent;
	char *req;

	env_start(&v, NULL);
	unchanged_take(&v, &u);

	/* declared: 413 from the headers, while the client is still sending */
	req = malloc(ten_mb + 512);
	ck_assert_ptr_nonnull(req);
	len = (size_t)sprintf(req,
	                      "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                      "Connection: close\r\nContent-Type: application/json\r\n"
	                      "Content-Length: %zu\r\n\r\n",
	                      v.d.port, ten_mb);
	memset(req + len, 'a', ten_mb);
	got = exchange(ATTACKER, v.d.port, req, len + ten_mb, out, sizeof(out), &sent, 30);
	expect_raw_error("10 MB declared", out, got, 413, "BODY_TOO_LARGE");
	free(req);

	/* chunked, just over the route's 1 MiB: read, dropped, 413 */
	req = chunked_request(&v, 17, 65536, &len);
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), &sent, 30);
	expect_raw_error("1088 KiB chunked", out, got, 413, "BODY_TOO_LARGE");
	ck_assert_uint_eq(sent, len);
	free(req);

	/* chunked, 10 MB: dropped up to 4 MiB, then the connection is cut
	 * with no answer (there is no Content-Length to refuse early, and
	 * draining further would let one client cost unbounded input) */
	req = chunked_request(&v, ten_mb / 65536, 65536, &len);
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), &sent, 60);
	ck_assert_msg(got == 0, "10 MB chunked: answer %.200s", out);
	ck_assert_msg(sent > 4u * 1024 * 1024, "cut after %zu bytes", sent);
	free(req);

	unchanged_check(&v, &u);
	env_stop(&v);
}
END_TEST

/* {"signature":"00","body":[[...]]} with n arrays; returns its length. */
static size_t
nested_arrays(char *b, int n)
{
	size_t k = (size_t)sprintf(b, "{\"signature\":\"00\",\"body\":");

	memset(b + k, '[', (size_t)n);
	k += (size_t)n;
	memset(b + k, ']', (size_t)n);
	k += (size_t)n;
	b[k++] = '}';
	return k;
}

START_TEST(deep_nesting)
{
	const int levels = 10000;
	struct unchanged u;
	struct env v;
	char *b;
	size_t k;

	env_start(&v, NULL);
	unchanged_take(&v, &u);
	/* 10,000 nested arrays as a field's value */
	b = malloc(2 * (size_t)levels + 64);
	ck_assert_ptr_nonnull(b);
	k = (size_t)sprintf(b, "{\"body\":");
	memset(b + k, '[', (size_t)levels);
	k += (size_t)levels;
	memset(b + k, ']', (size_t)levels);
	k += (size_t)levels;
	b[k++] = '}';
	post_expect(&v, "10,000 arrays", b, k, 400, "JSON_TOO_DEEP");
	free(b);
	/* 10,000 nested objects (60 KB, under the route's cap) */
	b = malloc(6 * (size_t)levels + 64);
	ck_assert_ptr_nonnull(b);
	k = 0;
	for (int i = 0; i < levels; i++, k += 5)
		memcpy(b + k, "{\"a\":", 5);
	b[k++] = '1';
	memset(b + k, '}', (size_t)levels);
	k += (size_t)levels;
	ck_assert_uint_lt(k, 65536);
	post_expect(&v, "10,000 objects", b, k, 400, "JSON_TOO_DEEP");
	free(b);
	/* 32 arrays in the object: just over the intake's own bound (32
	 * levels, the object included), far under jansson's (2048) */
	b = malloc(128);
	ck_assert_ptr_nonnull(b);
	k = nested_arrays(b, 32);
	post_expect(&v, "33 levels", b, k, 400, "JSON_TOO_DEEP");
	/* 31 arrays load (32 levels): the field check answers */
	k = nested_arrays(b, 31);
	{
		struct test_http r;

		test_http_do(&v.d, "POST", BALLOTS, "Content-Type: application/json\r\n", b, k, &r);
		fixture_expect_field(&r, 400, "JSON_WRONG_TYPE", "body");
		test_http_free(&r);
	}
	free(b);
	unchanged_check(&v, &u);
	env_stop(&v);
}
END_TEST

START_TEST(bad_utf8_nul_and_numbers)
{
	struct unchanged u;
	struct env v;
	char *good;

	env_start(&v, NULL);
	unchanged_take(&v, &u);
	/* invalid UTF-8: a stray byte, overlong, a surrogate, beyond U+10FFFF,
	 * a truncated sequence; in a value, in a key, between tokens */
	POST_EXPECT(&v, "{\"body\":\"\xff\"}", 400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v, "{\"body\":\"\xc0\xaf\"}", 400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v, "{\"body\":\"\xed\xa0\x80\"}", 400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v, "{\"body\":\"\xf4\x90\x80\x80\"}", 400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v, "{\"body\":\"\xe1\x9e\"}", 400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v,
	            "{\"bo\xff"
	            "dy\":\"00\"}",
	            400, "JSON_INVALID_UTF8");
	POST_EXPECT(&v, "{\"body\":\xff}", 400, "JSON_INVALID_UTF8");
	/* a lone surrogate as an escape is not a character either */
	POST_EXPECT(&v, "{\"body\":\"\\ud800\"}", 400, "JSON_MALFORMED");

	/* NUL: escaped in a value and in a key, raw, after the object */
	POST_EXPECT(&v, "{\"body\":\"00\\u0000\",\"signature\":\"00\"}", 400, "JSON_MALFORMED");
	POST_EXPECT(&v, "{\"bo\\u0000dy\":\"00\"}", 400, "JSON_MALFORMED");
	POST_EXPECT(&v,
	            "{\"body\":\"00\0"
	            "00\"}",
	            400, "JSON_MALFORMED");
	good = ballot_json(&v, 0, 1);
	{
		size_t n = strlen(good);
		char *nul = malloc(n + 1);

		ck_assert_ptr_nonnull(nul);
		memcpy(nul, good, n);
		nul[n] = '\0'; /* a good ballot, then a NUL byte */
		post_expect(&v, "good ballot + NUL", nul, n + 1, 400, "JSON_MALFORMED");
		free(nul);
	}

	/* numbers beyond 2^63 (and below -2^63), and a real that overflows */
	POST_EXPECT(&v, "{\"body\":9223372036854775808}", 400, "JSON_NUMBER_TOO_LARGE");
	POST_EXPECT(&v, "{\"body\":-9223372036854775809}", 400, "JSON_NUMBER_TOO_LARGE");
	POST_EXPECT(&v, "{\"body\":18446744073709551616}", 400, "JSON_NUMBER_TOO_LARGE");
	POST_EXPECT(&v, "{\"body\":1e400}", 400, "JSON_NUMBER_TOO_LARGE");
	/* 2^63 - 1 loads, and is then the wrong type for the field */
	{
		struct test_http r;
		const char b[] = "{\"body\":9223372036854775807,\"signature\":\"00\"}";

		test_http_do(&v.d, "POST", BALLOTS, "Content-Type: application/json\r\n", b,
		             sizeof(b) - 1, &r);
		fixture_expect_field(&r, 400, "JSON_WRONG_TYPE", "body");
		test_http_free(&r);
	}
	/* an integer field (the receipt check's n, 0..2^31-1) at its edges */
	{
		struct test_http r;
		char b[1024];

		snprintf(b, sizeof(b),
		         "{\"election_hash\":\"%0128d\",\"n\":9223372036854775807,"
		         "\"event_hash\":\"%0128d\",\"ballot_hash\":\"%0128d\","
		         "\"signature\":\"%0128d\"}",
		         0, 0, 0, 0);
		test_http_post_json(&v.d, "/api/elections/vote/receipts/check", b, &r);
		fixture_expect_field(&r, 400, "JSON_BAD_VALUE", "n");
		test_http_free(&r);
	}
	unchanged_check(&v, &u);

	/* and a good ballot is still accepted */
	{
		struct test_http r;

		test_http_post_json(&v.d, BALLOTS, good, &r);
		ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
		test_http_free(&r);
	}
	free(good);
	env_stop(&v);
}
END_TEST

START_TEST(header_floods)
{
	static char out[65536];
	struct unchanged u;
	struct env v;
	size_t cap = 200 * 1024, len, got;
	char *req = malloc(cap), *json;

	ck_assert_ptr_nonnull(req);
	env_start(&v, NULL);
	unchanged_take(&v, &u);
	json = ballot_json(&v, 0, 1);

	/* 300 header lines of 50 bytes (15 KB): more than the connection's
	 * memory pool (--connection-memory, 32 KiB) holds with their
	 * bookkeeping; MHD answers 431 itself, before any of our code runs */
	len = (size_t)sprintf(req,
	                      "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                      "Connection: close\r\nContent-Type: application/json\r\n",
	                      v.d.port);
	for (int i = 0; i < 300; i++)
		len += (size_t)sprintf(req + len, "X-Flood-%03d: %040d\r\n", i, i);
	len += (size_t)sprintf(req + len, "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), NULL, 20);
	ck_assert_msg(answer_status(out, got) == 431, "300 headers: %.200s", out);

	/* 2,000 tiny header lines */
	len = (size_t)sprintf(req, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
	for (int i = 0; i < 2000; i++)
		len += (size_t)sprintf(req + len, "X-%d: v\r\n", i);
	len += (size_t)sprintf(req + len, "\r\n");
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), NULL, 20);
	ck_assert_msg(answer_status(out, got) == 431, "2,000 headers: %.200s", out);

	/* one 100 KB header line */
	len = (size_t)sprintf(req, "POST " BALLOTS " HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + len, 'a', 100 * 1024);
	len += 100 * 1024;
	len += (size_t)sprintf(req + len,
	                       "\r\nConnection: close\r\nContent-Type: application/json\r\n"
	                       "Content-Length: %zu\r\n\r\n%s",
	                       strlen(json), json);
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), NULL, 20);
	ck_assert_msg(answer_status(out, got) == 431, "100 KB header: %.200s", out);

	/* a 100 KB request line (the URL) */
	len = (size_t)sprintf(req, "GET /");
	memset(req + len, 'a', 100 * 1024);
	len += 100 * 1024;
	len += (size_t)sprintf(req + len, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), NULL, 20);
	ck_assert_msg(answer_status(out, got) == 414, "100 KB URL: %.200s", out);

	unchanged_check(&v, &u);

	/* a hundred ordinary extra headers are fine: the ballot is read */
	len = (size_t)sprintf(req,
	                      "POST " BALLOTS " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                      "Connection: close\r\nContent-Type: application/json\r\n",
	                      v.d.port);
	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(req + len, "X-Extra-%03d: %d\r\n", i, i);
	len += (size_t)sprintf(req + len, "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
	got = exchange(ATTACKER, v.d.port, req, len, out, sizeof(out), NULL, 20);
	ck_assert_msg(answer_status(out, got) == 201, "100 headers: %.300s", out);
	free(json);
	free(req);
	expect_healthz(&v);
	env_stop(&v);
}
END_TEST

Suite *
hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *slow = tcase_create("slow");
	TCase *req = tcase_create("requests");

	tcase_add_test(slow, slow_clients_held_voting_goes_on);
	tcase_add_test(slow, per_ip_limit_and_timeout);
	tcase_set_timeout(slow, 120);
	suite_add_tcase(s, slow);

	tcase_add_test(req, huge_bodies);
	tcase_add_test(req, deep_nesting);
	tcase_add_test(req, bad_utf8_nul_and_numbers);
	tcase_add_test(req, header_floods);
	tcase_set_timeout(req, 120);
	suite_add_tcase(s, req);
	return s;
}
