/*
 * csv.c -- the CSV reader.  Fields are copied into one scratch buffer, so
 * a record never allocates more than the input's size.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

void
csv_init(struct csv_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = text;
	r->end = text + len;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

void
csv_free(struct csv_reader *r)
{
	free(r->scratch);
	r->scratch = NULL;
}

int
csv_next(struct csv_reader *r, const char **fields, int max)
{
	size_t need = (size_t)(r->end - r->p) + (size_t)max + 1, o = 0;
	int n = 0;

	/* skip blank lines between records */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
	if (r->p >= r->end)
		return 0;
	r->line++;
	r->record_line = r->line;
	if (need > r->scratch_cap) {
		char *s = realloc(r->scratch, need);

		if (s == NULL)
			return -1;
		r->scratch = s;
		r->scratch_cap = need;
	}
	for (;;) {
		if (n >= max)
			return -1;
		fields[n++] = r->scratch + o;
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p >= r->end)
					return -1; /* unterminated quote */
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						r->scratch[o++] = '"';
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\n')
					r->line++;
				r->scratch[o++] = *r->p++;
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
				return -1; /* text after a closing quote */
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
				if (*r->p == '"')
					return -1; /* a quote inside an unquoted field */
				r->scratch[o++] = *r->p++;
			}
		}
		r->scratch[o++] = '\0';
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		return n;
	}
}
