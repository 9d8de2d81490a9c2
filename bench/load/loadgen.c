/*
 * loadgen.c -- the ballot load benchmark (issue 7).
 *
 * One run:
 *  1. a fresh data folder; `ngo-voted --create-admin` (migrations, the
 *     secretariat's setup link);
 *  2. N NGOs with Ed25519 keys seeded straight into the database with SQL
 *     (ngos, ngo_keys), before the daemon starts: enrolling 10,000 NGOs
 *     over HTTP would measure enrolment, not voting;
 *  3. the daemon starts; the secretariat sets its password, logs in,
 *     drafts the six HLWG working groups from the template (5 candidates
 *     each), and opens the election through the API, so the manifest and
 *     the roll of N voters are the real ones;
 *  4. every ballot is built and signed in advance (seq 1 for every NGO,
 *     then seq 2, ... with --seqs), each a complete HTTP/1.1 request;
 *  5. the ballots are cast over C keep-alive connections (one epoll
 *     thread, one request in flight per connection); per request the
 *     latency from the first byte sent to the last byte received;
 *  6. the daemon's peak RSS (VmHWM), its CPU time during the cast;
 *  7. durability: SIGKILL, restart on the same folder, the board must hold
 *     every ballot that got a 201; the record passes ngo-vote-verify;
 *  8. the same requests against mhd_min (libmicrohttpd with the same
 *     thread-pool settings, answering 201 at once): the ceiling of this
 *     machine and client; the ratio is printed.
 *
 * Usage: loadgen [--ngos N] [--conns C] [--seqs S] [--threads T]
 *                [--build DIR] [--mhd PATH] [--dir DIR] [--no-verify]
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "encoding.h"
#include "protocol_ballot.h"

#define ELECTION   "bench"
#define ADMIN      "bench@example.org"
#define PASSWORD   "bench password 123"
#define CONTESTS   6
#define CANDIDATES 5

struct options {
	unsigned ngos, conns, seqs, threads, views;
	const char *build, *mhd, *dir, *perf;
	bool verify;
};

struct key {
	uint8_t pk[32], sk[64];
};

struct request_set {
	char **req;
	size_t *len;
	size_t n;
};

struct phase_result {
	size_t n, ok, transport_errors;
	unsigned status_count[600];
	double seconds;
	double *lat_ms; /* [n], -1 when no answer */
	double p50, p99, max;
};

/* The daemon or mhd_min running now: die() stops it too. */
static pid_t running_child;

static void
die(const char *fmt, ...)
{
	va_list ap;

	if (running_child > 0)
		kill(running_child, SIGKILL);

	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- processes ---- */

struct proc {
	pid_t pid;
	unsigned port;
};

/* Starts argv with stdout on a pipe (its first line names the port) and
 * stderr appended to log. */
static struct proc
proc_start(const char *const *argv, const char *log)
{
	struct proc p = {0, 0};
	char line[512];
	int out[2];
	FILE *f;

	if (pipe(out) != 0)
		die("pipe: %s", strerror(errno));
	p.pid = fork();
	if (p.pid < 0)
		die("fork: %s", strerror(errno));
	if (p.pid == 0) {
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(out[1], 1);
		if (err >= 0)
			dup2(err, 2);
		close(out[0]);
		close(out[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	running_child = p.pid;
	close(out[1]);
	f = fdopen(out[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		die("%s printed no first line (see %s)", argv[0], log);
	fclose(f);
	if (sscanf(line, "listening on http://127.0.0.1:%u/", &p.port) != 1)
		die("%s: unexpected first line: %s", argv[0], line);
	return p;
}

static int
proc_stop(struct proc *p, int sig)
{
	int status = 0;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	waitpid(p->pid, &status, 0);
	if (running_child == p->pid)
		running_child = 0;
	p->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A field of /proc/PID/status in kB ("VmHWM", "VmRSS"). */
static long
proc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* Resets VmHWM to the current RSS (Linux: clear_refs 5). */
static void
proc_reset_hwm(pid_t pid)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

/* utime + stime of a process, in seconds. */
static double
proc_cpu_s(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* `perf record -g` of pid into file, until SIGINT. */
static pid_t
perf_start(const char *file, pid_t pid)
{
	char p[32];
	pid_t child;

	snprintf(p, sizeof(p), "%d", (int)pid);
	child = fork();
	if (child == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("perf", "perf", "record", "-q", "-F", "2999", "-g", "-o", file, "-p", p,
		       (char *)NULL);
		_exit(127);
	}
	usleep(300 * 1000); /* let it attach */
	return child;
}

/* ---- set-up over HTTP (libcurl) ---- */

struct http_reply {
	long status;
	char *body;
	size_t len;
	char cookie[256];
};

static size_t
on_body(char *p, size_t size, size_t n, void *cls)
{
	struct http_reply *r = cls;
	char *grown = realloc(r->body, r->len + size * n + 1);

	if (grown == NULL)
		return 0;
	r->body = grown;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *cls)
{
	struct http_reply *r = cls;
	size_t len = size * n;

	if (len > 12 && strncasecmp(p, "Set-Cookie: ", 12) == 0) {
		size_t v = strcspn(p + 12, ";\r\n");

		snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)v, p + 12);
	}
	return len;
}

struct session {
	unsigned port;
	char cookie[256];
	char csrf[80];
};

/* method path with an optional JSON body and the session; returns the
 * parsed JSON body (or NULL) and the status in *status. */
static json_t *
http(const struct session *s, const char *method, const char *path, const char *body, long *status,
     struct http_reply *raw)
{
	struct http_reply r;
	struct curl_slist *h = NULL;
	char url[512], line[400];
	CURL *c = curl_easy_init();
	json_t *j = NULL;

	memset(&r, 0, sizeof(r));
	if (c == NULL)
		die("curl_easy_init");
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", s->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	if (s->cookie[0] != '\0') {
		snprintf(line, sizeof(line), "Cookie: %s", s->cookie);
		h = curl_slist_append(h, line);
		snprintf(line, sizeof(line), "X-CSRF-Token: %s", s->csrf);
		h = curl_slist_append(h, line);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) != CURLE_OK)
		die("%s %s: no answer", method, path);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	*status = r.status;
	if (raw != NULL) {
		*raw = r;
		return NULL;
	}
	if (r.body != NULL)
		j = json_loads(r.body, 0, NULL);
	free(r.body);
	return j;
}

static json_t *
http_expect(const struct session *s, const char *method, const char *path, const char *body,
            long want)
{
	long status;
	json_t *j = http(s, method, path, body, &status, NULL);

	if (status != want) {
		char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

		die("%s %s: %ld (expected %ld): %.300s", method, path, status, want, t ? t : "");
	}
	return j;
}

/* ---- seeding ---- */

static void
key_for(unsigned i, struct key *k)
{
	uint8_t seed[32], in[20] = "ngo-vote-bench";

	in[16] = (uint8_t)i;
	in[17] = (uint8_t)(i >> 8);
	in[18] = (uint8_t)(i >> 16);
	in[19] = (uint8_t)(i >> 24);
	crypto_generichash(seed, sizeof(seed), in, sizeof(in), NULL, 0);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
}

static void
ngo_id(unsigned i, char out[32])
{
	snprintf(out, 32, "ngo-%05u", i);
}

static void
seed_ngos(const char *db_path, const struct key *keys, unsigned n)
{
	sqlite3 *db;
	sqlite3_stmt *a, *b;

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		die("open %s", db_path);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO ngos (id, name_en, name_km, province) VALUES (?,?,?,?)",
	                       -1, &a, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO ngo_keys (ngo_id, public_key) VALUES (?,?)", -1, &b,
	                       NULL) != SQLITE_OK)
		die("seed: %s", sqlite3_errmsg(db));
	for (unsigned i = 0; i < n; i++) {
		char id[32], en[64], km[96];

		ngo_id(i, id);
		snprintf(en, sizeof(en), "Bench NGO %u", i);
		snprintf(km, sizeof(km), "អង្គការ %u", i);
		sqlite3_bind_text(a, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 2, en, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 3, km, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(a, 4, "Phnom Penh", -1, SQLITE_STATIC);
		sqlite3_bind_text(b, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(b, 2, keys[i].pk, 32, SQLITE_TRANSIENT);
		if (sqlite3_step(a) != SQLITE_DONE || sqlite3_step(b) != SQLITE_DONE)
			die("seed %s: %s", id, sqlite3_errmsg(db));
		sqlite3_reset(a);
		sqlite3_reset(b);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("seed commit: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* The secretariat's one-time link from --create-admin. */
static void
create_admin(const char *daemon, const char *db_path, char token[65])
{
	char cmd[4096], line[1024];
	bool found = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' --db '%s' --create-admin " ADMIN " 2>&1", daemon, db_path);
	p = popen(cmd, "r");
	if (p == NULL)
		die("popen");
	while (fgets(line, sizeof(line), p) != NULL) {
		char *t = strstr(line, "/setup#token=");

		if (t != NULL && sscanf(t, "/setup#token=%64s", token) == 1)
			found = true;
	}
	if (pclose(p) != 0 || !found)
		die("--create-admin failed");
}

/* Password, login, draft from the template, candidates, open. */
static void
open_election(struct session *s, const char *token, unsigned ngos, uint8_t election_hash[64])
{
	char body[512], id[32];
	json_t *j, *draft, *c;
	struct http_reply raw;
	long status;
	size_t i;
	char *text;

	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"" PASSWORD "\"}", token);
	json_decref(http_expect(s, "POST", "/api/setup", body, 200));
	http(s, "POST", "/api/login", "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\"}",
	     &status, &raw);
	if (status != 200)
		die("login: %ld", status);
	j = json_loads(raw.body, 0, NULL);
	snprintf(s->cookie, sizeof(s->cookie), "%s", raw.cookie);
	snprintf(s->csrf, sizeof(s->csrf), "%s",
	         json_is_string(json_object_get(j, "csrf_token"))
	             ? json_string_value(json_object_get(j, "csrf_token"))
	             : "");
	json_decref(j);
	free(raw.body);
	j = http_expect(s, "POST", "/api/admin/elections",
	                "{\"id\":\"" ELECTION "\",\"title\":{\"en\":\"Load benchmark\","
	                "\"km\":\"ការវាស់ស្ទង់\"},\"template\":\"hlwg\"}",
	                201);
	draft = json_deep_copy(json_object_get(j, "draft"));
	json_decref(j);
	if (json_array_size(json_object_get(draft, "contests")) != CONTESTS)
		die("the template has %zu contests",
		    json_array_size(json_object_get(draft, "contests")));
	json_array_foreach(json_object_get(draft, "contests"), i, c)
	{
		json_t *cands = json_object_get(c, "candidates");

		for (unsigned k = 0; k < CANDIDATES; k++) {
			ngo_id((unsigned)(i * CANDIDATES + k) % ngos, id);
			json_array_append_new(cands, json_string(id));
		}
	}
	text = json_dumps(draft, JSON_COMPACT);
	j = http_expect(s, "PUT", "/api/admin/elections/" ELECTION, text, 200);
	if (json_array_size(json_object_get(j, "problems")) != 0)
		die("the draft has problems");
	json_decref(j);
	free(text);
	json_decref(draft);
	json_decref(http_expect(s, "POST", "/api/admin/elections/" ELECTION "/open",
	                        "{\"confirm\":\"" ELECTION "\"}", 200));
	j = http_expect(s, "GET", "/api/elections/" ELECTION, NULL, 200);
	if (json_array_size(json_object_get(j, "roll")) != ngos)
		die("the roll has %zu voters, not %u", json_array_size(json_object_get(j, "roll")),
		    ngos);
	if (!json_is_string(json_object_get(j, "election_hash")) ||
	    !encoding_hex_decode(json_string_value(json_object_get(j, "election_hash")), 128,
	                         election_hash, 64))
		die("no election_hash");
	json_decref(j);
}

/* ---- ballots ---- */

static void
build_requests(const struct key *keys, unsigned ngos, unsigned seqs,
               const uint8_t election_hash[64], struct request_set *rs)
{
	uint32_t counts[CONTESTS], picks[CONTESTS][1];
	const uint32_t *idx[CONTESTS];
	struct encoding_buf body;
	uint8_t hash[64], sig[64];
	char *bhex, shex[129];
	size_t k = 0;

	rs->n = (size_t)ngos * seqs;
	rs->req = calloc(rs->n, sizeof(*rs->req));
	rs->len = calloc(rs->n, sizeof(*rs->len));
	if (rs->req == NULL || rs->len == NULL)
		die("out of memory");
	for (unsigned s = 1; s <= seqs; s++) {
		for (unsigned i = 0; i < ngos; i++, k++) {
			char json[2048];
			int jl, hl;

			for (int c = 0; c < CONTESTS; c++) {
				/* a candidate, or blank (min is 0) */
				uint32_t r = randombytes_uniform(CANDIDATES + 1);

				counts[c] = r < CANDIDATES ? 1 : 0;
				picks[c][0] = r;
				idx[c] = picks[c];
			}
			encoding_buf_init(&body);
			protocol_ballot_build(election_hash, keys[i].pk, s, CONTESTS, counts, idx,
			                      &body);
			if (body.failed)
				die("ballot build");
			protocol_ballot_hash(body.data, body.len, hash);
			if (!protocol_ballot_sign(keys[i].sk, hash, sig))
				die("ballot sign");
			bhex = encoding_hex_encode_alloc(body.data, body.len);
			encoding_hex_encode(sig, 64, shex);
			jl = snprintf(json, sizeof(json), "{\"body\":\"%s\",\"signature\":\"%s\"}",
			              bhex, shex);
			rs->req[k] = malloc((size_t)jl + 256);
			if (rs->req[k] == NULL)
				die("out of memory");
			hl = snprintf(rs->req[k], 256,
			              "POST /api/elections/" ELECTION "/ballots HTTP/1.1\r\n"
			              "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
			              "Content-Length: %d\r\n\r\n",
			              jl);
			memcpy(rs->req[k] + hl, json, (size_t)jl);
			rs->len[k] = (size_t)(hl + jl);
			free(bhex);
			encoding_buf_free(&body);
		}
	}
}

/* ---- the cast phase: C keep-alive connections, one epoll thread ---- */

struct conn {
	int fd;
	size_t idx; /* request in flight, or SIZE_MAX */
	size_t sent;
	char buf[16384]; /* the answer's head (the body is only counted) */
	size_t got;      /* bytes of the answer so far */
	size_t need;     /* its length once the head is in, else 0 */
	int status;
	bool closes;
	double t0;
};

static int
conn_open(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* The head's length once buf holds it (else 0), with the status, the
 * Content-Length and whether the server will close. */
static size_t
head_parse(const char *buf, size_t got, int *status, size_t *clen, bool *closes)
{
	const char *end = memmem(buf, got, "\r\n\r\n", 4), *p;

	if (end == NULL)
		return 0;
	*status = 0;
	*clen = 0;
	*closes = false;
	sscanf(buf, "HTTP/1.%*d %d", status);
	for (p = buf; p < end; p++) {
		if (*p != '\n')
			continue;
		if (strncasecmp(p + 1, "Content-Length:", 15) == 0)
			*clen = strtoul(p + 16, NULL, 10);
		else if (strncasecmp(p + 1, "Connection: close", 17) == 0)
			*closes = true;
	}
	return (size_t)(end - buf) + 4;
}

static void
conn_send(int ep, struct conn *c, const struct request_set *rs)
{
	size_t k = c->idx % rs->n;

	while (c->sent < rs->len[k]) {
		ssize_t w = send(c->fd, rs->req[k] + c->sent, rs->len[k] - c->sent, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct epoll_event ev = {EPOLLIN | EPOLLOUT, {.ptr = c}};

			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (w <= 0)
			return; /* the read side sees the error */
		c->sent += (size_t)w;
	}
	{
		struct epoll_event ev = {EPOLLIN, {.ptr = c}};

		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
}

/* Sends rounds x rs->n requests (request i is rs[i % n]); an answer with
 * status `want` counts as accepted. */
static void
run_phase(unsigned port, const struct request_set *rs, unsigned rounds, unsigned nconns, int want,
          struct phase_result *res)
{
	struct conn *conns = calloc(nconns, sizeof(*conns));
	struct epoll_event evs[256];
	size_t next = 0, done = 0, total = rs->n * rounds;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double start;

	memset(res, 0, sizeof(*res));
	res->n = total;
	res->lat_ms = malloc(total * sizeof(double));
	if (conns == NULL || res->lat_ms == NULL || ep < 0)
		die("out of memory");
	for (size_t i = 0; i < total; i++)
		res->lat_ms[i] = -1;
	for (unsigned i = 0; i < nconns; i++) {
		struct epoll_event ev = {EPOLLIN, {.ptr = &conns[i]}};

		conns[i].fd = conn_open(port);
		conns[i].idx = SIZE_MAX;
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
	}
	start = now_s();
	for (unsigned i = 0; i < nconns && next < total; i++) {
		conns[i].idx = next++;
		conns[i].sent = 0;
		conns[i].got = 0;
		conns[i].need = 0;
		conns[i].t0 = now_s();
		conn_send(ep, &conns[i], rs);
	}
	while (done < total) {
		int n = epoll_wait(ep, evs, 256, 60000);

		if (n == 0)
			die("no answer for 60 s (%zu of %zu done)", done, total);
		for (int e = 0; e < n; e++) {
			struct conn *c = evs[e].data.ptr;
			bool broken = false, closes = false, complete;

			if (c->idx == SIZE_MAX)
				continue;
			if (evs[e].events & EPOLLOUT)
				conn_send(ep, c, rs);
			if (!(evs[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			for (;;) {
				char scratch[65536];
				bool in_head = c->need == 0;
				char *dst = in_head ? c->buf + c->got : scratch;
				size_t room =
				    in_head ? sizeof(c->buf) - 1 - c->got : sizeof(scratch);
				ssize_t r = recv(c->fd, dst, room, 0);

				if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
					break;
				if (r <= 0) {
					broken = true;
					break;
				}
				c->got += (size_t)r;
				if (in_head) {
					size_t clen, head;

					c->buf[c->got] = '\0'; /* for sscanf */
					head = head_parse(c->buf, c->got, &c->status, &clen,
					                  &c->closes);
					if (head > 0)
						c->need = head + clen;
					else if (c->got == sizeof(c->buf) - 1)
						die("answer head over %zu bytes", sizeof(c->buf));
				}
				if (c->need > 0 && c->got >= c->need)
					break;
			}
			complete = c->need > 0 && c->got >= c->need;
			if (!complete && !broken)
				continue;
			closes = c->closes;
			if (!complete) {
				res->transport_errors++;
			} else {
				res->lat_ms[c->idx] = (now_s() - c->t0) * 1e3;
				res->status_count[c->status > 0 && c->status < 600 ? c->status
				                                                   : 0]++;
				if (c->status == want)
					res->ok++;
			}
			done++;
			if (broken || closes) {
				struct epoll_event ev = {EPOLLIN, {.ptr = c}};

				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = conn_open(port);
				epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
			}
			c->idx = SIZE_MAX;
			if (next < total) {
				c->idx = next++;
				c->sent = 0;
				c->got = 0;
				c->need = 0;
				c->t0 = now_s();
				conn_send(ep, c, rs);
			}
		}
	}
	res->seconds = now_s() - start;
	for (unsigned i = 0; i < nconns; i++)
		close(conns[i].fd);
	close(ep);
	free(conns);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
percentiles(struct phase_result *res)
{
	double *v = malloc(res->n * sizeof(double));
	size_t m = 0;

	for (size_t i = 0; i < res->n; i++)
		if (res->lat_ms[i] >= 0)
			v[m++] = res->lat_ms[i];
	qsort(v, m, sizeof(double), cmp_double);
	if (m > 0) {
		res->p50 = v[(m - 1) * 50 / 100];
		res->p99 = v[(m - 1) * 99 / 100];
		res->max = v[m - 1];
	}
	free(v);
}

static void
print_phase(const char *name, const char *what, const struct phase_result *r)
{
	size_t errors = r->n - r->ok;

	printf("%-9s %zu requests in %.3f s: %.0f %s/s; latency p50 %.2f ms, p99 %.2f ms, "
	       "max %.2f ms; errors %zu",
	       name, r->n, r->seconds, (double)r->ok / r->seconds, what, r->p50, r->p99, r->max,
	       errors);
	if (errors > 0) {
		printf(" (");
		if (r->transport_errors)
			printf("no answer: %zu ", r->transport_errors);
		for (int s = 0; s < 600; s++)
			if (r->status_count[s] && s != 201)
				printf("HTTP %d: %u ", s, r->status_count[s]);
		printf(")");
	}
	printf("\n");
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr,
	        "usage: loadgen [--ngos N] [--conns C] [--seqs S] [--threads T]\n"
	        "               [--build DIR] [--mhd PATH] [--dir DIR] [--no-verify]\n"
	        "               [--perf FILE]  (perf record -g of the daemon during the cast)\n");
	exit(2);
}

static unsigned
uarg(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end != '\0' || n == 0 || n > 1000000)
		usage();
	return (unsigned)n;
}

int
main(int argc, char **argv)
{
	struct options o = {.ngos = 10000,
	                    .conns = 64,
	                    .seqs = 1,
	                    .threads = 4,
	                    .views = 200,
	                    .build = "build",
	                    .mhd = "build/bench/load/mhd_min",
	                    .dir = "build/bench/load/run",
	                    .perf = NULL,
	                    .verify = true};
	char daemon[1024], verifier[1024], db[1200], log[1200], token[65], threads[16], cmd[4096],
	    static_dir[1200];
	struct session s;
	struct key *keys;
	struct request_set rs;
	struct phase_result dr, mr;
	struct proc d, m;
	uint8_t election_hash[64];
	double t, dcpu0, dcpu1, scpu0, scpu1;
	long hwm_setup, hwm_cast, hwm_life, rss_setup, rss_cast;
	bool failed = false;
	pid_t perf = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--ngos") == 0)
			o.ngos = uarg(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--conns") == 0)
			o.conns = uarg(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--seqs") == 0)
			o.seqs = uarg(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
			o.threads = uarg(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--build") == 0)
			o.build = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--mhd") == 0)
			o.mhd = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0)
			o.dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--views") == 0)
			o.views = strcmp(argv[++i], "0") == 0 ? 0 : uarg(argv[i]);
		else if (i + 1 < argc && strcmp(argv[i], "--perf") == 0)
			o.perf = argv[++i];
		else if (strcmp(argv[i], "--no-verify") == 0)
			o.verify = false;
		else
			usage();
	}
	if (o.ngos < CANDIDATES * CONTESTS)
		die("--ngos must be at least %d", CANDIDATES * CONTESTS);
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("init");
	signal(SIGPIPE, SIG_IGN);
	snprintf(daemon, sizeof(daemon), "%s/ngo-voted", o.build);
	snprintf(verifier, sizeof(verifier), "%s/ngo-vote-verify", o.build);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s/static'", o.dir, o.dir);
	if (system(cmd) != 0)
		die("cannot make %s", o.dir);
	snprintf(db, sizeof(db), "%s/ngo-vote.sqlite", o.dir);
	snprintf(log, sizeof(log), "%s/daemon.log", o.dir);
	snprintf(static_dir, sizeof(static_dir), "%s/static", o.dir);
	snprintf(threads, sizeof(threads), "%u", o.threads);
	printf("loadgen: %u NGOs x %u seq = %zu ballots, %u connections, daemon --threads %u\n",
	       o.ngos, o.seqs, (size_t)o.ngos * o.seqs, o.conns, o.threads);

	t = now_s();
	create_admin(daemon, db, token);
	keys = malloc(o.ngos * sizeof(*keys));
	if (keys == NULL)
		die("out of memory");
	for (unsigned i = 0; i < o.ngos; i++)
		key_for(i, &keys[i]);
	seed_ngos(db, keys, o.ngos);
	printf("set-up    migrations, %u NGO keys made and seeded with SQL: %.2f s\n", o.ngos,
	       now_s() - t);

	{
		const char *args[] = {daemon,     "--port",   "0",         "--db",  db,
		                      "--static", static_dir, "--threads", threads, NULL};

		d = proc_start(args, log);
	}
	memset(&s, 0, sizeof(s));
	s.port = d.port;
	t = now_s();
	open_election(&s, token, o.ngos, election_hash);
	printf("set-up    login, draft (6 groups x %d candidates), open with %u voters: %.2f s\n",
	       CANDIDATES, o.ngos, now_s() - t);
	t = now_s();
	build_requests(keys, o.ngos, o.seqs, election_hash, &rs);
	printf("set-up    %zu ballots built and signed: %.2f s\n", rs.n, now_s() - t);

	hwm_setup = proc_status_kb(d.pid, "VmHWM");
	rss_setup = proc_status_kb(d.pid, "VmRSS");
	proc_reset_hwm(d.pid);
	if (o.perf != NULL)
		perf = perf_start(o.perf, d.pid);
	dcpu0 = proc_cpu_s(d.pid);
	scpu0 = self_cpu_s();
	run_phase(d.port, &rs, 1, o.conns, 201, &dr);
	dcpu1 = proc_cpu_s(d.pid);
	if (perf > 0) {
		int status;

		kill(perf, SIGINT);
		waitpid(perf, &status, 0);
		printf("          perf profile of the daemon during the cast: %s\n", o.perf);
	}
	scpu1 = self_cpu_s();
	hwm_cast = proc_status_kb(d.pid, "VmHWM");
	rss_cast = proc_status_kb(d.pid, "VmRSS");
	hwm_life = hwm_cast > hwm_setup ? hwm_cast : hwm_setup;
	percentiles(&dr);
	print_phase("ngo-voted", "accepted", &dr);
	printf(
	    "          CPU during the cast: daemon %.2f s (%.0f%% of one core), loadgen %.2f s\n",
	    dcpu1 - dcpu0, 100 * (dcpu1 - dcpu0) / dr.seconds, scpu1 - scpu0);
	printf("          daemon peak RSS (VmHWM): %.1f MiB over its life (set-up: %.1f MiB); "
	       "during the cast %.1f MiB (RSS %.1f MiB before, %.1f MiB after)\n",
	       (double)hwm_life / 1024, (double)hwm_setup / 1024, (double)hwm_cast / 1024,
	       (double)rss_setup / 1024, (double)rss_cast / 1024);

	/* durability: the board after a SIGKILL holds every acknowledged ballot */
	proc_stop(&d, SIGKILL);
	{
		const char *args[] = {daemon,     "--port",   "0",         "--db",  db,
		                      "--static", static_dir, "--threads", threads, NULL};

		d = proc_start(args, log);
	}
	s.port = d.port;
	{
		json_t *j = http_expect(
		    &s, "GET", "/api/elections/" ELECTION "/board?from=0&limit=1", NULL, 200);
		json_int_t total = json_integer_value(json_object_get(j, "total"));

		json_decref(j);
		printf("durable   after SIGKILL and restart the board holds %lld ballots; %zu were "
		       "acknowledged: %s\n",
		       (long long)(total - 2), dr.ok,
		       (size_t)(total - 2) == dr.ok ? "ok" : "MISMATCH");
		if ((size_t)(total - 2) != dr.ok)
			failed = true;
	}
	if (o.verify) {
		struct http_reply raw;
		long status;
		FILE *f;
		char rec[1300];

		snprintf(rec, sizeof(rec), "%s/record.jsonl", o.dir);
		t = now_s();
		http(&s, "GET", "/api/elections/" ELECTION "/record", NULL, &status, &raw);
		f = fopen(rec, "wb");
		if (status != 200 || f == NULL || fwrite(raw.body, 1, raw.len, f) != raw.len)
			die("record: %ld", status);
		fclose(f);
		free(raw.body);
		snprintf(cmd, sizeof(cmd), "'%s' '%s' > '%s/verify.out' 2>&1", verifier, rec,
		         o.dir);
		rc = system(cmd);
		failed |= rc != 0;
		printf("verify    ngo-vote-verify on the record (%zu ballots): %s (%.2f s)\n",
		       dr.ok, rc == 0 ? "ok" : "FAILED", now_s() - t);
	}
	if (o.views > 0) {
		/* what each voter's page loads: the election with its roll and turnout */
		static char view_req[] = "GET /api/elections/" ELECTION " HTTP/1.1\r\n"
		                         "Host: 127.0.0.1\r\n\r\n";
		char *one = view_req;
		size_t one_len = sizeof(view_req) - 1;
		struct request_set vs = {&one, &one_len, 1};
		struct phase_result vr;
		long rss0 = proc_status_kb(d.pid, "VmRSS");

		run_phase(d.port, &vs, o.views, 16, 200, &vr);
		percentiles(&vr);
		print_phase("views", "served", &vr);
		printf("          GET /api/elections/%s (roll of %u, turnout) over 16 connections; "
		       "daemon RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB\n",
		       ELECTION, o.ngos, (double)rss0 / 1024,
		       (double)proc_status_kb(d.pid, "VmRSS") / 1024,
		       (double)proc_status_kb(d.pid, "VmHWM") / 1024);
		free(vr.lat_ms);
	}
	rc = proc_stop(&d, SIGTERM);
	if (rc != 0)
		printf("          the daemon exited with %d\n", rc);

	/* the ceiling: libmicrohttpd alone, same settings, same requests */
	{
		char mlog[1300];
		const char *args[] = {o.mhd, "--threads", threads, NULL};

		snprintf(mlog, sizeof(mlog), "%s/mhd_min.log", o.dir);
		m = proc_start(args, mlog);
	}
	/* at least 50,000 requests, so that the phase lasts long enough to time */
	run_phase(m.port, &rs, (unsigned)((50000 + rs.n - 1) / rs.n), o.conns, 201, &mr);
	percentiles(&mr);
	print_phase("mhd_min", "accepted", &mr);
	proc_stop(&m, SIGTERM);
	printf("ratio     ngo-voted / mhd_min = %.1f%% of the ceiling\n",
	       100 * ((double)dr.ok / dr.seconds) / ((double)mr.ok / mr.seconds));
	printf(
	    "RESULT ballots=%zu conns=%u accepted_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	    "errors=%zu peak_rss_mib=%.1f cast_rss_mib=%.1f mhd_per_s=%.0f ratio=%.3f\n",
	    dr.n, o.conns, (double)dr.ok / dr.seconds, dr.p50, dr.p99, dr.max, dr.n - dr.ok,
	    (double)hwm_life / 1024, (double)hwm_cast / 1024, (double)mr.ok / mr.seconds,
	    ((double)dr.ok / dr.seconds) / ((double)mr.ok / mr.seconds));
	for (size_t i = 0; i < rs.n; i++)
		free(rs.req[i]);
	free(rs.req);
	free(rs.len);
	free(dr.lat_ms);
	free(mr.lat_ms);
	sodium_memzero(keys, o.ngos * sizeof(*keys));
	free(keys);
	curl_global_cleanup();
	return dr.n == dr.ok && !failed ? 0 : 1;
}
