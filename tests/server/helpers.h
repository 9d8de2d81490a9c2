/*
 * helpers.h -- test support: start the real ngo-voted on 127.0.0.1 port 0
 * with a fresh data folder, and speak raw HTTP/1.1 to it over a socket
 * (raw, so tests can send what no well-behaved client would).
 */
#ifndef NGO_VOTE_TEST_HELPERS_H
#define NGO_VOTE_TEST_HELPERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct test_daemon {
	pid_t pid;
	unsigned port;
	char dir[256];        /* the data folder (mkdtemp) */
	char db[320];         /* dir/ngo-vote.sqlite */
	char static_dir[320]; /* dir/static, seeded with a few files */
	char stderr_path[320];
};

struct test_http {
	int status;
	char *head; /* status line and headers */
	char *body;
	size_t body_len;
};

/* The build folder (NGO_VOTE_BUILD, default "build") and a binary in it. */
const char *test_build_dir(void);
void test_binary(const char *name, char *out, size_t outsize);

/* Makes a fresh data folder (and static folder) without starting. */
void test_daemon_prepare(struct test_daemon *d);
/* Starts the daemon on the prepared folder; extra args end with NULL. */
void test_daemon_launch(struct test_daemon *d, const char *const *extra_args);
/* prepare + launch with no extra arguments. */
void test_daemon_start(struct test_daemon *d);
/* SIGTERM, wait, and return the exit status (-1 if it did not exit). */
int test_daemon_stop(struct test_daemon *d);
/* SIGKILL, for crash tests. */
void test_daemon_kill(struct test_daemon *d);
/* Removes the data folder. */
void test_daemon_cleanup(struct test_daemon *d);

/* Sends raw bytes, reads the whole answer (the request must ask for
 * Connection: close).  Fails the test if no HTTP answer comes. */
void test_http_raw(const struct test_daemon *d, const void *req, size_t len,
                   struct test_http *resp);
/* Builds a request with Host, Connection: close, Content-Length, and the
 * extra header lines (each ending "\r\n", may be NULL). */
void test_http_do(const struct test_daemon *d, const char *method, const char *path,
                  const char *headers, const char *body, size_t body_len, struct test_http *resp);
/* GET and POST-with-JSON shorthands. */
void test_http_get(const struct test_daemon *d, const char *path, struct test_http *resp);
void test_http_post_json(const struct test_daemon *d, const char *path, const char *json,
                         struct test_http *resp);
void test_http_free(struct test_http *resp);
/* A response header's value (case-insensitive name), copied into out. */
bool test_http_header(const struct test_http *resp, const char *name, char *out, size_t outsize);
/* The body parsed as JSON (caller decrefs); fails the test if it is not. */
json_t *test_http_json(const struct test_http *resp);
/* Asserts status and, for errors, the registry name of the JSON error. */
void test_http_expect_error(const struct test_http *resp, int status, const char *name);

/* Runs a shell command and returns its exit status. */
int test_run(const char *cmd);

#endif
