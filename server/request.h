/*
 * request.h -- the per-request context.  It is created when MHD first
 * sees the request (URI log callback), owned by the request, and freed
 * only in MHD's request-completed callback, so handlers never free it on
 * their error paths.
 */
#ifndef NGO_VOTE_REQUEST_H
#define NGO_VOTE_REQUEST_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct route;

#define REQUEST_MAX_ARGS 4

struct request {
	uint64_t id;
	struct timespec start;
	struct MHD_Connection *conn;
	char *raw_url;      /* as received (escaped, with the query) */
	const char *method; /* borrowed from MHD */
	const char *url;    /* unescaped path, borrowed from MHD */
	const struct route *route;
	char *args[REQUEST_MAX_ARGS]; /* path segments matched by '*' */
	unsigned nargs;
	bool started;
	char *body;
	size_t body_len, body_cap, body_limit;
	bool body_too_large;
	size_t discarded;
	json_t *json; /* the parsed body, for JSON routes */
	unsigned status;
	const char *route_name; /* for the log line */
	/* state a handler keeps beyond its call (a streaming response) */
	void *state;
	void (*state_free)(void *state);
};

/* A query-string argument, or NULL. */
const char *request_query(struct request *rq, const char *key);
/* A request header, or NULL. */
const char *request_header(struct request *rq, const char *name);

#endif
