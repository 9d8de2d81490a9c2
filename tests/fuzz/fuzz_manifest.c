/*
 * fuzz_manifest.c -- libFuzzer harness for the manifest decoder
 * (protocol_manifest_decode, spec §5): the input is manifest_bytes, as
 * the verifier reads them from event 0 of a record.
 *
 * Invariants checked on every input:
 *  - a refusal returns NULL and a reason;
 *  - an accepted manifest satisfies the constraints of §5 that are cheap
 *    to re-check here (counts, ranges, voter index), and encoding it again
 *    (protocol_manifest_encode) gives back exactly the input bytes: the
 *    decoder and the encoder agree on one byte layout;
 *  - every voter is found at its own position by its key.
 */
#include <sodium.h>

#include "fuzz_common.h"
#include "protocol_manifest.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_CHECK(sodium_init() >= 0);
	return 0;
}

static void
check_text(const struct protocol_text *t)
{
	FUZZ_CHECK(t->n >= 1 && t->entries != NULL);
	for (uint32_t i = 0; i < t->n; i++) {
		FUZZ_CHECK(protocol_lang_valid(t->entries[i].lang, strlen(t->entries[i].lang)));
		FUZZ_CHECK(strlen(t->entries[i].value) <= PROTOCOL_STRING_MAX);
		if (i > 0)
			FUZZ_CHECK(strcmp(t->entries[i - 1].lang, t->entries[i].lang) < 0);
		FUZZ_CHECK(protocol_text_get(t, t->entries[i].lang) == t->entries[i].value);
	}
}

static void
check_manifest(const struct protocol_manifest *m)
{
	uint64_t total = 0;

	FUZZ_CHECK(protocol_id_valid(m->election_id, strlen(m->election_id)));
	check_text(&m->title);
	FUZZ_CHECK(m->mode == PROTOCOL_MODE_OPEN || m->mode == PROTOCOL_MODE_SECRET);
	FUZZ_CHECK(m->revote <= 1);
	FUZZ_CHECK(m->n_contests >= 1 && m->n_voters >= 1);
	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *k = &m->contests[c];

		FUZZ_CHECK(protocol_id_valid(k->id, strlen(k->id)));
		check_text(&k->title);
		FUZZ_CHECK(k->seats >= 1 && k->seats <= k->n_candidates);
		FUZZ_CHECK(k->min <= k->max && k->max <= k->n_candidates);
		for (uint32_t i = 0; i < k->n_candidates; i++) {
			FUZZ_CHECK(
			    protocol_id_valid(k->candidates[i].id, strlen(k->candidates[i].id)));
			check_text(&k->candidates[i].name);
		}
		total += k->n_candidates;
	}
	FUZZ_CHECK(protocol_manifest_total_candidates(m) == total);
	for (uint32_t v = 0; v < m->n_voters; v++) {
		FUZZ_CHECK(protocol_id_valid(m->voters[v].id, strlen(m->voters[v].id)));
		check_text(&m->voters[v].name);
		FUZZ_CHECK(protocol_manifest_voter_find(m, m->voters[v].pk) == (int64_t)v);
	}
	if (m->mode == PROTOCOL_MODE_OPEN)
		FUZZ_CHECK(m->n == 0 && m->t == 0);
	else
		FUZZ_CHECK(m->t >= 1 && m->t <= m->n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bytes = (uint8_t *)fuzz_copy(data, size);
	struct protocol_manifest *m = (struct protocol_manifest *)1;
	const char *why = NULL;

	if (!protocol_manifest_decode(bytes, size, &m, &why)) {
		FUZZ_CHECK(m == NULL && why != NULL);
	} else {
		struct encoding_buf again;
		uint8_t h[PCRYPTO_HASH_BYTES], eh[PCRYPTO_HASH_BYTES];

		FUZZ_CHECK(m != NULL);
		check_manifest(m);
		encoding_buf_init(&again);
		FUZZ_CHECK(protocol_manifest_encode(m, &again, &why));
		FUZZ_CHECK(again.len == size && memcmp(again.data, bytes, size) == 0);
		encoding_buf_free(&again);
		protocol_manifest_hash(bytes, size, h);
		protocol_election_hash_open(h, eh);
		protocol_manifest_free(m);
	}
	free(bytes);
	return 0;
}
