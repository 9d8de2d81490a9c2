/*
 * request_auth.c -- the validator that runs before every handler: who is
 * calling (the session cookie), may they call this route, and, for any
 * state-changing method, did the request come from our own pages (Origin
 * and Sec-Fetch-Site) and carry the session's CSRF token.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dbq_accounts.h"
#include "dbq_ngos.h"
#include "dbq_sessions.h"
#include "log.h"
#include "reply.h"
#include "request.h"
#include "routes.h"

/* last_seen is written at most this often, not on every request */
#define TOUCH_EVERY_S 60

const char *
request_session_cookie_name(void)
{
	/* __Host- needs Secure, which browsers only honour under TLS */
	return app_get()->cfg.tls ? "__Host-ngo-vote-session" : "ngo-vote-session";
}

void
request_client_ip(struct request *rq, char *out, size_t outsize)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, outsize, "unknown");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		          (socklen_t)outsize);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		          (socklen_t)outsize);
}

void
request_origin(struct request *rq, char *out, size_t outsize)
{
	const char *host = request_header(rq, MHD_HTTP_HEADER_HOST);

	snprintf(out, outsize, "%s://%s", app_get()->cfg.tls ? "https" : "http", host ? host : "");
}

const char *
request_cookie(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

static bool
state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/* Fills rq->session from the cookie; expired sessions are deleted. */
static void
load_session(struct request *rq)
{
	const struct config *cfg = &app_get()->cfg;
	const char *cookie = request_cookie(rq, request_session_cookie_name());
	struct db *db = db_thread();
	struct dbq_session s;
	uint8_t id[32];
	int64_t now = (int64_t)time(NULL);

	if (cookie == NULL || db == NULL || strlen(cookie) != 64 ||
	    sodium_hex2bin(id, sizeof(id), cookie, 64, NULL, NULL, NULL) != 0)
		return;
	crypto_hash_sha256(rq->session.id_hash, id, sizeof(id));
	sodium_memzero(id, sizeof(id));
	if (dbq_session_get(db, rq->session.id_hash, &s) != DB_OK)
		return;
	if (now - s.last_seen > (int64_t)cfg->session_idle_s ||
	    now - s.created_at > (int64_t)cfg->session_max_s) {
		if (dbq_session_delete(db, rq->session.id_hash) != DB_OK)
			LOG_BUG("could not delete an expired session");
		return;
	}
	if (s.delegate) {
		struct dbq_ngo ngo;

		if (dbq_ngo_get(db, s.ngo_id, now, &ngo) != DB_OK || !ngo.active)
			return;
		rq->session.who = PRINCIPAL_DELEGATE;
		snprintf(rq->session.ngo_id, sizeof(rq->session.ngo_id), "%s", s.ngo_id);
	} else {
		struct dbq_account a;

		if (dbq_account_by_id(db, s.account_id, &a) != DB_OK || !a.active)
			return;
		rq->session.who =
		    strcmp(a.role, "secretariat") == 0 ? PRINCIPAL_SECRETARIAT : PRINCIPAL_AUDITOR;
		rq->session.account_id = a.id;
		snprintf(rq->session.email, sizeof(rq->session.email), "%s", a.email);
	}
	memcpy(rq->session.csrf_token, s.csrf_token, sizeof(rq->session.csrf_token));
	if (now - s.last_seen >= TOUCH_EVERY_S &&
	    dbq_session_touch(db, rq->session.id_hash, now) != DB_OK)
		LOG_BUG("could not touch a session");
}

static bool
allowed(enum route_auth auth, enum request_principal who)
{
	switch (auth) {
	case ROUTE_PUBLIC:
		return true;
	case ROUTE_SESSION:
		return who != PRINCIPAL_NONE;
	case ROUTE_STAFF:
		return who == PRINCIPAL_SECRETARIAT || who == PRINCIPAL_AUDITOR;
	case ROUTE_SECRETARIAT:
		return who == PRINCIPAL_SECRETARIAT;
	case ROUTE_DELEGATE:
		return who == PRINCIPAL_DELEGATE;
	}
	return false;
}

/* A cross-site request: the browser tells us through these headers.
 * Clients without them (the command-line tools) send no cookies. */
static bool
cross_site(struct request *rq)
{
	const char *site = request_header(rq, "Sec-Fetch-Site");
	const char *origin = request_header(rq, "Origin");
	char want[300];

	if (site != NULL && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return true;
	if (origin != NULL) {
		request_origin(rq, want, sizeof(want));
		if (strcmp(origin, want) != 0)
			return true;
	}
	return false;
}

bool
request_auth_check(struct request *rq, enum MHD_Result *ret)
{
	bool changes = state_changing(rq->method);

	load_session(rq);
	if (changes && cross_site(rq)) {
		*ret = reply_error(rq, ERROR_CSRF_FAILED, "Origin");
		return false;
	}
	if (!allowed(rq->route->auth, rq->session.who)) {
		*ret = reply_error(
		    rq, rq->session.who == PRINCIPAL_NONE ? ERROR_NOT_LOGGED_IN : ERROR_FORBIDDEN,
		    NULL);
		return false;
	}
	if (changes && rq->session.who != PRINCIPAL_NONE && rq->route->auth != ROUTE_PUBLIC) {
		const char *token = request_header(rq, "X-CSRF-Token");

		if (token == NULL || strlen(token) != 64 ||
		    sodium_memcmp(token, rq->session.csrf_token, 64) != 0) {
			*ret = reply_error(rq, ERROR_CSRF_FAILED, "X-CSRF-Token");
			return false;
		}
	}
	return true;
}
