/*
 * secret_fixture.h -- shared set-up for the secret-mode suites (ceremony,
 * secret_cast, secret_tally): a daemon with four enrolled NGOs and a
 * secret-ballot draft whose trustees are played here, with real Ed25519
 * keys and the core builders, exactly as a trustee tool would: every
 * message is built from the ceremony document the server publishes
 * (GET /ceremony), decoded and checked here first.
 *
 * The draft has two contests over the NGOs ngo-a..ngo-d:
 *   c0 "alpha": 1 seat, 0 to 1 choices among ngo-a, ngo-b, ngo-c;
 *   c1 "beta":  2 seats, 1 to 2 choices among ngo-a .. ngo-d.
 */
#ifndef NGO_VOTE_TEST_SECRET_FIXTURE_H
#define NGO_VOTE_TEST_SECRET_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elections_fixture.h"
#include "encoding.h"
#include "protocol_dkg.h"
#include "protocol_manifest.h"

#define SFX_NGOS         4
#define SFX_MAX_TRUSTEES 5

struct sfx_trustee {
	char id[32];
	struct fixture_key key;
	struct protocol_dkg_secrets secrets;
	struct encoding_buf r1; /* the signed R1, kept from round 0 to round 1 */
	uint8_t z[32];          /* the share, after round 3 */
};

struct sfx {
	struct efx x;
	char id[65];
	struct fixture_key ngos[SFX_NGOS];
	uint32_t n, t;
	bool dry_run;
	struct sfx_trustee tr[SFX_MAX_TRUSTEES];
};

/* The ceremony as a trustee sees it: the document, its frozen manifest
 * decoded and a checker fed with every published message. */
struct sfx_view {
	json_t *doc;
	struct protocol_manifest *m;
	uint8_t manifest_hash[64];
	struct protocol_dkg *k;
};

/* The NGO ids ngo-a .. ngo-d. */
extern const char *const sfx_ngo_ids[SFX_NGOS];

/* A fresh daemon, the NGOs, n trustees with fresh keys, and the draft
 * (threshold t, dry_run) saved; asserts that only the ceremony blocks
 * opening. */
void sfx_start(struct sfx *s, const char *id, uint32_t n, uint32_t t, bool dry_run);
void sfx_stop(struct sfx *s);
/* The draft sfx_start saved (caller decrefs). */
json_t *sfx_draft(const struct sfx *s);

/* POST /api/elections/<id>/<what> as the secretariat with body. */
void sfx_admin_post(struct sfx *s, const char *what, const char *body, struct test_http *r);
/* POST /api/elections/<id>/<what> with no session (trustees). */
void sfx_public_post(struct sfx *s, const char *what, const char *body, struct test_http *r);
/* GET /api/elections/<id>/<what> (asserts the status; caller decrefs). */
json_t *sfx_get(struct sfx *s, const char *what, int status);

/* GET /ceremony, decoded and checked (asserts that every message passes). */
void sfx_view_load(struct sfx *s, struct sfx_view *v);
void sfx_view_free(struct sfx_view *v);

/* Trustee d's message of `round`, built as the tool would from the view
 * (round 0 also builds and keeps the R1 it commits to). */
void sfx_message(struct sfx *s, const struct sfx_view *v, uint32_t d, uint32_t round,
                 struct encoding_buf *out);
/* POST /ceremony/messages {"round", "data": hex(data)}. */
void sfx_post_message(struct sfx *s, uint32_t round, const uint8_t *data, size_t len,
                      struct test_http *r);
/* Every trustee sends its message of `round` (asserts 201 each). */
void sfx_round(struct sfx *s, uint32_t round);
/* Start (asserts 201) and the four rounds. */
void sfx_ceremony(struct sfx *s);
/* POST /dry-run, and every trustee's partial decryption of it (asserts
 * the dry run succeeded). */
void sfx_dry_run(struct sfx *s);

/* Trustee j's partial decryption of the aggregates ab under tally_hash
 * (ab: 2 x total candidates). */
void sfx_pdec(struct sfx *s, const struct sfx_view *v, uint32_t j, const uint8_t tally_hash[64],
              const uint8_t (*ab)[32], struct encoding_buf *out);

/* The opened election: its decoded manifest (from the ceremony), hash
 * and key Y. */
struct sfx_election {
	struct sfx_view v;
	uint8_t election_hash[64];
	uint8_t y[32];
};

/* Opens (asserts 200) and fills e. */
void sfx_open(struct sfx *s, struct sfx_election *e);
void sfx_election_free(struct sfx_election *e);

/* A secret ballot of voter v (index into ngos) choosing, per contest,
 * the candidates listed in spec ("0|1,3": contest c0 candidate 0, c1
 * candidates 1 and 3), with randomness rng under label. */
void sfx_ballot(const struct sfx *s, const struct sfx_election *e, unsigned v, uint32_t seq,
                const char *spec, const struct pgroup_rng *rng, const char *label,
                struct encoding_buf *out);
/* Signs body with voter v's key and posts it; returns the status and
 * fills name (error name or "", 64 bytes) and receipt (on 201; caller
 * decrefs) when not NULL. */
int sfx_cast_body(struct sfx *s, unsigned v, const uint8_t *body, size_t len, char *name,
                  json_t **receipt);

/* The data of the first record event of this type (malloc'd, *len). */
uint8_t *sfx_record_event(struct sfx *s, const char *type, size_t *len);

#endif
