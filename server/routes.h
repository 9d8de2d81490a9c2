/*
 * routes.h -- the one static route table.  A pattern is a path whose
 * segments are literals or '*' (one segment, passed to the handler in
 * rq->args).  Paths outside /api/ that no route names are static files.
 */
#ifndef NGO_VOTE_ROUTES_H
#define NGO_VOTE_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "request.h"

/* Who may call a route; checked before its handler runs. */
enum route_auth {
	ROUTE_PUBLIC = 0,  /* anyone (state changes still pass the Origin check) */
	ROUTE_SESSION,     /* any logged-in principal */
	ROUTE_STAFF,       /* secretariat or auditor (read-only console) */
	ROUTE_SECRETARIAT, /* secretariat only: every change */
	ROUTE_DELEGATE,    /* an NGO delegate session */
};

struct route {
	const char *method;
	const char *pattern;
	enum MHD_Result (*handler)(struct request *rq);
	size_t body_max; /* 0: the route takes no body */
	bool json;       /* the body is a JSON object, parsed before the handler */
	enum route_auth auth;
	const char *content_type; /* non-JSON bodies: the required type */
};

/* Longest URL (path and query) we accept; longer is 414. */
#define ROUTES_MAX_URL 2048

/* Finds the route for method and path, filling rq->args.  On failure
 * returns NULL with *err set (NOT_FOUND or METHOD_NOT_ALLOWED, with the
 * allowed methods in allow). */
const struct route *routes_match(const char *method, const char *path, struct request *rq,
                                 enum error_code *err, char *allow, size_t allowsize);

#endif
