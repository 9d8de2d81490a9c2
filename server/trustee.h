/*
 * trustee.h -- the pieces of ngo-vote-trustee, the command-line tool a
 * trustee of a secret-ballot election runs on their own machine (spec
 * §6, §12; docs/secret-mode.md):
 *
 *   trustee_keyfile.c   the passphrase-encrypted key file: the Ed25519
 *                       identity, the ceremony's round secrets and the
 *                       share z_j, in one file (Argon2id + secretbox);
 *   trustee_net.c       the election server (HTTP through cli.c, shared
 *                       with ngo-vote-cast) and the air-gapped file
 *                       exchange;
 *   trustee_ceremony.c  the key ceremony, rounds R0-R3;
 *   trustee_decrypt.c   the dry run and the partial decryption of the
 *                       tally, after verifying the whole record;
 *   trustee_main.c      options, --help, keygen, status.
 *
 * The tool links the protocol core, libsodium, jansson and libcurl only.
 * Every secret lives in sodium_malloc memory or in jansson values whose
 * memory is wiped when freed (trustee_json_secure()).
 */
#ifndef NGO_VOTE_TRUSTEE_H
#define NGO_VOTE_TRUSTEE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "crypto.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"

#define TRUSTEE_KEY_FORMAT "ngo-vote/trustee-key/v1"
#define TRUSTEE_PASS_MAX   1024
#define TRUSTEE_PASS_MIN   12
#define TRUSTEE_ENV_PASS   "NGO_VOTE_TRUSTEE_PASSPHRASE"

/* Exit codes. */
#define TRUSTEE_OK      0
#define TRUSTEE_REFUSED 1
#define TRUSTEE_USAGE   2

struct trustee_options {
	const char *command;
	const char *server, *election, *key_file, *passphrase_file;
	const char *in, *out;
	const char *ceremony_in; /* dry-run, air-gapped: the ceremony document */
	bool wait;
	unsigned timeout; /* --wait gives up after this many seconds; 0: never */
	unsigned min_ballots;
	bool min_ballots_set;
};

/* ---- trustee_keyfile.c ---- */

/* An opened key file: the identity and the decrypted state.  The state is
 *   {"seed": hex, "elections": {ID: {...}}}
 * (see trustee_keyfile.c); it is written back encrypted by
 * trustee_key_save() under the key derived when the file was opened. */
struct trustee_key {
	char *path;
	int lock_fd;
	uint8_t pk[PCRYPTO_PK_BYTES];
	uint8_t *sk;  /* 64 bytes, sodium_malloc */
	uint8_t *box; /* secretbox key, 32 bytes, sodium_malloc */
	uint8_t salt[16];
	unsigned long long opslimit;
	size_t memlimit;
	json_t *state;
};

/* Makes jansson allocate from memory that is wiped when freed.  Call
 * before any other jansson use.  Strings jansson hands out (json_dumps)
 * must then be released with trustee_json_free(). */
void trustee_json_secure(void);
void trustee_json_free(void *p);

/* The passphrase: --passphrase-file, else NGO_VOTE_TRUSTEE_PASSPHRASE, else
 * asked on the terminal without echo (twice when confirm).  out is
 * TRUSTEE_PASS_MAX bytes of sodium memory. */
bool trustee_passphrase(const struct trustee_options *o, bool confirm, char *out);

/* keygen: a fresh Ed25519 key in a new file (mode 0600; an existing file
 * is never overwritten).  Fills pk. */
bool trustee_key_create(const char *path, const char *passphrase, uint8_t pk[PCRYPTO_PK_BYTES]);
/* Opens, locks (one process per key file) and decrypts.  false with a
 * message on stderr (a wrong passphrase says so). */
bool trustee_key_open(const char *path, const char *passphrase, struct trustee_key **out);
/* The public key written in a key file, without its passphrase. */
bool trustee_key_peek_pk(const char *path, uint8_t pk[PCRYPTO_PK_BYTES]);
/* Encrypts the state under a fresh nonce and replaces the file
 * atomically (temporary file, fsync, rename). */
bool trustee_key_save(struct trustee_key *k);
void trustee_key_close(struct trustee_key *k);

/* The state of one election (created empty when create), borrowed. */
json_t *trustee_key_election(struct trustee_key *k, const char *id, bool create);
/* Drops an election's state (round secrets and share). */
void trustee_key_forget(struct trustee_key *k, const char *id);

/* Hex fields of the state: get into out (exact length), set from bytes. */
bool trustee_state_get_hex(const json_t *o, const char *field, uint8_t *out, size_t n);
void trustee_state_set_hex(json_t *o, const char *field, const uint8_t *in, size_t n);

/* SHA-256(pk)[0..16] as 8 groups of 4 hex digits (what the server shows). */
void trustee_fingerprint(const uint8_t pk[PCRYPTO_PK_BYTES], char out[40]);

/* ---- trustee_net.c ---- */

/* GET base/api/elections/ID/<what> (what may be ""). */
long trustee_get(const struct trustee_options *o, const char *what, struct cli_response *r);
/* POST a JSON body to base/api/elections/ID/<what>. */
long trustee_post(const struct trustee_options *o, const char *what, const char *json,
                  struct cli_response *r);
/* The "name" and "hint" of an error answer, for messages. */
void trustee_response_explain(const struct cli_response *r, char *out, size_t outsize);

/* Writes a message JSON for --out (replaces the file). */
bool trustee_write_out(const char *path, const char *json);
/* The JSON document of --in FILE, or of GET <what> (status must be 200). */
json_t *trustee_fetch_json(const struct trustee_options *o, const char *what, const char *label);
/* Sends {"round"?, "data": hex} to <what>, or writes it to --out.
 * round < 0: no "round" field.  Returns false with the reason printed;
 * *status (may be NULL) gets the HTTP status, 0 when no answer came. */
bool trustee_send(const struct trustee_options *o, const char *what, int round, const uint8_t *data,
                  size_t len, const char *label, long *status);

/* ---- trustee_ceremony.c ---- */

/* What a ceremony document (GET /ceremony) says, checked. */
struct trustee_ceremony {
	struct protocol_manifest *m;
	uint8_t manifest_hash[PCRYPTO_HASH_BYTES];
	long long attempt; /* 0 when the server does not say */
	char state[32];
	struct protocol_dkg *k; /* every message, checked */
	uint32_t me;            /* our index, 0 when not a trustee */
};

/* Decodes the frozen manifest and feeds every message to the checker;
 * refuses (false, message printed) a manifest of another election or
 * mode and any message the checker refuses, naming its trustee. */
bool trustee_ceremony_load(const struct trustee_options *o, const json_t *doc,
                           const uint8_t pk[PCRYPTO_PK_BYTES], struct trustee_ceremony *c);
void trustee_ceremony_clear(struct trustee_ceremony *c);

int trustee_cmd_ceremony(const struct trustee_options *o);

/* ---- trustee_decrypt.c ---- */

int trustee_cmd_dry_run(const struct trustee_options *o);
int trustee_cmd_decrypt(const struct trustee_options *o);

/* ---- trustee_main.c ---- */

/* Opens --key with the passphrase (message printed on failure). */
bool trustee_open_key(const struct trustee_options *o, struct trustee_key **out);

#endif
