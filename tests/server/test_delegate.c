/*
 * test_delegate.c -- an NGO delegate logs in with the NGO's key: a
 * single-use nonce bound to one NGO, a signature under the protocol's
 * signing rule (T = "login", body nonce || STR(origin)) by the enrolled
 * key over this server's origin, then a delegate session that sees its
 * NGO, may not reach the secretariat's routes, and logs out with its
 * CSRF token.
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "encoding.h"
#include "fixture.h"

Suite *delegate_suite(void);

struct world {
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key ka, kb;
};

/* alpha and beta enrolled, gamma not. */
static void
world_start(struct world *w)
{
	test_daemon_start(&w->d);
	fixture_secretariat(&w->d, &w->sec);
	fixture_ngo_create(&w->d, &w->sec, "alpha");
	fixture_ngo_create(&w->d, &w->sec, "beta");
	fixture_ngo_create(&w->d, &w->sec, "gamma");
	fixture_keypair(&w->ka);
	fixture_keypair(&w->kb);
	fixture_enrol_key(&w->d, &w->sec, "alpha", &w->ka);
	fixture_enrol_key(&w->d, &w->sec, "beta", &w->kb);
}

static void
world_stop(struct world *w)
{
	ck_assert_int_eq(test_daemon_stop(&w->d), 0);
	test_daemon_cleanup(&w->d);
}

static void
expect_login_error(struct world *w, const char *ngo_id, const uint8_t nonce[32], const char *sig,
                   int status, const char *name, const char *field)
{
	struct test_http r;
	char set[256];

	fixture_delegate_login_raw(&w->d, ngo_id, nonce, sig, &r);
	fixture_expect_field(&r, status, name, field);
	ck_assert(!test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	test_http_free(&r);
}

static void
expect_nonce_error(struct world *w, const char *ngo_id, int status, const char *name)
{
	char body[256];
	struct test_http r;

	snprintf(body, sizeof(body), "{\"ngo_id\":\"%s\"}", ngo_id);
	fixture_post(&w->d, "/api/delegate/nonce", NULL, body, &r);
	fixture_expect_field(&r, status, name, "ngo_id");
	test_http_free(&r);
}

START_TEST(login_session_and_me)
{
	struct world w;
	struct fixture_who del;
	struct test_http r;
	uint8_t nonce[32];
	char origin[300], sig[129], want_origin[64], set[512], fp[40], body[512];
	json_t *j, *ngo;
	const char *hex;

	world_start(&w);
	snprintf(want_origin, sizeof(want_origin), "http://127.0.0.1:%u", w.d.port);
	fixture_post(&w.d, "/api/delegate/nonce", NULL, "{\"ngo_id\":\"alpha\"}", &r);
	j = fixture_json(&r, 200);
	hex = json_string_value(json_object_get(j, "nonce"));
	ck_assert_ptr_nonnull(hex);
	ck_assert_uint_eq(strlen(hex), 64);
	ck_assert(encoding_hex_decode(hex, 64, nonce, 32));
	ck_assert_str_eq(json_string_value(json_object_get(j, "origin")), want_origin);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(j, "expires_at"))), 20);
	json_decref(j);
	test_http_free(&r);

	fixture_login_sign(w.ka.sk, nonce, want_origin, sig);
	fixture_delegate_login_raw(&w.d, "alpha", nonce, sig, &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "delegate");
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), "alpha");
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(j, "csrf_token"))), 64);
	snprintf(del.csrf, sizeof(del.csrf), "%s",
	         json_string_value(json_object_get(j, "csrf_token")));
	json_decref(j);
	ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	ck_assert_ptr_nonnull(strstr(set, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(set, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(set, "Path=/"));
	ck_assert_int_eq(strncmp(set, "ngo-vote-session=", 17), 0);
	*strchr(set, ';') = '\0';
	snprintf(del.cookie, sizeof(del.cookie), "%.199s", set);
	test_http_free(&r);

	fixture_get(&w.d, "/api/session", &del, &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "delegate");
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(j, "csrf_token")), del.csrf);
	ck_assert_ptr_null(json_object_get(j, "role"));
	json_decref(j);
	test_http_free(&r);

	fixture_get(&w.d, "/api/delegate/me", &del, &r);
	j = fixture_json(&r, 200);
	ngo = json_object_get(j, "ngo");
	fixture_fingerprint(w.ka.pk, fp);
	ck_assert_str_eq(json_string_value(json_object_get(ngo, "id")), "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(ngo, "name_en")), "NGO alpha");
	ck_assert_str_eq(json_string_value(json_object_get(ngo, "name_km")), FIXTURE_KM " alpha");
	ck_assert(json_is_true(json_object_get(ngo, "active")));
	ck_assert_str_eq(json_string_value(json_object_get(ngo, "fingerprint")), fp);
	ck_assert(json_is_array(json_object_get(j, "elections")));
	json_decref(j);
	test_http_free(&r);
	/* the delegate sees only its own NGO */
	fixture_get(&w.d, "/api/delegate/me", NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);

	/* logging in again from the same browser rotates the session */
	{
		struct fixture_who del2;
		char nonce_hex[65];

		fixture_nonce(&w.d, "alpha", nonce, origin);
		fixture_login_sign(w.ka.sk, nonce, origin, sig);
		encoding_hex_encode(nonce, 32, nonce_hex);
		snprintf(body, sizeof(body),
		         "{\"ngo_id\":\"alpha\",\"nonce\":\"%s\",\"signature\":\"%s\"}", nonce_hex,
		         sig);
		/* a public route: the CSRF token is not needed */
		fixture_request(&w.d, "POST", "/api/delegate/login", &del, false,
		                "application/json", NULL, body, strlen(body), &r);
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
		*strchr(set, ';') = '\0';
		snprintf(del2.cookie, sizeof(del2.cookie), "%.199s", set);
		test_http_free(&r);
		ck_assert_str_ne(del2.cookie, del.cookie);
		fixture_get(&w.d, "/api/session", &del, &r);
		test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
		test_http_free(&r);
		fixture_get(&w.d, "/api/session", &del2, &r);
		ck_assert_int_eq(r.status, 200);
		test_http_free(&r);
	}
	world_stop(&w);
}
END_TEST

START_TEST(nonce_single_use_and_bound)
{
	struct world w;
	struct fixture_who del;
	uint8_t nonce[32], unknown[32];
	char origin[300], sig[129], sig_b[129], sql[256], nonce_hex[65];

	world_start(&w);
	/* used once */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.ka.sk, nonce, origin, sig);
	{
		struct test_http r;

		fixture_delegate_login_raw(&w.d, "alpha", nonce, sig, &r);
		ck_assert_int_eq(r.status, 200);
		test_http_free(&r);
	}
	expect_login_error(&w, "alpha", nonce, sig, 400, "NONCE_INVALID", "nonce");

	/* issued for alpha, used for beta with beta's key: refused, and spent */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.kb.sk, nonce, origin, sig_b);
	expect_login_error(&w, "beta", nonce, sig_b, 400, "NONCE_INVALID", "nonce");
	fixture_login_sign(w.ka.sk, nonce, origin, sig);
	expect_login_error(&w, "alpha", nonce, sig, 400, "NONCE_INVALID", "nonce");

	/* never issued */
	randombytes_buf(unknown, sizeof(unknown));
	fixture_login_sign(w.ka.sk, unknown, origin, sig);
	expect_login_error(&w, "alpha", unknown, sig, 400, "NONCE_INVALID", "nonce");
	expect_login_error(&w, "nosuch", unknown, sig, 400, "NONCE_INVALID", "nonce");

	/* expired: a nonce whose time has passed (the lifetime is fixed at
	 * five minutes, so it is written into the store directly) */
	randombytes_buf(unknown, sizeof(unknown));
	encoding_hex_encode(unknown, 32, nonce_hex);
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO login_nonces (nonce, ngo_id, expires_at) VALUES (x'%s', 'alpha', %lld)",
	    nonce_hex, (long long)time(NULL) - 1);
	fixture_db_exec(w.d.db, sql);
	fixture_login_sign(w.ka.sk, unknown, origin, sig);
	expect_login_error(&w, "alpha", unknown, sig, 400, "NONCE_INVALID", "nonce");
	/* the same, still valid, is accepted: the expiry made the difference */
	randombytes_buf(unknown, sizeof(unknown));
	encoding_hex_encode(unknown, 32, nonce_hex);
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO login_nonces (nonce, ngo_id, expires_at) VALUES (x'%s', 'alpha', %lld)",
	    nonce_hex, (long long)time(NULL) + 60);
	fixture_db_exec(w.d.db, sql);
	fixture_login_sign(w.ka.sk, unknown, origin, sig);
	{
		struct test_http r;

		fixture_delegate_login_raw(&w.d, "alpha", unknown, sig, &r);
		ck_assert_int_eq(r.status, 200);
		test_http_free(&r);
	}
	/* a fresh nonce, properly signed, works */
	fixture_delegate_login(&w.d, "beta", &w.kb, &del);
	world_stop(&w);
}
END_TEST

/* Signs m raw (no signing rule) with sk. */
static void
raw_sign(const uint8_t sk[64], const uint8_t *m, size_t len, char sig_hex[129])
{
	uint8_t sig[64];

	ck_assert_int_eq(crypto_sign_detached(sig, NULL, m, len, sk), 0);
	encoding_hex_encode(sig, 64, sig_hex);
}

START_TEST(bad_signatures)
{
	struct world w;
	struct fixture_key other;
	struct test_http r;
	uint8_t nonce[32];
	char origin[300], sig[129], slash[310], json[512], nonce_hex[65];
	struct encoding_buf body;

	world_start(&w);
	fixture_keypair(&other);

	/* another key */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(other.sk, nonce, origin, sig);
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	/* beta's enrolled key, for alpha */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.kb.sk, nonce, origin, sig);
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	/* the right key over another site's origin */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.ka.sk, nonce, "http://evil.example", sig);
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	fixture_nonce(&w.d, "alpha", nonce, origin);
	snprintf(slash, sizeof(slash), "%s/", origin);
	fixture_login_sign(w.ka.sk, nonce, slash, sig);
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	/* the right key, another type in the signing rule */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	encoding_buf_init(&body);
	encoding_buf_append(&body, nonce, 32);
	encoding_buf_str(&body, origin, strlen(origin));
	{
		uint8_t s[64];

		ck_assert(pcrypto_sign(w.ka.sk, "ballot", body.data, body.len, s));
		encoding_hex_encode(s, 64, sig);
	}
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	/* the right key over the bare body, without the signing rule */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	encoding_buf_free(&body);
	encoding_buf_init(&body);
	encoding_buf_append(&body, nonce, 32);
	encoding_buf_str(&body, origin, strlen(origin));
	raw_sign(w.ka.sk, body.data, body.len, sig);
	encoding_buf_free(&body);
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	/* the right key over the nonce alone */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	{
		uint8_t s[64];

		ck_assert(pcrypto_sign(w.ka.sk, "login", nonce, 32, s));
		encoding_hex_encode(s, 64, sig);
	}
	expect_login_error(&w, "alpha", nonce, sig, 401, "LOGIN_SIGNATURE_INVALID", "signature");

	/* a good signature sent cross-site is refused before the handler
	 * runs, so the nonce stays usable */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.ka.sk, nonce, origin, sig);
	encoding_hex_encode(nonce, 32, nonce_hex);
	snprintf(json, sizeof(json), "{\"ngo_id\":\"alpha\",\"nonce\":\"%s\",\"signature\":\"%s\"}",
	         nonce_hex, sig);
	fixture_request(&w.d, "POST", "/api/delegate/login", NULL, false, "application/json",
	                "Origin: http://evil.example\r\n", json, strlen(json), &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	fixture_request(&w.d, "POST", "/api/delegate/login", NULL, false, "application/json",
	                "Sec-Fetch-Site: cross-site\r\n", json, strlen(json), &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	/* malformed signatures */
	{
		char upper[129];

		for (int i = 0; i < 129; i++)
			upper[i] = (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
		expect_login_error(&w, "alpha", nonce, upper, 400, "JSON_BAD_VALUE", "signature");
		upper[126] = '\0';
		expect_login_error(&w, "alpha", nonce, upper, 400, "JSON_BAD_VALUE", "signature");
	}
	fixture_request(&w.d, "POST", "/api/delegate/login", NULL, false, "application/json",
	                "Origin: http://127.0.0.1:0\r\n", json, strlen(json), &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	/* same-origin, with the origin the browser would send */
	{
		char hdr[400];

		snprintf(hdr, sizeof(hdr), "Origin: %s\r\nSec-Fetch-Site: same-origin\r\n", origin);
		fixture_request(&w.d, "POST", "/api/delegate/login", NULL, false,
		                "application/json", hdr, json, strlen(json), &r);
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		test_http_free(&r);
	}
	world_stop(&w);
}
END_TEST

START_TEST(ngo_states)
{
	struct world w;
	struct test_http r;
	uint8_t nonce[32];
	char origin[300], sig[129];

	world_start(&w);
	expect_nonce_error(&w, "nosuch", 404, "NGO_NOT_FOUND");
	expect_nonce_error(&w, "gamma", 409, "NGO_NOT_ENROLLED");
	fixture_post(&w.d, "/api/delegate/nonce", NULL, "{}", &r);
	fixture_expect_field(&r, 400, "JSON_MISSING_FIELD", "ngo_id");
	test_http_free(&r);

	/* a nonce obtained before the NGO was deactivated */
	fixture_nonce(&w.d, "alpha", nonce, origin);
	fixture_login_sign(w.ka.sk, nonce, origin, sig);
	fixture_post(&w.d, "/api/admin/ngos/alpha/deactivate", &w.sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	expect_login_error(&w, "alpha", nonce, sig, 409, "NGO_INACTIVE", "ngo_id");
	expect_nonce_error(&w, "alpha", 409, "NGO_INACTIVE");
	world_stop(&w);
}
END_TEST

START_TEST(delegate_forbidden_and_logout)
{
	struct world w;
	struct fixture_who del, del_b;
	struct test_http r;
	char *before, *after, set[256];
	size_t i;
	static const char *const staff_gets[] = {"/api/admin/ngos", "/api/admin/ngos/export",
	                                         "/api/accounts", "/api/audit-log"};

	world_start(&w);
	fixture_delegate_login(&w.d, "alpha", &w.ka, &del);
	fixture_delegate_login(&w.d, "beta", &w.kb, &del_b);
	before = fixture_db_snapshot(w.d.db);
	for (i = 0; i < sizeof(staff_gets) / sizeof(staff_gets[0]); i++) {
		fixture_get(&w.d, staff_gets[i], &del, &r);
		test_http_expect_error(&r, 403, "FORBIDDEN");
		test_http_free(&r);
	}
	fixture_post(&w.d, "/api/admin/ngos", &del,
	             "{\"id\":\"bydel\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_post(&w.d, "/api/admin/ngos/alpha/enrolment-code", &del, NULL, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_post(&w.d, "/api/admin/ngos/beta/deactivate", &del, NULL, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_put(&w.d, "/api/admin/ngos/alpha", &del,
	            "{\"name_en\":\"Mine now\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_post(&w.d, "/api/accounts", &del,
	             "{\"email\":\"x@example.org\",\"role\":\"auditor\"}", &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);

	/* logout wants this session's own token */
	fixture_request(&w.d, "POST", "/api/logout", &del, false, NULL, NULL, NULL, 0, &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	{
		struct fixture_who mixed = del;

		snprintf(mixed.csrf, sizeof(mixed.csrf), "%s", del_b.csrf);
		fixture_post(&w.d, "/api/logout", &mixed, NULL, &r);
		test_http_expect_error(&r, 403, "CSRF_FAILED");
		test_http_free(&r);
		memset(mixed.csrf, 'a', 64);
		fixture_post(&w.d, "/api/logout", &mixed, NULL, &r);
		test_http_expect_error(&r, 403, "CSRF_FAILED");
		test_http_free(&r);
	}
	after = fixture_db_snapshot(w.d.db);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	fixture_post(&w.d, "/api/logout", &del, NULL, &r);
	ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
	ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	ck_assert_ptr_nonnull(strstr(set, "Max-Age=0"));
	test_http_free(&r);
	fixture_get(&w.d, "/api/session", &del, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	fixture_get(&w.d, "/api/delegate/me", &del, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	/* beta's session is untouched */
	fixture_get(&w.d, "/api/delegate/me", &del_b, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	/* and a staff session may not use the delegate's page */
	fixture_get(&w.d, "/api/delegate/me", &w.sec, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	world_stop(&w);
}
END_TEST

START_TEST(session_ends_when_ngo_deactivated)
{
	struct world w;
	struct fixture_who del;
	struct test_http r;

	world_start(&w);
	fixture_delegate_login(&w.d, "alpha", &w.ka, &del);
	fixture_post(&w.d, "/api/admin/ngos/alpha/deactivate", &w.sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_get(&w.d, "/api/delegate/me", &del, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	/* reactivation does not bring the old session back */
	fixture_post(&w.d, "/api/admin/ngos/alpha/activate", &w.sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_get(&w.d, "/api/delegate/me", &del, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	world_stop(&w);
}
END_TEST

START_TEST(session_ends_when_key_replaced)
{
	/* a key is replaced because the old one may be lost or stolen: the
	 * sessions it opened must end with it */
	struct world w;
	struct fixture_who del;
	struct fixture_key k2;
	struct test_http r;

	world_start(&w);
	fixture_delegate_login(&w.d, "alpha", &w.ka, &del);
	fixture_keypair(&k2);
	fixture_enrol_key(&w.d, &w.sec, "alpha", &k2);
	fixture_get(&w.d, "/api/delegate/me", &del, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	world_stop(&w);
}
END_TEST

Suite *
delegate_suite(void)
{
	Suite *s = suite_create("delegate");
	TCase *tc = tcase_create("delegate");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, login_session_and_me);
	tcase_add_test(tc, nonce_single_use_and_bound);
	tcase_add_test(tc, bad_signatures);
	tcase_add_test(tc, ngo_states);
	tcase_add_test(tc, delegate_forbidden_and_logout);
	tcase_add_test(tc, session_ends_when_ngo_deactivated);
	tcase_add_test(tc, session_ends_when_key_replaced);
	suite_add_tcase(s, tc);
	return s;
}
