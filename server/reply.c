/*
 * reply.c -- JSON replies, error replies from the registry, and the
 * security headers every response carries.
 */
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "log.h"

/* No inline script or style anywhere: everything comes from our origin. */
#define REPLY_CSP                                                                                  \
	"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "        \
	"object-src 'none'"

static void
add_security_headers(struct MHD_Response *resp, enum reply_cache cache)
{
	MHD_add_response_header(resp, "Content-Security-Policy", REPLY_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control",
	                        cache == REPLY_NO_STORE ? "no-store" : "no-cache");
}

enum MHD_Result
reply_queue(struct request *rq, unsigned status, struct MHD_Response *resp, enum reply_cache cache)
{
	char id[24];
	enum MHD_Result ret;

	if (resp == NULL) {
		LOG_BUG("request %016llx: no response object", (unsigned long long)rq->id);
		return MHD_NO;
	}
	add_security_headers(resp, cache);
	if (rq->set_cookie != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie);
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)rq->id);
	MHD_add_response_header(resp, "X-Request-Id", id);
	rq->status = status;
	ret = MHD_queue_response(rq->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Builds an application/json response from body (stolen). */
static struct MHD_Response *
json_response(json_t *body)
{
	struct MHD_Response *resp;
	char *text;

	if (body == NULL)
		return NULL;
	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (text == NULL)
		return NULL;
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return resp;
}

static json_t *
error_body(const struct error_entry *e, const char *field, const char *hint)
{
	json_t *body = json_pack("{s:i, s:s, s:s}", "code", (int)e->code, "name", e->name, "hint",
	                         hint != NULL ? hint : e->hint);

	if (body != NULL && field != NULL)
		json_object_set_new(body, "field", json_string(field));
	return body;
}

json_t *
reply_hex(const uint8_t *p, size_t n)
{
	char *s = encoding_hex_encode_alloc(p, n);
	json_t *j = s != NULL ? json_string(s) : NULL;

	free(s);
	return j;
}

enum MHD_Result
reply_json(struct request *rq, unsigned status, json_t *body)
{
	if (body == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	return reply_queue(rq, status, json_response(body), REPLY_NO_STORE);
}

enum MHD_Result
reply_json_text(struct request *rq, unsigned status, char *text, size_t len)
{
	struct MHD_Response *resp;

	if (text == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return reply_queue(rq, status, resp, REPLY_NO_STORE);
}

enum MHD_Result
reply_error_hint(struct request *rq, enum error_code code, const char *field, const char *hint)
{
	const struct error_entry *e = errors_lookup(code);

	return reply_queue(rq, e->http_status, json_response(error_body(e, field, hint)),
	                   REPLY_NO_STORE);
}

enum MHD_Result
reply_error(struct request *rq, enum error_code code, const char *field)
{
	return reply_error_hint(rq, code, field, NULL);
}

enum MHD_Result
reply_error_with(struct request *rq, enum error_code code, const char *field, const char *key,
                 json_t *value)
{
	const struct error_entry *e = errors_lookup(code);
	json_t *body = error_body(e, field, NULL);

	if (body != NULL && value != NULL)
		json_object_set_new(body, key, value);
	else
		json_decref(value);
	return reply_queue(rq, e->http_status, json_response(body), REPLY_NO_STORE);
}

static enum MHD_Result
reply_error_with_header(struct request *rq, enum error_code code, const char *header,
                        const char *value)
{
	const struct error_entry *e = errors_lookup(code);
	struct MHD_Response *resp = json_response(error_body(e, NULL, NULL));

	if (resp != NULL)
		MHD_add_response_header(resp, header, value);
	return reply_queue(rq, e->http_status, resp, REPLY_NO_STORE);
}

enum MHD_Result
reply_method_not_allowed(struct request *rq, const char *allow)
{
	return reply_error_with_header(rq, ERROR_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW, allow);
}

enum MHD_Result
reply_rate_limited(struct request *rq, unsigned retry_after_s)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", retry_after_s ? retry_after_s : 1);
	return reply_error_with_header(rq, ERROR_RATE_LIMITED, MHD_HTTP_HEADER_RETRY_AFTER, v);
}
