/*
 * dbq_alphas.h -- weeding (spec §9): the encoding of every alpha of every
 * accepted secret ballot, with the voter that cast it, indexed by
 * (election, alpha).
 */
#ifndef NGO_VOTE_DBQ_ALPHAS_H
#define NGO_VOTE_DBQ_ALPHAS_H

#include <stdint.h>

#include "db.h"

/* The voter who cast this alpha; DB_NOT_FOUND if nobody has. */
enum db_status dbq_alpha_owner(struct db *db, const char *election_id, const uint8_t alpha[32],
                               uint8_t voter_pk[32]);
/* Records an accepted alpha; one the voter already cast is left as it is. */
enum db_status dbq_alpha_insert(struct db *db, const char *election_id, const uint8_t alpha[32],
                                const uint8_t voter_pk[32]);

#endif
