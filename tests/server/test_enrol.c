/*
 * test_enrol.c -- enrolment codes and key enrolment over HTTP: a code is
 * shown once and stored hashed; wrong, expired, used, revoked and
 * replaced codes are refused; typing slips are forgiven; a key must be a
 * canonical Ed25519 point of prime order and not used before; the
 * fingerprint is the one the public list shows; re-enrolment replaces
 * the key unless the NGO is on an open election's roll; failed codes are
 * rate-limited per address; and no refused request stores anything.
 */
#include <check.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

Suite *enrol_suite(void);

#define CODE_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* The order-8 point of Ed25519, and encodings that are not keys. */
#define TORSION8  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
#define IDENTITY  "0100000000000000000000000000000000000000000000000000000000000000"
#define ALL_ZERO  "0000000000000000000000000000000000000000000000000000000000000000"
#define Y_EQUAL_P "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"

static void
start_with(struct test_daemon *d, struct fixture_who *sec, const char *const *args)
{
	test_daemon_prepare(d);
	test_daemon_launch(d, args);
	fixture_secretariat(d, sec);
}

static void
stop(struct test_daemon *d)
{
	ck_assert_int_eq(test_daemon_stop(d), 0);
	test_daemon_cleanup(d);
}

static void
check_code(struct test_daemon *d, const char *code, struct test_http *r)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	fixture_post(d, "/api/enrol/check", NULL, body, r);
}

/* /api/enrol/check answers 200 for the NGO. */
static void
expect_check_ok(struct test_daemon *d, const char *code, const char *ngo_id, bool replaces)
{
	struct test_http r;
	json_t *j;

	check_code(d, code, &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), ngo_id);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "name_en")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "name_km")));
	ck_assert(json_is_boolean(json_object_get(j, "replaces_key")));
	ck_assert_int_eq(json_is_true(json_object_get(j, "replaces_key")), replaces);
	json_decref(j);
	test_http_free(&r);
}

static void
expect_check_error(struct test_daemon *d, const char *code, int status, const char *name)
{
	struct test_http r;

	check_code(d, code, &r);
	test_http_expect_error(&r, status, name);
	test_http_free(&r);
}

static void
expect_enrol_error(struct test_daemon *d, const char *code, const char *pk_hex, int status,
                   const char *name, const char *field)
{
	struct test_http r;

	fixture_enrol(d, code, pk_hex, &r);
	fixture_expect_field(&r, status, name, field);
	test_http_free(&r);
}

static void
code_status(struct test_daemon *d, const struct fixture_who *sec, const char *ngo_id,
            const char *want)
{
	json_t *n = fixture_ngo_find(d, "/api/admin/ngos", sec, ngo_id);

	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(json_string_value(json_object_get(n, "code_status")), want);
	json_decref(n);
}

/* The public list and every table, to compare around a refused request. */
struct state {
	char *db;
	char *ngos;
};

static void
state_take(struct test_daemon *d, struct state *s)
{
	struct test_http r;

	s->db = fixture_db_snapshot(d->db);
	fixture_get(d, "/api/ngos", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	s->ngos = strdup(r.body);
	test_http_free(&r);
}

static void
state_expect_same(struct test_daemon *d, struct state *before)
{
	struct state after;

	state_take(d, &after);
	ck_assert_str_eq(after.ngos, before->ngos);
	ck_assert_str_eq(after.db, before->db);
	free(after.db);
	free(after.ngos);
}

static void
state_free(struct state *s)
{
	free(s->db);
	free(s->ngos);
}

/* The canonical form of a displayed code (without dashes). */
static void
canonical(const char *code, char out[25])
{
	size_t n = 0;

	for (const char *p = code; *p != '\0'; p++)
		if (*p != '-')
			out[n++] = *p;
	out[n] = '\0';
}

START_TEST(code_issue_shown_once)
{
	struct test_daemon d;
	struct fixture_who sec, aud;
	struct test_http r;
	char path[128], want_url[128], canon[25], hash_hex[65], sql[256], got[64], *snap;
	uint8_t hash[32];
	const char *code, *expires;
	json_t *j, *audit;
	time_t now;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_auditor(&d, &sec, "aud@example.org", &aud);
	code_status(&d, &sec, "alpha", "none");
	now = time(NULL);
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code", &sec, NULL, &r);
	j = fixture_json(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), "alpha");
	code = json_string_value(json_object_get(j, "code"));
	ck_assert_ptr_nonnull(code);
	/* 24 characters of a 32-letter alphabet (120 bits), in groups of 4 */
	ck_assert_uint_eq(strlen(code), 29);
	for (int i = 0; i < 29; i++) {
		if (i % 5 == 4)
			ck_assert_msg(code[i] == '-', "code %s", code);
		else
			ck_assert_msg(strchr(CODE_ALPHABET, code[i]) != NULL, "code %s", code);
	}
	expires = json_string_value(json_object_get(j, "expires_at"));
	ck_assert_ptr_nonnull(expires);
	ck_assert_uint_eq(strlen(expires), 20);
	ck_assert(expires[4] == '-' && expires[10] == 'T' && expires[19] == 'Z');
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "enrol_url")));
	snprintf(want_url, sizeof(want_url), "%s",
	         json_string_value(json_object_get(j, "enrol_url")));
	ck_assert_uint_gt(strlen(want_url), strlen("http://127.0.0.1:/enroll"));
	ck_assert_int_eq(strncmp(want_url, "http://127.0.0.1:", 17), 0);
	ck_assert_str_eq(want_url + strlen(want_url) - 7, "/enroll");
	canonical(code, canon);
	test_http_free(&r);

	/* the lists show the status, never the code; the default lifetime is 14 days */
	for (int who = 0; who < 2; who++) {
		json_t *n = fixture_ngo_find(&d, "/api/admin/ngos", who ? &aud : &sec, "alpha");

		ck_assert_str_eq(json_string_value(json_object_get(n, "code_status")), "issued");
		ck_assert_int_ge(json_integer_value(json_object_get(n, "code_expires_at")),
		                 (json_int_t)now + 1209600);
		ck_assert_int_le(json_integer_value(json_object_get(n, "code_expires_at")),
		                 (json_int_t)time(NULL) + 1209600);
		json_decref(n);
	}
	fixture_get(&d, "/api/admin/ngos", &sec, &r);
	ck_assert_ptr_null(strstr(r.body, code));
	ck_assert_ptr_null(strstr(r.body, canon));
	test_http_free(&r);
	fixture_get(&d, "/api/ngos", NULL, &r);
	ck_assert_ptr_null(strstr(r.body, canon));
	ck_assert_ptr_null(strstr(r.body, "issued"));
	test_http_free(&r);
	audit = fixture_audit(&d, &sec);
	ck_assert(fixture_audit_has(audit, "enrolment_code.issue", "alpha", NULL));
	json_decref(audit);
	fixture_get(&d, "/api/audit-log", &sec, &r);
	ck_assert_ptr_null(strstr(r.body, canon));
	test_http_free(&r);

	/* stored as SHA-256 of the canonical characters, nowhere in clear */
	crypto_hash_sha256(hash, (const uint8_t *)canon, 24);
	sodium_bin2hex(hash_hex, sizeof(hash_hex), hash, 32);
	snprintf(
	    sql, sizeof(sql),
	    "SELECT count(*) FROM enrolment_codes WHERE code_hash = x'%s' AND ngo_id = 'alpha'",
	    hash_hex);
	fixture_db_text(d.db, sql, got, sizeof(got));
	ck_assert_str_eq(got, "1");
	snap = fixture_db_snapshot(d.db);
	ck_assert_ptr_null(strstr(snap, canon));
	ck_assert_ptr_null(strstr(snap, code));
	free(snap);
	json_decref(j);

	/* unknown NGO, and revoking when nothing is outstanding */
	fixture_post(&d, "/api/admin/ngos/nosuch/enrolment-code", &sec, NULL, &r);
	test_http_expect_error(&r, 404, "NGO_NOT_FOUND");
	test_http_free(&r);
	fixture_post(&d, "/api/admin/ngos/nosuch/enrolment-code/revoke", &sec, NULL, &r);
	test_http_expect_error(&r, 404, "NGO_NOT_FOUND");
	test_http_free(&r);
	fixture_ngo_create(&d, &sec, "beta");
	fixture_post(&d, "/api/admin/ngos/beta/enrolment-code/revoke", &sec, NULL, &r);
	test_http_expect_error(&r, 409, "NO_CODE_OUTSTANDING");
	test_http_free(&r);
	/* the auditor may not issue */
	snprintf(path, sizeof(path), "/api/admin/ngos/%s/enrolment-code", "beta");
	fixture_post(&d, path, &aud, NULL, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	code_status(&d, &sec, "beta", "none");
	stop(&d);
}
END_TEST

START_TEST(enrol_url_names_the_listening_port)
{
	/* started with --port 0, the daemon listens on a port the kernel
	 * chose; the link printed on the letter must name that port */
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;
	char want_url[128];
	json_t *j;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code", &sec, NULL, &r);
	j = fixture_json(&r, 201);
	snprintf(want_url, sizeof(want_url), "http://127.0.0.1:%u/enroll", d.port);
	ck_assert_str_eq(json_string_value(json_object_get(j, "enrol_url")), want_url);
	json_decref(j);
	test_http_free(&r);
	stop(&d);
}
END_TEST

START_TEST(wrong_and_reused_codes)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k, k2;
	struct test_http r;
	struct state before;
	char code[40], wrong[40];
	json_t *j;
	char fp[40];

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_code_issue(&d, &sec, "alpha", code);
	fixture_keypair(&k);
	fixture_keypair(&k2);
	/* a well-formed code that was never issued: change one character */
	snprintf(wrong, sizeof(wrong), "%s", code);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';

	state_take(&d, &before);
	expect_check_error(&d, wrong, 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, wrong, k.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	expect_check_error(&d, "not a code", 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, "", k.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	state_expect_same(&d, &before);
	state_free(&before);

	expect_check_ok(&d, code, "alpha", false);
	/* checking does not use the code up */
	expect_check_ok(&d, code, "alpha", false);
	code_status(&d, &sec, "alpha", "issued");
	fixture_enrol(&d, code, k.pk_hex, &r);
	j = fixture_json(&r, 201);
	fixture_fingerprint(k.pk, fp);
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(j, "fingerprint")), fp);
	json_decref(j);
	test_http_free(&r);
	code_status(&d, &sec, "alpha", "used");

	/* used: refused, with any key */
	state_take(&d, &before);
	expect_check_error(&d, code, 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, code, k2.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	state_expect_same(&d, &before);
	state_free(&before);
	stop(&d);
}
END_TEST

START_TEST(revoked_and_reissued_codes)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	struct state before;
	char code1[40], code2[40], code3[40];
	json_t *audit;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);

	fixture_code_issue(&d, &sec, "alpha", code1);
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code/revoke", &sec, NULL, &r);
	ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
	test_http_free(&r);
	code_status(&d, &sec, "alpha", "revoked");
	state_take(&d, &before);
	expect_check_error(&d, code1, 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, code1, k.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code/revoke", &sec, NULL, &r);
	test_http_expect_error(&r, 409, "NO_CODE_OUTSTANDING");
	test_http_free(&r);
	state_expect_same(&d, &before);
	state_free(&before);

	/* reissuing revokes the outstanding code */
	fixture_code_issue(&d, &sec, "alpha", code2);
	fixture_code_issue(&d, &sec, "alpha", code3);
	ck_assert_str_ne(code2, code3);
	code_status(&d, &sec, "alpha", "issued");
	expect_check_error(&d, code2, 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, code2, k.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	expect_check_ok(&d, code3, "alpha", false);
	fixture_enrol(&d, code3, k.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);

	audit = fixture_audit(&d, &sec);
	ck_assert(fixture_audit_has(audit, "enrolment_code.revoke", "alpha", NULL));
	ck_assert(fixture_audit_has(audit, "enrolment_code.issue", "alpha", NULL));
	json_decref(audit);
	stop(&d);
}
END_TEST

START_TEST(expired_code)
{
	const char *args[] = {"--enrol-code-ttl", "1", NULL};
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	struct state before;
	char code[40], code2[40];

	start_with(&d, &sec, args);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);
	fixture_code_issue(&d, &sec, "alpha", code);
	sleep(2);
	code_status(&d, &sec, "alpha", "expired");
	state_take(&d, &before);
	expect_check_error(&d, code, 400, "ENROL_CODE_INVALID");
	expect_enrol_error(&d, code, k.pk_hex, 400, "ENROL_CODE_INVALID", "code");
	/* an expired code is no longer outstanding */
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code/revoke", &sec, NULL, &r);
	test_http_expect_error(&r, 409, "NO_CODE_OUTSTANDING");
	test_http_free(&r);
	state_expect_same(&d, &before);
	state_free(&before);
	/* a new code works while it lives */
	fixture_code_issue(&d, &sec, "alpha", code2);
	fixture_enrol(&d, code2, k.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	stop(&d);
}
END_TEST

static void
replace_chars(char *s, char from, char to)
{
	for (; *s != '\0'; s++)
		if (*s == from)
			*s = to;
}

START_TEST(code_normalisation)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	char code[40], v[80], canon[25];
	int tries = 0;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);
	/* reissue until the code has a 0 and a 1 to spell as O and I/L */
	do {
		fixture_code_issue(&d, &sec, "alpha", code);
		ck_assert_int_lt(++tries, 200);
	} while (strchr(code, '0') == NULL || strchr(code, '1') == NULL);
	canonical(code, canon);

	expect_check_ok(&d, code, "alpha", false);
	for (size_t i = 0; i < strlen(code); i++)
		v[i] = (char)tolower((unsigned char)code[i]);
	v[strlen(code)] = '\0';
	expect_check_ok(&d, v, "alpha", false);
	snprintf(v, sizeof(v), "%s", code);
	replace_chars(v, '-', ' ');
	expect_check_ok(&d, v, "alpha", false);
	expect_check_ok(&d, canon, "alpha", false);
	snprintf(v, sizeof(v), "  %.4s %.4s-%.4s %.12s  ", canon, canon + 4, canon + 8, canon + 12);
	expect_check_ok(&d, v, "alpha", false);
	snprintf(v, sizeof(v), "%s", code);
	replace_chars(v, '0', 'O');
	replace_chars(v, '1', 'I');
	expect_check_ok(&d, v, "alpha", false);
	snprintf(v, sizeof(v), "%s", canon);
	replace_chars(v, '0', 'o');
	replace_chars(v, '1', 'l');
	expect_check_ok(&d, v, "alpha", false);
	snprintf(v, sizeof(v), "%s", code);
	replace_chars(v, '1', 'L');
	replace_chars(v, '0', 'o');
	expect_check_ok(&d, v, "alpha", false);

	/* not forgiven: a letter outside the alphabet, one too few or too many */
	snprintf(v, sizeof(v), "%s", code);
	v[0] = 'U';
	expect_check_error(&d, v, 400, "ENROL_CODE_INVALID");
	snprintf(v, sizeof(v), "%.23s", canon);
	expect_check_error(&d, v, 400, "ENROL_CODE_INVALID");
	snprintf(v, sizeof(v), "%sA", canon);
	expect_check_error(&d, v, 400, "ENROL_CODE_INVALID");
	snprintf(v, sizeof(v), "%s", code);
	replace_chars(v, '-', '_');
	expect_check_error(&d, v, 400, "ENROL_CODE_INVALID");
	code_status(&d, &sec, "alpha", "issued");

	/* and the enrolment itself takes a sloppy spelling */
	snprintf(v, sizeof(v), "%s", canon);
	replace_chars(v, '0', 'o');
	replace_chars(v, '1', 'i');
	fixture_enrol(&d, v, k.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	code_status(&d, &sec, "alpha", "used");
	stop(&d);
}
END_TEST

START_TEST(enrol_and_fingerprint)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	char code[40], fp[40];
	json_t *j, *n, *audit;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_ngo_create(&d, &sec, "beta");
	fixture_keypair(&k);
	fixture_fingerprint(k.pk, fp);
	ck_assert_uint_eq(strlen(fp), 39);
	fixture_code_issue(&d, &sec, "alpha", code);
	fixture_enrol(&d, code, k.pk_hex, &r);
	j = fixture_json(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "ngo_id")), "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(j, "fingerprint")), fp);
	json_decref(j);
	test_http_free(&r);

	n = fixture_ngo_find(&d, "/api/ngos", NULL, "alpha");
	ck_assert(json_is_true(json_object_get(n, "enrolled")));
	ck_assert_str_eq(json_string_value(json_object_get(n, "fingerprint")), fp);
	json_decref(n);
	n = fixture_ngo_find(&d, "/api/ngos", NULL, "beta");
	ck_assert(json_is_false(json_object_get(n, "enrolled")));
	ck_assert(json_is_null(json_object_get(n, "fingerprint")));
	json_decref(n);
	n = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(n, "public_key")), k.pk_hex);
	ck_assert_str_eq(json_string_value(json_object_get(n, "fingerprint")), fp);
	ck_assert_str_eq(json_string_value(json_object_get(n, "code_status")), "used");
	json_decref(n);
	audit = fixture_audit(&d, &sec);
	ck_assert(fixture_audit_has(audit, "ngo.key_enrol", "alpha", fp));
	ck_assert(!fixture_audit_has(audit, "ngo.key_replace", NULL, NULL));
	json_decref(audit);
	stop(&d);
}
END_TEST

START_TEST(invalid_keys)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	struct state before;
	uint8_t torsion[32], mixed[32];
	char code[40], mixed_hex[65], upper[65], body[256];
	const char *bad_points[] = {IDENTITY, ALL_ZERO, TORSION8, Y_EQUAL_P, mixed_hex};

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);
	fixture_code_issue(&d, &sec, "alpha", code);
	/* a valid key plus the order-8 point: on the curve, not in the
	 * prime-order subgroup */
	ck_assert_int_eq(sodium_hex2bin(torsion, 32, TORSION8, 64, NULL, NULL, NULL), 0);
	ck_assert_int_eq(crypto_core_ed25519_add(mixed, k.pk, torsion), 0);
	ck_assert_int_eq(crypto_core_ed25519_is_valid_point(mixed), 0);
	sodium_bin2hex(mixed_hex, sizeof(mixed_hex), mixed, 32);

	state_take(&d, &before);
	for (size_t i = 0; i < sizeof(bad_points) / sizeof(bad_points[0]); i++)
		expect_enrol_error(&d, code, bad_points[i], 400, "KEY_INVALID", "public_key");
	/* not 32 bytes of lowercase hex */
	snprintf(body, sizeof(body), "%.62s", k.pk_hex);
	expect_enrol_error(&d, code, body, 400, "JSON_BAD_VALUE", "public_key");
	snprintf(body, sizeof(body), "%s00", k.pk_hex);
	expect_enrol_error(&d, code, body, 400, "JSON_BAD_VALUE", "public_key");
	snprintf(body, sizeof(body), "%.63s", k.pk_hex);
	expect_enrol_error(&d, code, body, 400, "JSON_BAD_VALUE", "public_key");
	for (int i = 0; i < 65; i++)
		upper[i] = (char)toupper((unsigned char)k.pk_hex[i]);
	ck_assert_str_ne(upper, k.pk_hex);
	expect_enrol_error(&d, code, upper, 400, "JSON_BAD_VALUE", "public_key");
	snprintf(body, sizeof(body), "g%.63s", k.pk_hex + 1);
	expect_enrol_error(&d, code, body, 400, "JSON_BAD_VALUE", "public_key");
	snprintf(body, sizeof(body), "{\"code\":\"%s\",\"public_key\":42}", code);
	fixture_post(&d, "/api/enrol", NULL, body, &r);
	fixture_expect_field(&r, 400, "JSON_WRONG_TYPE", "public_key");
	test_http_free(&r);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	fixture_post(&d, "/api/enrol", NULL, body, &r);
	fixture_expect_field(&r, 400, "JSON_MISSING_FIELD", "public_key");
	test_http_free(&r);
	state_expect_same(&d, &before);
	state_free(&before);
	code_status(&d, &sec, "alpha", "issued");

	/* the code survived every refusal */
	fixture_enrol(&d, code, k.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	stop(&d);
}
END_TEST

START_TEST(key_in_use)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key ka, ka2, kb;
	struct state before;
	char code_b[40], code_a[40];
	struct test_http r;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_ngo_create(&d, &sec, "beta");
	fixture_keypair(&ka);
	fixture_keypair(&ka2);
	fixture_keypair(&kb);
	fixture_enrol_key(&d, &sec, "alpha", &ka);

	/* beta may not take alpha's key */
	fixture_code_issue(&d, &sec, "beta", code_b);
	state_take(&d, &before);
	expect_enrol_error(&d, code_b, ka.pk_hex, 409, "KEY_IN_USE", "public_key");
	state_expect_same(&d, &before);
	state_free(&before);
	code_status(&d, &sec, "beta", "issued");
	/* nor may alpha enrol its current key again */
	fixture_code_issue(&d, &sec, "alpha", code_a);
	state_take(&d, &before);
	expect_enrol_error(&d, code_a, ka.pk_hex, 409, "KEY_IN_USE", "public_key");
	state_expect_same(&d, &before);
	state_free(&before);
	/* alpha moves to a new key; the revoked one stays taken */
	fixture_enrol(&d, code_a, ka2.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	state_take(&d, &before);
	expect_enrol_error(&d, code_b, ka.pk_hex, 409, "KEY_IN_USE", "public_key");
	expect_enrol_error(&d, code_b, ka2.pk_hex, 409, "KEY_IN_USE", "public_key");
	state_expect_same(&d, &before);
	state_free(&before);
	fixture_enrol(&d, code_b, kb.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	stop(&d);
}
END_TEST

START_TEST(reenrol_replaces_key)
{
	struct test_daemon d;
	struct fixture_who sec, del;
	struct fixture_key k1, k2;
	struct test_http r;
	char code[40], fp1[40], fp2[40], sql[256], got[64], sig[129], origin[300];
	uint8_t nonce[32];
	json_t *n, *audit;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k1);
	fixture_keypair(&k2);
	fixture_fingerprint(k1.pk, fp1);
	fixture_fingerprint(k2.pk, fp2);
	fixture_enrol_key(&d, &sec, "alpha", &k1);
	fixture_delegate_login(&d, "alpha", &k1, &del);

	fixture_code_issue(&d, &sec, "alpha", code);
	expect_check_ok(&d, code, "alpha", true);
	fixture_enrol(&d, code, k2.pk_hex, &r);
	n = fixture_json(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(n, "fingerprint")), fp2);
	json_decref(n);
	test_http_free(&r);
	n = fixture_ngo_find(&d, "/api/ngos", NULL, "alpha");
	ck_assert_str_eq(json_string_value(json_object_get(n, "fingerprint")), fp2);
	json_decref(n);

	audit = fixture_audit(&d, &sec);
	ck_assert(fixture_audit_has(audit, "ngo.key_enrol", "alpha", fp1));
	ck_assert(fixture_audit_has(audit, "ngo.key_replace", "alpha", fp2));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(audit, 0), "action")),
	                 "ngo.key_replace");
	json_decref(audit);
	/* the old key is kept, revoked, with the time */
	snprintf(sql, sizeof(sql), "SELECT revoked_at FROM ngo_keys WHERE public_key = x'%s'",
	         k1.pk_hex);
	fixture_db_text(d.db, sql, got, sizeof(got));
	ck_assert_uint_eq(strlen(got), 20);
	ck_assert(got[10] == 'T' && got[19] == 'Z');
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM ngo_keys WHERE public_key = x'%s' AND revoked_at IS NULL",
	         k2.pk_hex);
	fixture_db_text(d.db, sql, got, sizeof(got));
	ck_assert_str_eq(got, "1");
	fixture_db_text(d.db, "SELECT count(*) FROM ngo_keys WHERE ngo_id = 'alpha'", got,
	                sizeof(got));
	ck_assert_str_eq(got, "2");

	/* the old key no longer logs in; the new one does */
	fixture_nonce(&d, "alpha", nonce, origin);
	fixture_login_sign(k1.sk, nonce, origin, sig);
	fixture_delegate_login_raw(&d, "alpha", nonce, sig, &r);
	fixture_expect_field(&r, 401, "LOGIN_SIGNATURE_INVALID", "signature");
	test_http_free(&r);
	fixture_delegate_login(&d, "alpha", &k2, &del);
	fixture_get(&d, "/api/delegate/me", &del, &r);
	n = fixture_json(&r, 200);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(n, "ngo"), "fingerprint")), fp2);
	json_decref(n);
	test_http_free(&r);
	stop(&d);
}
END_TEST

START_TEST(reenrol_refused_on_open_roll)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k1, k2;
	struct test_http r;
	struct state before;
	char code[40], sql[512];

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k1);
	fixture_keypair(&k2);
	fixture_enrol_key(&d, &sec, "alpha", &k1);
	/* Elections are set up by writing the store directly (the daemon
	 * runs in WAL mode, so this is safe while it runs): an open
	 * election with alpha on its roll under its current key. */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO elections (id, status) VALUES ('e1', 'open');"
	         "INSERT INTO election_roll (election_id, ngo_id, public_key)"
	         " VALUES ('e1', 'alpha', x'%s');",
	         k1.pk_hex);
	fixture_db_exec(d.db, sql);

	fixture_code_issue(&d, &sec, "alpha", code);
	state_take(&d, &before);
	expect_check_error(&d, code, 409, "ENROL_NOT_ALLOWED");
	expect_enrol_error(&d, code, k2.pk_hex, 409, "ENROL_NOT_ALLOWED", NULL);
	state_expect_same(&d, &before);
	state_free(&before);
	code_status(&d, &sec, "alpha", "issued");

	/* a draft election's roll does not hold the key */
	fixture_db_exec(d.db, "UPDATE elections SET status = 'draft' WHERE id = 'e1'");
	expect_check_ok(&d, code, "alpha", true);
	/* nor does a closed one: the same code now works */
	fixture_db_exec(d.db, "UPDATE elections SET status = 'closed' WHERE id = 'e1'");
	fixture_enrol(&d, code, k2.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	stop(&d);
}
END_TEST

START_TEST(wrong_codes_rate_limited)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	struct state before;
	char code[40], wrong[40], retry[16];
	int i;

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);
	fixture_code_issue(&d, &sec, "alpha", code);
	snprintf(wrong, sizeof(wrong), "%s", code);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';

	/* ten failures from this address, half on each endpoint; right codes
	 * in between do not count */
	for (i = 0; i < 5; i++)
		expect_check_error(&d, wrong, 400, "ENROL_CODE_INVALID");
	expect_check_ok(&d, code, "alpha", false);
	expect_check_ok(&d, code, "alpha", false);
	for (i = 0; i < 5; i++)
		expect_enrol_error(&d, wrong, k.pk_hex, 400, "ENROL_CODE_INVALID", "code");

	/* now even the right code waits */
	state_take(&d, &before);
	check_code(&d, code, &r);
	test_http_expect_error(&r, 429, "RATE_LIMITED");
	ck_assert(test_http_header(&r, "Retry-After", retry, sizeof(retry)));
	ck_assert_int_gt(atoi(retry), 0);
	ck_assert_int_le(atoi(retry), 900);
	test_http_free(&r);
	fixture_enrol(&d, code, k.pk_hex, &r);
	test_http_expect_error(&r, 429, "RATE_LIMITED");
	ck_assert(test_http_header(&r, "Retry-After", retry, sizeof(retry)));
	ck_assert_int_gt(atoi(retry), 0);
	test_http_free(&r);
	state_expect_same(&d, &before);
	state_free(&before);
	code_status(&d, &sec, "alpha", "issued");
	stop(&d);
}
END_TEST

START_TEST(inactive_ngo)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key k;
	struct test_http r;
	struct state before;
	char code[40];

	start_with(&d, &sec, NULL);
	fixture_ngo_create(&d, &sec, "alpha");
	fixture_keypair(&k);
	fixture_code_issue(&d, &sec, "alpha", code);
	fixture_post(&d, "/api/admin/ngos/alpha/deactivate", &sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);

	state_take(&d, &before);
	expect_check_error(&d, code, 409, "NGO_INACTIVE");
	expect_enrol_error(&d, code, k.pk_hex, 409, "NGO_INACTIVE", NULL);
	fixture_post(&d, "/api/admin/ngos/alpha/enrolment-code", &sec, NULL, &r);
	test_http_expect_error(&r, 409, "NGO_INACTIVE");
	test_http_free(&r);
	state_expect_same(&d, &before);
	state_free(&before);

	/* reactivated, the outstanding code works */
	fixture_post(&d, "/api/admin/ngos/alpha/activate", &sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_enrol(&d, code, k.pk_hex, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	stop(&d);
}
END_TEST

Suite *
enrol_suite(void)
{
	Suite *s = suite_create("enrol");
	TCase *tc = tcase_create("enrol");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, code_issue_shown_once);
	tcase_add_test(tc, enrol_url_names_the_listening_port);
	tcase_add_test(tc, wrong_and_reused_codes);
	tcase_add_test(tc, revoked_and_reissued_codes);
	tcase_add_test(tc, expired_code);
	tcase_add_test(tc, code_normalisation);
	tcase_add_test(tc, enrol_and_fingerprint);
	tcase_add_test(tc, invalid_keys);
	tcase_add_test(tc, key_in_use);
	tcase_add_test(tc, reenrol_replaces_key);
	tcase_add_test(tc, reenrol_refused_on_open_roll);
	tcase_add_test(tc, wrong_codes_rate_limited);
	tcase_add_test(tc, inactive_ngo);
	suite_add_tcase(s, tc);
	return s;
}
