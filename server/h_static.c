/*
 * h_static.c -- serves the browser client from the static root.
 *
 * The path MHD hands us is already unescaped, so encoded "..", "%2f" and
 * friends arrive decoded; we refuse dot-segments and hidden files there,
 * the dispatcher has refused %00 and control bytes in the raw URL, and
 * realpath() then proves the file is inside the root (symlinks out of it
 * are refused).  Responses carry an ETag and answer If-None-Match.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "handlers.h"
#include "reply.h"

struct mime_entry {
	const char *ext;
	const char *type;
};

static const struct mime_entry mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".jsonl", "application/jsonl"},
};

static const char *
mime_for(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

/* Each segment must be a plain name: no "", ".", "..", hidden files,
 * backslashes or control bytes. */
static bool
path_is_clean(const char *url)
{
	const char *seg = url;

	if (url[0] != '/')
		return false;
	while (*seg == '/') {
		const char *end;
		size_t len;

		seg++;
		end = strchr(seg, '/');
		len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 0)
			return end == NULL; /* only a trailing slash may be empty */
		if (seg[0] == '.')
			return false;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)seg[i];

			if (c < 0x20 || c == 0x7f || c == '\\')
				return false;
		}
		seg += len;
	}
	return *seg == '\0';
}

/* Resolves url to a regular file inside the root; fd and stat on success. */
static bool
resolve(const char *root, const char *url, char *real, int *fd, struct stat *st)
{
	char path[PATH_MAX];
	size_t rootlen = strlen(root);
	int n;

	if (strcmp(url, "/") == 0 || url[strlen(url) - 1] == '/')
		n = snprintf(path, sizeof(path), "%s%sindex.html", root, url);
	else
		n = snprintf(path, sizeof(path), "%s%s", root, url);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	/* "/enroll" serves enroll.html: clean URLs for the pages */
	if (access(path, F_OK) != 0 && strchr(strrchr(path, '/'), '.') == NULL) {
		if ((size_t)n + 5 >= sizeof(path))
			return false;
		strcat(path, ".html");
	}
	if (realpath(path, real) == NULL)
		return false;
	if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/')
		return false; /* a symlink led out of the root */
	*fd = open(real, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return false;
	if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(*fd);
		return false;
	}
	return true;
}

static bool
etag_matches(const char *header, const char *etag)
{
	if (header == NULL)
		return false;
	if (strcmp(header, "*") == 0)
		return true;
	return strstr(header, etag) != NULL;
}

enum MHD_Result
h_static(struct request *rq)
{
	const struct app *app = app_get();
	char real[PATH_MAX], etag[64];
	struct MHD_Response *resp;
	struct stat st;
	int fd;

	if (!path_is_clean(rq->url))
		return reply_error(rq, ERROR_NOT_FOUND, NULL);
	if (!resolve(app->static_root, rq->url, real, &fd, &st))
		return reply_error(rq, ERROR_NOT_FOUND, NULL);
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%lx\"", (unsigned long long)st.st_size,
	         (unsigned long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	if (etag_matches(request_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (resp != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		return reply_queue(rq, MHD_HTTP_NOT_MODIFIED, resp, REPLY_REVALIDATE);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime_for(real));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	return reply_queue(rq, MHD_HTTP_OK, resp, REPLY_REVALIDATE);
}
