/*
 * enrol_code.h -- enrolment codes: 120 random bits written as 24
 * Crockford base32 characters in groups of four, forgiving of case,
 * dashes, spaces and the look-alikes I/L/O when typed back.  Pure.
 */
#ifndef NGO_VOTE_ENROL_CODE_H
#define NGO_VOTE_ENROL_CODE_H

#include <stdbool.h>
#include <stdint.h>

#define ENROL_CODE_CHARS   24
#define ENROL_CODE_DISPLAY (ENROL_CODE_CHARS + ENROL_CODE_CHARS / 4) /* with dashes, + NUL */

/* A fresh code for display ("ABCD-EFGH-...") and its hash. */
void enrol_code_new(char display[ENROL_CODE_DISPLAY], uint8_t hash[32]);
/* The hash of a typed code; false if it cannot be a code. */
bool enrol_code_hash(const char *typed, uint8_t hash[32]);

#endif
