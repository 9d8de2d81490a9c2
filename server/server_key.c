/*
 * server_key.c -- the key file holds the 32-byte Ed25519 seed as 64 hex
 * digits and a newline.  The seed is read into locked sodium memory and
 * wiped once the key pair is derived.
 */
#include "server_key.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoding.h"

static bool
derive(struct server_key *key, const uint8_t *seed, char *why, size_t whysize)
{
	key->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (key->sk == NULL) {
		snprintf(why, whysize, "out of secure memory");
		return false;
	}
	if (crypto_sign_seed_keypair(key->pk, key->sk, seed) != 0) {
		sodium_free(key->sk);
		key->sk = NULL;
		snprintf(why, whysize, "cannot derive the key pair");
		return false;
	}
	return true;
}

bool
server_key_load(const char *path, struct server_key *key, char *why, size_t whysize)
{
	char *hex = NULL;
	uint8_t *seed = NULL;
	struct stat stbuf;
	bool ok = false;
	ssize_t got;
	int fd;

	memset(key, 0, sizeof(*key));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysize, "cannot open key file %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &stbuf) != 0 || !S_ISREG(stbuf.st_mode)) {
		snprintf(why, whysize, "key file %s is not a regular file", path);
		goto out;
	}
	if ((stbuf.st_mode & 077) != 0) {
		snprintf(why, whysize,
		         "key file %s is readable by others (mode %03o); chmod 600 it", path,
		         (unsigned)(stbuf.st_mode & 0777));
		goto out;
	}
	hex = sodium_malloc(80);
	seed = sodium_malloc(32);
	if (hex == NULL || seed == NULL) {
		snprintf(why, whysize, "out of secure memory");
		goto out;
	}
	got = read(fd, hex, 80);
	if (got < 64 || (got > 64 && !(got == 65 && hex[64] == '\n')) ||
	    !encoding_hex_decode(hex, 64, seed, 32)) {
		snprintf(why, whysize, "key file %s is not 64 lowercase hex digits", path);
		goto out;
	}
	ok = derive(key, seed, why, whysize);
out:
	if (hex != NULL)
		sodium_free(hex); /* sodium_free wipes */
	if (seed != NULL)
		sodium_free(seed);
	close(fd);
	return ok;
}

bool
server_key_load_or_create(const char *path, struct server_key *key, char *why, size_t whysize)
{
	uint8_t *seed;
	char *hex;
	bool ok = false;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return server_key_load(path, key, why, whysize);
		snprintf(why, whysize, "cannot create key file %s: %s", path, strerror(errno));
		return false;
	}
	seed = sodium_malloc(32);
	hex = sodium_malloc(66);
	if (seed == NULL || hex == NULL) {
		snprintf(why, whysize, "out of secure memory");
		goto out;
	}
	randombytes_buf(seed, 32);
	encoding_hex_encode(seed, 32, hex);
	hex[64] = '\n';
	if (write(fd, hex, 65) != 65 || fsync(fd) != 0) {
		snprintf(why, whysize, "cannot write key file %s: %s", path, strerror(errno));
		goto out;
	}
	ok = derive(key, seed, why, whysize);
out:
	if (close(fd) != 0 && ok) {
		snprintf(why, whysize, "cannot close key file %s: %s", path, strerror(errno));
		server_key_free(key);
		ok = false;
	}
	if (!ok)
		unlink(path);
	if (seed != NULL)
		sodium_free(seed);
	if (hex != NULL)
		sodium_free(hex);
	return ok;
}

void
server_key_free(struct server_key *key)
{
	if (key->sk != NULL)
		sodium_free(key->sk);
	key->sk = NULL;
}
