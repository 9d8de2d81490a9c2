/*
 * test_cast.c -- the demo seed and the delegates' command-line client,
 * end to end: `ngo-voted --demo` seeds NGOs with key backups and an open
 * election; ngo-vote-cast votes with a backup file and its passphrase,
 * votes again, and its receipts verify against the published record.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

Suite *cast_suite(void);

/* The passphrase of a demo NGO, from demo/README.txt. */
static void
demo_passphrase(const struct test_daemon *d, const char *ngo, char pass[64])
{
	char path[400], line[512];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/demo/README.txt", d->dir);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char id[80], file[120];

		if (sscanf(line, "%79s %119s passphrase: %63s", id, file, pass) == 3 &&
		    strcmp(id, ngo) == 0)
			found = true;
		if (found)
			break;
	}
	fclose(f);
	ck_assert_msg(found, "no passphrase for %s", ngo);
}

static int
cast(const struct test_daemon *d, const char *pass, const char *ngo, const char *args,
     const char *receipt)
{
	char bin[1024], cmd[4096];

	test_binary("ngo-vote-cast", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd),
	         "NGO_VOTE_PASSPHRASE='%s' %s --server http://127.0.0.1:%u --election hlwg-demo"
	         " --key %s/demo/%s.key.json %s --receipt-out %s/%s >> %s/cast.log 2>&1",
	         pass, bin, d->port, d->dir, ngo, args, d->dir, receipt, d->dir);
	return test_run(cmd);
}

START_TEST(demo_then_cast_and_verify)
{
	const char *args[] = {"--demo", NULL};
	char pass[64], verify[1024], cmd[4096];
	struct test_daemon d;
	struct test_http r;
	json_t *j;

	test_daemon_prepare(&d);
	test_daemon_launch(&d, args);
	/* the demo election is open with the six working groups and 12 voters */
	test_http_get(&d, "/api/elections/hlwg-demo", &r);
	ck_assert_int_eq(r.status, 200);
	j = test_http_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "open");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "contests")), 6);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "roll")), 12);
	json_decref(j);
	test_http_free(&r);

	demo_passphrase(&d, "tonle-women", pass);
	ck_assert_int_eq(
	    cast(&d, pass, "tonle-women", "--choose prevention=mekong-child-aid", "r1.json"), 0);
	/* again: seq 2 is taken from the board, the last ballot counts */
	ck_assert_int_eq(cast(&d, pass, "tonle-women",
	                      "--choose prevention=tonle-women --choose protection=angkor-rights",
	                      "r2.json"),
	                 0);
	/* refusals: a wrong passphrase, an unknown contest, a non-candidate */
	ck_assert_int_eq(cast(&d, "not the passphrase", "tonle-women", "", "x.json"), 1);
	ck_assert_int_eq(cast(&d, pass, "tonle-women", "--choose nosuch=tonle-women", "x.json"), 1);
	ck_assert_int_eq(cast(&d, pass, "tonle-women", "--choose prevention=hope-house", "x.json"),
	                 1);
	test_http_get(&d, "/api/elections/hlwg-demo/board?from=2", &r);
	j = test_http_json(&r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 4);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(
	        json_object_get(json_array_get(json_object_get(j, "events"), 1), "ballot"), "seq")),
	    2);
	json_decref(j);
	test_http_free(&r);
	/* both receipts match the published record */
	test_binary("ngo-vote-verify", verify, sizeof(verify));
	snprintf(cmd, sizeof(cmd),
	         "curl -sf http://127.0.0.1:%u/api/elections/hlwg-demo/record > %s/rec.jsonl &&"
	         " %s %s/rec.jsonl --receipt %s/r1.json --receipt %s/r2.json > %s/verify.out",
	         d.port, d.dir, verify, d.dir, d.dir, d.dir, d.dir);
	ck_assert_int_eq(test_run(cmd), 0);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	/* a restart with --demo does not seed twice */
	test_daemon_launch(&d, args);
	test_http_get(&d, "/api/ngos", &r);
	j = test_http_json(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "ngos")), 12);
	json_decref(j);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

Suite *
cast_suite(void)
{
	Suite *s = suite_create("cast");
	TCase *tc = tcase_create("demo");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, demo_then_cast_and_verify);
	suite_add_tcase(s, tc);
	return s;
}
