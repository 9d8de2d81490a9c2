/*
 * jspec.c -- strict JSON intake: load once (duplicates rejected, depth
 * bounded) and check each field against a declarative spec.
 */
#include "jspec.h"

#include <stdlib.h>
#include <string.h>

#include "encoding.h"

/* jansson's own limit is 2048; request bodies never need more than a few. */
#define JSPEC_MAX_DEPTH 32

static bool
fail(struct jspec_error *err, enum error_code code, const char *field)
{
	err->code = code;
	err->field = field;
	return false;
}

static size_t
json_depth(const json_t *v, size_t limit)
{
	size_t deepest = 0;

	if (limit == 0)
		return 1;
	if (json_is_object(v)) {
		const char *k;
		json_t *child;

		json_object_foreach((json_t *)v, k, child)
		{
			size_t d = json_depth(child, limit - 1);

			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *child;

		json_array_foreach(v, i, child)
		{
			size_t d = json_depth(child, limit - 1);

			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	return 1;
}

json_t *
jspec_load_body(const char *body, size_t len, struct jspec_error *err)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		switch (json_error_code(&jerr)) {
		case json_error_duplicate_key:
			fail(err, ERROR_JSON_DUPLICATE_KEY, NULL);
			break;
		case json_error_stack_overflow:
			fail(err, ERROR_JSON_TOO_DEEP, NULL);
			break;
		case json_error_invalid_utf8:
			fail(err, ERROR_JSON_INVALID_UTF8, NULL);
			break;
		case json_error_numeric_overflow:
			fail(err, ERROR_JSON_NUMBER_TOO_LARGE, NULL);
			break;
		default:
			fail(err, ERROR_JSON_MALFORMED, NULL);
			break;
		}
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		fail(err, ERROR_JSON_NOT_OBJECT, NULL);
		return NULL;
	}
	if (json_depth(root, JSPEC_MAX_DEPTH + 1) > JSPEC_MAX_DEPTH) {
		json_decref(root);
		fail(err, ERROR_JSON_TOO_DEEP, NULL);
		return NULL;
	}
	return root;
}

static const struct jspec_field *
spec_find(const struct jspec_field *spec, const char *key)
{
	for (; spec->kind != JSPEC_KIND_END; spec++)
		if (strcmp(spec->name, key) == 0)
			return spec;
	return NULL;
}

static bool
parse_field(const json_t *v, struct jspec_field *f, struct jspec_error *err)
{
	switch (f->kind) {
	case JSPEC_KIND_STRING: {
		size_t n;

		if (!json_is_string(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		n = json_string_length(v);
		/* jansson rejects \u0000 on load, but keep the check local */
		if ((int64_t)n > f->max || memchr(json_string_value(v), '\0', n) != NULL)
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		*(const char **)f->dest = json_string_value(v);
		return true;
	}
	case JSPEC_KIND_HEX_FIXED:
		if (!json_is_string(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		if (!encoding_hex_decode(json_string_value(v), json_string_length(v), f->dest,
		                         (size_t)f->max))
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		return true;
	case JSPEC_KIND_HEX_VAR: {
		size_t hexlen, n;
		uint8_t *p;

		if (!json_is_string(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		hexlen = json_string_length(v);
		if (hexlen / 2 > (size_t)f->max)
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		p = encoding_hex_decode_alloc(json_string_value(v), hexlen, &n);
		if (p == NULL)
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		*(uint8_t **)f->dest = p;
		*f->len_out = n;
		f->filled = true;
		return true;
	}
	case JSPEC_KIND_UINT32:
	case JSPEC_KIND_INT64: {
		json_int_t x;

		if (!json_is_integer(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		x = json_integer_value(v);
		if (x < f->min || x > f->max)
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		if (f->kind == JSPEC_KIND_UINT32)
			*(uint32_t *)f->dest = (uint32_t)x;
		else
			*(int64_t *)f->dest = (int64_t)x;
		return true;
	}
	case JSPEC_KIND_BOOL:
		if (!json_is_boolean(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		*(bool *)f->dest = json_is_true(v);
		return true;
	case JSPEC_KIND_OBJECT:
		if (!json_is_object(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		*(const json_t **)f->dest = v;
		return true;
	case JSPEC_KIND_ARRAY:
		if (!json_is_array(v))
			return fail(err, ERROR_JSON_WRONG_TYPE, f->name);
		if ((int64_t)json_array_size(v) > f->max)
			return fail(err, ERROR_JSON_BAD_VALUE, f->name);
		*(const json_t **)f->dest = v;
		return true;
	case JSPEC_KIND_END:
		break;
	}
	return fail(err, ERROR_INTERNAL_ERROR, f->name);
}

bool
jspec_parse(const json_t *obj, struct jspec_field *spec, struct jspec_error *err)
{
	const char *key;
	json_t *v;

	for (struct jspec_field *f = spec; f->kind != JSPEC_KIND_END; f++)
		f->filled = false;
	if (!json_is_object(obj))
		return fail(err, ERROR_JSON_NOT_OBJECT, NULL);
	/* unknown fields first: a typo should be named as such */
	json_object_foreach((json_t *)obj, key, v)
	{
		const struct jspec_field *f = spec_find(spec, key);

		if (f == NULL)
			return fail(err, ERROR_JSON_UNKNOWN_FIELD, key);
	}
	for (struct jspec_field *f = spec; f->kind != JSPEC_KIND_END; f++) {
		v = json_object_get(obj, f->name);
		if (f->present != NULL)
			*f->present = (v != NULL);
		if (v == NULL) {
			if (f->optional)
				continue;
			jspec_free(spec);
			return fail(err, ERROR_JSON_MISSING_FIELD, f->name);
		}
		if (!parse_field(v, f, err)) {
			jspec_free(spec);
			return false;
		}
	}
	return true;
}

void
jspec_free(struct jspec_field *spec)
{
	for (struct jspec_field *f = spec; f->kind != JSPEC_KIND_END; f++) {
		if (f->kind == JSPEC_KIND_HEX_VAR && f->filled) {
			free(*(uint8_t **)f->dest);
			*(uint8_t **)f->dest = NULL;
			*f->len_out = 0;
			f->filled = false;
		}
	}
}
