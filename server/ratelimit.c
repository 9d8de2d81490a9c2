/*
 * ratelimit.c -- a fixed table of windows under one mutex.  Slots are
 * found by hash with linear probing; a full table evicts an expired slot
 * or, failing that, the oldest, so memory stays bounded under a flood.
 */
#include "ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLOTS 8192
#define PROBE 16

struct slot {
	uint8_t key[16]; /* a short hash of rule name and key */
	time_t start;
	unsigned count;
	bool used;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
slot_key(const struct ratelimit_rule *rule, const char *key, uint8_t out[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const unsigned char *)rule->name, strlen(rule->name) + 1);
	crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
	crypto_generichash_final(&st, out, 16);
}

/* The slot for k, claiming one if needed; called with the lock held. */
static struct slot *
find(const uint8_t k[16], time_t now, unsigned window_s, bool claim)
{
	uint32_t h = (uint32_t)k[0] | ((uint32_t)k[1] << 8) | ((uint32_t)k[2] << 16);
	struct slot *victim = NULL;

	for (unsigned i = 0; i < PROBE; i++) {
		struct slot *s = &slots[(h + i) % SLOTS];

		if (s->used && memcmp(s->key, k, 16) == 0)
			return s;
		if (!s->used || now - s->start >= (time_t)window_s) {
			if (victim == NULL || victim->used)
				victim = s;
		} else if (victim == NULL || (victim->used && s->start < victim->start)) {
			victim = s;
		}
	}
	if (!claim || victim == NULL)
		return NULL;
	memcpy(victim->key, k, 16);
	victim->start = now;
	victim->count = 0;
	victim->used = true;
	return victim;
}

static bool
check(const struct ratelimit_rule *rule, const char *key, unsigned *retry_after, bool count)
{
	uint8_t k[16];
	time_t now = time(NULL);
	struct slot *s;
	bool ok = true;

	slot_key(rule, key, k);
	pthread_mutex_lock(&lock);
	s = find(k, now, rule->window_s, count);
	if (s != NULL) {
		if (now - s->start >= (time_t)rule->window_s) {
			s->start = now;
			s->count = 0;
		}
		if (s->count >= rule->limit) {
			ok = false;
			*retry_after = (unsigned)(rule->window_s - (unsigned)(now - s->start));
		} else if (count) {
			s->count++;
		}
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool
ratelimit_hit(const struct ratelimit_rule *rule, const char *key, unsigned *retry_after)
{
	return check(rule, key, retry_after, true);
}

bool
ratelimit_blocked(const struct ratelimit_rule *rule, const char *key, unsigned *retry_after)
{
	return !check(rule, key, retry_after, false);
}

void
ratelimit_reset(const struct ratelimit_rule *rule, const char *key)
{
	uint8_t k[16];
	struct slot *s;

	slot_key(rule, key, k);
	pthread_mutex_lock(&lock);
	s = find(k, time(NULL), rule->window_s, false);
	if (s != NULL)
		s->used = false;
	pthread_mutex_unlock(&lock);
}
