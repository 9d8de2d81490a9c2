/*
 * fuzz_verify.c -- libFuzzer harness for the verifier's per-event step
 * (verify_feed_line, spec §15) and what follows it (verify_finish, the
 * reports).  The record of tests/spec/record-open.jsonl is built into the
 * binary (tests/fuzz/embed.sh).
 *
 * The first input byte chooses how many lines of that good record are fed
 * first (its low nibble, modulo the record's line count + 1), whether the
 * example receipt (tests/spec/receipt-open.json) is handed in before them
 * (bit 4), and whether the input's first line is a receipt too (bit 5);
 * the rest of the input is split at '\n' and fed line by line, each line
 * in a buffer of its exact size.  So the fuzzer reaches
 * the ballot, close, result and head handling with a real manifest in
 * place, not only the header checks.
 *
 * Invariants: no crash, leak or undefined behaviour; every check ends in
 * a defined status; the reports are produced.  At start-up, the whole good
 * record must verify (so the embedding is right).
 */
#include <jansson.h>
#include <sodium.h>

#include "fuzz_common.h"
#include "fuzz_spec_data.h"
#include "verify.h"

#define MAX_PREFIX 16

static size_t prefix_n;               /* lines in the good record */
static size_t prefix_off[MAX_PREFIX]; /* start of each */
static size_t prefix_len[MAX_PREFIX]; /* length, '\n' included */

static void
feed(struct verify *v, const uint8_t *p, size_t n)
{
	char *line = fuzz_copy(p, n);

	verify_feed_line(v, line, n);
	free(line);
}

static void
finish(struct verify *v)
{
	char *text, *json;

	verify_finish(v);
	for (int id = 0; id < VERIFY_CHECK_COUNT; id++) {
		const struct verify_check *c = verify_get_check(v, (enum verify_check_id)id);

		FUZZ_CHECK(c != NULL);
		FUZZ_CHECK(c->status == VERIFY_PASS || c->status == VERIFY_FAIL ||
		           c->status == VERIFY_NOT_APPLICABLE);
		FUZZ_CHECK(memchr(c->reason, '\0', sizeof(c->reason)) != NULL);
	}
	text = verify_report_text(v);
	json = verify_report_json(v);
	FUZZ_CHECK(text != NULL && json != NULL);
	free(text);
	free(json);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct verify *v;
	size_t start = 0;

	(void)argc;
	(void)argv;
	FUZZ_CHECK(sodium_init() >= 0);
	json_object_seed(0x6e676f76);
	for (size_t i = 0; i < record_open_len; i++) {
		if (record_open[i] != '\n')
			continue;
		FUZZ_CHECK(prefix_n < MAX_PREFIX);
		prefix_off[prefix_n] = start;
		prefix_len[prefix_n] = i + 1 - start;
		prefix_n++;
		start = i + 1;
	}
	FUZZ_CHECK(start == record_open_len && prefix_n >= 3);
	/* the good record and its receipt verify */
	v = verify_new();
	FUZZ_CHECK(v != NULL);
	FUZZ_CHECK(verify_add_receipt(v, (const char *)receipt_open, receipt_open_len));
	for (size_t k = 0; k < prefix_n; k++)
		feed(v, record_open + prefix_off[k], prefix_len[k]);
	finish(v);
	FUZZ_CHECK(verify_ok(v));
	verify_free(v);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify *v;
	size_t prefix, start;

	if (size < 1)
		return 0;
	prefix = (data[0] & 0x0f) % (prefix_n + 1);
	v = verify_new();
	FUZZ_CHECK(v != NULL);
	if (data[0] & 0x10)
		FUZZ_CHECK(verify_add_receipt(v, (const char *)receipt_open, receipt_open_len));
	start = 1;
	if (data[0] & 0x20) {
		const uint8_t *nl = memchr(data + 1, '\n', size - 1);
		size_t n = nl != NULL ? (size_t)(nl - (data + 1)) : size - 1;
		char *receipt = fuzz_copy(data + 1, n);

		FUZZ_CHECK(verify_add_receipt(v, receipt, n));
		free(receipt);
		start = 1 + n + (nl != NULL);
	}
	for (size_t k = 0; k < prefix; k++)
		feed(v, record_open + prefix_off[k], prefix_len[k]);
	for (size_t i = start; i < size; i++) {
		if (data[i] != '\n')
			continue;
		feed(v, data + start, i + 1 - start);
		start = i + 1;
	}
	if (start < size) /* a last line without '\n' */
		feed(v, data + start, size - start);
	finish(v);
	/* too late for receipts now */
	FUZZ_CHECK(!verify_add_receipt(v, "{}", 2));
	verify_free(v);
	return 0;
}
