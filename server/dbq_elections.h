/*
 * dbq_elections.h -- queries on the elections table: existence, status
 * (draft, open, closed) and the election hash once the manifest is set.
 */
#ifndef NGO_VOTE_DBQ_ELECTIONS_H
#define NGO_VOTE_DBQ_ELECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define DBQ_ELECTION_ID_MAX 64

enum dbq_election_status {
	DBQ_ELECTION_DRAFT = 0,
	DBQ_ELECTION_OPEN,
	DBQ_ELECTION_CLOSED,
};

struct dbq_election {
	char id[DBQ_ELECTION_ID_MAX + 1];
	enum dbq_election_status status;
	bool has_election_hash;
	uint8_t election_hash[64];
};

enum db_status dbq_election_insert(struct db *db, const char *id);
enum db_status dbq_election_get(struct db *db, const char *id, struct dbq_election *out);
enum db_status dbq_election_set_status(struct db *db, const char *id,
                                       enum dbq_election_status status);
enum db_status dbq_election_set_hash(struct db *db, const char *id, const uint8_t hash[64]);

/* The schedule columns, kept beside the draft for the timer's query. */
struct dbq_schedule {
	const char *opens_at, *closes_at; /* Time or "" */
	bool auto_open, auto_close;
};

enum db_status dbq_election_create(struct db *db, const char *id, const char *draft,
                                   const struct dbq_schedule *sched);
/* Replaces the draft; DB_CONFLICT unless the election is still a draft. */
enum db_status dbq_election_draft_set(struct db *db, const char *id, const char *draft,
                                      const struct dbq_schedule *sched);
/* The draft document (malloc'd text) of an election. */
enum db_status dbq_election_draft_get(struct db *db, const char *id, char **draft);

struct dbq_election_row {
	const char *id, *status, *draft, *opens_at, *closes_at;
	bool auto_open, auto_close;
	int64_t ballots, voters, voted;
	const uint8_t *election_hash; /* NULL before opening */
};

/* Every election (drafts too when with_drafts), newest first. */
enum db_status dbq_elections_each(struct db *db, bool with_drafts,
                                  void (*cb)(void *cls, const struct dbq_election_row *r),
                                  void *cls);
/* Elections the timer must open or close at `now` (a Time), with the
 * time their draft was last saved. */
enum db_status dbq_elections_due(struct db *db, const char *now,
                                 void (*cb)(void *cls, const char *id, bool open,
                                            const char *updated_at),
                                 void *cls);

/* The roll, written when the manifest is. */
enum db_status dbq_roll_insert(struct db *db, const char *election_id, const char *ngo_id,
                               const uint8_t pk[32]);
/* Each voter of the roll with its last accepted seq (0: has not voted). */
enum db_status dbq_roll_each(struct db *db, const char *election_id,
                             void (*cb)(void *cls, const char *ngo_id, const uint8_t pk[32],
                                        uint32_t last_seq),
                             void *cls);

/* The elections whose roll holds this NGO, with its last accepted seq. */
enum db_status dbq_elections_of_ngo(struct db *db, const char *ngo_id,
                                    void (*cb)(void *cls, const char *id, const char *status,
                                               const char *draft, uint32_t last_seq),
                                    void *cls);

/* Whether any election has published its hash: from then on receipts and
 * heads exist under the server key, so the key must never be replaced. */
enum db_status dbq_elections_any_published(struct db *db, bool *any);

#endif
