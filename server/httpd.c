/*
 * httpd.c -- MHD set-up and the dispatcher.
 *
 * Lifecycle of a request: the URI log callback creates its context (so we
 * see the raw URL and start the clock); the access handler is called
 * first with the headers (route, URL length, Content-Length and
 * Content-Type are checked here and early errors are answered at once),
 * then with each chunk of body (buffered up to the route's cap), then a
 * last time with no data, when the body is parsed once and the handler
 * runs.  The completed callback logs the request and frees everything.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "jspec.h"
#include "log.h"
#include "reply.h"
#include "request.h"
#include "routes.h"

/* Bytes of an oversized chunked body we read and drop so that the client
 * still gets a clean 413; past this we cut the connection. */
#define HTTPD_DISCARD_MAX (4u * 1024 * 1024)

struct httpd {
	struct MHD_Daemon *mhd;
};

static atomic_uint_fast64_t next_request_id;
static atomic_int requests_in_flight;
static uint64_t request_id_salt;
static unsigned long httpd_max_body;
static unsigned httpd_body_deadline_ms;

const char *
request_query(struct request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
request_header(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *rq = calloc(1, sizeof(*rq));

	(void)cls;
	if (rq == NULL)
		return NULL;
	rq->id = request_id_salt ^ atomic_fetch_add(&next_request_id, 1);
	clock_gettime(CLOCK_MONOTONIC, &rq->start);
	rq->conn = conn;
	rq->raw_url = strdup(uri != NULL ? uri : "");
	rq->route_name = "-";
	atomic_fetch_add(&requests_in_flight, 1);
	return rq;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;
	struct db *db;

	(void)cls;
	(void)conn;
	if (rq == NULL)
		return;
	log_request(rq->id, rq->method ? rq->method : "-", rq->route_name,
	            rq->status ? rq->status
	                       : (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 0 : 499),
	            elapsed_ms(&rq->start), rq->raw_url);
	/* A handler must never leave a transaction open on this thread. */
	db = db_thread();
	if (db_in_transaction(db)) {
		LOG_BUG("request %016llx left a transaction open; rolled back",
		        (unsigned long long)rq->id);
		db_rollback(db);
	}
	if (rq->state_free != NULL)
		rq->state_free(rq->state);
	for (unsigned i = 0; i < rq->nargs; i++)
		free(rq->args[i]);
	json_decref(rq->json);
	free(rq->set_cookie);
	sodium_memzero(&rq->session, sizeof(rq->session));
	free(rq->body);
	free(rq->raw_url);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&requests_in_flight, 1);
}

/* Rejects raw URLs that smuggle NUL or control bytes through escapes. */
static bool
raw_url_acceptable(const char *raw)
{
	for (const char *p = raw; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return false;
		/* an escaped NUL, control byte or DEL: %00-%1f, %7f */
		if (c == '%' && (p[1] == '0' || p[1] == '1') && isxdigit((unsigned char)p[2]))
			return false;
		if (c == '%' && p[1] == '7' && (p[2] == 'f' || p[2] == 'F'))
			return false;
	}
	return true;
}

/* "type", optionally followed by parameters such as "; charset=utf-8". */
static bool
content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	return *ct == '\0' || *ct == ';' || *ct == ' ';
}

static bool
content_type_is_json(const char *ct)
{
	return content_type_is(ct, "application/json");
}

/* First call: everything that can be decided from the headers alone. */
static enum MHD_Result
on_headers(struct request *rq, const char *method, const char *url)
{
	enum error_code err;
	const char *cl;
	char allow[64];

	rq->started = true;
	rq->method = method;
	rq->url = url;
	if (strlen(rq->raw_url) > ROUTES_MAX_URL)
		return reply_error(rq, ERROR_URI_TOO_LONG, NULL);
	if (!raw_url_acceptable(rq->raw_url))
		return reply_error(rq, ERROR_BAD_PATH, NULL);
	rq->route = routes_match(method, url, rq, &err, allow, sizeof(allow));
	if (rq->route == NULL) {
		if (err == ERROR_METHOD_NOT_ALLOWED)
			return reply_method_not_allowed(rq, allow);
		return reply_error(rq, err, NULL);
	}
	rq->route_name = rq->route->pattern;
	rq->body_limit = rq->route->body_max;
	if (rq->body_limit > httpd_max_body)
		rq->body_limit = httpd_max_body;
	cl = request_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);

		if (end == cl || *end != '\0')
			return reply_error(rq, ERROR_BAD_REQUEST, "Content-Length");
		if (n > rq->body_limit)
			return reply_error(rq, ERROR_BODY_TOO_LARGE, NULL);
	}
	if (rq->route->json && rq->body_limit > 0 &&
	    !content_type_is_json(request_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return reply_error(rq, ERROR_UNSUPPORTED_MEDIA_TYPE, "Content-Type");
	if (rq->route->content_type != NULL &&
	    !content_type_is(request_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE),
	                     rq->route->content_type))
		return reply_error(rq, ERROR_UNSUPPORTED_MEDIA_TYPE, "Content-Type");
	return MHD_YES;
}

/* Later calls with data: buffer up to the cap, then drop and remember. */
static enum MHD_Result
on_body_chunk(struct request *rq, const char *data, size_t size)
{
	if (rq->status != 0)
		return MHD_YES; /* already answered; MHD discards */
	/* MHD's timeout counts only silence: a body dripped a byte at a time
	 * would hold its connection for ever without this deadline */
	if (elapsed_ms(&rq->start) > (double)httpd_body_deadline_ms) {
		LOG_CLIENT("request %016llx: body not received within %u s; closing",
		           (unsigned long long)rq->id, httpd_body_deadline_ms / 1000);
		return MHD_NO;
	}
	if (rq->body_too_large || size > rq->body_limit - rq->body_len) {
		rq->body_too_large = true;
		free(rq->body);
		rq->body = NULL;
		rq->body_len = rq->body_cap = 0;
		rq->discarded += size;
		return rq->discarded > HTTPD_DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	if (rq->body_len + size > rq->body_cap) {
		size_t cap = rq->body_cap ? rq->body_cap : 1024;
		char *p;

		while (cap < rq->body_len + size)
			cap *= 2;
		if (cap > rq->body_limit)
			cap = rq->body_limit;
		p = realloc(rq->body, cap);
		if (p == NULL)
			return MHD_NO;
		rq->body = p;
		rq->body_cap = cap;
	}
	memcpy(rq->body + rq->body_len, data, size);
	rq->body_len += size;
	return MHD_YES;
}

/* Last call: parse the body once and run the handler. */
static enum MHD_Result
on_complete_request(struct request *rq)
{
	struct jspec_error jerr;

	if (rq->body_too_large)
		return reply_error(rq, ERROR_BODY_TOO_LARGE, NULL);
	if (rq->route->body_max == 0 && rq->body_len > 0)
		return reply_error(rq, ERROR_BODY_NOT_ALLOWED, NULL);
	{
		enum MHD_Result ret;

		if (!request_auth_check(rq, &ret))
			return ret;
	}
	if (rq->route->json) {
		if (rq->body_len == 0)
			return reply_error_hint(rq, ERROR_JSON_MALFORMED, NULL,
			                        "This endpoint needs a JSON object as its body.");
		rq->json = jspec_load_body(rq->body, rq->body_len, &jerr);
		if (rq->json == NULL)
			return reply_error(rq, jerr.code, jerr.field);
	}
	rq->handler_called = true;
	return rq->route->handler(rq);
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)version;
	if (rq == NULL)
		return MHD_NO; /* out of memory in on_uri */
	rq->conn = conn;
	if (!rq->started)
		return on_headers(rq, method, url);
	if (*upload_data_size != 0) {
		enum MHD_Result r = on_body_chunk(rq, upload_data, *upload_data_size);

		*upload_data_size = 0;
		return r;
	}
	if (rq->status != 0)
		return MHD_YES; /* answered on the first call */
	if (rq->handler_called)
		return rq->route->handler(rq); /* resumed after a suspension */
	return on_complete_request(rq);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512], esc[600];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_escape(line, sizeof(line), esc, sizeof(esc));
	log_msg("MHD", "%s", esc);
}

struct httpd *
httpd_start(const struct config *cfg, unsigned *port, char *why, size_t whysize)
{
	struct httpd *h = calloc(1, sizeof(*h));
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	if (h == NULL) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->listen, &addr.sin_addr) != 1) {
		snprintf(why, whysize, "--listen %s is not an IPv4 address", cfg->listen);
		free(h);
		return NULL;
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		request_id_salt = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec;
	}
	httpd_max_body = cfg->max_body;
	httpd_body_deadline_ms = cfg->body_deadline * 1000u;
	/* 0.9.75 has no connection timeout by default: set every limit. */
	h->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	        MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_access, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)cfg->connection_memory, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE,
	    (unsigned int)1, MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(why, whysize, "cannot listen on %s:%u (in use, or not allowed)",
		         cfg->listen, cfg->port);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	*port = info != NULL ? info->port : cfg->port;
	return h;
}

void
httpd_stop(struct httpd *h, unsigned grace_s)
{
	MHD_socket fd;

	if (h == NULL)
		return;
	/* Stop accepting, then give requests in flight time to finish. */
	fd = MHD_quiesce_daemon(h->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	for (unsigned i = 0; i < grace_s * 20 && atomic_load(&requests_in_flight) > 0; i++) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(h->mhd);
	free(h);
}
