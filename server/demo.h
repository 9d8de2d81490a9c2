/*
 * demo.h -- `ngo-voted --demo`: seeds an empty database with a demo for
 * newcomers: twelve fictional NGOs with keys (their backup files and
 * passphrases under demo/ beside the database), a secretariat account
 * whose password is printed, and the six working groups, open.
 */
#ifndef NGO_VOTE_DEMO_H
#define NGO_VOTE_DEMO_H

#include <stdbool.h>

#include "config.h"

/* Seeds once; note says what it did (or that the demo exists), for the
 * caller to print after the listening line. */
bool demo_seed(const struct config *cfg, char *note, size_t notesize);

#endif
