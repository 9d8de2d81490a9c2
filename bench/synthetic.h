/*
 * synthetic.h -- the synthetic election of the benchmark generators
 * (bench/verify/gen_record.c, bench/secret/gen_secret_record.c): V voters
 * "ngo-NNNNNN" with English and Khmer names and their seed32("voter/<id>")
 * keys, 6 contests x 5 candidates (2 seats, 0..2 selections), the server
 * key seed32("server") and, for secret ballots, n trustees
 * "trustee-<d>" with their seed32("trustee/<id>") keys.  Keys come from
 * the vectors' derivation (spec §17), so every run writes the same roll.
 */
#ifndef NGO_VOTE_BENCH_SYNTHETIC_H
#define NGO_VOTE_BENCH_SYNTHETIC_H

#include <stdint.h>

#include "protocol_manifest.h"

#define SYNTH_CONTESTS     6
#define SYNTH_CANDIDATES   5
#define SYNTH_MAX_TRUSTEES 8

/* m is a caller-built manifest (protocol_manifest_encode); the rest is the
 * storage behind its strings. */
struct synthetic_election {
	struct protocol_manifest m;
	uint8_t server_sk[64];
	uint8_t trustee_sk[SYNTH_MAX_TRUSTEES][64];
	struct protocol_text_entry title[2];
	struct protocol_text_entry *voter_names; /* [2 * V] */
	struct protocol_party *voters;
	char (*voter_ids)[16], (*voter_en)[32];
	struct protocol_contest contests[SYNTH_CONTESTS];
	struct protocol_candidate candidates[SYNTH_CONTESTS][SYNTH_CANDIDATES];
	struct protocol_text_entry contest_title[SYNTH_CONTESTS][1];
	struct protocol_text_entry candidate_name[SYNTH_CONTESTS][SYNTH_CANDIDATES][1];
	char contest_id[SYNTH_CONTESTS][16], candidate_id[SYNTH_CONTESTS][SYNTH_CANDIDATES][16];
	struct protocol_party trustees[SYNTH_MAX_TRUSTEES];
	struct protocol_text_entry trustee_name[SYNTH_MAX_TRUSTEES][1];
	char trustee_id[SYNTH_MAX_TRUSTEES][16], trustee_en[SYNTH_MAX_TRUSTEES][32];
};

/* The Ed25519 key pair of seed32(label); aborts if libsodium fails. */
void synthetic_keypair(const char *label, uint8_t pk[32], uint8_t sk[64]);

/* Fills e: open mode when n_trustees = 0, else secret with threshold t.
 * Returns 0, or -1 when out of memory. */
int synthetic_election_init(struct synthetic_election *e, const char *election_id,
                            const char *title_en, uint8_t revote, uint32_t n_voters,
                            uint32_t n_trustees, uint32_t t);
void synthetic_election_free(struct synthetic_election *e);

#endif
