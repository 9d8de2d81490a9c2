/*
 * dbq_ngos.h -- the NGO registry and the NGOs' keys (the current one and
 * the revoked ones).
 */
#ifndef NGO_VOTE_DBQ_NGOS_H
#define NGO_VOTE_DBQ_NGOS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct dbq_ngo {
	char id[65];
	char name_en[1025], name_km[1025];
	char registration_no[129], contact_name[257], phone[65], email[257], province[129];
	bool active;
	bool enrolled;          /* has a current key */
	uint8_t public_key[32]; /* the current key, when enrolled */
	/* the newest enrolment code: none, issued, used, expired or revoked */
	char code_status[12];
	int64_t code_expires_at;
};

/* The editable fields, as given by the secretariat. */
struct dbq_ngo_fields {
	const char *id, *name_en, *name_km, *registration_no, *contact_name, *phone, *email,
	    *province;
};

enum db_status dbq_ngo_insert(struct db *db, const struct dbq_ngo_fields *f);
enum db_status dbq_ngo_update(struct db *db, const struct dbq_ngo_fields *f);
enum db_status dbq_ngo_set_active(struct db *db, const char *id, bool active);
/* now: to tell an expired code from an issued one. */
enum db_status dbq_ngo_get(struct db *db, const char *id, int64_t now, struct dbq_ngo *out);
enum db_status dbq_ngos_each(struct db *db, int64_t now,
                             void (*cb)(void *cls, const struct dbq_ngo *n), void *cls);

/* Replaces the NGO's current key (the old one is kept, revoked now). */
enum db_status dbq_ngo_key_replace(struct db *db, const char *ngo_id, const uint8_t pk[32]);
/* Whether pk was ever registered (to any NGO). */
enum db_status dbq_ngo_key_known(struct db *db, const uint8_t pk[32], bool *known);
/* Whether the NGO is on the roll of an election that is open now. */
enum db_status dbq_ngo_on_open_roll(struct db *db, const char *ngo_id, bool *on_roll);

#endif
