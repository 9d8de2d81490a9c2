/*
 * test_record.c -- record lines (spec §14): every line of the example
 * records is re-emitted byte for byte by the writers, and the reader
 * refuses every deviation from the exact key sets and encodings.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "protocol_record.h"

Suite *record_suite(void);

static void
reemit_file(const char *path)
{
	size_t len;
	char *text = th_read_file(path, &len), *p = text;

	while (*p != '\0') {
		char *eol = strchr(p, '\n');
		size_t ll = (size_t)(eol - p);
		char *copy = malloc(ll + 1);
		struct protocol_record_line l;
		struct encoding_buf b;
		const char *why = NULL;

		memcpy(copy, p, ll);
		ck_assert_msg(protocol_record_parse_line(copy, ll, &l, &why), "%s", why);
		encoding_buf_init(&b);
		if (l.kind == PROTOCOL_RECORD_HEADER)
			protocol_record_write_header(&b, l.election_id, l.server_pk);
		else if (l.kind == PROTOCOL_RECORD_EVENT)
			protocol_record_write_event(&b, l.n, l.type, l.at, l.data, l.data_len,
			                            l.hash);
		else
			protocol_record_write_head(&b, l.n, l.hash, l.signature);
		ck_assert_uint_eq(b.len, ll + 1);
		ck_assert(memcmp(b.data, p, ll + 1) == 0);
		encoding_buf_free(&b);
		protocol_record_line_clear(&l);
		free(copy);
		p = eol + 1;
	}
	free(text);
}

START_TEST(reemit_every_line)
{
	reemit_file(TH_SPEC_DIR "record-open.jsonl");
	reemit_file(TH_SPEC_DIR "record-secret.jsonl");
}
END_TEST

static bool
parses(const char *s)
{
	char *c = strdup(s);
	struct protocol_record_line l;
	const char *why = NULL;
	bool ok = protocol_record_parse_line(c, strlen(c), &l, &why);

	protocol_record_line_clear(&l);
	free(c);
	return ok;
}

#define H128                                                                                       \
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"   \
	"000000000000000000000000000000000000000000"
#define H64 "0000000000000000000000000000000000000000000000000000000000000000"

START_TEST(strict_lines)
{
	ck_assert(
	    parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	           "\"hash\":\"" H128 "\"}"));
	ck_assert(parses("{\"hash\":\"" H128
	                 "\",\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\","
	                 "\"data\":\"\"}"));
	/* data with spacing is parsed by jansson alone */
	ck_assert(
	    parses("{\"n\":1, \"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\": \"ab\","
	           "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"AB\","
	            "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"abc\","
	            "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	            "\"hash\":\"" H64 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"opened\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	            "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00\",\"data\":\"ab\","
	            "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":2147483648,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":"
	            "\"ab\",\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1.0,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	            "\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	            "\"hash\":\"" H128 "\",\"x\":0}"));
	ck_assert(
	    !parses("{\"n\":1,\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":"
	            "\"ab\",\"hash\":\"" H128 "\"}"));
	ck_assert(
	    !parses("{\"n\":1,\"type\":\"open\",\"at\":\"2009-05-04T08:00:00Z\",\"data\":\"ab\","
	            "\"data\":\"ab\",\"hash\":\"" H128 "\"}"));
	ck_assert(parses(
	    "{\"format\":\"ngo-vote/record/v1\",\"election_id\":\"x\",\"server_pk\":\"" H64 "\"}"));
	ck_assert(!parses(
	    "{\"format\":\"ngo-vote/record/v2\",\"election_id\":\"x\",\"server_pk\":\"" H64 "\"}"));
	ck_assert(parses("{\"head\":{\"n\":9,\"hash\":\"" H128 "\",\"signature\":\"" H128 "\"}}"));
	ck_assert(!parses("{\"head\":{\"n\":9,\"hash\":\"" H128 "\"}}"));
	ck_assert(!parses("{\"head\":{\"n\":9,\"hash\":\"" H128 "\",\"signature\":\"" H128
	                  "\"},\"x\":1}"));
	ck_assert(!parses("[]"));
	ck_assert(!parses(""));
	ck_assert(!parses("{}"));
}
END_TEST

Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_test(tc, reemit_every_line);
	tcase_add_test(tc, strict_lines);
	suite_add_tcase(s, tc);
	return s;
}
