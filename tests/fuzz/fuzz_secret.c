/*
 * fuzz_secret.c -- libFuzzer harness for the secret-mode parsers and
 * checkers that read what strangers send: secret ballot bodies (spec §7,
 * POST /ballots), key-ceremony messages (§6, POST /ceremony/messages) and
 * partial decryptions (§12, POST /partial-decryptions).  The election is
 * the spec's example secret record (tests/spec/record-secret.jsonl),
 * loaded at start-up: its manifest, its key ceremony, its tally.
 *
 * The first input byte picks the target, the rest is the message:
 *   0: ballot body -- protocol_sballot_check with an all-zero signature
 *      never says OK; a body that parses and validates, signed with its
 *      voter's key (the vectors' seeds), passes check exactly then;
 *   1..4: a dkg-round<r-1> message offered to a checker holding every
 *      earlier round of the record -- accepted only if it is the record's
 *      own message (signatures cannot be forged);
 *   5: a partial decryption, parsed and verified against the record's
 *      tally -- valid only if it is one of the record's own.
 * With FUZZ_WRITE_SEEDS=<dir>, start-up writes the record's messages as
 * seeds (how corpus/secret/ was made).
 */
#include <sodium.h>

#include "fuzz_common.h"
#include "fuzz_spec_data.h"
#include "crypto_group.h"
#include "protocol_decrypt.h"
#include "protocol_dkg.h"
#include "protocol_record.h"
#include "protocol_sballot.h"

#define MAX_EVENTS 32

struct event {
	enum protocol_event_type type;
	uint8_t *data;
	size_t len;
};

static struct protocol_manifest *manifest;
static uint8_t manifest_hash[PCRYPTO_HASH_BYTES], election_hash[PCRYPTO_HASH_BYTES];
static uint8_t y[PGROUP_BYTES], z[8][PGROUP_BYTES];
static struct event events[MAX_EVENTS];
static size_t n_events;
static uint8_t (*aggregates)[PGROUP_BYTES];
static uint8_t tally_hash[PCRYPTO_HASH_BYTES];
static uint8_t voter_sk[8][PCRYPTO_SK_BYTES];

static void
load_record(void)
{
	size_t start = 0;

	for (size_t i = 0; i < record_secret_len; i++) {
		struct protocol_record_line l;
		const char *why = NULL;
		char *line;

		if (record_secret[i] != '\n')
			continue;
		line = fuzz_copy(record_secret + start, i - start);
		FUZZ_CHECK(protocol_record_parse_line(line, i - start, &l, &why));
		if (l.kind == PROTOCOL_RECORD_EVENT) {
			FUZZ_CHECK(n_events < MAX_EVENTS);
			events[n_events].type = l.type;
			events[n_events].data = (uint8_t *)fuzz_copy(l.data, l.data_len);
			events[n_events].len = l.data_len;
			n_events++;
		}
		protocol_record_line_clear(&l);
		free(line);
		start = i + 1;
	}
}

static struct protocol_dkg *
checker_before(uint32_t round)
{
	struct protocol_dkg *k = protocol_dkg_new(manifest, manifest_hash);
	const char *why = NULL;

	FUZZ_CHECK(k != NULL);
	for (size_t e = 0; e < n_events; e++) {
		uint32_t r;

		if (events[e].type < PROTOCOL_EVENT_DKG_ROUND0 ||
		    events[e].type > PROTOCOL_EVENT_DKG_ROUND3)
			continue;
		r = (uint32_t)(events[e].type - PROTOCOL_EVENT_DKG_ROUND0);
		if (r < round)
			FUZZ_CHECK(
			    protocol_dkg_add(k, r, events[e].data, events[e].len, NULL, &why));
	}
	return k;
}

static void
write_seed(const char *dir, const char *name, uint8_t kind, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	FUZZ_CHECK(f != NULL);
	fputc(kind, f);
	fwrite(p, 1, n, f);
	fclose(f);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *why = NULL, *seeds = getenv("FUZZ_WRITE_SEEDS");
	struct protocol_dkg *k;
	uint32_t total;

	(void)argc;
	(void)argv;
	FUZZ_CHECK(sodium_init() >= 0);
	load_record();
	FUZZ_CHECK(events[0].type == PROTOCOL_EVENT_MANIFEST);
	FUZZ_CHECK(protocol_manifest_decode(events[0].data, events[0].len, &manifest, &why));
	FUZZ_CHECK(manifest->mode == PROTOCOL_MODE_SECRET && manifest->n <= 8);
	protocol_manifest_hash(events[0].data, events[0].len, manifest_hash);
	k = checker_before(DKG_ROUNDS);
	FUZZ_CHECK(protocol_dkg_complete(k));
	FUZZ_CHECK(protocol_dkg_election_hash(k, election_hash));
	memcpy(y, protocol_dkg_y(k), PGROUP_BYTES);
	for (uint32_t j = 1; j <= manifest->n; j++)
		memcpy(z[j - 1], protocol_dkg_z(k, j), PGROUP_BYTES);
	protocol_dkg_free(k);
	total = protocol_manifest_total_candidates(manifest);
	aggregates = calloc((size_t)total * 2, PGROUP_BYTES);
	FUZZ_CHECK(aggregates != NULL);
	for (size_t e = 0; e < n_events; e++)
		if (events[e].type == PROTOCOL_EVENT_TALLY) {
			FUZZ_CHECK(events[e].len >= (size_t)total * 2 * PGROUP_BYTES);
			memcpy(aggregates,
			       events[e].data + events[e].len - (size_t)total * 2 * PGROUP_BYTES,
			       (size_t)total * 2 * PGROUP_BYTES);
			pcrypto_h64("tally", events[e].data, events[e].len, tally_hash);
		}
	for (uint32_t v = 0; v < manifest->n_voters && v < 8; v++) {
		uint8_t seed[PCRYPTO_SEED_BYTES], pk[PCRYPTO_PK_BYTES];
		char label[96];

		snprintf(label, sizeof(label), "voter/%s", manifest->voters[v].id);
		pgroup_test_seed(label, seed);
		FUZZ_CHECK(crypto_sign_seed_keypair(pk, voter_sk[v], seed) == 0);
	}
	if (seeds != NULL)
		for (size_t e = 0; e < n_events; e++) {
			char name[32];
			uint8_t kind = 255;

			if (events[e].type == PROTOCOL_EVENT_BALLOT)
				kind = 0;
			else if (events[e].type >= PROTOCOL_EVENT_DKG_ROUND0 &&
			         events[e].type <= PROTOCOL_EVENT_DKG_ROUND3)
				kind = (uint8_t)(1 + events[e].type - PROTOCOL_EVENT_DKG_ROUND0);
			else if (events[e].type == PROTOCOL_EVENT_PARTIAL_DECRYPTION)
				kind = 5;
			if (kind == 255)
				continue;
			snprintf(name, sizeof(name), "event-%02zu", e);
			/* ballots: the body only (the signature is made here) */
			write_seed(seeds, name, kind, events[e].data,
			           events[e].len - (kind == 0 ? PCRYPTO_SIG_BYTES : 0));
		}
	return 0;
}

static void
fuzz_ballot(const uint8_t *body, size_t len)
{
	uint8_t zero_sig[PCRYPTO_SIG_BYTES] = {0}, hash[PCRYPTO_HASH_BYTES], sig[PCRYPTO_SIG_BYTES];
	struct protocol_sballot b;
	enum protocol_ballot_error e, parsed;
	int64_t voter = -1;

	FUZZ_CHECK(protocol_sballot_check(manifest, election_hash, y, body, len, zero_sig, &b, hash,
	                                  NULL) != PROTOCOL_BALLOT_OK);
	parsed = protocol_sballot_parse(manifest, body, len, &b);
	if (parsed != PROTOCOL_BALLOT_OK)
		return;
	e = protocol_sballot_validate(manifest, election_hash, y, &b, &voter);
	if (voter >= 0 && voter < 8) {
		struct protocol_sballot b2;

		protocol_ballot_hash(body, len, hash);
		FUZZ_CHECK(protocol_ballot_sign(voter_sk[voter], hash, sig));
		FUZZ_CHECK((protocol_sballot_check(manifest, election_hash, y, body, len, sig, &b2,
		                                   hash, NULL) == PROTOCOL_BALLOT_OK) ==
		           (e == PROTOCOL_BALLOT_OK));
		if (e == PROTOCOL_BALLOT_OK)
			protocol_sballot_clear(&b2);
	}
	protocol_sballot_clear(&b);
}

static bool
is_record_event(enum protocol_event_type t, const uint8_t *p, size_t len)
{
	for (size_t e = 0; e < n_events; e++)
		if (events[e].type == t && events[e].len == len &&
		    memcmp(events[e].data, p, len) == 0)
			return true;
	return false;
}

static void
fuzz_dkg(uint32_t round, const uint8_t *p, size_t len)
{
	struct protocol_dkg *k = checker_before(round);
	const char *why = NULL;
	uint32_t d;

	if (protocol_dkg_add(k, round, p, len, &d, &why))
		FUZZ_CHECK(is_record_event(PROTOCOL_EVENT_DKG_ROUND0 + round, p, len));
	protocol_dkg_free(k);
}

static void
fuzz_pdec(const uint8_t *p, size_t len)
{
	struct protocol_pdec pd;
	const char *why = NULL;

	if (!protocol_pdec_parse(manifest, p, len, &pd, &why))
		return;
	if (pd.j < 1 || pd.j > manifest->n)
		return;
	if (protocol_pdec_verify(manifest, election_hash, tally_hash, z[pd.j - 1],
	                         (const uint8_t(*)[PGROUP_BYTES])aggregates, &pd, &why))
		FUZZ_CHECK(is_record_event(PROTOCOL_EVENT_PARTIAL_DECRYPTION, p, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg;
	uint8_t kind;

	if (size < 1)
		return 0;
	kind = data[0] % 6;
	msg = (uint8_t *)fuzz_copy(data + 1, size - 1);
	if (kind == 0)
		fuzz_ballot(msg, size - 1);
	else if (kind <= 4)
		fuzz_dkg(kind - 1, msg, size - 1);
	else
		fuzz_pdec(msg, size - 1);
	free(msg);
	return 0;
}
