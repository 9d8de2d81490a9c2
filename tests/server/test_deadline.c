/*
 * test_deadline.c -- a body dripped a byte at a time is cut once
 * --body-deadline has passed, although the connection is never silent
 * long enough for MHD's inactivity timeout.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

Suite *deadline_suite(void);

START_TEST(dripped_body_is_cut)
{
	const char *args[] = {"--body-deadline", "2", "--connection-timeout", "30", NULL};
	struct test_daemon d;
	struct sockaddr_in a;
	struct timespec t0, t1;
	char head[256], buf[256];
	bool closed = false;
	int fd;

	test_daemon_prepare(&d);
	test_daemon_launch(&d, args);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)d.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(head, sizeof(head),
	         "POST /api/elections/x/receipts/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	         "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
	ck_assert_int_gt(send(fd, head, strlen(head), MSG_NOSIGNAL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* one byte every 300 ms: never silent for the 30 s timeout */
	for (int i = 0; i < 40 && !closed; i++) {
		struct pollfd p = {fd, POLLIN, 0};

		if (send(fd, " ", 1, MSG_NOSIGNAL) != 1)
			closed = true;
		else if (poll(&p, 1, 300) > 0 && recv(fd, buf, sizeof(buf), 0) <= 0)
			closed = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	ck_assert_msg(closed, "the dripping connection was still open after 12 s");
	/* cut after the 2 s deadline, well before the 30 s inactivity timeout */
	ck_assert_int_ge(t1.tv_sec - t0.tv_sec, 1);
	ck_assert_int_le(t1.tv_sec - t0.tv_sec, 8);
	/* and the daemon still serves */
	{
		struct test_http r;

		test_http_get(&d, "/healthz", &r);
		ck_assert_int_eq(r.status, 200);
		test_http_free(&r);
	}
	ck_assert_int_eq(test_daemon_stop(&d), 0);
	test_daemon_cleanup(&d);
}
END_TEST

Suite *
deadline_suite(void)
{
	Suite *s = suite_create("deadline");
	TCase *tc = tcase_create("deadline");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dripped_body_is_cut);
	suite_add_tcase(s, tc);
	return s;
}
