/*
 * test_errors.c -- the error registry (server/errors.def): every entry is
 * well formed, numbers and names are unique, lookups of unknown codes fall
 * back to INTERNAL_ERROR, and every code lies in the range that the
 * comment at the top of errors.def assigns to its kind of error.
 *
 * The range test reads server/errors.def from the source tree (the suite
 * runs from the repository root; NGO_VOTE_SRC overrides the root).
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

Suite *errors_suite(void);

/* What the X-macro expansion must agree with, entry by entry. */
static const struct {
	int code;
	int value;
	const char *name;
	unsigned status;
} def_lines[] = {
#define ERR(code, name, status, hint) {code, ERROR_##name, #name, status},
#include "errors.def"
#undef ERR
};

#define NDEF (sizeof(def_lines) / sizeof(def_lines[0]))

START_TEST(registry_matches_def)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	ck_assert_uint_eq(n, NDEF);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq((int)all[i].code, def_lines[i].code);
		ck_assert_int_eq(def_lines[i].value, def_lines[i].code);
		ck_assert_str_eq(all[i].name, def_lines[i].name);
		ck_assert_uint_eq(all[i].http_status, def_lines[i].status);
	}
}
END_TEST

START_TEST(codes_unique)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	ck_assert_uint_gt(n, 0);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			ck_assert_msg(all[i].code != all[j].code, "code %d used by %s and %s",
			              (int)all[i].code, all[i].name, all[j].name);
}
END_TEST

START_TEST(names_unique_upper_snake)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	for (unsigned i = 0; i < n; i++) {
		const char *s = all[i].name;
		size_t len = strlen(s);

		ck_assert_msg(len > 0, "entry %u has no name", i);
		ck_assert_msg(isupper((unsigned char)s[0]), "%s: must start with A-Z", s);
		ck_assert_msg(s[len - 1] != '_', "%s: trailing underscore", s);
		ck_assert_msg(strstr(s, "__") == NULL, "%s: double underscore", s);
		for (size_t k = 0; k < len; k++)
			ck_assert_msg((s[k] >= 'A' && s[k] <= 'Z') ||
			                  (s[k] >= '0' && s[k] <= '9') || s[k] == '_',
			              "%s: not UPPER_SNAKE", s);
		for (unsigned j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(s, all[j].name) != 0, "name %s used twice", s);
	}
}
END_TEST

START_TEST(statuses_are_errors)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(all[i].http_status >= 400 && all[i].http_status <= 599,
		              "%s: HTTP status %u is not an error", all[i].name,
		              all[i].http_status);
}
END_TEST

START_TEST(hints_are_sentences)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	for (unsigned i = 0; i < n; i++) {
		const char *h = all[i].hint;
		size_t len = h != NULL ? strlen(h) : 0;

		ck_assert_msg(len > 1, "%s: empty hint", all[i].name);
		ck_assert_msg(h[len - 1] == '.', "%s: hint does not end with '.': %s", all[i].name,
		              h);
		ck_assert_msg(!isspace((unsigned char)h[0]), "%s: hint starts with a space",
		              all[i].name);
		ck_assert_msg(isupper((unsigned char)h[0]), "%s: hint does not start a sentence",
		              all[i].name);
	}
}
END_TEST

START_TEST(internal_error_first_and_fallback)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);
	const int unknown[] = {0, -1, 1, 999, 1099, 9999, 123456};

	/* errors_lookup falls back to registry[0]: it must be INTERNAL_ERROR */
	ck_assert_str_eq(all[0].name, "INTERNAL_ERROR");
	ck_assert_int_eq(all[0].code, ERROR_INTERNAL_ERROR);
	ck_assert_uint_eq(all[0].http_status, 500);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const struct error_entry *e = errors_lookup((enum error_code)unknown[i]);

		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e->name, "INTERNAL_ERROR");
		ck_assert_int_eq(e->code, 1000);
		ck_assert_uint_eq(e->http_status, 500);
	}
}
END_TEST

START_TEST(lookup_finds_every_code)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	for (unsigned i = 0; i < n; i++)
		ck_assert_ptr_eq(errors_lookup(all[i].code), &all[i]);
	ck_assert_str_eq(errors_lookup(ERROR_NOT_FOUND)->name, "NOT_FOUND");
	ck_assert_uint_eq(errors_lookup(ERROR_NOT_FOUND)->http_status, 404);
	ck_assert_uint_eq(errors_lookup(ERROR_METHOD_NOT_ALLOWED)->http_status, 405);
	ck_assert_uint_eq(errors_lookup(ERROR_URI_TOO_LONG)->http_status, 414);
	ck_assert_uint_eq(errors_lookup(ERROR_BODY_TOO_LARGE)->http_status, 413);
	ck_assert_uint_eq(errors_lookup(ERROR_UNSUPPORTED_MEDIA_TYPE)->http_status, 415);
	ck_assert_uint_eq(errors_lookup(ERROR_BAD_PATH)->http_status, 400);
	ck_assert_uint_eq(errors_lookup(ERROR_RATE_LIMITED)->http_status, 429);
}
END_TEST

START_TEST(registry_in_file_order_ascending)
{
	unsigned n;
	const struct error_entry *all = errors_all(&n);

	/* Sections follow the ranges; a new error goes at the end of its
	 * section, so numbers only ever grow down the file. */
	for (unsigned i = 1; i < n; i++)
		ck_assert_msg(all[i - 1].code < all[i].code, "%s (%d) comes after %s (%d)",
		              all[i].name, (int)all[i].code, all[i - 1].name, (int)all[i - 1].code);
}
END_TEST

/* ---- ranges, as the comment at the top of errors.def declares them ---- */

struct range {
	long start, end; /* [start, end) */
	char label[64];
};

static char *
read_def(void)
{
	const char *root = getenv("NGO_VOTE_SRC");
	char path[1024];
	char *text;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/server/errors.def", root ? root : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_gt(size, 0);
	rewind(f);
	text = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	return text;
}

/* Parses "Ranges: 1000 server, 1100 HTTP framing, ... 6000 receipts." */
static unsigned
parse_ranges(const char *text, struct range *r, unsigned max)
{
	const char *p = strstr(text, "Ranges:");
	unsigned n = 0;

	ck_assert_msg(p != NULL, "errors.def has no 'Ranges:' comment");
	p += strlen("Ranges:");
	while (n < max) {
		char *end;
		size_t k = 0;

		while (*p == ' ' || *p == '\n' || *p == '*' || *p == '\t')
			p++;
		r[n].start = strtol(p, &end, 10);
		if (end == p)
			break;
		p = end;
		while (*p == ' ')
			p++;
		while (*p != ',' && *p != '.' && *p != '\0' && k + 1 < sizeof(r[n].label)) {
			if (*p == '\n') {
				/* a range list wrapped over comment lines */
				while (*p == '\n' || *p == ' ' || *p == '*' || *p == '\t')
					p++;
				if (k > 0 && r[n].label[k - 1] != ' ')
					r[n].label[k++] = ' ';
				continue;
			}
			r[n].label[k++] = *p++;
		}
		r[n].label[k] = '\0';
		n++;
		if (*p != ',')
			break;
		p++;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i + 1 < n) {
			ck_assert_msg(r[i].start < r[i + 1].start, "ranges not ascending");
			r[i].end = r[i + 1].start;
		} else {
			r[i].end = r[i].start + 1000;
		}
	}
	return n;
}

static const struct range *
range_of(const struct range *r, unsigned n, long code)
{
	for (unsigned i = 0; i < n; i++)
		if (code >= r[i].start && code < r[i].end)
			return &r[i];
	return NULL;
}

START_TEST(codes_in_declared_ranges)
{
	struct range r[32];
	char *text = read_def();
	unsigned nr = parse_ranges(text, r, 32), n;
	const struct error_entry *all = errors_all(&n);

	/* the comment names at least the ranges the foundation uses */
	ck_assert_uint_ge(nr, 9);
	ck_assert_int_eq(r[0].start, 1000);
	ck_assert_str_eq(r[0].label, "server");
	ck_assert_int_eq(r[1].start, 1100);
	ck_assert_str_eq(r[1].label, "HTTP framing");
	ck_assert_int_eq(r[2].start, 1200);
	ck_assert_str_eq(r[2].label, "JSON");
	for (unsigned i = 0; i < n; i++) {
		const struct range *in = range_of(r, nr, (long)all[i].code);
		const char *name = all[i].name;

		ck_assert_msg(in != NULL, "%s (%d) is in no range of errors.def", name,
		              (int)all[i].code);
		if (strncmp(name, "JSON_", 5) == 0)
			ck_assert_msg(strcmp(in->label, "JSON") == 0, "%s (%d) is in range '%s'",
			              name, (int)all[i].code, in->label);
		if (strncmp(name, "ELECTION_", 9) == 0)
			ck_assert_msg(strcmp(in->label, "elections") == 0,
			              "%s (%d) is in range '%s'", name, (int)all[i].code,
			              in->label);
		if (strncmp(name, "BALLOT_", 7) == 0)
			ck_assert_msg(strcmp(in->label, "ballots") == 0, "%s (%d) is in range '%s'",
			              name, (int)all[i].code, in->label);
		if (strncmp(name, "RECEIPT_", 8) == 0)
			ck_assert_msg(strcmp(in->label, "receipts") == 0,
			              "%s (%d) is in range '%s'", name, (int)all[i].code,
			              in->label);
	}
	/* the HTTP framing errors the dispatcher raises */
	ck_assert_str_eq(range_of(r, nr, ERROR_INTERNAL_ERROR)->label, "server");
	ck_assert_str_eq(range_of(r, nr, ERROR_NOT_FOUND)->label, "HTTP framing");
	ck_assert_str_eq(range_of(r, nr, ERROR_METHOD_NOT_ALLOWED)->label, "HTTP framing");
	ck_assert_str_eq(range_of(r, nr, ERROR_URI_TOO_LONG)->label, "HTTP framing");
	ck_assert_str_eq(range_of(r, nr, ERROR_BODY_TOO_LARGE)->label, "HTTP framing");
	ck_assert_str_eq(range_of(r, nr, ERROR_UNSUPPORTED_MEDIA_TYPE)->label, "HTTP framing");
	ck_assert_str_eq(range_of(r, nr, ERROR_BAD_PATH)->label, "HTTP framing");
	free(text);
}
END_TEST

/* Every ERR( line of the file is one registry entry: nothing is hidden in
 * a conditional or commented out by accident. */
START_TEST(def_lines_all_compiled)
{
	char *text = read_def(), *p = text;
	unsigned lines = 0, n;

	(void)errors_all(&n);
	while ((p = strstr(p, "\nERR(")) != NULL) {
		long code = strtol(p + 5, NULL, 10);

		ck_assert_ptr_ne(errors_lookup((enum error_code)code), NULL);
		ck_assert_int_eq((long)errors_lookup((enum error_code)code)->code, code);
		lines++;
		p += 5;
	}
	ck_assert_uint_eq(lines, n);
	free(text);
}
END_TEST

Suite *
errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, registry_matches_def);
	tcase_add_test(tc, codes_unique);
	tcase_add_test(tc, names_unique_upper_snake);
	tcase_add_test(tc, statuses_are_errors);
	tcase_add_test(tc, hints_are_sentences);
	tcase_add_test(tc, internal_error_first_and_fallback);
	tcase_add_test(tc, lookup_finds_every_code);
	tcase_add_test(tc, registry_in_file_order_ascending);
	tcase_add_test(tc, codes_in_declared_ranges);
	tcase_add_test(tc, def_lines_all_compiled);
	suite_add_tcase(s, tc);
	return s;
}
