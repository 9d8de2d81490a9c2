/*
 * csv.h -- a strict RFC 4180 reader: comma-separated, fields optionally
 * in double quotes with "" for a quote, CRLF or LF line ends, a UTF-8
 * byte-order mark tolerated at the start.  Pure.
 */
#ifndef NGO_VOTE_CSV_H
#define NGO_VOTE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 16

struct csv_reader {
	const char *p, *end;
	unsigned line;        /* lines consumed so far */
	unsigned record_line; /* 1-based line where the record just read starts */
	char *scratch;        /* unquoted field text, NUL-separated */
	size_t scratch_cap;
};

void csv_init(struct csv_reader *r, const char *text, size_t len);
void csv_free(struct csv_reader *r);
/* Reads one record into fields (pointers valid until the next call).
 * Returns the number of fields, 0 at the end, -1 on a syntax error. */
int csv_next(struct csv_reader *r, const char **fields, int max);

#endif
