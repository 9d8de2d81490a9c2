/*
 * dbq_ceremony.h -- queries on secret-mode key ceremonies: the attempts
 * (each with its frozen manifest) and the trustees' accepted messages in
 * the order accepted.  At most one attempt of an election is alive
 * (running or complete); abandoned ones stay as evidence of restarts.
 */
#ifndef NGO_VOTE_DBQ_CEREMONY_H
#define NGO_VOTE_DBQ_CEREMONY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum dbq_ceremony_state {
	DBQ_CEREMONY_RUNNING = 0,
	DBQ_CEREMONY_COMPLETE,
	DBQ_CEREMONY_ABANDONED,
};

struct dbq_ceremony {
	uint32_t attempt;
	enum dbq_ceremony_state state;
	uint8_t *manifest; /* malloc'd manifest_bytes */
	size_t manifest_len;
	uint8_t manifest_hash[64];
	bool has_election_hash;
	uint8_t election_hash[64];
};

/* The alive attempt of an election; DB_NOT_FOUND when there is none.
 * Release with dbq_ceremony_clear(). */
enum db_status dbq_ceremony_alive(struct db *db, const char *election_id, struct dbq_ceremony *out);
void dbq_ceremony_clear(struct dbq_ceremony *c);
/* The highest attempt number of the election, 0 if none yet. */
enum db_status dbq_ceremony_last_attempt(struct db *db, const char *election_id, uint32_t *attempt);
enum db_status dbq_ceremony_insert(struct db *db, const char *election_id, uint32_t attempt,
                                   const uint8_t *manifest, size_t len,
                                   const uint8_t manifest_hash[64], const char *at,
                                   const char *actor);
/* Moves an attempt to `state`; election_hash (complete) may be NULL. */
enum db_status dbq_ceremony_set_state(struct db *db, const char *election_id, uint32_t attempt,
                                      enum dbq_ceremony_state state,
                                      const uint8_t election_hash[64]);

/* One accepted message (borrowed for the callback's duration). */
struct dbq_ceremony_message {
	uint32_t seq, round, trustee;
	const uint8_t *data;
	size_t len;
};

/* The messages of an attempt in the order accepted; cb returns false to
 * stop. */
enum db_status dbq_ceremony_messages_each(struct db *db, const char *election_id, uint32_t attempt,
                                          bool (*cb)(void *cls,
                                                     const struct dbq_ceremony_message *msg),
                                          void *cls);
enum db_status dbq_ceremony_message_insert(struct db *db, const char *election_id, uint32_t attempt,
                                           const struct dbq_ceremony_message *msg, const char *at);

#endif
