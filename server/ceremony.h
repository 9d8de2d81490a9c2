/*
 * ceremony.h -- the trustees' key ceremony of a secret-ballot draft (spec
 * §6, docs/secret-mode.md).  The secretariat starts it, which freezes the
 * draft's manifest as an attempt; trustees post signed messages round by
 * round, each checked with every check of V5 (protocol_dkg_add) inside
 * the transaction that stores it; a restart abandons the attempt
 * (optionally without some trustees) and freezes a new one; a cancel
 * unfreezes the draft.  Nothing of the ceremony is on the board until
 * opening copies the complete attempt there (elections.c).
 * Knows the store and core, not HTTP.
 */
#ifndef NGO_VOTE_CEREMONY_H
#define NGO_VOTE_CEREMONY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "dbq_ceremony.h"
#include "election_draft.h"
#include "encoding.h"
#include "errors.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"

/* An accepted message, owned. */
struct ceremony_message {
	uint32_t round, trustee;
	uint8_t *data; /* R_r || sig */
	size_t len;
};

/* The alive attempt of an election, loaded: its row, its manifest
 * (decoded once per attempt and shared), and a checker fed with every
 * accepted message in the order accepted. */
struct ceremony {
	struct dbq_ceremony row;
	const struct protocol_manifest *m;
	struct protocol_dkg *k;
	struct ceremony_message *msgs;
	uint32_t n_msgs;
	void *cached_;
};

/* DB_NOT_FOUND when the election has no alive attempt.  The stored
 * messages are checked again on the way in: one that no longer passes is
 * a store corruption (DB_ERROR, logged).  Release with ceremony_clear. */
enum db_status ceremony_load(struct db *db, const char *id, struct ceremony *c);
void ceremony_clear(struct ceremony *c);
/* The draft of a secret-ballot election that has not opened, parsed
 * (*draft to decref).  DB_ROLLBACK with *error: ELECTION_NOT_SECRET for
 * an open-ballot election, else `opened` once it has opened (each caller
 * names what that means to it). */
enum db_status ceremony_secret_draft(struct db *db, const char *id, enum error_code opened,
                                     json_t **draft, enum error_code *error);
/* Its alive attempt, loaded as by ceremony_load; DB_ROLLBACK with *error
 * as ceremony_secret_draft, or CEREMONY_NOT_STARTED when there is none. */
enum db_status ceremony_load_draft(struct db *db, const char *id, enum error_code opened,
                                   struct ceremony *c, enum error_code *error);
/* "round0" .. "round3" (the round expected) or "complete". */
const char *ceremony_state_name(const struct ceremony *c);

/* Where the ceremony of a secret-mode draft stands: c is the alive
 * attempt or NULL; manifest_now what the draft makes now (NULL when the
 * draft has problems of its own: staleness is then not judged). */
enum db_status ceremony_draft_facts(struct db *db, const char *id, const struct ceremony *c,
                                    const struct encoding_buf *manifest_now,
                                    struct election_draft_ceremony *out);

/* The secretariat's transitions.  DB_ROLLBACK with *error (and, for
 * ELECTION_INVALID, *problems to decref) when refused; *field names the
 * culprit of a TRUSTEE_UNKNOWN. */
enum db_status ceremony_start(struct db *db, const char *id, const char *actor,
                              enum error_code *error, json_t **problems);
enum db_status ceremony_restart(struct db *db, const char *id, const char *actor,
                                const json_t *exclude, enum error_code *error, char *field,
                                size_t fieldsize, json_t **problems);
enum db_status ceremony_cancel(struct db *db, const char *id, const char *actor,
                               enum error_code *error);

/* A trustee's message, as accepted. */
struct ceremony_accepted {
	uint32_t round, trustee;
	bool complete;     /* this message completed round 3 */
	const char *state; /* the ceremony's state after it (ceremony_state_name) */
};

/* Checks and stores a message of `round`.  DB_ROLLBACK with *error (and
 * the checker's reason in *why for CEREMONY_BAD_MESSAGE) when refused:
 * nothing is stored. */
enum db_status ceremony_submit(struct db *db, const char *id, uint32_t round, const uint8_t *data,
                               size_t len, struct ceremony_accepted *out, enum error_code *error,
                               const char **why);

#endif
