/*
 * cli.c -- HTTP and files for the command-line clients (see the header).
 */
#include "cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

static const char *program = "ngo-vote";

bool
cli_init(const char *name)
{
	program = name;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
}

void
cli_cleanup(void)
{
	curl_global_cleanup();
}

void
cli_election_url(const char *server, const char *election, const char *what, char *url, size_t size)
{
	size_t n = strlen(server);

	while (n > 0 && server[n - 1] == '/')
		n--;
	snprintf(url, size, "%.*s/api/elections/%s%s%s", (int)n, server, election,
	         what[0] != '\0' ? "/" : "", what);
}

static size_t
collect(char *p, size_t size, size_t n, void *cls)
{
	struct cli_response *r = cls;
	size_t add = size * n;
	char *grown;

	if (add > CLI_ANSWER_MAX - r->len)
		return 0;
	grown = realloc(r->data, r->len + add + 1);
	if (grown == NULL)
		return 0;
	r->data = grown;
	memcpy(r->data + r->len, p, add);
	r->len += add;
	r->data[r->len] = '\0';
	return add;
}

long
cli_http(const char *url, const char *body, struct cli_response *r)
{
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, program);
	if (body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "%s: %s: %s\n", program, url, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return r->status;
}

void
cli_response_free(struct cli_response *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

/* Frees a buffer holding n bytes of a file, wiped. */
static void
wipe_free(char *buf, size_t n)
{
	if (buf == NULL)
		return;
	sodium_memzero(buf, n);
	free(buf);
}

/* A larger copy of buf (n bytes used); buf is wiped and freed either way. */
static char *
grow(char *buf, size_t n, size_t cap)
{
	char *grown = malloc(cap);

	if (grown != NULL && n > 0)
		memcpy(grown, buf, n);
	wipe_free(buf, n);
	return grown;
}

char *
cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf;

	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", program, path, strerror(errno));
		return NULL;
	}
	/* up to max + 1 bytes: one more than max says the file is too large */
	buf = malloc(cap);
	while (buf != NULL && n <= max) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		if (got == 0)
			break;
		n += got;
		if (n + 1 == cap && n <= max) {
			buf = grow(buf, n, 2 * cap);
			cap *= 2;
		}
	}
	if (buf == NULL || ferror(f) || n > max) {
		fprintf(stderr, "%s: %s: %s\n", program, path,
		        buf == NULL ? "out of memory"
		        : n > max   ? "too large"
		                    : "cannot be read");
		fclose(f);
		wipe_free(buf, n);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One line typed on tty without echo, its line break dropped. */
static void
ask(FILE *tty, const char *prompt, char *out, size_t outsize)
{
	struct termios old, quiet;
	bool echo_off;

	fprintf(tty, "%s", prompt);
	fflush(tty);
	echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(out, (int)outsize, tty) == NULL)
		out[0] = '\0';
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	out[strcspn(out, "\r\n")] = '\0';
}

bool
cli_passphrase(const char *file, size_t file_max, const char *env, const char *prompt,
               const char *confirm, char *out, size_t outsize)
{
	const char *value = getenv(env);
	char *again;
	FILE *tty;
	bool ok = true;

	out[0] = '\0';
	if (file != NULL) {
		size_t len;
		char *p = cli_read_file(file, file_max, &len);

		if (p == NULL)
			return false;
		p[strcspn(p, "\r\n")] = '\0';
		snprintf(out, outsize, "%s", p);
		wipe_free(p, len);
		return true;
	}
	if (value != NULL) {
		snprintf(out, outsize, "%s", value);
		return true;
	}
	tty = fopen("/dev/tty", "r+");
	if (tty == NULL) {
		fprintf(stderr,
		        "%s: no terminal to ask for the passphrase (use --passphrase-file)\n",
		        program);
		return false;
	}
	ask(tty, prompt, out, outsize);
	if (confirm != NULL) {
		again = sodium_malloc(outsize);
		ok = again != NULL;
		if (ok)
			ask(tty, confirm, again, outsize);
		if (ok && strcmp(again, out) != 0) {
			fprintf(stderr, "%s: the two passphrases differ\n", program);
			ok = false;
		}
		if (again != NULL)
			sodium_free(again);
	}
	fclose(tty);
	return ok;
}
