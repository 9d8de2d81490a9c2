/*
 * pwhash.c -- the daemon spawns itself with --pwhash-helper for each
 * password operation.  The request travels over a pipe: an operation
 * byte ('H' hash, 'V' verify), then length-prefixed strings; the answer
 * is the hash, or "1"/"0".  If the child cannot be started the work is
 * done in-process, one at a time, rather than refusing the login.
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include "pwhash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

#define PWHASH_MAX_INPUT 4096

extern char **environ;

static pthread_mutex_t inproc_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
inproc_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	int rc;

	pthread_mutex_lock(&inproc_lock);
	rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                       crypto_pwhash_MEMLIMIT_INTERACTIVE);
	pthread_mutex_unlock(&inproc_lock);
	return rc == 0;
}

static bool
inproc_verify(const char *stored, const char *password)
{
	bool ok;

	pthread_mutex_lock(&inproc_lock);
	ok = crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
	pthread_mutex_unlock(&inproc_lock);
	return ok;
}

static bool
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static bool
put_str(int fd, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	return write_all(fd, &n, sizeof(n)) && write_all(fd, s, n);
}

/* Runs one request in a child; the answer (NUL-terminated) in out. */
static bool
run_child(char op, const char *a, const char *b, char *out, size_t outsize)
{
	posix_spawn_file_actions_t fa;
	char *const argv[] = {"ngo-voted", "--pwhash-helper", NULL};
	int in[2] = {-1, -1}, res[2] = {-1, -1}, status;
	size_t got = 0;
	pid_t pid;
	bool ok = false;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0)
		goto out;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, res[1], 1);
	/* the child inherits nothing else: no sockets, no database */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	status = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (status != 0)
		goto out;
	close(in[0]);
	close(res[1]);
	in[0] = res[1] = -1;
	ok = write_all(in[1], &op, 1) && put_str(in[1], a) && (b == NULL || put_str(in[1], b));
	close(in[1]);
	in[1] = -1;
	while (ok && got + 1 < outsize) {
		ssize_t r = read(res[0], out + got, outsize - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (res[i] >= 0)
			close(res[i]);
	}
	return ok;
}

bool
pwhash_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	if (run_child('H', password, NULL, out, crypto_pwhash_STRBYTES) &&
	    strncmp(out, "$argon2id$", 10) == 0)
		return true;
	LOG_INFO("password helper unavailable; hashing in the daemon");
	return inproc_hash(password, out);
}

bool
pwhash_verify(const char *stored, const char *password)
{
	char answer[8];

	if (run_child('V', stored, password, answer, sizeof(answer)))
		return strcmp(answer, "1") == 0;
	LOG_INFO("password helper unavailable; verifying in the daemon");
	return inproc_verify(stored, password);
}

static char *
get_str(void)
{
	uint32_t n;
	char *s;

	if (fread(&n, sizeof(n), 1, stdin) != 1 || n > PWHASH_MAX_INPUT)
		return NULL;
	s = sodium_malloc(n + 1);
	if (s == NULL)
		return NULL;
	if (n > 0 && fread(s, 1, n, stdin) != n) {
		sodium_free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

int
pwhash_helper_main(void)
{
	char out[crypto_pwhash_STRBYTES], *a = NULL, *b = NULL;
	int op = getchar(), ret = 1;

	if (sodium_init() < 0)
		return 1;
	a = get_str();
	if (a == NULL)
		goto done;
	if (op == 'H') {
		if (crypto_pwhash_str(out, a, strlen(a), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		                      crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0) {
			fputs(out, stdout);
			ret = 0;
		}
	} else if (op == 'V' && (b = get_str()) != NULL) {
		fputs(crypto_pwhash_str_verify(a, b, strlen(b)) == 0 ? "1" : "0", stdout);
		ret = 0;
	}
done:
	if (a != NULL)
		sodium_free(a); /* wipes */
	if (b != NULL)
		sodium_free(b);
	return fflush(stdout) == 0 ? ret : 1;
}
