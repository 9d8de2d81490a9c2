/*
 * test_registry.c -- the NGO registry over HTTP: create with field
 * validation (slug ids, Khmer script, email and phone), edit, deactivate
 * and activate, the public list (public fields only) and the staff list,
 * CSV import (all or nothing, with a report naming each bad row and
 * field) and export, and the audit entries every change leaves.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

Suite *registry_suite(void);

#define KM_ALPHA "មិត្តសំឡាញ់"
#define KM_BETA  "អង្គការបេតា"

#define FULL_NGO                                                                                                                                 \
	"{\"id\":\"cchr\",\"name_en\":\"Cambodian Center for Human Rights\","                                                                    \
	"\"name_km\":\"មជ្ឈមណ្ឌលសិទ្ធិមនុស្សកម្ពុជា\",\"registration_no\":\"MOI-1234\"," \
	"\"contact_name\":\"Sok Dara\",\"phone\":\"+855 12 345 678\","                                                                           \
	"\"email\":\"info@cchr.example\",\"province\":\"Phnom Penh\"}"

#define CSV_HEADER_LINE "id,name_en,name_km,registration_no,contact_name,phone,email,province"

static void
start(struct test_daemon *d, struct fixture_who *sec)
{
	test_daemon_start(d);
	fixture_secretariat(d, sec);
}

static void
stop(struct test_daemon *d)
{
	ck_assert_int_eq(test_daemon_stop(d), 0);
	test_daemon_cleanup(d);
}

static void
expect_str(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	ck_assert_str_eq(json_string_value(v), want);
}

/* Creates an NGO from a JSON body and expects a field error. */
static void
create_expect(struct test_daemon *d, const struct fixture_who *sec, const char *json, int status,
              const char *name, const char *field)
{
	struct test_http r;

	fixture_post(d, "/api/admin/ngos", sec, json, &r);
	fixture_expect_field(&r, status, name, field);
	test_http_free(&r);
}

static size_t
audit_count(struct test_daemon *d, const struct fixture_who *who)
{
	json_t *e = fixture_audit(d, who);
	size_t n = json_array_size(e);

	json_decref(e);
	return n;
}

START_TEST(create_and_validate)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;
	json_t *j;
	char body[1024], id65[66], id64[65];

	start(&d, &sec);
	fixture_post(&d, "/api/admin/ngos", &sec, FULL_NGO, &r);
	j = fixture_json(&r, 201);
	expect_str(j, "id", "cchr");
	expect_str(j, "name_en", "Cambodian Center for Human Rights");
	expect_str(j, "name_km", "មជ្ឈមណ្ឌលសិទ្ធិមនុស្សកម្ពុជា");
	expect_str(j, "registration_no", "MOI-1234");
	expect_str(j, "contact_name", "Sok Dara");
	expect_str(j, "phone", "+855 12 345 678");
	expect_str(j, "email", "info@cchr.example");
	expect_str(j, "province", "Phnom Penh");
	expect_str(j, "code_status", "none");
	ck_assert(json_is_true(json_object_get(j, "active")));
	ck_assert(json_is_false(json_object_get(j, "enrolled")));
	ck_assert(json_is_null(json_object_get(j, "fingerprint")));
	ck_assert(json_is_null(json_object_get(j, "public_key")));
	json_decref(j);
	test_http_free(&r);

	/* the optional fields may be left out */
	fixture_post(&d, "/api/admin/ngos", &sec,
	             "{\"id\":\"min_1-x\",\"name_en\":\"Minimal\",\"name_km\":\"" FIXTURE_KM "\"}",
	             &r);
	j = fixture_json(&r, 201);
	expect_str(j, "phone", "");
	expect_str(j, "email", "");
	json_decref(j);
	test_http_free(&r);

	/* id slugs: 1-64 of [a-z0-9_-] */
	memset(id64, 'a', 64);
	id64[64] = '\0';
	memset(id65, 'b', 65);
	id65[65] = '\0';
	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"name_en\":\"Long\",\"name_km\":\"" FIXTURE_KM "\"}", id64);
	fixture_post(&d, "/api/admin/ngos", &sec, body, &r);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	test_http_free(&r);
	{
		const char *bad_ids[] = {"", "CCHR", "ngo 1", "ngo.1", "ngo/1", "ñgo", "ngo!"};

		for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
			snprintf(body, sizeof(body),
			         "{\"id\":\"%s\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}",
			         bad_ids[i]);
			create_expect(&d, &sec, body, 400, "NGO_FIELD_INVALID", "id");
		}
	}
	/* over 64 bytes is refused by the JSON intake already */
	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", id65);
	create_expect(&d, &sec, body, 400, "JSON_BAD_VALUE", "id");
	/* the Khmer name must contain Khmer script */
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"Khmer Name\"}", 400,
	              "NGO_FIELD_INVALID", "name_km");
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"\"}", 400,
	              "NGO_FIELD_INVALID", "name_km");
	/* Thai is not Khmer */
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"องค์กร\"}", 400,
	              "NGO_FIELD_INVALID", "name_km");
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_en\":\"  \",\"name_km\":\"" FIXTURE_KM "\"}",
	              400, "NGO_FIELD_INVALID", "name_en");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"a\\u0007b\",\"name_km\":\"" FIXTURE_KM "\"}",
	              400, "NGO_FIELD_INVALID", "name_en");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM
	              "\",\"email\":\"not-an-email\"}",
	              400, "NGO_FIELD_INVALID", "email");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM
	              "\",\"email\":\"a@b@example.org\"}",
	              400, "NGO_FIELD_INVALID", "email");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM
	              "\",\"phone\":\"012 abc 345\"}",
	              400, "NGO_FIELD_INVALID", "phone");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM
	              "\",\"phone\":\"12345\"}",
	              400, "NGO_FIELD_INVALID", "phone");
	create_expect(&d, &sec,
	              "{\"id\":\"x1\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM
	              "\",\"website\":\"https://x.example\"}",
	              400, "JSON_UNKNOWN_FIELD", "website");
	create_expect(&d, &sec, "{\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", 400,
	              "JSON_MISSING_FIELD", "id");
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_km\":\"" FIXTURE_KM "\"}", 400,
	              "JSON_MISSING_FIELD", "name_en");
	create_expect(&d, &sec, "{\"id\":\"x1\",\"name_en\":7,\"name_km\":\"" FIXTURE_KM "\"}", 400,
	              "JSON_WRONG_TYPE", "name_en");
	/* the same id twice */
	create_expect(&d, &sec, FULL_NGO, 409, "NGO_EXISTS", "id");
	/* none of the refused bodies was stored */
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 3);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "cchr");
	expect_str(j, "name_en", "Cambodian Center for Human Rights");
	json_decref(j);
	stop(&d);
}
END_TEST

START_TEST(edit_deactivate_activate)
{
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;
	json_t *j;

	start(&d, &sec);
	fixture_post(&d, "/api/admin/ngos", &sec, FULL_NGO, &r);
	ck_assert_int_eq(r.status, 201);
	test_http_free(&r);

	fixture_put(&d, "/api/admin/ngos/cchr", &sec,
	            "{\"name_en\":\"CCHR\",\"name_km\":\"" FIXTURE_KM
	            "\",\"registration_no\":\"MOI-9\",\"contact_name\":\"Chan Sophea\","
	            "\"email\":\"new@cchr.example\",\"province\":\"Kampot\"}",
	            &r);
	j = fixture_json(&r, 200);
	expect_str(j, "id", "cchr");
	expect_str(j, "name_en", "CCHR");
	expect_str(j, "name_km", FIXTURE_KM);
	expect_str(j, "registration_no", "MOI-9");
	expect_str(j, "contact_name", "Chan Sophea");
	expect_str(j, "email", "new@cchr.example");
	expect_str(j, "province", "Kampot");
	/* PUT replaces the entry: a field left out is emptied */
	expect_str(j, "phone", "");
	json_decref(j);
	test_http_free(&r);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "cchr");
	ck_assert_ptr_nonnull(j);
	expect_str(j, "name_en", "CCHR");
	expect_str(j, "email", "new@cchr.example");
	json_decref(j);

	/* unknown id, id in the body, invalid fields: nothing changes */
	fixture_put(&d, "/api/admin/ngos/nosuch", &sec,
	            "{\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	test_http_expect_error(&r, 404, "NGO_NOT_FOUND");
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/cchr", &sec,
	            "{\"id\":\"other\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	fixture_expect_field(&r, 400, "JSON_UNKNOWN_FIELD", "id");
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/cchr", &sec,
	            "{\"id\":\"cchr\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	fixture_expect_field(&r, 400, "JSON_UNKNOWN_FIELD", "id");
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/cchr", &sec, "{\"name_en\":\"X\",\"name_km\":\"Latin\"}",
	            &r);
	fixture_expect_field(&r, 400, "NGO_FIELD_INVALID", "name_km");
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/cchr", &sec,
	            "{\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\",\"phone\":\"call me\"}", &r);
	fixture_expect_field(&r, 400, "NGO_FIELD_INVALID", "phone");
	test_http_free(&r);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "cchr");
	expect_str(j, "name_en", "CCHR");
	ck_assert_ptr_null(fixture_ngo_find(&d, "/api/admin/ngos", &sec, "other"));
	json_decref(j);

	/* deactivate, then activate */
	fixture_post(&d, "/api/admin/ngos/cchr/deactivate", &sec, NULL, &r);
	j = fixture_json(&r, 200);
	ck_assert(json_is_false(json_object_get(j, "active")));
	json_decref(j);
	test_http_free(&r);
	j = fixture_ngo_find(&d, "/api/ngos", NULL, "cchr");
	ck_assert(json_is_false(json_object_get(j, "active")));
	json_decref(j);
	fixture_post(&d, "/api/admin/ngos/cchr/activate", &sec, NULL, &r);
	j = fixture_json(&r, 200);
	ck_assert(json_is_true(json_object_get(j, "active")));
	json_decref(j);
	test_http_free(&r);
	j = fixture_ngo_find(&d, "/api/ngos", NULL, "cchr");
	ck_assert(json_is_true(json_object_get(j, "active")));
	json_decref(j);
	fixture_post(&d, "/api/admin/ngos/nosuch/deactivate", &sec, NULL, &r);
	test_http_expect_error(&r, 404, "NGO_NOT_FOUND");
	test_http_free(&r);
	fixture_post(&d, "/api/admin/ngos/nosuch/activate", &sec, NULL, &r);
	test_http_expect_error(&r, 404, "NGO_NOT_FOUND");
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 1);
	stop(&d);
}
END_TEST

START_TEST(public_and_staff_lists)
{
	struct test_daemon d;
	struct fixture_who sec, aud;
	struct test_http r;
	json_t *j, *ngos, *n;
	size_t i;
	static const char *const public_keys[] = {"id",     "name_en",  "name_km",
	                                          "active", "enrolled", "fingerprint"};

	start(&d, &sec);
	fixture_post(&d, "/api/admin/ngos", &sec, FULL_NGO, &r);
	ck_assert_int_eq(r.status, 201);
	test_http_free(&r);
	fixture_ngo_create(&d, &sec, "second");
	fixture_auditor(&d, &sec, "aud@example.org", &aud);

	fixture_get(&d, "/api/ngos", NULL, &r);
	j = fixture_json(&r, 200);
	ck_assert_uint_eq(json_object_size(j), 1);
	ngos = json_object_get(j, "ngos");
	ck_assert_uint_eq(json_array_size(ngos), 2);
	json_array_foreach(ngos, i, n)
	{
		ck_assert_uint_eq(json_object_size(n), 6);
		for (size_t k = 0; k < 6; k++)
			ck_assert_msg(json_object_get(n, public_keys[k]) != NULL, "no %s",
			              public_keys[k]);
	}
	/* sorted by id */
	expect_str(json_array_get(ngos, 0), "id", "cchr");
	expect_str(json_array_get(ngos, 1), "id", "second");
	expect_str(json_array_get(ngos, 0), "name_km", "មជ្ឈមណ្ឌលសិទ្ធិមនុស្សកម្ពុជា");
	json_decref(j);
	/* no contact detail anywhere in the answer */
	ck_assert_ptr_null(strstr(r.body, "info@cchr.example"));
	ck_assert_ptr_null(strstr(r.body, "345 678"));
	ck_assert_ptr_null(strstr(r.body, "Sok Dara"));
	ck_assert_ptr_null(strstr(r.body, "MOI-1234"));
	ck_assert_ptr_null(strstr(r.body, "Phnom Penh"));
	test_http_free(&r);

	/* staff see everything: the secretariat and the auditor alike */
	for (int who = 0; who < 2; who++) {
		j = fixture_ngo_find(&d, "/api/admin/ngos", who ? &aud : &sec, "cchr");
		ck_assert_ptr_nonnull(j);
		expect_str(j, "email", "info@cchr.example");
		expect_str(j, "phone", "+855 12 345 678");
		expect_str(j, "contact_name", "Sok Dara");
		expect_str(j, "registration_no", "MOI-1234");
		expect_str(j, "province", "Phnom Penh");
		expect_str(j, "code_status", "none");
		json_decref(j);
	}
	ck_assert_uint_eq(fixture_ngo_count(&d, &aud), 2);
	/* but the auditor changes nothing */
	fixture_post(&d, "/api/admin/ngos", &aud,
	             "{\"id\":\"byaud\",\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_get(&d, "/api/admin/ngos", NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 2);
	stop(&d);
}
END_TEST

/* POSTs a CSV body with a content type (NULL: none). */
static void
import(struct test_daemon *d, const struct fixture_who *sec, const char *csv, size_t len,
       const char *ctype, struct test_http *r)
{
	fixture_request(d, "POST", "/api/admin/ngos/import", sec, true, ctype, NULL, csv, len, r);
}

static void
import_csv(struct test_daemon *d, const struct fixture_who *sec, const char *csv,
           struct test_http *r)
{
	import(d, sec, csv, strlen(csv), "text/csv", r);
}

struct row_error {
	int row;
	const char *field; /* NULL: no field */
	const char *error;
};

/* Asserts a 422 CSV_INVALID whose report is exactly these rows. */
static void
expect_report(const struct test_http *r, const struct row_error *want, size_t n)
{
	json_t *j, *errors;

	test_http_expect_error(r, 422, "CSV_INVALID");
	j = test_http_json(r);
	errors = json_object_get(j, "errors");
	ck_assert_msg(json_array_size(errors) == n, "expected %zu row errors: %s", n, r->body);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(errors, i), *f = json_object_get(e, "field");

		ck_assert_msg(json_integer_value(json_object_get(e, "row")) == want[i].row,
		              "error %zu: expected row %d: %s", i, want[i].row, r->body);
		if (want[i].field == NULL)
			ck_assert_msg(f == NULL || json_is_null(f), "error %zu: field: %s", i,
			              r->body);
		else
			ck_assert_msg(
			    json_is_string(f) && strcmp(json_string_value(f), want[i].field) == 0,
			    "error %zu: expected field %s: %s", i, want[i].field, r->body);
		expect_str(e, "error", want[i].error);
		ck_assert(json_is_string(json_object_get(e, "message")));
		ck_assert_uint_gt(json_string_length(json_object_get(e, "message")), 0);
	}
	json_decref(j);
}

START_TEST(csv_import_success)
{
	static const char csv[] =
	    "\xef\xbb\xbf" CSV_HEADER_LINE "\r\n"
	    "alpha,\"Friends, \"\"Mith Samlanh\"\"\"," KM_ALPHA ",MOI-001,\"Sok, Dara\","
	    "+855 12 345 678,info@alpha.example,Phnom Penh\r\n"
	    "beta,Beta Org," KM_BETA ",,,,,Siem Reap\r\n"
	    "\"gamma\",\"Gamma\",\"" FIXTURE_KM "\",\"R-3\",\"\",\"\",\"\",\"Battambang\"\r\n";
	/* LF line ends, no newline at the end */
	static const char csv_lf[] = CSV_HEADER_LINE "\n"
	                                             "delta,Delta," FIXTURE_KM ",,,,,\n"
	                                             "epsilon,Epsilon," FIXTURE_KM ",,,,,Kep";
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;
	json_t *j, *audit;

	start(&d, &sec);
	import_csv(&d, &sec, csv, &r);
	j = fixture_json(&r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "imported")), 3);
	json_decref(j);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 3);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "alpha");
	ck_assert_ptr_nonnull(j);
	expect_str(j, "name_en", "Friends, \"Mith Samlanh\"");
	expect_str(j, "name_km", KM_ALPHA);
	expect_str(j, "registration_no", "MOI-001");
	expect_str(j, "contact_name", "Sok, Dara");
	expect_str(j, "phone", "+855 12 345 678");
	expect_str(j, "email", "info@alpha.example");
	expect_str(j, "province", "Phnom Penh");
	ck_assert(json_is_true(json_object_get(j, "active")));
	json_decref(j);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "beta");
	expect_str(j, "name_km", KM_BETA);
	expect_str(j, "contact_name", "");
	expect_str(j, "province", "Siem Reap");
	json_decref(j);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "gamma");
	expect_str(j, "name_en", "Gamma");
	expect_str(j, "registration_no", "R-3");
	expect_str(j, "province", "Battambang");
	json_decref(j);

	import(&d, &sec, csv_lf, strlen(csv_lf), "text/csv; charset=utf-8", &r);
	j = fixture_json(&r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "imported")), 2);
	json_decref(j);
	test_http_free(&r);
	j = fixture_ngo_find(&d, "/api/admin/ngos", &sec, "epsilon");
	expect_str(j, "province", "Kep");
	json_decref(j);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 5);

	audit = fixture_audit(&d, &sec);
	ck_assert(fixture_audit_has(audit, "ngo.import", NULL, "3 rows"));
	ck_assert(fixture_audit_has(audit, "ngo.import", NULL, "2 rows"));
	expect_str(json_array_get(audit, 0), "actor", FIXTURE_ADMIN);
	expect_str(json_array_get(audit, 0), "action", "ngo.import");
	json_decref(audit);
	stop(&d);
}
END_TEST

START_TEST(csv_one_bad_row_imports_nothing)
{
	static const char one_bad[] = CSV_HEADER_LINE "\r\n"
	                                              "good1,Good One," FIXTURE_KM ",,,,,\r\n"
	                                              "good2,Good Two," FIXTURE_KM ",,,,,\r\n"
	                                              "bad3,Bad Three,Latin only,,,,,\r\n"
	                                              "good4,Good Four," FIXTURE_KM ",,,,,\r\n";
	static const char many_bad[] = CSV_HEADER_LINE "\r\n"
	                                               "ok1,OK," FIXTURE_KM ",,,,,\r\n"
	                                               "bademail,Bad," FIXTURE_KM ",,,,nobody,\r\n"
	                                               "ok2,OK," FIXTURE_KM ",,,,,\r\n"
	                                               "short,Too few columns," FIXTURE_KM "\r\n"
	                                               "badphone,Bad," FIXTURE_KM ",,,phone?,,\r\n"
	                                               "Bad Id,Bad," FIXTURE_KM ",,,,,\r\n";
	static const struct row_error want_one[] = {{4, "name_km", "NGO_FIELD_INVALID"}};
	static const struct row_error want_many[] = {
	    {3, "email", "NGO_FIELD_INVALID"},
	    {5, NULL, "CSV_COLUMNS"},
	    {6, "phone", "NGO_FIELD_INVALID"},
	    {7, "id", "NGO_FIELD_INVALID"},
	};
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;
	size_t before, audit_before;
	char *snap_before, *snap_after;

	start(&d, &sec);
	fixture_ngo_create(&d, &sec, "existing");
	before = fixture_ngo_count(&d, &sec);
	audit_before = audit_count(&d, &sec);
	snap_before = fixture_db_snapshot(d.db);

	import_csv(&d, &sec, one_bad, &r);
	expect_report(&r, want_one, 1);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), before);
	ck_assert_ptr_null(fixture_ngo_find(&d, "/api/admin/ngos", &sec, "good1"));

	import_csv(&d, &sec, many_bad, &r);
	expect_report(&r, want_many, 4);
	test_http_free(&r);

	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), before);
	ck_assert_uint_eq(audit_count(&d, &sec), audit_before);
	snap_after = fixture_db_snapshot(d.db);
	ck_assert_str_eq(snap_after, snap_before);
	free(snap_before);
	free(snap_after);
	stop(&d);
}
END_TEST

START_TEST(csv_duplicates_per_row)
{
	static const char in_file[] = CSV_HEADER_LINE "\r\n"
	                                              "dup,First," FIXTURE_KM ",,,,,\r\n"
	                                              "other,Other," FIXTURE_KM ",,,,,\r\n"
	                                              "dup,Second," FIXTURE_KM ",,,,,\r\n";
	static const char vs_existing[] = CSV_HEADER_LINE "\r\n"
	                                                  "fresh,Fresh," FIXTURE_KM ",,,,,\r\n"
	                                                  "existing,Again," FIXTURE_KM ",,,,,\r\n"
	                                                  "fresh2,Fresh," FIXTURE_KM ",,,,,\r\n";
	static const struct row_error want_in_file[] = {{4, "id", "NGO_EXISTS"}};
	static const struct row_error want_existing[] = {{3, "id", "NGO_EXISTS"}};
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;

	start(&d, &sec);
	fixture_ngo_create(&d, &sec, "existing");
	import_csv(&d, &sec, in_file, &r);
	expect_report(&r, want_in_file, 1);
	test_http_free(&r);
	import_csv(&d, &sec, vs_existing, &r);
	expect_report(&r, want_existing, 1);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 1);
	ck_assert_ptr_null(fixture_ngo_find(&d, "/api/admin/ngos", &sec, "fresh"));
	stop(&d);
}
END_TEST

START_TEST(csv_id_thrice_one_entry_per_row)
{
	/* an id three times: rows 3 and 4 are each reported once */
	static const char thrice[] = CSV_HEADER_LINE "\r\n"
	                                             "tri,One," FIXTURE_KM ",,,,,\r\n"
	                                             "tri,Two," FIXTURE_KM ",,,,,\r\n"
	                                             "tri,Three," FIXTURE_KM ",,,,,\r\n";
	static const struct row_error want[] = {{3, "id", "NGO_EXISTS"}, {4, "id", "NGO_EXISTS"}};
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;

	start(&d, &sec);
	import_csv(&d, &sec, thrice, &r);
	expect_report(&r, want, 2);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 0);
	stop(&d);
}
END_TEST

START_TEST(csv_syntax_error_row)
{
	/* the quote opened on line 3 never closes: line 3 is at fault (the
	 * file has no line 4) */
	static const char syntax[] = CSV_HEADER_LINE "\n"
	                                             "ok1,OK," FIXTURE_KM ",,,,,\n"
	                                             "q,\"unterminated," FIXTURE_KM ",,,,,\n";
	/* a stray quote inside an unquoted field, on line 2 */
	static const char stray[] = CSV_HEADER_LINE "\n"
	                                            "q,un\"quoted," FIXTURE_KM ",,,,,\n"
	                                            "ok1,OK," FIXTURE_KM ",,,,,\n";
	static const struct row_error want_stray[] = {{2, NULL, "CSV_SYNTAX"}};
	static const struct row_error want_syntax[] = {{3, NULL, "CSV_SYNTAX"}};
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;

	start(&d, &sec);
	import_csv(&d, &sec, stray, &r);
	expect_report(&r, want_stray, 1);
	test_http_free(&r);
	import_csv(&d, &sec, syntax, &r);
	expect_report(&r, want_syntax, 1);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 0);
	stop(&d);
}
END_TEST

START_TEST(csv_report_is_complete)
{
	/* a clash with the registry (row 2) and inside the file (row 4), plus
	 * a bad field (row 5): the report lists every bad row at once */
	static const char mixed[] = CSV_HEADER_LINE "\r\n"
	                                            "existing,Again," FIXTURE_KM ",,,,,\r\n"
	                                            "dup,First," FIXTURE_KM ",,,,,\r\n"
	                                            "dup,Second," FIXTURE_KM ",,,,,\r\n"
	                                            "badkm,Bad,Latin,,,,,\r\n";
	static const struct row_error want[] = {
	    {2, "id", "NGO_EXISTS"},
	    {4, "id", "NGO_EXISTS"},
	    {5, "name_km", "NGO_FIELD_INVALID"},
	};
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;

	start(&d, &sec);
	fixture_ngo_create(&d, &sec, "existing");
	import_csv(&d, &sec, mixed, &r);
	expect_report(&r, want, 3);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 1);
	stop(&d);
}
END_TEST

START_TEST(csv_header_and_type)
{
	static const char wrong_name[] = "id,name,name_km,registration_no,contact_name,phone,email,"
	                                 "province\r\n"
	                                 "a,A," FIXTURE_KM ",,,,,\r\n";
	static const char reordered[] = "name_en,id,name_km,registration_no,contact_name,phone,"
	                                "email,province\r\n"
	                                "A,a," FIXTURE_KM ",,,,,\r\n";
	static const char too_few[] = "id,name_en,name_km\r\na,A," FIXTURE_KM "\r\n";
	static const char only_header[] = CSV_HEADER_LINE "\r\n";
	static const struct row_error want_name[] = {{1, "name_en", "CSV_HEADER"}};
	static const struct row_error want_order[] = {{1, "id", "CSV_HEADER"}};
	static const struct row_error want_count[] = {{1, NULL, "CSV_HEADER"}};
	static const struct row_error want_empty[] = {{2, NULL, "CSV_EMPTY"}};
	static const char good[] = CSV_HEADER_LINE "\r\na,A," FIXTURE_KM ",,,,,\r\n";
	struct test_daemon d;
	struct fixture_who sec;
	struct test_http r;

	start(&d, &sec);
	import_csv(&d, &sec, wrong_name, &r);
	expect_report(&r, want_name, 1);
	test_http_free(&r);
	import_csv(&d, &sec, reordered, &r);
	expect_report(&r, want_order, 1);
	test_http_free(&r);
	import_csv(&d, &sec, too_few, &r);
	expect_report(&r, want_count, 1);
	test_http_free(&r);
	import_csv(&d, &sec, "", &r);
	expect_report(&r, want_count, 1);
	test_http_free(&r);
	import_csv(&d, &sec, only_header, &r);
	expect_report(&r, want_empty, 1);
	test_http_free(&r);

	/* only text/csv */
	import(&d, &sec, good, strlen(good), "application/json", &r);
	test_http_expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
	test_http_free(&r);
	import(&d, &sec, good, strlen(good), "text/plain", &r);
	test_http_expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
	test_http_free(&r);
	import(&d, &sec, good, strlen(good), NULL, &r);
	test_http_expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
	test_http_free(&r);
	import(&d, &sec, good, strlen(good), "text/csvx", &r);
	test_http_expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d, &sec), 0);
	stop(&d);
}
END_TEST

/* Drops the last two columns (active, fingerprint) of every line; those
 * never contain commas or quotes, and no field may hold a line break. */
static char *
strip_two_columns(const char *csv)
{
	char *out = malloc(strlen(csv) + 1);
	size_t o = 0;
	const char *line = csv;

	ck_assert_ptr_nonnull(out);
	while (*line != '\0') {
		const char *end = strstr(line, "\r\n"), *c1 = NULL, *c2 = NULL;

		ck_assert_ptr_nonnull(end);
		for (const char *p = line; p < end; p++)
			if (*p == ',') {
				c2 = c1;
				c1 = p;
			}
		ck_assert_ptr_nonnull(c2);
		memcpy(out + o, line, (size_t)(c2 - line));
		o += (size_t)(c2 - line);
		memcpy(out + o, "\r\n", 2);
		o += 2;
		line = end + 2;
	}
	out[o] = '\0';
	return out;
}

START_TEST(csv_export_and_reimport)
{
	struct test_daemon d, d2;
	struct fixture_who sec, aud, sec2;
	struct fixture_key k;
	struct test_http r;
	char ct[128], fp[40], want[2048], *stripped;
	json_t *a, *b;
	static const struct row_error want_header[] = {{1, NULL, "CSV_HEADER"}};

	start(&d, &sec);
	fixture_post(&d, "/api/admin/ngos", &sec,
	             "{\"id\":\"alpha\",\"name_en\":\"Friends, \\\"Mith Samlanh\\\"\","
	             "\"name_km\":\"" KM_ALPHA "\",\"registration_no\":\"MOI-001\","
	             "\"contact_name\":\"Sok, Dara\",\"phone\":\"+855 12 345 678\","
	             "\"email\":\"info@alpha.example\",\"province\":\"Phnom Penh\"}",
	             &r);
	ck_assert_int_eq(r.status, 201);
	test_http_free(&r);
	fixture_ngo_create(&d, &sec, "beta");
	fixture_ngo_create(&d, &sec, "gamma");
	fixture_keypair(&k);
	fixture_enrol_key(&d, &sec, "beta", &k);
	fixture_post(&d, "/api/admin/ngos/gamma/deactivate", &sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_fingerprint(k.pk, fp);
	snprintf(want, sizeof(want),
	         CSV_HEADER_LINE ",active,fingerprint\r\n"
	                         "alpha,\"Friends, \"\"Mith Samlanh\"\"\"," KM_ALPHA
	                         ",MOI-001,\"Sok, Dara\",+855 12 345 678,info@alpha.example,"
	                         "Phnom Penh,yes,\r\n"
	                         "beta,NGO beta," FIXTURE_KM " beta,,,,,,yes,%s\r\n"
	                         "gamma,NGO gamma," FIXTURE_KM " gamma,,,,,,no,\r\n",
	         fp);

	fixture_auditor(&d, &sec, "aud@example.org", &aud);
	for (int who = 0; who < 2; who++) {
		fixture_get(&d, "/api/admin/ngos/export", who ? &aud : &sec, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert(test_http_header(&r, "Content-Type", ct, sizeof(ct)));
		ck_assert_str_eq(ct, "text/csv; charset=utf-8");
		ck_assert_str_eq(r.body, want);
		test_http_free(&r);
	}
	fixture_get(&d, "/api/admin/ngos/export", NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);

	/* Into a fresh registry.  Design gap: the export has two columns
	 * (active, fingerprint) the importer refuses, so the file cannot go
	 * back in as it is; without them it does, but every NGO comes back
	 * active. */
	start(&d2, &sec2);
	import_csv(&d2, &sec2, want, &r);
	expect_report(&r, want_header, 1);
	test_http_free(&r);
	ck_assert_uint_eq(fixture_ngo_count(&d2, &sec2), 0);
	stripped = strip_two_columns(want);
	import_csv(&d2, &sec2, stripped, &r);
	ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
	test_http_free(&r);
	free(stripped);
	ck_assert_uint_eq(fixture_ngo_count(&d2, &sec2), 3);
	{
		static const char *const ids[] = {"alpha", "beta", "gamma"};
		static const char *const fields[] = {"name_en",      "name_km", "registration_no",
		                                     "contact_name", "phone",   "email",
		                                     "province"};

		for (size_t i = 0; i < 3; i++) {
			a = fixture_ngo_find(&d, "/api/admin/ngos", &sec, ids[i]);
			b = fixture_ngo_find(&d2, "/api/admin/ngos", &sec2, ids[i]);
			ck_assert_ptr_nonnull(a);
			ck_assert_ptr_nonnull(b);
			for (size_t f = 0; f < 7; f++)
				ck_assert_str_eq(json_string_value(json_object_get(a, fields[f])),
				                 json_string_value(json_object_get(b, fields[f])));
			json_decref(a);
			json_decref(b);
		}
	}
	stop(&d2);
	stop(&d);
}
END_TEST

START_TEST(audit_log_for_each_change)
{
	static const char csv[] = CSV_HEADER_LINE "\r\nimp1,Imp," FIXTURE_KM ",,,,,\r\n";
	struct test_daemon d;
	struct fixture_who sec, aud;
	struct test_http r;
	json_t *audit, *e;
	size_t before;
	size_t i;

	start(&d, &sec);
	fixture_auditor(&d, &sec, "aud@example.org", &aud);
	before = audit_count(&d, &sec);
	fixture_post(&d, "/api/admin/ngos", &sec, FULL_NGO, &r);
	ck_assert_int_eq(r.status, 201);
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/cchr", &sec,
	            "{\"name_en\":\"CCHR\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_post(&d, "/api/admin/ngos/cchr/deactivate", &sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	fixture_post(&d, "/api/admin/ngos/cchr/activate", &sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	import_csv(&d, &sec, csv, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	/* refused changes leave no entry */
	fixture_post(&d, "/api/admin/ngos", &sec, FULL_NGO, &r);
	ck_assert_int_eq(r.status, 409);
	test_http_free(&r);
	fixture_put(&d, "/api/admin/ngos/nosuch", &sec,
	            "{\"name_en\":\"X\",\"name_km\":\"" FIXTURE_KM "\"}", &r);
	ck_assert_int_eq(r.status, 404);
	test_http_free(&r);
	import_csv(&d, &sec, CSV_HEADER_LINE "\r\nimp1,Again," FIXTURE_KM ",,,,,\r\n", &r);
	ck_assert_int_eq(r.status, 422);
	test_http_free(&r);

	/* the auditor reads the same log */
	audit = fixture_audit(&d, &aud);
	ck_assert_uint_eq(json_array_size(audit), before + 5);
	/* newest first */
	{
		static const char *const actions[] = {"ngo.import", "ngo.activate",
		                                      "ngo.deactivate", "ngo.update", "ngo.create"};

		for (i = 0; i < 5; i++) {
			e = json_array_get(audit, i);
			expect_str(e, "action", actions[i]);
			expect_str(e, "actor", FIXTURE_ADMIN);
			ck_assert_uint_eq(json_string_length(json_object_get(e, "at")), 20);
			if (i > 0)
				expect_str(e, "target", "cchr");
		}
	}
	ck_assert(fixture_audit_has(audit, "ngo.import", NULL, "1 rows"));
	json_decref(audit);
	stop(&d);
}
END_TEST

Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, create_and_validate);
	tcase_add_test(tc, edit_deactivate_activate);
	tcase_add_test(tc, public_and_staff_lists);
	tcase_add_test(tc, csv_import_success);
	tcase_add_test(tc, csv_one_bad_row_imports_nothing);
	tcase_add_test(tc, csv_duplicates_per_row);
	tcase_add_test(tc, csv_id_thrice_one_entry_per_row);
	tcase_add_test(tc, csv_syntax_error_row);
	tcase_add_test(tc, csv_report_is_complete);
	tcase_add_test(tc, csv_header_and_type);
	tcase_add_test(tc, csv_export_and_reimport);
	tcase_add_test(tc, audit_log_for_each_change);
	suite_add_tcase(s, tc);
	return s;
}
