/*
 * dbq_board.h -- queries on elections' boards (spec §10).  Events are
 * appended with their chain hash h_n, computed here from the previous
 * row inside the caller's transaction, and never changed afterwards
 * (triggers forbid UPDATE and DELETE).
 */
#ifndef NGO_VOTE_DBQ_BOARD_H
#define NGO_VOTE_DBQ_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "protocol_board.h"

/* What the store keeps beside a ballot event, for the revote rule. */
struct dbq_ballot_meta {
	uint8_t voter_pk[32];
	uint32_t seq;
	uint8_t ballot_hash[64];
};

struct dbq_event {
	uint32_t n;
	enum protocol_event_type type;
	char at[21];
	uint8_t *data; /* malloc'd */
	size_t len;
	uint8_t hash[64];
};

/* Appends an event as number last+1 (0 on an empty board).  `at` is the
 * caller's clock; if it is earlier than the last event's, the last
 * event's time is used so that `at` never decreases.  Must run inside a
 * transaction.  ballot is NULL for other events. */
enum db_status dbq_board_append(struct db *db, const char *election_id,
                                enum protocol_event_type type, const char *at, const uint8_t *data,
                                size_t len, const struct dbq_ballot_meta *ballot, uint32_t *n_out,
                                uint8_t hash_out[64]);
/* The last event's number and hash; DB_NOT_FOUND on an empty board. */
enum db_status dbq_board_last(struct db *db, const char *election_id, uint32_t *n,
                              uint8_t hash[64]);
/* Number of events (0 for an empty board). */
enum db_status dbq_board_count(struct db *db, const char *election_id, uint32_t *count);
/* Events from..from+limit-1, in order, to cb (which returns false to stop). */
enum db_status dbq_board_each(struct db *db, const char *election_id, uint32_t from, uint32_t limit,
                              bool (*cb)(void *cls, const struct dbq_event *ev), void *cls);
/* One event; DB_NOT_FOUND if absent.  Free ev->data. */
enum db_status dbq_board_get(struct db *db, const char *election_id, uint32_t n,
                             struct dbq_event *ev);
/* The first event of this type; DB_NOT_FOUND if there is none.  Free
 * ev->data. */
enum db_status dbq_board_first_of_type(struct db *db, const char *election_id,
                                       enum protocol_event_type type, struct dbq_event *ev);
/* A voter's last accepted seq (0 if none yet) on this board. */
enum db_status dbq_board_voter_last_seq(struct db *db, const char *election_id,
                                        const uint8_t voter_pk[32], uint32_t *seq);
/* The number and chain hash of the ballot event with this ballot_hash;
 * DB_NOT_FOUND if there is none. */
enum db_status dbq_board_find_ballot(struct db *db, const char *election_id,
                                     const uint8_t ballot_hash[64], uint32_t *n, uint8_t hash[64]);
#endif
