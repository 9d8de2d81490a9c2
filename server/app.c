/*
 * app.c -- the daemon-wide read-only context.
 */
#include "app.h"

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
