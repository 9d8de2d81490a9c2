/*
 * timeutil.h -- the daemon's clock in the protocol's Time form (spec §2):
 * exactly "YYYY-MM-DDTHH:MM:SSZ", UTC.  Core never reads a clock.
 */
#ifndef NGO_VOTE_TIMEUTIL_H
#define NGO_VOTE_TIMEUTIL_H

#include <time.h>

#define TIMEUTIL_LEN 20

/* Writes the current UTC time (21 bytes with the NUL). */
void timeutil_now(char out[TIMEUTIL_LEN + 1]);
/* Formats t. */
void timeutil_format(time_t t, char out[TIMEUTIL_LEN + 1]);
/* Parses the exact form; returns (time_t)-1 on any deviation. */
time_t timeutil_parse(const char *s);

#endif
