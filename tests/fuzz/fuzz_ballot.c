/*
 * fuzz_ballot.c -- libFuzzer harness for open ballot bodies (spec §8):
 * protocol_ballot_parse, protocol_ballot_validate and protocol_ballot_check
 * against one fixed manifest (two contests, three voters) that is built
 * once at start-up through protocol_manifest_encode and _decode.  The
 * input is the ballot body, as POST /api/elections/{id}/ballots receives it
 * once hex-decoded.
 *
 * Invariants checked on every input:
 *  - a failed parse leaves the ballot cleared; a successful one re-encodes
 *    (protocol_ballot_build) to exactly the input bytes;
 *  - validate never reads past the parsed counts (ASan) and says OK only
 *    for a ballot that satisfies the manifest (re-checked here);
 *  - check with a fixed all-zero signature agrees with parse + validate
 *    and never says OK;
 *  - when voter_pk is one of the three voters, the input signed with that
 *    voter's key passes check exactly when validate said OK.
 *
 * With FUZZ_WRITE_SEEDS=<dir> in the environment, start-up also writes
 * ballots for this manifest into <dir> (how corpus/ballot/ was made).
 */
#include <sodium.h>

#include "fuzz_common.h"
#include "protocol_ballot.h"
#include "protocol_manifest.h"

#define VOTERS 3

static struct protocol_manifest *manifest;
static uint8_t election_hash[PCRYPTO_HASH_BYTES];
static uint8_t voter_sk[VOTERS][PCRYPTO_SK_BYTES];

static void
keypair(uint8_t tag, uint8_t pk[PCRYPTO_PK_BYTES], uint8_t sk[PCRYPTO_SK_BYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	memset(seed, tag, sizeof(seed));
	FUZZ_CHECK(crypto_sign_seed_keypair(pk, sk, seed) == 0);
}

static void
build_manifest(void)
{
	static const struct protocol_text_entry title_e[] = {{"en", "Fuzz election"},
	                                                     {"km", "\xe1\x9e\x80"}};
	static const struct protocol_text_entry name_e[] = {{"en", "Name"}};
	static const struct protocol_candidate c0[] = {
	    {"cand-a", {1, name_e}}, {"cand-b", {1, name_e}}, {"cand-c", {1, name_e}}};
	static const struct protocol_candidate c1[] = {{"cand-a", {1, name_e}},
	                                               {"cand-b", {1, name_e}},
	                                               {"cand-c", {1, name_e}},
	                                               {"cand-d", {1, name_e}}};
	static const struct protocol_contest contests[] = {
	    {"c0", {1, name_e}, PROTOCOL_METHOD_TOP_K, 1, 1, 2, 3, c0},
	    {"c1", {1, name_e}, PROTOCOL_METHOD_TOP_K, 2, 0, 2, 4, c1},
	};
	static const char *const ids[VOTERS] = {"ngo-a", "ngo-b", "ngo-c"};
	struct protocol_party voters[VOTERS];
	struct protocol_manifest m;
	struct encoding_buf b;
	uint8_t sk[PCRYPTO_SK_BYTES], mh[PCRYPTO_HASH_BYTES];
	const char *why = NULL;

	memset(&m, 0, sizeof(m));
	m.election_id = "fuzz-2024";
	m.title = (struct protocol_text){2, title_e};
	m.mode = PROTOCOL_MODE_OPEN;
	keypair(0xff, m.server_pk, sk);
	m.revote = 1;
	m.opens_at = "";
	m.closes_at = "";
	m.n_contests = 2;
	m.contests = contests;
	for (int v = 0; v < VOTERS; v++) {
		voters[v].id = ids[v];
		voters[v].name = (struct protocol_text){1, name_e};
		keypair((uint8_t)(v + 1), voters[v].pk, voter_sk[v]);
	}
	m.n_voters = VOTERS;
	m.voters = voters;
	encoding_buf_init(&b);
	FUZZ_CHECK(protocol_manifest_encode(&m, &b, &why));
	FUZZ_CHECK(protocol_manifest_decode(b.data, b.len, &manifest, &why));
	protocol_manifest_hash(b.data, b.len, mh);
	protocol_election_hash_open(mh, election_hash);
	encoding_buf_free(&b);
}

static void
write_seed(const char *dir, const char *name, const struct encoding_buf *b)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(b->data, 1, b->len, f) == b->len);
	FUZZ_CHECK(fclose(f) == 0);
}

/* Valid ballots of each voter, and a few that validate refuses. */
static void
write_seeds(const char *dir)
{
	static const uint32_t none[1] = {0};
	static const uint32_t p0[] = {0}, p02[] = {0, 2}, p13[] = {1, 3}, p20[] = {2, 0},
	                      p9[] = {9};
	static const struct {
		const char *name;
		int voter;
		uint32_t seq;
		uint32_t count[2];
		const uint32_t *idx[2];
	} seeds[] = {
	    {"valid-a", 0, 1, {1, 0}, {p0, none}},       {"valid-b", 1, 1, {2, 2}, {p02, p13}},
	    {"valid-c-seq7", 2, 7, {1, 1}, {p0, p13}},   {"seq-zero", 0, 0, {1, 0}, {p0, none}},
	    {"index-order", 1, 2, {2, 0}, {p20, none}},  {"index-range", 1, 3, {1, 1}, {p0, p9}},
	    {"count-range", 2, 1, {0, 0}, {none, none}},
	};
	uint8_t pk[PCRYPTO_PK_BYTES], sk[PCRYPTO_SK_BYTES];
	struct encoding_buf b;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		keypair((uint8_t)(seeds[i].voter + 1), pk, sk);
		encoding_buf_init(&b);
		protocol_ballot_build(election_hash, pk, seeds[i].seq, 2, seeds[i].count,
		                      seeds[i].idx, &b);
		write_seed(dir, seeds[i].name, &b);
		encoding_buf_free(&b);
	}
	/* not on the roll, and trailing bytes */
	keypair(0x42, pk, sk);
	encoding_buf_init(&b);
	protocol_ballot_build(election_hash, pk, 1, 2, seeds[0].count, seeds[0].idx, &b);
	write_seed(dir, "not-on-roll", &b);
	encoding_buf_u8(&b, 0);
	write_seed(dir, "trailing", &b);
	encoding_buf_free(&b);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	FUZZ_CHECK(sodium_init() >= 0);
	build_manifest();
	if (dir != NULL)
		write_seeds(dir);
	return 0;
}

/* The ballot is what validate should accept, checked independently. */
static bool
ballot_ok(const struct protocol_ballot *b)
{
	bool on_roll = false;

	if (memcmp(b->election_hash, election_hash, sizeof(election_hash)) != 0 || b->seq == 0)
		return false;
	for (uint32_t v = 0; v < manifest->n_voters; v++)
		on_roll |= memcmp(manifest->voters[v].pk, b->voter_pk, PCRYPTO_PK_BYTES) == 0;
	if (!on_roll)
		return false;
	for (uint32_t c = 0; c < b->n_contests; c++) {
		const struct protocol_contest *k = &manifest->contests[c];

		if (b->count[c] < k->min || b->count[c] > k->max)
			return false;
		for (uint32_t i = 0; i < b->count[c]; i++)
			if (b->index[c][i] >= k->n_candidates ||
			    (i > 0 && b->index[c][i] <= b->index[c][i - 1]))
				return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *body = (uint8_t *)fuzz_copy(data, size);
	uint8_t zero_sig[PCRYPTO_SIG_BYTES] = {0}, sig[PCRYPTO_SIG_BYTES];
	uint8_t hash[PCRYPTO_HASH_BYTES], hash2[PCRYPTO_HASH_BYTES];
	struct protocol_ballot b, c;
	enum protocol_ballot_error pe, ve = PROTOCOL_BALLOT_MALFORMED, ce;
	int64_t voter = -2, voter2 = -2;

	pe = protocol_ballot_parse(manifest, body, size, &b);
	if (pe != PROTOCOL_BALLOT_OK) {
		FUZZ_CHECK(b.storage_ == NULL && b.count == NULL && b.index == NULL);
	} else {
		struct encoding_buf again;

		FUZZ_CHECK(b.n_contests == manifest->n_contests);
		encoding_buf_init(&again);
		protocol_ballot_build(b.election_hash, b.voter_pk, b.seq, b.n_contests, b.count,
		                      (const uint32_t *const *)b.index, &again);
		FUZZ_CHECK(!again.failed && again.len == size);
		FUZZ_CHECK(memcmp(again.data, body, size) == 0);
		encoding_buf_free(&again);
		ve = protocol_ballot_validate(manifest, election_hash, &b, &voter);
		FUZZ_CHECK((ve == PROTOCOL_BALLOT_OK) == ballot_ok(&b));
		FUZZ_CHECK(voter >= -1 && voter < (int64_t)manifest->n_voters);
	}
	FUZZ_CHECK(protocol_ballot_error_name(pe) != NULL);

	/* a wrong signature: the same verdict as parse/validate, or BAD_SIGNATURE */
	ce =
	    protocol_ballot_check(manifest, election_hash, body, size, zero_sig, &c, hash, &voter2);
	FUZZ_CHECK(ce != PROTOCOL_BALLOT_OK);
	FUZZ_CHECK(c.storage_ == NULL);
	if (pe != PROTOCOL_BALLOT_OK)
		FUZZ_CHECK(ce == pe);
	else if (ve != PROTOCOL_BALLOT_OK)
		FUZZ_CHECK(ce == ve);
	else
		FUZZ_CHECK(ce == PROTOCOL_BALLOT_BAD_SIGNATURE);

	/* the voter's own signature: accepted exactly when validate said OK */
	if (pe == PROTOCOL_BALLOT_OK && voter >= 0) {
		protocol_ballot_hash(body, size, hash);
		FUZZ_CHECK(protocol_ballot_sign(voter_sk[voter], hash, sig));
		ce = protocol_ballot_check(manifest, election_hash, body, size, sig, &c, hash2,
		                           &voter2);
		FUZZ_CHECK(ce == ve);
		if (ce == PROTOCOL_BALLOT_OK) {
			FUZZ_CHECK(voter2 == voter);
			FUZZ_CHECK(memcmp(hash, hash2, sizeof(hash)) == 0);
			protocol_ballot_clear(&c);
		}
	}
	if (pe == PROTOCOL_BALLOT_OK)
		protocol_ballot_clear(&b);
	free(body);
	return 0;
}
