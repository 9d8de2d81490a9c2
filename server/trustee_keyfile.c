/*
 * trustee_keyfile.c -- the trustee's key file.  One file holds
 * everything secret a trustee has: the Ed25519 identity key from the
 * manifest, the round secrets of a running key ceremony (a_{d,k}, e_d),
 * the messages already built, and after round 3 the share z_j.  It is
 * encrypted with the trustee's passphrase:
 *
 *   {"format":"ngo-vote/trustee-key/v1","pk":hex(32),"salt":hex(16),
 *    "opslimit":N,"memlimit":N,"nonce":hex(24),"ct":hex}
 *
 *   key = Argon2id(passphrase, salt, opslimit, memlimit)   (crypto_pwhash)
 *   ct  = crypto_secretbox_easy(state JSON, nonce, key)
 *
 * The plaintext state is
 *
 *   {"seed": hex(32),
 *    "elections": {ID: {"attempt", "manifest_hash", "index",
 *                       "a": [hex(32)...], "e": hex(32),     until R3 is built
 *                       "sent": [hex R0, R1, R2, R3 or ""],  signed messages
 *                       "z": hex(32), "election_hash": hex}}} after R3
 *
 * The public key stays readable (the secretariat and `status` need it);
 * on opening it must match the seed.  Every save draws a fresh nonce and
 * replaces the file atomically, so a crash leaves the old or the new
 * file, never half of one.  A lock file (FILE.lock) keeps two runs of the
 * tool from updating the same key file at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoding.h"
#include "trustee.h"

#define KEYFILE_MAX (16u << 20)
#define SEED_BYTES  32

/* ---- jansson in wiped memory ---- */

/* Every block carries its size in a header so that free can wipe it. */
#define HDR (sizeof(max_align_t))

static void *
secure_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - HDR)
		return NULL;
	p = malloc(n + HDR);
	if (p == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + HDR;
}

static void
secure_free(void *q)
{
	unsigned char *p;
	size_t n;

	if (q == NULL)
		return;
	p = (unsigned char *)q - HDR;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(q, n);
	free(p);
}

void
trustee_json_secure(void)
{
	json_set_alloc_funcs(secure_malloc, secure_free);
}

void
trustee_json_free(void *p)
{
	secure_free(p);
}

/* ---- passphrase ---- */

bool
trustee_passphrase(const struct trustee_options *o, bool confirm, char *out)
{
	return cli_passphrase(
	    o->passphrase_file, TRUSTEE_PASS_MAX - 1, TRUSTEE_ENV_PASS,
	    confirm ? "New passphrase for the trustee key: " : "Passphrase of the trustee key: ",
	    confirm ? "The same passphrase again: " : NULL, out, TRUSTEE_PASS_MAX);
}

/* ---- the file ---- */

void
trustee_fingerprint(const uint8_t pk[PCRYPTO_PK_BYTES], char out[40])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[33];
	size_t o = 0;

	crypto_hash_sha256(h, pk, PCRYPTO_PK_BYTES);
	encoding_hex_encode(h, 16, hex);
	for (int i = 0; i < 32; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

bool
trustee_state_get_hex(const json_t *o, const char *field, uint8_t *out, size_t n)
{
	const json_t *v = json_object_get(o, field);

	return json_is_string(v) &&
	       encoding_hex_decode(json_string_value(v), json_string_length(v), out, n);
}

void
trustee_state_set_hex(json_t *o, const char *field, const uint8_t *in, size_t n)
{
	char *hex = secure_malloc(2 * n + 1);

	if (hex == NULL)
		return;
	encoding_hex_encode(in, n, hex);
	json_object_set_new(o, field, json_string(hex));
	secure_free(hex);
}

/* Derives the secretbox key from the passphrase (the slow step). */
static bool
derive(struct trustee_key *k, const char *passphrase)
{
	k->box = sodium_malloc(crypto_secretbox_KEYBYTES);
	if (k->box == NULL)
		return false;
	if (crypto_pwhash(k->box, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase),
	                  k->salt, k->opslimit, k->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		fprintf(stderr, "ngo-vote-trustee: not enough memory for the passphrase hash\n");
		return false;
	}
	return true;
}

/* fsync of the folder holding path, so a rename or a new file survives. */
static void
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

static bool
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/* The outer JSON of the file for the current state; malloc'd (secure). */
static char *
seal(struct trustee_key *k)
{
	uint8_t nonce[crypto_secretbox_NONCEBYTES], *plain = NULL, *ct = NULL;
	size_t plen, clen;
	char *text = NULL, *cthex = NULL;
	json_t *outer = NULL;

	plen = json_dumpb(k->state, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
	if (plen == 0)
		return NULL;
	plain = sodium_malloc(plen);
	clen = plen + crypto_secretbox_MACBYTES;
	ct = malloc(clen);
	if (plain == NULL || ct == NULL ||
	    json_dumpb(k->state, (char *)plain, plen, JSON_COMPACT | JSON_SORT_KEYS) != plen)
		goto out;
	randombytes_buf(nonce, sizeof(nonce));
	crypto_secretbox_easy(ct, plain, plen, nonce, k->box);
	cthex = encoding_hex_encode_alloc(ct, clen);
	if (cthex == NULL)
		goto out;
	outer = json_object();
	json_object_set_new(outer, "format", json_string(TRUSTEE_KEY_FORMAT));
	trustee_state_set_hex(outer, "pk", k->pk, sizeof(k->pk));
	trustee_state_set_hex(outer, "salt", k->salt, sizeof(k->salt));
	json_object_set_new(outer, "opslimit", json_integer((json_int_t)k->opslimit));
	json_object_set_new(outer, "memlimit", json_integer((json_int_t)k->memlimit));
	trustee_state_set_hex(outer, "nonce", nonce, sizeof(nonce));
	json_object_set_new(outer, "ct", json_string(cthex));
	text = json_dumps(outer, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
out:
	json_decref(outer);
	if (plain != NULL)
		sodium_free(plain);
	free(ct);
	free(cthex);
	return text;
}

/* Writes text to path: exclusive creation, or replacement via path.tmp. */
static bool
write_file(const char *path, const char *text, bool create)
{
	size_t n = strlen(path) + 8;
	char *tmp = malloc(n);
	bool ok = false;
	int fd;

	if (tmp == NULL)
		return false;
	snprintf(tmp, n, "%s.tmp", path);
	if (!create)
		(void)unlink(tmp); /* left by a crash */
	fd = open(create ? path : tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "ngo-vote-trustee: %s: %s\n", create ? path : tmp,
		        errno == EEXIST && create ? "exists already (a key file is never "
		                                    "overwritten)"
		                                  : strerror(errno));
		free(tmp);
		return false;
	}
	ok = fchmod(fd, 0600) == 0 && write_all(fd, text, strlen(text)) && write_all(fd, "\n", 1) &&
	     fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && !create)
		ok = rename(tmp, path) == 0;
	if (!ok) {
		fprintf(stderr, "ngo-vote-trustee: cannot write %s: %s\n", path, strerror(errno));
		(void)unlink(create ? path : tmp);
	} else {
		sync_dir(path);
	}
	free(tmp);
	return ok;
}

static struct trustee_key *
key_alloc(const char *path)
{
	struct trustee_key *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->lock_fd = -1;
	k->path = strdup(path);
	k->sk = sodium_malloc(PCRYPTO_SK_BYTES);
	if (k->path == NULL || k->sk == NULL) {
		trustee_key_close(k);
		return NULL;
	}
	return k;
}

/* The lock: an flock on FILE.lock, held until close. */
static bool
lock(struct trustee_key *k)
{
	size_t n = strlen(k->path) + 8;
	char *lp = malloc(n);

	if (lp == NULL)
		return false;
	snprintf(lp, n, "%s.lock", k->path);
	k->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (k->lock_fd < 0 || flock(k->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "ngo-vote-trustee: %s: %s\n", lp,
		        k->lock_fd >= 0 && errno == EWOULDBLOCK
		            ? "another ngo-vote-trustee is using this key file"
		            : strerror(errno));
		free(lp);
		return false;
	}
	free(lp);
	return true;
}

bool
trustee_key_create(const char *path, const char *passphrase, uint8_t pk[PCRYPTO_PK_BYTES])
{
	struct trustee_key *k = key_alloc(path);
	uint8_t *seed = sodium_malloc(SEED_BYTES);
	char *text = NULL;
	bool ok = false;
	struct stat st;

	if (k == NULL || seed == NULL)
		goto out;
	if (stat(path, &st) == 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: %s exists already (a key file is never "
		        "overwritten)\n",
		        path);
		goto out;
	}
	if (strlen(passphrase) < TRUSTEE_PASS_MIN) {
		fprintf(stderr,
		        "ngo-vote-trustee: the passphrase must have at least %d characters: this "
		        "file guards a share of the election key\n",
		        TRUSTEE_PASS_MIN);
		goto out;
	}
	randombytes_buf(seed, SEED_BYTES);
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0)
		goto out;
	randombytes_buf(k->salt, sizeof(k->salt));
	k->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	k->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	k->state = json_object();
	trustee_state_set_hex(k->state, "seed", seed, SEED_BYTES);
	json_object_set_new(k->state, "elections", json_object());
	if (!derive(k, passphrase))
		goto out;
	text = seal(k);
	if (text == NULL || !write_file(path, text, true))
		goto out;
	memcpy(pk, k->pk, PCRYPTO_PK_BYTES);
	ok = true;
out:
	trustee_json_free(text);
	if (seed != NULL)
		sodium_free(seed);
	trustee_key_close(k);
	return ok;
}

/* The outer JSON, strictly: exactly the seven fields. */
static json_t *
load_outer(const char *path)
{
	static const char *const fields[] = {"format",   "pk",    "salt", "opslimit",
	                                     "memlimit", "nonce", "ct"};
	size_t len;
	char *text = cli_read_file(path, KEYFILE_MAX, &len);
	json_error_t err;
	json_t *j;

	if (text == NULL)
		return NULL;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "format")) ||
	    strcmp(json_string_value(json_object_get(j, "format")), TRUSTEE_KEY_FORMAT) != 0 ||
	    json_object_size(j) != sizeof(fields) / sizeof(fields[0])) {
		fprintf(stderr, "ngo-vote-trustee: %s is not a trustee key file (%s)\n", path,
		        TRUSTEE_KEY_FORMAT);
		json_decref(j);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_get(j, fields[i]) == NULL) {
			fprintf(stderr, "ngo-vote-trustee: %s lacks \"%s\"\n", path, fields[i]);
			json_decref(j);
			return NULL;
		}
	return j;
}

bool
trustee_key_peek_pk(const char *path, uint8_t pk[PCRYPTO_PK_BYTES])
{
	json_t *j = load_outer(path);
	bool ok = j != NULL && trustee_state_get_hex(j, "pk", pk, PCRYPTO_PK_BYTES);

	json_decref(j);
	return ok;
}

bool
trustee_key_open(const char *path, const char *passphrase, struct trustee_key **out)
{
	struct trustee_key *k = key_alloc(path);
	uint8_t nonce[crypto_secretbox_NONCEBYTES], *ct = NULL, *plain = NULL, *seed = NULL;
	uint8_t pk2[PCRYPTO_PK_BYTES];
	const json_t *ops, *mem, *cth;
	json_t *outer = NULL;
	size_t clen = 0;
	bool ok = false;
	struct stat st;

	*out = NULL;
	if (k == NULL)
		goto out;
	outer = load_outer(path);
	if (outer == NULL || !lock(k))
		goto out;
	ops = json_object_get(outer, "opslimit");
	mem = json_object_get(outer, "memlimit");
	cth = json_object_get(outer, "ct");
	if (!trustee_state_get_hex(outer, "pk", k->pk, sizeof(k->pk)) ||
	    !trustee_state_get_hex(outer, "salt", k->salt, sizeof(k->salt)) ||
	    !trustee_state_get_hex(outer, "nonce", nonce, sizeof(nonce)) || !json_is_integer(ops) ||
	    !json_is_integer(mem) ||
	    json_integer_value(ops) < (json_int_t)crypto_pwhash_OPSLIMIT_INTERACTIVE ||
	    json_integer_value(ops) > (json_int_t)crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    json_integer_value(mem) < (json_int_t)crypto_pwhash_MEMLIMIT_INTERACTIVE ||
	    json_integer_value(mem) > (json_int_t)crypto_pwhash_MEMLIMIT_SENSITIVE ||
	    !json_is_string(cth) ||
	    (ct = encoding_hex_decode_alloc(json_string_value(cth), json_string_length(cth),
	                                    &clen)) == NULL ||
	    clen <= crypto_secretbox_MACBYTES) {
		fprintf(stderr, "ngo-vote-trustee: %s is damaged (a field is not valid)\n", path);
		goto out;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		fprintf(stderr,
		        "ngo-vote-trustee: warning: %s can be read by other users "
		        "(chmod 600 it)\n",
		        path);
	k->opslimit = (unsigned long long)json_integer_value(ops);
	k->memlimit = (size_t)json_integer_value(mem);
	if (!derive(k, passphrase))
		goto out;
	plain = sodium_malloc(clen - crypto_secretbox_MACBYTES);
	if (plain == NULL)
		goto out;
	if (crypto_secretbox_open_easy(plain, ct, clen, nonce, k->box) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: wrong passphrase for %s (or the file is "
		        "damaged)\n",
		        path);
		goto out;
	}
	k->state = json_loadb((const char *)plain, clen - crypto_secretbox_MACBYTES,
	                      JSON_REJECT_DUPLICATES, NULL);
	seed = sodium_malloc(SEED_BYTES);
	if (seed == NULL || !json_is_object(k->state) ||
	    !json_is_object(json_object_get(k->state, "elections")) ||
	    !trustee_state_get_hex(k->state, "seed", seed, SEED_BYTES) ||
	    crypto_sign_seed_keypair(pk2, k->sk, seed) != 0 ||
	    sodium_memcmp(pk2, k->pk, sizeof(pk2)) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: %s is damaged (its key does not match its "
		        "public key)\n",
		        path);
		goto out;
	}
	*out = k;
	k = NULL;
	ok = true;
out:
	json_decref(outer);
	free(ct);
	if (plain != NULL)
		sodium_free(plain);
	if (seed != NULL)
		sodium_free(seed);
	trustee_key_close(k);
	return ok;
}

bool
trustee_key_save(struct trustee_key *k)
{
	char *text = seal(k);
	bool ok = text != NULL && write_file(k->path, text, false);

	trustee_json_free(text);
	if (!ok)
		fprintf(stderr, "ngo-vote-trustee: the key file was NOT updated\n");
	return ok;
}

void
trustee_key_close(struct trustee_key *k)
{
	if (k == NULL)
		return;
	json_decref(k->state);
	if (k->sk != NULL)
		sodium_free(k->sk);
	if (k->box != NULL)
		sodium_free(k->box);
	if (k->lock_fd >= 0)
		close(k->lock_fd);
	free(k->path);
	free(k);
}

json_t *
trustee_key_election(struct trustee_key *k, const char *id, bool create)
{
	json_t *all = json_object_get(k->state, "elections");
	json_t *e = json_object_get(all, id);

	if (e == NULL && create) {
		e = json_object();
		json_object_set_new(all, id, e);
	}
	return json_is_object(e) ? e : NULL;
}

void
trustee_key_forget(struct trustee_key *k, const char *id)
{
	json_object_del(json_object_get(k->state, "elections"), id);
}
