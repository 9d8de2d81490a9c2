/*
 * fuzz_csv.c -- libFuzzer harness for the CSV reader (csv.c), which reads
 * the secretariat's NGO import (POST /api/admin/ngos/import) as uploaded.
 * The first input byte chooses the field limit (1..CSV_MAX_FIELDS); the
 * rest is the file, in a buffer of its exact size (no NUL after it).
 *
 * Invariants checked on every record, read as h_ngos.c reads them (until
 * the end or the first syntax error):
 *  - csv_next returns -1, 0 or a field count in 1..max;
 *  - every field is a NUL-terminated string inside the scratch buffer, and
 *    the fields of one record are no longer together than the input;
 *  - a record consumes input, its line number starts after the previous
 *    one's, and line numbers never exceed the input's line ends + 1.
 */
#include "csv.h"
#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *fields[CSV_MAX_FIELDS];
	struct csv_reader r;
	unsigned newlines = 0, last_line = 0;
	const char *before;
	char *text;
	int max, nf;

	if (size < 1)
		return 0;
	max = 1 + data[0] % CSV_MAX_FIELDS;
	text = fuzz_copy(data + 1, size - 1);
	/* line ends: LF, and a CR not followed by LF (the reader ends a record there) */
	for (size_t i = 1; i < size; i++)
		newlines +=
		    data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	csv_init(&r, text, size - 1);
	for (;;) {
		size_t total = 0;

		before = r.p;
		nf = csv_next(&r, fields, max);
		FUZZ_CHECK(nf >= -1 && nf <= max);
		if (nf <= 0)
			break;
		FUZZ_CHECK(r.p > before && r.p <= text + (size - 1));
		FUZZ_CHECK(r.record_line > last_line && r.record_line <= r.line);
		FUZZ_CHECK(r.line <= newlines + 1);
		last_line = r.line;
		for (int k = 0; k < nf; k++) {
			size_t n;

			FUZZ_CHECK(fields[k] >= r.scratch && fields[k] < r.scratch + r.scratch_cap);
			n = strnlen(fields[k], r.scratch_cap - (size_t)(fields[k] - r.scratch));
			FUZZ_CHECK(fields[k] + n < r.scratch + r.scratch_cap);
			total += n;
		}
		FUZZ_CHECK(total <= size - 1);
	}
	if (nf == 0)
		FUZZ_CHECK(r.p == text + (size - 1));
	csv_free(&r);
	free(text);
	return 0;
}
