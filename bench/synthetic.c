/*
 * synthetic.c -- the benchmarks' synthetic election (see the header).
 */
#include "synthetic.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_group.h"

static const char *const km = "\xe1\x9e\x9f\xe1\x9e\x98\xe1\x9e\xb6\xe1\x9e\x82\xe1\x9e\x98";

void
synthetic_keypair(const char *label, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];

	pgroup_test_seed(label, seed);
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
	sodium_memzero(seed, sizeof(seed));
}

int
synthetic_election_init(struct synthetic_election *e, const char *election_id, const char *title_en,
                        uint8_t revote, uint32_t n_voters, uint32_t n_trustees, uint32_t t)
{
	char label[64];

	memset(e, 0, sizeof(*e));
	if (n_trustees > SYNTH_MAX_TRUSTEES)
		return -1;
	e->voter_names = calloc(n_voters, sizeof(*e->voter_names) * 2);
	e->voters = calloc(n_voters, sizeof(*e->voters));
	e->voter_ids = calloc(n_voters, sizeof(*e->voter_ids));
	e->voter_en = calloc(n_voters, sizeof(*e->voter_en));
	if (e->voter_names == NULL || e->voters == NULL || e->voter_ids == NULL ||
	    e->voter_en == NULL) {
		synthetic_election_free(e);
		return -1;
	}
	synthetic_keypair("server", e->m.server_pk, e->server_sk);
	for (uint32_t v = 0; v < n_voters; v++) {
		uint8_t sk[64];

		snprintf(e->voter_ids[v], sizeof(e->voter_ids[v]), "ngo-%06lu", (unsigned long)v);
		snprintf(e->voter_en[v], sizeof(e->voter_en[v]), "Organisation %06lu",
		         (unsigned long)v);
		snprintf(label, sizeof(label), "voter/%s", e->voter_ids[v]);
		synthetic_keypair(label, e->voters[v].pk, sk);
		sodium_memzero(sk, sizeof(sk));
		e->voter_names[2 * v] = (struct protocol_text_entry){"en", e->voter_en[v]};
		e->voter_names[2 * v + 1] = (struct protocol_text_entry){"km", km};
		e->voters[v].id = e->voter_ids[v];
		e->voters[v].name = (struct protocol_text){2, &e->voter_names[2 * v]};
	}
	for (uint32_t d = 0; d < n_trustees; d++) {
		snprintf(e->trustee_id[d], sizeof(e->trustee_id[d]), "trustee-%lu",
		         (unsigned long)d + 1);
		snprintf(e->trustee_en[d], sizeof(e->trustee_en[d]), "Trustee %lu",
		         (unsigned long)d + 1);
		snprintf(label, sizeof(label), "trustee/%s", e->trustee_id[d]);
		synthetic_keypair(label, e->trustees[d].pk, e->trustee_sk[d]);
		e->trustee_name[d][0] = (struct protocol_text_entry){"en", e->trustee_en[d]};
		e->trustees[d].id = e->trustee_id[d];
		e->trustees[d].name = (struct protocol_text){1, e->trustee_name[d]};
	}
	for (int c = 0; c < SYNTH_CONTESTS; c++) {
		snprintf(e->contest_id[c], sizeof(e->contest_id[c]), "wg-%d", c + 1);
		e->contest_title[c][0] = (struct protocol_text_entry){"en", e->contest_id[c]};
		for (int i = 0; i < SYNTH_CANDIDATES; i++) {
			char *id = e->candidate_id[c][i];

			snprintf(id, sizeof(e->candidate_id[c][i]), "ngo-%06d",
			         c * SYNTH_CANDIDATES + i);
			e->candidate_name[c][i][0] = (struct protocol_text_entry){"en", id};
			e->candidates[c][i].id = id;
			e->candidates[c][i].name =
			    (struct protocol_text){1, e->candidate_name[c][i]};
		}
		e->contests[c] = (struct protocol_contest){
		    .id = e->contest_id[c],
		    .title = {1, e->contest_title[c]},
		    .method = PROTOCOL_METHOD_TOP_K,
		    .seats = 2,
		    .min = 0,
		    .max = 2,
		    .n_candidates = SYNTH_CANDIDATES,
		    .candidates = e->candidates[c],
		};
	}
	e->title[0] = (struct protocol_text_entry){"en", title_en};
	e->title[1] = (struct protocol_text_entry){"km", km};
	e->m.election_id = election_id;
	e->m.title = (struct protocol_text){2, e->title};
	e->m.mode = n_trustees > 0 ? PROTOCOL_MODE_SECRET : PROTOCOL_MODE_OPEN;
	e->m.revote = revote;
	e->m.opens_at = "";
	e->m.closes_at = "";
	e->m.n_contests = SYNTH_CONTESTS;
	e->m.contests = e->contests;
	e->m.n_voters = n_voters;
	e->m.voters = e->voters;
	e->m.n = n_trustees;
	e->m.t = n_trustees > 0 ? t : 0;
	e->m.trustees = n_trustees > 0 ? e->trustees : NULL;
	return 0;
}

void
synthetic_election_free(struct synthetic_election *e)
{
	sodium_memzero(e->server_sk, sizeof(e->server_sk));
	sodium_memzero(e->trustee_sk, sizeof(e->trustee_sk));
	free(e->voter_names);
	free(e->voters);
	free(e->voter_ids);
	free(e->voter_en);
	e->voter_names = NULL;
	e->voters = NULL;
	e->voter_ids = NULL;
	e->voter_en = NULL;
}
