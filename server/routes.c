/*
 * routes.c -- the route table and the matcher.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

static const struct route route_table[] = {
    /* method, pattern, handler, body cap, JSON body, who may call, body type */
    {"GET", "/healthz", h_healthz, 0, false, ROUTE_PUBLIC, NULL},
    {"GET", "/api/elections/*/record", h_record, 0, false, ROUTE_PUBLIC, NULL},
    {"POST", "/api/elections/*/receipts/check", h_receipt_check, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/setup", h_setup, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/login", h_login, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/logout", h_logout, 0, false, ROUTE_SESSION, NULL},
    {"GET", "/api/session", h_session, 0, false, ROUTE_SESSION, NULL},
    {"GET", "/api/accounts", h_accounts_list, 0, false, ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/accounts", h_accounts_create, 4096, true, ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/accounts/*/deactivate", h_account_deactivate, 0, false, ROUTE_SECRETARIAT, NULL},
    {"GET", "/api/audit-log", h_audit_log, 0, false, ROUTE_STAFF, NULL},
    {"GET", "/api/ngos", h_ngos_public, 0, false, ROUTE_PUBLIC, NULL},
    {"GET", "/api/admin/ngos", h_admin_ngos_list, 0, false, ROUTE_STAFF, NULL},
    {"POST", "/api/admin/ngos", h_admin_ngo_create, 16384, true, ROUTE_SECRETARIAT, NULL},
    {"GET", "/api/admin/ngos/export", h_admin_ngos_export, 0, false, ROUTE_STAFF, NULL},
    {"POST", "/api/admin/ngos/import", h_admin_ngos_import, 1048576, false, ROUTE_SECRETARIAT,
     "text/csv"},
    {"PUT", "/api/admin/ngos/*", h_admin_ngo_update, 16384, true, ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/admin/ngos/*/deactivate", h_admin_ngo_deactivate, 0, false, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/admin/ngos/*/activate", h_admin_ngo_activate, 0, false, ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/admin/ngos/*/enrolment-code", h_enrol_code_issue, 0, false, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/admin/ngos/*/enrolment-code/revoke", h_enrol_code_revoke, 0, false,
     ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/enrol/check", h_enrol_check, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/enrol", h_enrol, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/delegate/nonce", h_delegate_nonce, 4096, true, ROUTE_PUBLIC, NULL},
    {"POST", "/api/delegate/login", h_delegate_login, 4096, true, ROUTE_PUBLIC, NULL},
    {"GET", "/api/delegate/me", h_delegate_me, 0, false, ROUTE_DELEGATE, NULL},
    {"GET", "/api/admin/elections", h_admin_elections_list, 0, false, ROUTE_STAFF, NULL},
    {"POST", "/api/admin/elections", h_admin_election_create, 8192, true, ROUTE_SECRETARIAT, NULL},
    {"GET", "/api/admin/elections/*", h_admin_election_get, 0, false, ROUTE_STAFF, NULL},
    {"PUT", "/api/admin/elections/*", h_admin_election_update, 262144, true, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/admin/elections/*/open", h_admin_election_open, 1024, true, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/admin/elections/*/close", h_admin_election_close, 1024, true, ROUTE_SECRETARIAT,
     NULL},
    {"GET", "/api/elections", h_elections_list, 0, false, ROUTE_PUBLIC, NULL},
    {"GET", "/api/elections/*", h_election_get, 0, false, ROUTE_PUBLIC, NULL},
    {"GET", "/api/elections/*/board", h_election_board, 0, false, ROUTE_PUBLIC, NULL},
    {"GET", "/api/elections/*/result", h_election_result, 0, false, ROUTE_PUBLIC, NULL},
    {"POST", "/api/elections/*/ballots", h_ballot_cast, 1048576, true, ROUTE_PUBLIC, NULL},
    /* secret mode: the key ceremony, its dry run, the tally's decryption */
    {"GET", "/api/elections/*/ceremony", h_ceremony_get, 0, false, ROUTE_PUBLIC, NULL},
    {"POST", "/api/elections/*/ceremony/start", h_ceremony_start, 1024, true, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/elections/*/ceremony/restart", h_ceremony_restart, 4096, true, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/elections/*/ceremony/cancel", h_ceremony_cancel, 1024, true, ROUTE_SECRETARIAT,
     NULL},
    {"POST", "/api/elections/*/ceremony/messages", h_ceremony_message, 140000, true, ROUTE_PUBLIC,
     NULL},
    {"GET", "/api/elections/*/dry-run", h_dry_run_get, 0, false, ROUTE_PUBLIC, NULL},
    {"POST", "/api/elections/*/dry-run", h_dry_run_start, 1024, true, ROUTE_SECRETARIAT, NULL},
    {"POST", "/api/elections/*/dry-run/partial-decryptions", h_dry_run_partial, 540000, true,
     ROUTE_PUBLIC, NULL},
    {"POST", "/api/elections/*/partial-decryptions", h_partial_decryption, 540000, true,
     ROUTE_PUBLIC, NULL},
};

static const struct route static_route = {"GET", "/*static",   h_static, 0,
                                          false, ROUTE_PUBLIC, NULL};

#define NROUTES (sizeof(route_table) / sizeof(route_table[0]))

static void
free_args(struct request *rq)
{
	for (unsigned i = 0; i < rq->nargs; i++) {
		free(rq->args[i]);
		rq->args[i] = NULL;
	}
	rq->nargs = 0;
}

/* Matches path against pattern segment by segment; '*' captures. */
static bool
pattern_match(const char *pattern, const char *path, struct request *rq)
{
	const char *p = pattern, *u = path;

	free_args(rq);
	while (*p != '\0' && *u != '\0') {
		if (*p != '/' || *u != '/')
			return false;
		p++;
		u++;
		const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
		size_t plen = pe ? (size_t)(pe - p) : strlen(p);
		size_t ulen = ue ? (size_t)(ue - u) : strlen(u);

		if (plen == 1 && p[0] == '*') {
			if (ulen == 0 || rq->nargs >= REQUEST_MAX_ARGS)
				return false;
			rq->args[rq->nargs] = strndup(u, ulen);
			if (rq->args[rq->nargs] == NULL)
				return false;
			rq->nargs++;
		} else if (plen != ulen || memcmp(p, u, plen) != 0) {
			return false;
		}
		p += plen;
		u += ulen;
	}
	if (*p == '\0' && *u == '\0')
		return true;
	free_args(rq);
	return false;
}

static void
allow_add(char *allow, size_t allowsize, const char *method)
{
	size_t n = strlen(allow);

	if (strstr(allow, method) != NULL)
		return;
	snprintf(allow + n, allowsize - n, "%s%s", n ? ", " : "", method);
}

const struct route *
routes_match(const char *method, const char *path, struct request *rq, enum error_code *err,
             char *allow, size_t allowsize)
{
	bool is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	allow[0] = '\0';
	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *r = &route_table[i];

		if (!pattern_match(r->pattern, path, rq))
			continue;
		if (strcmp(r->method, method) == 0 || (is_get && strcmp(r->method, "GET") == 0))
			return r;
		allow_add(allow, allowsize, r->method);
		if (strcmp(r->method, "GET") == 0)
			allow_add(allow, allowsize, "HEAD");
		free_args(rq);
	}
	if (allow[0] != '\0') {
		*err = ERROR_METHOD_NOT_ALLOWED;
		return NULL;
	}
	/* Outside the API, every path is a read-only static file. */
	if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0) {
		if (is_get)
			return &static_route;
		snprintf(allow, allowsize, "GET, HEAD");
		*err = ERROR_METHOD_NOT_ALLOWED;
		return NULL;
	}
	*err = ERROR_NOT_FOUND;
	return NULL;
}
