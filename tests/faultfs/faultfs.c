/*
 * faultfs.c -- an LD_PRELOAD shim that makes the disk fail on demand, for
 * the disk-fault tests (issue 7).
 *
 * It wraps write, pwrite, pwrite64, fsync and fdatasync.  A call fails
 * (returns -1 with errno set, writing nothing) when
 *   - the control file named by FAULTFS_CONTROL exists (the test creates
 *     and removes it while the daemon runs), and
 *   - the file descriptor's path (read from /proc/self/fd/N) starts with
 *     FAULTFS_PREFIX (the data folder, or the database path so that the
 *     database, its -wal and -shm match but a log beside them does not).
 * Without either variable the shim passes every call through.
 *
 * The control file's content selects the fault (words, any order):
 *   eio | enospc     the errno (default eio)
 *   fsync            fail fsync and fdatasync
 *   write            fail write, pwrite and pwrite64
 * (neither "fsync" nor "write": both fail).
 * With FAULTFS_LOG set, each injected fault appends a line
 * "<call> <errno name> <path>" to that file, so a test can show that the
 * fault really hit the store.
 *
 * Build: cc -shared -fPIC -o build/faultfs.so tests/faultfs/faultfs.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum faultfs_op { FAULTFS_WRITE, FAULTFS_SYNC };

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef int (*sync_fn)(int);

static write_fn real_write;
static pwrite_fn real_pwrite;
static pwrite64_fn real_pwrite64;
static sync_fn real_fsync, real_fdatasync;

/* POSIX's way to store dlsym's answer in a function pointer. */
#define NEXT(fn, name) (*(void **)(&(fn)) = dlsym(RTLD_NEXT, (name)))

__attribute__((constructor)) static void
faultfs_init(void)
{
	NEXT(real_write, "write");
	NEXT(real_pwrite, "pwrite");
	NEXT(real_pwrite64, "pwrite64");
	NEXT(real_fsync, "fsync");
	NEXT(real_fdatasync, "fdatasync");
}

/* Appends a line to FAULTFS_LOG with raw system calls (no recursion). */
static void
faultfs_log(const char *call, int err, const char *path)
{
	const char *log = getenv("FAULTFS_LOG");
	char line[4400];
	int fd, n;

	if (log == NULL || log[0] == '\0')
		return;
	n = snprintf(line, sizeof(line), "%s %s %s\n", call, err == ENOSPC ? "ENOSPC" : "EIO",
	             path);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	                  0600);
	if (fd < 0)
		return;
	syscall(SYS_write, fd, line, (size_t)n);
	syscall(SYS_close, fd);
}

/* 0 when the call goes through; otherwise the errno to fail it with. */
static int
faultfs_check(int fd, enum faultfs_op op, const char *call)
{
	const char *control = getenv("FAULTFS_CONTROL");
	const char *prefix = getenv("FAULTFS_PREFIX");
	char link[64], path[4096], words[256];
	bool want_write = false, want_sync = false;
	int saved = errno, err = EIO, cfd;
	ssize_t n;

	if (control == NULL || prefix == NULL || control[0] == '\0' || prefix[0] == '\0')
		return 0;
	/* the common case, faults off: one failed open, errno untouched */
	cfd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
	if (cfd < 0) {
		errno = saved;
		return 0;
	}
	n = (ssize_t)syscall(SYS_read, cfd, words, sizeof(words) - 1);
	syscall(SYS_close, cfd);
	words[n > 0 ? n : 0] = '\0';
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	errno = saved;
	if (n <= 0)
		return 0;
	path[n] = '\0';
	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return 0;
	if (strstr(words, "enospc") != NULL)
		err = ENOSPC;
	want_write = strstr(words, "write") != NULL;
	want_sync = strstr(words, "fsync") != NULL;
	if (!want_write && !want_sync)
		want_write = want_sync = true;
	if ((op == FAULTFS_WRITE && !want_write) || (op == FAULTFS_SYNC && !want_sync))
		return 0;
	faultfs_log(call, err, path);
	return err;
}

ssize_t
write(int fd, const void *buf, size_t count)
{
	int err = faultfs_check(fd, FAULTFS_WRITE, "write");

	if (err != 0) {
		errno = err;
		return -1;
	}
	if (real_write == NULL)
		return (ssize_t)syscall(SYS_write, fd, buf, count);
	return real_write(fd, buf, count);
}

ssize_t
pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	int err = faultfs_check(fd, FAULTFS_WRITE, "pwrite");

	if (err != 0) {
		errno = err;
		return -1;
	}
	if (real_pwrite == NULL)
		return (ssize_t)syscall(SYS_pwrite64, fd, buf, count, offset);
	return real_pwrite(fd, buf, count, offset);
}

ssize_t
pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
	int err = faultfs_check(fd, FAULTFS_WRITE, "pwrite64");

	if (err != 0) {
		errno = err;
		return -1;
	}
	if (real_pwrite64 == NULL)
		return (ssize_t)syscall(SYS_pwrite64, fd, buf, count, offset);
	return real_pwrite64(fd, buf, count, offset);
}

int
fsync(int fd)
{
	int err = faultfs_check(fd, FAULTFS_SYNC, "fsync");

	if (err != 0) {
		errno = err;
		return -1;
	}
	if (real_fsync == NULL)
		return (int)syscall(SYS_fsync, fd);
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	int err = faultfs_check(fd, FAULTFS_SYNC, "fdatasync");

	if (err != 0) {
		errno = err;
		return -1;
	}
	if (real_fdatasync == NULL)
		return (int)syscall(SYS_fdatasync, fd);
	return real_fdatasync(fd);
}
