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

enum request_principal {
	PRINCIPAL_NONE = 0,
	PRINCIPAL_SECRETARIAT,
	PRINCIPAL_AUDITOR,
	PRINCIPAL_DELEGATE,
};

/* Who sent the request, from the session cookie (request_auth.c). */
struct request_session {
	enum request_principal who;
	uint8_t id_hash[32];
	int64_t account_id; /* secretariat and auditor */
	char email[256];
	char ngo_id[65]; /* delegate */
	char csrf_token[65];
};

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
	bool handler_called; /* a later call is a resumed handler's */
	char *body;
	size_t body_len, body_cap, body_limit;
	bool body_too_large;
	size_t discarded;
	json_t *json; /* the parsed body, for JSON routes */
	struct request_session session;
	char *set_cookie; /* a Set-Cookie value for the reply, malloc'd */
	unsigned status;
	const char *route_name; /* for the log line */
	/* state a handler keeps beyond its call (a streaming response) */
	void *state;
	void (*state_free)(void *state);
};

/* The client's address as text ("127.0.0.1"). */
void request_client_ip(struct request *rq, char *out, size_t outsize);
/* The origin the browser should be on: http(s)://Host. */
void request_origin(struct request *rq, char *out, size_t outsize);
/* A cookie's value, or NULL. */
const char *request_cookie(struct request *rq, const char *name);

/* Resolves the session cookie and checks the route's access rule and,
 * for state-changing methods, CSRF.  Answers the request itself (401,
 * 403) and returns false when the handler must not run. */
bool request_auth_check(struct request *rq, enum MHD_Result *ret);
/* Name of the session cookie (__Host- prefixed under TLS). */
const char *request_session_cookie_name(void);

/* A query-string argument, or NULL. */
const char *request_query(struct request *rq, const char *key);
/* A request header, or NULL. */
const char *request_header(struct request *rq, const char *name);

#endif
