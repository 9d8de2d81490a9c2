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

#endif
