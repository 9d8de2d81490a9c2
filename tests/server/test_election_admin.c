/*
 * test_election_admin.c -- the secretariat's side of elections over HTTP:
 * the HLWG template (six working groups, Khmer titles, one seat each,
 * everything editable), field validation of a draft (ELECTION_FIELD_INVALID
 * naming the field, nothing stored), the list of what blocks opening (each
 * problem code with its field), opening refused with that list and nothing
 * written, exclusion with a reason unblocking the roll, the state machine
 * after opening (409 on edit and on a second open, confirmation typed
 * back), who may do what (auditor reads only), and the audit log.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elections_fixture.h"

Suite *election_admin_suite(void);

/* Sets (value != NULL, stolen) or removes (value == NULL) the member at a
 * path "a/0/b" of objects and arrays. */
static void
set_path(json_t *root, const char *path, json_t *value)
{
	char buf[200], *seg, *save = NULL, *next;
	json_t *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	seg = strtok_r(buf, "/", &save);
	while (seg != NULL) {
		next = strtok_r(NULL, "/", &save);
		if (json_is_array(cur)) {
			size_t i = strtoul(seg, NULL, 10);

			if (next == NULL) {
				if (value == NULL)
					ck_assert_int_eq(json_array_remove(cur, i), 0);
				else if (i == json_array_size(cur))
					ck_assert_int_eq(json_array_append_new(cur, value), 0);
				else
					ck_assert_int_eq(json_array_set_new(cur, i, value), 0);
				return;
			}
			cur = json_array_get(cur, i);
		} else {
			ck_assert_msg(json_is_object(cur), "%s: not a container", path);
			if (next == NULL) {
				if (value == NULL)
					ck_assert_int_eq(json_object_del(cur, seg), 0);
				else
					ck_assert_int_eq(json_object_set_new(cur, seg, value), 0);
				return;
			}
			cur = json_object_get(cur, seg);
		}
		ck_assert_msg(cur != NULL, "%s: no such member", path);
		seg = next;
	}
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "%s is not a string", key);
	return s;
}

/* Whether s holds a character of the Khmer block U+1780..U+17FF
 * (UTF-8 E1 9E 80 .. E1 9F BF). */
static bool
has_khmer(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p[0] && p[1] && p[2]; p++)
		if (p[0] == 0xe1 && (p[1] == 0x9e || p[1] == 0x9f) && p[2] >= 0x80 && p[2] <= 0xbf)
			return true;
	return false;
}

/* Asserts the problems list is exactly want[] ("CODE@field"), in order. */
static void
expect_problems(const json_t *problems, const char *const *want, size_t n)
{
	char *text = json_dumps(problems, JSON_COMPACT);
	size_t i;
	json_t *p;

	ck_assert_msg(json_is_array(problems), "no problems list");
	ck_assert_msg(json_array_size(problems) == n, "%zu problems, expected %zu: %s",
	              json_array_size(problems), n, text);
	json_array_foreach(problems, i, p)
	{
		char got[200];

		snprintf(got, sizeof(got), "%s@%s", str(p, "problem"), str(p, "field"));
		ck_assert_msg(strcmp(got, want[i]) == 0, "problem %zu is %s, expected %s: %s", i,
		              got, want[i], text);
		ck_assert_msg(strlen(str(p, "detail")) > 0, "problem %zu has no detail", i);
	}
	free(text);
}

static json_t *
admin_get(struct efx *x, const char *id, int status)
{
	char path[200];
	struct test_http r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/admin/elections/%s", id);
	fixture_get(&x->d, path, &x->sec, &r);
	j = fixture_json(&r, status);
	test_http_free(&r);
	return j;
}

/* POST .../{what} {"confirm": confirm} as who. */
static void
transition(struct efx *x, const struct fixture_who *who, const char *id, const char *what,
           const char *confirm, struct test_http *r)
{
	char path[200], body[200];

	snprintf(path, sizeof(path), "/api/admin/elections/%s/%s", id, what);
	snprintf(body, sizeof(body), "{\"confirm\":\"%s\"}", confirm);
	fixture_post(&x->d, path, who, body, r);
}

static void
deactivate(struct efx *x, const char *ngo)
{
	char path[200];
	struct test_http r;

	snprintf(path, sizeof(path), "/api/admin/ngos/%s/deactivate", ngo);
	fixture_post(&x->d, path, &x->sec, NULL, &r);
	ck_assert_msg(r.status == 200, "deactivate %s: %d %s", ngo, r.status, r.body);
	test_http_free(&r);
}

START_TEST(template_hlwg)
{
	static const char *const ids[6] = {"prevention", "protection",  "mou-monitoring",
	                                   "rescue",     "prosecution", "child-protection"};
	static const char *const blocked[6] = {
	    "FEWER_CANDIDATES_THAN_SEATS@contests/0", "FEWER_CANDIDATES_THAN_SEATS@contests/1",
	    "FEWER_CANDIDATES_THAN_SEATS@contests/2", "FEWER_CANDIDATES_THAN_SEATS@contests/3",
	    "FEWER_CANDIDATES_THAN_SEATS@contests/4", "FEWER_CANDIDATES_THAN_SEATS@contests/5"};
	struct efx x;
	struct fixture_key ka, kb;
	json_t *j, *draft, *contests, *c, *again;
	size_t i;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	j = efx_draft_create(&x, "hlwg-2009", "hlwg");
	ck_assert_str_eq(str(j, "id"), "hlwg-2009");
	ck_assert_str_eq(str(j, "status"), "draft");
	draft = json_object_get(j, "draft");
	ck_assert_str_eq(str(json_object_get(draft, "title"), "en"), "Election hlwg-2009");
	ck_assert_str_eq(str(json_object_get(draft, "title"), "km"), FIXTURE_KM);
	ck_assert(json_is_true(json_object_get(draft, "revote")));
	ck_assert_str_eq(str(draft, "opens_at"), "");
	ck_assert_str_eq(str(draft, "closes_at"), "");
	ck_assert(json_is_false(json_object_get(draft, "auto_open")));
	ck_assert(json_is_false(json_object_get(draft, "auto_close")));
	ck_assert_uint_eq(json_array_size(json_object_get(draft, "excluded")), 0);
	contests = json_object_get(draft, "contests");
	ck_assert_uint_eq(json_array_size(contests), 6);
	json_array_foreach(contests, i, c)
	{
		json_t *t = json_object_get(c, "title");

		ck_assert_str_eq(str(c, "id"), ids[i]);
		ck_assert_msg(strncmp(str(t, "en"), "Working Group on ", 17) == 0, "title %s",
		              str(t, "en"));
		ck_assert_msg(has_khmer(str(t, "km")), "no Khmer in %s", str(t, "km"));
		ck_assert_int_eq(json_integer_value(json_object_get(c, "seats")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(c, "min")), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(c, "max")), 1);
		ck_assert_uint_eq(json_array_size(json_object_get(c, "candidates")), 0);
		ck_assert_uint_eq(json_object_size(c), 6);
	}
	/* the six titles are distinct, in both languages */
	for (size_t a = 0; a < 6; a++)
		for (size_t b = a + 1; b < 6; b++) {
			json_t *ta = json_object_get(json_array_get(contests, a), "title");
			json_t *tb = json_object_get(json_array_get(contests, b), "title");

			ck_assert_str_ne(str(ta, "en"), str(tb, "en"));
			ck_assert_str_ne(str(ta, "km"), str(tb, "km"));
		}
	/* with no candidates every group is blocked, and nothing else */
	expect_problems(json_object_get(j, "problems"), blocked, 6);
	/* the admin GET says the same */
	again = admin_get(&x, "hlwg-2009", 200);
	ck_assert(json_equal(json_object_get(again, "draft"), draft));
	expect_problems(json_object_get(again, "problems"), blocked, 6);
	json_decref(again);
	/* everything stays editable: titles, seats, candidates, even the ids */
	draft = json_deep_copy(draft);
	set_path(draft, "contests/0/title/en", json_string("Prevention (renamed)"));
	set_path(draft, "contests/0/title/km", json_string("ក្រុមការងារ"));
	set_path(draft, "contests/0/seats", json_integer(2));
	set_path(draft, "contests/0/max", json_integer(2));
	set_path(draft, "contests/5/id", json_string("children"));
	json_array_foreach(json_object_get(draft, "contests"), i, c)
	{
		json_array_append_new(json_object_get(c, "candidates"), json_string("ngo-a"));
		json_array_append_new(json_object_get(c, "candidates"), json_string("ngo-b"));
	}
	set_path(draft, "contests/6", efx_contest("extra", 1, 1, 1, NULL, 0));
	set_path(draft, "contests/6/candidates/0", json_string("ngo-b"));
	json_decref(efx_draft_put(&x, "hlwg-2009", draft, 200));
	again = admin_get(&x, "hlwg-2009", 200);
	ck_assert(json_equal(json_object_get(again, "draft"), draft));
	expect_problems(json_object_get(again, "problems"), NULL, 0);
	json_decref(again);
	/* a group can be removed */
	set_path(draft, "contests/6", NULL);
	json_decref(efx_draft_put(&x, "hlwg-2009", draft, 200));
	again = admin_get(&x, "hlwg-2009", 200);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(json_object_get(again, "draft"), "contests")), 6);
	json_decref(again);
	json_decref(draft);
	json_decref(j);
	/* the empty template has no contests */
	j = efx_draft_create(&x, "empty-one", "empty");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "draft"), "contests")),
	                  0);
	{
		static const char *const want[] = {"NO_CONTESTS@contests"};

		expect_problems(json_object_get(j, "problems"), want, 1);
	}
	json_decref(j);
	/* the template is optional: empty by default */
	{
		struct test_http r;

		fixture_post(&x.d, "/api/admin/elections", &x.sec,
		             "{\"id\":\"no-template\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM
		             "\"}}",
		             &r);
		j = fixture_json(&r, 201);
		ck_assert_uint_eq(
		    json_array_size(json_object_get(json_object_get(j, "draft"), "contests")), 0);
		json_decref(j);
		test_http_free(&r);
	}
	/* drafts are not public */
	j = efx_get_json(&x.d, "/api/elections/hlwg-2009", 404);
	json_decref(j);
	j = efx_get_json(&x.d, "/api/elections", 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "elections")), 0);
	json_decref(j);
	/* the staff list has all three */
	{
		struct test_http r;

		fixture_get(&x.d, "/api/admin/elections", &x.sec, &r);
		j = fixture_json(&r, 200);
		ck_assert_uint_eq(json_array_size(json_object_get(j, "elections")), 3);
		json_decref(j);
		test_http_free(&r);
	}
	efx_stop(&x);
}
END_TEST

/* Regression: the create handler read the schedule (borrowed strings of
 * the draft) after freeing the draft, so a new election's opens_at and
 * closes_at in the store were whatever the freed memory held -- and the
 * staff list dropped the rows whose bytes were not UTF-8. */
START_TEST(create_stores_empty_schedule)
{
	struct efx x;
	struct test_http r;
	json_t *j, *row;
	size_t i;
	char id[32], sql[200], out[64];

	efx_start(&x);
	for (int k = 0; k < 8; k++) {
		snprintf(id, sizeof(id), "draft-%d", k);
		json_decref(efx_draft_create(&x, id, k % 2 ? "hlwg" : "empty"));
	}
	for (int k = 0; k < 8; k++) {
		snprintf(sql, sizeof(sql),
		         "SELECT hex(opens_at) || '|' || hex(closes_at) || '|' || auto_open || "
		         "auto_close"
		         " FROM elections WHERE id = 'draft-%d'",
		         k);
		fixture_db_text(x.d.db, sql, out, sizeof(out));
		ck_assert_msg(strcmp(out, "||00") == 0, "draft-%d stored schedule \"%s\"", k, out);
	}
	fixture_get(&x.d, "/api/admin/elections", &x.sec, &r);
	j = fixture_json(&r, 200);
	test_http_free(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "elections")), 8);
	json_array_foreach(json_object_get(j, "elections"), i, row)
	{
		ck_assert_str_eq(str(row, "opens_at"), "");
		ck_assert_str_eq(str(row, "closes_at"), "");
		ck_assert(json_is_false(json_object_get(row, "auto_open")));
		ck_assert_str_eq(str(row, "status"), "draft");
	}
	json_decref(j);
	efx_stop(&x);
}
END_TEST

START_TEST(create_validation)
{
	static const struct {
		const char *body;
		int status;
		const char *name, *field;
	} cases[] = {
	    {"{\"id\":\"Bad Id\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\"}}", 400,
	     "ELECTION_FIELD_INVALID", "id"},
	    {"{\"id\":\"\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\"}}", 400,
	     "ELECTION_FIELD_INVALID", "id"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM
	     "\"},\"template\":\"hlwg2\"}",
	     400, "ELECTION_FIELD_INVALID", "template"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"T\",\"km\":\"latin only\"}}", 400,
	     "ELECTION_FIELD_INVALID", "title"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"\",\"km\":\"" FIXTURE_KM "\"}}", 400,
	     "ELECTION_FIELD_INVALID", "title"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"T\"}}", 400, "ELECTION_FIELD_INVALID", "title"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\",\"fr\":\"T\"}}", 400,
	     "ELECTION_FIELD_INVALID", "title"},
	    {"{\"id\":\"ok\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\"},\"x\":1}", 400,
	     "JSON_UNKNOWN_FIELD", "x"},
	    {"{\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\"}}", 400, "JSON_MISSING_FIELD",
	     "id"},
	    {"{\"id\":\"taken\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM "\"}}", 409,
	     "ELECTION_EXISTS", "id"},
	};
	struct efx x;

	efx_start(&x);
	json_decref(efx_draft_create(&x, "taken", "empty"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *before = fixture_db_snapshot(x.d.db), *after;
		struct test_http r;

		fixture_post(&x.d, "/api/admin/elections", &x.sec, cases[i].body, &r);
		fixture_expect_field(&r, cases[i].status, cases[i].name, cases[i].field);
		test_http_free(&r);
		after = fixture_db_snapshot(x.d.db);
		ck_assert_msg(strcmp(before, after) == 0, "case %zu changed the database", i);
		free(before);
		free(after);
	}
	efx_stop(&x);
}
END_TEST

/* A valid draft: c0 {a,b} 1 seat of max 1, c1 {a,b} 1 seat of max 2. */
static json_t *
valid_draft(void)
{
	static const char *const ab[] = {"ngo-a", "ngo-b"};
	json_t *d = efx_draft_new();

	json_array_append_new(json_object_get(d, "contests"), efx_contest("c0", 1, 0, 1, ab, 2));
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c1", 1, 0, 2, ab, 2));
	return d;
}

START_TEST(put_validation)
{
	static const struct {
		const char *path;  /* what to change */
		const char *value; /* JSON text, NULL: remove the member */
		const char *field; /* the field the answer names */
	} cases[] = {
	    {"contests/0/id", "\"Bad Id\"", "contests/0/id"},
	    {"contests/0/id", "\"\"", "contests/0/id"},
	    {"contests/0/id", "\"a.b\"", "contests/0/id"},
	    {"contests/1/id", "\"c0\"", "contests/1/id"},
	    {"contests/0/title/km", "\"latin only\"", "contests/0/title"},
	    {"contests/0/title/en", "\"\"", "contests/0/title"},
	    {"contests/0/title/km", NULL, "contests/0/title"},
	    {"contests/0/title", "\"Prevention\"", "contests/0/title"},
	    {"contests/0/seats", "0", "contests/0/seats"},
	    {"contests/0/seats", "65", "contests/0/seats"},
	    {"contests/0/seats", NULL, "contests/0/seats"},
	    {"contests/0/min", "-1", "contests/0/min"},
	    {"contests/0/max", "\"1\"", "contests/0/max"},
	    {"contests/0/max", "1.5", "contests/0/max"},
	    {"contests/0/candidates/0", "\"Not A Slug\"", "contests/0/candidates/0"},
	    {"contests/0/candidates/0", "5", "contests/0/candidates/0"},
	    {"contests/0/candidates/1", "\"ngo-a\"", "contests/0/candidates/1"},
	    {"contests/0/candidates", "\"ngo-a\"", "contests/0/candidates"},
	    {"contests/0/method", "1", "contests/0/method"},
	    {"contests/1", "\"c1\"", "contests/1"},
	    {"contests", "{}", "contests"},
	    {"title/km", "\"abc\"", "title"},
	    {"title/en", "\"\"", "title"},
	    {"title", NULL, "title"},
	    {"opens_at", "\"2026-01-01 10:00:00\"", "opens_at"},
	    {"opens_at", "\"2026-01-01T10:00:00+07:00\"", "opens_at"},
	    {"opens_at", "\"2026-01-01T10:00:00.5Z\"", "opens_at"},
	    {"opens_at", "\"2026-13-01T10:00:00Z\"", "opens_at"},
	    {"opens_at", "\"2026-02-29T10:00:00Z\"", "opens_at"},
	    {"opens_at", "\"2026-01-01T24:00:00Z\"", "opens_at"},
	    {"opens_at", "\"2026-01-01t10:00:00z\"", "opens_at"},
	    {"closes_at", "\"2026-1-01T10:00:00Z\"", "closes_at"},
	    {"opens_at", "null", "opens_at"},
	    {"auto_open", "true", "auto_open"},
	    {"auto_close", "true", "auto_close"},
	    {"auto_open", "1", "auto_open"},
	    {"revote", "1", "revote"},
	    {"revote", NULL, "revote"},
	    {"mode", "\"closed\"", "mode"},
	    {"excluded/0", "{\"ngo_id\":\"ngo-a\"}", "excluded/0"},
	    {"excluded/0", "{\"ngo_id\":\"ngo-a\",\"reason\":\"\"}", "excluded/0"},
	    {"excluded/0", "{\"ngo_id\":\"NGO A\",\"reason\":\"r\"}", "excluded/0"},
	    {"excluded/0", "{\"ngo_id\":\"ngo-a\",\"reason\":\"r\",\"by\":\"me\"}", "excluded/0"},
	    {"excluded/0", "\"ngo-a\"", "excluded/0"},
	};
	struct efx x;
	struct fixture_key ka, kb;
	json_t *base, *j;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	json_decref(efx_draft_create(&x, "e1", "empty"));
	base = valid_draft();
	efx_draft_ready(&x, "e1", base);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *d = json_deep_copy(base), *v = NULL;
		char *before, *after;

		if (cases[i].value != NULL) {
			v = json_loads(cases[i].value, JSON_DECODE_ANY, NULL);
			ck_assert_ptr_nonnull(v);
		}
		set_path(d, cases[i].path, v);
		before = fixture_db_snapshot(x.d.db);
		{
			char *text = json_dumps(d, JSON_COMPACT);
			struct test_http r;

			fixture_put(&x.d, "/api/admin/elections/e1", &x.sec, text, &r);
			ck_assert_msg(r.status == 400, "case %zu (%s): %d %s", i, cases[i].path,
			              r.status, r.body);
			fixture_expect_field(&r, 400, "ELECTION_FIELD_INVALID", cases[i].field);
			test_http_free(&r);
			free(text);
		}
		after = fixture_db_snapshot(x.d.db);
		ck_assert_msg(strcmp(before, after) == 0, "case %zu changed the database", i);
		free(before);
		free(after);
		json_decref(d);
	}
	/* a schedule: closes must come after opens */
	{
		json_t *d = json_deep_copy(base);

		set_path(d, "opens_at", json_string("2026-03-01T02:00:00Z"));
		set_path(d, "closes_at", json_string("2026-03-01T02:00:00Z"));
		j = efx_draft_put(&x, "e1", d, 400);
		json_decref(j);
		set_path(d, "closes_at", json_string("2026-03-01T01:59:59Z"));
		j = efx_draft_put(&x, "e1", d, 400);
		ck_assert_str_eq(str(j, "field"), "closes_at");
		json_decref(j);
		/* a leap day and the valid schedule are accepted */
		set_path(d, "opens_at", json_string("2028-02-29T02:00:00Z"));
		set_path(d, "closes_at", json_string("2028-02-29T09:30:00Z"));
		set_path(d, "auto_open", json_true());
		set_path(d, "auto_close", json_true());
		j = efx_draft_put(&x, "e1", d, 200);
		ck_assert(json_equal(json_object_get(j, "draft"), d));
		json_decref(j);
		json_decref(d);
	}
	/* the body must be an object */
	{
		struct test_http r;

		fixture_put(&x.d, "/api/admin/elections/e1", &x.sec, "[]", &r);
		test_http_expect_error(&r, 400, "JSON_NOT_OBJECT");
		test_http_free(&r);
		fixture_put(&x.d, "/api/admin/elections/nope", &x.sec, "{}", &r);
		test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
		test_http_free(&r);
	}
	json_decref(base);
	efx_stop(&x);
}
END_TEST

START_TEST(problems_block_opening)
{
	static const char *const all[] = {"FEWER_CANDIDATES_THAN_SEATS@contests/0",
	                                  "CANDIDATE_UNKNOWN@contests/1/candidates/0",
	                                  "CANDIDATE_INACTIVE@contests/1/candidates/1",
	                                  "MIN_ABOVE_MAX@contests/2",
	                                  "MAX_ABOVE_CANDIDATES@contests/3",
	                                  "VOTER_WITHOUT_KEY@roll"};
	static const char *const only_key[] = {"VOTER_WITHOUT_KEY@roll"};
	static const char *const c0[] = {"ngo-a"};
	static const char *const c1[] = {"ngo-ghost", "ngo-i", "ngo-a"};
	static const char *const ab[] = {"ngo-a", "ngo-b"};
	struct efx x;
	struct fixture_key ka, kb, ki, ku;
	json_t *d, *j, *roll;
	char *before, *after;
	struct test_http r;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	/* ngo-i: enrolled, then deactivated; ngo-j: deactivated, never
	 * enrolled (not on the roll, so not a problem); ngo-u: active, no key */
	efx_ngo_enrolled(&x, "ngo-i", &ki);
	deactivate(&x, "ngo-i");
	fixture_ngo_create(&x.d, &x.sec, "ngo-j");
	deactivate(&x, "ngo-j");
	fixture_ngo_create(&x.d, &x.sec, "ngo-u");
	json_decref(efx_draft_create(&x, "e1", "empty"));
	d = efx_draft_new();
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c0", 2, 0, 1, c0, 1));
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c1", 1, 0, 1, c1, 3));
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c2", 1, 2, 1, ab, 2));
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c3", 1, 0, 3, ab, 2));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), all, 6);
	ck_assert_msg(strstr(str(json_array_get(json_object_get(j, "problems"), 5), "detail"),
	                     "ngo-u") != NULL,
	              "the detail names the NGO without a key");
	json_decref(j);
	/* opening is refused with the same list, and nothing is written */
	before = fixture_db_snapshot(x.d.db);
	transition(&x, &x.sec, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_INVALID");
	j = test_http_json(&r);
	expect_problems(json_object_get(j, "problems"), all, 6);
	json_decref(j);
	test_http_free(&r);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	ck_assert_int_eq(efx_board_total(&x.d, "e1"), -1);
	ck_assert_int_eq(efx_board_rows(&x.d, "e1"), 0);
	json_decref(efx_get_json(&x.d, "/api/elections/e1", 404));
	test_http_get(&x.d, "/api/elections/e1/record", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_PUBLISHED");
	test_http_free(&r);
	j = admin_get(&x, "e1", 200);
	ck_assert_str_eq(str(j, "status"), "draft");
	json_decref(j);
	/* fixing one at a time removes exactly that problem */
	set_path(d, "contests/0/seats", json_integer(1));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), all + 1, 5);
	json_decref(j);
	set_path(d, "contests/1/candidates/0", NULL); /* ngo-ghost */
	j = efx_draft_put(&x, "e1", d, 200);
	{
		static const char *const want[] = {
		    "CANDIDATE_INACTIVE@contests/1/candidates/0", "MIN_ABOVE_MAX@contests/2",
		    "MAX_ABOVE_CANDIDATES@contests/3", "VOTER_WITHOUT_KEY@roll"};

		expect_problems(json_object_get(j, "problems"), want, 4);
	}
	json_decref(j);
	set_path(d, "contests/1/candidates/0", NULL); /* ngo-i */
	set_path(d, "contests/2/min", json_integer(1));
	set_path(d, "contests/3/max", json_integer(2));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), only_key, 1);
	json_decref(j);
	transition(&x, &x.sec, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_INVALID");
	j = test_http_json(&r);
	expect_problems(json_object_get(j, "problems"), only_key, 1);
	json_decref(j);
	test_http_free(&r);
	/* reactivating ngo-i makes it a valid candidate again (the list is
	 * computed against the registry now, not when the draft was saved) */
	set_path(d, "contests/1/candidates/1", json_string("ngo-i"));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"),
	                (const char *const[]){"CANDIDATE_INACTIVE@contests/1/"
	                                      "candidates/1",
	                                      "VOTER_WITHOUT_KEY@roll"},
	                2);
	json_decref(j);
	fixture_post(&x.d, "/api/admin/ngos/ngo-i/activate", &x.sec, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	j = admin_get(&x, "e1", 200);
	expect_problems(json_object_get(j, "problems"), only_key, 1);
	json_decref(j);
	/* excluding ngo-u with a reason unblocks opening */
	set_path(d, "excluded/0",
	         json_pack("{s:s, s:s}", "ngo_id", "ngo-u", "reason", "No delegate named yet"));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), NULL, 0);
	json_decref(j);
	/* a draft for later shows that enrolling also removes the problem */
	json_decref(efx_draft_create(&x, "e2", "empty"));
	{
		json_t *d2 = json_deep_copy(d);

		json_array_clear(json_object_get(d2, "excluded"));
		j = efx_draft_put(&x, "e2", d2, 200);
		expect_problems(json_object_get(j, "problems"), only_key, 1);
		json_decref(j);
		json_decref(d2);
	}
	efx_open(&x, "e1", NULL);
	/* the roll: active NGOs with keys, minus the excluded, in id order */
	j = efx_get_json(&x.d, "/api/elections/e1", 200);
	roll = json_object_get(j, "roll");
	ck_assert_uint_eq(json_array_size(roll), 3);
	ck_assert_str_eq(str(json_array_get(roll, 0), "id"), "ngo-a");
	ck_assert_str_eq(str(json_array_get(roll, 1), "id"), "ngo-b");
	ck_assert_str_eq(str(json_array_get(roll, 2), "id"), "ngo-i");
	ck_assert_str_eq(str(json_array_get(roll, 0), "public_key"), ka.pk_hex);
	ck_assert_int_eq(efx_board_total(&x.d, "e1"), 2);
	json_decref(j);
	/* ngo-u, excluded from e1, may enrol while e1 is open; then e2 is clear */
	fixture_keypair(&ku);
	fixture_enrol_key(&x.d, &x.sec, "ngo-u", &ku);
	j = admin_get(&x, "e2", 200);
	expect_problems(json_object_get(j, "problems"), NULL, 0);
	json_decref(j);
	json_decref(d);
	efx_stop(&x);
}
END_TEST

START_TEST(empty_roll_and_no_contests)
{
	static const char *const both[] = {"NO_CONTESTS@contests", "EMPTY_ROLL@excluded"};
	static const char *const ab[] = {"ngo-a", "ngo-b"};
	struct efx x;
	struct fixture_key ka, kb;
	struct test_http r;
	json_t *j, *d;

	efx_start(&x);
	/* no NGO registered at all */
	j = efx_draft_create(&x, "e1", "empty");
	expect_problems(json_object_get(j, "problems"), both, 2);
	json_decref(j);
	transition(&x, &x.sec, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_INVALID");
	j = test_http_json(&r);
	expect_problems(json_object_get(j, "problems"), both, 2);
	json_decref(j);
	test_http_free(&r);
	/* NGOs, but every one excluded */
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	d = efx_draft_new();
	json_array_append_new(json_object_get(d, "contests"), efx_contest("c0", 1, 0, 1, ab, 2));
	set_path(d, "excluded/0", json_pack("{s:s, s:s}", "ngo_id", "ngo-a", "reason", "r1"));
	set_path(d, "excluded/1", json_pack("{s:s, s:s}", "ngo_id", "ngo-b", "reason", "r2"));
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), both + 1, 1);
	json_decref(j);
	/* ngo-b back on the roll */
	set_path(d, "excluded/1", NULL);
	j = efx_draft_put(&x, "e1", d, 200);
	expect_problems(json_object_get(j, "problems"), NULL, 0);
	json_decref(j);
	efx_open(&x, "e1", NULL);
	j = efx_get_json(&x.d, "/api/elections/e1", 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "roll")), 1);
	ck_assert_str_eq(str(json_array_get(json_object_get(j, "roll"), 0), "id"), "ngo-b");
	json_decref(j);
	json_decref(d);
	efx_stop(&x);
}
END_TEST

START_TEST(state_after_opening)
{
	struct efx x;
	struct fixture_key ka, kb;
	struct test_http r;
	json_t *d, *j, *before_manifest;
	char *before, *after;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	json_decref(efx_draft_create(&x, "e1", "empty"));
	d = valid_draft();
	efx_draft_ready(&x, "e1", d);
	/* confirmation typed back, or nothing happens */
	before = fixture_db_snapshot(x.d.db);
	transition(&x, &x.sec, "e1", "open", "E1", &r);
	fixture_expect_field(&r, 400, "CONFIRMATION_MISMATCH", "confirm");
	test_http_free(&r);
	transition(&x, &x.sec, "e1", "open", "", &r);
	fixture_expect_field(&r, 400, "CONFIRMATION_MISMATCH", "confirm");
	test_http_free(&r);
	fixture_post(&x.d, "/api/admin/elections/e1/open", &x.sec, "{}", &r);
	fixture_expect_field(&r, 400, "JSON_MISSING_FIELD", "confirm");
	test_http_free(&r);
	fixture_request(&x.d, "POST", "/api/admin/elections/e1/open", &x.sec, true,
	                "application/json", NULL, "", 0, &r);
	test_http_expect_error(&r, 400, "JSON_MALFORMED");
	test_http_free(&r);
	fixture_post(&x.d, "/api/admin/elections/e1/open", &x.sec, "{\"confirm\":1}", &r);
	fixture_expect_field(&r, 400, "JSON_WRONG_TYPE", "confirm");
	test_http_free(&r);
	/* closing a draft */
	transition(&x, &x.sec, "e1", "close", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_OPEN");
	test_http_free(&r);
	/* an unknown election */
	transition(&x, &x.sec, "nope", "open", "nope", &r);
	test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
	test_http_free(&r);
	transition(&x, &x.sec, "nope", "close", "nope", &r);
	test_http_expect_error(&r, 404, "ELECTION_NOT_FOUND");
	test_http_free(&r);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* open */
	efx_open(&x, "e1", NULL);
	j = admin_get(&x, "e1", 200);
	ck_assert_str_eq(str(j, "status"), "open");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 0);
	json_decref(j);
	before_manifest = efx_get_json(&x.d, "/api/elections/e1", 200);
	/* nothing can change now */
	before = fixture_db_snapshot(x.d.db);
	set_path(d, "contests/0/seats", json_integer(2));
	j = efx_draft_put(&x, "e1", d, 409);
	ck_assert_str_eq(str(j, "name"), "ELECTION_NOT_DRAFT");
	json_decref(j);
	/* even an invalid edit gets the 409, not a field error */
	fixture_put(&x.d, "/api/admin/elections/e1", &x.sec, "{\"title\":1}", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_DRAFT");
	test_http_free(&r);
	transition(&x, &x.sec, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_DRAFT");
	test_http_free(&r);
	transition(&x, &x.sec, "e1", "close", "e-1", &r);
	fixture_expect_field(&r, 400, "CONFIRMATION_MISMATCH", "confirm");
	test_http_free(&r);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* a registry change does not reach the fixed manifest */
	deactivate(&x, "ngo-b");
	j = efx_get_json(&x.d, "/api/elections/e1", 200);
	ck_assert(json_equal(json_object_get(j, "contests"),
	                     json_object_get(before_manifest, "contests")));
	ck_assert(json_equal(json_object_get(j, "roll"), json_object_get(before_manifest, "roll")));
	json_decref(j);
	json_decref(before_manifest);
	/* close; then the second close, an open and an edit are refused */
	efx_close(&x, "e1");
	before = fixture_db_snapshot(x.d.db);
	transition(&x, &x.sec, "e1", "close", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_CLOSED");
	test_http_free(&r);
	transition(&x, &x.sec, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 409, "ELECTION_NOT_DRAFT");
	test_http_free(&r);
	j = efx_draft_put(&x, "e1", d, 409);
	ck_assert_str_eq(str(j, "name"), "ELECTION_NOT_DRAFT");
	json_decref(j);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* manifest, open, close, result */
	ck_assert_int_eq(efx_board_total(&x.d, "e1"), 4);
	ck_assert_int_eq(efx_record_verify(&x.d, "e1", "e1.jsonl"), 0);
	json_decref(d);
	efx_stop(&x);
}
END_TEST

START_TEST(who_may_do_what)
{
	struct efx x;
	struct fixture_key ka, kb;
	struct fixture_who aud, del;
	struct test_http r;
	json_t *d, *j;
	char *before, *after, *text;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	json_decref(efx_draft_create(&x, "e1", "empty"));
	d = valid_draft();
	efx_draft_ready(&x, "e1", d);
	text = json_dumps(d, JSON_COMPACT);
	fixture_auditor(&x.d, &x.sec, "auditor@example.org", &aud);
	fixture_delegate_login(&x.d, "ngo-a", &ka, &del);
	/* the auditor reads */
	fixture_get(&x.d, "/api/admin/elections", &aud, &r);
	j = fixture_json(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "elections")), 1);
	json_decref(j);
	test_http_free(&r);
	fixture_get(&x.d, "/api/admin/elections/e1", &aud, &r);
	j = fixture_json(&r, 200);
	ck_assert(json_equal(json_object_get(j, "draft"), d));
	json_decref(j);
	test_http_free(&r);
	/* but changes nothing; nor does a delegate or an anonymous caller */
	before = fixture_db_snapshot(x.d.db);
	{
		const struct fixture_who *who[2] = {&aud, &del};

		for (int w = 0; w < 2; w++) {
			fixture_post(&x.d, "/api/admin/elections", who[w],
			             "{\"id\":\"e2\",\"title\":{\"en\":\"T\",\"km\":\"" FIXTURE_KM
			             "\"}}",
			             &r);
			test_http_expect_error(&r, 403, "FORBIDDEN");
			test_http_free(&r);
			fixture_put(&x.d, "/api/admin/elections/e1", who[w], text, &r);
			test_http_expect_error(&r, 403, "FORBIDDEN");
			test_http_free(&r);
			transition(&x, who[w], "e1", "open", "e1", &r);
			test_http_expect_error(&r, 403, "FORBIDDEN");
			test_http_free(&r);
			transition(&x, who[w], "e1", "close", "e1", &r);
			test_http_expect_error(&r, 403, "FORBIDDEN");
			test_http_free(&r);
		}
	}
	fixture_get(&x.d, "/api/admin/elections", &del, &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	fixture_get(&x.d, "/api/admin/elections/e1", NULL, &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	transition(&x, NULL, "e1", "open", "e1", &r);
	test_http_expect_error(&r, 401, "NOT_LOGGED_IN");
	test_http_free(&r);
	/* the secretariat without its CSRF token */
	fixture_request(&x.d, "POST", "/api/admin/elections/e1/open", &x.sec, false,
	                "application/json", NULL, "{\"confirm\":\"e1\"}", 16, &r);
	test_http_expect_error(&r, 403, "CSRF_FAILED");
	test_http_free(&r);
	after = fixture_db_snapshot(x.d.db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* the auditor sees the open election and can read the audit log */
	efx_open(&x, "e1", NULL);
	fixture_get(&x.d, "/api/admin/elections/e1", &aud, &r);
	j = fixture_json(&r, 200);
	ck_assert_str_eq(str(j, "status"), "open");
	json_decref(j);
	test_http_free(&r);
	transition(&x, &aud, "e1", "close", "e1", &r);
	test_http_expect_error(&r, 403, "FORBIDDEN");
	test_http_free(&r);
	free(text);
	json_decref(d);
	efx_stop(&x);
}
END_TEST

START_TEST(audit_log)
{
	struct efx x;
	struct fixture_key ka, kb;
	json_t *d, *entries;
	struct test_http r;
	size_t i, n_edit = 0;
	json_t *e;

	efx_start(&x);
	efx_ngo_enrolled(&x, "ngo-a", &ka);
	efx_ngo_enrolled(&x, "ngo-b", &kb);
	json_decref(efx_draft_create(&x, "e1", "hlwg"));
	d = valid_draft();
	efx_draft_ready(&x, "e1", d);
	set_path(d, "revote", json_false());
	efx_draft_ready(&x, "e1", d);
	/* a refused edit and a refused open leave no entry */
	set_path(d, "revote", json_integer(0));
	json_decref(efx_draft_put(&x, "e1", d, 400));
	transition(&x, &x.sec, "e1", "open", "wrong", &r);
	test_http_free(&r);
	efx_open(&x, "e1", NULL);
	efx_close(&x, "e1");
	entries = fixture_audit(&x.d, &x.sec);
	ck_assert(fixture_audit_has(entries, "election.create", "e1", NULL));
	ck_assert(fixture_audit_has(entries, "election.edit", "e1", NULL));
	ck_assert(fixture_audit_has(entries, "election.open", "e1", NULL));
	ck_assert(fixture_audit_has(entries, "election.close", "e1", NULL));
	json_array_foreach(entries, i, e)
	{
		const char *action = str(e, "action");

		if (strncmp(action, "election.", 9) != 0)
			continue;
		ck_assert_str_eq(str(e, "actor"), FIXTURE_ADMIN);
		ck_assert_str_eq(str(e, "target"), "e1");
		n_edit += strcmp(action, "election.edit") == 0;
	}
	/* two successful edits, one each; exactly one create, open, close */
	ck_assert_uint_eq(n_edit, 2);
	{
		int create = 0, open = 0, close = 0;

		json_array_foreach(entries, i, e)
		{
			create += strcmp(str(e, "action"), "election.create") == 0;
			open += strcmp(str(e, "action"), "election.open") == 0;
			close += strcmp(str(e, "action"), "election.close") == 0;
		}
		ck_assert_int_eq(create, 1);
		ck_assert_int_eq(open, 1);
		ck_assert_int_eq(close, 1);
	}
	json_decref(entries);
	json_decref(d);
	efx_stop(&x);
}
END_TEST

Suite *
election_admin_suite(void)
{
	Suite *s = suite_create("election_admin");
	TCase *tc = tcase_create("drafting");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, template_hlwg);
	tcase_add_test(tc, create_stores_empty_schedule);
	tcase_add_test(tc, create_validation);
	tcase_add_test(tc, put_validation);
	tcase_add_test(tc, problems_block_opening);
	tcase_add_test(tc, empty_roll_and_no_contests);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifecycle");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, state_after_opening);
	tcase_add_test(tc, who_may_do_what);
	tcase_add_test(tc, audit_log);
	suite_add_tcase(s, tc);
	return s;
}
