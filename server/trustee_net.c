/*
 * trustee_net.c -- how ngo-vote-trustee talks to the election server:
 * GET and POST under /api/elections/{id}/ with libcurl (HTTPS in
 * production), and the air-gapped alternative, where the trustee carries
 * files: --in FILE instead of a GET, --out FILE instead of a POST.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "trustee.h"

#define ANSWER_MAX (512u << 20) /* a record of a large election */

bool
trustee_net_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
}

void
trustee_net_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
collect(char *p, size_t size, size_t n, void *cls)
{
	struct trustee_response *r = cls;
	size_t add = size * n;
	char *grown;

	if (r->len + add > ANSWER_MAX)
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

static void
url_for(const struct trustee_options *o, const char *what, char *url, size_t size)
{
	size_t n = strlen(o->server);

	while (n > 0 && o->server[n - 1] == '/')
		n--;
	snprintf(url, size, "%.*s/api/elections/%s%s%s", (int)n, o->server, o->election,
	         what[0] != '\0' ? "/" : "", what);
}

/* GET or POST (body != NULL); returns the HTTP status, 0 on transport error. */
static long
http(const char *url, const char *body, struct trustee_response *r)
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
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ngo-vote-trustee");
	if (body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "ngo-vote-trustee: %s: %s\n", url, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return r->status;
}

long
trustee_get(const struct trustee_options *o, const char *what, struct trustee_response *r)
{
	char url[2048];

	url_for(o, what, url, sizeof(url));
	return http(url, NULL, r);
}

long
trustee_post(const struct trustee_options *o, const char *what, const char *json,
             struct trustee_response *r)
{
	char url[2048];

	url_for(o, what, url, sizeof(url));
	return http(url, json, r);
}

void
trustee_response_free(struct trustee_response *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

void
trustee_response_explain(const struct trustee_response *r, char *out, size_t outsize)
{
	json_t *j = r->data ? json_loadb(r->data, r->len, 0, NULL) : NULL;
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *hint = json_string_value(json_object_get(j, "hint"));
	const char *detail = json_string_value(json_object_get(j, "detail"));

	if (name != NULL)
		snprintf(out, outsize, "HTTP %ld %s: %s%s%s", r->status, name, hint ? hint : "",
		         detail ? " -- " : "", detail ? detail : "");
	else if (r->status == 0)
		snprintf(out, outsize, "no answer from the server");
	else
		snprintf(out, outsize, "HTTP %ld: %.300s", r->status, r->data ? r->data : "");
	json_decref(j);
}

char *
trustee_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = NULL;

	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "ngo-vote-trustee: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		char *grown;
		size_t got;

		if (n + 1 >= cap)
			cap *= 2;
		grown = realloc(buf, cap);
		if (grown == NULL)
			break;
		buf = grown;
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0 || n > max)
			break;
	}
	if (buf == NULL || ferror(f) || n > max) {
		fprintf(stderr, "ngo-vote-trustee: %s: %s\n", path,
		        n > max ? "too large" : "cannot be read");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

bool
trustee_write_out(const char *path, const char *json)
{
	FILE *f = fopen(path, "w");
	bool ok = f != NULL && fputs(json, f) >= 0 && fputc('\n', f) != EOF;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "ngo-vote-trustee: cannot write %s: %s\n", path, strerror(errno));
	return ok;
}

json_t *
trustee_fetch_json(const struct trustee_options *o, const char *what, const char *label)
{
	struct trustee_response r = {0};
	json_error_t err;
	json_t *j = NULL;

	if (o->in != NULL) {
		size_t len;
		char *text = trustee_read_file(o->in, ANSWER_MAX, &len);

		if (text == NULL)
			return NULL;
		j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
		free(text);
		if (!json_is_object(j)) {
			fprintf(stderr, "ngo-vote-trustee: %s is not the %s (JSON: %s)\n", o->in,
			        label, j ? "not an object" : err.text);
			json_decref(j);
			return NULL;
		}
		return j;
	}
	if (trustee_get(o, what, &r) != 200) {
		char why[600];

		trustee_response_explain(&r, why, sizeof(why));
		fprintf(stderr, "ngo-vote-trustee: cannot fetch the %s: %s\n", label, why);
		trustee_response_free(&r);
		return NULL;
	}
	j = json_loadb(r.data, r.len, JSON_REJECT_DUPLICATES, &err);
	trustee_response_free(&r);
	if (!json_is_object(j)) {
		fprintf(stderr, "ngo-vote-trustee: the server's %s is not a JSON object\n", label);
		json_decref(j);
		return NULL;
	}
	return j;
}

bool
trustee_send(const struct trustee_options *o, const char *what, int round, const uint8_t *data,
             size_t len, const char *label, long *status)
{
	struct trustee_response r = {0};
	char *hex = encoding_hex_encode_alloc(data, len), *text = NULL, why[800];
	json_t *j = json_object();
	bool ok = false;

	if (status != NULL)
		*status = 0;
	if (hex == NULL || j == NULL)
		goto out;
	if (round >= 0)
		json_object_set_new(j, "round", json_integer(round));
	json_object_set_new(j, "data", json_string(hex));
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		goto out;
	if (o->out != NULL) {
		ok = trustee_write_out(o->out, text);
		if (ok)
			printf("%s written to %s: carry it to a connected machine and POST it to\n"
			       "  /api/elections/%s/%s\n",
			       label, o->out, o->election ? o->election : "ID", what);
		goto out;
	}
	trustee_post(o, what, text, &r);
	if (status != NULL)
		*status = r.status;
	if (r.status < 200 || r.status > 299) {
		trustee_response_explain(&r, why, sizeof(why));
		fprintf(stderr, "ngo-vote-trustee: the server refused the %s: %s\n", label, why);
		goto out;
	}
	printf("%s accepted by the server\n", label);
	ok = true;
out:
	trustee_response_free(&r);
	trustee_json_free(text);
	json_decref(j);
	free(hex);
	return ok;
}
