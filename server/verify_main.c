/*
 * verify_main.c -- ngo-vote-verify, the auditor's command line: reads an
 * election record (a file or stdin), the receipts voters handed in, runs
 * the verifier engine and prints its report.  All I/O of the verifier is
 * here; the engine (verify.c) is pure.
 *
 * Exit status: 0 every applicable check passed, 1 a check failed,
 * 2 usage or I/O error.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

/* Lines longer than this (a manifest with a large roll) are not kept
 * around between lines: peak memory matters to auditors on small laptops. */
#define BIG_LINE    (1u << 20)
#define RECEIPT_MAX (1u << 16)

static void
usage(FILE *f)
{
	fprintf(f, "usage: ngo-vote-verify RECORD.jsonl [--receipt FILE]... [--json]\n"
	           "       ngo-vote-verify --help\n"
	           "\n"
	           "Verifies an ngo-vote election record (spec §15, checks V1-V10).\n"
	           "RECORD.jsonl may be '-' for standard input.  Each --receipt FILE is a\n"
	           "receipt a voter received when casting a ballot; it is checked against\n"
	           "the record.  --json prints the report as one JSON object.\n"
	           "\n"
	           "Exit status: 0 all applicable checks passed, 1 a check failed,\n"
	           "2 usage or I/O error.\n");
}

static char *
read_small_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(RECEIPT_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, RECEIPT_MAX + 1, f);
	if (ferror(f) || n > RECEIPT_MAX) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	const char *record = NULL;
	bool json = false;
	struct verify *v = NULL;
	FILE *in = NULL;
	char *line = NULL, *report = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 2;

	if (sodium_init() < 0) {
		fprintf(stderr, "ngo-vote-verify: libsodium failed to initialise\n");
		return 2;
	}
	v = verify_new();
	if (v == NULL) {
		fprintf(stderr, "ngo-vote-verify: out of memory\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--receipt") == 0) {
			size_t len;
			char *text;

			if (i + 1 >= argc) {
				usage(stderr);
				goto out;
			}
			text = read_small_file(argv[++i], &len);
			if (text == NULL) {
				fprintf(stderr, "ngo-vote-verify: cannot read receipt %s\n",
				        argv[i]);
				goto out;
			}
			if (!verify_add_receipt(v, text, len)) {
				free(text);
				fprintf(stderr, "ngo-vote-verify: out of memory\n");
				goto out;
			}
			free(text);
		} else if (record == NULL && (strcmp(argv[i], "-") == 0 || argv[i][0] != '-')) {
			record = argv[i];
		} else {
			usage(stderr);
			goto out;
		}
	}
	if (record == NULL) {
		usage(stderr);
		goto out;
	}
	in = strcmp(record, "-") == 0 ? stdin : fopen(record, "rb");
	if (in == NULL) {
		fprintf(stderr, "ngo-vote-verify: cannot open %s\n", record);
		goto out;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		verify_feed_line(v, line, (size_t)n);
		if (cap > BIG_LINE) {
			free(line);
			line = NULL;
			cap = 0;
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "ngo-vote-verify: error reading %s\n", record);
		goto out;
	}
	verify_finish(v);
	report = json ? verify_report_json(v) : verify_report_text(v);
	if (report == NULL) {
		fprintf(stderr, "ngo-vote-verify: out of memory\n");
		goto out;
	}
	fputs(report, stdout);
	if (json)
		fputc('\n', stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "ngo-vote-verify: cannot write the report\n");
		goto out;
	}
	rc = verify_ok(v) ? 0 : 1;
out:
	if (in != NULL && in != stdin)
		fclose(in);
	free(line);
	free(report);
	verify_free(v);
	return rc;
}
