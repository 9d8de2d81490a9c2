/*
 * test_manifest.c -- building, encoding and strictly decoding manifests
 * (spec §5): every constraint refused by the decoder, Time and syntax
 * helpers, the voter index.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "protocol_manifest.h"

Suite *manifest_suite(void);

/* A small manifest held on the stack of the fixture. */
struct fix {
	struct protocol_text_entry title[2], cname[3], vname[2], ctitle[1];
	struct protocol_candidate cand[3];
	struct protocol_contest contest;
	struct protocol_party voters[2];
	struct protocol_manifest m;
};

static void
fix_init(struct fix *f)
{
	uint8_t sk[64];

	memset(f, 0, sizeof(*f));
	f->title[0] = (struct protocol_text_entry){"en", "Test"};
	f->title[1] = (struct protocol_text_entry){"km", "\xe1\x9e\x80"};
	f->ctitle[0] = (struct protocol_text_entry){"en", "Chair"};
	for (int i = 0; i < 3; i++) {
		static const char *const ids[] = {"a", "b", "c"};

		f->cname[i] = (struct protocol_text_entry){"en", ids[i]};
		f->cand[i].id = ids[i];
		f->cand[i].name = (struct protocol_text){1, &f->cname[i]};
	}
	f->contest = (struct protocol_contest){"chair", {1, f->ctitle}, 1, 1, 0, 2, 3, f->cand};
	f->vname[0] = (struct protocol_text_entry){"en", "NGO A"};
	f->vname[1] = (struct protocol_text_entry){"en", "NGO B"};
	f->voters[0].id = "ngo-a";
	f->voters[0].name = (struct protocol_text){1, &f->vname[0]};
	th_keypair("voter/ngo-a", f->voters[0].pk, sk);
	f->voters[1].id = "ngo-b";
	f->voters[1].name = (struct protocol_text){1, &f->vname[1]};
	th_keypair("voter/ngo-b", f->voters[1].pk, sk);
	f->m.election_id = "test-1";
	f->m.title = (struct protocol_text){2, f->title};
	f->m.mode = 1;
	th_keypair("server", f->m.server_pk, sk);
	f->m.revote = 1;
	f->m.opens_at = "2009-05-04T08:00:00Z";
	f->m.closes_at = "";
	f->m.n_contests = 1;
	f->m.contests = &f->contest;
	f->m.n_voters = 2;
	f->m.voters = f->voters;
}

static bool
encodes(const struct fix *f)
{
	struct encoding_buf b;
	const char *why = NULL;
	bool ok;

	encoding_buf_init(&b);
	ok = protocol_manifest_encode(&f->m, &b, &why);
	ck_assert(ok || why != NULL);
	ck_assert(ok || b.len == 0);
	encoding_buf_free(&b);
	return ok;
}

START_TEST(build_roundtrip)
{
	struct fix f;
	struct encoding_buf b, b2;
	struct protocol_manifest *m = NULL;
	const char *why = NULL;

	fix_init(&f);
	encoding_buf_init(&b);
	encoding_buf_init(&b2);
	ck_assert_msg(protocol_manifest_encode(&f.m, &b, &why), "%s", why);
	ck_assert(protocol_manifest_decode(b.data, b.len, &m, &why));
	ck_assert_str_eq(m->election_id, "test-1");
	ck_assert_str_eq(protocol_text_get(&m->title, "km"), "\xe1\x9e\x80");
	ck_assert_uint_eq(m->contests[0].n_candidates, 3);
	ck_assert_int_eq(protocol_manifest_voter_find(m, f.voters[1].pk), 1);
	ck_assert_int_eq(protocol_manifest_voter_find(m, f.m.server_pk), -1);
	ck_assert(protocol_manifest_encode(m, &b2, &why));
	ck_assert_uint_eq(b.len, b2.len);
	ck_assert_mem_eq(b.data, b2.data, b.len);
	protocol_manifest_free(m);
	m = NULL;
	/* every strict prefix is refused, and so is a trailing byte */
	for (size_t k = 0; k < b.len; k++) {
		ck_assert(!protocol_manifest_decode(b.data, k, &m, &why) || (ck_abort(), 0));
		ck_assert_ptr_null(m);
	}
	encoding_buf_u8(&b, 0);
	ck_assert(!protocol_manifest_decode(b.data, b.len, &m, &why));
	ck_assert_str_eq(why, "trailing bytes after the manifest");
	protocol_manifest_free(m);
	encoding_buf_free(&b);
	encoding_buf_free(&b2);
}
END_TEST

START_TEST(refusals)
{
	struct fix f;
	struct protocol_text_entry e2[2];

	fix_init(&f);
	ck_assert(encodes(&f));
#define REFUSE(stmt)                                                                               \
	do {                                                                                       \
		fix_init(&f);                                                                      \
		stmt;                                                                              \
		ck_assert_msg(!encodes(&f), "accepted: %s", #stmt);                                \
	} while (0)
	REFUSE(f.m.election_id = "Test"); /* uppercase id */
	REFUSE(f.m.election_id = "");     /* empty id */
	REFUSE(f.m.election_id = "a b");  /* space */
	REFUSE(f.m.election_id =
	           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 65 */
	REFUSE(f.m.mode = 3);
	REFUSE(f.m.revote = 2);
	REFUSE(f.m.opens_at = "2009-13-04T08:00:00Z");
	REFUSE(f.m.closes_at = "2009-05-04 08:00:00Z");
	REFUSE(f.m.server_pk[0] ^= 0xff; memset(f.m.server_pk, 0, 32));
	REFUSE(f.contest.method = 2);
	REFUSE(f.contest.seats = 0);
	REFUSE(f.contest.seats = 4);
	REFUSE(f.contest.min = 3; f.contest.max = 2);
	REFUSE(f.contest.max = 4);
	REFUSE(f.cand[1].id = "a"); /* duplicate candidate id */
	REFUSE(f.voters[1].id = "ngo-a");
	REFUSE(memcpy(f.voters[1].pk, f.voters[0].pk, 32));
	REFUSE(f.m.n_voters = 0);
	REFUSE(f.m.n_contests = 0);
	REFUSE(f.m.n = 1; f.m.t = 1; f.m.trustees = f.voters); /* open mode: n = t = 0 */
	REFUSE(f.m.mode = 2);                                  /* secret mode: 1 <= t <= n */
	REFUSE(f.title[0].lang = "km");                        /* langs not ascending */
	REFUSE(f.title[1].lang = "en");                        /* lang twice */
	REFUSE(f.title[0].lang = "e");                         /* BCP 47 syntax */
	REFUSE(f.title[0].lang = "en_US");
	REFUSE(f.title[0].value = "\xc0\x80");     /* overlong NUL */
	REFUSE(f.title[0].value = "\xed\xa0\x80"); /* surrogate */
	REFUSE(f.title[0].value = "\xff");
	REFUSE(f.m.title.n = 0);
	REFUSE(f.m.election_id = NULL);
	/* accepted variants */
	fix_init(&f);
	e2[0] = (struct protocol_text_entry){"en-GB", "x"};
	e2[1] = (struct protocol_text_entry){"km-KH", ""};
	f.m.title = (struct protocol_text){2, e2};
	f.m.closes_at = "2012-02-29T23:59:59Z";
	ck_assert(encodes(&f));
	/* secret mode with trustees decodes (fields of §5) */
	fix_init(&f);
	f.m.mode = 2;
	f.m.n = 2;
	f.m.t = 2;
	f.m.trustees = f.voters;
	ck_assert(encodes(&f));
	f.m.t = 3;
	ck_assert(!encodes(&f));
}
END_TEST

START_TEST(long_string)
{
	struct fix f;
	char *s = malloc(1026);

	memset(s, 'x', 1025);
	s[1025] = '\0';
	fix_init(&f);
	f.title[0].value = s;
	ck_assert(!encodes(&f));
	s[1024] = '\0';
	ck_assert(encodes(&f));
	free(s);
}
END_TEST

START_TEST(times)
{
	ck_assert(protocol_time_valid("2009-04-20T09:00:00Z", 20));
	ck_assert(protocol_time_valid("2000-02-29T00:00:00Z", 20));
	ck_assert(!protocol_time_valid("1900-02-29T00:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-02-29T00:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-04-31T00:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-04-20T24:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-04-20T23:60:00Z", 20));
	ck_assert(!protocol_time_valid("2009-04-20T23:59:60Z", 20));
	ck_assert(!protocol_time_valid("2009-04-20T09:00:00z", 20));
	ck_assert(!protocol_time_valid("2009-04-20T09:00:00.0Z", 22));
	ck_assert(!protocol_time_valid("2009-00-20T09:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-04-00T09:00:00Z", 20));
	ck_assert(!protocol_time_valid("2009-4-20T09:00:00Z", 19));
	ck_assert(!protocol_time_valid("+009-04-20T09:00:00Z", 20));
}
END_TEST

START_TEST(syntax)
{
	ck_assert(protocol_lang_valid("en", 2));
	ck_assert(protocol_lang_valid("zh-Hant-TW", 10));
	ck_assert(!protocol_lang_valid("en-", 3));
	ck_assert(!protocol_lang_valid("abcdefghi", 9));
	ck_assert(!protocol_lang_valid("e1", 2));
	ck_assert(protocol_id_valid("ngo_a-1", 7));
	ck_assert(!protocol_id_valid("ngo.a", 5));
	ck_assert(protocol_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	ck_assert(!protocol_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	ck_assert(!protocol_utf8_valid((const uint8_t *)"a\0b", 3));
	ck_assert(!protocol_utf8_valid((const uint8_t *)"\xe1\x9e", 2));
}
END_TEST

/* A large roll decodes and is looked up fast (100,000 voters in seconds). */
START_TEST(large_roll)
{
	uint32_t nv = 20000;
	struct fix f;
	struct protocol_party *v = calloc(nv, sizeof(*v));
	struct protocol_text_entry e = {"en", "x"};
	char(*ids)[16] = calloc(nv, 16);
	struct encoding_buf b;
	struct protocol_manifest *m = NULL;
	const char *why = NULL;

	fix_init(&f);
	for (uint32_t i = 0; i < nv; i++) {
		uint8_t sk[64];

		snprintf(ids[i], 16, "v%u", i);
		v[i].id = ids[i];
		v[i].name = (struct protocol_text){1, &e};
		crypto_sign_keypair(v[i].pk, sk);
	}
	f.m.n_voters = nv;
	f.m.voters = v;
	encoding_buf_init(&b);
	ck_assert_msg(protocol_manifest_encode(&f.m, &b, &why), "%s", why);
	ck_assert(protocol_manifest_decode(b.data, b.len, &m, &why));
	for (uint32_t i = 0; i < nv; i += 97)
		ck_assert_int_eq(protocol_manifest_voter_find(m, v[i].pk), i);
	protocol_manifest_free(m);
	encoding_buf_free(&b);
	free(v);
	free(ids);
}
END_TEST

Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");

	if (sodium_init() < 0)
		abort();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, build_roundtrip);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, long_string);
	tcase_add_test(tc, times);
	tcase_add_test(tc, syntax);
	tcase_add_test(tc, large_roll);
	suite_add_tcase(s, tc);
	return s;
}
