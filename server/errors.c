/*
 * errors.c -- the expanded error registry.
 */
#include "errors.h"

#include <stddef.h>

static const struct error_entry registry[] = {
#define ERR(code, name, status, hint) {ERROR_##name, #name, status, hint},
#include "errors.def"
#undef ERR
};

const struct error_entry *
errors_lookup(enum error_code code)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (registry[i].code == code)
			return &registry[i];
	return &registry[0]; /* INTERNAL_ERROR comes first */
}

const struct error_entry *
errors_all(unsigned *count)
{
	*count = (unsigned)(sizeof(registry) / sizeof(registry[0]));
	return registry;
}
