/*
 * mhd_min.c -- the ceiling for the load benchmark: libmicrohttpd with the
 * daemon's settings (epoll thread pool, the same connection limits,
 * timeout and memory per connection), reading each POST body in full and
 * answering 201 with a small fixed JSON body.  No JSON parsing, no
 * signature check, no database: what HTTP alone costs on this machine.
 *
 * Usage: mhd_min [--threads N]   (prints "listening on http://127.0.0.1:PORT/")
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char answer[] = "{\"receipt\":{\"n\":1}}";
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static int started;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &started; /* headers seen */
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* body consumed */
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(answer) - 1, (void *)answer,
	                                    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, 201, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	unsigned threads = 4;
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--threads") == 0) {
			threads = (unsigned)strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: mhd_min [--threads N]\n");
			return 2;
		}
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* the flags and limits of server/httpd.c (defaults of server/config.c) */
	d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	        MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_access, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, 1000u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_LISTENING_ADDRESS_REUSE,
	    1u, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mhd_min: cannot start\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("listening on http://127.0.0.1:%u/\n", info ? info->port : 0);
	fflush(stdout);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
