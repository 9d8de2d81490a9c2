/*
 * httpd.h -- the libmicrohttpd daemon: options, dispatch, body intake,
 * and the request lifecycle.  The only place that configures MHD.
 */
#ifndef NGO_VOTE_HTTPD_H
#define NGO_VOTE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct httpd;

/* Starts listening; the bound port is in *port (useful with port 0). */
struct httpd *httpd_start(const struct config *cfg, unsigned *port, char *why, size_t whysize);
/* Stops accepting, lets requests in flight finish (up to grace_s), stops. */
void httpd_stop(struct httpd *h, unsigned grace_s);

#endif
