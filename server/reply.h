/*
 * reply.h -- every response goes out through here, so the security
 * headers are set in exactly one place; binary values go into answers as
 * lowercase hex through reply_hex().
 */
#ifndef NGO_VOTE_REPLY_H
#define NGO_VOTE_REPLY_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "request.h"

enum reply_cache {
	REPLY_NO_STORE,   /* API answers: never cached */
	REPLY_REVALIDATE, /* static files: cache, but ask (ETag) */
};

/* Adds the security headers and cache policy, queues resp with status and
 * destroys our reference. */
enum MHD_Result reply_queue(struct request *rq, unsigned status, struct MHD_Response *resp,
                            enum reply_cache cache);
/* n bytes as a JSON string of lowercase hex; NULL when out of memory
 * (json_pack with "o" then fails, and the answer is INTERNAL_ERROR). */
json_t *reply_hex(const uint8_t *p, size_t n);
/* Sends body (stolen) as application/json. */
enum MHD_Result reply_json(struct request *rq, unsigned status, json_t *body);
/* Sends text (malloc'd, stolen) as application/json. */
enum MHD_Result reply_json_text(struct request *rq, unsigned status, char *text, size_t len);
/* Sends {"code","name","hint","field"?} with the registry's status. */
enum MHD_Result reply_error(struct request *rq, enum error_code code, const char *field);
/* Same, with a hint of the handler's instead of the registry's. */
enum MHD_Result reply_error_hint(struct request *rq, enum error_code code, const char *field,
                                 const char *hint);
/* An error that also carries a value under key (stolen), e.g. a refused
 * duplicate ballot with the receipt of the stored copy. */
enum MHD_Result reply_error_with(struct request *rq, enum error_code code, const char *field,
                                 const char *key, json_t *value);
/* 405 with the Allow header. */
enum MHD_Result reply_method_not_allowed(struct request *rq, const char *allow);
/* 429 with Retry-After. */
enum MHD_Result reply_rate_limited(struct request *rq, unsigned retry_after_s);

#endif
