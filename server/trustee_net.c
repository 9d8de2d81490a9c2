/*
 * trustee_net.c -- how ngo-vote-trustee talks to the election server:
 * GET and POST under /api/elections/{id}/ (cli.c: libcurl, HTTPS in
 * production), and the air-gapped alternative, where the trustee carries
 * files: --in FILE instead of a GET, --out FILE instead of a POST.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "encoding.h"
#include "trustee.h"

long
trustee_get(const struct trustee_options *o, const char *what, struct cli_response *r)
{
	char url[2048];

	cli_election_url(o->server, o->election, what, url, sizeof(url));
	return cli_http(url, NULL, r);
}

long
trustee_post(const struct trustee_options *o, const char *what, const char *json,
             struct cli_response *r)
{
	char url[2048];

	cli_election_url(o->server, o->election, what, url, sizeof(url));
	return cli_http(url, json, r);
}

void
trustee_response_explain(const struct cli_response *r, char *out, size_t outsize)
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
	struct cli_response r = {0};
	json_error_t err;
	json_t *j = NULL;

	if (o->in != NULL) {
		size_t len;
		char *text = cli_read_file(o->in, CLI_ANSWER_MAX, &len);

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
		cli_response_free(&r);
		return NULL;
	}
	j = json_loadb(r.data, r.len, JSON_REJECT_DUPLICATES, &err);
	cli_response_free(&r);
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
	struct cli_response r = {0};
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
	cli_response_free(&r);
	trustee_json_free(text);
	json_decref(j);
	free(hex);
	return ok;
}
