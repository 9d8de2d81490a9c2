/*
 * election_build.h -- a draft as it would open now: its roll read from the
 * registry (every active NGO not excluded, in id order), what blocks
 * opening it, and its manifest bytes.  Opening uses it, and so does the
 * key ceremony of a secret-ballot draft, which freezes the manifest.
 * Knows the store and core, not HTTP.
 */
#ifndef NGO_VOTE_ELECTION_BUILD_H
#define NGO_VOTE_ELECTION_BUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "election_draft.h"
#include "encoding.h"

struct election_build {
	/* what blocks opening (election_draft_problems, plus MANIFEST_INVALID
	 * when the manifest cannot be encoded); never NULL after DB_OK */
	json_t *problems;
	/* manifest_bytes, when asked for and there is no problem */
	struct encoding_buf manifest;
	bool has_manifest;
	/* the voters, in manifest order */
	const struct election_ngo *roll;
	size_t n_roll;
	void *storage_;
};

/* Reads the registry and builds.  On DB_OK release with _free (also
 * safe on a zeroed struct). */
enum db_status election_build(struct db *db, const char *id, const json_t *draft,
                              bool want_manifest, struct election_build *out);
void election_build_free(struct election_build *b);

#endif
