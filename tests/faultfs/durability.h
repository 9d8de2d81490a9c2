/*
 * durability.h -- helpers shared by the crash and disk-fault suites
 * (tests/server/test_crash.c defines them, test_diskfault.c uses them):
 * NGO keys seeded straight into the database, an election of the six
 * working groups opened through the API, pre-signed ballots cast over a
 * keep-alive connection that survives the daemon's death, the board read
 * back, PRAGMA integrity_check through the sqlite3 command, and the
 * record run through ngo-vote-verify with every receipt.
 */
#ifndef NGO_VOTE_TEST_DURABILITY_H
#define NGO_VOTE_TEST_DURABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/fixture.h"
#include "server/helpers.h"

/* What happened to a ballot, as its client knows it. */
enum dur_state {
	DUR_UNSENT = 0, /* never sent */
	DUR_UNKNOWN,    /* sent, no answer (the daemon died, the connection broke) */
	DUR_ANSWERED,   /* an HTTP answer came: see status */
};

struct dur_ballot {
	unsigned voter; /* index into the keys */
	uint32_t seq;
	uint8_t hash[64]; /* ballot_hash: the tracking code */
	char *json;       /* {"body":..,"signature":..} */
	enum dur_state state;
	int status;     /* HTTP status when answered */
	char error[48]; /* the error name of a refusal */
	char *receipt;  /* the receipt object (JSON text) of a 201 */
	uint32_t n;     /* the receipt's event number */
	uint8_t event_hash[64];
};

/* One board event, as GET /board shows it. */
struct dur_event {
	char type[24];
	uint8_t hash[64];
	bool has_ballot;
	uint8_t ballot_hash[64];
};

struct dur_board {
	size_t total;
	struct dur_event *ev; /* [total] */
};

/* A daemon with an open election of `ngos` seeded voters. */
struct dur_setup {
	struct test_daemon d;
	struct fixture_who sec;
	struct fixture_key *keys; /* [ngos] */
	unsigned ngos;
	char election[65];
	uint8_t election_hash[64];
	const char *preload; /* LD_PRELOAD for the daemon (NULL: none) */
};

/* A fresh data folder (the caller may then move d.db and set preload). */
void dur_prepare(struct dur_setup *s);
/* Creates the secretariat, seeds `ngos` NGOs with keys through SQL
 * (enrolling a thousand over HTTP would dominate the test's time),
 * launches the daemon, logs in and opens `election` with the six working
 * groups of the template, five candidates each. */
void dur_open(struct dur_setup *s, unsigned ngos, const char *election);
/* Launches the daemon on the folder (with s->preload, if set). */
void dur_launch(struct dur_setup *s);
/* Frees the keys and removes the folder. */
void dur_cleanup(struct dur_setup *s);

/* Builds and signs a ballot of voter k with seq; the choices come from
 * rand_r(seedp). */
void dur_ballot_make(const struct dur_setup *s, unsigned voter, uint32_t seq, unsigned *seedp,
                     struct dur_ballot *b);
void dur_ballot_free(struct dur_ballot *b);

/* A keep-alive client connection (fd < 0: not connected). */
struct dur_conn {
	int fd;
	unsigned port;
};

/* Posts the ballot on the connection (reconnecting when needed); fills
 * b->state, status, error, receipt.  Returns false when no answer came
 * (the daemon is gone): b->state is DUR_UNKNOWN then. */
bool dur_cast(struct dur_conn *c, const char *election, struct dur_ballot *b);
void dur_conn_close(struct dur_conn *c);

/* GET /board in pages of 500. */
void dur_board_read(const struct test_daemon *d, const char *election, struct dur_board *out);
void dur_board_free(struct dur_board *b);
/* The event number holding this ballot_hash, or -1. */
long dur_board_find(const struct dur_board *b, const uint8_t hash[64]);
/* Asserts the receipt of an acknowledged ballot matches the board: event n
 * is a ballot with this ballot_hash and the chain hash of the receipt. */
void dur_assert_on_board(const struct dur_board *b, const struct dur_ballot *x);

/* "ok" from `sqlite3 DB 'PRAGMA integrity_check'` (asserts). */
void dur_assert_integrity(const char *db_path);
/* Fetches the record and runs ngo-vote-verify on it with every receipt
 * of the n ballots (files under dir/receipts); returns its exit status. */
int dur_record_verify(const struct test_daemon *d, const char *election,
                      const struct dur_ballot *const *ballots, size_t n);

#endif
