/*
 * fuzz_jspec.c -- libFuzzer harness for JSON request intake: the body as
 * the dispatcher receives it goes through jspec_load_body (strict load:
 * one object, duplicate keys refused, depth bounded), then through
 * jspec_parse with three field specs: one that uses every field kind,
 * the ballot handler's (h_ballot.c) and the receipt check's
 * (h_receipt_check.c).
 *
 * Invariants checked on every input:
 *  - a refused body gets one of the JSON_* errors, each a 400;
 *  - an accepted body is an object no deeper than the bound;
 *  - after a successful parse every destination holds a value of its
 *    kind within the spec's bounds (strings without NUL, hex lengths,
 *    integer ranges, array sizes), `present` flags tell the truth, and
 *    jspec_free releases the hex buffers;
 *  - after a refused parse no hex buffer is left and the error names a
 *    field of the spec or a key of the body.
 */
#include <jansson.h>
#include <stdbool.h>

#include "errors.h"
#include "fuzz_common.h"
#include "jspec.h"

#define DEPTH_MAX 32 /* JSPEC_MAX_DEPTH in jspec.c */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(0x6e676f76); /* deterministic key order */
	return 0;
}

static size_t
depth(const json_t *v)
{
	size_t d = 0, i;
	const char *k;
	json_t *c;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c)
		{
			size_t x = depth(c);

			d = x > d ? x : d;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			size_t x = depth(c);

			d = x > d ? x : d;
		}
		return d + 1;
	}
	return 1;
}

static void
check_error(const struct jspec_error *err, const json_t *obj, const struct jspec_field *spec)
{
	bool named = false;

	FUZZ_CHECK(err->code == ERROR_JSON_UNKNOWN_FIELD || err->code == ERROR_JSON_MISSING_FIELD ||
	           err->code == ERROR_JSON_WRONG_TYPE || err->code == ERROR_JSON_BAD_VALUE);
	FUZZ_CHECK(errors_lookup(err->code)->http_status == 400);
	FUZZ_CHECK(err->field != NULL);
	if (err->code == ERROR_JSON_UNKNOWN_FIELD) {
		FUZZ_CHECK(json_object_get(obj, err->field) != NULL);
		return;
	}
	for (const struct jspec_field *f = spec; f->kind != JSPEC_KIND_END; f++)
		named |= strcmp(f->name, err->field) == 0;
	FUZZ_CHECK(named);
}

/* Reads every byte of a hex buffer (ASan checks its size). */
static unsigned
touch(const uint8_t *p, size_t n)
{
	unsigned x = 0;

	for (size_t i = 0; i < n; i++)
		x += p[i];
	return x;
}

static void
every_kind(const json_t *obj)
{
	const char *s = NULL;
	uint8_t hex[8], *var = NULL;
	size_t var_len = 0;
	uint32_t u = 0;
	int64_t i = 0;
	bool flag = false, have[8] = {false};
	const json_t *o = NULL, *a = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("s", &s, 16), JSPEC_OPTIONAL(&have[0])},
	    {JSPEC_HEX("hex", hex, 8), JSPEC_OPTIONAL(&have[1])},
	    {JSPEC_HEXVAR("var", &var, &var_len, 32), JSPEC_OPTIONAL(&have[2])},
	    {JSPEC_U32("u32", &u, 1, 1000), JSPEC_OPTIONAL(&have[3])},
	    {JSPEC_I64("i64", &i, INT64_MIN, INT64_MAX), JSPEC_OPTIONAL(&have[4])},
	    {JSPEC_BOOL("flag", &flag), JSPEC_OPTIONAL(&have[5])},
	    {JSPEC_OBJECT("obj", &o), JSPEC_OPTIONAL(&have[6])},
	    {JSPEC_ARRAY("arr", &a, 4), JSPEC_OPTIONAL(&have[7])},
	    {JSPEC_END},
	};
	struct jspec_error err;

	if (!jspec_parse(obj, spec, &err)) {
		check_error(&err, obj, spec);
		FUZZ_CHECK(var == NULL);
		return;
	}
	for (int k = 0; k < 8; k++)
		FUZZ_CHECK(have[k] == (json_object_get(obj, spec[k].name) != NULL));
	if (have[0])
		FUZZ_CHECK(s != NULL && strlen(s) <= 16 &&
		           strlen(s) == json_string_length(json_object_get(obj, "s")));
	if (have[2]) {
		FUZZ_CHECK(var != NULL && var_len <= 32);
		(void)touch(var, var_len);
	} else {
		FUZZ_CHECK(var == NULL);
	}
	if (have[3])
		FUZZ_CHECK(u >= 1 && u <= 1000);
	if (have[4])
		FUZZ_CHECK(i == json_integer_value(json_object_get(obj, "i64")));
	if (have[6])
		FUZZ_CHECK(json_is_object(o));
	if (have[7])
		FUZZ_CHECK(json_is_array(a) && json_array_size(a) <= 4);
	jspec_free(spec);
	FUZZ_CHECK(var == NULL && var_len == 0);
}

static void
ballot_spec(const json_t *obj)
{
	uint8_t *body = NULL, sig[64];
	size_t len = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEXVAR("body", &body, &len, 16384)},
	    {JSPEC_HEX("signature", sig, 64)},
	    {JSPEC_END},
	};
	struct jspec_error err;

	if (!jspec_parse(obj, spec, &err)) {
		check_error(&err, obj, spec);
		FUZZ_CHECK(body == NULL);
		return;
	}
	FUZZ_CHECK(body != NULL && len <= 16384);
	(void)touch(body, len);
	(void)touch(sig, sizeof(sig));
	jspec_free(spec);
	FUZZ_CHECK(body == NULL);
}

static void
receipt_spec(const json_t *obj)
{
	uint8_t eh[64], evh[64], bh[64], sig[64];
	uint32_t n = 0;
	struct jspec_field spec[] = {
	    {JSPEC_HEX("election_hash", eh, 64)}, {JSPEC_U32("n", &n, 0, INT32_MAX)},
	    {JSPEC_HEX("event_hash", evh, 64)},   {JSPEC_HEX("ballot_hash", bh, 64)},
	    {JSPEC_HEX("signature", sig, 64)},    {JSPEC_END},
	};
	struct jspec_error err;

	if (!jspec_parse(obj, spec, &err)) {
		check_error(&err, obj, spec);
		return;
	}
	FUZZ_CHECK(n <= INT32_MAX);
	jspec_free(spec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_copy(data, size);
	struct jspec_error err;
	json_t *root;

	memset(&err, 0, sizeof(err));
	root = jspec_load_body(body, size, &err);
	if (root == NULL) {
		FUZZ_CHECK(
		    err.code == ERROR_JSON_MALFORMED || err.code == ERROR_JSON_DUPLICATE_KEY ||
		    err.code == ERROR_JSON_NOT_OBJECT || err.code == ERROR_JSON_TOO_DEEP ||
		    err.code == ERROR_JSON_INVALID_UTF8 || err.code == ERROR_JSON_NUMBER_TOO_LARGE);
		FUZZ_CHECK(errors_lookup(err.code)->http_status == 400);
		free(body);
		return 0;
	}
	FUZZ_CHECK(json_is_object(root));
	FUZZ_CHECK(depth(root) <= DEPTH_MAX);
	every_kind(root);
	ballot_spec(root);
	receipt_spec(root);
	json_decref(root);
	free(body);
	return 0;
}
