/*
 * dbq_dry_run.h -- queries on the dry runs of key ceremonies (one per
 * attempt): the published test ciphertexts, the state, and the trustees'
 * accepted partial decryptions.
 */
#ifndef NGO_VOTE_DBQ_DRY_RUN_H
#define NGO_VOTE_DBQ_DRY_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum dbq_dry_run_state {
	DBQ_DRY_RUN_RUNNING = 0,
	DBQ_DRY_RUN_SUCCEEDED,
	DBQ_DRY_RUN_FAILED,
};

struct dbq_dry_run {
	enum dbq_dry_run_state state;
	uint8_t *data; /* malloc'd */
	size_t len;
};

/* The dry run of an attempt; DB_NOT_FOUND if none.  Free out->data. */
enum db_status dbq_dry_run_get(struct db *db, const char *election_id, uint32_t attempt,
                               struct dbq_dry_run *out);
enum db_status dbq_dry_run_insert(struct db *db, const char *election_id, uint32_t attempt,
                                  const uint8_t *data, size_t len, const char *at);
enum db_status dbq_dry_run_set_state(struct db *db, const char *election_id, uint32_t attempt,
                                     enum dbq_dry_run_state state);
/* The accepted partial decryptions, by ascending trustee index. */
enum db_status dbq_dry_run_partials_each(struct db *db, const char *election_id, uint32_t attempt,
                                         void (*cb)(void *cls, uint32_t trustee,
                                                    const uint8_t *data, size_t len),
                                         void *cls);
enum db_status dbq_dry_run_partial_insert(struct db *db, const char *election_id, uint32_t attempt,
                                          uint32_t trustee, const uint8_t *data, size_t len,
                                          const char *at);

#endif
