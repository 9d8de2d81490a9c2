/*
 * helpers.c -- the real daemon and a raw HTTP client for the server tests.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *
test_build_dir(void)
{
	const char *b = getenv("NGO_VOTE_BUILD");

	return b != NULL && b[0] != '\0' ? b : "build";
}

void
test_binary(const char *name, char *out, size_t outsize)
{
	char cwd[1024];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	if (test_build_dir()[0] == '/')
		snprintf(out, outsize, "%s/%s", test_build_dir(), name);
	else
		snprintf(out, outsize, "%s/%s/%s", cwd, test_build_dir(), name);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

void
test_daemon_prepare(struct test_daemon *d)
{
	char path[400];

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/ngo-vote-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d->dir));
	snprintf(d->db, sizeof(d->db), "%s/ngo-vote.sqlite", d->dir);
	snprintf(d->static_dir, sizeof(d->static_dir), "%s/static", d->dir);
	snprintf(d->stderr_path, sizeof(d->stderr_path), "%s/stderr.log", d->dir);
	ck_assert_int_eq(mkdir(d->static_dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/index.html", d->static_dir);
	write_file(path, "<!doctype html><title>t</title><p>index</p>\n");
	snprintf(path, sizeof(path), "%s/app.js", d->static_dir);
	write_file(path, "export const x = 1;\n");
	snprintf(path, sizeof(path), "%s/style.css", d->static_dir);
	write_file(path, "p { color: black; }\n");
	snprintf(path, sizeof(path), "%s/enroll.html", d->static_dir);
	write_file(path, "<!doctype html><title>enroll</title>\n");
	snprintf(path, sizeof(path), "%s/sub", d->static_dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/page.html", d->static_dir);
	write_file(path, "<p>sub</p>\n");
	/* a secret beside the static root, and a symlink pointing at it */
	snprintf(path, sizeof(path), "%s/secret.txt", d->dir);
	write_file(path, "SECRET\n");
	snprintf(path, sizeof(path), "%s/leak.txt", d->static_dir);
	ck_assert_int_eq(symlink("../secret.txt", path), 0);
}

void
test_daemon_launch(struct test_daemon *d, const char *const *extra_args)
{
	char bin[1024], line[256];
	const char *argv[40];
	int out[2], n = 0;
	FILE *f;

	test_binary("ngo-voted", bin, sizeof(bin));
	if (getenv("NGO_VOTE_VALGRIND") != NULL) {
		argv[n++] = "valgrind";
		argv[n++] = "--quiet";
		argv[n++] = "--error-exitcode=99";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--errors-for-leak-kinds=definite";
	}
	argv[n++] = bin;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--db";
	argv[n++] = d->db;
	argv[n++] = "--static";
	argv[n++] = d->static_dir;
	argv[n++] = "--threads";
	argv[n++] = "2";
	for (int i = 0; extra_args != NULL && extra_args[i] != NULL && n < 38; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		int err = open(d->stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(out[1], 1);
		if (err >= 0)
			dup2(err, 2);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	ck_assert_ptr_nonnull(f);
	if (fgets(line, sizeof(line), f) == NULL) {
		char cat[600];

		snprintf(cat, sizeof(cat), "cat %s >&2", d->stderr_path);
		test_run(cat);
		ck_abort_msg("daemon printed no first line");
	}
	fclose(f);
	ck_assert_msg(sscanf(line, "listening on http://127.0.0.1:%u/", &d->port) == 1,
	              "unexpected first line: %s", line);
}

void
test_daemon_start(struct test_daemon *d)
{
	test_daemon_prepare(d);
	test_daemon_launch(d, NULL);
}

int
test_daemon_stop(struct test_daemon *d)
{
	int status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	for (int i = 0; i < 600; i++) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);

		if (r == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(50 * 1000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return -1;
}

void
test_daemon_kill(struct test_daemon *d)
{
	int status;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
}

void
test_daemon_cleanup(struct test_daemon *d)
{
	char cmd[400];

	if (d->pid > 0)
		test_daemon_kill(d);
	if (d->dir[0] != '\0' && getenv("NGO_VOTE_KEEP_TEST_DIRS") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
		test_run(cmd);
	}
}

static int
connect_to(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "connect: %s",
	              strerror(errno));
	return fd;
}

void
test_http_raw(const struct test_daemon *d, const void *req, size_t len, struct test_http *resp)
{
	const char *p = req;
	size_t cap = 65536, got = 0;
	char *buf = malloc(cap), *sep;
	int fd = connect_to(d->port);

	memset(resp, 0, sizeof(*resp));
	ck_assert_ptr_nonnull(buf);
	/* the server may answer (413) and close before we finish sending */
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

		if (poll(&pfd, 1, 20000) <= 0)
			break;
		if (got + 4096 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		r = recv(fd, buf + got, cap - got - 1, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	sep = strstr(buf, "\r\n\r\n");
	ck_assert_msg(sep != NULL, "no HTTP answer (got %zu bytes)", got);
	*sep = '\0';
	resp->head = strdup(buf);
	resp->body_len = got - (size_t)(sep + 4 - buf);
	resp->body = malloc(resp->body_len + 1);
	memcpy(resp->body, sep + 4, resp->body_len);
	resp->body[resp->body_len] = '\0';
	ck_assert_msg(sscanf(resp->head, "HTTP/1.1 %d", &resp->status) == 1, "bad status line: %s",
	              resp->head);
	free(buf);
}

void
test_http_do(const struct test_daemon *d, const char *method, const char *path, const char *headers,
             const char *body, size_t body_len, struct test_http *resp)
{
	size_t cap = strlen(path) + (headers ? strlen(headers) : 0) + body_len + 512;
	char *req = malloc(cap);
	int n;

	ck_assert_ptr_nonnull(req);
	n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n%s",
	             method, path, d->port, headers ? headers : "");
	if (body != NULL)
		n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body != NULL) {
		memcpy(req + n, body, body_len);
		n += (int)body_len;
	}
	test_http_raw(d, req, (size_t)n, resp);
	free(req);
}

void
test_http_get(const struct test_daemon *d, const char *path, struct test_http *resp)
{
	test_http_do(d, "GET", path, NULL, NULL, 0, resp);
}

void
test_http_post_json(const struct test_daemon *d, const char *path, const char *json,
                    struct test_http *resp)
{
	test_http_do(d, "POST", path, "Content-Type: application/json\r\n", json, strlen(json),
	             resp);
}

void
test_http_free(struct test_http *resp)
{
	free(resp->head);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

bool
test_http_header(const struct test_http *resp, const char *name, char *out, size_t outsize)
{
	size_t nlen = strlen(name);
	const char *line = strstr(resp->head, "\r\n");

	while (line != NULL) {
		const char *next;

		line += 2;
		next = strstr(line, "\r\n");
		if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			size_t len = next ? (size_t)(next - v) : strlen(v);

			while (len > 0 && *v == ' ') {
				v++;
				len--;
			}
			snprintf(out, outsize, "%.*s", (int)len, v);
			return true;
		}
		line = next;
	}
	return false;
}

json_t *
test_http_json(const struct test_http *resp)
{
	json_error_t err;
	json_t *j = json_loadb(resp->body, resp->body_len, 0, &err);

	ck_assert_msg(j != NULL, "body is not JSON (%s): %.200s", err.text, resp->body);
	return j;
}

void
test_http_expect_error(const struct test_http *resp, int status, const char *name)
{
	char ct[128];
	json_t *j;

	ck_assert_msg(resp->status == status, "status %d, expected %d; body %.300s", resp->status,
	              status, resp->body);
	ck_assert(test_http_header(resp, "Content-Type", ct, sizeof(ct)));
	ck_assert_str_eq(ct, "application/json");
	j = test_http_json(resp);
	ck_assert_msg(json_is_integer(json_object_get(j, "code")), "no code: %s", resp->body);
	ck_assert_msg(json_is_string(json_object_get(j, "hint")), "no hint: %s", resp->body);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), name);
	json_decref(j);
}

int
test_run(const char *cmd)
{
	int st = system(cmd);

	return (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
}
