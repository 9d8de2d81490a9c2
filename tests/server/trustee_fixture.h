/*
 * trustee_fixture.h -- shared by the trustee suites: runs
 * build/ngo-vote-trustee with a passphrase in its environment and keeps
 * what it printed, makes trustee keys with its keygen, reads small files,
 * and writes the ceremony document the tool reads with --in.
 */
#ifndef NGO_VOTE_TEST_TRUSTEE_FIXTURE_H
#define NGO_VOTE_TEST_TRUSTEE_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs `ngo-vote-trustee ARGS` in dir with NGO_VOTE_TRUSTEE_PASSPHRASE=pass
 * (NULL: unset); returns the exit status.  When output is not NULL it gets
 * stdout and stderr together (malloc'd).  The run is appended to
 * dir/trustee.log as well. */
int tfx_tool(const char *dir, const char *pass, const char *args, char **output);

/* keygen --key dir/file; asserts success and returns the printed public
 * key (and checks it against the file). */
void tfx_keygen(const char *dir, const char *file, const char *pass, uint8_t pk[32]);

/* Whole file, NUL-terminated, malloc'd; NULL if it does not exist. */
char *tfx_read(const char *path, size_t *len);

/* A message file written by --out: {"round"?, "data": hex}; returns the
 * data bytes (malloc'd) and the round (-1 when absent). */
uint8_t *tfx_message(const char *path, int *round, size_t *len);

#endif
