/*
 * decryption.h -- the decryption of a secret election's tally (spec §12,
 * §13; docs/secret-mode.md): a trustee's partial decryption is verified
 * against the tally event's aggregates and its verification key Z_j,
 * then appended as a `partial-decryption` event; the transaction that
 * appends the t-th one also combines the t smallest indices and appends
 * the `result`.  Knows the store and core, not HTTP.
 */
#ifndef NGO_VOTE_DECRYPTION_H
#define NGO_VOTE_DECRYPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "errors.h"

struct decryption_accepted {
	uint32_t trustee; /* j */
	uint32_t n;       /* its event number */
	bool result;      /* the result was appended with it */
};

/* PD_j || sig, as the trustee signed it.  DB_ROLLBACK with *error (and a
 * reason in *why for DECRYPTION_INVALID) when refused: nothing is
 * stored; DB_NOT_FOUND for an unknown election. */
enum db_status decryption_submit(struct db *db, const char *id, const uint8_t *data, size_t len,
                                 struct decryption_accepted *out, enum error_code *error,
                                 const char **why);

#endif
