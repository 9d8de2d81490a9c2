/*
 * pwhash.h -- Argon2id password hashing (crypto_pwhash_str at the
 * INTERACTIVE limits: 64 MiB and ~0.1 s per hash) done in a short-lived
 * child process, so the daemon's own memory never carries the 64 MiB.
 * The child is this same binary started with --pwhash-helper.
 */
#ifndef NGO_VOTE_PWHASH_H
#define NGO_VOTE_PWHASH_H

#include <stdbool.h>
#include <sodium.h>

/* Hashes password into out; false on failure. */
bool pwhash_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* Whether password matches the stored hash. */
bool pwhash_verify(const char *stored, const char *password);
/* The child's side: reads one request on stdin, answers on stdout. */
int pwhash_helper_main(void);

#endif
