/*
 * ratelimit.h -- in-memory fixed-window rate limiting by key (a client
 * address, an account, ...).  Shared by all worker threads.  State is
 * lost on restart, which only gives an attacker one fresh window.
 */
#ifndef NGO_VOTE_RATELIMIT_H
#define NGO_VOTE_RATELIMIT_H

#include <stdbool.h>

struct ratelimit_rule {
	const char *name; /* key prefix: "login-ip", ... */
	unsigned limit;   /* attempts per window */
	unsigned window_s;
};

/* Counts one attempt for (rule, key).  False when over the limit, with
 * the seconds until the window ends in *retry_after. */
bool ratelimit_hit(const struct ratelimit_rule *rule, const char *key, unsigned *retry_after);
/* Whether (rule, key) is over the limit, without counting. */
bool ratelimit_blocked(const struct ratelimit_rule *rule, const char *key, unsigned *retry_after);
/* Forgets (rule, key): a successful login clears its failures. */
void ratelimit_reset(const struct ratelimit_rule *rule, const char *key);

#endif
