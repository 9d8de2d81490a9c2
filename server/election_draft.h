/*
 * election_draft.h -- the secretariat's draft of an election: a JSON
 * document checked here field by field, the HLWG template, the list of
 * what blocks opening, and the manifest built from a draft and the
 * registry.  Knows jansson and core, not HTTP or SQL.
 */
#ifndef NGO_VOTE_ELECTION_DRAFT_H
#define NGO_VOTE_ELECTION_DRAFT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "encoding.h"
#include "protocol_manifest.h"

#define DRAFT_MAX_CONTESTS   32
#define DRAFT_MAX_CANDIDATES 64
#define DRAFT_MAX_EXCLUDED   10000
#define DRAFT_MAX_TRUSTEES   16
/* The largest ballot body the server takes (POST /ballots).  An open
 * ballot is at most a few kilobytes; a secret one is about 192 bytes per
 * candidate and 64 per allowed count: a secret-mode draft whose ballots
 * would be larger cannot open (BALLOT_TOO_LARGE). */
#define DRAFT_BALLOT_MAX (384 * 1024)

/* Checks a draft document (all fields required, unknown ones refused).
 * On failure returns false with a JSON-pointer-like field path in
 * field (size fieldsize) and a reason. */
bool election_draft_check(const json_t *draft, char *field, size_t fieldsize, const char **why);
/* A new draft: empty, or the six HLWG working groups (template "hlwg"). */
json_t *election_draft_new(const char *title_en, const char *title_km, bool hlwg);

/* What the manifest needs to know of a registered NGO. */
struct election_ngo {
	const char *id, *name_en, *name_km;
	bool active, enrolled;
	uint8_t pk[32];
};

/* Looks an NGO up by id; NULL if there is none. */
typedef const struct election_ngo *(*election_ngo_lookup)(void *cls, const char *id);

/* Lists what blocks opening as {"field","problem","detail"} objects:
 * a contest with fewer candidates than seats, a candidate that is not an
 * active NGO, an empty roll, min > max, ... roll: the NGOs that will vote.
 * Secret mode adds the trustees' problems (not the ceremony's). */
json_t *election_draft_problems(const json_t *draft, const struct election_ngo *roll, size_t n_roll,
                                election_ngo_lookup lookup, void *cls);

/* Secret mode: where the key ceremony stands, for the problems it causes. */
struct election_draft_ceremony {
	bool started;           /* an attempt is running or complete */
	bool complete;          /* its round 3 is complete */
	bool stale;             /* its frozen manifest differs from the draft's now */
	bool dry_run_succeeded; /* the attempt's dry run succeeded */
};

/* Appends what the ceremony still blocks in a secret-mode draft:
 * CEREMONY_NOT_STARTED, CEREMONY_STALE, CEREMONY_INCOMPLETE,
 * DRY_RUN_PENDING.  Nothing for an open-mode draft. */
void election_draft_ceremony_problems(const json_t *draft, const struct election_draft_ceremony *c,
                                      json_t *list);

/* The secret-mode fields of a checked draft, with their defaults. */
bool election_draft_secret(const json_t *draft);
uint32_t election_draft_threshold(const json_t *draft);
bool election_draft_dry_run(const json_t *draft);

/* Encodes the manifest of a valid draft: mode 1 (open ballots), or mode 2
 * with the draft's trustees and threshold.  The roll is given in manifest
 * order.  False with a reason on failure. */
bool election_draft_manifest(const char *election_id, const json_t *draft,
                             const uint8_t server_pk[32], const struct election_ngo *roll,
                             size_t n_roll, election_ngo_lookup lookup, void *cls,
                             struct encoding_buf *out, const char **why);

#endif
