/*
 * errors.h -- the API error registry (errors.def) as an enum and lookups.
 * Pure data: the http layer turns an entry into a JSON reply.
 */
#ifndef NGO_VOTE_ERRORS_H
#define NGO_VOTE_ERRORS_H

enum error_code {
#define ERR(code, name, status, hint) ERROR_##name = code,
#include "errors.def"
#undef ERR
};

struct error_entry {
	enum error_code code;
	const char *name;
	unsigned http_status;
	const char *hint;
};

/* The registry entry for a code; INTERNAL_ERROR's for an unknown one. */
const struct error_entry *errors_lookup(enum error_code code);
/* The whole registry, for tests and docs. */
const struct error_entry *errors_all(unsigned *count);

#endif
