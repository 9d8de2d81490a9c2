/*
 * test_accounts.c -- the secretariat's first password through the
 * one-time link, login and its rate limit, sessions and logout, CSRF on
 * state changes, and the roles' rights on account management.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

Suite *accounts_suite(void);

#define ADMIN    "admin@example.org"
#define PASSWORD "correct horse battery"

/* Runs --create-admin on the daemon's database; returns the token. */
static void
create_admin(struct test_daemon *d, const char *email, char token[65])
{
	char bin[1024], cmd[2048], line[1024];
	FILE *p;
	bool found = false;

	test_binary("ngo-voted", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s --db %s --create-admin %s 2>&1", bin, d->db, email);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		char *t = strstr(line, "/setup#token=");

		if (t != NULL && sscanf(t, "/setup#token=%64s", token) == 1)
			found = true;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(found, "no setup link printed");
	ck_assert_uint_eq(strlen(token), 64);
}

static void
post(struct test_daemon *d, const char *path, const char *json, const char *cookie,
     const char *csrf, struct test_http *r)
{
	char headers[1024];

	snprintf(headers, sizeof(headers), "Content-Type: application/json\r\n%s%s%s%s%s%s",
	         cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "",
	         csrf ? "X-CSRF-Token: " : "", csrf ? csrf : "", csrf ? "\r\n" : "");
	test_http_do(d, "POST", path, headers, json, json ? strlen(json) : 0, r);
}

static void
get(struct test_daemon *d, const char *path, const char *cookie, struct test_http *r)
{
	char headers[512];

	snprintf(headers, sizeof(headers), "%s%s%s", cookie ? "Cookie: " : "", cookie ? cookie : "",
	         cookie ? "\r\n" : "");
	test_http_do(d, "GET", path, headers, NULL, 0, r);
}

/* Logs in; fills "name=value" for the Cookie header and the CSRF token. */
static void
login(struct test_daemon *d, const char *email, const char *password, char cookie[200],
      char csrf[65])
{
	char body[512], set[512];
	struct test_http r;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	post(d, "/api/login", body, NULL, NULL, &r);
	ck_assert_msg(r.status == 200, "login: %d %s", r.status, r.body);
	ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	ck_assert_ptr_nonnull(strstr(set, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(set, "SameSite=Strict"));
	ck_assert_ptr_null(strstr(set, "Secure")); /* no TLS in tests */
	*strchr(set, ';') = '\0';
	snprintf(cookie, 200, "%.199s", set);
	j = test_http_json(&r);
	snprintf(csrf, 65, "%s", json_string_value(json_object_get(j, "csrf_token")));
	json_decref(j);
	test_http_free(&r);
}

static void
setup_admin(struct test_daemon *d)
{
	char token[65], body[256];
	struct test_http r;

	create_admin(d, ADMIN, token);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"short\"}", token);
	post(d, "/api/setup", body, NULL, NULL, &r);
	test_http_expect_error(&r, 400, "PASSWORD_TOO_SHORT");
	test_http_free(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"%s\"}", token, PASSWORD);
	post(d, "/api/setup", body, NULL, NULL, &r);
	ck_assert_msg(r.status == 200, "setup: %d %s", r.status, r.body);
	test_http_free(&r);
	/* the link works once */
	post(d, "/api/setup", body, NULL, NULL, &r);
	test_http_expect_error(&r, 400, "SETUP_TOKEN_INVALID");
	test_http_free(&r);
}

START_TEST(setup_login_session_logout)
{
	char cookie[200], csrf[65], cookie2[200], csrf2[65];
	struct test_daemon d;
	struct test_http r;
	json_t *j;

	test_daemon_start(&d);
	setup_admin(&d);
	post(&d, "/api/login", "{\"email\":\"" ADMIN "\",\"password\":\"wrong password!\"}", NULL,
	     NULL, &r);
	test_http_expect_error(&r, 401, "BAD_CREDENTIALS");
	test_http_free(&r);
	login(&d, ADMIN, PASSWORD, cookie, csrf);
	get(&d, "/api/session", cookie, &r);
	ck_assert_int_eq(r.status, 200);
	j = test_http_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "role")), "secretariat");
	ck_assert_str_eq(json_string_value(json_object_get(j, "email")), ADMIN);
	json_decref(j);
	test_http_free(&r);
	/* logging in again rotates: a new id, and the old one keeps working only
	 * if it was not the one presented */
	login(&d, ADMIN, PASSWORD, cookie2, csrf2);
	ck_assert_str_ne(cookie, cookie2);
	ck_assert_str_ne(csrf, csrf2);
	/* logout needs the CSRF token */
	post(&d, "/api/logout", NULL, cookie2, NULL, &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	post(&d, "/api/logout", NULL, cookie2, csrf2, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	get(&d, "/api/session", cookie2, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	get(&d, "/api/session", NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(login_rate_limited)
{
	struct test_daemon d;
	struct test_http r;
	char retry[16];
	int i;

	test_daemon_start(&d);
	setup_admin(&d);
	for (i = 0; i < 5; i++) {
		post(&d, "/api/login", "{\"email\":\"" ADMIN "\",\"password\":\"not it at all\"}",
		     NULL, NULL, &r);
		test_http_expect_error(&r, 401, "BAD_CREDENTIALS");
		test_http_free(&r);
	}
	/* now even the right password is refused for a while */
	post(&d, "/api/login", "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\"}", NULL,
	     NULL, &r);
	test_http_expect_error(&r, 429, "RATE_LIMITED");
	ck_assert(test_http_header(&r, "Retry-After", retry, sizeof(retry)));
	ck_assert_int_gt(atoi(retry), 0);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(roles_and_csrf_on_accounts)
{
	char cookie[200], csrf[65], acookie[200], acsrf[65], token[65], body[256];
	struct test_daemon d;
	struct test_http r;
	json_t *j;
	const char *url;

	test_daemon_start(&d);
	setup_admin(&d);
	login(&d, ADMIN, PASSWORD, cookie, csrf);
	/* anonymous and cross-site attempts change nothing */
	post(&d, "/api/accounts", "{\"email\":\"aud@example.org\",\"role\":\"auditor\"}", NULL,
	     NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	post(&d, "/api/accounts", "{\"email\":\"aud@example.org\",\"role\":\"auditor\"}", cookie,
	     NULL, &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	{
		char headers[1024];
		const char *json = "{\"email\":\"aud@example.org\",\"role\":\"auditor\"}";

		snprintf(headers, sizeof(headers),
		         "Content-Type: application/json\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
		         "Origin: http://evil.example\r\n",
		         cookie, csrf);
		test_http_do(&d, "POST", "/api/accounts", headers, json, strlen(json), &r);
		test_http_expect_error(&r, 403, "CSRF_FAILED");
		test_http_free(&r);
	}
	get(&d, "/api/accounts", cookie, &r);
	ck_assert_int_eq(r.status, 200);
	j = test_http_json(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "accounts")), 1);
	json_decref(j);
	test_http_free(&r);
	post(&d, "/api/accounts", "{\"email\":\"aud@example.org\",\"role\":\"auditor\"}", cookie,
	     csrf, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	j = test_http_json(&r);
	url = json_string_value(json_object_get(j, "setup_url"));
	ck_assert_ptr_nonnull(url);
	ck_assert_int_eq(sscanf(strstr(url, "#token="), "#token=%64s", token), 1);
	json_decref(j);
	test_http_free(&r);
	post(&d, "/api/accounts", "{\"email\":\"x@example.org\",\"role\":\"king\"}", cookie, csrf,
	     &r);
	test_http_expect_error(&r, 400, "ROLE_INVALID");
	test_http_free(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"auditor password\"}", token);
	post(&d, "/api/setup", body, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	login(&d, "aud@example.org", "auditor password", acookie, acsrf);
	/* the auditor reads the audit log but may not manage accounts */
	get(&d, "/api/audit-log", acookie, &r);
	ck_assert_int_eq(r.status, 200);
	j = test_http_json(&r);
	ck_assert_uint_ge(json_array_size(json_object_get(j, "entries")), 3);
	json_decref(j);
	test_http_free(&r);
	get(&d, "/api/accounts", acookie, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	post(&d, "/api/accounts", "{\"email\":\"y@example.org\",\"role\":\"auditor\"}", acookie,
	     acsrf, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	/* deactivating the auditor ends its session */
	post(&d, "/api/accounts/2/deactivate", NULL, cookie, csrf, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	get(&d, "/api/audit-log", acookie, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	post(&d, "/api/accounts/1/deactivate", NULL, cookie, csrf, &r);
	test_http_expect_error(&r, 409, "CANNOT_DEACTIVATE_SELF");
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

START_TEST(session_idle_expiry)
{
	const char *args[] = {"--session-idle", "1", NULL};
	char cookie[200], csrf[65];
	struct test_daemon d;
	struct test_http r;

	test_daemon_prepare(&d);
	test_daemon_launch(&d, args);
	setup_admin(&d);
	login(&d, ADMIN, PASSWORD, cookie, csrf);
	sleep(3);
	get(&d, "/api/session", cookie, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

Suite *
accounts_suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *tc = tcase_create("accounts");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, setup_login_session_logout);
	tcase_add_test(tc, login_rate_limited);
	tcase_add_test(tc, roles_and_csrf_on_accounts);
	tcase_add_test(tc, session_idle_expiry);
	suite_add_tcase(s, tc);
	return s;
}
