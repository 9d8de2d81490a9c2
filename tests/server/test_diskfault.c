/*
 * test_diskfault.c -- disk faults (issue 7).  The daemon runs with the
 * faultfs shim preloaded (build/faultfs.so, tests/faultfs/faultfs.c),
 * which fails fsync/fdatasync or write/pwrite on the database files while
 * a control file exists; and, separately, on a data folder that is a full
 * 2 MiB tmpfs.  In each case:
 *   - ballots cast before the fault get receipts;
 *   - with the fault, every ballot is answered 503 STORAGE_FAILURE (no
 *     receipt), /healthz answers 503, and the board (still readable) shows
 *     only the acknowledged ballots;
 *   - once the fault clears the daemon still refuses writes (503): it
 *     never retries a failed fsync as if it had succeeded; an operator
 *     restarts it;
 *   - after the restart (without the fault): every acknowledged ballot is
 *     on the board with its receipt's h_n, PRAGMA integrity_check is ok,
 *     the ballots refused with 503 are resent and each is then accepted
 *     once (or found already stored: 409 BALLOT_DUPLICATE, and on the
 *     board), new ballots get receipts, and the record verifies with
 *     every receipt.
 * The full disk is a real one: the test unshares a mount namespace and
 * mounts a 2 MiB tmpfs as the data folder (root, as on the development
 * VM).  Where mounting is not permitted (an unprivileged run, a container
 * without CAP_SYS_ADMIN) it says so and falls back to the shim's ENOSPC
 * on write.
 * Note: after a failed fsync, a ballot answered 503 can be on the board
 * after the restart (SQLite had written its WAL frames; only the fsync
 * failed, and recovery replays them).  No receipt was given for it, so
 * nothing acknowledged is wrong, but "nothing was stored" (the
 * STORAGE_FAILURE hint) is not true in that case: the outcome is unknown
 * until the restart, and a resend then tells (201 or BALLOT_DUPLICATE).
 */
#define _GNU_SOURCE /* unshare */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultfs/durability.h"

Suite *diskfault_suite(void);

#define DF_NGOS 40

enum df_fault { DF_FSYNC_EIO, DF_WRITE_EIO, DF_FULL_TMPFS };

struct df {
	struct dur_setup s;
	enum df_fault fault;
	bool tmpfs;         /* the data folder is a mounted tmpfs */
	char data[280];     /* the data folder (tmpfs) */
	char control[400];  /* the shim's control file */
	char shim_log[400]; /* the shim's record of injected faults */
	char shim[1024];
	struct dur_ballot b[DF_NGOS];
	unsigned nb;
	unsigned rnd;
};

static int
healthz(const struct test_daemon *d)
{
	struct test_http r;
	int status;

	test_http_get(d, "/healthz", &r);
	status = r.status;
	if (status == 503)
		test_http_expect_error(&r, 503, "STORAGE_FAILURE");
	test_http_free(&r);
	return status;
}

/* A fresh ballot of the next voter, cast on a fresh connection. */
static struct dur_ballot *
cast_next(struct df *f)
{
	struct dur_ballot *b;
	struct dur_conn c = {-1, f->s.d.port};

	ck_assert_uint_lt(f->nb, DF_NGOS);
	b = &f->b[f->nb];
	dur_ballot_make(&f->s, f->nb, 1, &f->rnd, b);
	f->nb++;
	ck_assert_msg(dur_cast(&c, f->s.election, b), "no answer to ballot %u", f->nb - 1);
	dur_conn_close(&c);
	return b;
}

static void
fault_on(struct df *f, const char *words)
{
	FILE *c = fopen(f->control, "w");

	ck_assert_ptr_nonnull(c);
	fputs(words, c);
	fclose(c);
}

static void
fault_off(struct df *f)
{
	ck_assert_int_eq(unlink(f->control), 0);
}

/* A mount namespace of our own (it goes away with the test process and
 * the daemon, even when an assertion ends the test), then a 2 MiB tmpfs
 * on f->data.  False when this sandbox does not allow it. */
static bool
mount_tmpfs(struct df *f)
{
	if (unshare(CLONE_NEWNS) == 0)
		mount("none", "/", "", MS_REC | MS_PRIVATE, NULL);
	if (mount("tmpfs", f->data, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
		printf("diskfault: cannot mount a tmpfs (%s): the full disk is simulated by the "
		       "shim's ENOSPC on write instead\n",
		       strerror(errno));
		return false;
	}
	return true;
}

/* Writes a file until the filesystem says ENOSPC. */
static void
fill_disk(const struct df *f)
{
	char path[450], chunk[4096];
	size_t sizes[] = {sizeof(chunk), 512, 1};
	int fd;

	snprintf(path, sizeof(path), "%s/filler", f->data);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	memset(chunk, 'x', sizeof(chunk));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (;;) {
			ssize_t w = write(fd, chunk, sizes[i]);

			if (w < 0) {
				ck_assert_int_eq(errno, ENOSPC);
				break;
			}
		}
	}
	fsync(fd);
	close(fd);
}

static void
df_setup(struct df *f, enum df_fault fault)
{
	char prefix[400];

	memset(f, 0, sizeof(*f));
	f->fault = fault;
	f->rnd = 20261129u + (unsigned)fault;
	dur_prepare(&f->s);
	snprintf(f->control, sizeof(f->control), "%s/faultfs.on", f->s.d.dir);
	snprintf(f->shim_log, sizeof(f->shim_log), "%s/faultfs.log", f->s.d.dir);
	test_binary("faultfs.so", f->shim, sizeof(f->shim));
	ck_assert_msg(access(f->shim, R_OK) == 0, "%s missing: make all builds it", f->shim);
	if (fault == DF_FULL_TMPFS) {
		snprintf(f->data, sizeof(f->data), "%s/data", f->s.d.dir);
		ck_assert_int_eq(mkdir(f->data, 0700), 0);
		f->tmpfs = mount_tmpfs(f);
		snprintf(f->s.d.db, sizeof(f->s.d.db), "%s/ngo-vote.sqlite", f->data);
	}
	if (fault != DF_FULL_TMPFS || !f->tmpfs) {
		/* the database and its -wal and -shm; not the daemon's log beside them */
		snprintf(prefix, sizeof(prefix), "%s", f->s.d.db);
		setenv("FAULTFS_CONTROL", f->control, 1);
		setenv("FAULTFS_PREFIX", prefix, 1);
		setenv("FAULTFS_LOG", f->shim_log, 1);
		f->s.preload = f->shim;
	}
	dur_open(&f->s, DF_NGOS, "disk");
}

static void
df_cleanup(struct df *f)
{
	for (unsigned i = 0; i < f->nb; i++)
		dur_ballot_free(&f->b[i]);
	if (f->s.d.pid > 0)
		test_daemon_kill(&f->s.d);
	if (f->tmpfs)
		umount2(f->data, MNT_DETACH);
	unsetenv("FAULTFS_CONTROL");
	unsetenv("FAULTFS_PREFIX");
	unsetenv("FAULTFS_LOG");
	dur_cleanup(&f->s);
}

/* The whole story for one kind of fault. */
static void
df_run(enum df_fault fault)
{
	static const char *const names[] = {"fsync EIO", "write EIO", "full filesystem"};
	struct df *f = calloc(1, sizeof(*f));
	unsigned acked_before, first_failed, failed_end;
	struct dur_board board;
	const struct dur_ballot *all[DF_NGOS];
	struct test_http r;
	char path[200];
	int stop;

	ck_assert_ptr_nonnull(f);
	df_setup(f, fault);
	printf("diskfault: %s%s\n", names[fault],
	       fault == DF_FULL_TMPFS ? (f->tmpfs ? " (2 MiB tmpfs)" : " (shim ENOSPC)") : "");

	/* before the fault: receipts */
	for (int i = 0; i < 5; i++) {
		struct dur_ballot *b = cast_next(f);

		ck_assert_msg(b->status == 201, "before the fault: %d %s", b->status, b->error);
	}
	acked_before = f->nb;
	ck_assert_int_eq(healthz(&f->s.d), 200);

	/* the fault */
	switch (fault) {
	case DF_FSYNC_EIO:
		fault_on(f, "eio fsync");
		break;
	case DF_WRITE_EIO:
		fault_on(f, "eio write");
		break;
	case DF_FULL_TMPFS:
		if (f->tmpfs)
			fill_disk(f);
		else
			fault_on(f, "enospc write");
		break;
	}
	first_failed = f->nb;
	for (int i = 0; i < 5; i++) {
		struct dur_ballot *b = cast_next(f);

		/* nothing is acknowledged while the disk fails */
		ck_assert_msg(b->status == 503 && b->receipt == NULL &&
		                  strcmp(b->error, "STORAGE_FAILURE") == 0,
		              "with the fault: %d %s", b->status, b->error);
	}
	ck_assert_int_eq(healthz(&f->s.d), 503);
	if (f->s.preload != NULL) {
		/* the failure came from the store's own files */
		struct stat st;

		ck_assert_msg(stat(f->shim_log, &st) == 0 && st.st_size > 0,
		              "the shim injected no fault");
	}
	/* the board still answers, with the acknowledged ballots only */
	dur_board_read(&f->s.d, f->s.election, &board);
	ck_assert_uint_eq(board.total, 2 + acked_before);
	for (unsigned i = 0; i < acked_before; i++)
		dur_assert_on_board(&board, &f->b[i]);
	dur_board_free(&board);

	/* the fault clears: the daemon still refuses, until restarted */
	if (fault == DF_FULL_TMPFS && f->tmpfs) {
		char filler[450];

		snprintf(filler, sizeof(filler), "%s/filler", f->data);
		ck_assert_int_eq(unlink(filler), 0);
	} else {
		fault_off(f);
	}
	{
		struct dur_ballot *b = cast_next(f);

		ck_assert_msg(b->status == 503 && strcmp(b->error, "STORAGE_FAILURE") == 0,
		              "after the fault cleared, before a restart: %d %s", b->status,
		              b->error);
	}
	ck_assert_int_eq(healthz(&f->s.d), 503);
	failed_end = f->nb;

	/* the operator restarts it (the write fault: a clean stop; the
	 * others: SIGKILL), without the shim */
	if (fault == DF_WRITE_EIO) {
		stop = test_daemon_stop(&f->s.d);
		printf("diskfault: SIGTERM after the storage failure: exit status %d\n", stop);
	} else {
		test_daemon_kill(&f->s.d);
	}
	f->s.preload = NULL;
	dur_launch(&f->s);
	ck_assert_int_eq(healthz(&f->s.d), 200);
	dur_board_read(&f->s.d, f->s.election, &board);
	for (unsigned i = 0; i < acked_before; i++)
		dur_assert_on_board(&board, &f->b[i]);
	{
		unsigned stored = 0;

		for (unsigned i = first_failed; i < failed_end; i++)
			stored += dur_board_find(&board, f->b[i].hash) >= 0;
		/* a ballot answered 503 may be on the board after the restart: its
		 * transaction reached the disk although its fsync failed */
		printf("diskfault: after the restart the board has %zu events; %u of the %u "
		       "ballots answered 503 are on it\n",
		       board.total, stored, failed_end - first_failed);
		ck_assert_uint_eq(board.total, 2 + acked_before + stored);
	}
	dur_assert_integrity(f->s.d.db);
	/* the 503'd ballots, resent: each is accepted once */
	{
		struct dur_conn c = {-1, f->s.d.port};

		for (unsigned i = first_failed; i < failed_end; i++) {
			long before = dur_board_find(&board, f->b[i].hash);

			ck_assert(dur_cast(&c, f->s.election, &f->b[i]));
			if (before < 0)
				ck_assert_msg(f->b[i].status == 201, "resend %u: %d %s", i,
				              f->b[i].status, f->b[i].error);
			else
				ck_assert_msg(f->b[i].status == 409 &&
				                  strcmp(f->b[i].error, "BALLOT_DUPLICATE") == 0,
				              "resend %u (on the board): %d %s", i, f->b[i].status,
				              f->b[i].error);
		}
		dur_conn_close(&c);
	}
	dur_board_free(&board);
	/* voting works again */
	for (int i = 0; i < 3; i++) {
		struct dur_ballot *b = cast_next(f);

		ck_assert_msg(b->status == 201, "after the restart: %d %s", b->status, b->error);
	}
	dur_board_read(&f->s.d, f->s.election, &board);
	for (unsigned i = 0; i < f->nb; i++) {
		ck_assert_msg(dur_board_find(&board, f->b[i].hash) >= 2, "ballot %u missing", i);
		if (f->b[i].receipt != NULL)
			dur_assert_on_board(&board, &f->b[i]);
	}
	ck_assert_uint_eq(board.total, 2 + f->nb);
	dur_board_free(&board);
	dur_assert_integrity(f->s.d.db);
	for (unsigned i = 0; i < f->nb; i++)
		all[i] = &f->b[i];
	ck_assert_msg(dur_record_verify(&f->s.d, f->s.election, all, f->nb) == 0,
	              "the record does not verify (see %s/verify.out)", f->s.d.dir);
	snprintf(path, sizeof(path), "/api/elections/%s", f->s.election);
	test_http_get(&f->s.d, path, &r);
	ck_assert_int_eq(r.status, 200);
	test_http_free(&r);
	ck_assert_int_eq(test_daemon_stop(&f->s.d), 0);
	df_cleanup(f);
	free(f);
}

/* ---- the fault under load: 16 clients, the fsync fails mid-stream ---- */

#define LOAD_NGOS    400
#define LOAD_CLIENTS 16

struct load_run {
	struct dur_setup *s;
	struct dur_ballot *b;
	atomic_size_t next;
	atomic_uint answered, no_answer;
};

static void *
load_client(void *arg)
{
	struct load_run *run = arg;
	struct dur_conn c = {-1, run->s->d.port};

	for (;;) {
		size_t i = atomic_fetch_add(&run->next, 1);

		if (i >= LOAD_NGOS)
			break;
		if (dur_cast(&c, run->s->election, &run->b[i]))
			atomic_fetch_add(&run->answered, 1);
		else
			atomic_fetch_add(&run->no_answer, 1);
	}
	dur_conn_close(&c);
	return NULL;
}

START_TEST(fsync_fails_under_load)
{
	struct dur_setup s;
	struct load_run run;
	struct dur_board board;
	struct dur_ballot *b = calloc(LOAD_NGOS, sizeof(*b));
	const struct dur_ballot **all = calloc(LOAD_NGOS, sizeof(*all));
	pthread_t threads[LOAD_CLIENTS];
	char control[400], log[400], shim[1024];
	unsigned rnd = 7, acked = 0, failed = 0, stored = 0, flip_after;
	struct dur_conn c;
	FILE *f;

	ck_assert(b != NULL && all != NULL);
	dur_prepare(&s);
	snprintf(control, sizeof(control), "%s/faultfs.on", s.d.dir);
	snprintf(log, sizeof(log), "%s/faultfs.log", s.d.dir);
	test_binary("faultfs.so", shim, sizeof(shim));
	setenv("FAULTFS_CONTROL", control, 1);
	setenv("FAULTFS_PREFIX", s.d.db, 1);
	setenv("FAULTFS_LOG", log, 1);
	s.preload = shim;
	dur_open(&s, LOAD_NGOS, "load");
	for (unsigned i = 0; i < LOAD_NGOS; i++)
		dur_ballot_make(&s, i, 1, &rnd, &b[i]);
	memset(&run, 0, sizeof(run));
	run.s = &s;
	run.b = b;
	flip_after = 50 + (unsigned)rand_r(&rnd) % 150;
	for (int k = 0; k < LOAD_CLIENTS; k++)
		ck_assert_int_eq(pthread_create(&threads[k], NULL, load_client, &run), 0);
	while (atomic_load(&run.answered) < flip_after &&
	       atomic_load(&run.next) < LOAD_NGOS + LOAD_CLIENTS)
		usleep(100);
	f = fopen(control, "w");
	ck_assert_ptr_nonnull(f);
	fputs("eio fsync", f);
	fclose(f);
	for (int k = 0; k < LOAD_CLIENTS; k++)
		pthread_join(threads[k], NULL);
	ck_assert_uint_eq(atomic_load(&run.no_answer), 0);
	for (unsigned i = 0; i < LOAD_NGOS; i++) {
		ck_assert_int_eq(b[i].state, DUR_ANSWERED);
		if (b[i].status == 201) {
			acked++;
		} else {
			/* once the store failed, every answer is a refusal */
			ck_assert_msg(b[i].status == 503 &&
			                  strcmp(b[i].error, "STORAGE_FAILURE") == 0,
			              "ballot %u: %d %s", i, b[i].status, b[i].error);
			failed++;
		}
	}
	printf("diskfault: under load, fsync failing after %u answers: %u receipts, %u refused "
	       "with 503\n",
	       flip_after, acked, failed);
	ck_assert_uint_gt(failed, 0);
	ck_assert_uint_ge(acked, flip_after - LOAD_CLIENTS);
	ck_assert_int_eq(healthz(&s.d), 503);
	ck_assert_int_eq(unlink(control), 0);
	test_daemon_kill(&s.d);
	s.preload = NULL;
	dur_launch(&s);
	dur_board_read(&s.d, s.election, &board);
	for (unsigned i = 0; i < LOAD_NGOS; i++) {
		if (b[i].status == 201)
			dur_assert_on_board(&board, &b[i]);
		else
			stored += dur_board_find(&board, b[i].hash) >= 0;
	}
	ck_assert_uint_eq(board.total, 2 + acked + stored);
	dur_assert_integrity(s.d.db);
	c.fd = -1;
	c.port = s.d.port;
	for (unsigned i = 0; i < LOAD_NGOS; i++) {
		long before;

		if (b[i].status == 201)
			continue;
		before = dur_board_find(&board, b[i].hash);
		ck_assert(dur_cast(&c, s.election, &b[i]));
		if (before < 0)
			ck_assert_msg(b[i].status == 201, "resend %u: %d %s", i, b[i].status,
			              b[i].error);
		else
			ck_assert_msg(
			    b[i].status == 409 && strcmp(b[i].error, "BALLOT_DUPLICATE") == 0,
			    "resend %u (on the board): %d %s", i, b[i].status, b[i].error);
	}
	dur_conn_close(&c);
	dur_board_free(&board);
	dur_board_read(&s.d, s.election, &board);
	ck_assert_uint_eq(board.total, 2 + LOAD_NGOS);
	dur_board_free(&board);
	for (unsigned i = 0; i < LOAD_NGOS; i++)
		all[i] = &b[i];
	ck_assert_msg(dur_record_verify(&s.d, s.election, all, LOAD_NGOS) == 0,
	              "the record does not verify (see %s/verify.out)", s.d.dir);
	printf("diskfault: %u of the 503'd ballots were on the board after the restart\n", stored);
	ck_assert_int_eq(test_daemon_stop(&s.d), 0);
	for (unsigned i = 0; i < LOAD_NGOS; i++)
		dur_ballot_free(&b[i]);
	free(b);
	free(all);
	unsetenv("FAULTFS_CONTROL");
	unsetenv("FAULTFS_PREFIX");
	unsetenv("FAULTFS_LOG");
	dur_cleanup(&s);
}
END_TEST

START_TEST(fsync_fails)
{
	df_run(DF_FSYNC_EIO);
}
END_TEST

START_TEST(write_fails)
{
	df_run(DF_WRITE_EIO);
}
END_TEST

START_TEST(disk_full)
{
	df_run(DF_FULL_TMPFS);
}
END_TEST

Suite *
diskfault_suite(void)
{
	Suite *s = suite_create("diskfault");
	TCase *tc = tcase_create("faults");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fsync_fails);
	tcase_add_test(tc, write_fails);
	tcase_add_test(tc, disk_full);
	tcase_add_test(tc, fsync_fails_under_load);
	suite_add_tcase(s, tc);
	return s;
}
