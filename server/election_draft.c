/*
 * election_draft.c -- drafts, the HLWG template, what blocks opening, and
 * the manifest.  The draft is the secretariat's working copy; only the
 * manifest built from it is fixed and signed into the board (at opening;
 * in secret mode when the key ceremony starts, which freezes it).
 */
#include "election_draft.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jspec.h"
#include "ngo_fields.h"

/* The six working groups of the draft sub-decree of 2009 (design.md). */
static const struct {
	const char *id, *en, *km;
} hlwg_groups[] = {
    {"prevention", "Working Group on Prevention", "ក្រុមការងារបង្ការ"},
    {"protection", "Working Group on Protection, Rehabilitation, Reintegration and Repatriation",
     "ក្រុមការងារការពារ ស្តារនីតិសម្បទា ធ្វើសមាហរណកម្ម និងបញ្ជូនមកស្រុកវិញ"},
    {"mou-monitoring", "Working Group on MOU Monitoring",
     "ក្រុមការងារតាមដានការអនុវត្តអនុស្សរណៈនៃការយោគយល់គ្នា"},
    {"rescue", "Working Group on Rescue and Raid Operations", "ក្រុមការងារប្រតិបត្តិការសង្គ្រោះ និងបង្ក្រាប"},
    {"prosecution", "Working Group on Prosecution", "ក្រុមការងារផ្តន្ទាទោស"},
    {"child-protection", "Working Group on Child Protection", "ក្រុមការងារការពារកុមារ"},
};

static json_t *
text(const char *en, const char *km)
{
	return json_pack("{s:s, s:s}", "en", en, "km", km);
}

json_t *
election_draft_new(const char *title_en, const char *title_km, bool hlwg)
{
	json_t *contests = json_array();

	for (size_t i = 0; hlwg && i < sizeof(hlwg_groups) / sizeof(hlwg_groups[0]); i++)
		json_array_append_new(
		    contests, json_pack("{s:s, s:o, s:i, s:i, s:i, s:[]}", "id", hlwg_groups[i].id,
		                        "title", text(hlwg_groups[i].en, hlwg_groups[i].km),
		                        "seats", 1, "min", 0, "max", 1, "candidates"));
	return json_pack("{s:o, s:s, s:s, s:b, s:b, s:b, s:o, s:[]}", "title",
	                 text(title_en, title_km), "opens_at", "", "closes_at", "", "auto_open", 0,
	                 "auto_close", 0, "revote", 1, "contests", contests, "excluded");
}

static bool bad(char *field, size_t fieldsize, const char **why, const char *reason,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool
bad(char *field, size_t fieldsize, const char **why, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(field, fieldsize, fmt, ap);
	va_end(ap);
	*why = reason;
	return false;
}

static bool
text_ok(const json_t *t, bool need_khmer)
{
	const char *en = NULL, *km = NULL;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("en", &en, PROTOCOL_STRING_MAX)},
	    {JSPEC_STRING("km", &km, PROTOCOL_STRING_MAX)},
	    {JSPEC_END},
	};
	struct jspec_error err;

	if (!jspec_parse(t, spec, &err))
		return false;
	return ngo_fields_text_ok(en, PROTOCOL_STRING_MAX) && en[0] != '\0' &&
	       ngo_fields_text_ok(km, PROTOCOL_STRING_MAX) &&
	       (!need_khmer || ngo_fields_has_khmer(km));
}

static bool
time_ok(const char *s)
{
	return s[0] == '\0' || protocol_time_valid(s, strlen(s));
}

static bool
contest_ok(const json_t *c, size_t ci, char *field, size_t fs, const char **why)
{
	const char *id = NULL;
	json_t *title = NULL, *cands = NULL;
	uint32_t seats, min, max;
	struct jspec_field spec[] = {
	    {JSPEC_STRING("id", &id, PROTOCOL_ID_MAX)},
	    {JSPEC_OBJECT("title", &title)},
	    {JSPEC_U32("seats", &seats, 1, DRAFT_MAX_CANDIDATES)},
	    {JSPEC_U32("min", &min, 0, DRAFT_MAX_CANDIDATES)},
	    {JSPEC_U32("max", &max, 0, DRAFT_MAX_CANDIDATES)},
	    {JSPEC_ARRAY("candidates", &cands, DRAFT_MAX_CANDIDATES)},
	    {JSPEC_END},
	};
	struct jspec_error err;
	size_t i;
	json_t *v;

	if (!jspec_parse(c, spec, &err))
		return bad(field, fs, why, errors_lookup(err.code)->hint, "contests/%zu/%s", ci,
		           err.field ? err.field : "");
	if (!protocol_id_valid(id, strlen(id)))
		return bad(field, fs, why, "1 to 64 characters: a-z, 0-9, '-' or '_'",
		           "contests/%zu/id", ci);
	if (!text_ok(title, true))
		return bad(field, fs, why, "an English and a Khmer title (in Khmer script)",
		           "contests/%zu/title", ci);
	json_array_foreach(cands, i, v)
	{
		if (!json_is_string(v) || !ngo_fields_slug_ok(json_string_value(v)))
			return bad(field, fs, why, "a candidate is an NGO id",
			           "contests/%zu/candidates/%zu", ci, i);
		for (size_t k = 0; k < i; k++)
			if (strcmp(json_string_value(json_array_get(cands, k)),
			           json_string_value(v)) == 0)
				return bad(field, fs, why, "this NGO is already a candidate here",
				           "contests/%zu/candidates/%zu", ci, i);
	}
	return true;
}

/* A trustee as the secretariat registers it: the key may still be
 * unknown (""); whether it is a valid Ed25519 key is a problem, not a
 * field error, so that a draft with a wrong key can still be saved. */
static bool
trustee_ok(const json_t *t, size_t ti, char *field, size_t fs, const char **why)
{
	const char *id = NULL, *pk = NULL, *en, *km;
	json_t *name = NULL;
	uint8_t raw[32];
	struct jspec_field spec[] = {
	    {JSPEC_STRING("id", &id, PROTOCOL_ID_MAX)},
	    {JSPEC_OBJECT("name", &name)},
	    {JSPEC_STRING("pk", &pk, 64)},
	    {JSPEC_END},
	};
	struct jspec_error err;

	if (!jspec_parse(t, spec, &err))
		return bad(field, fs, why, errors_lookup(err.code)->hint, "trustees/%zu/%s", ti,
		           err.field ? err.field : "");
	if (!protocol_id_valid(id, strlen(id)))
		return bad(field, fs, why, "1 to 64 characters: a-z, 0-9, '-' or '_'",
		           "trustees/%zu/id", ti);
	if (!text_ok(name, false))
		return bad(field, fs, why, "an English and a Khmer name", "trustees/%zu/name", ti);
	en = json_string_value(json_object_get(name, "en"));
	km = json_string_value(json_object_get(name, "km"));
	if (en[0] == '\0' || km[0] == '\0')
		return bad(field, fs, why, "an English and a Khmer name", "trustees/%zu/name", ti);
	if (pk[0] != '\0' && !encoding_hex_decode(pk, strlen(pk), raw, sizeof(raw)))
		return bad(field, fs, why, "the key is 64 lowercase hex digits, or empty",
		           "trustees/%zu/pk", ti);
	return true;
}

bool
election_draft_check(const json_t *draft, char *field, size_t fs, const char **why)
{
	json_t *title = NULL, *contests = NULL, *excluded = NULL;
	const char *opens_at = NULL, *closes_at = NULL;
	const char *mode = "open";
	json_t *trustees = NULL;
	uint32_t threshold = 0;
	bool auto_open, auto_close, revote, dry_run = false;
	struct jspec_field spec[] = {
	    {JSPEC_OBJECT("title", &title)},
	    {JSPEC_STRING("opens_at", &opens_at, PROTOCOL_TIME_LEN)},
	    {JSPEC_STRING("closes_at", &closes_at, PROTOCOL_TIME_LEN)},
	    {JSPEC_BOOL("auto_open", &auto_open)},
	    {JSPEC_BOOL("auto_close", &auto_close)},
	    {JSPEC_BOOL("revote", &revote)},
	    {JSPEC_ARRAY("contests", &contests, DRAFT_MAX_CONTESTS)},
	    {JSPEC_ARRAY("excluded", &excluded, DRAFT_MAX_EXCLUDED)},
	    /* secret mode; absent: an open-ballot election */
	    {JSPEC_STRING("mode", &mode, 8), JSPEC_OPTIONAL(NULL)},
	    {JSPEC_ARRAY("trustees", &trustees, DRAFT_MAX_TRUSTEES), JSPEC_OPTIONAL(NULL)},
	    {JSPEC_U32("threshold", &threshold, 0, DRAFT_MAX_TRUSTEES), JSPEC_OPTIONAL(NULL)},
	    {JSPEC_BOOL("dry_run", &dry_run), JSPEC_OPTIONAL(NULL)},
	    {JSPEC_END},
	};
	struct jspec_error err;
	size_t i;
	json_t *v;

	if (!jspec_parse(draft, spec, &err))
		return bad(field, fs, why, errors_lookup(err.code)->hint, "%s",
		           err.field ? err.field : "");
	if (!text_ok(title, true))
		return bad(field, fs, why, "an English and a Khmer title (in Khmer script)",
		           "title");
	if (!time_ok(opens_at))
		return bad(field, fs, why, "a time as YYYY-MM-DDTHH:MM:SSZ (UTC) or empty",
		           "opens_at");
	if (!time_ok(closes_at))
		return bad(field, fs, why, "a time as YYYY-MM-DDTHH:MM:SSZ (UTC) or empty",
		           "closes_at");
	if (auto_open && opens_at[0] == '\0')
		return bad(field, fs, why, "opening by the timer needs opens_at", "auto_open");
	if (auto_close && closes_at[0] == '\0')
		return bad(field, fs, why, "closing by the timer needs closes_at", "auto_close");
	if (opens_at[0] != '\0' && closes_at[0] != '\0' && strcmp(opens_at, closes_at) >= 0)
		return bad(field, fs, why, "the vote must close after it opens", "closes_at");
	json_array_foreach(contests, i, v)
	{
		if (!json_is_object(v) || !contest_ok(v, i, field, fs, why)) {
			if (!json_is_object(v))
				return bad(field, fs, why, "a contest is an object", "contests/%zu",
				           i);
			return false;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(json_string_value(
			               json_object_get(json_array_get(contests, k), "id")),
			           json_string_value(json_object_get(v, "id"))) == 0)
				return bad(field, fs, why, "two contests have this id",
				           "contests/%zu/id", i);
	}
	json_array_foreach(excluded, i, v)
	{
		const char *ngo = NULL, *reason = NULL;
		struct jspec_field xs[] = {
		    {JSPEC_STRING("ngo_id", &ngo, 64)},
		    {JSPEC_STRING("reason", &reason, 1024)},
		    {JSPEC_END},
		};

		if (!jspec_parse(v, xs, &err) || !ngo_fields_slug_ok(ngo) ||
		    !ngo_fields_text_ok(reason, 1024) || reason[0] == '\0')
			return bad(field, fs, why, "an NGO id and a reason", "excluded/%zu", i);
	}
	if (strcmp(mode, "open") != 0 && strcmp(mode, "secret") != 0)
		return bad(field, fs, why, "the mode is \"open\" or \"secret\"", "mode");
	json_array_foreach(trustees, i, v)
	{
		if (!json_is_object(v))
			return bad(field, fs, why, "a trustee is an object", "trustees/%zu", i);
		if (!trustee_ok(v, i, field, fs, why))
			return false;
	}
	return true;
}

/* A problem about one NGO names it, so a console can link to it. */
static void
problem_ngo(json_t *list, const char *field, const char *code, const char *detail,
            const char *ngo_id)
{
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "field", field, "problem",
	                                      code, "detail", detail, "ngo_id", ngo_id));
}

static void
problem(json_t *list, const char *field, const char *code, const char *detail)
{
	json_array_append_new(
	    list, json_pack("{s:s, s:s, s:s}", "field", field, "problem", code, "detail", detail));
}

bool
election_draft_secret(const json_t *draft)
{
	const char *mode = json_string_value(json_object_get(draft, "mode"));

	return mode != NULL && strcmp(mode, "secret") == 0;
}

uint32_t
election_draft_threshold(const json_t *draft)
{
	return (uint32_t)json_integer_value(json_object_get(draft, "threshold"));
}

bool
election_draft_dry_run(const json_t *draft)
{
	return json_is_true(json_object_get(draft, "dry_run"));
}

/* The size of a secret ballot body (spec §7.4) for the draft's contests. */
static size_t
secret_ballot_size(const json_t *draft)
{
	size_t size = 64 + 32 + 4 + 4, ci;
	json_t *c;

	json_array_foreach(json_object_get(draft, "contests"), ci, c)
	{
		json_int_t min = json_integer_value(json_object_get(c, "min"));
		json_int_t max = json_integer_value(json_object_get(c, "max"));

		size += 4 + 192 * json_array_size(json_object_get(c, "candidates")) + 4;
		if (max >= min)
			size += 64 * (size_t)(max - min + 1);
	}
	return size;
}

/* What blocks the key ceremony: trustees, their keys, the threshold; and
 * ballots too large to cast. */
static void
trustee_problems(const json_t *draft, json_t *list)
{
	json_t *trustees = json_object_get(draft, "trustees"), *t;
	size_t n = json_array_size(trustees), i;
	uint32_t threshold = election_draft_threshold(draft);
	char field[96], detail[256];

	if (secret_ballot_size(draft) > DRAFT_BALLOT_MAX) {
		snprintf(detail, sizeof(detail),
		         "a secret ballot of these contests would be %zu bytes, more than the %u "
		         "the server takes: fewer candidates or contests",
		         secret_ballot_size(draft), (unsigned)DRAFT_BALLOT_MAX);
		problem(list, "contests", "BALLOT_TOO_LARGE", detail);
	}
	if (n == 0)
		problem(list, "trustees", "NO_TRUSTEES",
		        "a secret-ballot election needs trustees to hold the decryption key");
	if (threshold < 1 || threshold > n) {
		snprintf(detail, sizeof(detail),
		         "the threshold is %u: it must be at least 1 and at most the number of "
		         "trustees (%zu)",
		         threshold, n);
		problem(list, "threshold", "THRESHOLD_RANGE", detail);
	}
	json_array_foreach(trustees, i, t)
	{
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *pk = json_string_value(json_object_get(t, "pk"));
		uint8_t raw[32];

		snprintf(field, sizeof(field), "trustees/%zu/pk", i);
		if (pk[0] == '\0' || !encoding_hex_decode(pk, strlen(pk), raw, sizeof(raw)) ||
		    !pcrypto_ed25519_pk_valid(raw)) {
			snprintf(detail, sizeof(detail), "%s: %s", id,
			         pk[0] == '\0' ? "no key yet" : "not a valid Ed25519 key");
			problem(list, field, "TRUSTEE_KEY_INVALID", detail);
		}
		for (size_t k = 0; k < i; k++) {
			json_t *o = json_array_get(trustees, k);

			if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0) {
				snprintf(field, sizeof(field), "trustees/%zu/id", i);
				snprintf(detail, sizeof(detail), "two trustees have the id %s", id);
				problem(list, field, "TRUSTEE_DUPLICATE", detail);
				break;
			}
			if (pk[0] != '\0' &&
			    strcmp(json_string_value(json_object_get(o, "pk")), pk) == 0) {
				snprintf(detail, sizeof(detail), "%s has the key of %s", id,
				         json_string_value(json_object_get(o, "id")));
				problem(list, field, "TRUSTEE_DUPLICATE", detail);
				break;
			}
		}
	}
}

json_t *
election_draft_problems(const json_t *draft, const struct election_ngo *roll, size_t n_roll,
                        election_ngo_lookup lookup, void *cls)
{
	json_t *list = json_array(), *contests = json_object_get(draft, "contests"), *c;
	char field[96], detail[256];
	size_t ci;

	if (json_array_size(contests) == 0)
		problem(list, "contests", "NO_CONTESTS", "add at least one contest");
	json_array_foreach(contests, ci, c)
	{
		json_t *cands = json_object_get(c, "candidates"), *v;
		json_int_t seats = json_integer_value(json_object_get(c, "seats"));
		json_int_t min = json_integer_value(json_object_get(c, "min"));
		json_int_t max = json_integer_value(json_object_get(c, "max"));
		size_t n = json_array_size(cands), i;

		snprintf(field, sizeof(field), "contests/%zu", ci);
		if ((json_int_t)n < seats) {
			snprintf(detail, sizeof(detail),
			         "%s has %zu candidates for %lld seats: add candidates or reduce "
			         "the seats",
			         json_string_value(json_object_get(c, "id")), n, (long long)seats);
			problem(list, field, "FEWER_CANDIDATES_THAN_SEATS", detail);
		}
		if (min > max) {
			problem(list, field, "MIN_ABOVE_MAX",
			        "the minimum number of choices is above the maximum");
		} else if (max > (json_int_t)n && n > 0) {
			problem(list, field, "MAX_ABOVE_CANDIDATES",
			        "voters may choose more candidates than there are");
		}
		json_array_foreach(cands, i, v)
		{
			const struct election_ngo *ngo = lookup(cls, json_string_value(v));

			snprintf(field, sizeof(field), "contests/%zu/candidates/%zu", ci, i);
			if (ngo == NULL)
				problem_ngo(list, field, "CANDIDATE_UNKNOWN",
				            "no NGO with this id is registered",
				            json_string_value(v));
			else if (!ngo->active)
				problem_ngo(list, field, "CANDIDATE_INACTIVE",
				            "this NGO is deactivated", ngo->id);
		}
	}
	{
		json_t *x;
		size_t xi;

		/* an exclusion must name a registered NGO: a typo would leave the
		 * intended NGO on the roll */
		json_array_foreach(json_object_get(draft, "excluded"), xi, x)
		{
			const char *id = json_string_value(json_object_get(x, "ngo_id"));

			snprintf(field, sizeof(field), "excluded/%zu", xi);
			if (id != NULL && lookup(cls, id) == NULL)
				problem_ngo(list, field, "EXCLUDED_UNKNOWN",
				            "no NGO with this id is registered", id);
		}
	}
	if (n_roll == 0)
		problem(list, "excluded", "EMPTY_ROLL",
		        "no active NGO is left on the roll: register NGOs or exclude fewer");
	for (size_t i = 0; i < n_roll; i++) {
		if (!roll[i].enrolled) {
			snprintf(detail, sizeof(detail),
			         "%s is on the roll but has no key: have it enrol, or exclude it "
			         "with a reason",
			         roll[i].id);
			problem_ngo(list, "roll", "VOTER_WITHOUT_KEY", detail, roll[i].id);
		}
	}
	if (election_draft_secret(draft))
		trustee_problems(draft, list);
	return list;
}

void
election_draft_ceremony_problems(const json_t *draft, const struct election_draft_ceremony *c,
                                 json_t *list)
{
	if (!election_draft_secret(draft))
		return;
	if (!c->started) {
		problem(list, "ceremony", "CEREMONY_NOT_STARTED",
		        "the trustees' key ceremony has not started: start it once the trustees "
		        "are ready");
		return;
	}
	if (c->stale)
		problem(list, "ceremony", "CEREMONY_STALE",
		        "the registry changed since the ceremony froze the manifest (an NGO was "
		        "deactivated or enrolled a new key): restart the ceremony");
	if (!c->complete) {
		problem(list, "ceremony", "CEREMONY_INCOMPLETE",
		        "the trustees' key ceremony is not complete yet");
		return;
	}
	if (election_draft_dry_run(draft) && !c->dry_run_succeeded)
		problem(list, "dry_run", "DRY_RUN_PENDING",
		        "the dry run has not succeeded yet: every trustee must decrypt the test "
		        "tally");
}

struct manifest_storage {
	struct protocol_text_entry title[2];
	struct protocol_contest contests[DRAFT_MAX_CONTESTS];
	struct protocol_text_entry contest_titles[DRAFT_MAX_CONTESTS][2];
	struct protocol_candidate candidates[DRAFT_MAX_CONTESTS][DRAFT_MAX_CANDIDATES];
	struct protocol_text_entry cand_names[DRAFT_MAX_CONTESTS][DRAFT_MAX_CANDIDATES][2];
};

static struct protocol_text
text_of(struct protocol_text_entry e[2], const char *en, const char *km)
{
	/* "en" < "km": ascending byte order, as TEXT requires */
	e[0] = (struct protocol_text_entry){"en", en};
	e[1] = (struct protocol_text_entry){"km", km};
	return (struct protocol_text){2, e};
}

bool
election_draft_manifest(const char *election_id, const json_t *draft, const uint8_t server_pk[32],
                        const struct election_ngo *roll, size_t n_roll, election_ngo_lookup lookup,
                        void *cls, struct encoding_buf *out, const char **why)
{
	struct manifest_storage *s = calloc(1, sizeof(*s));
	struct protocol_party *voters = calloc(n_roll ? n_roll : 1, sizeof(*voters));
	struct protocol_text_entry *voter_names =
	    calloc(n_roll ? 2 * n_roll : 1, sizeof(*voter_names));
	json_t *trustees = json_object_get(draft, "trustees"), *t;
	size_t n_trustees = json_array_size(trustees);
	struct protocol_party *parties = calloc(n_trustees ? n_trustees : 1, sizeof(*parties));
	struct protocol_text_entry *trustee_names =
	    calloc(n_trustees ? 2 * n_trustees : 1, sizeof(*trustee_names));
	json_t *title = json_object_get(draft, "title"), *contests, *c;
	struct protocol_manifest m;
	size_t ci;
	bool ok = false;

	if (s == NULL || voters == NULL || voter_names == NULL || parties == NULL ||
	    trustee_names == NULL) {
		*why = "out of memory";
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.election_id = election_id;
	m.title = text_of(s->title, json_string_value(json_object_get(title, "en")),
	                  json_string_value(json_object_get(title, "km")));
	m.mode = election_draft_secret(draft) ? PROTOCOL_MODE_SECRET : PROTOCOL_MODE_OPEN;
	memcpy(m.server_pk, server_pk, 32);
	m.revote = json_is_true(json_object_get(draft, "revote")) ? 1 : 0;
	m.opens_at = json_string_value(json_object_get(draft, "opens_at"));
	m.closes_at = json_string_value(json_object_get(draft, "closes_at"));
	contests = json_object_get(draft, "contests");
	m.n_contests = (uint32_t)json_array_size(contests);
	m.contests = s->contests;
	json_array_foreach(contests, ci, c)
	{
		struct protocol_contest *pc = &s->contests[ci];
		json_t *ct = json_object_get(c, "title"), *cands = json_object_get(c, "candidates"),
		       *v;
		size_t i;

		pc->id = json_string_value(json_object_get(c, "id"));
		pc->title =
		    text_of(s->contest_titles[ci], json_string_value(json_object_get(ct, "en")),
		            json_string_value(json_object_get(ct, "km")));
		pc->method = PROTOCOL_METHOD_TOP_K;
		pc->seats = (uint32_t)json_integer_value(json_object_get(c, "seats"));
		pc->min = (uint32_t)json_integer_value(json_object_get(c, "min"));
		pc->max = (uint32_t)json_integer_value(json_object_get(c, "max"));
		pc->n_candidates = (uint32_t)json_array_size(cands);
		pc->candidates = s->candidates[ci];
		json_array_foreach(cands, i, v)
		{
			const struct election_ngo *ngo = lookup(cls, json_string_value(v));

			if (ngo == NULL) {
				*why = "a candidate is not a registered NGO";
				goto out;
			}
			s->candidates[ci][i].id = ngo->id;
			s->candidates[ci][i].name =
			    text_of(s->cand_names[ci][i], ngo->name_en, ngo->name_km);
		}
	}
	for (size_t i = 0; i < n_roll; i++) {
		voters[i].id = roll[i].id;
		voters[i].name = text_of(&voter_names[2 * i], roll[i].name_en, roll[i].name_km);
		memcpy(voters[i].pk, roll[i].pk, 32);
	}
	m.n_voters = (uint32_t)n_roll;
	m.voters = voters;
	if (m.mode == PROTOCOL_MODE_SECRET) {
		json_array_foreach(trustees, ci, t)
		{
			const char *pk = json_string_value(json_object_get(t, "pk"));
			json_t *name = json_object_get(t, "name");

			parties[ci].id = json_string_value(json_object_get(t, "id"));
			parties[ci].name = text_of(&trustee_names[2 * ci],
			                           json_string_value(json_object_get(name, "en")),
			                           json_string_value(json_object_get(name, "km")));
			if (pk == NULL ||
			    !encoding_hex_decode(pk, strlen(pk), parties[ci].pk, 32)) {
				*why = "a trustee has no key";
				goto out;
			}
		}
		m.n = (uint32_t)n_trustees;
		m.t = election_draft_threshold(draft);
		m.trustees = parties;
	}
	/* the encoder re-checks every rule of spec §5 */
	ok = protocol_manifest_encode(&m, out, why);
out:
	free(s);
	free(voters);
	free(voter_names);
	free(parties);
	free(trustee_names);
	return ok;
}
