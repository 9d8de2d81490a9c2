/*
 * timeutil.c -- UTC times in the one textual form the protocol allows.
 */
#include "timeutil.h"

#include <stdio.h>
#include <string.h>

void
timeutil_format(time_t t, char out[TIMEUTIL_LEN + 1])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, TIMEUTIL_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
timeutil_now(char out[TIMEUTIL_LEN + 1])
{
	timeutil_format(time(NULL), out);
}

time_t
timeutil_parse(const char *s)
{
	struct tm tm;
	char again[TIMEUTIL_LEN + 1];
	time_t t;

	if (s == NULL || strlen(s) != TIMEUTIL_LEN)
		return (time_t)-1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &tm.tm_sec) != 6)
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return t;
	/* round-trip: rejects 31 April, 25:00 and any other normalisation */
	timeutil_format(t, again);
	return strcmp(again, s) == 0 ? t : (time_t)-1;
}
