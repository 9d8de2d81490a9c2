/*
 * test_authz.c -- the authorisation matrix: every route of
 * server/routes.c, called by every kind of caller (anonymous, NGO
 * delegate, auditor, secretariat, an expired session of each, each
 * session without its CSRF token, and cross-site requests), gives the
 * status its access rule says; and a refused request changes nothing in
 * the store.  The table below must list the routes exactly as routes.c
 * does (it is parsed at run time), so a new route fails this suite until
 * it is added here with its rule.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

Suite *authz_suite(void);

enum rule { PUBLIC, SESSION, STAFF, SECRETARIAT, DELEGATE };
enum body { NO_BODY, JSON_BODY, CSV_BODY };

/* ok: the status the right caller gets for this dummy request (a path
 * naming nothing, an empty body), or 0 when only "not 401/403" is pinned
 * down here (routes whose own suites test their answers). */
struct route_case {
	const char *method, *pattern;
	enum rule rule;
	const char *path;
	enum body body;
	int ok;
};

static const struct route_case routes[] = {
    {"GET", "/healthz", PUBLIC, "/healthz", NO_BODY, 200},
    {"GET", "/api/elections/*/record", PUBLIC, "/api/elections/none/record", NO_BODY, 404},
    {"POST", "/api/elections/*/receipts/check", PUBLIC, "/api/elections/none/receipts/check",
     JSON_BODY, 400},
    {"POST", "/api/setup", PUBLIC, "/api/setup", JSON_BODY, 400},
    {"POST", "/api/login", PUBLIC, "/api/login", JSON_BODY, 400},
    {"POST", "/api/logout", SESSION, "/api/logout", NO_BODY, 200},
    {"GET", "/api/session", SESSION, "/api/session", NO_BODY, 200},
    {"GET", "/api/accounts", SECRETARIAT, "/api/accounts", NO_BODY, 200},
    {"POST", "/api/accounts", SECRETARIAT, "/api/accounts", JSON_BODY, 400},
    {"POST", "/api/accounts/*/deactivate", SECRETARIAT, "/api/accounts/999/deactivate", NO_BODY,
     404},
    {"GET", "/api/audit-log", STAFF, "/api/audit-log", NO_BODY, 200},
    {"GET", "/api/ngos", PUBLIC, "/api/ngos", NO_BODY, 200},
    {"GET", "/api/admin/ngos", STAFF, "/api/admin/ngos", NO_BODY, 200},
    {"POST", "/api/admin/ngos", SECRETARIAT, "/api/admin/ngos", JSON_BODY, 400},
    {"GET", "/api/admin/ngos/export", STAFF, "/api/admin/ngos/export", NO_BODY, 200},
    {"POST", "/api/admin/ngos/import", SECRETARIAT, "/api/admin/ngos/import", CSV_BODY, 422},
    {"PUT", "/api/admin/ngos/*", SECRETARIAT, "/api/admin/ngos/nosuch", JSON_BODY, 400},
    {"POST", "/api/admin/ngos/*/deactivate", SECRETARIAT, "/api/admin/ngos/nosuch/deactivate",
     NO_BODY, 404},
    {"POST", "/api/admin/ngos/*/activate", SECRETARIAT, "/api/admin/ngos/nosuch/activate", NO_BODY,
     404},
    {"POST", "/api/admin/ngos/*/enrolment-code", SECRETARIAT,
     "/api/admin/ngos/nosuch/enrolment-code", NO_BODY, 404},
    {"POST", "/api/admin/ngos/*/enrolment-code/revoke", SECRETARIAT,
     "/api/admin/ngos/nosuch/enrolment-code/revoke", NO_BODY, 404},
    {"POST", "/api/enrol/check", PUBLIC, "/api/enrol/check", JSON_BODY, 400},
    {"POST", "/api/enrol", PUBLIC, "/api/enrol", JSON_BODY, 400},
    {"POST", "/api/delegate/nonce", PUBLIC, "/api/delegate/nonce", JSON_BODY, 400},
    {"POST", "/api/delegate/login", PUBLIC, "/api/delegate/login", JSON_BODY, 400},
    {"GET", "/api/delegate/me", DELEGATE, "/api/delegate/me", NO_BODY, 200},
    {"GET", "/api/admin/elections", STAFF, "/api/admin/elections", NO_BODY, 0},
    {"POST", "/api/admin/elections", SECRETARIAT, "/api/admin/elections", JSON_BODY, 0},
    {"GET", "/api/admin/elections/*", STAFF, "/api/admin/elections/none", NO_BODY, 0},
    {"PUT", "/api/admin/elections/*", SECRETARIAT, "/api/admin/elections/none", JSON_BODY, 0},
    {"POST", "/api/admin/elections/*/open", SECRETARIAT, "/api/admin/elections/none/open",
     JSON_BODY, 0},
    {"POST", "/api/admin/elections/*/close", SECRETARIAT, "/api/admin/elections/none/close",
     JSON_BODY, 0},
    {"GET", "/api/elections", PUBLIC, "/api/elections", NO_BODY, 0},
    {"GET", "/api/elections/*", PUBLIC, "/api/elections/none", NO_BODY, 0},
    {"GET", "/api/elections/*/board", PUBLIC, "/api/elections/none/board", NO_BODY, 0},
    {"GET", "/api/elections/*/result", PUBLIC, "/api/elections/none/result", NO_BODY, 0},
    {"POST", "/api/elections/*/ballots", PUBLIC, "/api/elections/none/ballots", JSON_BODY, 0},
    {"GET", "/api/elections/*/ceremony", PUBLIC, "/api/elections/none/ceremony", NO_BODY, 404},
    {"POST", "/api/elections/*/ceremony/start", SECRETARIAT, "/api/elections/none/ceremony/start",
     JSON_BODY, 0},
    {"POST", "/api/elections/*/ceremony/restart", SECRETARIAT,
     "/api/elections/none/ceremony/restart", JSON_BODY, 0},
    {"POST", "/api/elections/*/ceremony/cancel", SECRETARIAT, "/api/elections/none/ceremony/cancel",
     JSON_BODY, 0},
    {"POST", "/api/elections/*/ceremony/messages", PUBLIC, "/api/elections/none/ceremony/messages",
     JSON_BODY, 0},
    {"GET", "/api/elections/*/dry-run", PUBLIC, "/api/elections/none/dry-run", NO_BODY, 404},
    {"POST", "/api/elections/*/dry-run", SECRETARIAT, "/api/elections/none/dry-run", JSON_BODY, 0},
    {"POST", "/api/elections/*/dry-run/partial-decryptions", PUBLIC,
     "/api/elections/none/dry-run/partial-decryptions", JSON_BODY, 0},
    {"POST", "/api/elections/*/partial-decryptions", PUBLIC,
     "/api/elections/none/partial-decryptions", JSON_BODY, 0},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const char *const rule_names[] = {"ROUTE_PUBLIC", "ROUTE_SESSION", "ROUTE_STAFF",
                                         "ROUTE_SECRETARIAT", "ROUTE_DELEGATE"};

enum role { NOBODY, AS_DELEGATE, AS_AUDITOR, AS_SECRETARIAT };
enum flavour { PLAIN, NO_TOKEN, CROSS_SITE, EXPIRED };

struct principal {
	const char *name;
	enum role role; /* who the session was, before any expiry */
	enum flavour flavour;
	struct fixture_who *who; /* NULL: no cookie */
	const char *extra_headers;
};

static bool
allowed(enum rule rule, enum role role)
{
	switch (rule) {
	case PUBLIC:
		return true;
	case SESSION:
		return role != NOBODY;
	case STAFF:
		return role == AS_AUDITOR || role == AS_SECRETARIAT;
	case SECRETARIAT:
		return role == AS_SECRETARIAT;
	case DELEGATE:
		return role == AS_DELEGATE;
	}
	return false;
}

static bool
state_changing(const char *method)
{
	return strcmp(method, "GET") != 0;
}

/* The expected answer: a status and, for a refusal, its error name. */
static void
expected(const struct route_case *rc, const struct principal *p, int *status, const char **name)
{
	enum role role = p->flavour == EXPIRED ? NOBODY : p->role;

	*name = NULL;
	*status = rc->ok;
	if (p->flavour == CROSS_SITE && state_changing(rc->method)) {
		*status = 403;
		*name = "CSRF_FAILED";
	} else if (!allowed(rc->rule, role)) {
		*status = role == NOBODY ? 401 : 403;
		*name = role == NOBODY ? "NOT_LOGGED_IN" : "FORBIDDEN";
	} else if (p->flavour == NO_TOKEN && state_changing(rc->method) && rc->rule != PUBLIC) {
		*status = 403;
		*name = "CSRF_FAILED";
	}
}

static void
send(struct test_daemon *d, const struct route_case *rc, const struct fixture_who *who,
     bool with_csrf, const char *extra, struct test_http *r)
{
	const char *ctype = NULL, *body = NULL;

	if (rc->body == JSON_BODY) {
		ctype = "application/json";
		body = "{}";
	} else if (rc->body == CSV_BODY) {
		ctype = "text/csv";
		body = "";
	}
	fixture_request(d, rc->method, rc->path, who, with_csrf, ctype, extra, body,
	                body ? strlen(body) : 0, r);
}

/* A fresh session like p's, for the one request that ends it (logout). */
static void
fresh_session(struct test_daemon *d, const struct principal *p, const struct fixture_key *k,
              struct fixture_who *out)
{
	if (p->role == AS_DELEGATE)
		fixture_delegate_login(d, "authz-ngo", k, out);
	else if (p->role == AS_AUDITOR)
		fixture_login(d, "aud@example.org", "auditor password", out);
	else
		fixture_login(d, FIXTURE_ADMIN, FIXTURE_PASSWORD, out);
}

/* Runs every route for principal p and checks each answer. */
static void
run_principal(struct test_daemon *d, const struct principal *p, const struct fixture_key *k)
{
	for (size_t i = 0; i < NROUTES; i++) {
		const struct route_case *rc = &routes[i];
		const struct fixture_who *who = p->who;
		struct fixture_who fresh;
		struct test_http r;
		const char *name;
		int status;
		char *before = NULL;
		bool ends_session;

		expected(rc, p, &status, &name);
		ends_session = strcmp(rc->pattern, "/api/logout") == 0 && status == 200;
		if (ends_session) {
			fresh_session(d, p, k, &fresh);
			who = &fresh;
		}
		/* every refused change, and every dummy change that fails,
		 * must leave the store as it was */
		if (state_changing(rc->method) && (name != NULL || status >= 400))
			before = fixture_db_snapshot(d->db);
		send(d, rc, who, p->flavour != NO_TOKEN, p->extra_headers, &r);
		if (status == 0)
			ck_assert_msg(r.status != 401 && r.status != 403 && r.status < 500,
			              "%s %s as %s: %d %s", rc->method, rc->path, p->name, r.status,
			              r.body);
		else
			ck_assert_msg(r.status == status, "%s %s as %s: %d, expected %d: %.300s",
			              rc->method, rc->path, p->name, r.status, status, r.body);
		if (name != NULL) {
			json_t *j = test_http_json(&r);
			const char *got = json_string_value(json_object_get(j, "name"));

			ck_assert_msg(got != NULL && strcmp(got, name) == 0,
			              "%s %s as %s: expected %s: %.300s", rc->method, rc->path,
			              p->name, name, r.body);
			json_decref(j);
		}
		test_http_free(&r);
		if (before != NULL) {
			char *after = fixture_db_snapshot(d->db);

			ck_assert_msg(strcmp(before, after) == 0, "%s %s as %s changed the store",
			              rc->method, rc->path, p->name);
			free(after);
			free(before);
		}
		if (ends_session) {
			fixture_get(d, "/api/session", &fresh, &r);
			test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
			test_http_free(&r);
		}
	}
}

/* Reads server/routes.c (the tests run from the repository root) and
 * checks that the table above lists the same routes, in the same order,
 * with the same access rules. */
START_TEST(table_matches_routes_c)
{
	FILE *f = fopen("server/routes.c", "r");
	char *text, *p, *end;
	size_t n = 0, len;

	ck_assert_msg(f != NULL, "run from the repository root: server/routes.c not found");
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = (size_t)ftell(f);
	rewind(f);
	text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, len, f), len);
	text[len] = '\0';
	fclose(f);
	p = strstr(text, "route_table[] = {");
	ck_assert_ptr_nonnull(p);
	end = strstr(p, "\n};");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	while ((p = strstr(p, "{\"")) != NULL) {
		char method[16], pattern[128], rule[32];
		const struct route_case *rc;

		ck_assert_int_eq(sscanf(p, "{\"%15[^\"]\", \"%127[^\"]\"", method, pattern), 2);
		p = strstr(p, "ROUTE_");
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(sscanf(p, "%31[A-Z_]", rule), 1);
		ck_assert_msg(n < NROUTES, "routes.c has a route this test does not know: %s %s",
		              method, pattern);
		rc = &routes[n];
		ck_assert_msg(strcmp(rc->method, method) == 0 && strcmp(rc->pattern, pattern) == 0,
		              "route %zu: routes.c has %s %s, this test %s %s", n, method, pattern,
		              rc->method, rc->pattern);
		ck_assert_msg(strcmp(rule_names[rc->rule], rule) == 0,
		              "%s %s: routes.c says %s, this test %s", method, pattern, rule,
		              rule_names[rc->rule]);
		n++;
	}
	ck_assert_msg(n == NROUTES, "routes.c has %zu routes, this test %zu", n, NROUTES);
	free(text);
}
END_TEST

/* A secretariat, an auditor and an enrolled NGO's delegate. */
static void
principals_setup(struct test_daemon *d, struct fixture_who *sec, struct fixture_who *aud,
                 struct fixture_who *del, struct fixture_key *k)
{
	fixture_secretariat(d, sec);
	fixture_ngo_create(d, sec, "authz-ngo");
	fixture_keypair(k);
	fixture_enrol_key(d, sec, "authz-ngo", k);
	fixture_auditor(d, sec, "aud@example.org", aud);
	fixture_delegate_login(d, "authz-ngo", k, del);
}

START_TEST(matrix_live_sessions)
{
	struct test_daemon d;
	struct fixture_who sec, aud, del;
	struct fixture_key k;

	test_daemon_start(&d);
	principals_setup(&d, &sec, &aud, &del, &k);
	{
		const struct principal ps[] = {
		    {"anonymous", NOBODY, PLAIN, NULL, NULL},
		    {"delegate", AS_DELEGATE, PLAIN, &del, NULL},
		    {"auditor", AS_AUDITOR, PLAIN, &aud, NULL},
		    {"secretariat", AS_SECRETARIAT, PLAIN, &sec, NULL},
		    {"delegate without CSRF token", AS_DELEGATE, NO_TOKEN, &del, NULL},
		    {"auditor without CSRF token", AS_AUDITOR, NO_TOKEN, &aud, NULL},
		    {"secretariat without CSRF token", AS_SECRETARIAT, NO_TOKEN, &sec, NULL},
		    {"secretariat from another Origin", AS_SECRETARIAT, CROSS_SITE, &sec,
		     "Origin: http://evil.example\r\n"},
		    {"secretariat with Sec-Fetch-Site: cross-site", AS_SECRETARIAT, CROSS_SITE,
		     &sec, "Sec-Fetch-Site: cross-site\r\n"},
		    {"anonymous from another Origin", NOBODY, CROSS_SITE, NULL,
		     "Origin: http://evil.example\r\n"},
		    {"delegate with Sec-Fetch-Site: same-site", AS_DELEGATE, CROSS_SITE, &del,
		     "Sec-Fetch-Site: same-site\r\n"},
		};

		for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
			run_principal(&d, &ps[i], &k);
	}
	/* the sessions used above are all still alive */
	{
		const struct fixture_who *live[] = {&sec, &aud, &del};

		for (size_t i = 0; i < 3; i++) {
			struct test_http r;

			fixture_get(&d, "/api/session", live[i], &r);
			ck_assert_int_eq(r.status, 200);
			test_http_free(&r);
		}
	}
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(matrix_expired_sessions)
{
	/* sessions end after 3 idle seconds; last_seen is refreshed at most
	 * once a minute, so these end 3 s after login whatever they do */
	const char *args[] = {"--session-idle", "3", NULL};
	struct test_daemon d;
	struct fixture_who sec, aud, del;
	struct fixture_key k;
	struct test_http r;

	test_daemon_prepare(&d);
	test_daemon_launch(&d, args);
	principals_setup(&d, &sec, &aud, &del, &k);
	/* the secretariat's session was used for the set-up; log in afresh */
	fixture_login(&d, FIXTURE_ADMIN, FIXTURE_PASSWORD, &sec);
	fixture_get(&d, "/api/session", &sec, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	sleep(5);
	{
		const struct principal ps[] = {
		    {"expired delegate", AS_DELEGATE, EXPIRED, &del, NULL},
		    {"expired auditor", AS_AUDITOR, EXPIRED, &aud, NULL},
		    {"expired secretariat", AS_SECRETARIAT, EXPIRED, &sec, NULL},
		};

		/* the first request with an expired cookie deletes the session
		 * row: that is housekeeping, not the refused request's doing */
		for (size_t i = 0; i < 3; i++) {
			fixture_get(&d, "/api/session", ps[i].who, &r);
			test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
			test_http_free(&r);
		}
		for (size_t i = 0; i < 3; i++)
			run_principal(&d, &ps[i], &k);
	}
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

Suite *
authz_suite(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = tcase_create("authz");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, table_matches_routes_c);
	tcase_add_test(tc, matrix_live_sessions);
	tcase_add_test(tc, matrix_expired_sessions);
	suite_add_tcase(s, tc);
	return s;
}
