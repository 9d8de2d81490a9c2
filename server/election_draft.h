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
 * active NGO, an empty roll, min > max, ... roll: the NGOs that will vote. */
json_t *election_draft_problems(const json_t *draft, const struct election_ngo *roll, size_t n_roll,
                                election_ngo_lookup lookup, void *cls);

/* Encodes the manifest of a valid draft (mode 1, open ballots).  The
 * roll is given in manifest order.  False with a reason on failure. */
bool election_draft_manifest(const char *election_id, const json_t *draft,
                             const uint8_t server_pk[32], const struct election_ngo *roll,
                             size_t n_roll, election_ngo_lookup lookup, void *cls,
                             struct encoding_buf *out, const char **why);

#endif
