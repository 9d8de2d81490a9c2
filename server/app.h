/*
 * app.h -- what every handler may read about the running daemon: its
 * configuration, its signing key and the resolved static root.  Set once
 * in main() before the HTTP daemon starts, read-only afterwards.
 */
#ifndef NGO_VOTE_APP_H
#define NGO_VOTE_APP_H

#include <limits.h>

#include "config.h"
#include "server_key.h"

struct app {
	struct config cfg;
	struct server_key key;
	char static_root[PATH_MAX]; /* realpath of cfg.static_dir */
};

const struct app *app_get(void);
void app_set(const struct app *app);
/* The port actually bound (with --port 0 it differs from the config). */
void app_set_bound_port(unsigned port);
/* The base URL for links we print or send, without a trailing slash:
 * --public-url, or http://LISTEN:PORT with the bound port. */
void app_public_url(char *out, size_t outsize);

#endif
