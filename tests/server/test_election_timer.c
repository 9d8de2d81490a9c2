/*
 * test_election_timer.c -- the schedule timer over HTTP against the real
 * daemon: a draft with auto_open/auto_close opens at opens_at and closes
 * at closes_at by itself (and not before), also when the daemon was down
 * at that moment and starts again later on the same data folder; a
 * schedule without auto_* is informational only; a due election that
 * cannot open (a problem blocks it) stays a draft until it is fixed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "elections_fixture.h"

Suite *election_timer_suite(void);

struct env {
	struct efx x;
	struct fixture_key ka, kb;
};

static void
env_setup(struct env *v)
{
	efx_start(&v->x);
	efx_ngo_enrolled(&v->x, "ngo-a", &v->ka);
	efx_ngo_enrolled(&v->x, "ngo-b", &v->kb);
}

/* A valid draft with the given schedule. */
static json_t *
scheduled(const char *opens_at, const char *closes_at, bool auto_open, bool auto_close)
{
	static const char *const ab[] = {"ngo-a", "ngo-b"};
	json_t *d = efx_draft_new();

	json_array_append_new(json_object_get(d, "contests"), efx_contest("c0", 1, 0, 1, ab, 2));
	json_object_set_new(d, "opens_at", json_string(opens_at));
	json_object_set_new(d, "closes_at", json_string(closes_at));
	json_object_set_new(d, "auto_open", json_boolean(auto_open));
	json_object_set_new(d, "auto_close", json_boolean(auto_close));
	return d;
}

static void
schedule(struct env *v, const char *id, time_t opens, time_t closes, bool auto_open,
         bool auto_close, char opens_at[21], char closes_at[21])
{
	json_t *d;

	efx_time(opens, opens_at);
	efx_time(closes, closes_at);
	json_decref(efx_draft_create(&v->x, id, "empty"));
	d = scheduled(opens_at, closes_at, auto_open, auto_close);
	efx_draft_ready(&v->x, id, d);
	json_decref(d);
}

/* Sleeps until the wall clock is past t (whole seconds). */
static void
sleep_past(time_t t)
{
	while (time(NULL) <= t)
		usleep(100 * 1000);
}

/* The types and times of the board's events, checked against want[]. */
static void
expect_board(const struct test_daemon *d, const char *id, const char *const *want, size_t n,
             json_t **events)
{
	char path[200];
	json_t *j, *ev;
	size_t i;

	snprintf(path, sizeof(path), "/api/elections/%s/board", id);
	j = efx_get_json(d, path, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)n);
	json_array_foreach(json_object_get(j, "events"), i, ev)
	{
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), want[i]);
	}
	*events = json_incref(json_object_get(j, "events"));
	json_decref(j);
}

static const char *
event_at(const json_t *events, size_t n)
{
	const char *at = json_string_value(json_object_get(json_array_get(events, n), "at"));

	ck_assert_ptr_nonnull(at);
	ck_assert_uint_eq(strlen(at), 20);
	return at;
}

static void
expect_timer_audit(struct env *v, const char *id)
{
	json_t *entries = fixture_audit(&v->x.d, &v->x.sec), *e;
	bool open = false, close = false;
	size_t i;

	json_array_foreach(entries, i, e)
	{
		const char *action = json_string_value(json_object_get(e, "action"));
		const char *target = json_string_value(json_object_get(e, "target"));
		const char *actor = json_string_value(json_object_get(e, "actor"));

		if (target == NULL || strcmp(target, id) != 0)
			continue;
		if (strcmp(action, "election.open") == 0) {
			ck_assert_str_eq(actor, "timer");
			open = true;
		}
		if (strcmp(action, "election.close") == 0) {
			ck_assert_str_eq(actor, "timer");
			close = true;
		}
	}
	ck_assert(open);
	ck_assert(close);
	json_decref(entries);
}

START_TEST(opens_and_closes_on_schedule)
{
	static const char *const full[] = {"manifest", "open", "ballot", "close", "result"};
	struct env v;
	char opens_at[21], closes_at[21], now[21], status[16];
	struct efx_election e;
	struct efx_choice ch = efx_choice_parse("1");
	json_t *events;
	time_t t0;

	env_setup(&v);
	t0 = time(NULL);
	schedule(&v, "timed", t0 + 2, t0 + 5, true, true, opens_at, closes_at);
	/* not before opens_at */
	while (time(NULL) < t0 + 2) {
		efx_time(time(NULL), now);
		efx_status(&v.x.d, "timed", status);
		if (strcmp(now, opens_at) < 0)
			ck_assert_msg(strcmp(status, "draft") == 0, "%s at %s, opens at %s", status,
			              now, opens_at);
		usleep(200 * 1000);
	}
	ck_assert_msg(efx_wait_status(&v.x.d, "timed", "open", 10), "did not open by itself");
	efx_election_info(&v.x.d, "timed", &e);
	ck_assert_int_eq(efx_cast(&v.x.d, &e, &v.kb, 1, &ch, NULL, NULL, NULL), 201);
	ck_assert_msg(efx_wait_status(&v.x.d, "timed", "closed", 10), "did not close by itself");
	efx_time(time(NULL), now);
	ck_assert_str_ge(now, closes_at);
	expect_board(&v.x.d, "timed", full, 5, &events);
	ck_assert_str_ge(event_at(events, 1), opens_at);
	ck_assert_str_lt(event_at(events, 2), closes_at);
	ck_assert_str_ge(event_at(events, 3), closes_at);
	json_decref(events);
	/* the admin view agrees, and the result counts the one ballot */
	{
		json_t *j = efx_get_json(&v.x.d, "/api/elections/timed/result", 200);
		json_t *cands = json_object_get(json_array_get(json_object_get(j, "contests"), 0),
		                                "candidates");

		ck_assert_int_eq(
		    json_integer_value(json_object_get(json_array_get(cands, 1), "votes")), 1);
		json_decref(j);
	}
	expect_timer_audit(&v, "timed");
	ck_assert_int_eq(efx_record_verify(&v.x.d, "timed", "timed.jsonl"), 0);
	efx_stop(&v.x);
}
END_TEST

START_TEST(open_and_close_across_restart)
{
	static const char *const opened[] = {"manifest", "open"};
	static const char *const full[] = {"manifest", "open", "ballot", "close", "result"};
	struct env v;
	char opens_at[21], closes_at[21], status[16];
	struct efx_election e;
	struct efx_choice ch = efx_choice_parse("0");
	json_t *events;
	time_t t0;

	env_setup(&v);
	t0 = time(NULL);
	schedule(&v, "timed", t0 + 3, t0 + 9, true, true, opens_at, closes_at);
	/* the daemon is down when the election is due to open */
	ck_assert_int_eq(test_daemon_stop(&v.x.d), 0);
	sleep_past(t0 + 4);
	test_daemon_launch(&v.x.d, NULL);
	ck_assert_msg(efx_wait_status(&v.x.d, "timed", "open", 3),
	              "did not open promptly after the restart");
	expect_board(&v.x.d, "timed", opened, 2, &events);
	ck_assert_str_gt(event_at(events, 1), opens_at); /* late, by the downtime */
	json_decref(events);
	efx_election_info(&v.x.d, "timed", &e);
	ck_assert_int_eq(efx_cast(&v.x.d, &e, &v.ka, 1, &ch, NULL, NULL, NULL), 201);
	/* and down again when it is due to close */
	ck_assert_int_eq(test_daemon_stop(&v.x.d), 0);
	sleep_past(t0 + 10);
	test_daemon_launch(&v.x.d, NULL);
	/* the first answers may still say open; within a few seconds it closes */
	ck_assert_msg(efx_wait_status(&v.x.d, "timed", "closed", 3),
	              "did not close promptly after the restart");
	efx_status(&v.x.d, "timed", status);
	ck_assert_str_eq(status, "closed");
	expect_board(&v.x.d, "timed", full, 5, &events);
	ck_assert_str_gt(event_at(events, 3), closes_at);
	json_decref(events);
	/* the secretariat's session survived both restarts */
	expect_timer_audit(&v, "timed");
	ck_assert_int_eq(efx_record_verify(&v.x.d, "timed", "timed.jsonl"), 0);
	efx_stop(&v.x);
}
END_TEST

/* Down across both times: at start it opens and then closes, in order. */
START_TEST(missed_both_while_down)
{
	static const char *const full[] = {"manifest", "open", "close", "result"};
	struct env v;
	char opens_at[21], closes_at[21];
	json_t *events, *j;
	time_t t0;

	env_setup(&v);
	t0 = time(NULL);
	schedule(&v, "timed", t0 + 1, t0 + 2, true, true, opens_at, closes_at);
	ck_assert_int_eq(test_daemon_stop(&v.x.d), 0);
	sleep_past(t0 + 3);
	test_daemon_launch(&v.x.d, NULL);
	ck_assert_msg(efx_wait_status(&v.x.d, "timed", "closed", 5), "not closed after restart");
	expect_board(&v.x.d, "timed", full, 4, &events);
	json_decref(events);
	j = efx_get_json(&v.x.d, "/api/elections/timed/result", 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "counted")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(j, "contests"), 0), "vacant")),
	                 1);
	json_decref(j);
	ck_assert_int_eq(efx_record_verify(&v.x.d, "timed", "timed.jsonl"), 0);
	efx_stop(&v.x);
}
END_TEST

/* Without auto_open/auto_close the times are only announced; with
 * auto_close alone, an election opened by hand closes on time; a due
 * election that a problem blocks stays a draft until fixed. */
START_TEST(schedule_rules)
{
	struct env v;
	char opens_at[21], closes_at[21], status[16];
	time_t t0;
	json_t *d, *j;

	env_setup(&v);
	t0 = time(NULL);
	schedule(&v, "manual", t0 + 1, t0 + 2, false, false, opens_at, closes_at);
	schedule(&v, "closes", t0 - 60, t0 + 2, false, true, opens_at, closes_at);
	efx_open(&v.x, "closes", NULL);
	/* "blocked" is due now, but ngo-c (active, no key) blocks it */
	fixture_ngo_create(&v.x.d, &v.x.sec, "ngo-c");
	json_decref(efx_draft_create(&v.x, "blocked", "empty"));
	efx_time(t0, opens_at);
	efx_time(t0 + 3600, closes_at);
	d = scheduled(opens_at, closes_at, true, true);
	j = efx_draft_put(&v.x, "blocked", d, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 1);
	json_decref(j);
	ck_assert(efx_wait_status(&v.x.d, "closes", "closed", 10));
	sleep_past(t0 + 3);
	usleep(1500 * 1000); /* more than one tick of the timer */
	efx_status(&v.x.d, "manual", status);
	ck_assert_str_eq(status, "draft");
	ck_assert_int_eq(efx_board_rows(&v.x.d, "manual"), 0);
	efx_status(&v.x.d, "blocked", status);
	ck_assert_str_eq(status, "draft");
	ck_assert_int_eq(efx_board_rows(&v.x.d, "blocked"), 0);
	/* fixed by an exclusion: the timer opens it at its next tick */
	json_array_append_new(json_object_get(d, "excluded"),
	                      json_pack("{s:s, s:s}", "ngo_id", "ngo-c", "reason", "No key yet"));
	efx_draft_ready(&v.x, "blocked", d);
	ck_assert_msg(efx_wait_status(&v.x.d, "blocked", "open", 5), "fixed draft did not open");
	json_decref(d);
	efx_stop(&v.x);
}
END_TEST

/* Regression: many due drafts that a problem blocks must not starve a
 * due draft that can open, nor an open election due to close.  The timer
 * used to read at most 16 due rows a tick, in no set order, and a blocked
 * draft stayed due (retried every second), so 16 of them froze it. */
START_TEST(blocked_drafts_do_not_starve_others)
{
	struct env v;
	char opens_at[21], closes_at[21], id[32];
	time_t t0;
	json_t *d, *blocked;

	env_setup(&v);
	t0 = time(NULL);
	/* open by hand, due to close in two seconds */
	schedule(&v, "closing", t0 - 60, t0 + 2, false, true, opens_at, closes_at);
	efx_open(&v.x, "closing", NULL);
	fixture_ngo_create(&v.x.d, &v.x.sec, "ngo-c"); /* active, no key: blocks */
	efx_time(t0 - 60, opens_at);
	efx_time(t0 + 3600, closes_at);
	blocked = scheduled(opens_at, closes_at, true, true);
	for (int i = 0; i < 20; i++) {
		json_t *j;

		snprintf(id, sizeof(id), "blocked-%02d", i);
		json_decref(efx_draft_create(&v.x, id, "empty"));
		j = efx_draft_put(&v.x, id, blocked, 200);
		ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 1);
		json_decref(j);
	}
	/* created last, due as well, and nothing blocks it */
	json_decref(efx_draft_create(&v.x, "ready", "empty"));
	d = json_deep_copy(blocked);
	json_array_append_new(json_object_get(d, "excluded"),
	                      json_pack("{s:s, s:s}", "ngo_id", "ngo-c", "reason", "No key yet"));
	efx_draft_ready(&v.x, "ready", d);
	ck_assert_msg(efx_wait_status(&v.x.d, "ready", "open", 5),
	              "a due draft did not open while 20 blocked drafts were due");
	sleep_past(t0 + 2);
	ck_assert_msg(efx_wait_status(&v.x.d, "closing", "closed", 5),
	              "an open election did not close while 20 blocked drafts were due");
	json_decref(d);
	json_decref(blocked);
	efx_stop(&v.x);
}
END_TEST

Suite *
election_timer_suite(void)
{
	Suite *s = suite_create("election_timer");
	TCase *tc = tcase_create("timer");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, opens_and_closes_on_schedule);
	tcase_add_test(tc, open_and_close_across_restart);
	tcase_add_test(tc, missed_both_while_down);
	tcase_add_test(tc, schedule_rules);
	tcase_add_test(tc, blocked_drafts_do_not_starve_others);
	suite_add_tcase(s, tc);
	return s;
}
