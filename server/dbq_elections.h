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

/* Whether any election has published its hash: from then on receipts and
 * heads exist under the server key, so the key must never be replaced. */
enum db_status dbq_elections_any_published(struct db *db, bool *any);

#endif
