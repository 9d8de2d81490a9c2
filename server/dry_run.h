/*
 * dry_run.h -- the dry run of a complete key ceremony (spec §6.1,
 * docs/secret-mode.md): the server encrypts known counts under Y
 * (protocol_dryrun.h), every trustee posts a partial decryption of them,
 * each verified on arrival against Z_j, and once all n are in, the t
 * smallest indices are combined: the dry run succeeds when they give the
 * known counts.  One dry run per ceremony attempt, before opening.
 * Knows the store and core, not HTTP.
 */
#ifndef NGO_VOTE_DRY_RUN_H
#define NGO_VOTE_DRY_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "dbq_dry_run.h"
#include "errors.h"

/* Starts the dry run of the election's complete attempt.  DB_ROLLBACK
 * with *error when refused. */
enum db_status dry_run_start(struct db *db, const char *id, const char *actor,
                             enum error_code *error);

/* A trustee's partial decryption, as accepted. */
struct dry_run_accepted {
	uint32_t trustee;
	uint32_t attempt;             /* the ceremony attempt it belongs to */
	enum dbq_dry_run_state state; /* after this one */
};

/* Parses, verifies and stores PD_j || sig.  DB_ROLLBACK with *error (and
 * a reason in *why for DRY_RUN_BAD_PARTIAL) when refused: nothing is
 * stored. */
enum db_status dry_run_submit(struct db *db, const char *id, const uint8_t *data, size_t len,
                              struct dry_run_accepted *out, enum error_code *error,
                              const char **why);

#endif
