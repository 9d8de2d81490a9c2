/*
 * verify.h -- the auditor's verifier engine (spec §15), streaming: create
 * it, add the receipts voters handed in, feed the record one line at a
 * time, finish, then read the report.  Memory grows with the roll (voters
 * x candidates), not with the number of ballots.  Pure: the caller does
 * all I/O (verify_main.c for the command line).
 */
#ifndef NGO_VOTE_VERIFY_H
#define NGO_VOTE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum verify_check_id {
	VERIFY_V1 = 0, /* format */
	VERIFY_V2,     /* manifest */
	VERIFY_V3,     /* chain and order */
	VERIFY_V4,     /* ballots */
	VERIFY_V5,     /* key ceremony (secret mode) */
	VERIFY_V6,     /* tally */
	VERIFY_V7,     /* decryption (secret mode) */
	VERIFY_V8,     /* result */
	VERIFY_V9,     /* head */
	VERIFY_V10,    /* receipts */
	VERIFY_CHECK_COUNT
};

enum verify_status {
	VERIFY_PASS = 0,
	VERIFY_FAIL,
	VERIFY_NOT_APPLICABLE,
};

/* The first failure of a check is kept (or why it does not apply). */
struct verify_check {
	enum verify_status status;
	bool has_event;
	uint32_t event;
	char reason[256];
};

struct verify;

struct verify *verify_new(void);
void verify_free(struct verify *v);

/* Adds a receipt (its JSON text) before the first line is fed.  Returns
 * false if called too late; a malformed receipt is a V10 failure, not an
 * error here. */
bool verify_add_receipt(struct verify *v, const char *json, size_t len);

/* Feeds one line of the record, with its '\n' if it had one.  The buffer
 * is used as scratch space (see protocol_record_parse_line). */
void verify_feed_line(struct verify *v, char *line, size_t len);

/* No more lines: runs the checks that need the whole record. */
void verify_finish(struct verify *v);

/* After verify_finish(). */
const struct verify_check *verify_get_check(const struct verify *v, enum verify_check_id id);
/* "V1".."V10" and a short name ("format", ...). */
const char *verify_check_label(enum verify_check_id id);
const char *verify_check_name(enum verify_check_id id);
/* True if no check failed (not-applicable allowed). */
bool verify_ok(const struct verify *v);

/* Secret mode, after verify_finish(): the trustees whose partial
 * decryptions were combined (Q), ascending; NULL and *n_q = 0 otherwise. */
const uint32_t *verify_decrypting_trustees(const struct verify *v, uint32_t *n_q);

/* The whole report as text (one line per check, then the result) or as
 * one JSON object; malloc'd, NULL on allocation failure. */
char *verify_report_text(const struct verify *v);
char *verify_report_json(const struct verify *v);

#endif
