/*
 * trustee_ceremony.c -- `ngo-vote-trustee ceremony`: the trustee's side of
 * the t-of-n key ceremony (spec §6.1, docs/secret-mode.md).
 *
 * Each run reads the ceremony as the server publishes it (GET
 * /api/elections/{id}/ceremony, or --in FILE), decodes the frozen
 * manifest, and passes every published message through the core checker
 * (protocol_dkg_add, the checks of V5) before using any of it: one bad
 * message stops the tool, naming the trustee who sent it.  Then it does
 * whatever round is due for this trustee:
 *
 *   R0  builds R1 first (fresh a_{d,k}, e_d), saves it and its secrets in
 *       the encrypted key file, then sends R0, which commits to it;
 *   R1  sends the saved R1 once every R0 is in;
 *   R2  encrypts the shares f_d(j) to the others' transport keys;
 *   R3  opens and Feldman-checks every share it received, computes z_j,
 *       saves z_j and wipes a_{d,k}, e_d, then sends R3.
 *
 * Everything built is saved before it is sent, so an interrupted run can
 * be repeated: a message is resent byte for byte.  A restarted ceremony
 * (another attempt or manifest) discards the old round secrets.  With
 * --wait the tool polls every second until the ceremony is complete.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto_group.h"
#include "encoding.h"
#include "protocol_dkg.h"
#include "trustee.h"

/* ---- reading the ceremony document ---- */

void
trustee_ceremony_clear(struct trustee_ceremony *c)
{
	protocol_dkg_free(c->k);
	protocol_manifest_free(c->m);
	memset(c, 0, sizeof(*c));
}

static const char *
trustee_name(const struct protocol_manifest *m, uint32_t d)
{
	const char *en;

	if (d == 0 || d > m->n)
		return "?";
	en = protocol_text_get(&m->trustees[d - 1].name, "en");
	return en != NULL ? en : m->trustees[d - 1].id;
}

/* The message's data bytes (malloc'd) and round, or NULL. */
static uint8_t *
message_bytes(const json_t *msg, uint32_t *round, size_t *len)
{
	const json_t *r = json_object_get(msg, "round");
	const json_t *d = json_object_get(msg, "data");

	if (!json_is_integer(r) || json_integer_value(r) < 0 ||
	    json_integer_value(r) >= DKG_ROUNDS || !json_is_string(d))
		return NULL;
	*round = (uint32_t)json_integer_value(r);
	return encoding_hex_decode_alloc(json_string_value(d), json_string_length(d), len);
}

bool
trustee_ceremony_load(const struct trustee_options *o, const json_t *doc,
                      const uint8_t pk[PCRYPTO_PK_BYTES], struct trustee_ceremony *c)
{
	const json_t *mj = json_object_get(doc, "manifest");
	const json_t *msgs = json_object_get(doc, "messages");
	const json_t *att = json_object_get(doc, "attempt");
	const json_t *st = json_object_get(doc, "state");
	const char *why = NULL;
	uint8_t *mb = NULL;
	size_t mlen = 0;
	bool ok = false;

	memset(c, 0, sizeof(*c));
	if (!json_is_string(mj) || !json_is_array(msgs) ||
	    (mb = encoding_hex_decode_alloc(json_string_value(mj), json_string_length(mj),
	                                    &mlen)) == NULL) {
		fprintf(stderr, "ngo-vote-trustee: the ceremony document lacks its \"manifest\" "
		                "(hex) or \"messages\"\n");
		goto out;
	}
	if (!protocol_manifest_decode(mb, mlen, &c->m, &why)) {
		fprintf(stderr, "ngo-vote-trustee: the ceremony's manifest is not valid: %s\n",
		        why);
		goto out;
	}
	if (strcmp(c->m->election_id, o->election) != 0) {
		fprintf(stderr,
		        "ngo-vote-trustee: the ceremony is for election %s, not %s: refusing\n",
		        c->m->election_id, o->election);
		goto out;
	}
	if (c->m->mode != PROTOCOL_MODE_SECRET) {
		fprintf(stderr, "ngo-vote-trustee: election %s is not a secret-ballot election\n",
		        o->election);
		goto out;
	}
	protocol_manifest_hash(mb, mlen, c->manifest_hash);
	c->attempt = json_is_integer(att) ? (long long)json_integer_value(att) : 0;
	snprintf(c->state, sizeof(c->state), "%s", json_is_string(st) ? json_string_value(st) : "");
	for (uint32_t d = 1; d <= c->m->n; d++)
		if (sodium_memcmp(c->m->trustees[d - 1].pk, pk, PCRYPTO_PK_BYTES) == 0)
			c->me = d;
	c->k = protocol_dkg_new(c->m, c->manifest_hash);
	if (c->k == NULL)
		goto out;
	/* rounds in order; within a round, the order the server accepted */
	for (uint32_t round = 0; round < DKG_ROUNDS; round++) {
		for (size_t i = 0; i < json_array_size(msgs); i++) {
			uint32_t r = 0, who = 0;
			size_t len = 0;
			uint8_t *data = message_bytes(json_array_get(msgs, i), &r, &len);

			if (data == NULL) {
				fprintf(stderr,
				        "ngo-vote-trustee: message %zu of the ceremony is not "
				        "{\"round\": 0-3, \"data\": hex}\n",
				        i);
				goto out;
			}
			if (r == round && !protocol_dkg_add(c->k, r, data, len, &who, &why)) {
				fprintf(
				    stderr,
				    "ngo-vote-trustee: REFUSED: the round-%u message of trustee "
				    "%u (%s) fails the checks: %s.\n"
				    "  Do not go on with this ceremony: tell the secretariat, "
				    "which should restart it without that trustee.\n",
				    r, who, trustee_name(c->m, who), why);
				free(data);
				goto out;
			}
			free(data);
		}
	}
	ok = true;
out:
	free(mb);
	if (!ok)
		trustee_ceremony_clear(c);
	return ok;
}

/* ---- the trustee's saved state for this election ---- */

/* The signed message of a round we built, or NULL (malloc'd). */
static uint8_t *
sent_get(const json_t *st, uint32_t round, size_t *len)
{
	const json_t *s = json_array_get(json_object_get(st, "sent"), round);

	*len = 0;
	if (!json_is_string(s) || json_string_length(s) == 0)
		return NULL;
	return encoding_hex_decode_alloc(json_string_value(s), json_string_length(s), len);
}

static void
sent_set(json_t *st, uint32_t round, const uint8_t *data, size_t len)
{
	json_t *arr = json_object_get(st, "sent");
	char *hex = encoding_hex_encode_alloc(data, len);

	if (!json_is_array(arr)) {
		arr = json_array();
		for (uint32_t r = 0; r < DKG_ROUNDS; r++)
			json_array_append_new(arr, json_string(""));
		json_object_set_new(st, "sent", arr);
	}
	if (hex != NULL)
		json_array_set_new(arr, round, json_string(hex));
	free(hex);
}

static void
secrets_save(json_t *st, const struct protocol_dkg_secrets *s)
{
	json_t *a = json_array();

	for (uint32_t k = 0; k < s->t; k++) {
		char hex[2 * PGROUP_BYTES + 1];

		encoding_hex_encode(s->a[k], PGROUP_BYTES, hex);
		json_array_append_new(a, json_string(hex));
		sodium_memzero(hex, sizeof(hex));
	}
	json_object_set_new(st, "a", a);
	trustee_state_set_hex(st, "e", s->e, PGROUP_BYTES);
}

static bool
secrets_load(const json_t *st, uint32_t t, struct protocol_dkg_secrets *s)
{
	const json_t *a = json_object_get(st, "a");

	memset(s, 0, sizeof(*s));
	if (!json_is_array(a) || json_array_size(a) != t || t > DKG_MAX_THRESHOLD ||
	    !trustee_state_get_hex(st, "e", s->e, PGROUP_BYTES))
		return false;
	s->t = t;
	for (uint32_t k = 0; k < t; k++) {
		const json_t *v = json_array_get(a, k);

		if (!json_is_string(v) ||
		    !encoding_hex_decode(json_string_value(v), json_string_length(v), s->a[k],
		                         PGROUP_BYTES))
			return false;
	}
	return true;
}

static void
secrets_forget(json_t *st)
{
	json_object_del(st, "a");
	json_object_del(st, "e");
}

/* The state of this election for this attempt: a restarted ceremony
 * discards what the old one left.  Sets *changed when it did. */
static json_t *
election_state(struct trustee_key *key, const struct trustee_ceremony *c, bool *changed)
{
	json_t *st = trustee_key_election(key, c->m->election_id, true);
	uint8_t mh[PCRYPTO_HASH_BYTES];
	const json_t *att = json_object_get(st, "attempt");
	const json_t *idx = json_object_get(st, "index");

	*changed = false;
	if (st == NULL)
		return NULL;
	if (trustee_state_get_hex(st, "manifest_hash", mh, sizeof(mh)) &&
	    memcmp(mh, c->manifest_hash, sizeof(mh)) == 0 && json_is_integer(att) &&
	    json_integer_value(att) == c->attempt && json_is_integer(idx) &&
	    json_integer_value(idx) == c->me)
		return st;
	if (json_object_size(st) > 0)
		printf("The ceremony was restarted (attempt %lld): what this key file kept of the "
		       "earlier attempt is discarded.\n",
		       c->attempt);
	json_object_clear(st);
	trustee_state_set_hex(st, "manifest_hash", c->manifest_hash, PCRYPTO_HASH_BYTES);
	json_object_set_new(st, "attempt", json_integer(c->attempt));
	json_object_set_new(st, "index", json_integer(c->me));
	*changed = true;
	return st;
}

/* The message trustee d published in a round, as bytes (malloc'd). */
static uint8_t *
published(const json_t *doc, uint32_t round, uint32_t d, size_t *len)
{
	const json_t *msgs = json_object_get(doc, "messages");

	for (size_t i = 0; i < json_array_size(msgs); i++) {
		uint32_t r = 0;
		uint8_t *data = message_bytes(json_array_get(msgs, i), &r, len);

		if (data != NULL && r == round && *len >= PCRYPTO_HASH_BYTES + 4 &&
		    encoding_le32_get(data + PCRYPTO_HASH_BYTES) == d)
			return data;
		free(data);
	}
	*len = 0;
	return NULL;
}

static void
summary(const struct trustee_ceremony *c)
{
	const char *title = protocol_text_get(&c->m->title, "en");

	printf("Election %s \"%s\": %u voters, %u contest%s; %u trustees, any %u of them "
	       "decrypt.\n",
	       c->m->election_id, title ? title : "", c->m->n_voters, c->m->n_contests,
	       c->m->n_contests == 1 ? "" : "s", c->m->n, c->m->t);
	for (uint32_t d = 1; d <= c->m->n; d++) {
		char fp[40];

		trustee_fingerprint(c->m->trustees[d - 1].pk, fp);
		printf("  trustee %u: %s (%s), key %s%s\n", d, trustee_name(c->m, d),
		       c->m->trustees[d - 1].id, fp, d == c->me ? "  <- this key" : "");
	}
}

/* Says whom we wait for, once per change (--wait polls every second). */
static void
waiting_for(const struct trustee_ceremony *c, uint32_t round)
{
	static char last[512];
	char now[512];
	size_t o;

	o = (size_t)snprintf(now, sizeof(now), "Round %u: this trustee is done; waiting for",
	                     round);
	for (uint32_t d = 1; d <= c->m->n && o < sizeof(now); d++)
		if (!protocol_dkg_has(c->k, round, d))
			o += (size_t)snprintf(now + o, sizeof(now) - o, " %u (%s)", d,
			                      trustee_name(c->m, d));
	if (strcmp(now, last) != 0)
		printf("%s.\n", now);
	snprintf(last, sizeof(last), "%s", now);
}

enum step_result {
	STEP_FAILED,   /* refused: stop */
	STEP_RETRY,    /* could not send (no answer): try again when waiting */
	STEP_WAITING,  /* nothing to do until others move */
	STEP_SENT,     /* sent (or written to --out) */
	STEP_COMPLETE, /* the ceremony is complete */
};

static enum step_result
send_round(const struct trustee_options *o, uint32_t round, const uint8_t *data, size_t len)
{
	char label[40];
	long status = 0;

	snprintf(label, sizeof(label), "round-%u message", round);

	if (trustee_send(o, "ceremony/messages", (int)round, data, len, label, &status))
		return STEP_SENT;
	/* With --wait, no answer, a server error or a conflict (the ceremony
	 * moved on, or restarted) is looked at again on the next poll; a
	 * refused message is not. */
	if (o->out == NULL && o->wait && (status == 0 || status == 409 || status >= 500))
		return STEP_RETRY;
	return STEP_FAILED;
}

/* Round 0: R1 is built and saved first, then R0 commits to it. */
static enum step_result
do_round0(const struct trustee_options *o, struct trustee_key *key, json_t *st,
          const struct trustee_ceremony *c)
{
	struct protocol_dkg_secrets *s = NULL;
	struct encoding_buf r0, r1;
	uint8_t *saved = NULL;
	size_t len = 0;
	enum step_result res = STEP_FAILED;

	encoding_buf_init(&r0);
	encoding_buf_init(&r1);
	saved = sent_get(st, 1, &len);
	if (saved == NULL) {
		s = sodium_malloc(sizeof(*s));
		if (s == NULL ||
		    !protocol_dkg_r1_build(c->m, c->manifest_hash, c->me, key->sk,
		                           &pgroup_rng_system, s, &r1) ||
		    r1.failed) {
			fprintf(stderr, "ngo-vote-trustee: cannot build the round-1 message\n");
			goto out;
		}
		secrets_save(st, s);
		sent_set(st, 1, r1.data, r1.len);
		/* the secrets are on disk before anything commits to them */
		if (!trustee_key_save(key))
			goto out;
		saved = sent_get(st, 1, &len);
		if (saved == NULL)
			goto out;
	}
	if (!protocol_dkg_r0_build(c->manifest_hash, c->me, saved, len, key->sk, &r0) ||
	    r0.failed) {
		fprintf(stderr, "ngo-vote-trustee: cannot build the round-0 message\n");
		goto out;
	}
	sent_set(st, 0, r0.data, r0.len);
	if (!trustee_key_save(key))
		goto out;
	res = send_round(o, 0, r0.data, r0.len);
out:
	if (s != NULL) {
		protocol_dkg_secrets_wipe(s);
		sodium_free(s);
	}
	encoding_buf_free(&r0);
	encoding_buf_free(&r1);
	free(saved);
	return res;
}

static enum step_result
do_round2(const struct trustee_options *o, struct trustee_key *key, json_t *st,
          const struct trustee_ceremony *c)
{
	struct protocol_dkg_secrets *s = sodium_malloc(sizeof(*s));
	struct encoding_buf r2;
	uint8_t *saved;
	size_t len = 0;
	enum step_result res = STEP_FAILED;

	encoding_buf_init(&r2);
	saved = sent_get(st, 2, &len);
	if (saved == NULL) {
		if (s == NULL || !secrets_load(st, c->m->t, s)) {
			fprintf(stderr, "ngo-vote-trustee: the round secrets of this ceremony are "
			                "not in this key file: ask the secretariat to restart the "
			                "ceremony\n");
			goto out;
		}
		if (!protocol_dkg_r2_build(c->k, c->me, s, key->sk, &pgroup_rng_system, &r2) ||
		    r2.failed) {
			fprintf(stderr, "ngo-vote-trustee: cannot build the round-2 message\n");
			goto out;
		}
		sent_set(st, 2, r2.data, r2.len);
		if (!trustee_key_save(key))
			goto out;
		saved = sent_get(st, 2, &len);
		if (saved == NULL)
			goto out;
	}
	res = send_round(o, 2, saved, len);
out:
	if (s != NULL) {
		protocol_dkg_secrets_wipe(s);
		sodium_free(s);
	}
	encoding_buf_free(&r2);
	free(saved);
	return res;
}

/* Round 3: every received share opened and Feldman-checked, z_j kept. */
static enum step_result
do_round3(const struct trustee_options *o, struct trustee_key *key, json_t *st,
          const struct trustee_ceremony *c)
{
	struct protocol_dkg_secrets *s = sodium_malloc(sizeof(*s));
	uint8_t *share = sodium_malloc(PGROUP_BYTES), *z = sodium_malloc(PGROUP_BYTES);
	uint8_t eh[PCRYPTO_HASH_BYTES];
	struct encoding_buf r3;
	const char *why = NULL;
	uint8_t *saved;
	size_t len = 0;
	enum step_result res = STEP_FAILED;

	encoding_buf_init(&r3);
	saved = sent_get(st, 3, &len);
	if (saved != NULL)
		goto send;
	if (s == NULL || share == NULL || z == NULL || !secrets_load(st, c->m->t, s)) {
		fprintf(stderr, "ngo-vote-trustee: the round secrets of this ceremony are not in "
		                "this key file: ask the secretariat to restart the ceremony\n");
		goto out;
	}
	for (uint32_t d = 1; d <= c->m->n; d++) {
		if (d == c->me)
			continue;
		if (!protocol_dkg_share_open(c->k, d, c->me, s->e, share, &why)) {
			fprintf(stderr,
			        "ngo-vote-trustee: REFUSED: the share trustee %u (%s) sent to this "
			        "trustee fails: %s.\n"
			        "  Do not go on: tell the secretariat, which should restart the "
			        "ceremony without trustee %u.\n",
			        d, trustee_name(c->m, d), why, d);
			goto out;
		}
		printf("Share from trustee %u (%s): decrypted, Feldman check passed.\n", d,
		       trustee_name(c->m, d));
	}
	if (!protocol_dkg_r3_build(c->k, c->me, s, key->sk, &pgroup_rng_system, z, &r3, &why) ||
	    r3.failed || !protocol_dkg_election_hash(c->k, eh)) {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: cannot confirm the key: %s\n",
		        why ? why : "round 3 could not be built");
		goto out;
	}
	/* the share replaces the round secrets, in one save */
	trustee_state_set_hex(st, "z", z, PGROUP_BYTES);
	trustee_state_set_hex(st, "election_hash", eh, PCRYPTO_HASH_BYTES);
	secrets_forget(st);
	sent_set(st, 3, r3.data, r3.len);
	if (!trustee_key_save(key))
		goto out;
	printf("This trustee's share z_%u is saved, encrypted, in %s; the round secrets are "
	       "erased.\n  Keep a backup copy of the key file and its passphrase: decrypting "
	       "the tally needs them.\n",
	       c->me, key->path);
	saved = sent_get(st, 3, &len);
	if (saved == NULL)
		goto out;
send:
	res = send_round(o, 3, saved, len);
out:
	if (s != NULL) {
		protocol_dkg_secrets_wipe(s);
		sodium_free(s);
	}
	if (share != NULL)
		sodium_free(share);
	if (z != NULL)
		sodium_free(z);
	encoding_buf_free(&r3);
	free(saved);
	return res;
}

/* The ceremony is complete: the share we hold must match Z_j. */
static enum step_result
finish(struct trustee_key *key, json_t *st, const struct trustee_ceremony *c)
{
	uint8_t *z = sodium_malloc(PGROUP_BYTES);
	uint8_t zg[PGROUP_BYTES], eh[PCRYPTO_HASH_BYTES], eh_saved[PCRYPTO_HASH_BYTES];
	const uint8_t *zpub = protocol_dkg_z(c->k, c->me);
	enum step_result res = STEP_FAILED;
	char hex[17];

	if (z == NULL)
		return STEP_FAILED;
	if (json_object_get(st, "a") != NULL) {
		secrets_forget(st);
		if (!trustee_key_save(key))
			goto out;
	}
	if (!trustee_state_get_hex(st, "z", z, PGROUP_BYTES) ||
	    !trustee_state_get_hex(st, "election_hash", eh_saved, sizeof(eh_saved))) {
		fprintf(stderr, "ngo-vote-trustee: the ceremony is complete but this key file "
		                "holds no share for it (another copy of the key file?)\n");
		goto out;
	}
	pgroup_mul_base(zg, z);
	if (zpub == NULL || !pgroup_equal(zg, zpub) || !protocol_dkg_election_hash(c->k, eh) ||
	    memcmp(eh, eh_saved, sizeof(eh)) != 0) {
		fprintf(stderr, "ngo-vote-trustee: REFUSED: the share in this key file does not "
		                "match the published ceremony\n");
		goto out;
	}
	encoding_hex_encode(eh, 8, hex);
	printf("The key ceremony is complete.  This trustee (%u) holds its share; "
	       "election hash %s...\n",
	       c->me, hex);
	res = STEP_COMPLETE;
out:
	sodium_free(z);
	return res;
}

static enum step_result
step(const struct trustee_options *o, struct trustee_key *key, const json_t *doc,
     const struct trustee_ceremony *c)
{
	uint32_t round = protocol_dkg_round(c->k);
	bool changed = false;
	json_t *st = election_state(key, c, &changed);
	uint8_t *mine = NULL, *ours = NULL;
	size_t mlen = 0, olen = 0;
	enum step_result res = STEP_FAILED;

	if (st == NULL)
		return STEP_FAILED;
	if (changed && !trustee_key_save(key))
		return STEP_FAILED;
	/* Our published R0 and R1 must be those this key file made: R2 and R3
	 * are built from the secrets behind them. */
	for (uint32_t r = 0; r <= 1; r++) {
		mine = published(doc, r, c->me, &mlen);
		ours = sent_get(st, r, &olen);
		if (mine != NULL &&
		    (ours == NULL || mlen != olen || memcmp(mine, ours, mlen) != 0)) {
			fprintf(stderr,
			        "ngo-vote-trustee: REFUSED: the ceremony holds a round-%u message "
			        "of this trustee that this key file did not make (an older copy "
			        "of the key file?).\n  Ask the secretariat to restart the "
			        "ceremony.\n",
			        r);
			goto out;
		}
		free(mine);
		free(ours);
		mine = ours = NULL;
	}
	if (round >= DKG_ROUNDS)
		return finish(key, st, c);
	if (protocol_dkg_has(c->k, round, c->me)) {
		waiting_for(c, round);
		return STEP_WAITING;
	}
	switch (round) {
	case 0:
		printf("Round 0: committing to this trustee's round-1 message.\n");
		res = do_round0(o, key, st, c);
		break;
	case 1:
		ours = sent_get(st, 1, &olen);
		if (ours == NULL) {
			fprintf(stderr,
			        "ngo-vote-trustee: the round-1 message this trustee committed "
			        "to is not in this key file: ask the secretariat to restart "
			        "the ceremony\n");
			goto out;
		}
		printf("Round 1: revealing the commitments and the transport key.\n");
		res = send_round(o, 1, ours, olen);
		break;
	case 2:
		printf("Round 2: sending the encrypted shares.\n");
		res = do_round2(o, key, st, c);
		break;
	default:
		printf("Round 3: checking the shares received and confirming the key.\n");
		res = do_round3(o, key, st, c);
		break;
	}
out:
	free(mine);
	free(ours);
	return res;
}

int
trustee_cmd_ceremony(const struct trustee_options *o)
{
	struct trustee_key *key = NULL;
	time_t start = time(NULL);
	bool shown = false, said = false;
	int ret = TRUSTEE_REFUSED;

	if (!trustee_open_key(o, &key))
		return TRUSTEE_REFUSED;
	for (;;) {
		struct trustee_ceremony c;
		enum step_result res;
		json_t *doc = trustee_fetch_json(o, "ceremony", "ceremony");

		if (doc == NULL && !(o->wait && o->in == NULL))
			break;
		if (doc != NULL && json_is_string(json_object_get(doc, "state")) &&
		    strcmp(json_string_value(json_object_get(doc, "state")), "not-started") == 0) {
			json_decref(doc);
			doc = NULL;
			if (!said)
				printf("The ceremony of election %s has not started%s.\n",
				       o->election, o->wait ? "; waiting" : "");
			said = true;
			if (!o->wait || o->in != NULL)
				break;
		}
		if (doc != NULL) {
			if (!trustee_ceremony_load(o, doc, key->pk, &c)) {
				json_decref(doc);
				break;
			}
			if (c.me == 0) {
				fprintf(
				    stderr,
				    "ngo-vote-trustee: this key is not a trustee of election %s "
				    "(its public key is not in the manifest)\n",
				    o->election);
				trustee_ceremony_clear(&c);
				json_decref(doc);
				break;
			}
			if (!shown)
				summary(&c);
			shown = true;
			res = step(o, key, doc, &c);
			trustee_ceremony_clear(&c);
			json_decref(doc);
			if (res == STEP_FAILED)
				break;
			if (res == STEP_COMPLETE || !o->wait || o->in != NULL) {
				ret = TRUSTEE_OK;
				break;
			}
			if (res == STEP_SENT)
				continue; /* see at once what is due next */
		}
		if (o->timeout > 0 && time(NULL) - start > (time_t)o->timeout) {
			fprintf(stderr, "ngo-vote-trustee: gave up waiting after %u s\n",
			        o->timeout);
			break;
		}
		fflush(stdout);
		sleep(1);
	}
	trustee_key_close(key);
	return ret;
}
