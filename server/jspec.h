/*
 * jspec.h -- declarative, strict parsing of JSON request bodies.
 *
 * A handler lists its fields as an array of struct jspec_field ending in
 * JSPEC_END.  jspec_parse() rejects unknown fields, missing required
 * fields, wrong types and bad values, and names the offending field, so
 * handlers only ever see parsed values.  Knows jansson, not HTTP.
 */
#ifndef NGO_VOTE_JSPEC_H
#define NGO_VOTE_JSPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

enum jspec_kind {
	JSPEC_KIND_END = 0,
	JSPEC_KIND_STRING,    /* const char ** (borrowed), UTF-8, no NUL, <= max bytes */
	JSPEC_KIND_HEX_FIXED, /* uint8_t[size]: lowercase hex of exactly size bytes */
	JSPEC_KIND_HEX_VAR,   /* uint8_t ** (malloc'd) + size_t *len, <= max bytes */
	JSPEC_KIND_UINT32,    /* uint32_t *, in [min, max] */
	JSPEC_KIND_INT64,     /* int64_t *, in [min, max] */
	JSPEC_KIND_BOOL,      /* bool * */
	JSPEC_KIND_OBJECT,    /* json_t ** (borrowed) */
	JSPEC_KIND_ARRAY,     /* json_t ** (borrowed), <= max elements */
};

struct jspec_field {
	const char *name;
	enum jspec_kind kind;
	void *dest;
	size_t *len_out;  /* HEX_VAR: decoded length */
	bool *present;    /* optional fields: set to whether it was given */
	int64_t min, max; /* integer range; STRING/HEX/ARRAY: max size */
	bool optional;
	bool filled; /* set by jspec_parse: a buffer of ours is in dest */
};

/* Field descriptors are designator lists, used inside braces:
 *   struct jspec_field spec[] = {
 *     {JSPEC_HEX("signature", sig, 64)},
 *     {JSPEC_STRING("note", &note, 200), JSPEC_OPTIONAL(&have_note)},
 *     {JSPEC_END},
 *   };                                                                     */
#define JSPEC_STRING(n, d, maxb) .name = (n), .kind = JSPEC_KIND_STRING, .dest = (d), .max = (maxb)
#define JSPEC_HEX(n, d, bytes)                                                                     \
	.name = (n), .kind = JSPEC_KIND_HEX_FIXED, .dest = (d), .max = (bytes)
#define JSPEC_HEXVAR(n, d, lenp, maxb)                                                             \
	.name = (n), .kind = JSPEC_KIND_HEX_VAR, .dest = (d), .len_out = (lenp), .max = (maxb)
#define JSPEC_U32(n, d, lo, hi)                                                                    \
	.name = (n), .kind = JSPEC_KIND_UINT32, .dest = (d), .min = (lo), .max = (hi)
#define JSPEC_I64(n, d, lo, hi)                                                                    \
	.name = (n), .kind = JSPEC_KIND_INT64, .dest = (d), .min = (lo), .max = (hi)
#define JSPEC_BOOL(n, d)        .name = (n), .kind = JSPEC_KIND_BOOL, .dest = (d)
#define JSPEC_OBJECT(n, d)      .name = (n), .kind = JSPEC_KIND_OBJECT, .dest = (d)
#define JSPEC_ARRAY(n, d, maxn) .name = (n), .kind = JSPEC_KIND_ARRAY, .dest = (d), .max = (maxn)
#define JSPEC_OPTIONAL(given)   .optional = true, .present = (given)
#define JSPEC_END               .name = NULL, .kind = JSPEC_KIND_END

struct jspec_error {
	enum error_code code;
	const char *field; /* the spec's field name, a key of the JSON, or NULL */
};

/* Parses obj against spec.  Destinations of absent optional fields are
 * left as they were.  On failure fills err and returns false with no
 * buffer left allocated; after success jspec_free() releases the HEX_VAR
 * buffers it filled. */
bool jspec_parse(const json_t *obj, struct jspec_field *spec, struct jspec_error *err);
/* Frees what jspec_parse allocated (HEX_VAR buffers). */
void jspec_free(struct jspec_field *spec);

/* Loads a JSON body strictly: one object, duplicate keys rejected, depth
 * bounded.  Returns NULL and an error code on failure. */
json_t *jspec_load_body(const char *body, size_t len, struct jspec_error *err);

#endif
