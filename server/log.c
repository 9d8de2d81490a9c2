/*
 * log.c -- stderr logging with escaping of untrusted bytes.  Each line is
 * written with a single fprintf so lines from worker threads do not mix.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static void
timestamp(char out[48])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000) % 1000);
}

void
log_msg(const char *kind, const char *fmt, ...)
{
	char line[1024], ts[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	timestamp(ts);
	fprintf(stderr, "%s %s %s\n", ts, kind, line);
}

void
log_escape(const char *in, size_t max, char *out, size_t outsize)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	if (outsize == 0)
		return;
	for (size_t i = 0; in != NULL && i < max && in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			if (o + 1 >= outsize)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outsize)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 15];
		}
	}
	out[o] = '\0';
}

void
log_request(uint64_t id, const char *method, const char *route, unsigned status, double latency_ms,
            const char *url)
{
	char m[40], u[600], ts[48];

	log_escape(method, 16, m, sizeof(m));
	log_escape(url, 140, u, sizeof(u));
	timestamp(ts);
	fprintf(stderr, "%s REQ id=%016llx method=%s route=%s status=%u ms=%.2f url=\"%s\"\n", ts,
	        (unsigned long long)id, m, route, status, latency_ms, u);
}
