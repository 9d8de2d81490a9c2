/*
 * core_helpers.h -- shared test helpers for the core suites: the spec's
 * deterministic test keys (§17), vectors.txt lookup, file reading, and a
 * small in-memory election record that tests can tamper with, re-chain
 * and re-sign so that each tampering isolates one verifier check.
 */
#ifndef NGO_VOTE_TESTS_CORE_HELPERS_H
#define NGO_VOTE_TESTS_CORE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol_board.h"
#include "protocol_manifest.h"

#define TH_SPEC_DIR   "tests/spec/"
#define TH_MAX_EVENTS 64

/* seed32(label) = first 32 bytes of H64("test-rng", STR(label)). */
void th_seed(const char *label, uint8_t seed[32]);
void th_keypair(const char *label, uint8_t pk[32], uint8_t sk[64]);

/* Value of `name` in vectors.txt as a static string (NULL if absent). */
const char *th_vector(const char *name);
/* The same decoded from hex into a malloc'd buffer (aborts the test if absent). */
uint8_t *th_vector_bytes(const char *name, size_t *len);
/* Asserts that bytes equal the hex vector `name`. */
void th_assert_vector(const char *name, const uint8_t *bytes, size_t len);

/* Whole file, NUL-terminated, malloc'd. */
char *th_read_file(const char *path, size_t *len);

struct verify;

struct th_event {
	uint32_t n;
	enum protocol_event_type type;
	char at[PROTOCOL_TIME_LEN + 1];
	uint8_t *data;
	size_t len;
	uint8_t hash[PCRYPTO_HASH_BYTES];
};

struct th_record {
	char election_id[128];
	uint8_t server_pk[32];
	size_t n_events;
	struct th_event ev[TH_MAX_EVENTS];
	bool has_head;
	uint32_t head_n;
	uint8_t head_hash[64];
	uint8_t head_sig[64];
};

void th_record_load(const char *path, struct th_record *r);
void th_record_free(struct th_record *r);
/* Replaces event i's data with a copy of (p, n). */
void th_event_set_data(struct th_record *r, size_t i, const uint8_t *p, size_t n);
/* Inserts a copy of event `from` before position `at` (no renumbering). */
void th_record_insert_copy(struct th_record *r, size_t at, size_t from);
void th_record_remove(struct th_record *r, size_t i);
/* Sets every n to its position. */
void th_record_renumber(struct th_record *r);
/* The election hash of the record's manifest (event 0). */
void th_record_election_hash(const struct th_record *r, uint8_t eh[64]);
/* Re-signs ballot event i with the seed of its voter (label voter/<id>),
 * or with `label` when not NULL; updates the ballot's election hash first
 * if eh != NULL. */
void th_record_resign_ballot(struct th_record *r, size_t i, const uint8_t *eh, const char *label);
/* Recomputes open/close data and the result from the ballots (core code). */
void th_record_recompute(struct th_record *r);
/* Recomputes every event hash, then the head over the last event. */
void th_record_rechain(struct th_record *r);
void th_record_resign_head(struct th_record *r);
/* rechain + resign head. */
void th_record_seal(struct th_record *r);
/* Emits the JSON lines; malloc'd. */
char *th_record_emit(const struct th_record *r, size_t *len);

/* Runs the verifier over a record's text, line by line (each line copied:
 * the engine scribbles), with an optional receipt; finished.  The caller
 * frees it with verify_free(). */
struct verify *th_verify_text(const char *text, size_t len, const char *receipt);
/* The same over an emitted th_record. */
struct verify *th_verify_record(const struct th_record *r, const char *receipt);
/* Prints the verifier's text report to stderr (when a test is about to fail). */
void th_verify_dump(const struct verify *v);

#endif
