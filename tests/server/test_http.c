/*
 * test_http.c -- the real ngo-voted over raw HTTP/1.1: the dispatcher's
 * framing errors (404, 405 + Allow, 413 declared and chunked, 414, 415,
 * 400 BAD_PATH), strict JSON intake on a JSON route, static files (types,
 * ETag/304, every traversal trick), the security headers on every kind of
 * answer, /healthz, the command line (--help, bad values), clean shutdown
 * with one escaped log line per request, the server key file, restarts,
 * and refusing a database with an edited migration or a newer schema.
 *
 * Every test starts its own daemon on port 0 with a fresh data folder.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "migrate.h"

Suite *http_suite(void);

/* The JSON route with a 4096-byte body cap. */
#define RECEIPT_CHECK "/api/elections/x/receipts/check"
#define ROUTE_CAP     4096

/* 64 zero bytes as lowercase hex */
#define HEX64                                                                                      \
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
	"0000000000000000000000000000000000000000"

/* ---- helpers ------------------------------------------------------------- */

static void
stop_clean(struct test_daemon *d)
{
	int st = test_daemon_stop(d);

	test_daemon_cleanup(d);
	ck_assert_msg(st == 0, "daemon exit status %d, expected 0", st);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		size_t r;

		if (n + 1024 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static void
header_eq(const struct test_http *r, const char *name, const char *want)
{
	char v[512];

	ck_assert_msg(test_http_header(r, name, v, sizeof(v)), "no %s header (status %d)", name,
	              r->status);
	ck_assert_msg(strcmp(v, want) == 0, "%s: '%s', expected '%s' (status %d)", name, v, want,
	              r->status);
}

static void
header_absent(const struct test_http *r, const char *name)
{
	char v[512];

	ck_assert_msg(!test_http_header(r, name, v, sizeof(v)), "unexpected %s: %s", name, v);
}

/* The security headers every response carries, and its cache policy. */
static void
expect_security_headers(const struct test_http *r, const char *cache_control)
{
	char v[512];

	ck_assert_msg(test_http_header(r, "Content-Security-Policy", v, sizeof(v)),
	              "no CSP on a %d", r->status);
	ck_assert_msg(strstr(v, "default-src 'self'") != NULL, "CSP: %s", v);
	ck_assert_msg(strstr(v, "frame-ancestors 'none'") != NULL, "CSP: %s", v);
	ck_assert_msg(strstr(v, "unsafe-inline") == NULL, "CSP: %s", v);
	ck_assert_msg(strstr(v, "unsafe-eval") == NULL, "CSP: %s", v);
	header_eq(r, "X-Content-Type-Options", "nosniff");
	header_eq(r, "Referrer-Policy", "no-referrer");
	header_eq(r, "X-Frame-Options", "DENY");
	ck_assert_msg(test_http_header(r, "X-Request-Id", v, sizeof(v)), "no X-Request-Id on a %d",
	              r->status);
	ck_assert_uint_eq(strlen(v), 16);
	for (size_t i = 0; i < 16; i++)
		ck_assert_msg(isxdigit((unsigned char)v[i]) && !isupper((unsigned char)v[i]),
		              "X-Request-Id %s", v);
	header_eq(r, "Cache-Control", cache_control);
}

/* An error reply: status, registry name, JSON shape, field, headers. */
static void
expect_error(const struct test_http *r, int status, const char *name, const char *field)
{
	json_t *j;

	test_http_expect_error(r, status, name);
	j = test_http_json(r);
	if (field == NULL)
		ck_assert_msg(json_object_get(j, "field") == NULL, "unexpected field in %s",
		              r->body);
	else
		ck_assert_msg(json_is_string(json_object_get(j, "field")) &&
		                  strcmp(json_string_value(json_object_get(j, "field")), field) ==
		                      0,
		              "field is not %s: %s", field, r->body);
	json_decref(j);
	expect_security_headers(r, "no-store");
}

static void
get_error(const struct test_daemon *d, const char *path, int status, const char *name)
{
	struct test_http r;

	test_http_get(d, path, &r);
	ck_assert_msg(r.status == status, "GET %s: %d, expected %d", path, r.status, status);
	expect_error(&r, status, name, NULL);
	test_http_free(&r);
}

static void
post_json_error(const struct test_daemon *d, const char *json, int status, const char *name,
                const char *field)
{
	struct test_http r;

	test_http_post_json(d, RECEIPT_CHECK, json, &r);
	ck_assert_msg(r.status == status, "POST %.100s: %d, expected %d (%s)", json, r.status,
	              status, r.body);
	expect_error(&r, status, name, field);
	test_http_free(&r);
}

/* Bytes in, whatever comes back (possibly nothing: a cut connection). */
static size_t
raw_exchange(unsigned port, const void *req, size_t len, char *out, size_t outsize)
{
	struct sockaddr_in a;
	const char *p = req;
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		p += w;
		len -= (size_t)w;
	}
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t r;

		if (got + 1 >= outsize || poll(&pfd, 1, 20000) <= 0)
			break;
		r = recv(fd, out + got, outsize - got - 1, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	close(fd);
	return got;
}

/* A chunked POST to the JSON route: nchunks chunks of size bytes of 'a'
 * (or, when body is given, that body as one chunk). */
static char *
chunked_request(const struct test_daemon *d, const char *body, size_t nchunks, size_t size,
                size_t *len)
{
	size_t cap = 512 + (body ? strlen(body) : nchunks * (size + 16)), n;
	char *req = malloc(cap);

	ck_assert_ptr_nonnull(req);
	n = (size_t)snprintf(req, cap,
	                     "POST " RECEIPT_CHECK " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                     "Connection: close\r\nContent-Type: application/json\r\n"
	                     "Transfer-Encoding: chunked\r\n\r\n",
	                     d->port);
	if (body != NULL) {
		n += (size_t)snprintf(req + n, cap - n, "%zx\r\n%s\r\n", strlen(body), body);
	} else {
		for (size_t i = 0; i < nchunks; i++) {
			n += (size_t)snprintf(req + n, cap - n, "%zx\r\n", size);
			memset(req + n, 'a', size);
			n += size;
			memcpy(req + n, "\r\n", 2);
			n += 2;
		}
	}
	n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	*len = n;
	return req;
}

/* A JSON object of exactly total bytes: {"pad":"aaa..."}. */
static char *
json_of_size(size_t total)
{
	char *s = malloc(total + 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_ge(total, 10);
	memcpy(s, "{\"pad\":\"", 8);
	memset(s + 8, 'a', total - 10);
	memcpy(s + total - 2, "\"}", 3);
	return s;
}

/* A receipt body with one member's raw value replaced (or left out). */
static char *
receipt_with(const char *name, const char *value)
{
	static const char *const names[] = {"election_hash", "n", "event_hash", "ballot_hash",
	                                    "signature"};
	static const char *const values[] = {"\"" HEX64 "\"", "0", "\"" HEX64 "\"", "\"" HEX64 "\"",
	                                     "\"" HEX64 "\""};
	char *out = malloc(2048);
	size_t n = 0;

	ck_assert_ptr_nonnull(out);
	out[n++] = '{';
	for (size_t i = 0; i < 5; i++) {
		const char *v = values[i];

		if (name != NULL && strcmp(name, names[i]) == 0) {
			if (value == NULL)
				continue;
			v = value;
		}
		n += (size_t)snprintf(out + n, 2048 - n, "%s\"%s\":%s", n > 1 ? "," : "", names[i],
		                      v);
	}
	snprintf(out + n, 2048 - n, "}");
	return out;
}

/* ---- running the binary to completion ------------------------------------- */

struct run_result {
	int status;   /* exit status; -1: killed by a signal or hung */
	bool started; /* it printed "listening on" (then we SIGTERMed it) */
	char out[16384];
	char err[16384];
};

/* Runs ngo-voted with args (NULL-terminated) and one optional NAME=value
 * environment entry; a daemon that starts is stopped with SIGTERM. */
static void
run_daemon(const char *const *args, const char *env, struct run_result *r)
{
	char bin[1024], errpath[] = "/tmp/ngo-vote-run-XXXXXX";
	const char *argv[48];
	size_t got = 0;
	int out[2], efd, st, n = 0;
	pid_t pid;
	char *e;

	memset(r, 0, sizeof(*r));
	test_binary("ngo-voted", bin, sizeof(bin));
	if (getenv("NGO_VOTE_VALGRIND") != NULL) {
		argv[n++] = "valgrind";
		argv[n++] = "--quiet";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--errors-for-leak-kinds=definite";
	}
	argv[n++] = bin;
	for (int i = 0; args[i] != NULL && n < 46; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	efd = mkstemp(errpath);
	ck_assert_int_ge(efd, 0);
	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (env != NULL)
			putenv(strdup(env));
		dup2(out[1], 1);
		dup2(efd, 2);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(efd);
	for (;;) {
		struct pollfd pfd = {out[0], POLLIN, 0};
		ssize_t k;

		if (poll(&pfd, 1, 30000) <= 0)
			break;
		k = read(out[0], r->out + got, sizeof(r->out) - got - 1);
		if (k <= 0)
			break;
		got += (size_t)k;
		r->out[got] = '\0';
		/* the daemon's first line ("--help" mentions it later on) */
		if (!r->started && strncmp(r->out, "listening on ", 13) == 0 &&
		    strchr(r->out, '\n') != NULL) {
			r->started = true;
			kill(pid, SIGTERM);
		}
	}
	close(out[0]);
	r->out[got] = '\0';
	for (int i = 0; i < 600; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (i == 599) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		usleep(50 * 1000);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	e = read_all(errpath, NULL);
	snprintf(r->err, sizeof(r->err), "%s", e);
	free(e);
	unlink(errpath);
}

/* Runs the daemon on d's folder and expects it to refuse to start. */
static void
expect_refused_start(const struct test_daemon *d, const char *word1, const char *word2,
                     struct run_result *r)
{
	const char *args[] = {"--port", "0", "--db", d->db, "--static", d->static_dir, NULL};

	run_daemon(args, NULL, r);
	ck_assert_msg(!r->started, "the daemon started; stderr: %s", r->err);
	ck_assert_msg(r->status > 0, "exit status %d; stderr: %s", r->status, r->err);
	ck_assert_msg(strstr(r->err, word1) != NULL, "stderr lacks '%s': %s", word1, r->err);
	if (word2 != NULL)
		ck_assert_msg(strstr(r->err, word2) != NULL, "stderr lacks '%s': %s", word2,
		              r->err);
	ck_assert_msg(strstr(r->out, "listening") == NULL, "stdout: %s", r->out);
}

static void
sqlite_cli(const char *db, const char *sql, char *out, size_t outsize)
{
	char cmd[2048];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\" 2>&1", db, sql);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outsize - 1, p);
	out[n] = '\0';
	ck_assert_msg(pclose(p) == 0, "sqlite3 %s: %s", sql, out);
}

/* ---- dispatcher ------------------------------------------------------------ */

START_TEST(api_unknown_404)
{
	struct test_daemon d;
	struct test_http r;

	test_daemon_start(&d);
	get_error(&d, "/api/nope", 404, "NOT_FOUND");
	get_error(&d, "/api/elections/x/nothing", 404, "NOT_FOUND");
	get_error(&d, "/api/", 404, "NOT_FOUND");
	get_error(&d, "/api", 404, "NOT_FOUND");
	/* an API path never falls through to a static file */
	get_error(&d, "/api/index.html", 404, "NOT_FOUND");
	/* unknown API paths are 404 for every method, not 405 */
	test_http_do(&d, "POST", "/api/nope", "Content-Type: application/json\r\n", "{}", 2, &r);
	expect_error(&r, 404, "NOT_FOUND", NULL);
	test_http_free(&r);
	test_http_do(&d, "DELETE", "/api/nope", NULL, NULL, 0, &r);
	expect_error(&r, 404, "NOT_FOUND", NULL);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(method_not_allowed_405)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
	    {"POST", "/healthz", "GET, HEAD"},
	    {"PUT", "/healthz", "GET, HEAD"},
	    {"DELETE", "/healthz", "GET, HEAD"},
	    {"DELETE", "/index.html", "GET, HEAD"},
	    {"POST", "/", "GET, HEAD"},
	    {"PUT", "/app.js", "GET, HEAD"},
	    {"PATCH", "/nothing/here", "GET, HEAD"},
	    {"GET", RECEIPT_CHECK, "POST"},
	    {"PUT", RECEIPT_CHECK, "POST"},
	};
	struct test_daemon d;
	struct test_http r;

	test_daemon_start(&d);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_http_do(&d, cases[i].method, cases[i].path, NULL, NULL, 0, &r);
		ck_assert_msg(r.status == 405, "%s %s: %d", cases[i].method, cases[i].path,
		              r.status);
		expect_error(&r, 405, "METHOD_NOT_ALLOWED", NULL);
		header_eq(&r, "Allow", cases[i].allow);
		test_http_free(&r);
	}
	stop_clean(&d);
}
END_TEST

START_TEST(head_requests)
{
	struct test_daemon d;
	struct test_http r;

	test_daemon_start(&d);
	/* HEAD of a GET route: the GET's status and headers, no body */
	test_http_do(&d, "HEAD", "/healthz", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 0);
	header_eq(&r, "Content-Type", "application/json");
	header_eq(&r, "Content-Length", "15");
	expect_security_headers(&r, "no-store");
	test_http_free(&r);
	test_http_do(&d, "HEAD", "/app.js", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.body_len, 0);
	header_eq(&r, "Content-Type", "text/javascript; charset=utf-8");
	expect_security_headers(&r, "no-cache");
	test_http_free(&r);
	/* HEAD where only POST is allowed: 405, Allow: POST, no body */
	test_http_do(&d, "HEAD", RECEIPT_CHECK, NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 405);
	ck_assert_uint_eq(r.body_len, 0);
	header_eq(&r, "Allow", "POST");
	expect_security_headers(&r, "no-store");
	test_http_free(&r);
	/* HEAD of nothing */
	test_http_do(&d, "HEAD", "/api/nope", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_uint_eq(r.body_len, 0);
	expect_security_headers(&r, "no-store");
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(uri_too_long_414)
{
	struct test_daemon d;
	struct test_http r;
	char *path = malloc(3100);

	ck_assert_ptr_nonnull(path);
	test_daemon_start(&d);
	path[0] = '/';
	memset(path + 1, 'a', 2999);
	path[3000] = '\0';
	test_http_get(&d, path, &r);
	expect_error(&r, 414, "URI_TOO_LONG", NULL);
	test_http_free(&r);
	/* 2048 bytes is the limit: exactly 2048 passes, 2049 does not */
	path[2048] = '\0';
	test_http_get(&d, path, &r);
	expect_error(&r, 404, "NOT_FOUND", NULL);
	test_http_free(&r);
	path[2048] = 'a';
	path[2049] = '\0';
	test_http_get(&d, path, &r);
	expect_error(&r, 414, "URI_TOO_LONG", NULL);
	test_http_free(&r);
	/* the query string counts, and on API routes too */
	memcpy(path, "/healthz?x=", 11);
	test_http_get(&d, path, &r);
	expect_error(&r, 414, "URI_TOO_LONG", NULL);
	test_http_free(&r);
	/* a long URL with the wrong method is still 414 */
	memcpy(path, "/api/elections/", 15);
	test_http_do(&d, "POST", path, NULL, NULL, 0, &r);
	expect_error(&r, 414, "URI_TOO_LONG", NULL);
	test_http_free(&r);
	free(path);
	stop_clean(&d);
}
END_TEST

START_TEST(body_too_large_declared_413)
{
	struct test_daemon d;
	struct test_http r;
	char req[512], *body;
	int n;

	test_daemon_start(&d);
	/* one byte over the route's cap, body sent */
	body = json_of_size(ROUTE_CAP + 1);
	test_http_post_json(&d, RECEIPT_CHECK, body, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	free(body);
	/* exactly the cap is read and parsed: the handler names the field */
	body = json_of_size(ROUTE_CAP);
	test_http_post_json(&d, RECEIPT_CHECK, body, &r);
	expect_error(&r, 400, "JSON_UNKNOWN_FIELD", "pad");
	test_http_free(&r);
	free(body);
	/* a huge declared length is refused from the headers alone: we send
	 * no body at all and still get the answer */
	n = snprintf(req, sizeof(req),
	             "POST " RECEIPT_CHECK " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	             "Connection: close\r\nContent-Type: application/json\r\n"
	             "Content-Length: 1000000000\r\n\r\n",
	             d.port);
	test_http_raw(&d, req, (size_t)n, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	/* a route without a body: any declared length is too large */
	test_http_do(&d, "GET", "/healthz", NULL, "0123456789", 10, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	/* the daemon is fine afterwards */
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(body_too_large_chunked_413)
{
	struct test_daemon d;
	struct test_http r;
	size_t len;
	char *req, *body;

	test_daemon_start(&d);
	/* 5 x 1024 bytes, no Content-Length */
	req = chunked_request(&d, NULL, 5, 1024, &len);
	ck_assert_ptr_null(strstr(req, "Content-Length"));
	test_http_raw(&d, req, len, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	free(req);
	/* 4097 bytes in small chunks */
	req = chunked_request(&d, NULL, 241, 17, &len);
	test_http_raw(&d, req, len, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	free(req);
	/* exactly the cap, chunked, is accepted and parsed */
	body = json_of_size(ROUTE_CAP);
	req = chunked_request(&d, body, 0, 0, &len);
	test_http_raw(&d, req, len, &r);
	expect_error(&r, 400, "JSON_UNKNOWN_FIELD", "pad");
	test_http_free(&r);
	free(req);
	free(body);
	/* a chunked body on a route that takes none */
	{
		const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		                   "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";

		test_http_raw(&d, get, sizeof(get) - 1, &r);
		expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
		test_http_free(&r);
	}
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(body_chunked_beyond_discard_cut)
{
	struct test_daemon d;
	struct test_http r;
	size_t len, got;
	char *req, *out = malloc(65536);

	ck_assert_ptr_nonnull(out);
	test_daemon_start(&d);
	/* 3 MiB: read and dropped, then a clean 413 */
	req = chunked_request(&d, NULL, 48, 65536, &len);
	test_http_raw(&d, req, len, &r);
	expect_error(&r, 413, "BODY_TOO_LARGE", NULL);
	test_http_free(&r);
	free(req);
	/* 6 MiB: past the 4 MiB the server reads and drops, it hangs up
	 * without an answer */
	req = chunked_request(&d, NULL, 96, 65536, &len);
	got = raw_exchange(d.port, req, len, out, 65536);
	ck_assert_msg(got == 0, "answer: %.200s", out);
	free(req);
	free(out);
	/* and serves the next client */
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(unsupported_media_type_415)
{
	static const char *const bad[] = {
	    "Content-Type: text/plain\r\n",
	    "Content-Type: application/x-www-form-urlencoded\r\n",
	    "Content-Type: application/jsonp\r\n",
	    "Content-Type: application/json-seq\r\n",
	    "Content-Type: multipart/form-data; boundary=x\r\n",
	    "", /* none at all */
	};
	static const char *const good[] = {
	    "Content-Type: application/json; charset=utf-8\r\n",
	    "Content-Type: Application/JSON\r\n",
	};
	struct test_daemon d;
	struct test_http r;

	test_daemon_start(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_http_do(&d, "POST", RECEIPT_CHECK, bad[i], "{}", 2, &r);
		ck_assert_msg(r.status == 415, "%s-> %d", bad[i], r.status);
		expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type");
		test_http_free(&r);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		/* accepted as JSON: the field check answers */
		test_http_do(&d, "POST", RECEIPT_CHECK, good[i], "{\"zz\":1}", 8, &r);
		expect_error(&r, 400, "JSON_UNKNOWN_FIELD", "zz");
		test_http_free(&r);
	}
	stop_clean(&d);
}
END_TEST

START_TEST(json_route_errors_400)
{
	struct test_daemon d;
	struct test_http r;
	char *b;

	test_daemon_start(&d);
	post_json_error(&d, "{\"n\":", 400, "JSON_MALFORMED", NULL);
	post_json_error(&d, "{\"n\":1}}", 400, "JSON_MALFORMED", NULL);
	post_json_error(&d, "{\"n\":1,\"n\":2}", 400, "JSON_DUPLICATE_KEY", NULL);
	post_json_error(&d, "[]", 400, "JSON_NOT_OBJECT", NULL);
	post_json_error(&d, "\"receipt\"", 400, "JSON_NOT_OBJECT", NULL);
	post_json_error(&d, "42", 400, "JSON_NOT_OBJECT", NULL);
	post_json_error(&d, "{\"n\":\"\xff\"}", 400, "JSON_INVALID_UTF8", NULL);
	post_json_error(&d, "{\"n\":92233720368547758070}", 400, "JSON_NUMBER_TOO_LARGE", NULL);
	/* 40 nested objects */
	{
		char deep[40 * 6 + 2];
		size_t k = 0;

		for (int i = 0; i < 39; i++, k += 5)
			memcpy(deep + k, "{\"a\":", 5);
		deep[k++] = '{';
		for (int i = 0; i < 40; i++)
			deep[k++] = '}';
		deep[k] = '\0';
		post_json_error(&d, deep, 400, "JSON_TOO_DEEP", NULL);
	}
	/* unknown field, named; it wins over the missing ones */
	post_json_error(&d, "{\"receipt\":{}}", 400, "JSON_UNKNOWN_FIELD", "receipt");
	b = receipt_with(NULL, NULL);
	b[strlen(b) - 1] = '\0';
	{
		char *extra = malloc(strlen(b) + 32);

		ck_assert_ptr_nonnull(extra);
		sprintf(extra, "%s,\"Signature\":\"00\"}", b);
		post_json_error(&d, extra, 400, "JSON_UNKNOWN_FIELD", "Signature");
		free(extra);
	}
	free(b);
	/* missing, wrong type, bad value: each names its field */
	b = receipt_with("signature", NULL);
	post_json_error(&d, b, 400, "JSON_MISSING_FIELD", "signature");
	free(b);
	b = receipt_with("n", "\"1\"");
	post_json_error(&d, b, 400, "JSON_WRONG_TYPE", "n");
	free(b);
	b = receipt_with("n", "1.5");
	post_json_error(&d, b, 400, "JSON_WRONG_TYPE", "n");
	free(b);
	b = receipt_with("election_hash", "5");
	post_json_error(&d, b, 400, "JSON_WRONG_TYPE", "election_hash");
	free(b);
	b = receipt_with("n", "-1");
	post_json_error(&d, b, 400, "JSON_BAD_VALUE", "n");
	free(b);
	b = receipt_with("event_hash", "\"00\"");
	post_json_error(&d, b, 400, "JSON_BAD_VALUE", "event_hash");
	free(b);
	b = receipt_with("ballot_hash", "\"" HEX64 "\"");
	b[strstr(b, "ballot_hash") - b + 14] = 'A'; /* one uppercase digit */
	post_json_error(&d, b, 400, "JSON_BAD_VALUE", "ballot_hash");
	free(b);
	/* an empty body on a JSON route */
	test_http_do(&d, "POST", RECEIPT_CHECK, "Content-Type: application/json\r\n", "", 0, &r);
	expect_error(&r, 400, "JSON_MALFORMED", NULL);
	test_http_free(&r);
	/* a well-formed receipt reaches the handler */
	b = receipt_with(NULL, NULL);
	test_http_post_json(&d, RECEIPT_CHECK, b, &r);
	expect_error(&r, 404, "ELECTION_NOT_FOUND", NULL);
	test_http_free(&r);
	free(b);
	stop_clean(&d);
}
END_TEST

START_TEST(bad_path_nul_400)
{
	struct test_daemon d;
	struct test_http r;
	const char raw[] = "GET /a\x01"
	                   "b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const char del[] = "GET /a\x7f"
	                   "b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

	test_daemon_start(&d);
	get_error(&d, "/%00", 400, "BAD_PATH");
	get_error(&d, "/index.html%00.js", 400, "BAD_PATH");
	get_error(&d, "/api/elections/x%00/record", 400, "BAD_PATH");
	get_error(&d, "/healthz?x=%00", 400, "BAD_PATH");
	/* raw control bytes in the request line */
	test_http_raw(&d, raw, sizeof(raw) - 1, &r);
	expect_error(&r, 400, "BAD_PATH", NULL);
	test_http_free(&r);
	test_http_raw(&d, del, sizeof(del) - 1, &r);
	expect_error(&r, 400, "BAD_PATH", NULL);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

/* The dispatcher refuses "NUL or control bytes smuggled through escapes"
 * (httpd.c): %01..%1f and %7f are control bytes as much as %00 is. */
START_TEST(bad_path_escaped_controls_400)
{
	static const char *const paths[] = {
	    "/%01", "/index.html%0a", "/%0d%0aSet-Cookie:%20x=1",
	    "/%1f", "/%7f",           "/api/elections/x%0a/record",
	    "/%0A",
	};
	struct test_daemon d;
	struct test_http r;
	char failed[1024] = "";
	int st;

	test_daemon_start(&d);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool ok;

		test_http_get(&d, paths[i], &r);
		ok = r.status == 400 && strstr(r.body, "\"name\":\"BAD_PATH\"") != NULL;
		if (!ok)
			snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			         " %s->%d", paths[i], r.status);
		else
			expect_error(&r, 400, "BAD_PATH", NULL);
		test_http_free(&r);
	}
	/* clean up first: the assertions below are known to fail today */
	st = test_daemon_stop(&d);
	test_daemon_cleanup(&d);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(failed[0] == '\0', "not refused as BAD_PATH:%s", failed);
}
END_TEST

/* ---- static files ---------------------------------------------------------- */

START_TEST(static_files)
{
	static const struct {
		const char *path, *type, *body;
	} cases[] = {
	    {"/", "text/html; charset=utf-8", "<!doctype html><title>t</title><p>index</p>\n"},
	    {"/index.html", "text/html; charset=utf-8",
	     "<!doctype html><title>t</title><p>index</p>\n"},
	    {"/app.js", "text/javascript; charset=utf-8", "export const x = 1;\n"},
	    {"/style.css", "text/css; charset=utf-8", "p { color: black; }\n"},
	    {"/enroll", "text/html; charset=utf-8", "<!doctype html><title>enroll</title>\n"},
	    {"/enroll.html", "text/html; charset=utf-8", "<!doctype html><title>enroll</title>\n"},
	    {"/sub/page.html", "text/html; charset=utf-8", "<p>sub</p>\n"},
	    {"/sub/page", "text/html; charset=utf-8", "<p>sub</p>\n"},
	    {"/app.js?v=3", "text/javascript; charset=utf-8", "export const x = 1;\n"},
	};
	struct test_daemon d;
	struct test_http r;
	char etag[128];

	test_daemon_start(&d);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_http_get(&d, cases[i].path, &r);
		ck_assert_msg(r.status == 200, "GET %s: %d %s", cases[i].path, r.status, r.body);
		header_eq(&r, "Content-Type", cases[i].type);
		ck_assert_str_eq(r.body, cases[i].body);
		ck_assert_msg(test_http_header(&r, "ETag", etag, sizeof(etag)), "no ETag on %s",
		              cases[i].path);
		ck_assert_msg(etag[0] == '"' && etag[strlen(etag) - 1] == '"', "ETag %s", etag);
		expect_security_headers(&r, "no-cache");
		test_http_free(&r);
	}
	/* not there, or not a file */
	get_error(&d, "/nope.html", 404, "NOT_FOUND");
	get_error(&d, "/sub", 404, "NOT_FOUND");
	get_error(&d, "/sub/", 404, "NOT_FOUND");
	get_error(&d, "/index.html/", 404, "NOT_FOUND");
	stop_clean(&d);
}
END_TEST

START_TEST(static_etag_304)
{
	struct test_daemon d;
	struct test_http r;
	char etag[128], etag2[128], hdr[256], path[400];

	test_daemon_start(&d);
	test_http_get(&d, "/app.js", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(test_http_header(&r, "ETag", etag, sizeof(etag)));
	test_http_free(&r);

	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	test_http_do(&d, "GET", "/app.js", hdr, NULL, 0, &r);
	ck_assert_int_eq(r.status, 304);
	ck_assert_uint_eq(r.body_len, 0);
	header_eq(&r, "ETag", etag);
	expect_security_headers(&r, "no-cache");
	test_http_free(&r);
	/* in a list, and as * */
	snprintf(hdr, sizeof(hdr), "If-None-Match: \"zzz\", %s\r\n", etag);
	test_http_do(&d, "GET", "/app.js", hdr, NULL, 0, &r);
	ck_assert_int_eq(r.status, 304);
	test_http_free(&r);
	test_http_do(&d, "GET", "/app.js", "If-None-Match: *\r\n", NULL, 0, &r);
	ck_assert_int_eq(r.status, 304);
	test_http_free(&r);
	/* another tag, or another file's tag: the file */
	test_http_do(&d, "GET", "/app.js", "If-None-Match: \"0-0-0\"\r\n", NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "export const x = 1;\n");
	test_http_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	test_http_do(&d, "GET", "/style.css", hdr, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	/* the file changes: the old tag no longer matches */
	snprintf(path, sizeof(path), "%s/app.js", d.static_dir);
	write_text(path, "export const x = 22;\n");
	test_http_do(&d, "GET", "/app.js", hdr, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "export const x = 22;\n");
	ck_assert(test_http_header(&r, "ETag", etag2, sizeof(etag2)));
	ck_assert_str_ne(etag, etag2);
	test_http_free(&r);
	stop_clean(&d);
}
END_TEST

START_TEST(static_traversal_refused)
{
	static const char *const paths[] = {
	    "/../secret.txt",
	    "/%2e%2e/secret.txt",
	    "/%2E%2E/secret.txt",
	    "/%2e%2e%2fsecret.txt",
	    "/sub/../../secret.txt",
	    "/sub/%2e%2e/%2e%2e/secret.txt",
	    "/sub/..%2f..%2fsecret.txt",
	    "/sub%2f..%2f..%2fsecret.txt",
	    "/./../secret.txt",
	    "/leak.txt",
	    "/.hidden",
	    "/%2ehidden",
	    "/sub/.env",
	    "//etc/passwd",
	    "//secret.txt",
	    "/..\\secret.txt",
	    "/sub\\..\\..\\secret.txt",
	    "/%5c..%5csecret.txt",
	    "/..%5csecret.txt",
	    "/sub/..%5c..%5csecret.txt",
	    "/%2e%2e%5csecret.txt",
	    "/.%2e/secret.txt",
	    "/%252e%252e/secret.txt",
	};
	struct test_daemon d;
	struct test_http r;
	char path[400];

	test_daemon_prepare(&d);
	/* hidden files that exist, so refusing them means something */
	snprintf(path, sizeof(path), "%s/.hidden", d.static_dir);
	write_text(path, "SECRET hidden\n");
	snprintf(path, sizeof(path), "%s/sub/.env", d.static_dir);
	write_text(path, "SECRET env\n");
	test_daemon_launch(&d, NULL);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		test_http_get(&d, paths[i], &r);
		ck_assert_msg(r.status == 404, "GET %s: %d %.100s", paths[i], r.status, r.body);
		ck_assert_msg(strstr(r.body, "SECRET") == NULL, "GET %s leaked: %s", paths[i],
		              r.body);
		expect_error(&r, 404, "NOT_FOUND", NULL);
		test_http_free(&r);
	}
	/* a NUL that would cut the name short is a bad path, not a file */
	test_http_get(&d, "/index.html%00.js", &r);
	ck_assert_ptr_null(strstr(r.body, "SECRET"));
	expect_error(&r, 400, "BAD_PATH", NULL);
	test_http_free(&r);
	/* the secret is really there (the test would prove nothing if not) */
	snprintf(path, sizeof(path), "%s/secret.txt", d.dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	stop_clean(&d);
}
END_TEST

/* ---- security headers on every kind of answer ------------------------------ */

START_TEST(security_headers_everywhere)
{
	struct test_daemon d;
	struct test_http r;
	char etag[128], hdr[200], ids[12][24];
	unsigned nids = 0;
	char *longpath = malloc(3001);

	ck_assert_ptr_nonnull(longpath);
	longpath[0] = '/';
	memset(longpath + 1, 'b', 2999);
	longpath[3000] = '\0';
	test_daemon_start(&d);

#define CHECK(call, want, cache)                                                                   \
	do {                                                                                       \
		call;                                                                              \
		ck_assert_msg(r.status == (want), "%s: %d", #call, r.status);                      \
		expect_security_headers(&r, (cache));                                              \
		ck_assert(test_http_header(&r, "X-Request-Id", ids[nids], sizeof(ids[0])));        \
		nids++;                                                                            \
		test_http_free(&r);                                                                \
	} while (0)

	CHECK(test_http_get(&d, "/healthz", &r), 200, "no-store");
	CHECK(test_http_get(&d, "/app.js", &r), 200, "no-cache");
	test_http_get(&d, "/index.html", &r);
	ck_assert(test_http_header(&r, "ETag", etag, sizeof(etag)));
	test_http_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	CHECK(test_http_do(&d, "GET", "/index.html", hdr, NULL, 0, &r), 304, "no-cache");
	CHECK(test_http_get(&d, "/api/nope", &r), 404, "no-store");
	CHECK(test_http_get(&d, "/nope.js", &r), 404, "no-store");
	CHECK(test_http_do(&d, "POST", "/healthz", NULL, NULL, 0, &r), 405, "no-store");
	CHECK(test_http_do(&d, "GET", "/healthz", NULL, "x", 1, &r), 413, "no-store");
	CHECK(test_http_get(&d, longpath, &r), 414, "no-store");
	CHECK(test_http_do(&d, "POST", RECEIPT_CHECK, "Content-Type: text/plain\r\n", "{}", 2, &r),
	      415, "no-store");
	CHECK(test_http_get(&d, "/%00", &r), 400, "no-store");
	CHECK(test_http_post_json(&d, RECEIPT_CHECK, "{", &r), 400, "no-store");
#undef CHECK
	/* every answer has its own id */
	for (unsigned i = 0; i < nids; i++)
		for (unsigned j = i + 1; j < nids; j++)
			ck_assert_str_ne(ids[i], ids[j]);
	free(longpath);
	stop_clean(&d);
}
END_TEST

START_TEST(healthz)
{
	struct test_daemon d;
	struct test_http r;

	test_daemon_start(&d);
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	header_eq(&r, "Content-Type", "application/json");
	ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
	expect_security_headers(&r, "no-store");
	header_absent(&r, "Allow");
	test_http_free(&r);
	test_http_get(&d, "/healthz?verbose=1", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
	test_http_free(&r);
	/* a trailing slash is another path */
	get_error(&d, "/healthz/", 404, "NOT_FOUND");
	stop_clean(&d);
}
END_TEST

/* ---- command line ---------------------------------------------------------- */

START_TEST(first_stdout_line)
{
	struct test_daemon d;
	struct run_result r;
	const char *args[] = {"--port", "0", "--db", NULL, "--static", NULL, NULL};
	unsigned port = 0;
	char tail[8] = "";
	int n = 0;

	test_daemon_prepare(&d);
	args[3] = d.db;
	args[5] = d.static_dir;
	run_daemon(args, NULL, &r);
	ck_assert_msg(r.started, "did not start: %s", r.err);
	/* exactly one line, first, and exactly this shape */
	ck_assert_msg(sscanf(r.out, "listening on http://127.0.0.1:%u%7[^\n]%n", &port, tail, &n) ==
	                  2,
	              "first line: %s", r.out);
	ck_assert_str_eq(tail, "/");
	ck_assert_int_eq(r.out[n], '\n');
	ck_assert_int_eq(r.out[n + 1], '\0');
	ck_assert_uint_gt(port, 0);
	ck_assert_uint_lt(port, 65536);
	ck_assert_int_eq(strncmp(r.out, "listening on http://127.0.0.1:", 30), 0);
	ck_assert(isdigit((unsigned char)r.out[30]) && r.out[30] != '0');
	/* SIGTERM after it started: a clean exit */
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "stopped cleanly"));
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(help_documents_limits)
{
	static const char *const words[] = {
	    "--max-connections",
	    "NGO_VOTE_MAX_CONNECTIONS",
	    "--max-per-ip",
	    "NGO_VOTE_MAX_PER_IP",
	    "--connection-timeout",
	    "NGO_VOTE_CONNECTION_TIMEOUT",
	    "--connection-memory",
	    "NGO_VOTE_CONNECTION_MEMORY",
	    "--max-body",
	    "NGO_VOTE_MAX_BODY",
	    "--threads",
	    "NGO_VOTE_THREADS",
	    "--listen",
	    "NGO_VOTE_LISTEN",
	    "--port",
	    "NGO_VOTE_PORT",
	    "--db",
	    "NGO_VOTE_DB",
	    "--static",
	    "NGO_VOTE_STATIC",
	    "--key-file",
	    "NGO_VOTE_KEY_FILE",
	    "--busy-timeout",
	    "NGO_VOTE_BUSY_TIMEOUT",
	    "--print-server-key",
	    "SIGTERM",
	};
	const char *args[] = {"--help", NULL};
	const char *vargs[] = {"--version", NULL};
	struct run_result r;

	run_daemon(args, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert(!r.started);
	ck_assert_str_eq(r.err, "");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		ck_assert_msg(strstr(r.out, words[i]) != NULL, "--help does not mention %s",
		              words[i]);
	/* each limit with its default */
	ck_assert_ptr_nonnull(strstr(r.out, "default 1000)"));    /* max-connections */
	ck_assert_ptr_nonnull(strstr(r.out, "default 1048576)")); /* max-body */
	run_daemon(vargs, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(strncmp(r.out, "ngo-voted ", 10), 0);
}
END_TEST

START_TEST(bad_flag_values)
{
	static const struct {
		const char *flag, *value, *env, *word;
	} cases[] = {
	    {"--threads", "0", NULL, "--threads"},
	    {"--threads", "4x", NULL, "--threads"},
	    {"--threads", "999999", NULL, "--threads"},
	    {"--port", "abc", NULL, "--port"},
	    {"--port", "70000", NULL, "--port"},
	    {"--max-connections", "-5", NULL, "--max-connections"},
	    {"--max-per-ip", "", NULL, "--max-per-ip"},
	    {"--connection-timeout", "0", NULL, "--connection-timeout"},
	    {"--connection-memory", "100", NULL, "--connection-memory"},
	    {"--max-body", "99999999999999999999", NULL, "--max-body"},
	    {"--busy-timeout", " 5", NULL, "--busy-timeout"},
	    {NULL, NULL, "NGO_VOTE_TLS=maybe", "NGO_VOTE_TLS"},
	    {"--bogus", NULL, NULL, "unknown option"},
	    {"--port", NULL, NULL, "needs a value"},
	    {NULL, NULL, "NGO_VOTE_THREADS=many", "NGO_VOTE_THREADS"},
	    {NULL, NULL, "NGO_VOTE_MAX_BODY=1", "NGO_VOTE_MAX_BODY"},
	};
	struct test_daemon d;

	test_daemon_prepare(&d);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[10];
		struct run_result r;
		int n = 0;

		args[n++] = "--port";
		args[n++] = "0";
		args[n++] = "--db";
		args[n++] = d.db;
		args[n++] = "--static";
		args[n++] = d.static_dir;
		if (cases[i].flag != NULL)
			args[n++] = cases[i].flag;
		if (cases[i].value != NULL)
			args[n++] = cases[i].value;
		args[n] = NULL;
		run_daemon(args, cases[i].env, &r);
		ck_assert_msg(!r.started, "case %zu started", i);
		ck_assert_msg(r.status == 2, "case %zu (%s %s %s): exit %d", i,
		              cases[i].flag ? cases[i].flag : "",
		              cases[i].value ? cases[i].value : "",
		              cases[i].env ? cases[i].env : "", r.status);
		ck_assert_msg(strstr(r.err, cases[i].word) != NULL, "case %zu: stderr lacks %s: %s",
		              i, cases[i].word, r.err);
		ck_assert_msg(strncmp(r.err, "ngo-voted: ", 11) == 0, "stderr: %s", r.err);
		ck_assert_str_eq(r.out, "");
	}
	/* nothing was created for a refused configuration */
	ck_assert_int_ne(access(d.db, F_OK), 0);
	test_daemon_cleanup(&d);
}
END_TEST

/* ---- lifecycle --------------------------------------------------------------- */

struct req_line {
	char id[17];
	char method[16];
	char route[64];
	unsigned status;
	double ms;
	const char *url; /* into the log text, after url=" */
};

/* Parses the REQ lines of a log; returns how many. */
static unsigned
parse_req_lines(char *log, struct req_line *out, unsigned max)
{
	unsigned n = 0;

	for (char *line = log; line != NULL && *line != '\0';) {
		char *next = strchr(line, '\n'), *req;

		if (next != NULL)
			*next = '\0';
		req = strstr(line, " REQ ");
		if (req != NULL) {
			int used = 0;

			ck_assert_uint_lt(n, max);
			ck_assert_msg(sscanf(req,
			                     " REQ id=%16[0-9a-f] method=%15s route=%63s status=%u "
			                     "ms=%lf url=\"%n",
			                     out[n].id, out[n].method, out[n].route, &out[n].status,
			                     &out[n].ms, &used) == 5 &&
			                  used > 0,
			              "bad REQ line: %s", line);
			ck_assert_uint_eq(strlen(out[n].id), 16);
			ck_assert(out[n].ms >= 0);
			out[n].url = req + used;
			ck_assert_msg(line[strlen(line) - 1] == '"', "REQ line not closed: %s",
			              line);
			n++;
		}
		line = next ? next + 1 : NULL;
	}
	return n;
}

static const struct req_line *
find_req(const struct req_line *l, unsigned n, const char *url_prefix)
{
	for (unsigned i = 0; i < n; i++)
		if (strncmp(l[i].url, url_prefix, strlen(url_prefix)) == 0)
			return &l[i];
	ck_abort_msg("no REQ line for %s", url_prefix);
	return NULL;
}

START_TEST(clean_shutdown_and_request_log)
{
	struct test_daemon d;
	struct test_http r;
	struct req_line lines[16];
	const struct req_line *l;
	char out[256], *log;
	unsigned n;
	int st;

	test_daemon_start(&d);
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	test_http_get(&d, "/app.js", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	test_http_get(&d, "/api/nope", &r);
	ck_assert_int_eq(r.status, 404);
	test_http_free(&r);
	test_http_do(&d, "POST", "/healthz", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 405);
	test_http_free(&r);
	test_http_post_json(&d, RECEIPT_CHECK, "{\"x\":1}", &r);
	ck_assert_int_eq(r.status, 400);
	test_http_free(&r);

	st = test_daemon_stop(&d);
	ck_assert_int_eq(st, 0);
	sqlite_cli(d.db, "PRAGMA integrity_check", out, sizeof(out));
	ck_assert_str_eq(out, "ok\n");

	log = read_all(d.stderr_path, NULL);
	ck_assert_msg(strstr(log, "stopped cleanly") != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, " BUG ") == NULL, "log: %s", log);
	n = parse_req_lines(log, lines, 16);
	ck_assert_uint_eq(n, 5);
	l = find_req(lines, n, "/healthz\"");
	ck_assert_str_eq(l->method, "GET");
	ck_assert_str_eq(l->route, "/healthz");
	ck_assert_uint_eq(l->status, 200);
	l = find_req(lines, n, "/app.js\"");
	ck_assert_str_eq(l->route, "/*static");
	ck_assert_uint_eq(l->status, 200);
	l = find_req(lines, n, "/api/nope\"");
	ck_assert_str_eq(l->route, "-");
	ck_assert_uint_eq(l->status, 404);
	l = find_req(lines, n, RECEIPT_CHECK "\"");
	ck_assert_str_eq(l->method, "POST");
	ck_assert_str_eq(l->route, "/api/elections/*/receipts/check");
	ck_assert_uint_eq(l->status, 400);
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(lines[i].method, "POST") == 0 && lines[i].status == 405)
			ck_assert_int_eq(strncmp(lines[i].url, "/healthz\"", 9), 0);
		for (unsigned j = i + 1; j < n; j++)
			ck_assert_str_ne(lines[i].id, lines[j].id);
	}
	free(log);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(log_escapes_untrusted_bytes)
{
	struct test_daemon d;
	struct test_http r;
	struct req_line lines[8];
	const struct req_line *l;
	const char req1[] =
	    "GET /q\"r\x01s%01t\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const char req2[] = "GET /u\"v%01w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	size_t len;
	char *log;
	unsigned n;

	test_daemon_start(&d);
	test_http_raw(&d, req1, sizeof(req1) - 1, &r);
	expect_error(&r, 400, "BAD_PATH", NULL);
	test_http_free(&r);
	test_http_raw(&d, req2, sizeof(req2) - 1, &r);
	ck_assert_msg(r.status == 400 || r.status == 404, "status %d", r.status);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);

	log = read_all(d.stderr_path, &len);
	/* no raw control byte anywhere in the log but the line ends */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)log[i];

		ck_assert_msg(c == '\n' || (c >= 0x20 && c < 0x7f), "raw byte 0x%02x at %zu", c, i);
	}
	n = parse_req_lines(log, lines, 8);
	ck_assert_uint_eq(n, 2);
	l = find_req(lines, n, "/q");
	ck_assert_msg(strncmp(l->url, "/q\\x22r\\x01s%01t\\xff\"", 21) == 0, "url=\"%s", l->url);
	ck_assert_uint_eq(l->status, 400);
	l = find_req(lines, n, "/u");
	ck_assert_msg(strncmp(l->url, "/u\\x22v%01w\"", 12) == 0, "url=\"%s", l->url);
	free(log);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(server_key_file)
{
	struct test_daemon d;
	struct run_result r1, r2;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char seed[32];
	char keypath[400], pkhex[65], *text;
	const char *args[] = {"--print-server-key", "--db", NULL, NULL};
	struct stat st;
	size_t len;

	ck_assert_int_ge(sodium_init(), 0);
	test_daemon_start(&d);
	snprintf(keypath, sizeof(keypath), "%s/server.key", d.dir);
	ck_assert_int_eq(lstat(keypath, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_msg((st.st_mode & 07777) == 0600, "key mode %o", st.st_mode & 07777);
	ck_assert_int_eq(st.st_size, 65);
	/* the database is private too */
	ck_assert_int_eq(stat(d.db, &st), 0);
	ck_assert_msg((st.st_mode & 077) == 0, "db mode %o", st.st_mode & 07777);
	ck_assert_int_eq(test_daemon_stop(&d), 0);

	text = read_all(keypath, &len);
	ck_assert_uint_eq(len, 65);
	ck_assert_int_eq(text[64], '\n');
	for (int i = 0; i < 64; i++)
		ck_assert_msg(isxdigit((unsigned char)text[i]) && !isupper((unsigned char)text[i]),
		              "key file: %s", text);
	ck_assert_int_eq(sodium_hex2bin(seed, 32, text, 64, NULL, NULL, NULL), 0);
	ck_assert_int_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
	sodium_bin2hex(pkhex, sizeof(pkhex), pk, sizeof(pk));

	args[2] = d.db;
	run_daemon(args, NULL, &r1);
	run_daemon(args, NULL, &r2);
	ck_assert_int_eq(r1.status, 0);
	ck_assert_int_eq(r2.status, 0);
	ck_assert_uint_eq(strlen(r1.out), 65);
	ck_assert_int_eq(r1.out[64], '\n');
	r1.out[64] = '\0';
	ck_assert_str_eq(r1.out, pkhex);
	ck_assert_int_eq(strncmp(r1.out, r2.out, 64), 0);
	/* the public key is not the secret seed */
	ck_assert_int_ne(strncmp(r1.out, text, 64), 0);
	free(text);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(server_key_permissions_refused)
{
	static const mode_t modes[] = {0644, 0640, 0604, 0660};
	struct test_daemon d;
	struct run_result r;
	char keypath[400], other[400], *after;
	const char *key = "0101010101010101010101010101010101010101010101010101010101010101\n";
	const char *args[] = {"--print-server-key", "--db", NULL, NULL};

	test_daemon_prepare(&d);
	snprintf(keypath, sizeof(keypath), "%s/server.key", d.dir);
	write_text(keypath, key);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(keypath, modes[i]), 0);
		expect_refused_start(&d, "server.key", "chmod 600", &r);
		ck_assert_int_eq(r.status, 1);
	}
	/* --print-server-key refuses it too */
	args[2] = d.db;
	run_daemon(args, NULL, &r);
	ck_assert_int_ne(r.status, 0);
	ck_assert_str_eq(r.out, "");
	/* the file was left as it was */
	after = read_all(keypath, NULL);
	ck_assert_str_eq(after, key);
	free(after);
	/* a symlink as key file is refused as well */
	ck_assert_int_eq(unlink(keypath), 0);
	snprintf(other, sizeof(other), "%s/real.key", d.dir);
	write_text(other, key);
	ck_assert_int_eq(chmod(other, 0600), 0);
	ck_assert_int_eq(symlink("real.key", keypath), 0);
	expect_refused_start(&d, "server.key", NULL, &r);
	/* and a key file that is not 64 hex digits */
	ck_assert_int_eq(unlink(keypath), 0);
	write_text(keypath, "0101\n");
	ck_assert_int_eq(chmod(keypath, 0600), 0);
	expect_refused_start(&d, "server.key", "hex", &r);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(restart_same_database)
{
	struct test_daemon d;
	struct test_http r;
	char out[512], before[512], *key1, *key2, keypath[400];

	test_daemon_start(&d);
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	snprintf(keypath, sizeof(keypath), "%s/server.key", d.dir);
	key1 = read_all(keypath, NULL);
	/* mark the rows: re-applying would re-insert them */
	sqlite_cli(d.db, "UPDATE schema_migrations SET applied_at = '2000-01-01T00:00:00Z'", out,
	           sizeof(out));
	sqlite_cli(d.db, "SELECT version, name, checksum, applied_at FROM schema_migrations",
	           before, sizeof(before));

	test_daemon_launch(&d, NULL);
	test_http_get(&d, "/healthz", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);

	sqlite_cli(d.db, "SELECT version, name, checksum, applied_at FROM schema_migrations", out,
	           sizeof(out));
	ck_assert_str_eq(out, before);
	snprintf(before, sizeof(before), "%u\n", migrate_embedded_count);
	sqlite_cli(d.db, "SELECT count(*) FROM schema_migrations", out, sizeof(out));
	ck_assert_str_eq(out, before);
	/* the same key */
	key2 = read_all(keypath, NULL);
	ck_assert_str_eq(key1, key2);
	free(key1);
	free(key2);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(refuses_edited_migration)
{
	struct test_daemon d;
	struct run_result r;
	char out[512];

	test_daemon_start(&d);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	sqlite_cli(d.db,
	           "UPDATE schema_migrations SET checksum = "
	           "'0000000000000000000000000000000000000000000000000000000000000000'"
	           " WHERE version = 1",
	           out, sizeof(out));
	expect_refused_start(&d, "edited", "0001_board", &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, d.db));
	/* refusing did not "repair" the row */
	sqlite_cli(d.db, "SELECT substr(checksum, 1, 8) FROM schema_migrations WHERE version = 1",
	           out, sizeof(out));
	ck_assert_str_eq(out, "00000000\n");
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(refuses_newer_database)
{
	struct test_daemon d;
	struct run_result r;
	char out[512], sql[256];

	test_daemon_start(&d);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	/* the next version, as a newer binary would have recorded it */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO schema_migrations (version, name, checksum)"
	         " VALUES (%u, '%04u_future', 'x')",
	         migrate_embedded_count + 1, migrate_embedded_count + 1);
	sqlite_cli(d.db, sql, out, sizeof(out));
	expect_refused_start(&d, "newer", NULL, &r);
	ck_assert_int_eq(r.status, 1);
	/* a version far beyond ours: still "newer", whatever lies between */
	snprintf(sql, sizeof(sql), "DELETE FROM schema_migrations WHERE version = %u",
	         migrate_embedded_count + 1);
	sqlite_cli(d.db, sql, out, sizeof(out));
	sqlite_cli(d.db,
	           "INSERT INTO schema_migrations (version, name, checksum)"
	           " VALUES (9999, '9999_future', 'x')",
	           out, sizeof(out));
	{
		const char *args[] = {"--port", "0", "--db", d.db, "--static", d.static_dir, NULL};

		run_daemon(args, NULL, &r);
	}
	/* clean up first: the assertions below are known to fail today */
	test_daemon_cleanup(&d);
	ck_assert_msg(!r.started, "the daemon started; stderr: %s", r.err);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "newer") != NULL && strstr(r.err, "9999") != NULL,
	              "stderr lacks 'newer' and '9999': %s", r.err);
}
END_TEST

Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *disp = tcase_create("dispatcher");
	TCase *stat = tcase_create("static");
	TCase *cli = tcase_create("cli");
	TCase *life = tcase_create("lifecycle");

	tcase_add_test(disp, api_unknown_404);
	tcase_add_test(disp, method_not_allowed_405);
	tcase_add_test(disp, head_requests);
	tcase_add_test(disp, uri_too_long_414);
	tcase_add_test(disp, body_too_large_declared_413);
	tcase_add_test(disp, body_too_large_chunked_413);
	tcase_add_test(disp, body_chunked_beyond_discard_cut);
	tcase_add_test(disp, unsupported_media_type_415);
	tcase_add_test(disp, json_route_errors_400);
	tcase_add_test(disp, bad_path_nul_400);
	tcase_add_test(disp, bad_path_escaped_controls_400);
	tcase_add_test(disp, security_headers_everywhere);
	tcase_add_test(disp, healthz);
	tcase_set_timeout(disp, 30);
	suite_add_tcase(s, disp);

	tcase_add_test(stat, static_files);
	tcase_add_test(stat, static_etag_304);
	tcase_add_test(stat, static_traversal_refused);
	tcase_set_timeout(stat, 30);
	suite_add_tcase(s, stat);

	tcase_add_test(cli, first_stdout_line);
	tcase_add_test(cli, help_documents_limits);
	tcase_add_test(cli, bad_flag_values);
	tcase_set_timeout(cli, 60);
	suite_add_tcase(s, cli);

	tcase_add_test(life, clean_shutdown_and_request_log);
	tcase_add_test(life, log_escapes_untrusted_bytes);
	tcase_add_test(life, server_key_file);
	tcase_add_test(life, server_key_permissions_refused);
	tcase_add_test(life, restart_same_database);
	tcase_add_test(life, refuses_edited_migration);
	tcase_add_test(life, refuses_newer_database);
	tcase_set_timeout(life, 60);
	suite_add_tcase(s, life);
	return s;
}
