/*
 * ngo_fields.h -- validation of an NGO's registry fields, shared by the
 * form endpoints and the CSV import.  Pure: no HTTP, no SQL.
 */
#ifndef NGO_VOTE_NGO_FIELDS_H
#define NGO_VOTE_NGO_FIELDS_H

#include <stdbool.h>

#include "dbq_ngos.h"

/* Checks every field; on failure returns the name of the first bad field
 * and a short English reason.  check_id: whether f->id is checked too. */
bool ngo_fields_valid(const struct dbq_ngo_fields *f, bool check_id, const char **field,
                      const char **why);
/* Id slugs: 1-64 bytes of [a-z0-9_-], as the protocol's identifiers. */
bool ngo_fields_slug_ok(const char *s);
/* Whether s is valid UTF-8 with no control characters. */
bool ngo_fields_text_ok(const char *s, size_t max);
/* Whether s contains at least one character of the Khmer script. */
bool ngo_fields_has_khmer(const char *s);
/* The key fingerprint: first 16 bytes of SHA-256(pk) as 8 groups of 4 hex. */
void ngo_fields_fingerprint(const unsigned char pk[32], char out[40]);

#endif
