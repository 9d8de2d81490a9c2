/*
 * test_jspec.c -- strict JSON intake: jspec_load_body (syntax, duplicate
 * keys, top-level type, depth, UTF-8, NUL, huge numbers) and jspec_parse
 * (unknown, missing, wrong type and bad value for every kind, optional
 * fields, and HEX_VAR buffers released on every failure path; run under
 * `make check-asan` the leak checker proves the last point).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"

Suite *jspec_suite(void);

/* ---- helpers ----------------------------------------------------------- */

/* Loads text (NUL-terminated) and expects failure with code. */
static void
expect_load_fails(const char *text, size_t len, enum error_code code)
{
	struct jspec_error err = {ERROR_INTERNAL_ERROR, "sentinel"};
	json_t *j = jspec_load_body(text, len, &err);

	ck_assert_msg(j == NULL, "loaded: %.80s", text);
	ck_assert_msg(err.code == code, "code %d, expected %d for %.80s", (int)err.code, (int)code,
	              text);
	ck_assert_ptr_null(err.field);
	ck_assert_uint_eq(errors_lookup(err.code)->http_status, 400);
}

static json_t *
load_ok(const char *text)
{
	struct jspec_error err = {0, NULL};
	json_t *j = jspec_load_body(text, strlen(text), &err);

	ck_assert_msg(j != NULL, "failed to load (%d): %.120s", (int)err.code, text);
	return j;
}

/* Parses text against spec and expects failure with code naming field. */
static void
expect_parse_fails(const char *text, struct jspec_field *spec, enum error_code code,
                   const char *field)
{
	struct jspec_error err = {ERROR_INTERNAL_ERROR, "sentinel"};
	json_t *j = load_ok(text);

	ck_assert_msg(!jspec_parse(j, spec, &err), "parsed: %s", text);
	ck_assert_msg(err.code == code, "code %d (%s), expected %d for %s", (int)err.code,
	              errors_lookup(err.code)->name, (int)code, text);
	if (field == NULL)
		ck_assert_ptr_null(err.field);
	else
		ck_assert_msg(err.field != NULL && strcmp(err.field, field) == 0,
		              "field %s, expected %s for %s", err.field ? err.field : "(null)",
		              field, text);
	ck_assert_uint_eq(errors_lookup(err.code)->http_status, 400);
	json_decref(j);
}

static char *
repeat(const char *a, unsigned n, const char *mid, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), lm = strlen(mid);
	char *s = malloc(la * n + lm + lb * n + 1), *p = s;

	ck_assert_ptr_nonnull(s);
	for (unsigned i = 0; i < n; i++, p += la)
		memcpy(p, a, la);
	memcpy(p, mid, lm);
	p += lm;
	for (unsigned i = 0; i < n; i++, p += lb)
		memcpy(p, b, lb);
	*p = '\0';
	return s;
}

/* For literals: the length includes any embedded NUL. */
#define LOAD_FAILS(lit, code) expect_load_fails((lit), sizeof(lit) - 1, (code))

/* ---- jspec_load_body ----------------------------------------------------- */

START_TEST(load_malformed)
{
	static const char *const bad[] = {
	    "{",           "}",     "{\"a\":}",    "{\"a\" 1}", "{\"a\":1,}",     "{'a':1}",
	    "{\"a\":tru}", "{a:1}", "{} x",        "{}{}",      "{\"a\":01}",     "{\"a\":.5}",
	    "{\"a\":NaN}", "  ",    "{\"a\":\"x}", "[1,]",      "{\"a\":\"\t\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_load_fails(bad[i], strlen(bad[i]), ERROR_JSON_MALFORMED);
	LOAD_FAILS("", ERROR_JSON_MALFORMED);
	/* a NUL byte after the object, and a NUL byte inside it */
	LOAD_FAILS("{\"a\":1}\0", ERROR_JSON_MALFORMED);
	LOAD_FAILS("{\"a\":\0 1}", ERROR_JSON_MALFORMED);
	/* the length is honoured: the closing brace lies beyond it */
	expect_load_fails("{\"a\":1}", 6, ERROR_JSON_MALFORMED);
}
END_TEST

START_TEST(load_duplicate_key)
{
	LOAD_FAILS("{\"a\":1,\"a\":2}", ERROR_JSON_DUPLICATE_KEY);
	LOAD_FAILS("{\"a\":1,\"a\":1}", ERROR_JSON_DUPLICATE_KEY);
	LOAD_FAILS("{\"o\":{\"x\":1,\"x\":true}}", ERROR_JSON_DUPLICATE_KEY);
	LOAD_FAILS("{\"l\":[{\"x\":1,\"y\":2,\"x\":3}]}", ERROR_JSON_DUPLICATE_KEY);
	/* the same key written with an escape is still the same key */
	LOAD_FAILS("{\"ab\":1,\"a\\u0062\":2}", ERROR_JSON_DUPLICATE_KEY);
}
END_TEST

START_TEST(load_not_object)
{
	LOAD_FAILS("[]", ERROR_JSON_NOT_OBJECT);
	LOAD_FAILS("[{\"a\":1}]", ERROR_JSON_NOT_OBJECT);
	/* valid JSON texts (RFC 8259) that are not objects: the client must be
	 * told "not an object", not "not JSON" */
	LOAD_FAILS("\"x\"", ERROR_JSON_NOT_OBJECT);
	LOAD_FAILS("42", ERROR_JSON_NOT_OBJECT);
	LOAD_FAILS("-1.5", ERROR_JSON_NOT_OBJECT);
	LOAD_FAILS("true", ERROR_JSON_NOT_OBJECT);
	LOAD_FAILS("null", ERROR_JSON_NOT_OBJECT);
}
END_TEST

START_TEST(load_depth)
{
	char *s;
	json_t *j;

	/* the root counts as level 1: 32 levels pass, 33 do not */
	s = repeat("{\"a\":", 31, "{}", "}");
	j = load_ok(s);
	json_decref(j);
	free(s);
	s = repeat("{\"a\":", 32, "{}", "}");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
	s = repeat("{\"a\":", 31, "[]", "}");
	j = load_ok(s);
	json_decref(j);
	free(s);
	s = repeat("{\"a\":", 32, "[1]", "}");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
	/* 40 nested objects: within jansson's limit, beyond ours */
	s = repeat("{\"a\":", 39, "{}", "}");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
	/* 10,000 nested arrays, inside an object or at the top: jansson's own
	 * stack limit answers, and it must map to TOO_DEEP, not MALFORMED */
	s = repeat("[", 10000, "", "]");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
	s = repeat("[", 10000, "", "]");
	{
		size_t n = strlen(s);
		char *o = malloc(n + 8);

		ck_assert_ptr_nonnull(o);
		memcpy(o, "{\"a\":", 5);
		memcpy(o + 5, s, n);
		memcpy(o + 5 + n, "}", 2);
		expect_load_fails(o, strlen(o), ERROR_JSON_TOO_DEEP);
		free(o);
	}
	free(s);
	/* 10,000 nested objects */
	s = repeat("{\"a\":", 10000, "1", "}");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
	/* deep but unclosed: too deep is what we hit first */
	s = repeat("[", 10000, "", "");
	expect_load_fails(s, strlen(s), ERROR_JSON_TOO_DEEP);
	free(s);
}
END_TEST

START_TEST(load_invalid_utf8)
{
	static const char *const bad[] = {
	    "{\"a\":\"\xff\"}",              /* never valid */
	    "{\"a\":\"\xc0\xaf\"}",          /* overlong '/' */
	    "{\"a\":\"\xed\xa0\x80\"}",      /* UTF-16 surrogate in UTF-8 */
	    "{\"a\":\"\xe2\x82\"}",          /* truncated sequence */
	    "{\"a\":\"\xf4\x90\x80\x80\"}",  /* above U+10FFFF */
	    "{\"\xfe\":1}",                  /* in a key */
	    "{\"a\":\"ok\",\"b\":\"\x80\"}", /* lone continuation byte */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_load_fails(bad[i], strlen(bad[i]), ERROR_JSON_INVALID_UTF8);
}
END_TEST

START_TEST(load_utf8_ok)
{
	json_t *j = load_ok("{\"a\":\"\xc3\xa9\xe1\x9e\x80\xf0\x9f\x97\xb3\",\"b\":\"\\u00e9\"}");

	ck_assert_str_eq(json_string_value(json_object_get(j, "a")),
	                 "\xc3\xa9\xe1\x9e\x80\xf0\x9f\x97\xb3");
	ck_assert_str_eq(json_string_value(json_object_get(j, "b")), "\xc3\xa9");
	json_decref(j);
}
END_TEST

START_TEST(load_nul_escape)
{
	/* jansson refuses \u0000 without JSON_ALLOW_NUL; what reaches the
	 * client is a 400 that says the JSON is bad */
	LOAD_FAILS("{\"a\":\"x\\u0000y\"}", ERROR_JSON_MALFORMED);
	LOAD_FAILS("{\"a\\u0000\":1}", ERROR_JSON_MALFORMED);
	/* a lone surrogate escape is not a character either */
	LOAD_FAILS("{\"a\":\"\\ud800\"}", ERROR_JSON_MALFORMED);
}
END_TEST

START_TEST(load_huge_numbers)
{
	json_t *j;

	LOAD_FAILS("{\"n\":9223372036854775808}", ERROR_JSON_NUMBER_TOO_LARGE);
	LOAD_FAILS("{\"n\":-9223372036854775809}", ERROR_JSON_NUMBER_TOO_LARGE);
	LOAD_FAILS("{\"n\":18446744073709551616}", ERROR_JSON_NUMBER_TOO_LARGE);
	LOAD_FAILS("{\"n\":99999999999999999999999999999}", ERROR_JSON_NUMBER_TOO_LARGE);
	LOAD_FAILS("{\"n\":1e400}", ERROR_JSON_NUMBER_TOO_LARGE);
	LOAD_FAILS("{\"a\":[1,2,9223372036854775808]}", ERROR_JSON_NUMBER_TOO_LARGE);
	/* the extremes of int64 themselves load */
	j = load_ok("{\"max\":9223372036854775807,\"min\":-9223372036854775808}");
	ck_assert(json_integer_value(json_object_get(j, "max")) == INT64_MAX);
	ck_assert(json_integer_value(json_object_get(j, "min")) == INT64_MIN);
	json_decref(j);
}
END_TEST

START_TEST(load_success)
{
	json_t *j = load_ok(" \r\n\t{\"a\":1,\"b\":[true,null,{\"c\":\"d\"}]} \n");

	ck_assert(json_is_object(j));
	ck_assert_uint_eq(json_object_size(j), 2);
	json_decref(j);
	j = load_ok("{}");
	ck_assert_uint_eq(json_object_size(j), 0);
	json_decref(j);
}
END_TEST

/* ---- jspec_parse: a spec with one field of every kind -------------------- */

struct all_kinds {
	const char *s;
	uint8_t hex[4];
	uint8_t *var;
	size_t var_len;
	uint32_t u;
	int64_t i;
	bool b;
	json_t *obj;
	json_t *arr;
	struct jspec_field spec[9];
};

static void
all_kinds_init(struct all_kinds *k)
{
	memset(k, 0, sizeof(*k));
	k->spec[0] = (struct jspec_field){JSPEC_STRING("s", &k->s, 8)};
	k->spec[1] = (struct jspec_field){JSPEC_HEX("hex", k->hex, 4)};
	k->spec[2] = (struct jspec_field){JSPEC_HEXVAR("var", &k->var, &k->var_len, 4)};
	k->spec[3] = (struct jspec_field){JSPEC_U32("u", &k->u, 1, 100)};
	k->spec[4] = (struct jspec_field){JSPEC_I64("i", &k->i, -5, 5)};
	k->spec[5] = (struct jspec_field){JSPEC_BOOL("b", &k->b)};
	k->spec[6] = (struct jspec_field){JSPEC_OBJECT("obj", &k->obj)};
	k->spec[7] = (struct jspec_field){JSPEC_ARRAY("arr", &k->arr, 2)};
	k->spec[8] = (struct jspec_field){JSPEC_END};
}

/* A valid body with one member replaced (name -> "raw value"), or NULL. */
static char *
body_with(const char *name, const char *value)
{
	static const char *const names[] = {"s", "hex", "var", "u", "i", "b", "obj", "arr"};
	static const char *const values[] = {"\"hello\"", "\"0a0b0c0d\"", "\"ff01\"",    "7",
	                                     "-3",        "true",         "{\"k\":[1]}", "[1,2]"};
	char *out = malloc(1024);
	size_t n = 0;

	ck_assert_ptr_nonnull(out);
	out[n++] = '{';
	for (size_t i = 0; i < 8; i++) {
		const char *v = values[i];

		if (name != NULL && strcmp(name, names[i]) == 0) {
			if (value == NULL)
				continue; /* leave it out */
			v = value;
		}
		n += (size_t)snprintf(out + n, 1024 - n, "%s\"%s\":%s", n > 1 ? "," : "", names[i],
		                      v);
	}
	n += (size_t)snprintf(out + n, 1024 - n, "}");
	return out;
}

static void
expect_field_fails(const char *name, const char *value, enum error_code code)
{
	struct all_kinds k;
	char *body = body_with(name, value);

	all_kinds_init(&k);
	expect_parse_fails(body, k.spec, code, name);
	/* the HEX_VAR buffer is gone whatever failed */
	ck_assert_ptr_null(k.var);
	ck_assert_uint_eq(k.var_len, 0);
	free(body);
}

START_TEST(parse_success_every_kind)
{
	static const uint8_t hex[4] = {0x0a, 0x0b, 0x0c, 0x0d};
	struct jspec_error err;
	struct all_kinds k;
	char *body = body_with(NULL, NULL);
	json_t *j = load_ok(body);

	all_kinds_init(&k);
	ck_assert(jspec_parse(j, k.spec, &err));
	ck_assert_str_eq(k.s, "hello");
	/* STRING and OBJECT/ARRAY borrow from the document */
	ck_assert_ptr_eq(k.s, json_string_value(json_object_get(j, "s")));
	ck_assert_mem_eq(k.hex, hex, 4);
	ck_assert_ptr_nonnull(k.var);
	ck_assert_uint_eq(k.var_len, 2);
	ck_assert_uint_eq(k.var[0], 0xff);
	ck_assert_uint_eq(k.var[1], 0x01);
	ck_assert_uint_eq(k.u, 7);
	ck_assert(k.i == -3);
	ck_assert(k.b);
	ck_assert_ptr_eq(k.obj, json_object_get(j, "obj"));
	ck_assert(json_is_object(k.obj));
	ck_assert_ptr_eq(k.arr, json_object_get(j, "arr"));
	ck_assert_uint_eq(json_array_size(k.arr), 2);
	jspec_free(k.spec);
	ck_assert_ptr_null(k.var);
	ck_assert_uint_eq(k.var_len, 0);
	/* jspec_free twice is harmless */
	jspec_free(k.spec);
	json_decref(j);
	free(body);
}
END_TEST

START_TEST(parse_success_bounds)
{
	struct jspec_error err;
	struct all_kinds k;
	char *body;
	json_t *j;

	/* every limit reached exactly: 8-byte string (multi-byte UTF-8 counts
	 * bytes), 4-byte HEX_VAR, u32/i64 at both ends, 2-element array */
	all_kinds_init(&k);
	j = load_ok("{\"s\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"hex\":\"00000000\","
	            "\"var\":\"00ff10ab\",\"u\":100,\"i\":-5,\"b\":false,\"obj\":{},"
	            "\"arr\":[null,\"x\"]}");
	ck_assert(jspec_parse(j, k.spec, &err));
	ck_assert_uint_eq(strlen(k.s), 8);
	ck_assert_uint_eq(k.var_len, 4);
	ck_assert_uint_eq(k.var[3], 0xab);
	ck_assert_uint_eq(k.u, 100);
	ck_assert(k.i == -5);
	ck_assert(!k.b);
	jspec_free(k.spec);
	json_decref(j);

	/* empty values at the low end */
	all_kinds_init(&k);
	body = NULL;
	j = load_ok("{\"s\":\"\",\"hex\":\"ffffffff\",\"var\":\"\",\"u\":1,\"i\":5,\"b\":true,"
	            "\"obj\":{},\"arr\":[]}");
	ck_assert_msg(jspec_parse(j, k.spec, &err), "failed: %s on %s",
	              errors_lookup(err.code)->name, err.field ? err.field : "-");
	ck_assert_str_eq(k.s, "");
	ck_assert_uint_eq(k.var_len, 0);
	ck_assert_uint_eq(k.u, 1);
	ck_assert(k.i == 5);
	jspec_free(k.spec);
	json_decref(j);
	free(body);
}
END_TEST

START_TEST(parse_full_ranges)
{
	struct jspec_error err;
	uint32_t u = 0;
	int64_t lo = 0, hi = 0;
	struct jspec_field spec[] = {
	    {JSPEC_U32("u", &u, 0, UINT32_MAX)},
	    {JSPEC_I64("lo", &lo, INT64_MIN, INT64_MAX)},
	    {JSPEC_I64("hi", &hi, INT64_MIN, INT64_MAX)},
	    {JSPEC_END},
	};
	json_t *j =
	    load_ok("{\"u\":4294967295,\"lo\":-9223372036854775808,\"hi\":9223372036854775807}");

	ck_assert(jspec_parse(j, spec, &err));
	ck_assert_uint_eq(u, UINT32_MAX);
	ck_assert(lo == INT64_MIN);
	ck_assert(hi == INT64_MAX);
	json_decref(j);
	expect_parse_fails("{\"u\":4294967296,\"lo\":0,\"hi\":0}", spec, ERROR_JSON_BAD_VALUE, "u");
	expect_parse_fails("{\"u\":-1,\"lo\":0,\"hi\":0}", spec, ERROR_JSON_BAD_VALUE, "u");
}
END_TEST

START_TEST(parse_unknown_field)
{
	struct all_kinds k;
	char *body = body_with(NULL, NULL);
	char *extra;

	all_kinds_init(&k);
	extra = malloc(strlen(body) + 32);
	ck_assert_ptr_nonnull(extra);
	/* "{...,"sx":1}": a near miss of a real name */
	memcpy(extra, body, strlen(body) - 1);
	strcpy(extra + strlen(body) - 1, ",\"sx\":1}");
	expect_parse_fails(extra, k.spec, ERROR_JSON_UNKNOWN_FIELD, "sx");
	ck_assert_ptr_null(k.var);
	/* case matters */
	all_kinds_init(&k);
	expect_parse_fails("{\"S\":\"x\"}", k.spec, ERROR_JSON_UNKNOWN_FIELD, "S");
	/* an unknown field wins over a missing one: a typo is named as such */
	all_kinds_init(&k);
	expect_parse_fails("{\"hexx\":\"00\"}", k.spec, ERROR_JSON_UNKNOWN_FIELD, "hexx");
	/* an empty spec takes only {} */
	{
		struct jspec_field none[] = {{JSPEC_END}};
		struct jspec_error err;
		json_t *j = load_ok("{}");

		ck_assert(jspec_parse(j, none, &err));
		json_decref(j);
		expect_parse_fails("{\"a\":null}", none, ERROR_JSON_UNKNOWN_FIELD, "a");
	}
	free(extra);
	free(body);
}
END_TEST

START_TEST(parse_missing_field)
{
	static const char *const names[] = {"s", "hex", "var", "u", "i", "b", "obj", "arr"};

	for (size_t i = 0; i < 8; i++)
		expect_field_fails(names[i], NULL, ERROR_JSON_MISSING_FIELD);
	/* null is not absence: it is a value of the wrong type */
	expect_field_fails("s", "null", ERROR_JSON_WRONG_TYPE);
}
END_TEST

START_TEST(parse_wrong_type)
{
	/* each kind given every other JSON type */
	static const struct {
		const char *name;
		const char *value;
	} cases[] = {
	    {"s", "1"},        {"s", "true"},   {"s", "[\"a\"]"},  {"s", "{}"},
	    {"s", "null"},     {"hex", "1"},    {"hex", "null"},   {"hex", "[10,11,12,13]"},
	    {"var", "true"},   {"var", "255"},  {"var", "{}"},     {"u", "\"7\""},
	    {"u", "7.0"},      {"u", "true"},   {"u", "null"},     {"u", "[7]"},
	    {"i", "1.5"},      {"i", "\"-3\""}, {"i", "false"},    {"b", "0"},
	    {"b", "\"true\""}, {"b", "null"},   {"obj", "[]"},     {"obj", "\"{}\""},
	    {"obj", "null"},   {"arr", "{}"},   {"arr", "\"[]\""}, {"arr", "1"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_field_fails(cases[i].name, cases[i].value, ERROR_JSON_WRONG_TYPE);
}
END_TEST

START_TEST(parse_bad_values)
{
	static const struct {
		const char *name;
		const char *value;
	} cases[] = {
	    /* HEX_FIXED: 4 bytes, lowercase */
	    {"hex", "\"0A0B0C0D\""},   /* uppercase */
	    {"hex", "\"0a0b0C0d\""},   /* one uppercase digit */
	    {"hex", "\"0a0b0c\""},     /* too short */
	    {"hex", "\"0a0b0c0d0e\""}, /* too long */
	    {"hex", "\"0a0b0c0\""},    /* odd length */
	    {"hex", "\"0a0b0c0g\""},   /* not hex */
	    {"hex", "\"0x0b0c0d\""},   /* a prefix */
	    {"hex", "\" a0b0c0d\""},   /* a space */
	    {"hex", "\"\""},           /* empty */
	    /* HEX_VAR: at most 4 bytes */
	    {"var", "\"FF01\""},       /* uppercase */
	    {"var", "\"ff0\""},        /* odd length */
	    {"var", "\"ff0z\""},       /* not hex */
	    {"var", "\"0001020304\""}, /* 5 bytes */
	    {"var", "\"000102030\""},  /* 4.5 bytes */
	    /* STRING: at most 8 bytes */
	    {"s", "\"123456789\""},
	    {"s", "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x\""}, /* 9 bytes, 5 characters */
	    /* UINT32 in [1, 100], INT64 in [-5, 5] */
	    {"u", "0"},
	    {"u", "101"},
	    {"u", "-1"},
	    {"u", "4294967297"}, /* 2^32 + 1: must not wrap to 1 */
	    {"u", "9223372036854775807"},
	    {"i", "-6"},
	    {"i", "6"},
	    {"i", "-9223372036854775808"},
	    /* ARRAY: at most 2 elements */
	    {"arr", "[1,2,3]"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_field_fails(cases[i].name, cases[i].value, ERROR_JSON_BAD_VALUE);
}
END_TEST

START_TEST(parse_string_with_nul)
{
	/* jansson refuses \u0000 on load, but a json_t built in code can hold
	 * one; jspec must refuse it too (a C string would be cut short) */
	const char *s = NULL;
	struct jspec_field spec[] = {{JSPEC_STRING("s", &s, 16)}, {JSPEC_END}};
	struct jspec_error err;
	json_t *j = json_object();

	json_object_set_new(j, "s", json_stringn("ab\0cd", 5));
	ck_assert(!jspec_parse(j, spec, &err));
	ck_assert_int_eq(err.code, ERROR_JSON_BAD_VALUE);
	ck_assert_str_eq(err.field, "s");
	ck_assert_ptr_null(s);
	json_decref(j);
}
END_TEST

START_TEST(parse_not_object)
{
	struct all_kinds k;
	struct jspec_error err;
	json_t *v[] = {json_array(), json_string("x"), json_integer(1), json_null(), json_true()};

	all_kinds_init(&k);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		err.code = ERROR_INTERNAL_ERROR;
		ck_assert(!jspec_parse(v[i], k.spec, &err));
		ck_assert_int_eq(err.code, ERROR_JSON_NOT_OBJECT);
		ck_assert_ptr_null(err.field);
		json_decref(v[i]);
	}
	err.code = ERROR_INTERNAL_ERROR;
	ck_assert(!jspec_parse(NULL, k.spec, &err));
	ck_assert_int_eq(err.code, ERROR_JSON_NOT_OBJECT);
}
END_TEST

START_TEST(parse_optional)
{
	const char *note = "untouched";
	uint32_t count = 99;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	bool have_note = true, have_count = true, have_blob = true;
	uint8_t id[2] = {0, 0};
	struct jspec_field spec[] = {
	    {JSPEC_HEX("id", id, 2)},
	    {JSPEC_STRING("note", &note, 10), JSPEC_OPTIONAL(&have_note)},
	    {JSPEC_U32("count", &count, 0, 10), JSPEC_OPTIONAL(&have_count)},
	    {JSPEC_HEXVAR("blob", &blob, &blob_len, 8), JSPEC_OPTIONAL(&have_blob)},
	    {JSPEC_END},
	};
	struct jspec_error err;
	json_t *j;

	/* all absent: flags false, destinations untouched */
	j = load_ok("{\"id\":\"beef\"}");
	ck_assert(jspec_parse(j, spec, &err));
	ck_assert(!have_note);
	ck_assert(!have_count);
	ck_assert(!have_blob);
	ck_assert_str_eq(note, "untouched");
	ck_assert_uint_eq(count, 99);
	ck_assert_ptr_null(blob);
	ck_assert_uint_eq(id[0], 0xbe);
	jspec_free(spec);
	json_decref(j);

	/* all present */
	j = load_ok("{\"id\":\"beef\",\"note\":\"hi\",\"count\":3,\"blob\":\"0102\"}");
	ck_assert(jspec_parse(j, spec, &err));
	ck_assert(have_note);
	ck_assert(have_count);
	ck_assert(have_blob);
	ck_assert_str_eq(note, "hi");
	ck_assert_uint_eq(count, 3);
	ck_assert_uint_eq(blob_len, 2);
	ck_assert_uint_eq(blob[1], 2);
	jspec_free(spec);
	ck_assert_ptr_null(blob);
	json_decref(j);

	/* present but bad: optional does not mean unchecked */
	expect_parse_fails("{\"id\":\"beef\",\"count\":11}", spec, ERROR_JSON_BAD_VALUE, "count");
	expect_parse_fails("{\"id\":\"beef\",\"note\":null}", spec, ERROR_JSON_WRONG_TYPE, "note");
	/* a required field is still required */
	expect_parse_fails("{\"note\":\"hi\"}", spec, ERROR_JSON_MISSING_FIELD, "id");
}
END_TEST

START_TEST(parse_optional_without_flag)
{
	bool b = true;
	struct jspec_field spec[] = {
	    {JSPEC_BOOL("b", &b), .optional = true},
	    {JSPEC_END},
	};
	struct jspec_error err;
	json_t *j = load_ok("{}");

	ck_assert(jspec_parse(j, spec, &err));
	ck_assert(b);
	json_decref(j);
}
END_TEST

/* HEX_VAR buffers already decoded are freed when a later field fails, and
 * the destination is reset: the caller has nothing to free. */
START_TEST(hexvar_freed_on_failure)
{
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	uint32_t n = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("a", &a, &alen, 64)},
	    {JSPEC_HEXVAR("b", &b, &blen, 64)},
	    {JSPEC_U32("n", &n, 0, 10)},
	    {JSPEC_END},
	};

	/* both decoded, then n is out of range */
	expect_parse_fails("{\"a\":\"0102\",\"b\":\"030405\",\"n\":11}", spec, ERROR_JSON_BAD_VALUE,
	                   "n");
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(b);
	ck_assert_uint_eq(alen, 0);
	ck_assert_uint_eq(blen, 0);
	/* a decoded, b bad */
	expect_parse_fails("{\"a\":\"0102\",\"b\":\"0G\",\"n\":1}", spec, ERROR_JSON_BAD_VALUE,
	                   "b");
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(b);
	/* a decoded, b of the wrong type */
	expect_parse_fails("{\"a\":\"0102\",\"b\":7,\"n\":1}", spec, ERROR_JSON_WRONG_TYPE, "b");
	ck_assert_ptr_null(a);
	/* both decoded, n missing */
	expect_parse_fails("{\"a\":\"0102\",\"b\":\"03\"}", spec, ERROR_JSON_MISSING_FIELD, "n");
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(b);
	ck_assert_uint_eq(alen, 0);
	ck_assert_uint_eq(blen, 0);
}
END_TEST

/* A HEX_VAR destination that jspec_parse has not filled is not jspec's to
 * free.  A handler that declares `uint8_t *blob;` without "= NULL" and
 * sends a body that fails on an earlier field must not have free() called
 * on whatever the stack held.  Here the destination holds a live malloc'd
 * pointer, so the bug shows as a reset destination instead of a crash. */
START_TEST(hexvar_unfilled_destination_left_alone)
{
	uint8_t *mine = malloc(4);
	uint8_t *blob = mine;
	size_t blob_len = 4;
	uint32_t n = 0;
	struct jspec_field spec[] = {
	    {JSPEC_U32("n", &n, 0, 10)},
	    {JSPEC_HEXVAR("blob", &blob, &blob_len, 8)},
	    {JSPEC_END},
	};

	ck_assert_ptr_nonnull(mine);
	expect_parse_fails("{\"n\":11,\"blob\":\"00\"}", spec, ERROR_JSON_BAD_VALUE, "n");
	ck_assert_msg(blob == mine, "jspec_parse freed a HEX_VAR destination it never filled");
	free(mine);
}
END_TEST

/* The same for an optional HEX_VAR that was not given: jspec_parse did
 * not fill it, so a later failure must not free it, flag or no flag. */
START_TEST(hexvar_absent_optional_kept_on_failure)
{
	uint8_t *mine = malloc(4), *mine2 = malloc(4);
	uint8_t *blob = mine, *blob2 = mine2;
	size_t blob_len = 4, blob2_len = 4;
	bool have_blob2 = true, kept, kept2;
	uint32_t n = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("blob", &blob, &blob_len, 8), .optional = true},
	    {JSPEC_HEXVAR("blob2", &blob2, &blob2_len, 8), JSPEC_OPTIONAL(&have_blob2)},
	    {JSPEC_U32("n", &n, 0, 10)},
	    {JSPEC_END},
	};

	ck_assert_ptr_nonnull(mine);
	ck_assert_ptr_nonnull(mine2);
	expect_parse_fails("{\"n\":11}", spec, ERROR_JSON_BAD_VALUE, "n");
	kept = blob == mine;
	kept2 = blob2 == mine2;
	if (kept)
		free(mine);
	if (kept2)
		free(mine2);
	ck_assert_msg(kept2, "an absent optional HEX_VAR (with flag) was freed");
	ck_assert_msg(kept, "an absent optional HEX_VAR (no flag) was freed");
}
END_TEST

/* jspec_free "frees what jspec_parse allocated": not an absent optional
 * field's destination. */
START_TEST(hexvar_absent_optional_kept_by_jspec_free)
{
	uint8_t *mine = malloc(4), *given = NULL;
	uint8_t *blob = mine;
	size_t blob_len = 4, given_len = 0;
	bool have_blob = true, kept;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("blob", &blob, &blob_len, 8), JSPEC_OPTIONAL(&have_blob)},
	    {JSPEC_HEXVAR("given", &given, &given_len, 8)},
	    {JSPEC_END},
	};
	struct jspec_error err;
	json_t *j = load_ok("{\"given\":\"0102\"}");

	ck_assert_ptr_nonnull(mine);
	ck_assert(jspec_parse(j, spec, &err));
	ck_assert(!have_blob);
	ck_assert_uint_eq(given_len, 2);
	jspec_free(spec);
	ck_assert_ptr_null(given);
	kept = blob == mine;
	if (kept)
		free(mine);
	json_decref(j);
	ck_assert_msg(kept, "jspec_free freed an absent optional HEX_VAR's destination");
}
END_TEST

Suite *
jspec_suite(void)
{
	Suite *s = suite_create("jspec");
	TCase *load = tcase_create("load");
	TCase *parse = tcase_create("parse");

	tcase_add_test(load, load_malformed);
	tcase_add_test(load, load_duplicate_key);
	tcase_add_test(load, load_not_object);
	tcase_add_test(load, load_depth);
	tcase_add_test(load, load_invalid_utf8);
	tcase_add_test(load, load_utf8_ok);
	tcase_add_test(load, load_nul_escape);
	tcase_add_test(load, load_huge_numbers);
	tcase_add_test(load, load_success);
	tcase_set_timeout(load, 30);
	suite_add_tcase(s, load);

	tcase_add_test(parse, parse_success_every_kind);
	tcase_add_test(parse, parse_success_bounds);
	tcase_add_test(parse, parse_full_ranges);
	tcase_add_test(parse, parse_unknown_field);
	tcase_add_test(parse, parse_missing_field);
	tcase_add_test(parse, parse_wrong_type);
	tcase_add_test(parse, parse_bad_values);
	tcase_add_test(parse, parse_string_with_nul);
	tcase_add_test(parse, parse_not_object);
	tcase_add_test(parse, parse_optional);
	tcase_add_test(parse, parse_optional_without_flag);
	tcase_add_test(parse, hexvar_freed_on_failure);
	tcase_add_test(parse, hexvar_unfilled_destination_left_alone);
	tcase_add_test(parse, hexvar_absent_optional_kept_on_failure);
	tcase_add_test(parse, hexvar_absent_optional_kept_by_jspec_free);
	suite_add_tcase(s, parse);
	return s;
}
