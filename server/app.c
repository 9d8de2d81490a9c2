/*
 * app.c -- the daemon-wide read-only context.
 */
#include "app.h"

#include <stdatomic.h>
#include <stdio.h>

static const struct app *the_app;

const struct app *
app_get(void)
{
	return the_app;
}

void
app_set(const struct app *app)
{
	the_app = app;
}

static atomic_uint bound_port;

void
app_set_bound_port(unsigned port)
{
	atomic_store(&bound_port, port);
}

void
app_public_url(char *out, size_t outsize)
{
	struct config cfg = the_app->cfg;
	unsigned port = atomic_load(&bound_port);

	if (port != 0)
		cfg.port = port;
	config_public_url(&cfg, out, outsize);
}
